"""Helpers of the identity tests: a snapshot of the people tables and the log, log entries."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, select

from fairmark.store.models_governance import LogEntryRow, Token, TrainingRecord, User

PASSWORD = "correct horse battery staple"

_TABLES = (
    (User, User.name),
    (Token, Token.token_id),
    (TrainingRecord, TrainingRecord.record_id),
    (LogEntryRow, LogEntryRow.seq),
)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of gov_users, gov_tokens, gov_training and gov_log, in key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for model, key in _TABLES:
            rows = conn.execute(select(model).order_by(key)).all()
            out[model.__tablename__] = [
                tuple(json.dumps(v, sort_keys=True) if isinstance(v, list) else v for v in r)
                for r in rows
            ]
    return out


def log_entries(engine: Engine) -> list[Any]:
    """The gov_log rows, oldest first, with the payload parsed (without the CLI's own
    ``log.checkpoint`` entries: signing is orthogonal to what a command changed)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(LogEntryRow)
            .where(LogEntryRow.action != "log.checkpoint")
            .order_by(LogEntryRow.seq)
        ).all()
    return [(r.actor, r.action, r.entity_type, r.entity_id, json.loads(r.payload)) for r in rows]


def log_text(engine: Engine) -> str:
    """Every gov_log row as text (to search for secrets that must not be there)."""
    with engine.connect() as conn:
        rows = conn.execute(select(LogEntryRow).order_by(LogEntryRow.seq)).all()
    return "\n".join(repr(tuple(r)) for r in rows)
