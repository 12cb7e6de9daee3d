"""``fairmark representation`` as a new user meets it (mounted on a local Typer app until the
lead wires it into ``fairmark.cli.main``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from fairmark.cli.representation import EPILOG, representation_command

REFS = Path(__file__).parents[1] / "fairness" / "representation_refs"

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.command("representation", epilog=EPILOG)(representation_command)


@app.callback()
def _root() -> None:
    """Test app with the representation command."""


def run(*args: object):
    return CliRunner().invoke(app, ["representation", *[str(a) for a in args]])


@pytest.fixture
def training(cli_env: Path) -> Path:
    df = pd.DataFrame({"sex": ["Female"] * 300 + ["Male"] * 700, "age": range(1000)})
    path = cli_env / "train.csv"
    df.to_csv(path, index=False)
    return path


def test_json_is_the_api_document(training):
    result = run(
        training, "-s", "sex", "--reference", REFS / "us_census_1990_sex.yaml", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # the built-in policy warns on a representation ratio below 0.8 (Female: 0.59)
    assert doc["kind"] == "representation" and doc["verdict"] == "warn"
    ratio = {g["group"]: g["representation_ratio"]["value"] for g in doc["groups"]}
    assert ratio["Female"] == pytest.approx(0.3 / 0.51253, rel=1e-12)
    assert doc["summary"]["under_represented"] == ["Female"]


def test_text_output_and_policy_exit_code(training, cli_env):
    policy = cli_env / "p.yaml"
    policy.write_text(
        "id: data\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\nrules:\n"
        "  - id: diverse-data\n    check: fairness.representation_ratio\n    min: 0.8\n"
        "    severity: block\n    principle: inclusiveness\n    rationale: diverse data\n"
    )
    result = run(
        training, "-s", "sex", "--reference", REFS / "us_census_1990_sex.yaml", "--policy", policy
    )
    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())  # the table may wrap on a narrow terminal
    assert "Verdict: FAIL" in text and "Female" in text and "at least 0.8" in text


def test_binned_column(cli_env, training):
    ref = cli_env / "ages.csv"
    ref.write_text("group,share\n<500,0.5\n500+,0.5\n")
    result = run(training, "-s", "age", "--bin", "500", "--reference", ref, "--format", "json")
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    assert [g["group"] for g in groups] == ["<500", "500+"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-s", "sexx", "--reference", "REF"], "column 'sexx' not found; available columns"),
        (["-s", "sex", "--reference", "BAD"], "reference shares sum to 0.9; expected 1"),
        (["-s", "sex", "--reference", "nope.yaml"], "cannot read reference file"),
        (["-s", "sex", "--reference", "REF", "--format", "xml"], "--format: unknown value"),
        (["-s", "sex", "--reference", "REF", "--bin", "a,b"], "bins of 'sex' must be a number"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli_env, training, error_line, args, needle):
    bad = cli_env / "bad.yaml"
    bad.write_text("Female: 0.5\nMale: 0.4\n")
    subst = {"REF": str(REFS / "us_census_1990_sex.yaml"), "BAD": str(bad)}
    result = run(training, *[subst.get(a, a) for a in args])
    assert needle in error_line(result)


def test_missing_data_file(cli_env, error_line):
    result = run(cli_env / "nope.csv", "-s", "sex", "--reference", REFS / "us_census_1990_sex.yaml")
    assert "no such file" in error_line(result)
