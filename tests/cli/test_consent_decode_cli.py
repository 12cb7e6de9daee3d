"""``fairmark consent decode``: tables and JSON for good strings, one error line for bad ones.

Runs the ``consent`` Typer app directly (the lead registers it as ``fairmark consent``).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from fairmark.cli.consent import app
from fairmark.consent import decode

TCF = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA"
GPP = "DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_table_output_of_a_tcf_string() -> None:
    result = run("decode", TCF)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "TCF version 2" in out
    assert "cmpId" in out and "675" in out
    assert "purposeConsents" in out and "2, 10" in out
    assert "tcf.outdated_policy_version" in out  # policy version 2 predates TCF v2.2


def test_table_output_of_a_gpp_string() -> None:
    result = run("decode", GPP)
    assert result.exit_code == 0, result.output
    assert "section IDs 2, 6" in result.stdout
    assert "Section tcfeuv2" in result.stdout and "Section uspv1" in result.stdout


def test_json_output_is_the_decode_document() -> None:
    result = run("decode", GPP, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == decode(GPP)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["Bg"], ["TCF v1.1 consent string", "bit 12", "Created"]),
        ([TCF[:37]], ["TCF core segment", "bit 222", "VendorConsents"]),
        (["COtybn4PA+zT4"], ["'+'", "position 10", "not base64url"]),
        (["CO=tybn"], ["'='", "padding"]),
        (["DBACOeA~~1YNN"], ["header lists 3 section(s)", "2 follow"]),
        (["DBABLA~CVQqAAAA"], ["usnat", "while reading"]),
        (["not a consent string"], ["not a consent string", "expected a TCF v2 string"]),
        ([""], ["empty consent string"]),
        (["1YNN", "--format", "xml"], ["--format", "table, json"]),
    ],
)
def test_bad_input_is_one_line_exit_2(
    args: list[str], words: list[str], error_line: Callable[[Result], str]
) -> None:
    line = error_line(run("decode", *args))
    for w in words:
        assert w in line, (w, line)
