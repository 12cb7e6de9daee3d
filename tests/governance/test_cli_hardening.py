"""CLI hardening found by QA of issue #7, through the ``fairmark`` root command.

1. Stored text with terminal control characters is printed escaped (text), exact (JSON).
2. A command-line parse error is one ``error:`` line, exit 2 (in-process, console script
   and ``python -m fairmark``); ``--help`` still works.
3. With ``--format json`` an error is also one JSON object on stdout.
4. The questionnaire template answers nothing; a ``null`` answer is a missing answer.
5. Reading commands refuse a SQLite store that does not exist, and create nothing.
6. ``runs``, ``consent import`` and ``dsr`` are role-checked like the governance commands.
7. A refused write on a SQLite store that did not exist removes what it created (store,
   side files, key, anchor, folders), never what existed before or a store holding data.

SQLite and PostgreSQL where a store is involved.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from rich.console import Console
from sqlalchemy import Engine, Table, func, select
from tests.governance._inventory_support import PEOPLE, add_review, register, snapshot
from typer.testing import CliRunner, Result

from fairmark.cli import _common
from fairmark.cli._common import json_text, printable
from fairmark.cli.main import app
from fairmark.governance.access import PERMISSIONS, Principal
from fairmark.governance.risk import load_questionnaire
from fairmark.governance.tokens import create_token
from fairmark.store.models_consent import ConsentEventRow
from fairmark.store.models_dsr import DsrSource, DsrVerification
from fairmark.store.models_governance import LogEntryRow, User

EVIL = "evil\x1b[2J\x1b]0;pwned\x07\u009bX\nFAIL line\u202eok\t\x7f"
"""A value an attacker stores: clear screen, set the window title, a C1 CSI, a newline
that fakes a line, a right-to-left override, a tab and DEL."""
EVIL_SHOWN = "evil\\x1b[2J\\x1b]0;pwned\\x07\\x9bX\\nFAIL line\\u202eok\\t\\x7f"
CONTROLS = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))} | {"\u202e", "\u2028"}

SEE = "; see 'fairmark {} --help'"
LEDGER = (
    "subject_id,purpose,state,lawful_basis,timestamp\n"
    "001,marketing.communications.email,granted,consent,2025-01-01T00:00:00Z\n"
)


def fm(*args: Any, token: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run ``fairmark ARGS`` in-process through the root command (its parse-error handling)."""
    extra = [] if token is None else ["--token", token]
    return CliRunner().invoke(app, [*(str(a) for a in args), *extra], env=env)


def one_error(result: Result, code: int = 2) -> str:
    """Assert one ``error:`` line on stderr, exit ``code``, no traceback; return the message."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0].removeprefix("error: ")


def refused_text(result: Result, message: str, code: int = 2) -> None:
    """Text output: exactly ``error: message`` on stderr, nothing on stdout."""
    assert one_error(result, code) == message
    assert result.stdout == ""


def refused_json(result: Result, message: str, kind: str, code: int = 2) -> None:
    """``--format json``: the stderr line, and the same error as one JSON object on stdout."""
    assert one_error(result, code) == message
    assert json.loads(result.stdout) == {
        "error": {"message": message, "exit_code": code, "kind": kind}
    }
    assert result.stdout.count("\n") == 1


def raw_controls(text: str) -> set[str]:
    """The control characters in ``text`` other than the newlines that lay it out."""
    return {c for c in text if c in CONTROLS and c != "\n"}


@pytest.fixture
def tokens(gov_engine: Engine, seed_people: Callable[..., dict[str, Principal]]) -> dict[str, str]:
    """Every role of the inventory tests with a self-issued token (both backends)."""
    people = seed_people(PEOPLE)
    out = {}
    for name in PEOPLE:
        _info, secret = create_token(gov_engine, user=name, principal=people[name])
        out[name] = secret
    return out


def _rows(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table)).all()]


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --------------------------------------------------------------------------- 1. display


def test_printable_escapes_every_control_character_and_keeps_the_rest() -> None:
    assert printable(EVIL) == EVIL_SHOWN
    assert printable("\x00\x1f\x80\x9f\u2028\u2029\u202a\u2066\u2069") == (
        "\\x00\\x1f\\x80\\x9f\\u2028\\u2029\\u202a\\u2066\\u2069"
    )
    assert printable("Zoë – 価格 C:\\path [bold] \\x1b") == "Zoë – 価格 C:\\path [bold] \\x1b"
    assert printable(42) == "42"
    assert raw_controls(printable("".join(CONTROLS))) == set()


def test_json_text_is_exact_and_has_no_raw_control_character() -> None:
    document = {"description": EVIL, "list": [EVIL, None, 1.5], "ünïcode": "価格"}
    text = json_text(document)
    assert json.loads(text) == document
    assert raw_controls(text) == set()
    assert "価格" in text and "\\u009b" in text and "\\u202e" in text and "\\u007f" in text


def test_the_console_escapes_what_it_is_given_but_keeps_newlines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(_common, "console", _common.SafeConsole(file=out, width=200))
    _common.console.print("a\x1b[31mb\u009bc\nd", markup=False, highlight=False)
    assert out.getvalue() == "a\\x1b[31mb\\x9bc\nd\n"
    plain = io.StringIO()
    Console(file=plain, width=200).print("a\x1b[31mb", markup=False, highlight=False)
    assert plain.getvalue() == "a\x1b[31mb\n"  # what rich alone would write


def test_system_show_escapes_stored_text_and_json_keeps_it(
    store_url: str, gov_engine: Engine, tokens: dict[str, str]
) -> None:
    register(gov_engine, Principal("ada", "admin"), description=EVIL, team="CRM\x1b[1m")
    text = fm("system", "show", "bank-propensity", "--db-url", store_url, token=tokens["vic"])
    assert text.exit_code == 0, text.output
    assert raw_controls(text.stdout) == set()
    lines = text.stdout.splitlines()
    assert f"  description      {EVIL_SHOWN}" in lines
    assert "  team             CRM\\x1b[1m" in lines
    assert not any(line.startswith("FAIL line") for line in lines)  # no faked line
    doc = json.loads(
        fm("system", "show", "bank-propensity", "--format", "json", "--db-url", store_url,
           token=tokens["vic"]).stdout
    )  # fmt: skip
    assert doc["description"] == EVIL and doc["team"] == "CRM\x1b[1m"
    listed = fm("system", "list", "--db-url", store_url, token=tokens["vic"])
    assert listed.exit_code == 0 and raw_controls(listed.stdout) == set()


def test_review_show_escapes_comments_and_notes(
    store_url: str,
    gov_engine: Engine,
    tokens: dict[str, str],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    register(gov_engine, Principal("ada", "admin"))
    review_id = add_review(gov_engine, store_url, make_report, "open", note="note\x1b[8m")
    fake = "looks fine\n  rita: approve (2026-01-01 00:00:00 UTC): all good\x1b[A"
    added = fm("review", "comment", review_id, "--text", fake, "--db-url", store_url,
               token=tokens["olivia"])  # fmt: skip
    assert added.exit_code == 0, added.output
    shown = fm("review", "show", review_id, "--db-url", store_url, token=tokens["vic"])
    assert shown.exit_code == 0, shown.output
    assert raw_controls(shown.stdout) == set()
    lines = shown.stdout.splitlines()
    assert f"  {'note':<14}  note\\x1b[8m" in lines  # print_kv pads to "closed because"
    comment = [line for line in lines if line.startswith("  olivia (")]
    assert len(comment) == 1 and comment[0].endswith(
        "): looks fine\\n  rita: approve (2026-01-01 00:00:00 UTC): all good\\x1b[A"
    )
    assert not any(line.startswith("  rita: approve") for line in lines)
    doc = json.loads(
        fm("review", "show", review_id, "--format", "json", "--db-url", store_url,
           token=tokens["vic"]).stdout
    )  # fmt: skip
    assert [c["body"] for c in doc["comments"]] == [fake]


def test_user_list_and_show_escape_display_names(
    store_url: str, gov_engine: Engine, tokens: dict[str, str]
) -> None:
    added = fm("user", "add", "eve", "--role", "viewer", "--display-name",
               "Eve\x1b]0;root\x07", "--db-url", store_url, token=tokens["ada"])  # fmt: skip
    assert added.exit_code == 0, added.output
    assert raw_controls(added.stdout) == set()
    assert "  display name  Eve\\x1b]0;root\\x07" in added.stdout.splitlines()
    listed = fm("user", "list", "--db-url", store_url, token=tokens["ada"])
    assert listed.exit_code == 0 and raw_controls(listed.stdout) == set()
    assert "Eve\\x1b]0;root\\x07" in listed.stdout


def test_an_error_line_escapes_control_characters() -> None:
    import typer

    from fairmark.cli._common import handle_errors
    from fairmark.errors import UsageError

    tiny = typer.Typer()

    @tiny.command()
    @handle_errors
    def boom(fmt: str = "text") -> None:
        raise UsageError("bad value 'x\x1b[2Jy\u009b'; expected plain text")

    result = CliRunner().invoke(tiny, [])
    refused_text(result, "bad value 'x\\x1b[2Jy\\x9b'; expected plain text")
    as_json = CliRunner().invoke(tiny, ["--fmt", "json"])
    assert one_error(as_json) == "bad value 'x\\x1b[2Jy\\x9b'; expected plain text"
    assert json.loads(as_json.stdout) == {  # JSON keeps the exact message, escaped by JSON
        "error": {
            "message": "bad value 'x\x1b[2Jy\u009b'; expected plain text",
            "exit_code": 2,
            "kind": "usage",
        }
    }
    assert raw_controls(as_json.stdout) == set()


# --------------------------------------------------------------------------- 2. parse errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["system", "list", "--frmat", "json"],
         "No such option: --frmat (Possible options: --format)" + SEE.format("system list")),
        (["system", "show"], "Missing argument 'NAME'" + SEE.format("system show")),
        (["runs", "list", "--limit", "abc"],
         "Invalid value for '--limit': Input should be a valid integer, unable to parse string "
         "as an integer" + SEE.format("runs list")),
        (["runs", "list", "--limit", "0"],
         "Invalid value for '--limit': Input should be greater than or equal to 1"
         + SEE.format("runs list")),
        (["systm", "list"],
         "No such command 'systm'. Did you mean 'system'?; see 'fairmark --help'"),
        (["system", "register", "x", "--owner", "o", "--purpose", "p", "--use-case", "u"],
         "Missing option '--model-version'" + SEE.format("system register")),
    ],
)  # fmt: skip
def test_parse_errors_are_one_line_exit_2_and_create_nothing(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAIRMARK_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    refused_text(fm(*args), message)
    refused_json(fm(*args, "--format", "json"), message, "usage")
    assert os.listdir(tmp_path) == []


def test_an_option_without_its_value_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAIRMARK_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    message = "Option '--status' requires an argument."
    refused_text(fm("system", "list", "--status"), message)
    refused_json(fm("system", "list", "--format", "json", "--status"), message, "usage")
    refused_json(fm("system", "list", "--format=JSON", "--status"), message, "usage")
    assert os.listdir(tmp_path) == []


def test_help_version_and_a_bare_group_still_work() -> None:
    helped = fm("system", "list", "--help")
    assert helped.exit_code == 0 and "Usage: fairmark system list" in helped.stdout
    assert fm("--help").exit_code == 0
    bare = fm("system")  # a group without a command prints its help, as before
    assert bare.exit_code == 2 and "Usage: fairmark system [OPTIONS] COMMAND" in bare.stdout
    assert "error:" not in bare.output
    version = fm("--version")
    assert version.exit_code == 0 and version.stdout.startswith("fairmark ")


@pytest.mark.parametrize("how", ["script", "module"])
def test_parse_errors_of_the_console_script_and_python_m(how: str, tmp_path: Path) -> None:
    command = (
        [str(Path(sys.executable).parent / "fairmark")]
        if how == "script"
        else [sys.executable, "-m", "fairmark"]
    )
    env = {**os.environ, "FAIRMARK_DB_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    env.pop("FAIRMARK_DEBUG", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120, check=False)  # fmt: skip

    prog = "fairmark" if how == "script" else "python -m fairmark"
    proc = run("log", "show", "--frmat", "json")
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: No such option: --frmat (Possible options: --format); "
        f"see '{prog} log show --help'\n"
    )
    assert proc.stdout == ""
    helped = run("log", "show", "--help")
    assert helped.returncode == 0 and "Usage: " in helped.stdout and helped.stderr == ""
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- 3. JSON errors


def test_json_errors_name_their_kind_and_match_the_stderr_line(
    store_url: str, gov_engine: Engine, tokens: dict[str, str]
) -> None:
    before = snapshot(gov_engine)
    refused_json(
        fm("system", "show", "nope", "--format", "json", "--db-url", store_url,
           token=tokens["vic"]),
        "no AI system 'nope'; the inventory is empty (register one with "
        "'fairmark system register')",
        "usage",
    )  # fmt: skip
    refused_json(
        fm("user", "list", "--format", "json", "--db-url", store_url, token=tokens["vic"]),
        "user 'vic' (role viewer) may not user.read; it needs role admin or auditor",
        "access",
    )
    refused_text(  # not json: nothing on stdout
        fm("system", "list", "--format", "yaml", "--db-url", store_url, token=tokens["vic"]),
        "--format: unknown value 'yaml'; expected one of text, json",
    )
    text = fm("user", "list", "--db-url", store_url, token=tokens["vic"])
    refused_text(text, "user 'vic' (role viewer) may not user.read; it needs role admin or auditor")
    assert snapshot(gov_engine) == before


def test_json_error_of_an_unknown_format_value_is_text_only() -> None:
    result = fm("system", "questionnaire", "--format", "pdf")
    refused_text(result, "--format: unknown value 'pdf'; expected one of text, json, yaml-template")


# --------------------------------------------------------------------------- 4. template


def test_template_answers_nothing_and_classify_refuses_it(
    store_url: str, gov_engine: Engine, tokens: dict[str, str], tmp_path: Path
) -> None:
    ids = load_questionnaire().ids
    template = fm("system", "questionnaire", "--format", "yaml-template")
    assert template.exit_code == 0
    parsed = yaml.safe_load(template.stdout)
    assert parsed["answers"] == dict.fromkeys(ids)  # every answer null
    assert "# Replace every null with true or false" in template.stdout
    register(gov_engine, Principal("ada", "admin"))
    before = snapshot(gov_engine)
    path = tmp_path / "answers.yaml"
    path.write_text(template.stdout, encoding="utf-8")
    classify = ["system", "classify", "bank-propensity", "--answers", path,
                "--db-url", store_url]  # fmt: skip
    refused_text(
        fm(*classify, token=tokens["olivia"]),
        f"questionnaire eu-ai-act v1: {len(ids)} answers missing: {', '.join(ids)}; "
        "expected true or false for each",
    )
    forgot = template.stdout.replace(": null", ": false").replace(
        "  social_scoring: false", "  social_scoring: null"
    )
    path.write_text(forgot, encoding="utf-8")
    refused_json(
        fm(*classify, "--format", "json", token=tokens["olivia"]),
        "questionnaire eu-ai-act v1: 1 answer missing: social_scoring; expected true or "
        "false for each",
        "usage",
    )
    assert snapshot(gov_engine) == before
    path.write_text(template.stdout.replace(": null", ": false"), encoding="utf-8")
    done = fm(*classify, "--format", "json", token=tokens["olivia"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["tier"] == "minimal_risk"


# --------------------------------------------------------------------------- 5. no store


READ_COMMANDS = [
    ["log", "verify"],
    ["log", "show"],
    ["log", "export", "--out", "log.jsonl"],
    ["system", "list"],
    ["system", "show", "bank-propensity"],
    ["review", "show", "1"],
    ["review", "list"],
    ["gate", "bank-propensity"],
    ["user", "list"],
    ["user", "show"],
    ["user", "token", "list"],
    ["evidence", "export", "0b8e7a52", "--out", "bundle.zip"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_reading_a_mistyped_sqlite_store_is_refused_and_creates_nothing(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FAIRMARK_DB_URL", raising=False)
    missing = tmp_path / "typo" / "fairmark.db"
    message = (
        f"no fairmark store at {missing}; expected an existing store (run a write command "
        "first or check --db-url)"
    )
    refused_text(fm(*command, "--db-url", f"sqlite:///{missing}"), message)
    refused_json(
        fm(*command, "--db-url", f"sqlite:///{missing}", "--format", "json"), message, "store"
    )
    monkeypatch.setenv("FAIRMARK_DB_URL", f"sqlite:///{missing}")
    refused_text(fm(*command), message)
    assert os.listdir(tmp_path) == []


def test_the_default_store_is_not_created_by_a_read_but_by_a_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FAIRMARK_DB_URL", raising=False)
    default = tmp_path / ".fairmark" / "fairmark.db"
    refused_text(
        fm("log", "verify"),
        f"no fairmark store at {default}; expected an existing store (run a write command "
        "first or check --db-url)",
    )
    assert os.listdir(tmp_path) == []
    written = fm("user", "add", "alice", "--role", "viewer")  # a write creates the store
    assert written.exit_code == 0, written.output
    assert default.is_file()
    verified = fm("log", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith("audit log intact")


# --------------------------------------------------------------------------- 6. role checks


def test_permission_matrix_of_the_new_checks() -> None:
    assert PERMISSIONS["consent.import"] == frozenset({"admin", "owner"})
    assert PERMISSIONS["dsr.handle"] == frozenset({"admin", "owner"})
    assert PERMISSIONS["run.read"] == frozenset({"admin", "owner", "reviewer", "auditor", "viewer"})


def test_runs_are_read_by_every_role_and_a_token_scope_narrows_it(
    store_url: str,
    gov_engine: Engine,
    tokens: dict[str, str],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    from fairmark.store import RunStore

    with RunStore(store_url) as store:
        run_id = store.record_run(make_report(system_name="bank-propensity"))
    for name in PEOPLE:
        listed = fm("runs", "list", "--format", "json", "--db-url", store_url,
                    token=tokens[name])  # fmt: skip
        assert listed.exit_code == 0, listed.output
        assert [r["run_id"] for r in json.loads(listed.stdout)] == [run_id]
    shown = fm("runs", "show", run_id[:8], "--format", "json", "--db-url", store_url,
               token=tokens["vic"])  # fmt: skip
    assert shown.exit_code == 0 and json.loads(shown.stdout)["run_id"] == run_id
    info, narrow = create_token(gov_engine, user="vic", scopes=("review.read",),
                                principal=Principal("vic", "viewer"))  # fmt: skip
    before = snapshot(gov_engine)
    for command in (["runs", "list"], ["runs", "show", run_id[:8]]):
        refused_text(
            fm(*command, "--db-url", store_url, token=narrow),
            f"user 'vic' (role viewer): token {info.token_id} is not scoped for run.read; "
            "its scopes are review.read",
        )
    refused_text(
        fm("runs", "list", "--db-url", store_url, token="fmk_0123456789abcdef_nope"),
        _unknown_token_message(store_url, gov_engine),
    )
    assert snapshot(gov_engine) == before


def _unknown_token_message(store_url: str, gov_engine: Engine) -> str:
    """The refusal of an unknown token, as the governance commands print it."""
    result = fm("system", "list", "--db-url", store_url, token="fmk_0123456789abcdef_nope")
    return one_error(result)


@pytest.mark.parametrize("role_user", ["rita", "aud", "vic"])
def test_consent_import_is_refused_without_the_role_and_changes_nothing(
    role_user: str, store_url: str, gov_engine: Engine, tokens: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    before = snapshot(gov_engine)
    role = PEOPLE[role_user]
    result = fm("consent", "import", tmp_path / "ledger.csv", "--db-url", store_url,
                token=tokens[role_user])  # fmt: skip
    refused_text(
        result,
        f"user '{role_user}' (role {role}) may not consent.import; it needs role admin or owner",
    )
    assert _count(gov_engine, ConsentEventRow) == 0
    assert snapshot(gov_engine) == before


def test_consent_import_by_an_owner_is_logged_as_that_user(
    store_url: str, gov_engine: Engine, tokens: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    result = fm("consent", "import", tmp_path / "ledger.csv", "--format", "json",
                "--db-url", store_url, token=tokens["olivia"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_events"] == 1
    with gov_engine.connect() as conn:
        actors = conn.execute(
            select(LogEntryRow.actor).where(LogEntryRow.action == "consent.import")
        ).all()
    assert [a.actor for a in actors] == ["olivia"]


@pytest.mark.parametrize(
    "command",
    [
        ["dsr", "source", "list"],
        ["dsr", "requests", "list"],
        ["dsr", "source", "add", "crm", "--url", "sqlite:///crm.db", "--table", "t",
         "--subject-column", "c", "--no-check"],
        ["dsr", "source", "remove", "crm"],
        ["dsr", "verify", "cust-42", "--method", "id_document", "--by", "dpo"],
        ["dsr", "access", "cust-42", "--out", "export"],
        ["dsr", "erase", "cust-42"],
    ],
    ids=lambda c: " ".join(c[1:3]),
)  # fmt: skip
def test_dsr_commands_need_the_dsr_role(
    command: list[str],
    store_url: str,
    gov_engine: Engine,
    tokens: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    listing = sorted(os.listdir(tmp_path))
    before = snapshot(gov_engine), _rows(gov_engine, DsrSource.__table__)
    for name in ("rita", "aud", "vic"):
        refused_json(
            fm(*command, "--format", "json", "--db-url", store_url, token=tokens[name]),
            f"user '{name}' (role {PEOPLE[name]}) may not dsr.handle; it needs role admin or owner",
            "access",
        )
    assert (snapshot(gov_engine), _rows(gov_engine, DsrSource.__table__)) == before
    assert sorted(os.listdir(tmp_path)) == listing  # no export folder, no file


def test_dsr_verify_by_an_owner_names_the_token_user(
    store_url: str, gov_engine: Engine, tokens: dict[str, str]
) -> None:
    result = fm("dsr", "verify", "cust-42", "--method", "id_document", "--by", "dpo",
                "--format", "json", "--db-url", store_url, token=tokens["oscar"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _count(gov_engine, DsrVerification) == 1
    with gov_engine.connect() as conn:
        actor = conn.execute(
            select(LogEntryRow.actor, LogEntryRow.action).where(
                LogEntryRow.action.startswith("dsr.")
            )
        ).all()
    assert [tuple(a) for a in actor] == [("oscar", "dsr.verify")]


def test_a_store_without_users_needs_no_ceremony_and_records_no_user(
    store_url: str, gov_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    imported = fm("consent", "import", "ledger.csv", "--db-url", store_url)
    assert imported.exit_code == 0, imported.output
    expected = {
        ("runs", "list"): [],
        ("dsr", "source", "list"): {"schema_version": "1.0", "kind": "dsr_sources",
                                    "sources": []},
        ("dsr", "requests", "list"): {"schema_version": "1.0", "kind": "dsr_requests",
                                      "requests": []},
    }  # fmt: skip
    for command, document in expected.items():
        result = fm(*command, "--format", "json", "--db-url", store_url)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == document
    assert _count(gov_engine, User) == 0  # acting as the bootstrap admin writes no user
    assert _count(gov_engine, ConsentEventRow) == 1


# --------------------------------------------------------------------------- 7. no new store


UNKNOWN_KEY = "a" * 64
REFUSED_WRITES: dict[str, tuple[list[str], str | None, str]] = {
    "log checkpoint": (
        ["log", "checkpoint"],
        None,
        "the audit log is empty: there is nothing to checkpoint; expected at least one log entry",
    ),
    "log distrust-key": (
        ["log", "distrust-key", UNKNOWN_KEY],
        None,
        f"key {UNKNOWN_KEY} is not registered in the store's audit log; expected a "
        "fingerprint from 'fairmark log keys'",
    ),
    "user passwd": (
        ["user", "passwd", "root", "--password-stdin"],
        "correct horse battery staple\n",
        "no user 'root'; this store has no users yet (add one with 'fairmark user add NAME "
        "--role ROLE')",
    ),
}
"""The write commands QA ran on a mistyped SQLite path: argv, stdin, the refusal."""


def _write(args: list[str], stdin: str | None, db_url: str | None = None) -> Result:
    """Run ``fairmark ARGS [--db-url URL]`` in-process with ``stdin``."""
    extra = [] if db_url is None else ["--db-url", db_url]
    return CliRunner().invoke(app, [*args, *extra], input=stdin)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name: content)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("command", list(REFUSED_WRITES))
def test_a_refused_write_on_a_mistyped_sqlite_store_leaves_nothing_behind(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FAIRMARK_DB_URL", raising=False)
    args, stdin, message = REFUSED_WRITES[command]
    typo = tmp_path / "typo" / "deeper" / "fairmark.db"
    refused_text(_write(args, stdin, f"sqlite:///{typo}"), message)
    assert os.listdir(tmp_path) == []  # no store, no key, no anchor, no folder
    refused_text(_write(args, stdin, "sqlite:///relative.db"), message)
    assert os.listdir(tmp_path) == []
    refused_text(_write(args, stdin), message)  # the default .fairmark/fairmark.db
    assert os.listdir(tmp_path) == []


def test_a_successful_write_keeps_the_new_store_and_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, set_os_account: Callable[[str], None]
) -> None:
    from fairmark.store import RunStore

    monkeypatch.chdir(tmp_path)
    set_os_account("olivia")
    db = tmp_path / "new" / "fairmark.db"
    url = f"sqlite:///{db}"
    added = _write(["user", "add", "alice", "--role", "viewer"], None, url)
    assert added.exit_code == 0, added.output
    kept = [
        "fairmark.db",
        "signing_key.pem",
        "signing_key.pem.head.json",
        "signing_key.pem.head.json.lock",
    ]
    assert sorted(os.listdir(db.parent)) == kept
    before = _files(tmp_path)
    args, stdin, message = REFUSED_WRITES["log distrust-key"]  # the store exists now
    refused_text(_write(args, stdin, url), message)
    assert _files(tmp_path) == before
    with RunStore(url) as store, store.engine.connect() as conn:
        names = conn.execute(select(User.name).order_by(User.name)).scalars().all()
    assert names == ["alice", "olivia"]  # the local account became the first admin


def test_a_refused_write_never_removes_what_existed_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    args, stdin, message = REFUSED_WRITES["log distrust-key"]
    refused_text(_write(args, stdin, f"sqlite:///{empty / 'x.db'}"), message)
    assert empty.is_dir() and os.listdir(empty) == []  # the folder existed: kept
    # an empty file at the store path existed: it is kept (it is now a migrated store)
    db = tmp_path / "typo.db"
    db.write_bytes(b"")
    for args, stdin, message in REFUSED_WRITES.values():
        refused_text(_write(args, stdin, f"sqlite:///{db}"), message)
        assert db.is_file()
    assert sorted(os.listdir(tmp_path)) == ["empty", "signing_key.pem", "typo.db"]
    # a key beside a new store existed: the store goes, the key stays byte for byte
    other = tmp_path / "keyed"
    public = fm("log", "public-key", "--db-url", f"sqlite:///{other / 'fairmark.db'}")
    assert public.exit_code == 0, public.output
    key = (other / "signing_key.pem").read_bytes()
    for args, stdin, message in REFUSED_WRITES.values():
        refused_text(_write(args, stdin, f"sqlite:///{other / 'fairmark.db'}"), message)
        assert _files(other) == {"signing_key.pem": key}


def test_a_new_store_holding_a_committed_row_is_kept_when_the_command_fails(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from fairmark.cli._governance import governance_session
    from fairmark.errors import UsageError
    from fairmark.store import RunStore

    db = tmp_path / "new" / "fairmark.db"
    url = f"sqlite:///{db}"
    with (
        pytest.raises(UsageError, match=r"^a later step failed$"),
        governance_session(url, None) as (engine, _principal, _url),
    ):
        with engine.begin() as conn:
            conn.execute(
                insert(User).values(name="alice", role="viewer", created_at=datetime.now(UTC))
            )
        raise UsageError("a later step failed")
    assert db.is_file()
    with RunStore(url) as store:
        assert _count(store.engine, User) == 1


def test_a_new_store_another_connection_is_using_is_kept(tmp_path: Path) -> None:
    import sqlite3

    from fairmark.cli._governance import governance_session
    from fairmark.errors import UsageError

    db = tmp_path / "new" / "fairmark.db"
    other = None
    try:
        with (
            pytest.raises(UsageError, match=r"^refused$"),
            governance_session(f"sqlite:///{db}", None),
        ):
            other = sqlite3.connect(db, isolation_level=None)
            other.execute("BEGIN")
            assert other.execute("SELECT count(*) FROM gov_users").fetchone() == (0,)
            raise UsageError("refused")  # 'other' still holds its read lock
        assert db.is_file()
    finally:
        if other is not None:
            other.close()
    assert sorted(os.listdir(db.parent)) == ["fairmark.db"]


@pytest.mark.parametrize(
    ("exc", "removed"),
    [
        (typer.Exit(0), False),
        (typer.Exit(1), True),
        (typer.Exit(2), True),
        (SystemExit(0), False),
        (SystemExit(None), False),
        (SystemExit(2), True),
        (KeyboardInterrupt(), True),
        (RuntimeError("boom"), True),
    ],
    ids=repr,
)
def test_only_a_failing_command_removes_its_new_store(
    exc: BaseException, removed: bool, tmp_path: Path
) -> None:
    from fairmark.cli._governance import governance_session

    db = tmp_path / "new" / "fairmark.db"
    with pytest.raises(type(exc)), governance_session(f"sqlite:///{db}", None):
        raise exc
    assert os.path.lexists(db) is not removed
    assert os.path.lexists(tmp_path / "new") is not removed


def test_a_refused_write_on_an_existing_store_changes_nothing(
    store_url: str, gov_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = snapshot(gov_engine)
    for args, stdin, message in REFUSED_WRITES.values():
        refused_text(_write(args, stdin, store_url), message)
    assert snapshot(gov_engine) == before
    if store_url.startswith("sqlite"):
        assert (tmp_path / "store" / "fairmark.db").is_file()
