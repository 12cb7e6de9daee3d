"""``fairmark audit --score COL [--score-kind K]`` writes score_metrics[]; bad scores exit 2.

The audit command is mounted on a local Typer app, as the project's CLI mounts it.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from fairmark.cli.audit import audit_command


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAIRMARK_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("FAIRMARK_DEBUG", raising=False)
    app = typer.Typer()
    app.command("audit")(audit_command)
    app.command("noop", hidden=True)(lambda: None)  # keep "audit" a sub-command
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(app, ["audit", *[str(a) for a in args]])

    return _run


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(5)
    n = 600
    g = rng.choice(["a", "b"], n)
    y = (rng.random(n) < 0.3).astype(int)
    logit = 1.2 * y - 1 + rng.normal(0, 1, n)
    frame = pd.DataFrame({"g": g, "y": y, "logit": logit, "p": 1 / (1 + np.exp(-logit))})
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    return path


def _doc(tmp_path):
    return json.loads((tmp_path / "out" / "report.json").read_text())


def test_audit_with_a_score_writes_score_metrics(run, data, tmp_path):
    result = run(data, "--y-true", "y", "--positive-label", "1", "--score", "p", "--top-k",
                 "0.2", "-s", "g", "--format", "json", "--out", "out", "--no-record")  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    items = _doc(tmp_path)["score_metrics"]
    aucs = [i for i in items if i["metric"] == "roc_auc"]
    assert {i["group"] for i in aucs} == {"a", "b"}
    assert all(0.5 < i["value"] < 1 for i in aucs)


def test_logit_scores_need_score_kind_logit(run, data, tmp_path):
    args = [data, "--y-true", "y", "--positive-label", "1", "--score", "logit", "--top-k",
            "0.2", "-s", "g", "--format", "json", "--out", "out", "--no-record"]  # fmt: skip
    auto = run(*args)  # default auto: out-of-range scores rank, without calibration
    assert auto.exit_code in (0, 1), auto.output
    assert "ece" not in {i["metric"] for i in _doc(tmp_path)["score_metrics"]}
    (tmp_path / "out" / "report.json").unlink()
    bad = run(*args, "--score-kind", "probability")
    assert bad.exit_code == 2
    message = " ".join(bad.output.split())
    assert "score column 'logit' has values outside [0, 1]" in message
    assert "score_kind='logit'" in message
    assert not (tmp_path / "out" / "report.json").exists()
    good = run(*args, "--score-kind", "logit")
    assert good.exit_code in (0, 1), good.output
    assert {i["metric"] for i in _doc(tmp_path)["score_metrics"]} >= {"roc_auc", "ece"}


def test_cutoffs_add_threshold_rows(run, data, tmp_path):
    result = run(data, "--y-true", "y", "--positive-label", "1", "--score", "p", "--top-k",
                 "0.2", "-s", "g", "--cutoff", "0.5", "--cutoff", "0.3", "--format", "json",
                 "--out", "out", "--no-record")  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    doc = _doc(tmp_path)
    rates = [i for i in doc["score_metrics"] if i["metric"] == "selection_rate_at"]
    assert {i["cutoff"] for i in rates if i["cutoff_kind"] == "threshold"} == {0.5, 0.3}
    assert {i["top_fraction"] for i in rates if i["cutoff_kind"] == "top_fraction"} == {
        0.1, 0.2, 0.3
    }  # fmt: skip
