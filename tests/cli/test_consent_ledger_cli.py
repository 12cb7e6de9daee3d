"""``fairmark consent import | status | filter``: results, and one error line for bad input.

Runs the ``consent`` Typer app directly (the lead registers it as ``fairmark consent``), in
``cli_env`` (a temporary working folder with ``FAIRMARK_DB_URL`` pointing at a SQLite file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fairmark.cli.consent import app

EMAIL = "marketing.communications.email"
LEDGER = (
    "subject_id,purpose,state,lawful_basis,timestamp,jurisdiction\n"
    f"001,{EMAIL},granted,consent,2025-01-01T00:00:00+01:00,DE\n"
    f"002,{EMAIL},granted,consent,2025-01-01T00:00:00Z,DE\n"
    f"002,{EMAIL},withdrawn,consent,2025-02-01T00:00:00Z,DE\n"
    f"003,marketing,objected,legitimate_interests,2025-01-01T00:00:00Z,FR\n"
    f"004,{EMAIL},objected,,2025-01-01T00:00:00Z,US-CA\n"
)
AUDIENCE = "subject_id,zip\n001,01234\n002,00001\n003,00002\n004,00003\n005,00004\n"
AS_OF = "2025-03-01T00:00:00Z"


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def files(cli_env: Path) -> Path:
    (cli_env / "ledger.csv").write_text(LEDGER)
    (cli_env / "audience.csv").write_text(AUDIENCE)
    return cli_env


@pytest.fixture
def imported(files: Path) -> Path:
    result = run("import", "ledger.csv")
    assert result.exit_code == 0, result.output
    return files


def test_import_then_status(files: Path):
    result = run("import", "ledger.csv", "--source", "onetrust")
    assert result.exit_code == 0, result.output
    assert "Imported 5 consent event(s) from 5 row(s)" in result.stdout
    status = run("status", "002", "--as-of", AS_OF, "--format", "json", "--history")
    assert status.exit_code == 0, status.output
    doc = json.loads(status.stdout)
    [row] = doc["statuses"]
    assert (row["purpose"], row["permitted"], row["reason"]) == (EMAIL, False, "withdrawn")
    assert [e["state"] for e in doc["history"]] == ["granted", "withdrawn"]
    assert {e["source"] for e in doc["history"]} == {"onetrust"}
    early = run("status", "002", "--purpose", EMAIL, "--as-of", "2025-01-15T00:00:00Z")
    assert early.exit_code == 0 and "yes" in early.stdout
    nobody = run("status", "999")
    assert nobody.exit_code == 0 and "No consent event for subject 999" in nobody.stdout


def test_import_reports_contradictions_and_keeps_both(files: Path):
    (files / "dups.csv").write_text(
        "subject_id,purpose,state,lawful_basis,timestamp\n"
        f"a,{EMAIL},granted,consent,2025-01-01T00:00:00Z\n"
        f"a,{EMAIL},denied,consent,2025-01-01T00:00:00Z\n"
    )
    result = run("import", "dups.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["n_events"], doc["contradictions"]) == (2, 1)
    assert "contradict an earlier event" in result.stderr and "recorded later" in result.stderr
    assert "row 2:" in result.stderr


def test_filter_writes_permitted_rows_and_counts_reasons(imported: Path):
    result = run(
        "filter", "audience.csv", "--purpose", EMAIL, "--out", "permitted.csv",
        "--as-of", AS_OF, "--report", "run.json",
    )
    assert result.exit_code == 0, result.output
    assert (imported / "permitted.csv").read_text() == "subject_id,zip\n001,01234\n"
    assert "wrote 1 of 5 row(s)" in result.stdout
    for reason in ("withdrawn", "objected", "opted_out", "no_record"):
        assert reason in result.stdout
    doc = json.loads((imported / "run.json").read_text())
    assert doc["kind"] == "consent_filter" and doc["counts"]["excluded_rows"] == 4
    assert {e["reason"]: e["rows"] for e in doc["exclusions"] if e["rows"]} == {
        "no_record": 1, "withdrawn": 1, "objected": 1, "opted_out": 1,
    }
    as_json = run(
        "filter", "audience.csv", "--purpose", "marketing", "--out", "m.parquet",
        "--as-of", AS_OF, "--format", "json",
    )
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["counts"]["permitted_rows"] == 0  # only 003 at parent


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--purpose", "marketing.email"], "not a fideslang data use"),
        (["--purpose", EMAIL, "--vendor", "755"], "vendor '755' has no event"),
        (["--purpose", EMAIL, "-s", "customer"], "subject column 'customer' not found"),
        (["--purpose", EMAIL, "--as-of", "2025-03-01T00:00"], "has no UTC offset"),
        (["--purpose", EMAIL, "--as-of", "March"], "not an ISO 8601 timestamp"),
        (["--out", "x.csv"], "--purpose is required"),
        (["--purpose", EMAIL, "--out", "x.xlsx"], "expected .csv or .parquet"),
        (["--purpose", EMAIL, "--out", "nope/x.csv"], "does not exist"),
        (["--purpose", EMAIL, "--out", "x.csv", "--report", "nope/r.json"], "does not exist"),
        (["--purpose", EMAIL, "--out", "x.csv", "--format", "xml"], "--format"),
    ],
)
def test_filter_bad_input_is_one_line_and_writes_nothing(
    imported: Path, error_line: Callable[[Result], str], args: list[str], expected: str
):
    if "--out" not in args and "--purpose" in args:
        args = [*args, "--out", "x.csv"]
    before = sorted(os.listdir(imported))
    line = error_line(run("filter", "audience.csv", *args))
    assert expected in line, line
    assert sorted(os.listdir(imported)) == before


def test_filter_of_a_missing_audience(imported: Path, error_line: Callable[[Result], str]):
    line = error_line(run("filter", "nope.csv", "--purpose", EMAIL, "--out", "x.csv"))
    assert "no such file" in line
    assert not (imported / "x.csv").exists()


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        (f"subject_id,purpose,state,lawful_basis,timestamp\na,{EMAIL},granted,consent,"
         "2025-01-01 10:00\n", [], "row 1 of bad.csv: timestamp '2025-01-01 10:00' has no UTC"),
        ("subject_id,purpose,state,timestamp\na,marketing.mail,granted,2025-01-01T00:00Z\n",
         [], "purpose 'marketing.mail' is not a fideslang data use"),
        ("id,purpose,state,timestamp\na,marketing,denied,2025-01-01T00:00Z\n", [],
         "the export has no subject_id column"),
        ("id,purpose,state,timestamp\na,marketing,denied,2025-01-01T00:00Z\n",
         ["--column", "customer=id"], "unknown ledger field(s) customer"),
        ("id,purpose,state,timestamp\na,marketing,denied,2025-01-01T00:00Z\n",
         ["--column", "subject_id"], "expected FIELD=COLUMN"),
        (f"subject_id,purpose,state,timestamp\na,{EMAIL},denied,2025-01-01 10:00\n",
         ["--timezone", "Europe/Atlantis"], "time zone 'Europe/Atlantis' is unknown"),
        ("", [], "the file is empty"),
    ],
)
def test_import_bad_input_is_one_line_and_imports_nothing(
    files: Path, error_line: Callable[[Result], str], content: str, args: list[str],
    expected: str,
):
    (files / "bad.csv").write_text(content)
    line = error_line(run("import", "bad.csv", *args))
    assert expected in line, line
    status = run("status", "a", "--format", "json")
    if status.exit_code == 2:  # refused before the store was opened: no store, no events
        assert "no consent ledger at" in error_line(status)
    else:
        assert status.exit_code == 0 and json.loads(status.stdout)["statuses"] == []


def test_import_with_an_explicit_time_zone(files: Path):
    (files / "local.csv").write_text(
        f"subject_id,purpose,state,lawful_basis,timestamp\na,{EMAIL},granted,consent,"
        "2025-01-01 10:00\n"
    )
    assert run("import", "local.csv", "--timezone", "Europe/Paris").exit_code == 0
    doc = json.loads(run("status", "a", "--format", "json", "--history").stdout)
    assert doc["history"][0]["occurred_at"] == "2025-01-01T09:00:00Z"


def test_status_bad_input(imported: Path, error_line: Callable[[Result], str]):
    assert "not a fideslang data use" in error_line(
        run("status", "001", "--purpose", "marketing.e-mail")
    )
    assert "has no UTC offset" in error_line(run("status", "001", "--as-of", "2025-01-01"))


def test_read_commands_never_create_a_missing_store(
    files: Path, error_line: Callable[[Result], str], monkeypatch: pytest.MonkeyPatch
):
    """QA #5 bug 3: status and filter on a missing SQLite store: one line, exit 2, no file."""
    expected = "expected the store `fairmark consent import` wrote (or --db)"
    url = f"sqlite:///{files / 'nosuchdir' / 'f.db'}"
    line = error_line(run("status", "S1", "--db", url))
    assert line == f"error: no consent ledger at {files / 'nosuchdir' / 'f.db'}; {expected}"
    line = error_line(run("filter", "audience.csv", "--purpose", EMAIL, "--out", "x.csv",
                          "--db", url))
    assert "no consent ledger at" in line and expected in line
    assert not (files / "nosuchdir").exists() and not (files / "x.csv").exists()
    # a missing file in an existing folder is not created either
    line = error_line(run("status", "S1", "--db", f"sqlite:///{files / 'missing.db'}"))
    assert "no consent ledger at" in line and not (files / "missing.db").exists()
    # the default store .fairmark/fairmark.db of the working folder
    monkeypatch.delenv("FAIRMARK_DB_URL")
    line = error_line(run("status", "S1"))
    assert f"no consent ledger at {files / '.fairmark' / 'fairmark.db'}" in line
    error_line(run("filter", "audience.csv", "--purpose", EMAIL, "--out", "x.csv"))
    assert not (files / ".fairmark").exists() and not (files / "x.csv").exists()
    # after an import the same commands work
    assert run("import", "ledger.csv").exit_code == 0
    assert run("status", "001", "--as-of", AS_OF).exit_code == 0


def test_json_export_with_mixed_subject_id_types(files: Path):
    """QA #5 bug 1 end to end: ``J1`` and ``3`` answer status without JSON quotes."""
    rows = [{"CustomerID": cid, "purpose": EMAIL, "state": st, "lawful_basis": "consent",
             "timestamp": "2025-01-01T00:00:00Z"}
            for cid, st in (("J1", "granted"), ("S1", "denied"), (3, "granted"))]
    (files / "export.json").write_text(json.dumps(rows))
    assert run("import", "export.json", "--column", "subject_id=CustomerID").exit_code == 0
    for subject, permitted in (("J1", True), ("S1", False), ("3", True)):
        doc = json.loads(run("status", subject, "--as-of", AS_OF, "--format", "json").stdout)
        assert [s["permitted"] for s in doc["statuses"]] == [permitted], subject


def test_import_and_as_of_refuse_the_same_impossible_offset(
    files: Path, error_line: Callable[[Result], str]
):
    (files / "off.csv").write_text(
        f"subject_id,purpose,state,lawful_basis,timestamp\na,{EMAIL},granted,consent,"
        "2025-03-01T10:00:00+25:00\n"
    )
    line = error_line(run("import", "off.csv"))
    assert line.startswith(
        "error: row 1 of off.csv: timestamp '2025-03-01T10:00:00+25:00' has an invalid UTC "
        "offset"
    ), line
    assert run("import", "ledger.csv").exit_code == 0
    line = error_line(run("status", "001", "--as-of", "2025-03-01T10:00:00+25:00"))
    assert "'2025-03-01T10:00:00+25:00' has an invalid UTC offset" in line
