"""Helpers of the inventory and risk tests: registering, snapshots, reviews inserted directly."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from fairmark.governance.access import Principal
from fairmark.governance.inventory import register_system
from fairmark.store import RunStore
from fairmark.store.models_governance import LogEntryRow, Review, SystemRow, User

PEOPLE = {
    "ada": "admin",
    "olivia": "owner",
    "oscar": "owner",
    "rita": "reviewer",
    "aud": "auditor",
    "vic": "viewer",
}


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the users, systems, reviews and log tables, in key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for model, key in (
            (User, User.name),
            (SystemRow, SystemRow.name),
            (Review, Review.review_id),
            (LogEntryRow, LogEntryRow.seq),
        ):
            rows = conn.execute(select(model).order_by(key)).all()
            out[model.__tablename__] = [
                tuple(json.dumps(v, sort_keys=True, default=str) for v in row) for row in rows
            ]
    return out


def log(engine: Engine, since: int = 0) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The log entries after ``since``, without the CLI's own ``log.checkpoint`` entries
    (signing is orthogonal to what a command changed)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(LogEntryRow)
            .where(LogEntryRow.seq > since, LogEntryRow.action != "log.checkpoint")
            .order_by(LogEntryRow.seq)
        ).all()
    return [(r.action, r.entity_type, r.entity_id, json.loads(r.payload)) for r in rows]


def log_head(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(LogEntryRow.seq).order_by(LogEntryRow.seq.desc())).scalar() or 0
        )


def register(engine: Engine, who: Principal, name: str = "bank-propensity", **kw: Any) -> Any:
    args: dict[str, Any] = {
        "owner": "olivia",
        "purpose": "marketing.communications",
        "use_case": "lead_scoring",
        "model_version": "1.0",
        "data_categories": ("user.financial",),
    }
    args.update(kw)
    return register_system(engine, name=name, principal=who, **args)


def status_of(engine: Engine, name: str = "bank-propensity") -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(SystemRow.status).where(SystemRow.name == name)).scalar())


def set_row(engine: Engine, name: str = "bank-propensity", **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(update(SystemRow).where(SystemRow.name == name).values(**values))


def add_review(
    engine: Engine,
    url: str,
    make_report: Callable[..., dict[str, Any]],
    status: str,
    system: str = "bank-propensity",
    **values: Any,
) -> int:
    """Insert an audit run and a ``gov_reviews`` row directly; return the review id."""
    with RunStore(url) as store:
        run_id = store.record_run(make_report(system_name=system, verdict="pass"))
    now = datetime.now(UTC)
    with engine.begin() as conn:
        result = conn.execute(
            insert(Review).values(
                system_name=system,
                model_version="1.0",
                run_id=run_id,
                status=status,
                quorum=2,
                submitted_by="olivia",
                submitted_at=now,
                **values,
            )
        )
        return int(result.inserted_primary_key[0])


def review_states(engine: Engine) -> dict[int, tuple[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(select(Review).order_by(Review.review_id)).all()
    return {int(r.review_id): (r.status, r.closed_reason) for r in rows}
