"""``fairmark pii scan``: real data, the generated CRM table, output files and bad input."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from fairmark.cli.pii import app
from fairmark.privacy.scan_result import SCHEMA_PATH
from fairmark.privacy.synthetic_crm import CRM_TRUTH, make_crm_table

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
Invoke = Callable[..., Result]


@pytest.fixture
def pii(cli_env: Path) -> Invoke:
    """Run ``fairmark pii ARGS…`` in-process, in the isolated working folder."""
    runner = CliRunner()

    def _invoke(*args: Any) -> Result:
        return runner.invoke(app, [str(a) for a in args])

    return _invoke


@pytest.fixture
def crm_file(cli_env: Path) -> tuple[Path, pa.Table]:
    table = make_crm_table(600, seed=4)
    path = cli_env / "crm.parquet"
    pq.write_table(table, path)
    return path, table


def _doc(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    return doc


def test_crm_json_finds_every_truth_column_and_leaks_nothing(
    pii: Invoke, crm_file: tuple[Path, pa.Table], cli_env: Path
) -> None:
    path, table = crm_file
    result = pii("scan", path, "--format", "json", "--sample-size", 150, "--no-presidio",
                 "--out", "scan.json")  # fmt: skip
    doc = _doc(result)
    got = {c["column"]: c["entity_type"] for c in doc["columns"]}
    assert got == {c: (None if e is None else e.value) for c, e in CRM_TRUTH.items()}
    assert json.loads((cli_env / "scan.json").read_text(encoding="utf-8")) == doc
    raw = {str(v) for c in ("email", "phone", "iban", "card_number", "national_id", "ip",
                            "street", "field_7") for v in table.column(c).to_pylist() if v}
    assert not [v for v in raw if v in result.stdout]
    assert doc["text_engine"]["used"] and doc["text_engine"]["presidio"] is None
    assert [f for f in os.listdir(cli_env) if f.endswith(".tmp")] == []


def test_crm_table_output(pii: Invoke, crm_file: tuple[Path, pa.Table]) -> None:
    path, _ = crm_file
    result = pii("scan", path, "--sample-size", 100, "--no-presidio",
                 "--columns", "email,card_number,segment,notes")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "fairmark pii scan" in out and "600 rows, 4 columns scanned" in out
    assert "email address (EMAIL_ADDRESS)" in out and "user.financial.credit_card" in out
    assert "direct identifier" in out and "e******.net" in out
    assert "Inside notes: " in out and "EMAIL_ADDRESS" in out
    assert "Presidio not run (switched off)" in out
    assert "Direct identifiers: email, card_number, notes." in out


def test_bank_marketing(pii: Invoke, bank_csv: Path) -> None:
    doc = _doc(pii("scan", bank_csv, "--format", "json", "--sample-size", 100,
                   "--no-presidio"))  # fmt: skip
    cols = {c["column"]: c for c in doc["columns"]}
    assert doc["n_rows"] == 41_188
    assert doc["summary"]["direct_identifiers"] == []
    assert cols["age"]["data_category"] == "user.demographic.age_range"
    assert cols["marital"]["data_category"] == "user.demographic.marital_status"
    assert cols["job"]["data_category"] == "user.job_title"
    assert cols["euribor3m"]["data_category"] is None
    assert all(c["entity_type"] is None for c in doc["columns"])


def test_adult(pii: Invoke, shared_data: Path, cli_env: Path) -> None:
    from fairmark.datasets import fetch_adult

    path = cli_env / "adult.csv"
    fetch_adult(shared_data).to_csv(path, index=False)
    doc = _doc(pii("scan", path, "--format", "json", "--sample-size", 100, "--no-presidio"))
    cols = {c["column"]: c for c in doc["columns"]}
    assert doc["summary"]["special_categories"] == ["race"]
    assert cols["race"]["special_category"] == "racial or ethnic origin (GDPR Art. 9(1))"
    assert cols["sex"]["data_category"] == "user.demographic.gender"
    assert cols["age"]["data_category"] == "user.demographic.age_range"
    assert doc["summary"]["direct_identifiers"] == []


def test_progress_never_touches_standard_output(
    pii: Invoke, crm_file: tuple[Path, pa.Table]
) -> None:
    path, _ = crm_file
    result = pii("scan", path, "--format", "json", "--columns", "email", "--sample-size", 50,
                 "--progress")  # fmt: skip
    assert _doc(result)["columns"][0]["entity_type"] == "EMAIL_ADDRESS"


# --- messy input that is scanned, with a warning -----------------------------------------------


def test_non_utf8_csv_is_decoded_and_reported(pii: Invoke, cli_env: Path) -> None:
    path = cli_env / "latin1.csv"
    rows = "".join(f"Jos\xe9 {i},jose{i}@example.com\n" for i in range(40))
    path.write_bytes(("name,email\n" + rows).encode("latin-1"))
    doc = _doc(pii("scan", path, "--format", "json", "--no-presidio"))
    assert doc["columns"][1]["entity_type"] == "EMAIL_ADDRESS"
    assert f"{path} is not valid UTF-8: 40 bytes replaced with U+FFFD" in doc["warnings"]


def test_all_null_and_binary_columns_are_warnings(pii: Invoke, cli_env: Path) -> None:
    table = pa.table({
        "phone": pa.nulls(30, pa.string()),
        "blob": pa.array([b"\xff\xfe" if i % 3 == 0 else b"+44 20 7946 0958" for i in range(30)]),
    })  # fmt: skip
    pq.write_table(table, cli_env / "messy.parquet")
    result = pii("scan", cli_env / "messy.parquet", "--no-presidio")
    assert result.exit_code == 0, result.output
    assert "warning: column 'phone' is empty" in result.stdout
    assert "column 'blob' holds bytes, decoded as UTF-8 with replacement" in result.stdout
    assert "10 of 30 values are not valid UTF-8" in result.stdout


# --- bad input: exit 2, one line, nothing written -------------------------------------------


def _bad(pii: Invoke, error_line: Callable[[Result], str], cli_env: Path, *args: Any) -> str:
    before = sorted(os.listdir(cli_env))
    line = error_line(pii("scan", *args, "--out", "scan.json"))
    assert sorted(os.listdir(cli_env)) == before  # no scan.json, no temporary file
    return line


def test_bad_input(
    pii: Invoke, error_line: Callable[[Result], str], cli_env: Path,
    crm_file: tuple[Path, pa.Table],
) -> None:  # fmt: skip
    path, _ = crm_file
    (cli_env / "empty.csv").write_bytes(b"")
    (cli_env / "header.csv").write_text("email,phone\n", encoding="utf-8")
    (cli_env / "folder").mkdir()
    cases = [
        (("missing.csv",), "cannot read 'missing.csv': no such file"),
        (("empty.csv",), "the file is empty"),
        (("header.csv",), "has no rows; expected at least one"),
        ((path, "--columns", "emial"), "column 'emial' not found; available columns: "),
        ((path, "--columns", " , "), "--columns is empty"),
        ((path, "--format", "xml"), "--format: unknown value 'xml'; expected one of table, json"),
        ((path, "--sample-size", "0"), "sample_size must be between 1 and 1,000,000, got 0"),
        ((path, "--region", "XX"), "unknown region 'XX'"),
    ]
    for args, expected in cases:
        assert expected in _bad(pii, error_line, cli_env, *args), args
    for out, expected in (("nowhere/scan.json", "--out: folder 'nowhere' does not exist"),
                          ("folder", "--out: 'folder' is a folder")):  # fmt: skip
        line = error_line(pii("scan", path, "--out", out))
        assert expected in line
    assert not (cli_env / "nowhere").exists() and os.listdir(cli_env / "folder") == []


def test_help_names_every_option(pii: Invoke) -> None:
    result = pii("scan", "--help")
    assert result.exit_code == 0
    for option in ("--format", "--columns", "--sample-size", "--region", "--out", "--progress",
                   "--no-presidio"):  # fmt: skip
        assert option in result.stdout


def test_out_equal_to_the_input_is_refused(pii: Invoke, error_line: Callable[[Result], str],
                                           cli_env: Path) -> None:  # fmt: skip
    data = cli_env / "crm.csv"
    data.write_text("email\na@example.com\nb@example.com\n", encoding="utf-8")
    before = data.read_bytes()
    line = error_line(pii("scan", data, "--out", data))
    assert "is the input data itself" in line
    assert data.read_bytes() == before


def test_progress_without_a_terminal_prints_plain_lines(pii: Invoke, cli_env: Path) -> None:
    data = cli_env / "crm.csv"
    data.write_text("email,spend\na@example.com,1\nb@example.com,2\n", encoding="utf-8")
    result = pii("scan", data, "--progress", "--no-presidio", "--format", "json")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == "pii scan: profiling in the engine"
    assert "pii scan [2/3] classifying email" in lines
    assert "pii scan [3/3] classifying spend" in lines
