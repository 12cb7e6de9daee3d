"""``fairmark explain`` mounted on a local app: success paths and one-line bad inputs."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import typer
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from typer.testing import CliRunner, Result

from fairmark.cli.explain import explain_command
from fairmark.explain import bounded_sample, explain_decision, save_model, select_row

RAW_CODES = ("poutcome_", "nr.employed", "emp.var.rate", "cons.", "euribor3m", "_unknown")


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("explain")(explain_command)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps "explain" a named sub-command
        """Nothing."""

    return app


def run(*args: Any) -> Result:
    return CliRunner().invoke(_app(), ["explain", *[str(a) for a in args]])


def _frame(n: int = 400, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"k{i:04d}" for i in range(n)],
            "age": rng.integers(18, 90, size=n),
            "member": rng.choice(["yes", "no"], size=n),
            "spend": rng.gamma(2.0, 40.0, size=n).round(2),
        }
    )
    logit = 0.05 * (frame["age"] - 50) + (frame["member"] == "yes") + 0.01 * (frame["spend"] - 80)
    frame["bought"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame["selected"] = np.where(rng.random(n) < 0.3, "yes", "no")
    return frame


@pytest.fixture
def files(cli_env: Path) -> tuple[Path, Path, pd.DataFrame, Pipeline]:
    frame = _frame()
    pre = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore"), ["member"]),
         ("num", StandardScaler(), ["age", "spend"])]
    )  # fmt: skip
    model = Pipeline([("pre", pre), ("clf", LogisticRegression())])
    model.fit(frame[["age", "member", "spend"]], frame["bought"])
    model_path = save_model(model, cli_env / "model.joblib")
    data_path = cli_env / "customers.csv"
    frame.to_csv(data_path, index=False)
    return model_path, data_path, frame, model


def test_json_is_the_api_document(files: tuple[Path, Path, pd.DataFrame, Pipeline]) -> None:
    model_path, data_path, _, model = files
    result = run("--model", model_path, "--data", data_path, "--row", 5, "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    # the same call through the API: the row and a bounded background, read by the engine
    want = explain_decision(
        model,
        select_row(str(data_path), 5),
        background=bounded_sample(str(data_path), 500, 0),
    ).to_dict()
    assert got == json.loads(json.dumps(want))
    # `member` holds only yes/no, so DuckDB reads it as true/false: mapped back to the text
    assert any(
        d["feature"] == "member" and d["value"] in ("yes", "no") for d in got["contributions"]
    )


def test_text_output_id_lookup_and_decision_column(
    files: tuple[Path, Path, pd.DataFrame, Pipeline],
) -> None:
    model_path, data_path, frame, _ = files
    target = frame.index[frame["selected"] == "no"][0]
    result = run(
        "--model", model_path, "--data", data_path, "--row", frame.loc[target, "customer_id"],
        "--id-column", "customer_id", "--decision-column", "selected",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("You were not offered this")
    assert "Main reasons" in result.stdout and "model probability" in result.stdout


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (lambda m, d: ["--model", "missing.joblib", "--data", d, "--row", 0], "no such file"),
        (lambda m, d: ["--model", d, "--data", d, "--row", 0], "cannot load model"),
        (lambda m, d: ["--model", "dict.pkl", "--data", d, "--row", 0], "not a model"),
        (lambda m, d: ["--model", m, "--data", "narrow.csv", "--row", 0], "lacks 1 column"),
        (lambda m, d: ["--model", m, "--data", "wrong_type.csv", "--row", 0], "does not accept"),
        (lambda m, d: ["--model", m, "--data", d, "--row", 400], "out of range"),
        (lambda m, d: ["--model", m, "--data", d, "--row", -1], "not a row position"),
        (lambda m, d: ["--model", m, "--data", d, "--row", "abc"], "not a row position"),
        (
            lambda m, d: ["--model", m, "--data", d, "--row", "zz", "--id-column", "customer_id"],
            "no row has customer_id",
        ),
        (
            lambda m, d: ["--model", m, "--data", d, "--row", 1, "--id-column", "nope"],
            "id column 'nope'",
        ),
        (lambda m, d: ["--model", m, "--data", "missing.csv", "--row", 0], "no such file"),
        (lambda m, d: ["--model", m, "--data", d, "--row", 0, "--format", "xml"], "--format"),
        (
            lambda m, d: ["--model", m, "--data", d, "--row", 0, "--labels", "nope.yaml"],
            "labels 'nope.yaml' not found",
        ),
        (
            lambda m, d: ["--model", m, "--data", d, "--row", 0, "--decision-column", "spend"],
            "expected true/false",
        ),
    ],
)
def test_bad_inputs_are_one_line_exit_2(
    files: tuple[Path, Path, pd.DataFrame, Pipeline],
    cli_env: Path,
    error_line: Callable[[Result], str],
    change: Callable[[Path, Path], list[Any]],
    expect: str,
) -> None:
    model_path, data_path, frame, _ = files
    (cli_env / "dict.pkl").write_bytes(pickle.dumps({"weights": [1, 2]}))
    frame.drop(columns=["spend"]).to_csv(cli_env / "narrow.csv", index=False)
    frame.assign(age="old").to_csv(cli_env / "wrong_type.csv", index=False)
    line = error_line(run(*change(model_path, data_path)))
    assert expect in line, line


@pytest.fixture(scope="module")
def bank_files(bank_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from fairmark.datasets import fetch_bank_marketing
    from fairmark.demo_model import build_call_list

    calls = build_call_list(fetch_bank_marketing(bank_csv.parents[2], download_if_missing=False))
    folder = tmp_path_factory.mktemp("bank")
    model = save_model(calls.model, folder / "model.joblib")
    data = folder / "call_list.csv"
    calls.scored.to_csv(data, index=False)
    return model, data


def test_bank_marketing_call_list(bank_files: tuple[Path, Path]) -> None:
    model, data = bank_files
    for row in (0, 17):
        result = run(
            "--model", model, "--data", data, "--row", row, "--decision-column", "selected"
        )
        assert result.exit_code == 0, result.output
        text = " ".join(result.stdout.split())
        assert not any(code in text for code in RAW_CODES), text
    doc = json.loads(run("--model", model, "--data", data, "--row", 0, "--format", "json").stdout)
    assert not any(code in doc["text"] for code in RAW_CODES)
    assert doc["drivers"][0]["phrase"] in doc["text"]
