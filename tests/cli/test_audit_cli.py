"""``fairmark audit`` as a new user meets it: bad input is one line and exit 2, good input
writes the reports, records the run and exits with the verdict's code.

Numbers printed by the command are checked against pandas computations of the same
quantities on the same file (selection rate = selected / n, TPR = selected positives /
positives), independently of fairmark's engine.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from fairmark.cli.main import app

BANK_FLAGS = [
    "--y-true", "y", "--positive-label", "yes", "--score", "euribor3m", "--top-k", "0.2",
    "--sensitive-feature", "age", "--bin", "age=age", "--sensitive-feature", "marital",
]  # fmt: skip
CAMPAIGN = ["--y-true", "subscribed", "--positive-label", "sub"]
ALL_FILES = {"report.json", "report.html", "report.md", "junit.xml"}
EXIT = {"pass": 0, "warn": 0, "fail": 1, "insufficient_evidence": 1}


def _groups(doc: dict[str, Any], feature: str) -> dict[str, dict[str, Any]]:
    return {g["group"]: g for g in doc["groups"] if g["feature"] == feature}


def _pandas_rates(frame: pd.DataFrame, by: Any, selected: Any, positive: Any) -> pd.DataFrame:
    """Selection rate and TPR by group, computed with pandas alone."""
    df = pd.DataFrame({"g": by, "sel": selected.astype(bool), "pos": positive.astype(bool)})
    out = df.groupby("g").agg(n=("sel", "size"), sel=("sel", "sum"))
    out["selection_rate"] = out["sel"] / out["n"]
    tp = df[df["pos"]].groupby("g")["sel"].agg(["sum", "size"])
    out["tpr"] = tp["sum"] / tp["size"]
    return out


# --------------------------------------------------------------------------- bad input


def test_missing_column_names_it_and_lists_the_available_ones(
    assert_bad_input: Callable[..., str], bank_csv: Path
) -> None:
    line = assert_bad_input([
        "audit", bank_csv, "--y-true", "y", "--positive-label", "yes", "--score",
        "euribor3m", "--top-k", "0.2", "-s", "agee",
    ], ["'agee' not found", "available columns", "age, job, marital"])  # fmt: skip
    assert "euribor3m" in line


def test_non_binary_y_true_lists_the_values_found(
    assert_bad_input: Callable[..., str], bank_csv: Path
) -> None:
    assert_bad_input([
        "audit", bank_csv, "--y-true", "marital", "--positive-label", "married",
        "--score", "euribor3m", "--top-k", "0.2", "-s", "age", "--bin", "age=age",
    ], ["'marital' is not binary", "'divorced'", "'married'", "'single'", "'unknown'"])  # fmt: skip


def test_unknown_positive_label_on_a_yes_no_column(
    assert_bad_input: Callable[..., str], bank_csv: Path
) -> None:
    # DuckDB reads the Bank file's yes/no column 'y' as true/false
    assert_bad_input(
        ["audit", bank_csv, *BANK_FLAGS[:2], "--positive-label", "maybe", *BANK_FLAGS[4:]],
        ["positive label 'maybe'", "column 'y'", "true/false"],
    )


def test_unknown_positive_label_on_a_text_column_lists_the_values(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], "--y-true", "subscribed", "--positive-label", "yes",
         "--y-pred", "selected", "-s", "region"],
        ["positive label 'yes' does not occur", "'subscribed'", "values found: 'not', 'sub'"],
    )


def test_unknown_positive_label_on_a_column_named_n(
    assert_bad_input: Callable[..., str], cli_env: Path
) -> None:
    # listing the values found once clashed with a label column called "n"
    rows = "".join(f"{i % 2},{i // 2 % 2},{'ab'[i % 3 == 0]}\n" for i in range(60))
    (cli_env / "n.csv").write_text("n,sel,g\n" + rows)
    assert_bad_input(
        ["audit", "n.csv", "--y-true", "n", "--positive-label", "2", "--y-pred", "sel",
         "-s", "g"],
        ["positive label 2 does not occur in y_true column 'n'; values found: 0, 1"],
    )  # fmt: skip


def test_header_only_csv_is_empty_data(
    assert_bad_input: Callable[..., str], cli_env: Path
) -> None:
    (cli_env / "empty.csv").write_text("subscribed,selected,region\n")
    assert_bad_input(
        ["audit", "empty.csv", *CAMPAIGN, "--y-pred", "selected", "-s", "region"],
        ["'empty.csv' has no rows"],
    )


def test_zero_byte_file_is_empty(assert_bad_input: Callable[..., str], cli_env: Path) -> None:
    (cli_env / "zero.csv").write_bytes(b"")
    assert_bad_input(
        ["audit", "zero.csv", *CAMPAIGN, "--y-pred", "selected", "-s", "region"],
        ["cannot read 'zero.csv'", "empty"],
    )


def test_garbage_file_is_refused(assert_bad_input: Callable[..., str], cli_env: Path) -> None:
    (cli_env / "garbage.csv").write_bytes(bytes(range(256)) * 3)
    assert_bad_input(
        ["audit", "garbage.csv", *CAMPAIGN, "--y-pred", "selected", "-s", "region"],
        ["'garbage.csv'"],
    )


def test_headerless_text_file_names_the_missing_column(
    assert_bad_input: Callable[..., str], cli_env: Path
) -> None:
    (cli_env / "notes.csv").write_text("call them all back\nsome of them twice\n")
    assert_bad_input(
        ["audit", "notes.csv", *CAMPAIGN, "--y-pred", "selected", "-s", "region"],
        ["'subscribed' not found", "available columns: call them all back"],
    )


def test_single_group_feature_says_no_disparity(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "segment"],
        ["'segment' has a single group ('retail')", "no disparity can be computed"],
    )


def test_more_than_1000_levels_is_refused(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "customer_id"],
        ["'customer_id' has 1200 levels", "max_groups=1000", "--max-groups"],
    )


@pytest.mark.slow
def test_more_than_1000_levels_allowed_with_max_groups(
    invoke: Callable[..., Any],
    stored_runs: Callable[[], list[dict[str, Any]]],
    campaign: tuple[Path, pd.DataFrame],
    cli_env: Path,
) -> None:
    path, frame = campaign
    args = ["audit", path, *CAMPAIGN, "--y-pred", "selected", "-s", "customer_id"]
    result = invoke(*args, "--max-groups", "2000", "--out", "out", "--format", "json")
    doc = json.loads((cli_env / "out" / "report.json").read_text())
    assert result.exit_code == EXIT[doc["verdict"]], result.output
    groups = _groups(doc, "customer_id")
    assert len(groups) == len(frame) == 1200
    assert all(g["suppressed"] for g in groups.values())  # one row each, below 30
    assert [r["run_id"] for r in stored_runs()] == [doc["run_id"]]


def test_malformed_audit_yaml_gives_file_and_line(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    (cli_env / "audit.yaml").write_text(
        "data: campaign.csv\ny_true: subscribed\npositive_label: sub\n"
        "y_pred: selected\nsensitive_features: [region\nout: out\n"
    )
    line = assert_bad_input(["audit", "--config", "audit.yaml"], ["audit.yaml:6:"])
    assert "expected" in line


def test_audit_yaml_unknown_key_suggests_the_right_one(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    (cli_env / "audit.yaml").write_text(
        "data: campaign.csv\ny_true: subscribed\npositive_label: sub\n"
        "y_pred: selected\nsensitive_feature: [region]\n"
    )
    assert_bad_input(
        ["audit", "--config", "audit.yaml"],
        ["audit.yaml: unknown key(s) 'sensitive_feature'", "did you mean 'sensitive_features'"],
    )


def test_missing_config_file(assert_bad_input: Callable[..., str]) -> None:
    assert_bad_input(["audit", "--config", "nope.yaml"], ["nope.yaml", "No such file"])


@pytest.fixture
def default_policy_text() -> str:
    root = Path(__file__).resolve().parents[2]
    return (root / "policies" / "default.yaml").read_text()


def test_policy_with_unknown_check_id_suggests_the_nearest(
    assert_bad_input: Callable[..., str],
    campaign: tuple[Path, pd.DataFrame],
    cli_env: Path,
    default_policy_text: str,
) -> None:
    text = default_policy_text.replace("fairness.disparate_impact", "fairness.disparate_impakt")
    assert text != default_policy_text
    (cli_env / "policy.yaml").write_text(text)
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--policy", "policy.yaml"],
        ["policy.yaml:", "unknown check id 'fairness.disparate_impakt'",
         "did you mean fairness.disparate_impact"],
    )  # fmt: skip


def test_policy_yaml_syntax_error_gives_the_line(
    assert_bad_input: Callable[..., str],
    campaign: tuple[Path, pd.DataFrame],
    cli_env: Path,
    default_policy_text: str,
) -> None:
    text = default_policy_text.replace("  min_group_size: 30", "  min_group_size: 30: 40")
    line_no = text.splitlines().index("  min_group_size: 30: 40") + 1
    (cli_env / "policy.yaml").write_text(text)
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--policy", "policy.yaml"],
        [f"policy.yaml:{line_no}:", "invalid YAML", "mapping values are not allowed"],
    )  # fmt: skip


def test_missing_policy_file(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--policy", "nope.yaml"],
        ["nope.yaml"],
    )  # fmt: skip


def test_missing_data_file(assert_bad_input: Callable[..., str]) -> None:
    assert_bad_input(
        ["audit", "nowhere.csv", *CAMPAIGN, "--y-pred", "selected", "-s", "region"],
        ["cannot read 'nowhere.csv': no such file"],
    )


def test_folder_without_parquet_files_is_unreadable(
    assert_bad_input: Callable[..., str], cli_env: Path
) -> None:
    # tests run as root, so chmod 000 would not stop a read: a folder stands in for it
    (cli_env / "folder").mkdir()
    (cli_env / "folder" / "calls.csv").write_text("a,b\n1,2\n")
    assert_bad_input(
        ["audit", "folder", *CAMPAIGN, "--y-pred", "selected", "-s", "region"],
        ["cannot read 'folder'", "*.parquet"],
    )


def test_float_score_passed_as_y_pred(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "score", "-s", "region"],
        ["y_pred column 'score' is not binary", "looks like a score", "--threshold or --top-k"],
    )


def test_score_without_threshold_or_top_k(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--score", "score", "-s", "region"],
        ["'score' needs exactly one of threshold or top_k"],
    )


def test_both_y_pred_and_score(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "--score", "score",
         "--top-k", "0.2", "-s", "region"],
        ["exactly one decision"],
    )  # fmt: skip


@pytest.mark.parametrize("k", ["0", "1.5", "-3"])
def test_top_k_out_of_range(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame], k: str
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--score", "score", "--top-k", k, "-s", "region"],
        ["top_k must be a fraction in (0, 1) or a whole count >= 1", f"got {float(k)}"],
    )


@pytest.mark.parametrize(
    ("spec", "expect"),
    [
        ("age=50,30", ["bins for 'age' must be strictly increasing", "[50.0, 30.0]"]),
        ("age=20,x", ["bins of 'age' must be a number", "'x'"]),
        ("age", ["--bin 'age': expected COLUMN=EDGES"]),
        ("age=", ["--bin 'age=': expected COLUMN=EDGES"]),
        ("region=1,2", ["'region'", "binning needs a numeric column"]),
        ("income=1,2", ["--bin names income", "not among the --sensitive-feature columns"]),
    ],
)
def test_bad_bins(
    assert_bad_input: Callable[..., str],
    campaign: tuple[Path, pd.DataFrame],
    spec: str,
    expect: list[str],
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "age", "-s", "region",
         "--bin", spec],
        expect,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("ref", "expect"),
    [
        ("region", ["--reference-group 'region': expected FEATURE=GROUP"]),
        ("=a", ["--reference-group '=a': expected FEATURE=GROUP"]),
        ("region=zzz", ["reference group 'zzz' not found in feature 'region'", "a, b, c"]),
        ("country=fr", ["unknown feature 'country'", "'region'"]),
    ],
)
def test_bad_reference_group(
    assert_bad_input: Callable[..., str],
    campaign: tuple[Path, pd.DataFrame],
    ref: str,
    expect: list[str],
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--reference-group", ref],
        expect,
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["pdf", "json,pdf", ","])
def test_unknown_format(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame], fmt: str
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--format", fmt],
        ["--format: unknown report format", "json, html, md, junit"],
    )  # fmt: skip


def test_negative_min_group_size(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--min-group-size", "-1"],
        ["min_group_size must be a whole number >= 0, got -1"],
    )  # fmt: skip


def test_unknown_intersections_value(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--intersections", "triples"],
        ["--intersections: unknown value 'triples'", "pairs, all, none"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("drop", "flag"),
    [(0, "--y-true"), (2, "--positive-label")],
)
def test_missing_required_flag(
    assert_bad_input: Callable[..., str],
    campaign: tuple[Path, pd.DataFrame],
    drop: int,
    flag: str,
) -> None:
    flags = [x for i, x in enumerate(CAMPAIGN) if i not in (drop, drop + 1)]
    assert_bad_input(
        ["audit", campaign[0], *flags, "--y-pred", "selected", "-s", "region"],
        [f"missing {flag}"],
    )


def test_missing_decision_and_everything_missing_at_once(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "-s", "region"],
        ["missing a decision (--y-pred, or --score with --threshold or --top-k)"],
    )
    assert_bad_input(
        ["audit", campaign[0]],
        ["missing --y-true, --positive-label, --sensitive-feature, a decision"],
    )


def test_audit_without_arguments_shows_its_help(invoke: Callable[..., Any]) -> None:
    result = invoke("audit")
    assert result.exit_code == 2
    assert "Usage: fairmark audit" in result.output
    assert "Traceback" not in result.output


def test_no_data_and_no_sensitive_feature(assert_bad_input: Callable[..., str]) -> None:
    assert_bad_input(["audit", *CAMPAIGN, "--y-pred", "selected", "-s", "region"],
                     ["no data given"])
    assert_bad_input(["audit", "x.csv", *CAMPAIGN, "--y-pred", "selected"],
                     ["missing --sensitive-feature"])


@pytest.mark.parametrize(
    ("url", "expect"),
    [
        ("foo://nowhere", ["cannot open run store", "unsupported backend 'foo'"]),
        ("not a url", ["cannot open run store", "not a database URL"]),
        ("sqlite:///campaign.csv/runs.db", ["cannot open run store"]),
    ],
)
def test_unusable_store_writes_nothing(
    assert_bad_input: Callable[..., str],
    campaign: tuple[Path, pd.DataFrame],
    url: str,
    expect: list[str],
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--db-url", url],
        expect,
    )  # fmt: skip


def test_unusable_store_leaves_an_existing_output_folder_and_new_parents_alone(
    invoke: Callable[..., Any],
    error_line: Callable[[Any], str],
    stored_runs: Callable[[], list[dict[str, Any]]],
    campaign: tuple[Path, pd.DataFrame],
    cli_env: Path,
) -> None:
    old = cli_env / "old"
    old.mkdir()
    (old / "report.json").write_text('{"old": true}')
    (old / "notes.txt").write_text("keep me")
    args = ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
            "--db-url", "foo://nowhere"]  # fmt: skip
    error_line(invoke(*args, "--out", "old"))
    assert sorted(p.name for p in old.iterdir()) == ["notes.txt", "report.json"]
    assert (old / "report.json").read_text() == '{"old": true}'
    error_line(invoke(*args, "--out", "new/deeper/out"))
    assert not (cli_env / "new").exists()
    assert not list(cli_env.glob(".fairmark-staging-*"))
    assert stored_runs() == []


def test_output_path_that_is_a_file(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--out", "campaign.csv/reports"],
        ["cannot write reports to 'campaign.csv/reports'", "'campaign.csv' is a file"],
        out=False,
    )  # fmt: skip


def test_output_path_the_file_system_refuses(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    name = "r" * 300  # longer than any file name allowed (255 bytes on Linux file systems)
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
         "--out", f"out/{name}"],
        ["cannot write reports to 'out/rrr", "File name too long", "expected a writable folder"],
        out=False,  # the long name is the --out; the check still sees no 'out' folder
    )  # fmt: skip


def test_error_text_with_brackets_is_printed_literally(
    assert_bad_input: Callable[..., str], campaign: tuple[Path, pd.DataFrame]
) -> None:
    # a column named like Rich markup must not vanish from the message
    assert_bad_input(
        ["audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "[bold]"],
        ["'[bold]' not found"],
    )


# --------------------------------------------------------------------------- success


@pytest.fixture(scope="module")
def bank_run(bank_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The README's flags-only audit of the Bank CSV, run once for the module."""
    work = tmp_path_factory.mktemp("bank")
    db_url = f"sqlite:///{work / 'store.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        mp.setenv("FAIRMARK_DB_URL", db_url)
        mp.setenv("COLUMNS", "200")
        result = CliRunner().invoke(
            app, ["audit", str(bank_csv), *BANK_FLAGS, "--score-kind", "score", "--out", "out"]
        )
    assert result.exit_code in (0, 1), result.output
    doc = json.loads((work / "out" / "report.json").read_text())
    return {"work": work, "db_url": db_url, "result": result, "doc": doc}


@pytest.mark.slow
def test_readme_command_works_with_flags_alone(
    invoke: Callable[..., Any], bank_csv: Path, cli_env: Path
) -> None:
    """The issue's acceptance command, verbatim: no --score-kind (euribor3m is no probability)."""
    result = invoke("audit", bank_csv, *BANK_FLAGS, "--out", "out", "--format", "json")
    assert result.exit_code in (0, 1), (
        "the README/issue command must work with flags alone; got: " + result.output
    )
    doc = json.loads((cli_env / "out" / "report.json").read_text())
    assert result.exit_code == EXIT[doc["verdict"]]


@pytest.mark.slow
def test_bank_flags_alone_exit_code_matches_the_verdict(bank_run: dict[str, Any]) -> None:
    result, doc = bank_run["result"], bank_run["doc"]
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == EXIT[doc["verdict"]], result.output
    assert result.exit_code in (0, 1)
    assert result.stderr == ""
    assert {p.name for p in (bank_run["work"] / "out").iterdir()} == ALL_FILES
    assert f"Verdict: {doc['verdict'].upper()}" in result.stdout
    assert f"run {doc['run_id']} recorded" in result.stdout
    assert doc["summary"]["n_rows"] == 41188


@pytest.mark.slow
def test_bank_numbers_match_pandas(bank_run: dict[str, Any], bank_csv: Path) -> None:
    doc = bank_run["doc"]
    frame = pd.read_csv(bank_csv, sep=";")
    n = len(frame)
    k = math.ceil(0.2 * n)
    threshold = frame["euribor3m"].sort_values(ascending=False).iloc[k - 1]
    selected = frame["euribor3m"] >= threshold  # ties with the k-th score are all selected
    positive = frame["y"] == "yes"
    assert doc["summary"]["selected_threshold"] == pytest.approx(threshold)
    assert doc["summary"]["n_selected"] == int(selected.sum())

    bands = pd.cut(frame["age"], [-math.inf, 25, 35, 45, 55, 65, math.inf], right=False,
                   labels=["<25", "25-34", "35-44", "45-54", "55-64", "65+"])  # fmt: skip
    for feature, by in (("marital", frame["marital"]), ("age_band", bands.astype(str))):
        expected = _pandas_rates(frame, by, selected, positive)
        got = _groups(doc, feature)
        assert set(got) == set(expected.index)
        for group, row in expected.iterrows():
            g = got[str(group)]
            assert g["n"] == row["n"]
            if g["suppressed"]:
                continue
            assert g["selection_rate"]["value"] == pytest.approx(row["selection_rate"])
            assert g["tpr"]["value"] == pytest.approx(row["tpr"])


@pytest.mark.slow
def test_bank_run_is_listed_and_shown(bank_run: dict[str, Any]) -> None:
    runner = CliRunner()
    doc, url = bank_run["doc"], bank_run["db_url"]
    listed = runner.invoke(app, ["runs", "list", "--format", "json", "--db-url", url])
    runs = json.loads(listed.stdout)
    assert [(r["run_id"], r["verdict"]) for r in runs] == [(doc["run_id"], doc["verdict"])]
    assert runs[0]["data_fingerprint"] == doc["data_fingerprint"]["value"]
    shown = runner.invoke(app, ["runs", "show", doc["run_id"][:8], "--db-url", url,
                                "--format", "json"])  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["groups"] == doc["groups"]


@pytest.mark.slow
def test_config_file_gives_the_same_audit_as_the_flags(
    bank_run: dict[str, Any], bank_csv: Path, invoke: Callable[..., Any], cli_env: Path
) -> None:
    (cli_env / "audit.yaml").write_text(
        f"data: {bank_csv}\n"
        "y_true: y\n"
        'positive_label: "yes"\n'
        "score: euribor3m\n"
        "top_k: 0.2\n"
        "score_kind: score\n"
        "sensitive_features:\n"
        "  - {column: age, bins: age}\n"
        "  - marital\n"
        "out: reports\n"
        "format: [json]\n"
    )
    result = invoke("audit", "--config", "audit.yaml")
    assert {p.name for p in (cli_env / "reports").iterdir()} == {"report.json"}
    doc = json.loads((cli_env / "reports" / "report.json").read_text())
    flags_doc = bank_run["doc"]
    assert result.exit_code == bank_run["result"].exit_code == EXIT[doc["verdict"]]
    assert doc["verdict"] == flags_doc["verdict"]
    assert doc["data_fingerprint"] == flags_doc["data_fingerprint"]
    assert doc["groups"] == flags_doc["groups"]
    assert doc["disparities"] == flags_doc["disparities"]
    assert [f["verdict"] for f in doc["findings"]] == [f["verdict"] for f in flags_doc["findings"]]


def test_flags_override_the_config_decision(
    invoke: Callable[..., Any], campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    (cli_env / "audit.yaml").write_text(
        "data: campaign.csv\ny_true: subscribed\npositive_label: sub\n"
        "score: score\ntop_k: 0.5\nsensitive_features: [region]\n"
    )
    result = invoke("audit", "--config", "audit.yaml", "--y-pred", "selected", "--out", "o",
                    "--format", "json")  # fmt: skip
    doc = json.loads((cli_env / "o" / "report.json").read_text())
    assert result.exit_code == EXIT[doc["verdict"]], result.output
    assert doc["spec"]["y_pred"] == "selected" and doc["spec"]["score"] is None


def test_boolean_label_given_as_true(
    invoke: Callable[..., Any], campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    path, frame = campaign
    result = invoke("audit", path, "--y-true", "converted", "--positive-label", "true",
                    "--y-pred", "selected", "-s", "region", "--out", "o",
                    "--format", "json")  # fmt: skip
    doc = json.loads((cli_env / "o" / "report.json").read_text())
    assert result.exit_code == EXIT[doc["verdict"]], result.output
    expected = _pandas_rates(frame, frame["region"], frame["selected"], frame["converted"])
    for group, g in _groups(doc, "region").items():
        assert g["n"] == expected.loc[group, "n"]
        assert g["tpr"]["value"] == pytest.approx(expected.loc[group, "tpr"])


def test_numeric_label_on_an_integer_column(
    invoke: Callable[..., Any], campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    path, frame = campaign
    result = invoke("audit", path, "--y-true", "outcome", "--positive-label", "1",
                    "--score", "score", "--threshold", "0.6", "-s", "region",
                    "--out", "o", "--format", "json")  # fmt: skip
    doc = json.loads((cli_env / "o" / "report.json").read_text())
    assert result.exit_code == EXIT[doc["verdict"]], result.output
    expected = _pandas_rates(frame, frame["region"], frame["score"] >= 0.6, frame["outcome"] == 1)
    for group, g in _groups(doc, "region").items():
        assert g["selection_rate"]["value"] == pytest.approx(expected.loc[group, "selection_rate"])
        assert g["tpr"]["value"] == pytest.approx(expected.loc[group, "tpr"])


def test_format_json_md_writes_only_those(
    invoke: Callable[..., Any], campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    result = invoke("audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
                    "--out", "o", "--format", "json,md")  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert {p.name for p in (cli_env / "o").iterdir()} == {"report.json", "report.md"}


def test_quiet_and_no_record(
    invoke: Callable[..., Any],
    stored_runs: Callable[[], list[dict[str, Any]]],
    campaign: tuple[Path, pd.DataFrame],
    cli_env: Path,
) -> None:
    result = invoke("audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
                    "--out", "o", "--format", "json", "--quiet", "--no-record")  # fmt: skip
    doc = json.loads((cli_env / "o" / "report.json").read_text())
    assert result.stdout == f"{doc['verdict']} {doc['run_id']}\n"
    assert stored_runs() == []


def test_default_output_folder(
    invoke: Callable[..., Any], campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    result = invoke("audit", campaign[0], *CAMPAIGN, "--y-pred", "selected", "-s", "region",
                    "--format", "json")  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert (cli_env / "fairmark-report" / "report.json").is_file()


def test_version(invoke: Callable[..., Any]) -> None:
    from fairmark import __version__

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"fairmark {__version__}\n"


@pytest.mark.parametrize("command", [[], ["audit"], ["demo"], ["policy"], ["policy", "lint"],
                                     ["runs"], ["runs", "list"], ["runs", "show"]])  # fmt: skip
def test_every_help_works(invoke: Callable[..., Any], command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage: fairmark" in result.stdout


def test_audit_help_shows_defaults_and_example(invoke: Callable[..., Any]) -> None:
    text = " ".join(invoke("audit", "--help").stdout.split())
    for expected in ("Default: pairs.", "Default: 1000.", "Default: ./fairmark-report.",
                     "Example: fairmark audit calls.csv"):  # fmt: skip
        assert expected in text


# --------------------------------------------------------------------------- real process


def _console_script() -> Path:
    script = Path(sys.executable).parent / "fairmark"
    assert script.is_file(), f"console script {script} missing: install the package (pip -e .)"
    return script


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FAIRMARK_DB_URL": f"sqlite:///{cwd / 'store.db'}"}
    env.pop("FAIRMARK_DEBUG", None)
    return subprocess.run(
        [str(_console_script()), *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_console_script_bad_input_is_one_line_and_exit_2(
    campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    proc = _run(["audit", "campaign.csv", *CAMPAIGN, "--y-pred", "selected", "-s", "regio",
                 "--out", "out"], cli_env)  # fmt: skip
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.count("\n") == 1 and proc.stderr.endswith("\n")
    assert proc.stderr.startswith("error: column 'regio' not found; available columns: ")
    assert proc.stdout == ""
    assert not (cli_env / "out").exists()


@pytest.mark.slow
def test_console_script_success_exit_code_is_the_verdicts(
    campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> None:
    proc = _run(["audit", "campaign.csv", *CAMPAIGN, "--y-pred", "selected", "-s", "region",
                 "--out", "out", "--format", "json", "-q"], cli_env)  # fmt: skip
    doc = json.loads((cli_env / "out" / "report.json").read_text())
    assert proc.returncode == EXIT[doc["verdict"]], proc.stderr
    assert proc.stdout.split() == [doc["verdict"], doc["run_id"]]
    assert proc.stderr == ""
    version = _run(["--version"], cli_env)
    assert version.returncode == 0 and version.stdout.startswith("fairmark ")
