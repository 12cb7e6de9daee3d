"""``fairmark review``: exit codes 0/2, JSON and text output, refusals with the store
unchanged, acting through API tokens. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    SYSTEM,
    World,
    snapshot,
    world,
)
from typer.testing import CliRunner

from fairmark.cli.review import app
from fairmark.governance.tokens import create_token


@pytest.fixture
def tokens(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:  # noqa: F811
    """An API token for every person of the world."""
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    return {
        name: create_token(world.engine, user=name, principal=principal)[1]
        for name, principal in world.people.items()
    }


def run(w: World, token: str, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--db-url", w.url, "--token", token])


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _refused(w: World, phrase: str, token: str, *args: str) -> str:
    before = snapshot(w.engine)
    result = run(w, token, *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert phrase in lines[0], lines[0]
    assert snapshot(w.engine) == before
    return lines[0]


def _submit(w: World, token: str) -> str:
    return str(_json(run(w, token, "submit", SYSTEM, "--format", "json"))["review_id"])


def test_review_through_the_command_line(world: World, tokens: dict[str, str]) -> None:  # noqa: F811
    world.register()
    run_id = world.audit()

    submitted = _json(run(world, tokens["olivia"], "submit", SYSTEM, "--note", "v1",
                          "--format", "json"))
    rid = str(submitted["review_id"])
    assert submitted["status"] == "open"
    assert submitted["run_id"] == run_id
    assert [r["reviewer"] for r in submitted["reviewers"]] == ["rita", "sam"]

    commented = _json(run(world, tokens["rita"], "comment", rid, "--text", "Looks fair",
                          "--format", "json"))
    assert commented["author"] == "rita"

    first = _json(run(world, tokens["rita"], "decide", rid, "--decision",
                      "approve-with-conditions", "--rationale", "ok with a fix",
                      "--condition", "Re-audit marital status", "--advisory", "Model card",
                      "--due", "2030-01-31", "--format", "json"))
    assert [(c["blocking"], c["due_on"]) for c in first["conditions"]] == [
        (True, "2030-01-31"),
        (False, "2030-01-31"),
    ]
    final = _json(run(world, tokens["sam"], "decide", rid, "--decision", "approve",
                      "--rationale", "fine", "--format", "json"))
    assert final["status"] == "approved_with_conditions"
    assert final["current"] is True

    shown = run(world, tokens["vic"], "show", rid)
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert f"review {rid}: {SYSTEM}" in text
    assert "approved_with_conditions" in text
    assert "2 of 2 decisions" in text
    assert "[blocking, open, due 2030-01-31] Re-audit marital status" in text
    assert "[advisory, open, due 2030-01-31] Model card" in text
    assert "rita (" in text and "Looks fair" in text

    condition = str(final["conditions"][0]["condition_id"])
    _refused(world, "may not review.close_condition", tokens["olivia"],
             "close-condition", condition, "--note", "done myself")
    closed = run(world, tokens["sam"], "close-condition", condition, "--note", "re-audited")
    assert closed.exit_code == 0, closed.output
    assert f"condition {condition} of review {rid} closed" in closed.stdout

    listed = _json(run(world, tokens["aud"], "list", "--status", "approved-with-conditions",
                       "--format", "json"))
    assert [r["review_id"] for r in listed] == [int(rid)]
    assert _json(run(world, tokens["aud"], "list", "--due", "--format", "json")) == []
    plain = run(world, tokens["aud"], "list", "--due")
    assert plain.stdout.strip() == "No approvals fall due for re-review."
    listing = run(world, tokens["aud"], "list", "--system", SYSTEM)
    assert f"{rid}  {SYSTEM}  1.0  approved_with_conditions  expires" in listing.stdout


def test_submit_text_says_how_many_reviewers_are_missing(
    world: World,  # noqa: F811
    tokens: dict[str, str],
) -> None:
    from sqlalchemy import update

    from fairmark.store.models_governance import User

    with world.engine.begin() as conn:
        conn.execute(update(User).where(User.name.in_(["sam", "tom"])).values(role="viewer"))
    world.register()
    world.audit()
    result = run(world, tokens["olivia"], "submit", SYSTEM)
    assert result.exit_code == 0, result.output
    assert "needs 1 more reviewer(s): fairmark review assign 1 --reviewer NAME" in result.stdout


def test_refusals_exit_2_with_one_line(world: World, tokens: dict[str, str]) -> None:  # noqa: F811
    world.register()
    _refused(world, f"no audit run is recorded for system '{SYSTEM}'", tokens["olivia"],
             "submit", SYSTEM)
    world.audit()
    _refused(world, "may not review.submit", tokens["vic"], "submit", SYSTEM)
    _refused(world, "--format: unknown value 'xml'", tokens["olivia"],
             "submit", SYSTEM, "--format", "xml")
    rid = _submit(world, tokens["olivia"])
    _refused(world, "review id 'abc' is not a number", tokens["vic"], "show", "abc")
    _refused(world, f"no review 42; expected one of: {rid} ({SYSTEM}, open)", tokens["vic"],
             "show", "42")
    _refused(world, "comment text is empty", tokens["rita"], "comment", rid, "--text", " ")
    _refused(world, "--due: 'tomorrow' is not a date; expected YYYY-MM-DD", tokens["rita"],
             "decide", rid, "--decision", "approve-with-conditions", "--rationale", "x",
             "--condition", "c", "--due", "tomorrow")
    _refused(world, "decision 'yes' is not known", tokens["rita"],
             "decide", rid, "--decision", "yes", "--rationale", "x")
    _refused(world, f"user 'tom' is not assigned to review {rid}", tokens["tom"],
             "decide", rid, "--decision", "approve", "--rationale", "x")
    _refused(world, "may not review.assign", tokens["olivia"],
             "assign", rid, "--reviewer", "tom")
    _refused(world, "review status 'done' is not known", tokens["vic"], "list", "--status", "done")
    _refused(world, "token is not valid", "fmk_0000000000000000_nope", "show", rid)


def test_assign_and_withdraw(world: World, tokens: dict[str, str]) -> None:  # noqa: F811
    world.register()
    world.audit()
    rid = _submit(world, tokens["olivia"])
    assigned = _json(run(world, tokens["ada"], "assign", rid, "--reviewer", "tom",
                         "--format", "json"))
    assert [r["reviewer"] for r in assigned["reviewers"]] == ["rita", "sam", "tom"]
    withdrawn = _json(run(world, tokens["olivia"], "withdraw", rid, "--reason", "new data",
                          "--format", "json"))
    assert (withdrawn["status"], withdrawn["closed_reason"]) == ("withdrawn", "new data")
    assert world.status() == "proposed"


def test_review_shopping_is_refused(world: World, tokens: dict[str, str]) -> None:  # noqa: F811
    world.register()
    first_run = world.audit()
    rid = _submit(world, tokens["olivia"])
    _json(run(world, tokens["rita"], "decide", rid, "--decision", "reject",
              "--rationale", "proxy for age", "--format", "json"))  # fmt: skip
    line = _refused(world, f"error: review {rid} has a reject decision by 'rita' (",
                    tokens["olivia"], "withdraw", rid, "--reason", "redo")  # fmt: skip
    assert "the system's owner 'olivia' cannot withdraw a rejected review" in line
    closed = _json(run(world, tokens["sam"], "decide", rid, "--decision", "approve",
                       "--rationale", "fine", "--format", "json"))  # fmt: skip
    assert closed["status"] == "rejected"
    line = _refused(world, f"error: review {rid} of system '{SYSTEM}' was rejected by 'rita'",
                    tokens["olivia"], "submit", SYSTEM)  # fmt: skip
    assert f"audit {first_run} is the one rejected and the model version is unchanged" in line

    newer = world.audit()
    again = _json(run(world, tokens["olivia"], "submit", SYSTEM, "--format", "json"))
    second = str(again["review_id"])
    assert (again["run_id"], again["previous_review_id"]) == (newer, int(rid))
    assert [r["reviewer"] for r in again["reviewers"]] == ["rita", "sam"]
    shown = run(world, tokens["tom"], "show", second)
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert f"previous review {rid} (rejected; model version 1.0, audit run {first_run}):" in text
    assert "  rita: reject (" in text and "): proxy for age" in text
    assert "  sam: approve (" in text and "): fine" in text
    doc = _json(run(world, tokens["tom"], "show", second, "--format", "json"))
    assert [(d["reviewer"], d["decision"]) for d in doc["previous_review"]["decisions"]] == [
        ("rita", "reject"),
        ("sam", "approve"),
    ]

    # an admin may still withdraw a rejected review; the log records whom it overrides
    _json(run(world, tokens["rita"], "decide", second, "--decision", "reject",
              "--rationale", "still a proxy", "--format", "json"))  # fmt: skip
    _refused(world, "cannot withdraw a rejected review", tokens["olivia"],
             "withdraw", second, "--reason", "redo")  # fmt: skip
    withdrawn = _json(run(world, tokens["ada"], "withdraw", second, "--reason", "rita on leave",
                          "--format", "json"))  # fmt: skip
    assert (withdrawn["status"], withdrawn["closed_reason"]) == ("withdrawn", "rita on leave")
