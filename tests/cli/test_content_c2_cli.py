"""``fairmark content lint-targeting`` and ``fairmark content compare`` (C1's ``content`` app)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from fairmark.cli.content import app

from .conftest import one_error_line


@pytest.fixture
def run(cli_env):
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def _spec(cli_env, doc, name="spec.json"):
    path = cli_env / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def test_lint_targeting_json_and_exit_code(run, cli_env):
    spec = _spec(cli_env, {"age_min": 25, "genders": [2],
                           "geo_locations": {"zips": [{"key": "US:10001"}]}})
    result = run("lint-targeting", spec, "--platform", "meta", "--ad-category", "housing",
                 "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "fail" and doc["n_blocking"] == 3
    assert {f["rule_id"] for f in doc["findings"]} == {
        "targeting.meta.age", "targeting.meta.gender", "targeting.meta.postal_code"}


def test_lint_targeting_table_pass(run, cli_env):
    spec = _spec(
        cli_env,
        {"criteria": [{"location": {"target_type": "Country", "country_code": "US",
                                    "name": "United States"}}]},
    )
    result = run("lint-targeting", spec, "--platform", "google", "--ad-category", "employment")
    assert result.exit_code == 0, result.output
    assert "Verdict: PASS" in result.stdout


def test_lint_targeting_table_lists_findings(run, cli_env):
    spec = _spec(cli_env, {"gender": "GENDER_FEMALE"})
    result = run("lint-targeting", spec, "--platform", "tiktok", "--ad-category", "credit")
    assert result.exit_code == 1
    assert "targeting.tiktok.gender" in result.stdout and "Verdict: FAIL" in result.stdout


@pytest.mark.parametrize(
    ("doc", "args", "expect"),
    [
        ({}, ["--platform", "snapchat", "--ad-category", "housing"], "unknown platform"),
        ({}, ["--platform", "meta", "--ad-category", "cars"], "unknown ad category 'cars'"),
        ('{"genders": [1],', ["--platform", "meta", "--ad-category", "housing"],
         "not valid JSON"),
        ({"genders": "women"}, ["--platform", "meta", "--ad-category", "housing"],
         "'genders'"),
        ({"geo_locations": {"custom_locations": [{"radius": -3}]}},
         ["--platform", "meta", "--ad-category", "housing"],
         "'geo_locations.custom_locations[0].radius'"),
        ({}, ["--platform", "meta", "--ad-category", "housing", "--format", "xml"],
         "--format"),
    ],
)
def test_lint_targeting_bad_input(run, cli_env, doc, args, expect):
    spec = _spec(cli_env, doc)
    line = one_error_line(run("lint-targeting", spec, *args))
    assert expect in line


def test_lint_targeting_missing_file(run, cli_env):
    line = one_error_line(run("lint-targeting", cli_env / "nope.json", "--platform", "meta",
                              "--ad-category", "housing"))
    assert "nope.json" in line


def _table(cli_env):
    rows = []
    for i in range(20):
        rows.append({"persona": "young", "copy": f"Get {30 + i % 3}% off, free shipping!"})
        rows.append({"persona": "old", "copy": f"Get {10 + i % 3}% off, free shipping!"})
    path = cli_env / "copy.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_compare_json(run, cli_env):
    result = run("compare", _table(cli_env), "--text", "copy", "--group", "persona",
                 "--no-scan", "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["kind"] == "persona_comparison" and doc["n_texts"] == 40
    assert {(f["group"], f["feature"]) for f in doc["flagged"]} == {
        ("old", "discount_pct"), ("young", "discount_pct")}


def test_compare_table(run, cli_env):
    result = run("compare", _table(cli_env), "--text", "copy", "--group", "persona", "--no-scan")
    assert result.exit_code == 1
    assert "flag" in result.stdout and "discount_pct" in result.stdout


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--text", "body", "--group", "persona"], "column 'body' not found"),
        (["--text", "copy", "--group", "persona", "--alpha", "2"], "alpha"),
        (["--text", "copy", "--group", "persona", "--format", "xml"], "--format"),
    ],
)
def test_compare_bad_input(run, cli_env, args, expect):
    line = one_error_line(run("compare", _table(cli_env), "--no-scan", *args))
    assert expect in line


def test_compare_empty_file(run, cli_env):
    (cli_env / "empty.csv").write_text("")
    line = one_error_line(run("compare", cli_env / "empty.csv", "--text", "a", "--group", "b"))
    assert "empty" in line
