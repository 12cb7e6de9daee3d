"""``fairmark dsr``: the commands end to end, and every bad input as one line with exit 2.

Runs the ``dsr`` Typer app itself (the lead registers it as ``fairmark dsr``) in an
isolated folder whose store is ``$FAIRMARK_DB_URL`` (fixture ``cli_env``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner, Result

from fairmark.cli.dsr import app

SUBJECT = "cust-42"


@pytest.fixture
def dsr(cli_env: Path) -> Callable[..., Result]:
    """Run ``fairmark dsr ARGS…`` in-process in the isolated folder."""
    runner = CliRunner()

    def run(*args: Any) -> Result:
        return runner.invoke(app, [str(a) for a in args])

    return run


@pytest.fixture
def crm(cli_env: Path) -> Path:
    path = cli_env / "crm.db"
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE customers (customer_id TEXT, email TEXT)")
        con.executemany("INSERT INTO customers VALUES (?, ?)",
                        [(SUBJECT, "ann@example.org"), ("cust-7", "bob@example.org")])
    con.close()
    return path


@pytest.fixture
def events(cli_env: Path) -> Path:
    path = cli_env / "events.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE events (cid VARCHAR, kind VARCHAR)")
    con.execute("INSERT INTO events VALUES (?, 'open'), (?, 'click'), ('cust-7', 'open')",
                [SUBJECT, SUBJECT])
    con.close()
    return path


@pytest.fixture
def registered(dsr: Callable[..., Result], crm: Path, events: Path) -> Callable[..., Result]:
    for args in (
        ("crm", "--url", "sqlite:///crm.db", "--table", "customers",
         "--subject-column", "customer_id"),
        ("events", "--url", "duckdb:///events.duckdb", "--table", "events",
         "--subject-column", "cid"),
    ):
        result = dsr("source", "add", *args)
        assert result.exit_code == 0, result.output
    return dsr


def _count(path: Path, subject: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM customers WHERE customer_id = ?",
                           [subject]).fetchone()[0]
    finally:
        con.close()


def test_source_add_list_remove(registered: Callable[..., Result]):
    listed = registered("source", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    document = json.loads(listed.stdout)
    assert document["kind"] == "dsr_sources"
    assert [(s["name"], s["engine"], s["table"]) for s in document["sources"]] == [
        ("crm", "sqlite", "customers"), ("events", "duckdb", "events")
    ]
    text = registered("source", "list")
    assert "crm" in text.stdout and "duckdb" in text.stdout
    removed = registered("source", "remove", "events")
    assert removed.exit_code == 0 and "Removed source events" in removed.stdout
    again = json.loads(registered("source", "list", "--format", "json").stdout)
    assert [s["name"] for s in again["sources"]] == ["crm"]


def test_password_is_never_printed(dsr: Callable[..., Result]):
    result = dsr("source", "add", "pg", "--url", "postgresql://app:hunter2@db.invalid/crm",
                 "--table", "customers", "--subject-column", "id", "--no-check")
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output and "app:***@db.invalid" in result.output
    assert "hunter2" not in dsr("source", "list", "--format", "json").stdout


def test_verify_access_erase_and_the_request_log(
    registered: Callable[..., Result], cli_env: Path, crm: Path
):
    access = registered("access", SUBJECT, "--out", "export")
    assert access.exit_code == 0, access.output
    assert "crm: 1 records -> crm.json" in access.stdout
    assert "events: 2 records -> events.json" in access.stdout
    manifest = json.loads((cli_env / "export" / "manifest.json").read_text(encoding="utf-8"))
    assert [(s["name"], s["n_records"]) for s in manifest["sources"]] == [
        ("crm", 1), ("events", 2)
    ]

    dry = registered("erase", SUBJECT)
    assert dry.exit_code == 0, dry.output
    assert "dry run, nothing changed" in dry.stdout
    assert "crm: 1 rows found; would be deleted" in dry.stdout
    assert "'fairmark dsr verify SUBJECT --method M --by NAME'" in dry.stdout
    assert _count(crm, SUBJECT) == 1

    verified = registered("verify", SUBJECT, "--method", "account_login", "--by", "Dana")
    assert verified.exit_code == 0, verified.output
    erased = registered("erase", SUBJECT, "--execute", "--format", "json")
    assert erased.exit_code == 0, erased.output
    document = json.loads(erased.stdout)
    assert document["kind"] == "dsr" and document["request"] == "erasure"
    assert document["summary"]["rows_deleted"] == 3
    assert [o["verified"] for o in document["outcomes"]] == [True, True]
    assert _count(crm, SUBJECT) == 0 and _count(crm, "cust-7") == 1

    log = json.loads(registered("requests", "list", "--format", "json").stdout)
    assert [(r["request"], r["dry_run"], r["rows_deleted"]) for r in log["requests"]] == [
        ("erasure", False, 3), ("erasure", True, 0), ("access", False, 0)
    ]
    text = registered("requests", "list", "--subject", SUBJECT)
    assert text.exit_code == 0 and text.stdout.count("ok") == 3
    assert SUBJECT not in text.stdout  # subjects appear by reference only


def test_a_failing_source_gives_exit_code_1_and_the_others_are_processed(
    registered: Callable[..., Result], crm: Path
):
    added = registered("source", "add", "gone", "--url", "sqlite:///missing.db", "--table",
                       "t", "--subject-column", "c", "--no-check")
    assert added.exit_code == 0, added.output
    registered("verify", SUBJECT, "--method", "account_login", "--by", "Dana")
    result = registered("erase", SUBJECT, "--execute")
    assert result.exit_code == 1, result.output
    assert "gone: FAILED: cannot open sqlite:///" in result.stdout
    assert "crm: 1 rows found, 1 deleted, 0 remain; verified" in result.stdout
    assert result.stderr.strip() == (
        "failed: 1 of 3 sources (gone); the others were processed"
    )
    assert _count(crm, SUBJECT) == 0


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (("source", "add", "crm", "--table", "customers", "--subject-column", "c"),
         "--url is required"),
        (("source", "add", "Bad Name", "--url", "sqlite:///crm.db", "--table", "customers",
          "--subject-column", "customer_id"), "source name 'Bad Name' is not valid"),
        (("source", "add", "manifest", "--url", "sqlite:///crm.db", "--table", "customers",
          "--subject-column", "customer_id"), "is reserved"),
        (("source", "add", "x", "--url", "mysql://u@h/db", "--table", "t",
          "--subject-column", "c"), "unsupported database 'mysql'"),
        (("source", "add", "x", "--url", "sqlite:///nope.db", "--table", "t",
          "--subject-column", "c"), "no such file"),
        (("source", "add", "x", "--url", "sqlite:///crm.db", "--table", "customers",
          "--subject-column", "nope"), "has no column 'nope'"),
        (("source", "add", "x", "--url", "sqlite:///crm.db", "--table", "a.b.c",
          "--subject-column", "c"), "is not TABLE or SCHEMA.TABLE"),
        (("source", "add", "x", "--url", "sqlite:///crm.db", "--table", "customers",
          "--subject-column", "customer_id", "--master-key-env", "K"),
         "--master-key-env is only for encrypted sources"),
        (("source", "add", "x", "--url", "sqlite:///crm.db", "--table", "customers",
          "--subject-column", "customer_id", "--encrypted", "email"),
         "needs the master key either as --master-key-env VAR or as --master-key FILE"),
        (("source", "add", "x", "--url", "sqlite:///crm.db", "--table", "customers",
          "--subject-column", "customer_id", "--encrypted", "customer_id",
          "--master-key-env", "K"), "is also in --encrypted"),
        (("source", "add", "x", "--url", "sqlite:///crm.db", "--table", "customers",
          "--subject-column", "customer_id", "--encrypted", "email",
          "--master-key-env", "FM_UNSET_KEY_VAR"), "'FM_UNSET_KEY_VAR' is not set"),
        (("source", "remove", "nope"), "no source named 'nope'; registered sources: none"),
        (("source", "list", "--format", "xml"), "--format: unknown value 'xml'"),
        (("verify", SUBJECT, "--by", "Dana"), "--method is required"),
        (("verify", SUBJECT, "--method", "m"), "--by is required"),
        (("verify", SUBJECT, "--method", "m", "--by", "D", "--status", "maybe"),
         "--status: unknown value 'maybe'"),
        (("verify", " ", "--method", "m", "--by", "D"), "SUBJECT is blank"),
        (("access", SUBJECT), "--out is required"),
        (("access", SUBJECT, "--out", "export"), "no data sources registered"),
        (("erase", SUBJECT), "no data sources registered"),
        (("erase", SUBJECT, "--received-at", "yesterday"), "--received-at 'yesterday' is not"),
        (("erase", SUBJECT, "--received-at", "2999-01-01"), "is in the future"),
        (("erase", SUBJECT, "--verification-max-age", "0"), "--verification-max-age is 0"),
        (("requests", "list", "--limit", "0"), "--limit is 0"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    dsr: Callable[..., Result], crm: Path, cli_env: Path, error_line: Callable[[Result], str],
    args: tuple[str, ...], expect: str,
):
    before = sorted(os.listdir(cli_env))
    line = error_line(dsr(*args))
    assert expect in line, line
    after = sorted(os.listdir(cli_env))
    assert [p for p in after if p not in before and p != "store.db"] == []
    assert not (cli_env / "export").exists()


def test_refusals_after_registration_are_one_line_and_change_nothing(
    registered: Callable[..., Result], cli_env: Path, crm: Path,
    error_line: Callable[[Result], str],
):
    line = error_line(registered("erase", SUBJECT, "--execute"))
    assert "identity of the data subject is not verified" in line
    assert _count(crm, SUBJECT) == 1
    (cli_env / "full").mkdir()
    (cli_env / "full" / "x.txt").write_text("x")
    assert "already holds files" in error_line(registered("access", SUBJECT, "--out", "full"))
    line = error_line(registered("source", "add", "crm", "--url", "sqlite:///crm.db",
                                 "--table", "customers", "--subject-column", "customer_id"))
    assert "source 'crm' already exists" in line
    log = json.loads(registered("requests", "list", "--format", "json").stdout)
    assert log["requests"] == []
