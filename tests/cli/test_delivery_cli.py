"""``fairmark delivery`` as a new user meets it (mounted on a local Typer app until the lead
wires it into ``fairmark.cli.main``). Numbers are checked against pandas on the same file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from fairmark.cli.delivery import EPILOG, delivery_command

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.command("delivery", epilog=EPILOG)(delivery_command)


@app.callback()
def _root() -> None:
    """Test app with the delivery command."""


def run(*args: object):
    return CliRunner().invoke(app, ["delivery", *[str(a) for a in args]])


@pytest.fixture
def impressions(cli_env: Path) -> tuple[Path, pd.DataFrame]:
    """One row per person and ad; ad 'job_a' is shown mostly to men."""
    rng = np.random.default_rng(5)
    n = 800
    df = pd.DataFrame(
        {
            "user_id": np.tile(np.arange(n // 2), 2),
            "ad_id": np.repeat(["job_a", "job_b"], n // 2),
            "gender": np.tile(rng.choice(["woman", "man"], n // 2), 2),
            "eligible": True,
        }
    )
    rate = np.where((df["ad_id"] == "job_a") & (df["gender"] == "man"), 0.8, 0.3)
    df["impressions"] = rng.binomial(3, rate)
    path = cli_env / "impressions.csv"
    df.to_csv(path, index=False)
    return path, df


FLAGS = ["--group", "gender", "--eligible", "eligible", "--delivered", "impressions"]


def test_json_document_matches_pandas(impressions):
    path, df = impressions
    result = run(
        path,
        *FLAGS,
        "--ad",
        "ad_id",
        "--person-id",
        "user_id",
        "--pair",
        "job_a,job_b",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["kind"] == "delivery" and doc["summary"]["views"] == ["impressions", "reach"]
    reached = {}
    for ad, part in df.groupby("ad_id"):
        q = part["gender"].value_counts(normalize=True)
        imp = part.groupby("gender")["impressions"].sum()
        reach = part[part["impressions"] > 0]["gender"].value_counts()
        reached[ad] = reach / reach.sum()
        for view, counts in (("impressions", imp), ("reach", reach)):
            p = counts / counts.sum()
            a = next(x for x in doc["ads"] if x["ad"] == ad and x["view"] == view)
            assert a["tvd"] == pytest.approx(0.5 * (p - q).abs().sum(), abs=1e-12)
    (pair,) = [p for p in doc["pairs"] if p["view"] == "reach"]
    assert pair["eligible_tvd"] == 0.0
    expected = 0.5 * (reached["job_a"] - reached["job_b"]).abs().sum()
    assert pair["delivered_tvd"] == pytest.approx(expected, abs=1e-12)


def test_text_output_and_a_failing_policy(impressions, cli_env):
    path, _ = impressions
    policy = cli_env / "p.yaml"
    policy.write_text(
        "id: ads\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\nrules:\n"
        "  - id: skew\n    check: fairness.delivery_skew\n    max: 0.1\n"
        "    severity: block\n    principle: fairness\n    rationale: equal reach\n"
    )
    result = run(path, *FLAGS, "--ad", "ad_id", "--policy", policy)
    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())  # tables and messages may wrap
    assert "Delivery skew per ad" in text and "Verdict: FAIL" in text
    assert "ad 'job_a'" in text
    result = run(path, *FLAGS, "--ad", "ad_id", "--interval", "agresti_coull")
    text = " ".join(result.stdout.split())
    # the built-in policy warns (never blocks) on a total variation distance above 0.1
    assert result.exit_code == 0 and "Verdict: WARN" in text and "ad-delivery-skew" in text


def test_two_files(cli_env):
    (cli_env / "eligible.csv").write_text("gender,people\nwoman,500\nman,500\n")
    (cli_env / "reach.csv").write_text("gender,reached\nwoman,100\nman,900\n")
    result = run(
        cli_env / "eligible.csv",
        "--group",
        "gender",
        "--eligible",
        "people",
        "--delivered",
        "reached",
        "--delivered-data",
        cli_env / "reach.csv",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ads"][0]["tvd"] == pytest.approx(0.4)
    result = run(
        cli_env / "eligible.csv",
        "--group",
        "gender",
        "--eligible",
        "people",
        "--delivered",
        "reached",
        "--delivered-data",
        cli_env / "reach.csv",
        "--delivered-kind",
        "reach",
    )
    assert result.exit_code == 2
    assert "unique reach of group 'man' is 900 people, larger than its eligible" in result.stderr


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--group", "sex"], "group column 'sex' not found"),
        (["--ad", "ad_id", "--pair", "job_a"], "--pair 'job_a': expected two ad ids"),
        (["--ad", "ad_id", "--pair", "job_a,job_z"], "paired ad 'job_z' not found"),
        (["--pair", "job_a,job_b"], "give the ad column"),
        (["--delivered-kind", "clicks"], "--delivered-kind: unknown value 'clicks'"),
        (["--format", "html"], "--format: unknown value 'html'"),
        (["--delivered", "gender"], "delivered column 'gender' has type string"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(impressions, error_line, extra, needle):
    path, _ = impressions
    flags = list(FLAGS)
    for i in range(0, len(extra) - 1, 2):
        if extra[i] in flags:
            flags[flags.index(extra[i]) + 1] = extra[i + 1]
            extra = extra[:i] + extra[i + 2 :]
            break
    assert needle in error_line(run(path, *flags, *extra))


def test_missing_file(cli_env, error_line):
    assert "no such file" in error_line(run(cli_env / "nope.csv", *FLAGS))


def test_out_writes_the_four_reports(impressions, cli_env):
    path, _ = impressions
    result = run(path, *FLAGS, "--ad", "ad_id", "--out", cli_env / "rep", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    out = cli_env / "rep"
    assert {p.name for p in out.iterdir()} == {
        "report.json", "report.html", "report.md", "junit.xml",
    }  # fmt: skip
    written = json.loads((out / "report.json").read_text())
    assert written["kind"] == "delivery"
    assert written == json.loads(result.stdout)  # the file is the document the API returns
    assert "job_a" in (out / "report.html").read_text()
