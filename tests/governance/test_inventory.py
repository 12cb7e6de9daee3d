"""The AI system inventory: register, list, show, update, retire; transitions; material
changes; role checks with the store unchanged. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, update
from tests.governance._inventory_support import (
    PEOPLE,
    add_review,
    log,
    log_head,
    register,
    review_states,
    set_row,
    snapshot,
    status_of,
)

from fairmark.errors import PolicyError, UsageError
from fairmark.governance.access import AccessError, Principal
from fairmark.governance.inventory import (
    TRANSITIONS,
    USE_CASES,
    get_system,
    list_systems,
    move_status,
    normalise_use_case,
    reopen_reviews,
    retire_system,
    set_status,
    update_system,
)
from fairmark.store import RunStore
from fairmark.store.db import write_transaction
from fairmark.store.models import AuditRun
from fairmark.store.models_governance import Review, User


@pytest.fixture
def people(seed_people: Callable[..., dict[str, Principal]]) -> dict[str, Principal]:
    return seed_people(PEOPLE)


# --------------------------------------------------------------------------- register


def test_register_stores_every_field_and_logs_it(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    head = log_head(gov_engine)
    info = register(
        gov_engine,
        people["olivia"],
        use_case="Lead-Scoring",
        team="CRM analytics",
        description="Who to call about a term deposit",
        data_categories=("user.financial", "user.contact", "user.financial"),
        model_type="gradient boosting",
        vendor="in-house",
        policy="default",
    )
    assert info.name == "bank-propensity"
    assert info.owner == "olivia"
    assert info.use_case == "lead_scoring"
    assert info.data_categories == ("user.financial", "user.contact")
    assert info.status == "proposed"
    assert info.team == "CRM analytics"
    assert info.model_type == "gradient boosting"
    assert info.vendor == "in-house"
    assert info.policy == "default"
    assert info.risk is None and info.risk_tier is None
    assert info.model_version_at == info.created_at
    assert info.audit_runs == () and info.reviews == ()
    entries = log(gov_engine, head)
    assert [e[:3] for e in entries] == [("system.register", "system", "bank-propensity")]
    payload = entries[0][3]
    assert payload["use_case"] == "lead_scoring"
    assert payload["data_categories"] == ["user.financial", "user.contact"]
    assert payload["status"] == "proposed"
    again = get_system(gov_engine, "bank-propensity", principal=people["vic"])
    assert again.to_dict() == info.to_dict()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("lead-scoring", "lead_scoring"),
        ("Lead Scoring", "lead_scoring"),
        ("pricing/offers", "pricing_offers"),
        ("personalization", "personalisation"),
        ("CHATBOT", "chatbot"),
        ("content-generation", "content_generation"),
    ],
)
def test_use_case_variants_are_stored_canonically(given: str, expected: str) -> None:
    assert normalise_use_case(given) == expected
    assert expected in USE_CASES


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Bank Propensity"}, "AI system name 'Bank Propensity' is not valid"),
        ({"name": "-bad"}, "AI system name '-bad' is not valid"),
        ({"use_case": "fortune-telling"}, "unknown use case 'fortune-telling'; expected one of "
         "targeting, lead_scoring, personalisation, pricing_offers, content_generation, "
         "chatbot, bidding"),
        ({"purpose": "marketing.telepathy"}, "purpose 'marketing.telepathy' is not declared in "
         "policy fairmark-default (settings.purposes); expected one of "
         "analytics.reporting.campaign_insights, marketing.advertising.first_party.targeted, "
         "marketing.communications"),
        ({"purpose": "Marketing Comms"}, "purpose 'Marketing Comms' is not a fideslang data use"),
        ({"data_categories": ("financial",)}, "data category 'financial' is not a fideslang "
         "data category; expected a dotted key starting with 'user.' or 'system.'"),
        ({"data_categories": ("user.Financial",)}, "data category 'user.Financial' is not"),
        ({"owner": "nobody"}, "owner 'nobody' is not a registered user; expected a user with "
         "role owner or admin"),
        ({"owner": "olivai"}, "owner 'olivai' is not a registered user; did you mean 'olivia'?"),
        ({"owner": "rita"}, "owner 'rita' has role reviewer; expected a user with role owner "
         "or admin"),
        ({"model_version": "  "}, "model version is empty"),
    ],
)
def test_register_refuses_bad_input_and_changes_nothing(
    gov_engine: Engine, people: dict[str, Principal], change: dict[str, Any], message: str
) -> None:
    before = snapshot(gov_engine)
    args: dict[str, Any] = {"name": "bank-propensity", **change}
    name = args.pop("name")
    with pytest.raises(UsageError) as err:
        register(gov_engine, people["ada"], name=name, **args)
    assert message in err.value.message
    assert "\n" not in err.value.message
    assert snapshot(gov_engine) == before


def test_register_refuses_a_bad_policy_file(
    gov_engine: Engine, people: dict[str, Principal], tmp_path: Any
) -> None:
    before = snapshot(gov_engine)
    with pytest.raises(PolicyError, match=r"does-not-exist\.yaml"):
        register(gov_engine, people["ada"], policy=str(tmp_path / "does-not-exist.yaml"))
    assert snapshot(gov_engine) == before


def test_register_refuses_a_disabled_owner(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    with gov_engine.begin() as conn:
        conn.execute(
            update(User).where(User.name == "oscar").values(disabled_at=datetime.now(UTC))
        )
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="owner 'oscar' is disabled"):
        register(gov_engine, people["ada"], owner="oscar")
    assert snapshot(gov_engine) == before


def test_duplicate_name_is_refused(gov_engine: Engine, people: dict[str, Principal]) -> None:
    register(gov_engine, people["olivia"])
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="AI system 'bank-propensity' is already registered"):
        register(gov_engine, people["ada"], owner="oscar")
    assert snapshot(gov_engine) == before


def test_bootstrap_admin_registers_on_an_empty_store(gov_engine: Engine) -> None:
    boot = Principal(name="first", role="admin", via="bootstrap")
    info = register(gov_engine, boot, owner="first")
    assert info.owner == "first"
    assert [e[0] for e in log(gov_engine)] == ["user.bootstrap", "system.register"]
    with gov_engine.connect() as conn:
        assert conn.execute(select(User.role).where(User.name == "first")).scalar() == "admin"


def test_bootstrap_refusal_rolls_back_the_bootstrap_user(gov_engine: Engine) -> None:
    boot = Principal(name="first", role="admin", via="bootstrap")
    with pytest.raises(UsageError, match="owner 'someone' is not a registered user"):
        register(gov_engine, boot, owner="someone")
    assert snapshot(gov_engine) == {"gov_users": [], "gov_systems": [], "gov_reviews": [],
                                    "gov_log": []}


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize("who", ["rita", "aud", "vic"])
def test_roles_without_system_write_cannot_register_update_or_retire(
    gov_engine: Engine, people: dict[str, Principal], who: str
) -> None:
    register(gov_engine, people["olivia"])
    before = snapshot(gov_engine)
    role = PEOPLE[who]
    expected = f"user '{who}' (role {role}) may not system.write; it needs role admin or owner"
    calls: list[Callable[[], Any]] = [
        lambda: register(gov_engine, people[who], name="other", owner="olivia"),
        lambda: update_system(gov_engine, "bank-propensity", principal=people[who], team="x"),
        lambda: update_system(
            gov_engine, "bank-propensity", principal=people[who], model_version="2.0"
        ),
        lambda: retire_system(gov_engine, "bank-propensity", principal=people[who], reason="x"),
        lambda: set_status(gov_engine, "bank-propensity", "retired", principal=people[who],
                           reason="x"),
    ]
    for call in calls:
        with pytest.raises(AccessError) as err:
            call()
        assert err.value.message == expected
    assert snapshot(gov_engine) == before
    # but they can read
    assert get_system(gov_engine, "bank-propensity", principal=people[who]).owner == "olivia"
    assert [s.name for s in list_systems(gov_engine, principal=people[who])] == [
        "bank-propensity"
    ]


def test_owner_cannot_touch_another_owners_system(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    before = snapshot(gov_engine)
    expected = (
        "user 'oscar' (role owner) may not system.write for a system owned by 'olivia'; "
        "expected the system's owner or an admin"
    )
    for call in (
        lambda: register(gov_engine, people["oscar"], name="mine", owner="olivia"),
        lambda: update_system(gov_engine, "bank-propensity", principal=people["oscar"],
                              model_version="2"),
        lambda: retire_system(gov_engine, "bank-propensity", principal=people["oscar"],
                              reason="x"),
    ):
        with pytest.raises(AccessError) as err:
            call()
        assert err.value.message == expected
    # an owner cannot hand their own system to someone else either: the message names the
    # real owner (QA: it named the new owner as the owner)
    with pytest.raises(AccessError) as err:
        update_system(gov_engine, "bank-propensity", principal=people["olivia"], owner="oscar")
    assert err.value.message == (
        "user 'olivia' (role owner) may not hand AI system 'bank-propensity' (owned by "
        "'olivia') to 'oscar': only an admin reassigns a system to another owner; ask an "
        "admin to run 'fairmark system update bank-propensity --owner oscar'"
    )
    # an unknown user is named as such first, not as a permission problem
    with pytest.raises(UsageError) as usage:
        update_system(gov_engine, "bank-propensity", principal=people["olivia"], owner="nobody")
    assert usage.value.message == (
        "owner 'nobody' is not a registered user; expected a user with role owner or admin "
        "(add one with 'fairmark user add')"
    )
    # the same for an admin, who may reassign
    with pytest.raises(UsageError) as usage:
        update_system(gov_engine, "bank-propensity", principal=people["ada"], owner="nobody")
    assert usage.value.message.startswith("owner 'nobody' is not a registered user")
    assert snapshot(gov_engine) == before
    # the admin can reassign
    change = update_system(gov_engine, "bank-propensity", principal=people["ada"], owner="oscar")
    assert change.system.owner == "oscar"
    assert change.material == ()


def test_token_without_scope_cannot_read(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    scoped = Principal(name="vic", role="viewer", via="token", scopes=frozenset({"gate.check"}),
                       token_id="tok1")
    with pytest.raises(AccessError, match=r"token tok1 is not scoped for system\.read"):
        get_system(gov_engine, "bank-propensity", principal=scoped)


# --------------------------------------------------------------------------- read


def test_unknown_system_names_near_matches_or_the_known_ones(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    with pytest.raises(UsageError) as err:
        get_system(gov_engine, "anything", principal=people["vic"])
    assert err.value.message == (
        "no AI system 'anything'; the inventory is empty "
        "(register one with 'fairmark system register')"
    )
    register(gov_engine, people["olivia"])
    register(gov_engine, people["olivia"], name="web-chatbot", use_case="chatbot")
    with pytest.raises(UsageError) as err:
        get_system(gov_engine, "bank-propensty", principal=people["vic"])
    assert err.value.message == "no AI system 'bank-propensty'; did you mean 'bank-propensity'?"
    with pytest.raises(UsageError) as err:
        get_system(gov_engine, "zzz", principal=people["vic"])
    assert err.value.message == "no AI system 'zzz'; expected one of: bank-propensity, web-chatbot"
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="did you mean 'bank-propensity'"):
        update_system(gov_engine, "bank-propensty", principal=people["ada"], team="x")
    assert snapshot(gov_engine) == before


def test_list_filters_by_status_and_owner(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"], name="b-system")
    register(gov_engine, people["oscar"], name="a-system", owner="oscar")
    register(gov_engine, people["olivia"], name="c-system")
    retire_system(gov_engine, "c-system", principal=people["olivia"], reason="never used")
    vic = people["vic"]
    assert [s.name for s in list_systems(gov_engine, principal=vic)] == [
        "a-system", "b-system", "c-system"
    ]
    assert [s.name for s in list_systems(gov_engine, owner="olivia", principal=vic)] == [
        "b-system", "c-system"
    ]
    assert [s.name for s in list_systems(gov_engine, status="retired", principal=vic)] == [
        "c-system"
    ]
    assert [
        s.name for s in list_systems(gov_engine, status="proposed", owner="olivia", principal=vic)
    ] == ["b-system"]
    with pytest.raises(UsageError, match="unknown status 'live'; expected one of proposed, "
                       "in_review, approved, deployed, retired"):
        list_systems(gov_engine, status="live", principal=vic)


def test_show_links_audit_runs_newest_first_and_reviews(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    register(gov_engine, people["olivia"])
    with RunStore(store_url) as store:
        old = store.record_run(make_report(system_name="bank-propensity", verdict="fail",
                                           created_at="2026-01-01T00:00:00Z"))
        new = store.record_run(make_report(system_name="bank-propensity", verdict="pass",
                                           created_at="2026-02-01T00:00:00Z"))
        store.record_run(make_report(system_name="something-else"))
    review = add_review(gov_engine, store_url, make_report, "open")
    info = get_system(gov_engine, "bank-propensity", principal=people["aud"])
    # the review's own run (created 2026-11-30 by make_report) is newest
    assert [r.run_id for r in info.audit_runs][1:] == [new, old]
    assert [r.verdict for r in info.audit_runs][1:] == ["pass", "fail"]
    assert info.audit_run_count == 3
    assert [(r.review_id, r.status) for r in info.reviews] == [(review, "open")]
    doc = info.to_dict()
    assert doc["audit_runs"][1] == {"run_id": new, "created_at": "2026-02-01T00:00:00.000000Z",
                                    "verdict": "pass"}
    assert doc["reviews"][0]["review_id"] == review


def test_show_lists_at_most_20_runs_but_counts_all(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    register(gov_engine, people["olivia"])
    with RunStore(store_url) as store:
        for day in range(1, 23):
            store.record_run(make_report(system_name="bank-propensity",
                                         created_at=f"2026-03-{day:02d}T00:00:00Z"))
    info = get_system(gov_engine, "bank-propensity", principal=people["vic"])
    assert len(info.audit_runs) == 20
    assert info.audit_run_count == 22
    assert info.audit_runs[0].created_at == datetime(2026, 3, 22, tzinfo=UTC)


# --------------------------------------------------------------------------- update


def test_non_material_update_changes_fields_and_logs_once(
    gov_engine: Engine, store_url: str, people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    register(gov_engine, people["olivia"], team="CRM", data_categories=("user.financial",
                                                                        "user.contact"))
    set_row(gov_engine, status="approved")
    review = add_review(gov_engine, store_url, make_report, "approved")
    head = log_head(gov_engine)
    change = update_system(
        gov_engine,
        "bank-propensity",
        principal=people["olivia"],
        team="",
        description="new words",
        remove_data_categories=("user.contact",),
    )
    assert change.material == ()
    assert change.reopened_reviews == ()
    assert change.status_from == change.status_to == "approved"
    assert change.changes == {
        "team": {"from": "CRM", "to": None},
        "description": {"from": None, "to": "new words"},
        "data_categories": {"from": ["user.financial", "user.contact"],
                            "to": ["user.financial"]},
    }
    assert status_of(gov_engine) == "approved"
    assert review_states(gov_engine) == {review: ("approved", None)}
    entries = log(gov_engine, head)
    assert [e[0] for e in entries] == ["system.update"]
    assert entries[0][3]["material"] == []


@pytest.mark.parametrize("status", ["approved", "deployed"])
def test_new_model_version_reopens_reviews_and_sends_back_to_review(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
    status: str,
) -> None:
    register(gov_engine, people["olivia"])
    set_row(gov_engine, status=status, model_version_at=datetime.now(UTC) - timedelta(days=3))
    approved = add_review(gov_engine, store_url, make_report, "approved")
    conditional = add_review(gov_engine, store_url, make_report, "approved_with_conditions")
    rejected = add_review(gov_engine, store_url, make_report, "rejected")
    before_at = get_system(gov_engine, "bank-propensity", principal=people["vic"]).model_version_at
    head = log_head(gov_engine)
    change = update_system(gov_engine, "bank-propensity", principal=people["olivia"],
                           model_version="1.1")
    assert change.material == ("new model version 1.1 (was 1.0)",)
    assert change.reopened_reviews == (approved, conditional)
    assert (change.status_from, change.status_to) == (status, "in_review")
    assert change.changes["status"] == {"from": status, "to": "in_review"}
    assert status_of(gov_engine) == "in_review"
    reason = "material change: new model version 1.1 (was 1.0)"
    assert review_states(gov_engine) == {
        approved: ("reopened", reason),
        conditional: ("reopened", reason),
        rejected: ("rejected", None),
    }
    info = get_system(gov_engine, "bank-propensity", principal=people["vic"])
    assert info.model_version == "1.1"
    assert info.model_version_at > before_at
    entries = log(gov_engine, head)
    assert [(a, t, i) for a, t, i, _ in entries] == [
        ("system.update", "system", "bank-propensity"),
        ("review.reopen", "review", str(approved)),
        ("review.reopen", "review", str(conditional)),
        ("system.status", "system", "bank-propensity"),
    ]
    assert entries[0][3]["material"] == ["new model version 1.1 (was 1.0)"]
    assert entries[1][3] == {"system": "bank-propensity", "status_from": "approved",
                             "status_to": "reopened", "reason": reason}
    assert entries[3][3]["status_to"] == "in_review"


def test_new_data_category_is_material_but_removing_one_is_not(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    register(gov_engine, people["olivia"], data_categories=("user.financial", "user.contact"))
    set_row(gov_engine, status="deployed")
    review = add_review(gov_engine, store_url, make_report, "approved")
    change = update_system(gov_engine, "bank-propensity", principal=people["olivia"],
                           remove_data_categories=("user.contact",))
    assert change.material == () and status_of(gov_engine) == "deployed"
    assert review_states(gov_engine)[review][0] == "approved"
    # re-adding a category that was removed is new again
    change = update_system(gov_engine, "bank-propensity", principal=people["olivia"],
                           add_data_categories=("user.contact", "user.behavior"))
    assert change.material == ("new data categories user.contact, user.behavior",)
    assert change.reopened_reviews == (review,)
    assert status_of(gov_engine) == "in_review"
    # replacing the list with a subset plus nothing new is not material
    set_row(gov_engine, status="approved")
    change = update_system(gov_engine, "bank-propensity", principal=people["olivia"],
                           data_categories=("user.financial",))
    assert change.material == () and status_of(gov_engine) == "approved"


def test_material_change_of_a_proposed_system_only_updates(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    head = log_head(gov_engine)
    change = update_system(gov_engine, "bank-propensity", principal=people["olivia"],
                           model_version="2.0")
    assert change.material == ("new model version 2.0 (was 1.0)",)
    assert change.status_to == "proposed" and change.reopened_reviews == ()
    assert [e[0] for e in log(gov_engine, head)] == ["system.update"]


def test_material_change_in_review_reopens_the_open_review(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    register(gov_engine, people["olivia"])
    set_row(gov_engine, status="in_review")
    review = add_review(gov_engine, store_url, make_report, "open")
    change = update_system(gov_engine, "bank-propensity", principal=people["olivia"],
                           add_data_categories=("user.device",))
    assert change.reopened_reviews == (review,)
    assert change.status_to == "in_review"
    assert review_states(gov_engine)[review] == (
        "reopened", "material change: new data category user.device"
    )


def test_reopen_reviews_directly(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    register(gov_engine, people["olivia"])
    register(gov_engine, people["olivia"], name="other")
    ids = [add_review(gov_engine, store_url, make_report, s)
           for s in ("open", "withdrawn", "approved_with_conditions", "reopened")]
    elsewhere = add_review(gov_engine, store_url, make_report, "approved", system="other")
    head = log_head(gov_engine)
    with write_transaction(gov_engine) as conn:
        assert reopen_reviews(conn, "bank-propensity", "failed re-audit run x", "ada") == [
            ids[0], ids[2]
        ]
    states = review_states(gov_engine)
    assert states[ids[0]] == ("reopened", "failed re-audit run x")
    assert states[ids[1]] == ("withdrawn", None)
    assert states[ids[2]] == ("reopened", "failed re-audit run x")
    assert states[ids[3]] == ("reopened", None)
    assert states[elsewhere] == ("approved", None)
    assert [(a, i, p["status_from"]) for a, _, i, p in log(gov_engine, head)] == [
        ("review.reopen", str(ids[0]), "open"),
        ("review.reopen", str(ids[2]), "approved_with_conditions"),
    ]
    with write_transaction(gov_engine) as conn:
        assert reopen_reviews(conn, "bank-propensity", "again", "ada") == []
        with pytest.raises(UsageError, match="reopen reason is empty"):
            reopen_reviews(conn, "bank-propensity", " ", "ada")


def test_update_refusals_change_nothing(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"], team="CRM")
    set_row(gov_engine, status="approved")
    before = snapshot(gov_engine)
    olivia = people["olivia"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "nothing to change for 'bank-propensity'; expected at least one new value"),
        ({"team": "CRM"}, "nothing to change for 'bank-propensity'"),
        ({"model_version": "1.0"}, "nothing to change"),
        ({"add_data_categories": ("user.financial",)}, "nothing to change"),
        ({"remove_data_categories": ("user.contact",)},
         "cannot remove data category 'user.contact' from 'bank-propensity': not among its "
         "categories; expected one of user.financial"),
        ({"add_data_categories": ("contact",)}, "data category 'contact' is not a fideslang"),
        ({"use_case": "astrology"}, "unknown use case 'astrology'"),
        ({"status": "live"}, "unknown status 'live'"),
        ({"status": "proposed"},
         "cannot set 'bank-propensity' from approved to proposed by hand: that is done by a "
         "prohibited classification; allowed by hand from approved: deployed (only when "
         "'fairmark gate' passes), retired"),
        ({"status": "in_review"},
         "cannot set 'bank-propensity' from approved to in_review by hand: that is done by a "
         "material change or 'fairmark review submit'; allowed by hand from approved: deployed "
         "(only when 'fairmark gate' passes), retired"),
        ({"status": "approved"}, "AI system 'bank-propensity' is already approved"),
        ({"status": "retired"}, "retiring 'bank-propensity' needs a reason"),
        ({"model_version": "2.0", "status": "retired", "reason": "x"},
         "a material change (new model version 2.0 (was 1.0)) sends 'bank-propensity' back to "
         "review; expected --status in a separate update"),
    ]
    for kwargs, message in cases:
        with pytest.raises(UsageError) as err:
            update_system(gov_engine, "bank-propensity", principal=olivia, **kwargs)
        assert message in err.value.message, kwargs
    with pytest.raises(UsageError, match="owner 'rita' has role reviewer"):
        update_system(gov_engine, "bank-propensity", principal=people["ada"], owner="rita")
    assert snapshot(gov_engine) == before


# --------------------------------------------------------------------------- transitions


ILLEGAL = [
    (source, target)
    for source in ("proposed", "in_review", "approved", "deployed", "retired")
    for target in ("proposed", "in_review", "approved", "deployed", "retired")
    if source != target and target not in TRANSITIONS[source]
]


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused_naming_the_allowed_ones(
    gov_engine: Engine, people: dict[str, Principal], source: str, target: str
) -> None:
    register(gov_engine, people["olivia"])
    set_row(gov_engine, status=source)
    before = snapshot(gov_engine)
    with pytest.raises(UsageError) as err:
        set_status(gov_engine, "bank-propensity", target, principal=people["ada"], reason="r")
    message = err.value.message
    assert message.startswith(f"cannot move 'bank-propensity' from {source} to {target}; ")
    if source == "retired":
        assert message.endswith("retired is final, no change is allowed")
    else:
        allowed = ", ".join(t.describe() for t in TRANSITIONS[source].values())
        assert message.endswith(f"allowed from {source}: {allowed}")
    assert snapshot(gov_engine) == before
    # the review workflow's entry point refuses the same moves
    with write_transaction(gov_engine) as conn, pytest.raises(UsageError) as err2:
        move_status(conn, "bank-propensity", target, actor="ada", by="test")
    assert err2.value.message == message


def test_proposed_to_deployed_message_is_exact(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    with pytest.raises(UsageError) as err:
        set_status(gov_engine, "bank-propensity", "deployed", principal=people["olivia"])
    assert err.value.message == (
        "cannot move 'bank-propensity' from proposed to deployed; allowed from proposed: "
        "in_review (by 'fairmark review submit'), retired"
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [("proposed", "in_review"), ("in_review", "approved"), ("in_review", "proposed"),
     ("approved", "in_review"), ("deployed", "in_review")],
)
def test_workflow_transitions_are_not_manual(
    gov_engine: Engine, people: dict[str, Principal], source: str, target: str
) -> None:
    register(gov_engine, people["olivia"])
    set_row(gov_engine, status=source)
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match=f"from {source} to {target} by hand: that is done by"):
        set_status(gov_engine, "bank-propensity", target, principal=people["ada"])
    assert snapshot(gov_engine) == before
    # but the review workflow may make them
    head = log_head(gov_engine)
    with write_transaction(gov_engine) as conn:
        assert move_status(conn, "bank-propensity", target, actor="rita", by="review.decide",
                           reason="quorum") == source
    assert status_of(gov_engine) == target
    assert log(gov_engine, head) == [
        ("system.status", "system", "bank-propensity",
         {"status_from": source, "status_to": target, "by": "review.decide", "reason": "quorum"})
    ]


@pytest.mark.parametrize("source", ["proposed", "in_review", "approved", "deployed"])
def test_retire_from_any_status_withdraws_open_reviews(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
    source: str,
) -> None:
    register(gov_engine, people["olivia"])
    set_row(gov_engine, status=source)
    open_review = add_review(gov_engine, store_url, make_report, "open")
    approved = add_review(gov_engine, store_url, make_report, "approved")
    head = log_head(gov_engine)
    change = retire_system(gov_engine, "bank-propensity", principal=people["olivia"],
                           reason="replaced by v2")
    assert (change.status_from, change.status_to) == (source, "retired")
    assert change.withdrawn_reviews == (open_review,)
    assert review_states(gov_engine) == {
        open_review: ("withdrawn", "system retired: replaced by v2"),
        approved: ("approved", None),
    }
    entries = log(gov_engine, head)
    assert [(a, i) for a, _, i, _ in entries] == [
        ("review.close", str(open_review)),
        ("system.status", "bank-propensity"),
    ]
    assert entries[1][3]["reason"] == "replaced by v2"
    # retired is final
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="AI system 'bank-propensity' is retired; a retired "
                       "system cannot be changed"):
        update_system(gov_engine, "bank-propensity", principal=people["ada"], team="x")
    with pytest.raises(UsageError, match="is already retired"):
        retire_system(gov_engine, "bank-propensity", principal=people["ada"], reason="again")
    assert snapshot(gov_engine) == before


def test_retire_needs_a_reason(gov_engine: Engine, people: dict[str, Principal]) -> None:
    register(gov_engine, people["olivia"])
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="retiring 'bank-propensity' needs a reason"):
        retire_system(gov_engine, "bank-propensity", principal=people["olivia"], reason="  ")
    assert snapshot(gov_engine) == before


def test_deploy_is_refused_when_the_gate_fails(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    set_row(gov_engine, status="approved", risk={"tier": "minimal_risk"})
    before = snapshot(gov_engine)
    with pytest.raises(UsageError) as err:
        set_status(gov_engine, "bank-propensity", "deployed", principal=people["olivia"])
    assert err.value.message.startswith(
        "cannot deploy 'bank-propensity': the deployment gate fails ("
    )
    assert err.value.message.endswith("expected 'fairmark gate' to pass first")
    assert snapshot(gov_engine) == before


def test_deploy_and_undeploy_when_the_gate_passes(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    from fairmark.policy import load_policy

    policy = load_policy("default")
    register(gov_engine, people["olivia"])
    past = datetime.now(UTC) - timedelta(days=2)
    set_row(gov_engine, status="approved", risk={"tier": "minimal_risk"}, model_version_at=past)
    recent = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    finding = {
        "rule_id": "disparate-impact", "check": "fairness.disparate_impact",
        "severity": "block", "verdict": "pass", "principle": "fairness",
        "feature": "age_band", "group": "18-34", "value": 0.95,
        "bound": {"min": 0.8, "max": None}, "judge": "estimate", "message": "ok",
    }
    report = make_report(
        system_name="bank-propensity", verdict="pass", created_at=recent, findings=[finding],
        policy={"id": policy.id, "version": policy.version, "owner": policy.owner,
                "review_by": policy.review_by.isoformat(), "sha256": policy.sha256,
                "path": "policies/default.yaml"},
    )
    with RunStore(store_url) as store:
        run_id = store.record_run(report)
    now = datetime.now(UTC)
    expires = now + timedelta(days=365)
    from fairmark.governance.chain import append_entry

    with gov_engine.begin() as conn:
        review_id = conn.execute(insert(Review).values(
            system_name="bank-propensity", model_version="1.0", run_id=run_id,
            status="approved", quorum=2, submitted_by="olivia", submitted_at=now,
            decided_at=now, expires_at=expires,
        ).returning(Review.review_id)).scalar_one()
        # the gate checks the approval against the log (what review.close would record)
        append_entry(conn, actor="test", action="review.close", entity_type="review",
                     entity_id=str(review_id), payload={
                         "outcome": "approved",
                         "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     })
    from fairmark.governance.gate import evaluate_gate

    gate = evaluate_gate(gov_engine, "bank-propensity")
    assert gate.passed, [r.message for r in gate.reasons]
    change = set_status(gov_engine, "bank-propensity", "deployed", principal=people["olivia"])
    assert (change.status_from, change.status_to) == ("approved", "deployed")
    change = set_status(gov_engine, "bank-propensity", "approved", principal=people["olivia"],
                        reason="campaign paused")
    assert change.status_to == "approved"
    assert [e[3]["status_to"] for e in log(gov_engine) if e[0] == "system.status"] == [
        "deployed", "approved"
    ]


def test_prohibited_system_cannot_enter_review_or_deploy(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    set_row(gov_engine, risk={"tier": "prohibited"})
    before = snapshot(gov_engine)
    with write_transaction(gov_engine) as conn, pytest.raises(UsageError) as err:
        move_status(conn, "bank-propensity", "in_review", actor="olivia", by="review.submit")
    assert err.value.message == (
        "cannot move 'bank-propensity' to in_review: it is classified as a prohibited AI "
        "practice (EU AI Act Art. 5); expected it to be changed and re-classified, or retired"
    )
    set_row(gov_engine, status="approved")
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="classified as a prohibited AI practice"):
        set_status(gov_engine, "bank-propensity", "deployed", principal=people["ada"])
    assert snapshot(gov_engine) == before
    # a material change sends it back to proposed, not to review
    change = update_system(gov_engine, "bank-propensity", principal=people["olivia"],
                           model_version="1.1")
    assert change.status_to == "proposed"


def test_audit_run_rows_are_untouched_by_inventory(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    register(gov_engine, people["olivia"])
    with RunStore(store_url) as store:
        store.record_run(make_report(system_name="bank-propensity"))
    with gov_engine.connect() as conn:
        runs_before = conn.execute(select(AuditRun.run_id)).all()
    retire_system(gov_engine, "bank-propensity", principal=people["ada"], reason="done")
    with gov_engine.connect() as conn:
        assert conn.execute(select(AuditRun.run_id)).all() == runs_before
