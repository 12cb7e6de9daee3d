"""Helpers of the audit-log tests: fill a log, and tamper with it behind the triggers' back.

``gov_log`` and ``gov_checkpoints`` are append-only (triggers). An attacker with database
access can switch the guards off; so do these helpers, on SQLite (drop the triggers) and on
PostgreSQL (``ALTER TABLE ... DISABLE TRIGGER USER``; the test user owns the schema).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, text

from fairmark.governance.chain import GENESIS_HASH, append_entry, entry_hash
from fairmark.store.db import write_transaction

GUARDED = ("gov_log", "gov_checkpoints")


def append_many(engine: Engine, n: int, *, actor: str = "alice", start: int = 0) -> None:
    """Append ``n`` entries ``system.update`` (one transaction each)."""
    for i in range(start, start + n):
        with write_transaction(engine) as conn:
            append_entry(
                conn,
                actor=actor,
                action="system.update",
                entity_type="system",
                entity_id=f"sys-{i % 3}",
                payload={"i": i, "note": f"change {i} «Ω»", "ratio": 0.1 + 0.2},
            )


@contextmanager
def unguarded(engine: Engine) -> Iterator[Connection]:
    """A transaction in which the append-only guards of the log tables are off."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for table in GUARDED:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_update")
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            for table in GUARDED:
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield conn
        if engine.dialect.name == "postgresql":
            for table in GUARDED:
                conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def rows(conn: Connection) -> list[Any]:
    """Every ``gov_log`` row in ``seq`` order."""
    return list(conn.execute(text("SELECT * FROM gov_log ORDER BY seq")))


def rehash(row: Any, **changes: Any) -> dict[str, Any]:
    """The row's fields with ``changes`` applied and ``entry_hash`` recomputed."""
    fields = {
        k: getattr(row, k)
        for k in (
            "seq",
            "created_at",
            "actor",
            "action",
            "entity_type",
            "entity_id",
            "payload",
            "prev_hash",
        )
    }
    fields.update(changes)
    fields["entry_hash"] = entry_hash(**fields)
    return fields


def set_row(conn: Connection, seq: int, fields: dict[str, Any]) -> None:
    """Overwrite the columns ``fields`` of entry ``seq``."""
    assignments = ", ".join(f"{k} = :{k}" for k in fields)
    statement = text(f"UPDATE gov_log SET {assignments} WHERE seq = :_seq")
    conn.execute(statement, {**fields, "_seq": seq})


def move(conn: Connection, seq: int, to: int) -> None:
    """Renumber entry ``seq`` as ``to``."""
    conn.execute(text("UPDATE gov_log SET seq = :to WHERE seq = :seq"), {"to": to, "seq": seq})


def rewrite_from(conn: Connection, first: int, **changes: Any) -> None:
    """Change entry ``first`` and re-hash it and every later entry: a consistent chain."""
    prev = GENESIS_HASH
    for row in rows(conn):
        if row.seq < first:
            prev = row.entry_hash
            continue
        fields = rehash(row, prev_hash=prev, **(changes if row.seq == first else {}))
        set_row(conn, row.seq, fields)
        prev = fields["entry_hash"]


def sha256_hex(value: str) -> str:
    """Hex SHA-256 of ``value`` (a hash no entry has)."""
    return hashlib.sha256(value.encode()).hexdigest()


def log_state(engine: Engine) -> tuple[int, str | None, int]:
    """``(entries, head entry_hash, checkpoints)``: equal before and after a refused action."""
    with engine.connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM gov_log")).scalar_one()
        head = conn.execute(
            text("SELECT entry_hash FROM gov_log ORDER BY seq DESC LIMIT 1")
        ).scalar()
        checkpoints = conn.execute(text("SELECT COUNT(*) FROM gov_checkpoints")).scalar_one()
    return int(n), head, int(checkpoints)


def sign_with(engine: Engine, key: Any) -> Any:
    """Sign a checkpoint of the head with ``key`` as another client would (actor ``system``,
    no permission check, no bootstrap registration); return its ``CheckpointInfo``."""
    from fairmark.governance.log import sign_head

    with write_transaction(engine) as conn:
        return sign_head(conn, key, "system")
