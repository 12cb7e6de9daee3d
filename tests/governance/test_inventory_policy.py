"""Who chooses the policy a system is judged against, what else is a material change, and
what a model version may look like (issue #7, new-user QA). SQLite and PostgreSQL.

- Only an admin sets a system's policy to anything but the built-in one: the owner is the
  party judged, and a policy sets the quorum, the approval validity and which rules block.
- A new use case, model type, vendor or policy is material: it reopens review, the system
  goes back to ``in_review`` and the gate fails.
- A model version is 1-100 printable ASCII characters (0x21-0x7E): no whitespace, control
  or non-ASCII character (fullwidth digits look like ASCII ones but compare differently).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    DEFAULT_POLICY_BLOCK,
    SYSTEM,
    World,
    log_actions,
    log_head,
    log_payloads,
    snapshot,
    world,
)

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError
from fairmark.governance.gate import evaluate_gate
from fairmark.governance.inventory import (
    get_system,
    recorded_policy,
    register_system,
    set_status,
    update_system,
)
from fairmark.governance.review import decide, submit_review
from fairmark.policy import load_policy


def _codes(w: World) -> list[str]:
    return [r.code for r in evaluate_gate(w.engine, SYSTEM).reasons]


def _lax_policy(folder: Path) -> Path:
    """A copy of the built-in policy with a ten-year audit age (another SHA-256)."""
    text = Path("policies/default.yaml").read_text(encoding="utf-8")
    path = folder / "lax.yaml"
    path.write_text(text.replace("audit_max_age_days: 90", "audit_max_age_days: 3650"), "utf-8")
    return path


def _register_as(w: World, who: str, name: str = SYSTEM, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "owner": "olivia",
        "purpose": "marketing.communications",
        "use_case": "lead_scoring",
        "model_version": "1.0",
        **kw,
    }
    return register_system(w.engine, name=name, principal=w[who], **args)


def _approve_and_deploy(w: World) -> int:
    """Audit, submit, approve and deploy the registered system; return the review id."""
    w.audit()
    review = submit_review(w.engine, SYSTEM, principal=w["olivia"])
    for who in [r.reviewer for r in review.reviewers]:
        decide(w.engine, review.review_id, "approve", "ok", principal=w[who])
    set_status(w.engine, SYSTEM, "deployed", principal=w["olivia"])
    assert w.status() == "deployed"
    assert _codes(w) == []
    return review.review_id


# --------------------------------------------------------------------------- who sets it


def test_only_an_admin_chooses_a_systems_policy(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    lax = _lax_policy(tmp_path)
    before = snapshot(world.engine)
    # register: an owner may not name a policy file for their own system
    with pytest.raises(AccessError) as err:
        _register_as(world, "olivia", policy=str(lax))
    assert err.value.message == (
        "only an admin chooses the policy a system is judged against; user 'olivia' (role "
        f"owner) may not set the policy of '{SYSTEM}': register it without --policy and ask "
        f"an admin to run 'fairmark system update {SYSTEM} --policy {lax}'"
    )
    assert snapshot(world.engine) == before
    # the built-in policy, named or not, is every owner's to register with
    assert _register_as(world, "olivia", policy="default").policy == "default"
    assert _register_as(world, "olivia", name="other").policy is None
    # update: an owner may not set a file either
    before = snapshot(world.engine)
    with pytest.raises(AccessError) as err:
        update_system(world.engine, SYSTEM, policy=str(lax), principal=world["olivia"])
    assert err.value.message == (
        "only an admin chooses the policy a system is judged against; user 'olivia' (role "
        f"owner) may not set the policy of '{SYSTEM}': ask an admin to run 'fairmark system "
        f"update {SYSTEM} --policy {lax}'"
    )
    assert "\n" not in err.value.message
    assert snapshot(world.engine) == before
    # an admin may; the log records the file's SHA-256 with it
    change = update_system(world.engine, SYSTEM, policy=str(lax), principal=world["ada"])
    assert change.system.policy == str(lax.resolve())
    payload = log_payloads(world.engine, "system.update")[-1]
    assert payload["policy_sha256"] == load_policy(lax).sha256
    # nor may the owner undo the admin's choice by going back to the built-in policy
    before = snapshot(world.engine)
    for back in ("", "default"):
        with pytest.raises(AccessError) as err:
            update_system(world.engine, SYSTEM, policy=back, principal=world["olivia"])
        # the suggested command is one the CLI accepts (QA: it suggested --policy '')
        assert err.value.message.endswith(
            "may not set the policy of 'bank-propensity': ask an admin to run 'fairmark system "
            "update bank-propensity --policy default'"
        )
    assert snapshot(world.engine) == before
    # the owner may still change what is theirs to change
    assert update_system(world.engine, SYSTEM, team="CRM", principal=world["olivia"]).material == ()


def test_none_and_default_are_the_same_built_in_policy(world: World) -> None:  # noqa: F811
    world.register()
    rid = _approve_and_deploy(world)
    change = update_system(world.engine, SYSTEM, policy="default", principal=world["olivia"])
    assert change.changes == {"policy": {"from": None, "to": "default"}}
    assert change.material == () and change.reopened_reviews == ()
    assert world.status() == "deployed"
    assert world.review_row(rid).status == "approved"
    assert _codes(world) == []


def test_register_records_the_policy_content_in_the_log(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    lax = _lax_policy(tmp_path)
    _register_as(world, "ada", policy=str(lax))
    _register_as(world, "olivia", name="other")
    payloads = log_payloads(world.engine, "system.register")
    assert [(p["name"], p["policy"], p["policy_sha256"]) for p in payloads] == [
        (SYSTEM, str(lax.resolve()), load_policy(lax).sha256),
        ("other", None, None),
    ]
    with world.engine.connect() as conn:
        recorded = recorded_policy(conn, SYSTEM)
        assert recorded is not None
        assert (recorded.policy, recorded.sha256, recorded.pinned, recorded.actor) == (
            str(lax.resolve()),
            load_policy(lax).sha256,
            True,
            "ada",
        )
        assert recorded_policy(conn, "nothing-here") is None


# --------------------------------------------------------------------------- material


@pytest.mark.parametrize(
    ("field", "value", "reason", "codes"),
    [
        ("use_case", "chatbot", "new use case chatbot (was targeting)",
         ["review_in_progress", "approval_reopened"]),
        ("model_type", "random forest", "new model type random forest (was gradient boosting)",
         ["review_in_progress", "approval_reopened", "audit_predates_model"]),
        ("model_type", "", "model type cleared (was gradient boosting)",
         ["review_in_progress", "approval_reopened", "audit_predates_model"]),
        ("vendor", "Acme AI", "new vendor Acme AI (was in-house)",
         ["review_in_progress", "approval_reopened", "audit_predates_model"]),
        ("policy", "LAX", "judged against another policy (default -> LAX)",
         ["review_in_progress", "approval_reopened", "audit_policy_mismatch"]),
    ],
)  # fmt: skip
def test_a_new_use_case_model_type_vendor_or_policy_reopens_review(
    world: World,  # noqa: F811
    tmp_path: Path,
    field: str,
    value: str,
    reason: str,
    codes: list[str],
) -> None:
    lax = str(_lax_policy(tmp_path).resolve())
    value, reason = value.replace("LAX", lax), reason.replace("LAX", lax)
    world.register()
    world.audit()  # (the registration is dated two days back: this audit is newer)
    update_system(world.engine, SYSTEM, model_type="gradient boosting", vendor="in-house",
                  principal=world["olivia"])  # fmt: skip
    world.set_system(model_version_at=datetime.now(UTC) - timedelta(days=1))
    rid = _approve_and_deploy(world)
    start = log_head(world.engine)
    who = "ada" if field == "policy" else "olivia"
    change = update_system(world.engine, SYSTEM, principal=world[who], **{field: value})
    assert change.material == (reason,)
    assert (change.status_from, change.status_to) == ("deployed", "in_review")
    assert change.reopened_reviews == (rid,)
    assert world.status() == "in_review"
    assert world.review_row(rid).status == "reopened"
    assert world.review_row(rid).closed_reason == f"material change: {reason}"
    assert log_actions(world.engine, start) == [
        (who, "system.update", SYSTEM),
        (who, "review.reopen", str(rid)),
        (who, "system.status", SYSTEM),
    ]
    assert log_payloads(world.engine, "system.update")[-1]["material"] == [reason]
    assert _codes(world) == codes
    # a deployed system cannot be re-deployed until it is reviewed again
    with pytest.raises(UsageError, match="from in_review to deployed"):
        set_status(world.engine, SYSTEM, "deployed", principal=world["olivia"])


def test_description_owner_and_team_stay_non_material(world: World) -> None:  # noqa: F811
    world.register()
    rid = _approve_and_deploy(world)
    change = update_system(
        world.engine,
        SYSTEM,
        principal=world["ada"],
        description="Calls about term deposits",
        team="Growth",
        owner="oscar",
    )
    assert change.material == ()
    assert world.status() == "deployed" and world.review_row(rid).status == "approved"
    assert _codes(world) == []


def test_a_new_purpose_is_material(world: World) -> None:  # noqa: F811
    """EU AI Act Art. 3(23): a change of intended purpose is a substantial modification."""
    world.register()
    rid = _approve_and_deploy(world)
    change = update_system(
        world.engine,
        SYSTEM,
        principal=world["olivia"],
        purpose="marketing.advertising.first_party.targeted",
    )
    assert change.material == (
        "new purpose marketing.advertising.first_party.targeted (was marketing.communications)",
    )
    assert world.status() == "in_review" and world.review_row(rid).status == "reopened"
    assert "approval_reopened" in _codes(world)



def test_a_material_change_and_a_status_change_need_two_updates(
    world: World,  # noqa: F811
) -> None:
    world.register()
    _approve_and_deploy(world)
    before = snapshot(world.engine)
    with pytest.raises(UsageError) as err:
        update_system(world.engine, SYSTEM, vendor="Acme", status="approved",
                      principal=world["olivia"])  # fmt: skip
    assert err.value.message == (
        f"a material change (new vendor Acme (was none)) sends '{SYSTEM}' back to review; "
        "expected --status in a separate update"
    )
    assert snapshot(world.engine) == before


# --------------------------------------------------------------------------- model version


BAD_VERSIONS = [
    ("1.0 beta", "model version '1.0 beta' is not valid: character 4 is ' ' (U+0020 SPACE); "),
    ("1.0\n", "model version '1.0\\n' is not valid: character 4 is '\\n' (U+000A); "),
    ("\t1.0", "model version '\\t1.0' is not valid: character 1 is '\\t' (U+0009); "),
    (" 1.0", "model version ' 1.0' is not valid: character 1 is ' ' (U+0020 SPACE); "),
    ("1.0\x00", "model version '1.0\\x00' is not valid: character 4 is '\\x00' (U+0000); "),
    ("1.0\x7f", "model version '1.0\\x7f' is not valid: character 4 is '\\x7f' (U+007F); "),
    (
        "1.0\u2028",
        "model version '1.0\\u2028' is not valid: character 4 is '\\u2028' "
        "(U+2028 LINE SEPARATOR); ",
    ),
    (
        "1.0\u00a0",
        "model version '1.0\\xa0' is not valid: character 4 is '\\xa0' (U+00A0 NO-BREAK SPACE); ",
    ),
    # QA: fullwidth digits look like 1.0 but are other characters; so are accents
    (
        "\uff11.\uff10",
        "model version '\uff11.\uff10' is not valid: character 1 is '\uff11' "
        "(U+FF11 FULLWIDTH DIGIT ONE); ",
    ),
    (
        "1.0+caf\u00e9",
        "model version '1.0+caf\u00e9' is not valid: character 8 is '\u00e9' "
        "(U+00E9 LATIN SMALL LETTER E WITH ACUTE); ",
    ),
    (
        "1.0\u0301",
        "model version '1.0\u0301' is not valid: character 4 is '\u0301' "
        "(U+0301 COMBINING ACUTE ACCENT); ",
    ),
    ("", "model version is empty"),
    ("   ", "model version is empty"),
    ("v" * 101, "model version is 101 characters long; expected at most 100"),
]
FORM = (
    "expected 1-100 printable ASCII characters ('!' to '~', no spaces or control characters), "
    "such as 1.0, 2.1.3-rc1 or 2025-06-01"
)


@pytest.mark.parametrize(("version", "message"), BAD_VERSIONS)
def test_a_bad_model_version_is_refused_on_register_and_update(
    world: World,  # noqa: F811
    version: str,
    message: str,
) -> None:
    world.register()
    before = snapshot(world.engine)
    with pytest.raises(UsageError) as err:
        _register_as(world, "olivia", name="other", model_version=version)
    assert err.value.message.startswith(message)
    assert "\n" not in err.value.message
    if "characters long" not in message:
        assert err.value.message.endswith(FORM)
    if message.endswith("; "):  # a refused character: named exactly, then the rule
        assert err.value.message == message + FORM
    with pytest.raises(UsageError) as err:
        update_system(world.engine, SYSTEM, model_version=version, principal=world["olivia"])
    assert err.value.message.startswith(message)
    assert snapshot(world.engine) == before


@pytest.mark.parametrize(
    "version", ["2.1.3-rc1", "2025-06-01", "v" * 100, "1.0+build.5", "x", "!~", "a" * 99 + "~"]
)
def test_good_model_versions_are_kept_exactly(world: World, version: str) -> None:  # noqa: F811
    info = _register_as(world, "olivia", model_version=version)
    assert info.model_version == version
    assert get_system(world.engine, SYSTEM, principal=world["vic"]).model_version == version
