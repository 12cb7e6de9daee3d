"""Helpers of the review and gate tests: a small world of people, systems and audit runs.

``World`` registers AI systems through the inventory API, sets their risk tier directly
(the questionnaire has its own tests), records audit runs through the run store, and takes
snapshots of every accountability table so that a refusal can be shown to change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, update

from fairmark.governance.access import Principal
from fairmark.governance.inventory import register_system
from fairmark.policy import load_policy
from fairmark.store.document import run_columns
from fairmark.store.models import AuditRun
from fairmark.store.models_governance import (
    Condition,
    LogEntryRow,
    Review,
    ReviewAssignment,
    ReviewComment,
    ReviewDecision,
    SystemRow,
    TrainingRecord,
    User,
)

PEOPLE = {
    "ada": "admin",
    "olivia": "owner",
    "oscar": "owner",
    "rita": "reviewer",
    "sam": "reviewer",
    "tom": "reviewer",
    "aud": "auditor",
    "vic": "viewer",
}
"""The default cast: one admin, two owners, three trained reviewers, an auditor, a viewer."""

SYSTEM = "bank-propensity"

_DEFAULT = load_policy("default")
DEFAULT_POLICY_BLOCK = {
    "id": _DEFAULT.id,
    "version": _DEFAULT.version,
    "owner": _DEFAULT.owner,
    "review_by": _DEFAULT.review_by.isoformat() if _DEFAULT.review_by else None,
    "sha256": _DEFAULT.sha256,
    "path": "policies/default.yaml",
}
"""The ``policy`` block of a report judged against the built-in policy."""

HIGH_RISK_CHECKS = tuple(_DEFAULT.settings.governance.tier("high_risk").required_checks)

_SNAPSHOT_TABLES = (
    (User, User.name),
    (TrainingRecord, TrainingRecord.record_id),
    (SystemRow, SystemRow.name),
    (Review, Review.review_id),
    (ReviewAssignment, ReviewAssignment.review_id),
    (ReviewComment, ReviewComment.comment_id),
    (ReviewDecision, ReviewDecision.decision_id),
    (Condition, Condition.condition_id),
    (LogEntryRow, LogEntryRow.seq),
    (AuditRun, AuditRun.run_id),
)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the people, inventory, review, log and run tables, in key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for model, key in _SNAPSHOT_TABLES:
            rows = conn.execute(select(model).order_by(key, *model.__table__.primary_key)).all()
            out[model.__tablename__] = [
                tuple(json.dumps(v, sort_keys=True) if isinstance(v, list | dict) else v for v in r)
                for r in rows
            ]
    return out


def log_actions(engine: Engine, since: int = 0) -> list[tuple[str, str, str]]:
    """``(actor, action, entity_id)`` of the log entries after ``seq`` ``since``."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(LogEntryRow.actor, LogEntryRow.action, LogEntryRow.entity_id)
            .where(LogEntryRow.seq > since, LogEntryRow.action != "log.checkpoint")
            .order_by(LogEntryRow.seq)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def log_payloads(engine: Engine, action: str) -> list[dict[str, Any]]:
    """The payloads of every log entry with ``action``, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(LogEntryRow.payload).where(LogEntryRow.action == action).order_by(
                LogEntryRow.seq
            )
        ).scalars()
        return [json.loads(r) for r in rows]


def log_head(engine: Engine) -> int:
    """The ``seq`` of the newest log entry (0 for an empty log)."""
    with engine.connect() as conn:
        head = conn.execute(select(LogEntryRow.seq).order_by(LogEntryRow.seq.desc())).scalar()
    return int(head or 0)


def finding(
    check: str,
    value: Any = 0.95,
    *,
    verdict: str = "pass",
    severity: str = "block",
    bound: dict[str, Any] | None = None,
    feature: str = "age_band",
    group: str = "18-34",
) -> dict[str, Any]:
    """One ``findings[]`` object (docs/report-schema.md)."""
    return {
        "rule_id": check.replace(".", "-"),
        "check": check,
        "severity": severity,
        "verdict": verdict,
        "principle": "fairness",
        "feature": feature,
        "group": group,
        "value": value,
        "bound": {"min": 0.8, "max": None} if bound is None else bound,
        "judge": "estimate",
        "message": f"{check} measured",
    }


def stamp(moment: datetime) -> str:
    """ISO 8601 UTC text with microseconds, as report ``created_at``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class World:
    """People, systems and audit runs of one test store."""

    engine: Engine
    url: str
    make_report: Callable[..., dict[str, Any]]
    people: dict[str, Principal] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Principal:
        return self.people[name]

    def register(
        self,
        name: str = SYSTEM,
        *,
        owner: str = "olivia",
        tier: str | None = "minimal_risk",
        model_version: str = "1.0",
        policy: str | None = None,
        age: timedelta = timedelta(days=2),
    ) -> str:
        """Register ``name`` (as admin ada), classify it ``tier`` and date its model version
        ``age`` ago (so audits of the last day are newer)."""
        register_system(
            self.engine,
            name=name,
            owner=owner,
            purpose="marketing.communications",
            use_case="targeting",
            model_version=model_version,
            policy=policy,
            principal=self["ada"],
        )
        past = datetime.now(UTC) - age
        with self.engine.begin() as conn:
            conn.execute(
                update(SystemRow)
                .where(SystemRow.name == name)
                .values(
                    risk=None if tier is None else {"tier": tier},
                    model_version_at=past,
                    created_at=past,
                )
            )
        return name

    def audit(
        self,
        system: str | None = SYSTEM,
        *,
        verdict: str = "pass",
        checks: Sequence[str] = ("fairness.disparate_impact",),
        findings: list[dict[str, Any]] | None = None,
        created_at: datetime | None = None,
        policy: dict[str, Any] | str | None = "default",
        **fields: Any,
    ) -> str:
        """Record an audit run of ``system`` (default: an hour ago, passing findings, judged
        against the built-in policy; ``policy=None`` for a run without a policy).

        The row is inserted directly, without the store's hooks (log entry, review
        reopening), so that gate tests see only what they set up; the hook
        (:func:`fairmark.governance.review.on_audit_recorded`) has its own tests."""
        moment = created_at or datetime.now(UTC) - timedelta(hours=1)
        report = self.make_report(
            system_name=system,
            verdict=verdict,
            created_at=stamp(moment),
            policy=dict(DEFAULT_POLICY_BLOCK) if policy == "default" else policy,
            findings=[finding(c) for c in checks] if findings is None else findings,
            **fields,
        )
        from fairmark.governance.chain import append_entry

        with self.engine.begin() as conn:
            conn.execute(insert(AuditRun).values(**run_columns(report)))
            # the log entry record_run writes (the gate checks the verdict against it)
            append_entry(conn, actor="test", action="audit.record", entity_type="run",
                         entity_id=str(report["run_id"]), payload={"verdict": verdict})  # fmt: skip
        return str(report["run_id"])

    def train(self, name: str, *, completed: date, expires: date) -> None:
        """Insert a training record for ``name`` directly (records are append-only)."""
        import uuid

        with self.engine.begin() as conn:
            conn.execute(
                insert(TrainingRecord).values(
                    record_id=str(uuid.uuid4()),
                    user_name=name,
                    course="AI literacy (EU AI Act Art. 4)",
                    completed_on=completed,
                    expires_on=expires,
                    recorded_by="test",
                    recorded_at=datetime.now(UTC),
                )
            )

    def status(self, system: str = SYSTEM) -> str:
        """The system's status now."""
        with self.engine.connect() as conn:
            return str(
                conn.execute(select(SystemRow.status).where(SystemRow.name == system)).scalar()
            )

    def review_row(self, review_id: int) -> Any:
        """The ``gov_reviews`` row."""
        with self.engine.connect() as conn:
            return conn.execute(select(Review).where(Review.review_id == review_id)).one()

    def set_review(self, review_id: int, **values: Any) -> None:
        """Change a review row directly (to simulate time passing)."""
        with self.engine.begin() as conn:
            conn.execute(update(Review).where(Review.review_id == review_id).values(**values))

    def set_system(self, system: str = SYSTEM, **values: Any) -> None:
        """Change a system row directly."""
        with self.engine.begin() as conn:
            conn.execute(update(SystemRow).where(SystemRow.name == system).values(**values))


@pytest.fixture
def world(
    gov_engine: Engine,
    store_url: str,
    seed_people: Callable[..., dict[str, Principal]],
    make_report: Callable[..., dict[str, Any]],
) -> World:
    """The default cast (:data:`PEOPLE`) in a fresh store, SQLite and PostgreSQL."""
    built = World(gov_engine, store_url, make_report)
    built.people = seed_people(PEOPLE)
    return built
