"""``fairmark runs list`` and ``fairmark runs show`` on a store the tests fill themselves."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

AUDIT = ["--y-true", "subscribed", "--positive-label", "sub", "--y-pred", "selected",
         "-s", "region", "--format", "json"]  # fmt: skip


@pytest.fixture
def audited(
    invoke: Callable[..., Any], campaign: tuple[Path, pd.DataFrame], cli_env: Path
) -> Callable[..., dict[str, Any]]:
    """Run one audit of the campaign into ``out/<name>``; return its report.json document."""

    def _audit(name: str, *extra: str) -> dict[str, Any]:
        result = invoke("audit", campaign[0], *AUDIT, "--out", f"out/{name}", *extra)
        assert result.exit_code in (0, 1), result.output
        doc: dict[str, Any] = json.loads((cli_env / "out" / name / "report.json").read_text())
        return doc

    return _audit


def test_empty_store(invoke: Callable[..., Any]) -> None:
    text = invoke("runs", "list")
    assert text.exit_code == 0, text.output
    assert text.stdout.strip() == "No runs recorded yet."
    js = invoke("runs", "list", "--format", "json")
    assert js.exit_code == 0 and json.loads(js.stdout) == []


def test_list_shows_the_runs(
    invoke: Callable[..., Any], audited: Callable[..., dict[str, Any]]
) -> None:
    first = audited("one", "--system", "call-list")
    second = audited("two", "--system", "email")
    runs = json.loads(invoke("runs", "list", "--format", "json").stdout)
    # created_at has one-second resolution: runs of the same second may come in any order
    assert {r["run_id"] for r in runs} == {first["run_id"], second["run_id"]}
    assert [r["created_at"] for r in runs] == sorted((r["created_at"] for r in runs), reverse=True)
    assert next(r for r in runs if r["run_id"] == first["run_id"]) == {
        "run_id": first["run_id"],
        "created_at": first["created_at"],
        "system_name": "call-list",
        "verdict": first["verdict"],
        "policy_id": first["policy"]["id"],
        "policy_version": first["policy"]["version"],
        "data_fingerprint": first["data_fingerprint"]["value"],
    }
    text = invoke("runs", "list")
    assert text.exit_code == 0
    assert first["run_id"] in text.stdout and second["run_id"] in text.stdout  # whole ids
    only = json.loads(invoke("runs", "list", "--system", "email", "--format", "json").stdout)
    assert [r["run_id"] for r in only] == [second["run_id"]]
    limited = json.loads(invoke("runs", "list", "--limit", "1", "--format", "json").stdout)
    assert limited == runs[:1]
    none = invoke("runs", "list", "--system", "sms")
    assert none.stdout.strip() == "No runs recorded yet for system 'sms'."


def test_show_by_prefix(invoke: Callable[..., Any], audited: Callable[..., dict[str, Any]]) -> None:
    doc = audited("one")
    text = invoke("runs", "show", doc["run_id"][:8])
    assert text.exit_code == 0, text.output
    assert f"run {doc['run_id']}" in text.stdout
    assert f"Verdict: {doc['verdict'].upper()}" in text.stdout
    for group in ("a", "b", "c"):
        assert f"│ {group} " in text.stdout
    js = invoke("runs", "show", doc["run_id"], "--format", "json")
    stored = json.loads(js.stdout)
    for key in ("run_id", "verdict", "data_fingerprint", "groups", "disparities", "findings"):
        assert stored[key] == doc[key]


@pytest.mark.parametrize(
    ("run_id", "expect"),
    [
        ("0000dead", "'0000dead'"),
        ("zzz", "'zzz' is not a run id or prefix"),
        ("", "is not a run id or prefix"),
    ],
)
def test_show_unknown_id(
    invoke: Callable[..., Any],
    error_line: Callable[..., str],
    audited: Callable[..., dict[str, Any]],
    run_id: str,
    expect: str,
) -> None:
    audited("one")
    line = error_line(invoke("runs", "show", run_id))
    assert expect in line


def test_show_ambiguous_prefix(
    invoke: Callable[..., Any],
    error_line: Callable[..., str],
    audited: Callable[..., dict[str, Any]],
) -> None:
    from fairmark.store import record_run

    doc = audited("one")
    for run_id in ("abcd0000-0000-4000-8000-000000000001", "abcd0000-0000-4000-8000-000000000002"):
        record_run({**doc, "run_id": run_id})
    line = error_line(invoke("runs", "show", "abcd0000"))
    assert "run id prefix 'abcd0000' is ambiguous" in line
    assert "abcd0000-0000-4000-8000-000000000001" in line
    shown = invoke("runs", "show", "abcd0000-0000-4000-8000-000000000002", "--format", "json")
    assert json.loads(shown.stdout)["run_id"] == "abcd0000-0000-4000-8000-000000000002"


@pytest.mark.parametrize("command", [["list"], ["show", "0000dead"]])
def test_unknown_format(
    invoke: Callable[..., Any], error_line: Callable[..., str], command: list[str]
) -> None:
    line = error_line(invoke("runs", *command, "--format", "xml"))
    assert line == "error: --format: unknown value 'xml'; expected one of text, json"


@pytest.mark.parametrize("command", [["list"], ["show", "0000dead"]])
def test_unusable_store(
    invoke: Callable[..., Any], error_line: Callable[..., str], command: list[str]
) -> None:
    line = error_line(invoke("runs", *command, "--db-url", "foo://nowhere"))
    assert "cannot open run store at foo://nowhere" in line
