"""Read the consent ledger: the events that decide one purpose, streamed as Arrow batches.

The enforcement join runs in DuckDB (the data engine), the ledger lives in the store
(SQLite or PostgreSQL). DuckDB's ``sqlite`` and ``postgres`` extensions would let DuckDB
read the store directly, but they are downloaded on first use and this machine (like many
locked-down ones) has no route to the extension repository, so fairmark does not rely on
them. Instead the store runs one indexed, filtered ``SELECT`` (the events of the purpose
and its ancestors up to the instant, for the vendor) and its rows are streamed to DuckDB as
Arrow record batches of :data:`BATCH_ROWS` rows; the latest-event-per-subject aggregation
and the join run in DuckDB, which does them much faster than SQLite. On PostgreSQL the rows
come through a server-side (named) cursor, so memory stays bounded on the client.

Timestamps travel as UTC text and are cast by DuckDB, never through a Python ``datetime``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine

from fairmark.privacy.consent._store_write import SQLITE_CACHE_PRAGMA, utc_text

__all__ = ["BATCH_ROWS", "SLICE_SCHEMA", "slice_reader"]

BATCH_ROWS = 100_000
"""Rows per Arrow batch streamed from the store."""

SLICE_SCHEMA = pa.schema(
    [
        ("event_id", pa.int64()),
        ("subject_id", pa.string()),
        ("purpose", pa.string()),
        ("state", pa.string()),
        ("lawful_basis", pa.string()),
        ("jurisdiction", pa.string()),
        ("occurred_at", pa.string()),
        ("expires_at", pa.string()),
        ("is_minor", pa.bool_()),
    ]
)
"""Columns of the slice, timestamps as UTC text ``YYYY-MM-DD HH:MM:SS.ffffff``."""


def _columns(dialect: str) -> str:
    if dialect == "postgresql":
        fmt = "'YYYY-MM-DD HH24:MI:SS.US'"
        return (
            "event_id, subject_id, purpose, state, lawful_basis, jurisdiction, "
            f"to_char(occurred_at AT TIME ZONE 'UTC', {fmt}), "
            f"to_char(expires_at AT TIME ZONE 'UTC', {fmt}), is_minor"
        )
    return (
        "event_id, subject_id, purpose, state, lawful_basis, jurisdiction, occurred_at, "
        "expires_at, is_minor"
    )


def slice_query(
    dialect: str,
    purposes: Sequence[str],
    *,
    as_of: datetime,
    vendor: str | None,
    subject: str | None,
    scan: bool = False,
) -> tuple[str, list[Any]]:
    """The driver-level SQL and parameters of the slice (see :func:`slice_reader`).

    ``scan`` (SQLite only) reads the table in rowid order instead of through the purpose
    index: faster when the slice is a large share of the ledger (sequential pages).
    """
    mark = "%s" if dialect == "postgresql" else "?"
    where = [f"purpose IN ({', '.join(mark for _ in purposes)})", f"occurred_at <= {mark}"]
    stamp: Any = utc_text(as_of)
    if dialect == "postgresql":
        stamp = as_of
    params: list[Any] = [*purposes, stamp]
    if vendor is None:
        where.append("vendor IS NULL")
    else:
        where.append(f"(vendor = {mark} OR (vendor IS NULL AND state <> 'granted'))")
        params.append(vendor)
    if subject is not None:
        where.append(f"subject_id = {mark}")
        params.append(subject)
    table = "consent_events NOT INDEXED" if scan else "consent_events"
    sql = f"SELECT {_columns(dialect)} FROM {table} WHERE {' AND '.join(where)}"
    return sql, params


def _batches(engine: Engine, sql: str, params: list[Any]) -> Iterator[pa.RecordBatch]:
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            cursor = raw.driver_connection.cursor(name="fairmark_consent_slice")  # type: ignore[union-attr]
            cursor.itersize = BATCH_ROWS
        else:
            cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(SQLITE_CACHE_PRAGMA)
        try:
            cursor.execute(sql, params)
            while True:
                rows = cursor.fetchmany(BATCH_ROWS)
                if not rows:
                    break
                columns = list(zip(*rows, strict=True))
                arrays = [
                    pa.array([None if v is None else bool(v) for v in col], pa.bool_())
                    if field.type == pa.bool_()
                    else pa.array(col, field.type)
                    for col, field in zip(columns, SLICE_SCHEMA, strict=True)
                ]
                yield pa.RecordBatch.from_arrays(arrays, schema=SLICE_SCHEMA)
        finally:
            cursor.close()
        raw.rollback()  # read-only; ends the transaction the named cursor needs
    finally:
        raw.close()


SCAN_SHARE = 0.2
"""On SQLite, read the whole table instead of the purpose index when the purposes hold more
than this share of the events (the index then costs one random page read per event)."""


def _large_share(engine: Engine, purposes: Sequence[str]) -> bool:
    marks = ", ".join("?" for _ in purposes)
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            total = cursor.execute("SELECT max(event_id) FROM consent_events").fetchone()[0]
            if not total:
                return False
            n = cursor.execute(  # index-only count on (purpose)
                f"SELECT count(*) FROM consent_events WHERE purpose IN ({marks})", list(purposes)
            ).fetchone()[0]
        finally:
            cursor.close()
    finally:
        raw.close()
    return bool(n > SCAN_SHARE * total)


def slice_reader(
    engine: Engine,
    purposes: Sequence[str],
    *,
    as_of: datetime,
    vendor: str | None = None,
    subject: str | None = None,
) -> pa.RecordBatchReader:
    """Stream the events that decide a purpose, as Arrow batches.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store (SQLite or PostgreSQL).
    purposes : sequence of str
        The purpose and its ancestors (:func:`fairmark.privacy.consent.purposes.purpose_chain`).
    as_of : datetime
        Only events that occurred at or before this instant (aware).
    vendor : str, optional
        ``None``: the purpose-level events (``vendor IS NULL``). A vendor: that vendor's
        events plus every purpose-level refusal (a refusal of the purpose covers every
        vendor; a purpose-level grant does not make a vendor's processing lawful).
    subject : str, optional
        Only this data subject's events.

    Returns
    -------
    pyarrow.RecordBatchReader
        Schema :data:`SLICE_SCHEMA`; read it once (the store cursor closes at the end).

    Notes
    -----
    Uses the index ``(purpose)`` (or ``(subject_id, purpose, occurred_at)`` with
    ``subject``); on SQLite a slice holding more than :data:`SCAN_SHARE` of the events is
    read by a table scan instead.
    """
    scan = subject is None and engine.dialect.name == "sqlite" and _large_share(engine, purposes)
    sql, params = slice_query(
        engine.dialect.name, purposes, as_of=as_of, vendor=vendor, subject=subject, scan=scan
    )
    return pa.RecordBatchReader.from_batches(SLICE_SCHEMA, _batches(engine, sql, params))
