"""``fairmark proxies`` as a new user would run it, mounted on a local Typer app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner, Result

from fairmark.cli.proxies import EPILOG, proxies_command
from fairmark.fairness.proxies import proxies

from .conftest import one_error_line

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.command("proxies", epilog=EPILOG)(proxies_command)


@app.callback()
def _root() -> None:
    """Test app."""


def run(*args: Any) -> Result:
    return CliRunner().invoke(app, ["proxies", *[str(a) for a in args]])


def customers(n: int = 1500, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["f", "m"], size=n)
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:05d}" for i in range(n)],
            "sex": sex,
            "title": np.where(rng.random(n) < 0.9, np.where(sex == "f", "Ms", "Mr"), "Dr"),
            "region": rng.choice(["n", "s", "e"], size=n),
            "age": rng.integers(18, 80, size=n),
            "spend": rng.gamma(2.0, 40.0, size=n) + 25 * (sex == "f"),
            "segment": "retail",
        }
    )


@pytest.fixture
def data(cli_env: Path) -> Path:
    path = cli_env / "customers.csv"
    customers().to_csv(path, index=False)
    return path


BASE = ["-s", "sex", "--exclude", "customer_id", "--sample-size", "500"]


def test_json_is_the_api_document(data: Path) -> None:
    result = run(data, *BASE, "--format", "json")
    assert result.exit_code == 0, result.output  # proxies found: warn, exit 0
    doc = json.loads(result.stdout)
    api = proxies(str(data), sensitive_features=["sex"], exclude=["customer_id"],
                  sample_size=500).to_dict()  # fmt: skip
    for key in ("run_id", "created_at"):
        doc.pop(key)
        api.pop(key)
    assert doc == api
    assert doc["proxies"][0]["feature"] == "title" and doc["proxies"][0]["flagged"]
    assert doc["verdict"] == "warn"
    assert "sex" in doc["redundant_encoding_auc"]


def test_text_is_ranked_and_flags_proxies(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = run(data, *BASE, "--out", out)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Proxies for sex (flagged above 0.3)" in text
    assert text.index("title") < text.index("region")
    assert "proxy" in text and "single_level" in text  # the constant segment is reported
    assert "ROC AUC" in text and "Verdict: WARN" in text
    assert json.loads((out / "report.json").read_text())["kind"] == "proxies"
    for name in ("report.html", "report.md", "junit.xml"):
        assert (out / name).is_file(), name


def test_binned_sensitive_feature_and_no_joint(data: Path) -> None:
    result = run(data, "-s", "age", "--bin", "age=age", "--exclude", "customer_id",
                 "--no-joint", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["summary"]["sensitive_features"] == ["age_band"]
    assert doc["redundant_encoding_auc"] == {}


def test_failing_policy_exits_1(data: Path, tmp_path: Path) -> None:
    policy = tmp_path / "strict.yaml"
    policy.write_text(
        "id: strict\nversion: '1'\nowner: t\nreview_by: 2099-01-01\nrules:\n"
        "  - id: no-proxies\n    check: fairness.proxy_association\n    max: 0.3\n"
        "    severity: block\n    principle: fairness\n    rationale: test\n"
    )
    result = run(data, *BASE, "--exclude", "segment", "--no-joint", "--policy", policy)
    assert result.exit_code == 1, result.output
    assert "Verdict: FAIL" in result.stdout


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["-s", "gender"], ["'gender' not found", "available columns"]),
        (["-s", "sex", "--exclude", "sex"], ["'sex' is a sensitive feature"]),
        (["-s", "sex", "--exclude", "region", "--exclude", "region"], ["more than once"]),
        (["-s", "sex", "-s", "sex"], ["more than once"]),
        (["-s", "segment", "-x", "customer_id"], ["single value ('retail')"]),
        (["--exclude", "region"], ["missing --sensitive-feature"]),
        (["-s", "sex", "--format", "xml"], ["--format", "text, json"]),
        (["-s", "sex", "--bin", "spend=10,20"], ["--bin names spend"]),
        (["-s", "sex", "--bin", "age"], ["expected COLUMN=EDGES"]),
        (["-s", "sex", "--max-levels", "100"], ["'customer_id'", "--exclude customer_id"]),
        (["-s", "sex", "--sample-size", "5"], ["sample_size"]),
        (["-s", "sex", "--top", "0"], ["--top"]),
        (["-s", "sex", "--policy", "missing.yaml"], ["missing.yaml"]),
    ],
)
def test_bad_input_is_one_line_exit_2(data: Path, args: list[str], expect: list[str]) -> None:
    line = one_error_line(run(data, *args))
    for text in expect:
        assert text in line, line


def test_missing_file_is_exit_2(cli_env: Path) -> None:
    line = one_error_line(run(cli_env / "nope.csv", "-s", "sex"))
    assert "no such file" in line


def test_constant_candidate_is_reported_not_an_error(data: Path) -> None:
    result = run(data, *BASE, "--no-joint", "--format", "json")
    doc = json.loads(result.stdout)
    segment = next(p for p in doc["proxies"] if p["feature"] == "segment")
    assert segment["association"] is None and segment["reason"] == "single_level"
    assert not segment["flagged"]
