"""``fairmark gate NAME``: exit 0 pass, 1 fail, 2 bad input; text and JSON. Both backends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    SYSTEM,
    World,
    world,
)
from typer.testing import CliRunner

from fairmark.cli.gate import app
from fairmark.governance.review import close_condition, decide, submit_review
from fairmark.governance.tokens import create_token


@pytest.fixture
def tokens(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:  # noqa: F811
    """API tokens: everyone with all their permissions, and a viewer scoped to system.read."""
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    out = {
        name: create_token(world.engine, user=name, principal=principal)[1]
        for name, principal in world.people.items()
    }
    out["narrow"] = create_token(
        world.engine, user="vic", scopes=["system.read"], principal=world["vic"]
    )[1]
    return out


def gate(w: World, token: str, *args: str, env: dict[str, str] | None = None) -> Any:
    extra = ["--token", token] if token else []
    return CliRunner().invoke(app, [*args, "--db-url", w.url, *extra], env=env)


def test_gate_fails_then_passes(world: World, tokens: dict[str, str]) -> None:  # noqa: F811
    world.register()
    run_id = world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    decide(world.engine, review.review_id, "approve_with_conditions", "ok",
           principal=world["rita"], conditions=["Re-audit marital status"])
    info = decide(world.engine, review.review_id, "approve", "ok", principal=world["sam"])

    closed = gate(world, tokens["vic"], SYSTEM)
    assert closed.exit_code == 1, closed.output
    lines = closed.stdout.splitlines()
    assert lines[0].startswith(f"FAIL {SYSTEM}  (model version 1.0, tier minimal_risk")
    assert lines[1].startswith("  - 1 blocking condition(s) of review 1 still open")
    assert lines[1].endswith("--note TEXT' [open_blocking_condition]")
    assert f"  latest audit: {run_id}" in lines

    document = json.loads(gate(world, tokens["aud"], SYSTEM, "--format", "json").stdout)
    assert document["passed"] is False
    assert [r["code"] for r in document["reasons"]] == ["open_blocking_condition"]

    close_condition(world.engine, info.conditions[0].condition_id, "done", principal=world["rita"])
    opened = gate(world, tokens["vic"], SYSTEM)
    assert opened.exit_code == 0, opened.output
    assert opened.stdout.startswith(f"PASS {SYSTEM}")
    as_json = gate(world, "", SYSTEM, "--format", "json", env={"FAIRMARK_TOKEN": tokens["vic"]})
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["passed"] is True


@pytest.mark.parametrize(
    ("args", "token", "phrase"),
    [
        (["nope"], "vic", "no AI system 'nope'"),
        ([SYSTEM, "--format", "yaml"], "vic", "--format: unknown value 'yaml'"),
        ([SYSTEM], "narrow", "is not scoped for gate.check"),
    ],
)
def test_gate_bad_input_exits_2(
    world: World,  # noqa: F811
    tokens: dict[str, str],
    args: list[str],
    token: str,
    phrase: str,
) -> None:
    world.register()
    result = gate(world, tokens[token], *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and phrase in lines[0], result.stderr


def test_a_closed_gate_lists_every_reason(world: World, tokens: dict[str, str]) -> None:  # noqa: F811
    world.register(tier=None)
    result = gate(world, tokens["olivia"], SYSTEM)
    assert result.exit_code == 1
    reasons = [line for line in result.stdout.splitlines() if line.startswith("  - ")]
    assert [r.rsplit("[", 1)[1] for r in reasons] == [
        "status_proposed]",
        "not_classified]",
        "no_approval]",
        "no_audit]",
    ]


def test_the_gate_fails_while_a_re_review_is_open(world: World, tokens: dict[str, str]) -> None:  # noqa: F811
    """A voluntary re-review: the earlier approval stands, but the system is in_review, so
    the gate exits 1 (as 'system update --status deployed' is refused)."""
    world.register()
    world.audit()
    first = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in ("rita", "sam"):
        decide(world.engine, first.review_id, "approve", "ok", principal=world[who])
    assert gate(world, tokens["vic"], SYSTEM).exit_code == 0
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    result = gate(world, tokens["vic"], SYSTEM, "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["passed"] is False
    assert document["reasons"] == [{
        "code": "review_in_progress",
        "message": f"system '{SYSTEM}' is in review (status in_review): review "
        f"{second.review_id} is open, and the system may be deployed only once it approves "
        f"('fairmark review show {second.review_id}')",
    }]  # fmt: skip
    assert {c["id"]: c["status"] for c in document["checks"]}["status"] == "failed"


def test_a_missing_policy_file_is_a_closed_gate_not_bad_input(
    world: World,  # noqa: F811
    tokens: dict[str, str],
    tmp_path: Any,
) -> None:
    """QA: a deleted policy file made 'fairmark gate' exit 2, which a pipeline reads as a
    mistyped command. It is a closed gate: exit 1, one reason naming the file and what to
    do. An unknown system stays exit 2."""
    from pathlib import Path

    from tests.governance._review_support import DEFAULT_POLICY_BLOCK, snapshot

    from fairmark.policy import load_policy

    path = tmp_path / "team.yaml"
    path.write_text(Path("policies/default.yaml").read_text(encoding="utf-8"), "utf-8")
    team = load_policy(path)
    world.register(policy=str(path))
    world.audit(policy={**DEFAULT_POLICY_BLOCK, "sha256": team.sha256, "path": str(path)})
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in [r.reviewer for r in review.reviewers]:
        decide(world.engine, review.review_id, "approve", "ok", principal=world[who])
    assert gate(world, tokens["vic"], SYSTEM).exit_code == 0
    path.unlink()
    before = snapshot(world.engine)
    message = (
        f"policy file {path} of '{SYSTEM}' (set by ada, sha256 {team.sha256[:12]}) does not "
        "exist; restore it at that path, or an admin sets another policy with 'fairmark "
        f"system update {SYSTEM} --policy FILE' (a material change: it reopens review)"
    )
    text = gate(world, tokens["vic"], SYSTEM)
    assert text.exit_code == 1, text.output
    assert text.stderr == ""
    reasons = [line for line in text.stdout.splitlines() if line.startswith("  - ")]
    assert reasons == [f"  - {message} [policy_missing]"]
    as_json = gate(world, tokens["vic"], SYSTEM, "--format", "json")
    assert as_json.exit_code == 1, as_json.output
    document = json.loads(as_json.stdout)
    assert document["passed"] is False
    assert document["reasons"] == [{"code": "policy_missing", "message": message}]
    assert snapshot(world.engine) == before
    unknown = gate(world, tokens["vic"], "nope")
    assert unknown.exit_code == 2
    assert unknown.stderr.strip().splitlines()[0].startswith("error: no AI system 'nope'")
