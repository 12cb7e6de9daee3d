"""``fairmark privacy kanon`` and ``fairmark privacy dp-release`` (the Typer app of
fairmark.cli.privacy): output, exit codes, written files and the bad-input contract."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fairmark.cli.privacy import app


@pytest.fixture
def run(cli_env: Path):
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(app, [str(a) for a in args])

    return _run


@pytest.fixture
def people(cli_env: Path) -> Path:
    """60 people: (age, sex) classes of 10, 10, 10, 10, 10, 9 and one of 1."""
    rows = []
    for age, sex, n in ((30, "f", 10), (30, "m", 10), (40, "f", 10), (40, "m", 10),
                        (50, "f", 10), (50, "m", 9), (77, "m", 1)):  # fmt: skip
        rows += [{"age": age, "sex": sex, "segment": ["a", "b", "c"][i % 3], "region": "n"}
                 for i in range(n)]  # fmt: skip
    path = cli_env / "people.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_kanon_table_and_exit_code_fail(run, people):
    result = run("kanon", people, "--quasi-identifiers", "age,sex", "--k", "5",
                 "--sensitive", "segment")  # fmt: skip
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "60 records" in out
    assert "k achieved 1 (required 5, from argument)" in out
    assert "1 below k holding 1 records (1.7%)" in out
    assert "distinct l = 1" in out  # the class of one has a single value
    assert "Suggested generalisations" in out
    assert "Verdict: FAIL" in out


def test_kanon_json_pass_and_out_file(run, people, cli_env):
    result = run("kanon", people, "-q", "age,sex", "--k", "2", "--format", "json", "--out",
                 "kanon.json")  # fmt: skip
    assert result.exit_code == 1  # the class of one still fails k = 2
    doc = json.loads(result.stdout)
    assert doc["kind"] == "kanon"
    assert doc["summary"]["k_achieved"] == 1
    assert json.loads((cli_env / "kanon.json").read_text()) == doc
    result = run("kanon", people, "-q", "sex", "--k", "20", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["summary"]["k_achieved"], doc["verdict"]) == (30, "pass")
    assert doc["suggestions"] == []


def test_kanon_k_from_policy(run, people, cli_env):
    policy = cli_env / "policy.yaml"
    policy.write_text(
        "id: t\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\n"
        "settings: {k_anonymity: 9}\nrules:\n"
        "  - {id: di, check: fairness.disparate_impact, min: 0.8, severity: block,\n"
        "     principle: fairness, rationale: not judged by a kanon run}\n"
    )
    result = run("kanon", people, "-q", "age,sex", "--policy", policy, "--no-suggest",
                 "--format", "json")  # fmt: skip
    doc = json.loads(result.stdout)
    assert (doc["settings"]["k"], doc["settings"]["k_source"]) == (9, "policy")
    assert doc["summary"]["records_below_k"] == 1  # the class of 9 meets k = 9
    assert [r["rule_id"] for r in doc["rules"]] == ["k-anonymity"]  # fairness rule skipped
    assert result.exit_code == 1


def test_dp_release_table_json_and_csv(run, people, cli_env):
    keys = cli_env / "keys.csv"
    pd.DataFrame({"region": ["n", "s"]}).to_csv(keys, index=False)
    result = run("dp-release", people, "--by", "region", "--epsilon", "100", "--keys", keys,
                 "--out", "counts.csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "differentially private counts by region" in result.stdout
    assert "ε = 100" in result.stdout
    with (cli_env / "counts.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["region"], r["noisy_count"]) for r in rows] == [("n", "60"), ("s", "0")]
    result = run("dp-release", people, "--by", "region,sex", "--epsilon", "1", "--mechanism",
                 "gaussian", "--delta", "1e-6", "--format", "json", "--out", "r.json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["kind"] == "dp_release" and doc["privacy"]["mechanism"] == "gaussian"
    assert not doc["keys_protected"]
    assert json.loads((cli_env / "r.json").read_text())["run_id"] == doc["run_id"]


def _one_line_no_files(result, cli_env: Path, before: list[str], expect: str, error_line):
    line = error_line(result)
    assert expect in line, line
    assert sorted(os.listdir(cli_env)) == before  # nothing written, no temporary file left


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["-q", "age,postcode"], "column 'postcode' not found; available columns: age, sex"),
        (["-q", "age", "--k", "1"], "--k must be a whole number >= 2, got 1"),
        (["-q", ""], "--quasi-identifiers is empty"),
        (["-q", " , "], "--quasi-identifiers is empty"),
        ([], "missing --quasi-identifiers"),
        (["-q", "age,sex", "--sensitive", "sex"], "--sensitive 'sex' is also in"),
        (["-q", "age,age"], "more than once"),
        (["-q", "age", "--format", "xml"], "--format: unknown value 'xml'"),
        (["-q", "age", "--policy", "nope.yaml"], "nope.yaml"),
    ],
)
def test_kanon_bad_input(run, people, cli_env, error_line, args, expect):
    before = sorted(os.listdir(cli_env))
    result = run("kanon", people, *args, "--out", "kanon.json")
    _one_line_no_files(result, cli_env, before, expect, error_line)


def test_kanon_bad_files(run, cli_env, error_line):
    before = sorted(os.listdir(cli_env))
    result = run("kanon", "missing.csv", "-q", "age")
    _one_line_no_files(result, cli_env, before, "no such file", error_line)
    result = run("kanon", "missing.csv", "-q", "age", "--out", "no/such/dir/k.json")
    _one_line_no_files(result, cli_env, before, "does not exist", error_line)


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--by", "region", "--epsilon", "0"], "--epsilon must be a finite number > 0, got 0"),
        (["--by", "region", "--epsilon", "-1"], "--epsilon must be a finite number > 0"),
        (["--by", "region"], "missing --epsilon"),
        (["--by", "", "--epsilon", "1"], "--by is empty"),
        (["--epsilon", "1"], "missing --by"),
        (["--by", "town", "--epsilon", "1"], "column 'town' not found"),
        (["--by", "region", "--epsilon", "1", "--mechanism", "gaussian"], "needs --delta"),
        (["--by", "region", "--epsilon", "1", "--delta", "1e-6"], "only for --mechanism gaussian"),
        (["--by", "region", "--epsilon", "1", "--mechanism", "cauchy"], "--mechanism: unknown"),
        (["--by", "region", "--epsilon", "1", "--confidence-level", "1"], "--confidence-level"),
        (["--by", "region", "--epsilon", "1", "--max-contributions", "0"], "--max-contributions"),
        (["--by", "region", "--epsilon", "1", "--keys", "nokeys.csv"], "no such file"),
    ],
)
def test_dp_release_bad_input(run, people, cli_env, error_line, args, expect):
    before = sorted(os.listdir(cli_env))
    result = run("dp-release", people, *args, "--out", "counts.csv")
    _one_line_no_files(result, cli_env, before, expect, error_line)


@pytest.mark.parametrize(
    "args",
    [
        ["kanon", "-q", "age,sex", "--format", "json"],
        ["dp-release", "--by", "region", "--epsilon", "1"],
    ],
)
def test_out_equal_to_the_input_is_refused(run, people, cli_env, error_line, args):
    # QA #1: --out the input file must not overwrite the data
    original = people.read_bytes()
    before = sorted(os.listdir(cli_env))
    result = run(args[0], people, *args[1:], "--out", people)
    _one_line_no_files(result, cli_env, before, "is an input file; expected a different file",
                       error_line)  # fmt: skip
    assert result.exit_code == 2
    assert people.read_bytes() == original
    result = run(args[0], "./" + people.name, *args[1:], "--out", people)  # another spelling
    assert result.exit_code == 2 and people.read_bytes() == original


def test_dp_release_out_equal_to_the_keys_is_refused(run, people, cli_env, error_line):
    keys = cli_env / "keys.csv"
    pd.DataFrame({"region": ["n", "s"]}).to_csv(keys, index=False)
    original = keys.read_bytes()
    before = sorted(os.listdir(cli_env))
    result = run("dp-release", people, "--by", "region", "--epsilon", "1", "--keys", keys,
                 "--out", keys)  # fmt: skip
    _one_line_no_files(result, cli_env, before, "is an input file", error_line)
    assert keys.read_bytes() == original


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--epsilon", "1e9"], "epsilon this large gives no privacy; expected 0 < epsilon <= 100"),
        (["--epsilon", "100.01"], "expected 0 < epsilon <= 100"),
    ],
)
def test_dp_release_epsilon_too_large(run, people, cli_env, error_line, args, expect):
    # QA #7: 1e9 crashed with an OverflowError inside OpenDP
    before = sorted(os.listdir(cli_env))
    result = run("dp-release", people, "--by", "region", *args, "--out", "counts.csv")
    _one_line_no_files(result, cli_env, before, expect, error_line)
    assert result.exit_code == 2


def test_dp_release_refuses_identifier_and_fine_groups(run, cli_env, error_line):
    # QA #2: without --keys an identifier column (or near-unique groups) is not released
    crm = cli_env / "crm.csv"
    emails = [f"user{i}@example.com" for i in range(30)]
    frame = pd.DataFrame({"email": emails, "band": ["a", "b", "c"] * 10, "weight": range(30)})
    frame.to_csv(crm, index=False)
    before = sorted(os.listdir(cli_env))
    result = run("dp-release", crm, "--by", "email", "--epsilon", "1", "--out", "c.csv")
    _one_line_no_files(result, cli_env, before, "'email' looks like a direct identifier",
                       error_line)  # fmt: skip
    assert "expected --keys with a public list of groups or a coarser --by" in result.output
    assert "user0@example.com" not in result.output
    result = run("dp-release", crm, "--by", "weight", "--epsilon", "1", "--out", "c.csv")
    _one_line_no_files(result, cli_env, before, "30 groups, fewer than k = 10", error_line)
    result = run("dp-release", crm, "--by", "band", "--epsilon", "1")
    assert result.exit_code == 0, result.output


def test_dp_release_header_only(run, cli_env, error_line):
    # QA #8: a header-only CSV is bad input (no rows), as in kanon
    empty = cli_env / "header_only.csv"
    empty.write_text("email,band\n")
    before = sorted(os.listdir(cli_env))
    for command, args in (("dp-release", ["--by", "band", "--epsilon", "1"]),
                          ("kanon", ["-q", "band"])):  # fmt: skip
        result = run(command, empty, *args, "--out", "x.json")
        _one_line_no_files(result, cli_env, before, "no rows", error_line)
        assert result.exit_code == 2


def test_kanon_explicit_k_sets_the_verdict_bound(run, people):
    # QA #3: the built-in policy's rule (min 10) is judged with --k
    result = run("kanon", people, "-q", "sex", "--k", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (finding,) = [f for f in doc["findings"] if f["check"] == "privacy.k_anonymity"]
    assert finding["bound"]["min"] == 2.0 and finding["verdict"] == "pass"
    assert doc["settings"]["policy_bounds"] == {"k-anonymity": 10.0}
    result = run("kanon", people, "-q", "age,sex", "--k", "9", "--no-suggest")
    assert result.exit_code == 1  # the class of one fails k = 9
    assert "the policy requires at least 9" in result.stdout.replace("\n", " ")
