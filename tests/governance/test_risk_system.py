"""Classifying an AI system of the inventory: stored, logged, role-checked, material when
the tier of a system under review or approved changes. SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
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

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError, Principal
from fairmark.governance.chain import canonical_json
from fairmark.governance.inventory import get_system, retire_system
from fairmark.governance.risk import classify_system, load_questionnaire
from fairmark.store.models_governance import SystemRow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "governance"
BANK = EXAMPLES / "bank-marketing-answers.yaml"
CREDIT = EXAMPLES / "credit-preapproval-answers.yaml"
CHATBOT = EXAMPLES / "marketing-chatbot-answers.yaml"
NO = dict.fromkeys(load_questionnaire().ids, False)


@pytest.fixture
def people(seed_people: Callable[..., dict[str, Principal]]) -> dict[str, Principal]:
    return seed_people(PEOPLE)


def test_classify_bank_marketing_stores_and_logs(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    head = log_head(gov_engine)
    result = classify_system(gov_engine, "bank-propensity", BANK, principal=people["olivia"])
    assert result.tier == "minimal_risk"
    assert result.gdpr_art22 is False
    assert result.required_checks == ("fairness.disparate_impact",)
    info = get_system(gov_engine, "bank-propensity", principal=people["vic"])
    assert info.risk_tier == "minimal_risk"
    assert info.risk is not None
    assert info.risk["classified_by"] == "olivia"
    assert info.risk["classified_at"].endswith("Z")
    stored = {k: v for k, v in info.risk.items() if k not in ("classified_at", "classified_by")}
    assert stored == result.classification_dict()
    # the result adds what the classification did to the system (nothing, here)
    assert result.to_dict() == {
        **stored,
        "system": "bank-propensity",
        "previous_tier": None,
        "material": [],
        "status_from": "proposed",
        "status_to": "proposed",
        "reopened_reviews": [],
    }
    assert info.status == "proposed"
    entries = log(gov_engine, head)
    assert [e[:3] for e in entries] == [("system.classify", "system", "bank-propensity")]
    expected_sha = hashlib.sha256(canonical_json(result.answers).encode()).hexdigest()
    assert entries[0][3] == {
        "tier": "minimal_risk",
        "previous_tier": None,
        "articles": [],
        "gdpr_art22": False,
        "questionnaire": "eu-ai-act",
        "questionnaire_version": 1,
        "answers_sha256": expected_sha,
    }


def test_classify_with_a_plain_mapping_and_a_document(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    result = classify_system(
        gov_engine, "bank-propensity", {**NO, "interacts_with_people": True},
        principal=people["ada"],
    )
    assert result.tier == "limited_risk"
    result = classify_system(
        gov_engine, "bank-propensity",
        {"questionnaire": "eu-ai-act", "version": 1,
         "answers": {**NO, "creditworthiness": True}},
        principal=people["ada"],
    )
    assert result.tier == "high_risk"
    assert result.required_checks is not None and len(result.required_checks) == 5


@pytest.mark.parametrize("who", ["rita", "aud", "vic", "oscar"])
def test_only_the_owner_or_an_admin_may_classify(
    gov_engine: Engine, people: dict[str, Principal], who: str
) -> None:
    register(gov_engine, people["olivia"])
    before = snapshot(gov_engine)
    with pytest.raises(AccessError) as err:
        classify_system(gov_engine, "bank-propensity", BANK, principal=people[who])
    assert err.value.message.startswith(f"user '{who}' (role {PEOPLE[who]}) may not system.write")
    assert snapshot(gov_engine) == before


def test_bad_answers_or_unknown_system_change_nothing(
    gov_engine: Engine, people: dict[str, Principal], tmp_path: Path
) -> None:
    register(gov_engine, people["olivia"])
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="3 answers missing"):
        partial = {k: v for k, v in NO.items() if k not in ("social_scoring",
                                                             "creditworthiness",
                                                             "emotion_recognition")}
        classify_system(gov_engine, "bank-propensity", partial, principal=people["olivia"])
    with pytest.raises(UsageError, match="does not exist"):
        classify_system(gov_engine, "bank-propensity", tmp_path / "x.yaml",
                        principal=people["olivia"])
    with pytest.raises(UsageError, match="did you mean 'bank-propensity'"):
        classify_system(gov_engine, "bank-propensty", BANK, principal=people["olivia"])
    assert snapshot(gov_engine) == before
    retire_system(gov_engine, "bank-propensity", principal=people["olivia"], reason="gone")
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="is retired"):
        classify_system(gov_engine, "bank-propensity", BANK, principal=people["olivia"])
    assert snapshot(gov_engine) == before


@pytest.mark.parametrize("status", ["approved", "deployed"])
def test_tier_change_of_an_approved_system_reopens_review(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
    status: str,
) -> None:
    register(gov_engine, people["olivia"])
    classify_system(gov_engine, "bank-propensity", BANK, principal=people["olivia"])
    set_row(gov_engine, status=status)
    review = add_review(gov_engine, store_url, make_report, "approved")
    # the same tier again: not material
    head = log_head(gov_engine)
    same = classify_system(gov_engine, "bank-propensity", BANK, principal=people["olivia"])
    assert (same.previous_tier, same.material, same.reopened_reviews) == ("minimal_risk", (), ())
    assert (same.status_from, same.status_to) == (status, status)
    assert status_of(gov_engine) == status
    assert [e[0] for e in log(gov_engine, head)] == ["system.classify"]
    # a new tier: material
    head = log_head(gov_engine)
    result = classify_system(gov_engine, "bank-propensity", CHATBOT, principal=people["olivia"])
    assert result.tier == "limited_risk"
    assert status_of(gov_engine) == "in_review"
    assert result.previous_tier == "minimal_risk"
    assert result.material == ("risk tier changed from minimal_risk to limited_risk",)
    assert result.reopened_reviews == (review,)
    assert (result.status_from, result.status_to) == (status, "in_review")
    reason = "material change: risk tier changed from minimal_risk to limited_risk"
    assert review_states(gov_engine) == {review: ("reopened", reason)}
    entries = log(gov_engine, head)
    assert [e[0] for e in entries] == ["system.classify", "review.reopen", "system.status"]
    assert entries[0][3]["previous_tier"] == "minimal_risk"


def test_prohibited_classification_sends_an_approved_system_back_to_proposed(
    gov_engine: Engine,
    store_url: str,
    people: dict[str, Principal],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    register(gov_engine, people["olivia"])
    classify_system(gov_engine, "bank-propensity", BANK, principal=people["olivia"])
    set_row(gov_engine, status="approved")
    review = add_review(gov_engine, store_url, make_report, "approved_with_conditions")
    result = classify_system(
        gov_engine,
        "bank-propensity",
        {**NO, "exploits_vulnerabilities": True},
        principal=people["olivia"],
    )
    assert status_of(gov_engine) == "proposed"
    # QA: the result says what happened (it was silent)
    assert result.material == ("risk tier changed from minimal_risk to prohibited",)
    assert result.reopened_reviews == (review,)
    assert (result.status_from, result.status_to) == ("approved", "proposed")
    assert review_states(gov_engine)[review][0] == "reopened"
    with gov_engine.connect() as conn:
        risk = conn.execute(select(SystemRow.risk)).scalar()
    assert risk["tier"] == "prohibited"
    assert risk["deployable"] is False
    assert json.loads(json.dumps(risk)) == risk


def test_first_classification_of_a_proposed_system_is_not_material(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    head = log_head(gov_engine)
    result = classify_system(gov_engine, "bank-propensity", CREDIT, principal=people["ada"])
    assert result.tier == "high_risk" and result.gdpr_art22 is True
    assert status_of(gov_engine) == "proposed"
    assert [e[0] for e in log(gov_engine, head)] == ["system.classify"]



def test_answers_written_for_another_system_are_refused(
    gov_engine: Engine, seed_people: Any, tmp_path: Path
) -> None:
    """An answers file naming another system (``system:``) is not applied (nothing is
    logged); an empty answers file gets a message naming the template command."""
    from tests.governance._inventory_support import register

    from fairmark.governance.risk import classify_system
    from fairmark.store.models_governance import LogEntryRow

    people = seed_people({"ada": "admin", "olivia": "owner"})
    register(gov_engine, people["ada"])
    other = tmp_path / "other.yaml"
    other.write_text("system: other-system\n" + BANK.read_text(encoding="utf-8"), "utf-8")
    with gov_engine.connect() as conn:
        before = conn.execute(select(LogEntryRow.seq)).all()
    with pytest.raises(UsageError, match="is for AI system 'other-system', not 'bank-propensity'"):
        classify_system(gov_engine, "bank-propensity", other, principal=people["ada"])
    with gov_engine.connect() as conn:
        assert conn.execute(select(LogEntryRow.seq)).all() == before
    empty = tmp_path / "empty.yaml"
    empty.write_text("", "utf-8")
    with pytest.raises(UsageError, match="is empty; expected questionnaire, version and answers"):
        classify_system(gov_engine, "bank-propensity", empty, principal=people["ada"])


def test_classify_refuses_duplicate_answer_keys_and_changes_nothing(
    store_url: str, gov_engine: Engine, people: dict[str, Principal], tmp_path: Path
) -> None:
    """QA HI 2: ``creditworthiness: true`` and a hidden later ``creditworthiness: false``
    classified the system minimal_risk; now exit 2, one line, nothing stored or logged."""
    from typer.testing import CliRunner

    from fairmark.cli.system import app

    register(gov_engine, people["olivia"])
    text = CREDIT.read_text(encoding="utf-8")
    first = text.splitlines().index("  creditworthiness: true") + 1
    path = tmp_path / "hidden.yaml"
    path.write_text(text + "  creditworthiness: false\n", encoding="utf-8")
    again = len(path.read_text(encoding="utf-8").splitlines())
    before = snapshot(gov_engine)
    result = CliRunner().invoke(
        app, ["classify", "bank-propensity", "--answers", str(path), "--db-url", store_url]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"error: answers file {path}: key 'creditworthiness' is given twice (lines {first} "
        f"and {again}); expected each key once in a mapping (the last value would silently "
        "win)"
    ]
    assert snapshot(gov_engine) == before
    assert get_system(gov_engine, "bank-propensity", principal=people["vic"]).risk_tier is None
