"""AI-literacy training records (EU AI Act Art. 4): default expiry from the policy, date
checks, rights, the log entry. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from tests.governance._identity_support import log_entries, snapshot

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError
from fairmark.governance.identity import current_training
from fairmark.governance.training import list_training, record_training
from fairmark.policy import load_policy


def test_default_expiry_is_the_policys_training_valid_days(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "rita": "reviewer"}, trained=False)
    done = date.today() - timedelta(days=3)
    record = record_training(
        gov_engine,
        user="rita",
        course="AI literacy (EU AI Act Art. 4)",
        completed_on=done,
        evidence="cert-123",
        principal=people["alice"],
    )
    assert record.expires_on == done + timedelta(days=365)
    assert record.recorded_by == "alice"
    assert record.to_dict()["completed_on"] == done.isoformat()
    assert current_training(gov_engine, "rita", date.today()) == record
    assert log_entries(gov_engine) == [
        (
            "alice",
            "training.record",
            "user",
            "rita",
            {
                "record_id": record.record_id,
                "user": "rita",
                "course": "AI literacy (EU AI Act Art. 4)",
                "completed_on": done.isoformat(),
                "expires_on": (done + timedelta(days=365)).isoformat(),
                "evidence": "cert-123",
            },
        )
    ]


def test_a_policy_sets_another_validity_and_an_explicit_expiry_wins(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"alice": "admin", "rita": "reviewer"}, trained=False)
    policy = load_policy("default")
    governance = policy.settings.governance.model_copy(update={"training_valid_days": 30})
    policy = policy.model_copy(
        update={"settings": policy.settings.model_copy(update={"governance": governance})}
    )
    done = date(2026, 1, 1)
    short = record_training(
        gov_engine,
        user="rita",
        course="c",
        completed_on=done,
        principal=people["alice"],
        policy=policy,
    )
    assert short.expires_on == date(2026, 1, 31)
    explicit = record_training(
        gov_engine,
        user="rita",
        course="c",
        completed_on=done,
        expires_on=date(2026, 1, 2),
        principal=people["alice"],
        policy=policy,
    )
    assert explicit.expires_on == date(2026, 1, 2)
    listed = list_training(gov_engine, "rita", principal=people["rita"])
    # newest completion first, then the most recently recorded
    assert [t.expires_on for t in listed] == [date(2026, 1, 2), date(2026, 1, 31)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"completed_on": date.today() + timedelta(days=1)},
            "is in the future; expected",
        ),
        (
            {"completed_on": date(2026, 1, 1), "expires_on": date(2026, 1, 1)},
            "expiry date 2026-01-01 is not after the completion date 2026-01-01",
        ),
        (
            {"completed_on": date(2026, 1, 2), "expires_on": date(2026, 1, 1)},
            "expiry date 2026-01-01 is not after the completion date 2026-01-02",
        ),
        (
            {"completed_on": "2026-01-01"},
            "completion date is '2026-01-01'; expected a datetime.date",
        ),
        ({"course": "  "}, "course is '  '; expected non-empty text"),
        ({"user": "zed"}, "no user 'zed'; expected one of: alice, rita"),
    ],
)
def test_bad_training_input_is_refused_and_nothing_written(
    gov_engine: Engine, seed_people, kwargs: dict, message: str
) -> None:
    people = seed_people({"alice": "admin", "rita": "reviewer"}, trained=False)
    before = snapshot(gov_engine)
    args = {"user": "rita", "course": "AI literacy", "completed_on": date(2026, 1, 1), **kwargs}
    with pytest.raises(UsageError) as err:
        record_training(gov_engine, principal=people["alice"], **args)
    assert message in str(err.value)
    assert snapshot(gov_engine) == before


def test_reading_training_records_of_others_needs_user_read(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"rita": "reviewer", "vic": "viewer", "ann": "auditor"})
    assert len(list_training(gov_engine, "rita", principal=people["ann"])) == 1
    assert len(list_training(gov_engine, "rita", principal=people["rita"])) == 1
    with pytest.raises(AccessError, match=r"may not user\.read"):
        list_training(gov_engine, "rita", principal=people["vic"])
