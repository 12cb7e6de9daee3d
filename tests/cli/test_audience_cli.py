"""``fairmark audience prepare`` as a marketer would run it, on the command's own Typer app."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner, Result

from fairmark.cli.audience import app
from fairmark.privacy.audience.result import SCHEMA_PATH

from .conftest import one_error_line


def run(*args: Any) -> Result:
    return CliRunner().invoke(app, ["prepare", *[str(a) for a in args]])


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def customers(cli_env: Path) -> Path:
    """240 customers with UK national phone numbers, one bad e-mail, one duplicate."""
    path = cli_env / "customers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Customer ID", "E-mail", "Mobile", "First Name"])
        for i in range(238):
            writer.writerow([f"c{i}", f"Customer{i}@Example.com", f"020 7946 {i:04d}", "Ann"])
        writer.writerow(["c238", "not an email", "", "Bo"])
        writer.writerow(["c239", "customer0@example.com", "+44 20 7946 0000", "ann"])
    return path


def bad_input(args: list[Any], expect: list[str], cwd: Path) -> str:
    """Exit 2, one stderr line naming what is wrong, nothing written."""
    before = sorted(os.listdir(cwd))
    line = one_error_line(run(*args))
    for text in expect:
        assert text in line, (text, line)
    assert sorted(os.listdir(cwd)) == before
    return line


def test_prepare_writes_the_upload_file(customers: Path, cli_env: Path) -> None:
    result = run(customers, "--platform", "google", "--region", "GB", "--out", "google.csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader((cli_env / "google.csv").open(encoding="utf-8")))
    assert rows[0] == ["Email", "Phone", "First Name"]
    assert len(rows) == 1 + 238  # the duplicate and the bad row are left out
    assert [sha("customer0@example.com"), sha("+442079460000"), sha("ann")] in rows
    assert "Verdict: PASS" in result.stdout and "wrote google.csv" in result.stdout
    assert "email_whitespace" in result.stdout  # "not an email" has spaces
    assert "Customer ID (not an identifier field)" in result.stdout
    assert "Customer1@Example.com" not in result.stdout


def test_json_format_and_report(customers: Path, cli_env: Path) -> None:
    args = ["--platform", "meta", "--region", "GB", "--out", "meta.csv", "--format", "json"]
    result = run(customers, *args, "--report", "audience.json", "--name", "Debt advice")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(doc)
    assert doc == json.loads((cli_env / "audience.json").read_text())
    assert doc["counts"]["unique_rows"] == 238 and doc["counts"]["duplicates"] == 1
    assert doc["output"] == {
        "written": True,
        "path": "meta.csv",
        "columns": ["email", "phone", "fn"],
    }
    assert doc["lint"][0]["category"] == "financial_status"
    assert [r["row"] for r in doc["rejections"]["shown"]] == [239, 239]


def test_without_region_national_numbers_are_reported(customers: Path, cli_env: Path) -> None:
    result = run(customers, "--platform", "x", "--out", "x.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    counts = {(r["field"], r["reason"]): r["count"] for r in doc["rejections"]["by_reason"]}
    assert counts[("phone", "phone_needs_region")] == 238
    rows = list(csv.reader((cli_env / "x.csv").open(encoding="utf-8")))
    assert {r[1] for r in rows[1:]} == {"", sha("442079460000")}


def test_refused_below_the_platform_minimum(customers: Path, cli_env: Path) -> None:
    before = sorted(os.listdir(cli_env))
    result = run(customers, "--platform", "tiktok", "--region", "GB", "--out", "tiktok.csv")
    assert result.exit_code == 1, result.output
    assert "nothing written" in result.stdout and "Verdict: FAIL" in result.stdout
    assert "tiktok's minimum of 1,000" in result.stdout
    assert sorted(os.listdir(cli_env)) == before
    lenient = run(
        customers,
        "--platform",
        "tiktok",
        "--region",
        "GB",
        "--out",
        "tiktok.csv",
        "--assumed-match-rate",
        "1",
        "--min-size",
        "100",
    )
    assert lenient.exit_code == 0, lenient.output
    assert (cli_env / "tiktok.csv").exists()


def test_policy_file_sets_the_minimum(customers: Path, cli_env: Path) -> None:
    policy = cli_env / "policy.yaml"
    policy.write_text(
        "id: audience-test\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\n"
        "settings:\n  audience:\n    assumed_match_rate: 0.1\n    min_size:\n      google: 30\n"
        "rules:\n  - id: four-fifths\n    check: fairness.disparate_impact\n    min: 0.8\n"
        "    severity: block\n    principle: fairness\n    rationale: not judged here\n",
        encoding="utf-8",
    )
    refused = run(
        customers,
        "--platform",
        "google",
        "--region",
        "GB",
        "--out",
        "g.csv",
        "--policy",
        policy,
        "--format",
        "json",
    )
    assert refused.exit_code == 1
    doc = json.loads(refused.stdout)
    assert doc["size"] == {
        "assumed_match_rate": 0.1,
        "expected_matched_size": pytest.approx(23.8),
        "platform_minimum": 30,
        "ratio": pytest.approx(23.8 / 30),
        "message": "refused: 238 valid rows × assumed match rate 0.1 = 23.8 expected matched "
        "people, below google's minimum of 30 (privacy.min_audience_size)",
    }
    assert doc["policy"]["id"] == "audience-test"
    assert [r["rule_id"] for r in doc["rules"]] == ["audience-platform-minimum"]


def test_sensitive_audience_name_is_a_warning_not_a_pass(
    customers: Path, cli_env: Path
) -> None:
    """QA #9: lint findings on the name turn PASS into WARN; the file is still written."""
    args = ["--platform", "google", "--region", "GB", "--out", "g.csv"]
    result = run(customers, *args, "--name", "Diabetes patients with debt")
    assert result.exit_code == 0, result.output
    assert "Verdict: WARN" in result.stdout and "Verdict: PASS" not in result.stdout
    assert (cli_env / "g.csv").exists()
    doc = json.loads(run(customers, *args, "--name", "Debt", "--format", "json").stdout)
    assert doc["verdict"] == "warn"
    clean = run(customers, *args, "--name", "Spring newsletter")
    assert "Verdict: PASS" in clean.stdout


def test_refusal_message_reads_plainly(cli_env: Path) -> None:
    """QA #10: 1 row × 0.5 = 0.5 expected people, never shown as 0 or 0.00."""
    one = cli_env / "one.csv"
    one.write_text("email\nann@example.com\n", encoding="utf-8")
    result = run(one, "--platform", "google", "--out", "g.csv")
    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())
    assert (
        "refused: 1 valid row × assumed match rate 0.5 = 0.5 expected matched people, "
        "below google's minimum of 100 (privacy.min_audience_size)"
    ) in text
    assert "0.00" not in text and "Min audience size" not in text


def test_unknown_platform(customers: Path, cli_env: Path) -> None:
    bad_input(
        [customers, "--platform", "facebook", "--out", "o.csv"],
        ["unknown platform 'facebook'", "meta, google, tiktok, x, linkedin"],
        cli_env,
    )


def test_header_without_identifier(cli_env: Path) -> None:
    path = cli_env / "ids.csv"
    path.write_text("customer_id,score\n1,0.5\n", encoding="utf-8")
    bad_input(
        [path, "--platform", "meta", "--out", "o.csv"],
        ["no identifier column", "'customer_id', 'score'", "email, phone, fn"],
        cli_env,
    )


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        (["--region", "XX"], ["unknown region 'XX'"]),
        (["--format", "html"], ["--format", "table, json"]),
        (["--assumed-match-rate", "0"], ["(0, 1]"]),
        (["--min-size", "0"], ["whole number >= 1"]),
        (["--report", "missing/r.json"], ["--report"]),
    ],
)
def test_bad_options(customers: Path, cli_env: Path, extra: list[str], expect: list[str]) -> None:
    bad_input([customers, "--platform", "meta", "--out", "o.csv", *extra], expect, cli_env)


def test_missing_required_options(customers: Path, cli_env: Path) -> None:
    bad_input([customers, "--out", "o.csv"], ["missing --platform", "meta, google"], cli_env)
    bad_input([customers, "--platform", "meta"], ["missing --out"], cli_env)


def test_missing_list_and_missing_out_folder(cli_env: Path, customers: Path) -> None:
    bad_input(
        [cli_env / "nope.csv", "--platform", "meta", "--out", "o.csv"],
        ["nope.csv", "no such file"],
        cli_env,
    )
    bad_input(
        [customers, "--platform", "meta", "--out", "missing/o.csv"], ["does not exist"], cli_env
    )
