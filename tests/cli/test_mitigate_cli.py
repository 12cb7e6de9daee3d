"""``fairmark mitigate`` as a new user would run it, mounted on a local Typer app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner, Result

from fairmark.cli.mitigate import default_model, mitigate_command

from .conftest import one_error_line

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.command("mitigate")(mitigate_command)


@app.callback()
def _root() -> None:
    """Test app."""


EXCLUDE = ["--exclude", "customer_id", "--exclude", "converted", "--exclude", "outcome",
           "--exclude", "selected", "--exclude", "segment"]  # fmt: skip


def run(*args: Any) -> Result:
    return CliRunner().invoke(app, ["mitigate", *[str(a) for a in args]])


def base_args(path: Path) -> list[Any]:
    return [path, "--y-true", "subscribed", "--positive-label", "sub",
            "--sensitive-feature", "region", *EXCLUDE]  # fmt: skip


def test_json_is_the_api_document(campaign: tuple[Path, pd.DataFrame]) -> None:
    from sklearn.model_selection import train_test_split

    from fairmark.mitigate import mitigate

    path, frame = campaign
    result = run(*base_args(path), "--top-fraction", "0.3", "--format", "json", "--seed", "4")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["method"] == "threshold" and doc["constraint"] == "demographic_parity"
    # the same call through the API
    train, test = train_test_split(
        frame, test_size=0.3, random_state=4, stratify=frame["subscribed"]
    )
    features = ["region", "age", "score"]
    api = mitigate(
        default_model(train[features]), train[features], train["subscribed"],
        test[features], test["subscribed"],
        sensitive_train=train["region"], sensitive_test=test["region"],
        top_fraction=0.3, positive_label="sub", random_state=4,
    ).to_dict()  # fmt: skip
    for side in ("before", "after"):
        doc[side].pop("run_id")
        api[side].pop("run_id")
        assert doc[side] == api[side]
    assert doc["tradeoff"] == api["tradeoff"]


def test_text_table_chart_and_saved_model(
    campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    path, _ = campaign
    result = run(*base_args(path), "--method", "threshold", "--method", "reweighing",
                 "--top-fraction", "0.25", "--chart", "tradeoff.svg",
                 "--save-model", "mitigated.joblib")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Before and after" in result.stdout
    assert "Expected conversions in the list" in result.stdout
    assert "Methods compared" in result.stdout and "Reweighing" in result.stdout
    assert (cli_env / "tradeoff.svg").read_text().startswith("<svg")
    model = joblib.load(cli_env / "mitigated.joblib")
    assert type(model).__name__ == "ThresholdOptimizer"


def test_model_from_joblib_and_test_file(
    campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    _, frame = campaign
    train, test = frame.iloc[:800], frame.iloc[800:]
    train.to_csv(cli_env / "train.csv", index=False)
    test.to_csv(cli_env / "test.csv", index=False)
    features = ["age", "score"]
    model = default_model(train[features]).fit(train[features], train["subscribed"] == "sub")
    joblib.dump(model, cli_env / "model.joblib")
    result = run(cli_env / "train.csv", "--test", cli_env / "test.csv", "--y-true", "subscribed",
                 "--positive-label", "sub", "--sensitive-feature", "age", "--bin", "age=age",
                 "--model", cli_env / "model.joblib", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["n_test"] == 400 and doc["n_train"] == 800
    assert doc["before"]["fairness"][0]["feature"] == "age_band"


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        (["--method", "magic"], "unknown method 'magic'"),
        (["--constraint", "fair"], "unknown constraint 'fair'"),
        (["--format", "xml"], "unknown format 'xml'"),
        (["--top-fraction", "2"], "top_fraction must be in (0, 1]"),
        (["--test-fraction", "1.5"], "--test-fraction must be in (0, 1)"),
        (["--bin", "age=25,35"], "--bin names ['age']"),
        (["--exclude", "nope"], "--exclude names columns ['nope']"),
        (["--model", "missing.joblib"], "cannot load model missing.joblib: no such file"),
    ],
)
def test_bad_input_is_one_line(
    campaign: tuple[Path, pd.DataFrame], extra: list[str], expect: str
) -> None:
    path, _ = campaign
    line = one_error_line(run(*base_args(path), *extra))
    assert expect in line, line


def test_unreadable_model_and_missing_columns(
    campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    path, _ = campaign
    (cli_env / "junk.joblib").write_bytes(b"not a pickle")
    assert "cannot load model" in one_error_line(run(*base_args(path), "--model", "junk.joblib"))
    joblib.dump({"a": 1}, cli_env / "dict.joblib")
    assert "not a classifier" in one_error_line(run(*base_args(path), "--model", "dict.joblib"))
    line = one_error_line(run(path, "--y-true", "nope", "--positive-label", "1",
                              "--sensitive-feature", "region"))  # fmt: skip
    assert "--y-true column 'nope'" in line
    line = one_error_line(run(path, "--y-true", "subscribed", "--positive-label", "sub",
                              "--sensitive-feature", "segment", *EXCLUDE[:8]))  # fmt: skip
    assert "single group" in line
