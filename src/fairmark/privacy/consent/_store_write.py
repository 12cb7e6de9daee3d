"""Append rows to ``consent_events`` fast, and find the duplicates an append created.

Rows arrive as tuples in :data:`INSERT_COLUMNS` order with timestamps already as UTC text
(``YYYY-MM-DD HH:MM:SS.ffffff``, the text SQLAlchemy's SQLite ``DateTime`` stores), so the
import never builds a Python ``datetime`` per row. SQLite gets them through the driver's
``executemany``; PostgreSQL through ``COPY ... FROM STDIN`` (psycopg 3), both inside the
caller's transaction, so an import is all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from fairmark.privacy.consent.timestamps import iso_utc

__all__ = [
    "INSERT_COLUMNS",
    "SQLITE_CACHE_PRAGMA",
    "DuplicateReport",
    "DuplicateSample",
    "duplicate_report",
    "insert_rows",
    "utc_text",
]

INSERT_COLUMNS: tuple[str, ...] = (
    "import_id",
    "source_row",
    "subject_id",
    "purpose",
    "vendor",
    "state",
    "lawful_basis",
    "source",
    "occurred_at",
    "recorded_at",
    "expires_at",
    "jurisdiction",
    "raw_signal",
    "signal",
    "is_minor",
)
"""Columns of ``consent_events`` written by an append, in tuple order (``event_id`` is
assigned by the database)."""

SQLITE_CACHE_PRAGMA = "PRAGMA cache_size = -262144"
"""A 256 MiB page cache for the connection that bulk-inserts or scans the ledger: the three
indexes of ``consent_events`` take random inserts, and with SQLite's default 2 MiB cache an
import of a million events ran 2-3x slower (SQLite "PRAGMA cache_size")."""

UTC_TEXT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""Text form of a UTC instant handed to the database (SQLAlchemy's SQLite storage format)."""


def utc_text(value: datetime | None) -> str | None:
    """``datetime`` (aware) → UTC text in :data:`UTC_TEXT_FORMAT`; ``None`` stays ``None``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime(UTC_TEXT_FORMAT)


def insert_rows(conn: Connection, batches: Iterable[Sequence[tuple[Any, ...]]]) -> int:
    """Insert batches of rows into ``consent_events`` inside the caller's transaction.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a transaction (:func:`fairmark.store.db.write_transaction`).
    batches : iterable of sequences of tuples
        Rows in :data:`INSERT_COLUMNS` order; timestamps as UTC text, ``is_minor`` a bool
        or ``None``.

    Returns
    -------
    int
        Rows inserted.

    Notes
    -----
    Source: SQLite C API / Python :mod:`sqlite3` ``executemany``; PostgreSQL ``COPY`` and
    psycopg 3 "Using COPY TO and COPY FROM".
    """
    names = ", ".join(INSERT_COLUMNS)
    total = 0
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY consent_events ({names}) FROM STDIN") as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(_pg_row(row))
                total += len(batch)
        return total
    marks = ", ".join("?" for _ in INSERT_COLUMNS)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(SQLITE_CACHE_PRAGMA)
        sql = f"INSERT INTO consent_events ({names}) VALUES ({marks})"
        for batch in batches:
            cursor.executemany(sql, batch)
            total += len(batch)
    finally:
        cursor.close()
    return total


_TS_POSITIONS = tuple(INSERT_COLUMNS.index(c) for c in ("occurred_at", "recorded_at", "expires_at"))


def _pg_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Mark the UTC text timestamps with ``+00`` for PostgreSQL's ``timestamptz``."""
    values = list(row)
    for i in _TS_POSITIONS:
        if values[i] is not None:
            values[i] = values[i] + "+00"
    return tuple(values)


@dataclass(frozen=True)
class DuplicateSample:
    """One recorded row that repeats the key of an earlier event.

    Attributes
    ----------
    row : int or None
        1-based data row of the new event in its file (``None`` for an API append).
    earlier_row : int or None
        Row of the earlier event in its file.
    earlier_import : str
        ``import_id`` of the earlier event (this import's own id when the file repeats
        itself).
    purpose, vendor : str, str or None
    occurred_at : str
        The shared instant, ISO 8601 UTC.
    lawful_basis : str or None
    state, earlier_state : str
    """

    row: int | None
    earlier_row: int | None
    earlier_import: str
    purpose: str
    vendor: str | None
    occurred_at: str
    lawful_basis: str | None
    state: str
    earlier_state: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (no subject id: reports name rows, not people)."""
        return {
            "row": self.row,
            "earlier_row": self.earlier_row,
            "earlier_import": self.earlier_import,
            "purpose": self.purpose,
            "vendor": self.vendor,
            "occurred_at": self.occurred_at,
            "lawful_basis": self.lawful_basis,
            "state": self.state,
            "earlier_state": self.earlier_state,
        }


@dataclass(frozen=True)
class DuplicateReport:
    """Duplicates and contradictions an append created (both kinds are kept, never merged).

    Attributes
    ----------
    n_duplicates : int
        New events with the same subject, purpose, vendor, instant, lawful basis *and*
        state as an earlier event.
    n_contradictions : int
        New events with the same key as an earlier event but another state.
    samples : tuple of DuplicateSample
        The first contradictions, then the first duplicates (at most ``limit`` in all).
    """

    n_duplicates: int
    n_contradictions: int
    samples: tuple[DuplicateSample, ...]


_PAIRS = """
    FROM consent_events n JOIN consent_events o
      ON o.subject_id = n.subject_id AND o.purpose = n.purpose
     AND o.occurred_at = n.occurred_at
     AND COALESCE(o.vendor, '') = COALESCE(n.vendor, '')
     AND COALESCE(o.lawful_basis, '') = COALESCE(n.lawful_basis, '')
     AND o.event_id < n.event_id
    WHERE n.import_id = :import_id
"""


def _iso(value: Any) -> str:
    """A stored instant (SQLite: UTC text; PostgreSQL: aware datetime) as ISO 8601 ``Z``."""
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return iso_utc(stamp) or ""


def duplicate_report(conn: Connection, import_id: str, limit: int = 10) -> DuplicateReport:
    """Find the events of ``import_id`` that repeat or contradict an earlier event.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        The connection of the append's transaction (the new rows are visible to it).
    import_id : str
        The append's id.
    limit : int
        Most samples returned.

    Returns
    -------
    DuplicateReport

    Notes
    -----
    The key is (subject, purpose, vendor, instant, lawful basis): two events of one instant
    under different bases are not a contradiction (a TCF string refuses consent and grants
    legitimate interest for the same purpose at once). The lookup uses the index
    ``(subject_id, purpose, occurred_at)``.
    """
    counts = conn.execute(
        text(
            "SELECT COALESCE(SUM(dup), 0), COALESCE(SUM(contra), 0) FROM (SELECT n.event_id, "
            "MAX(CASE WHEN o.state = n.state THEN 1 ELSE 0 END) AS dup, "
            "MAX(CASE WHEN o.state <> n.state THEN 1 ELSE 0 END) AS contra "
            f"{_PAIRS} GROUP BY n.event_id) AS pairs"
        ),
        {"import_id": import_id},
    ).one()
    n_dup, n_contra = int(counts[0]), int(counts[1])
    samples: list[DuplicateSample] = []
    if n_dup or n_contra:
        rows = conn.execute(
            text(
                "SELECT n.source_row, o.source_row, o.import_id, n.purpose, n.vendor, "
                "n.occurred_at, n.lawful_basis, n.state, o.state "
                f"{_PAIRS} ORDER BY CASE WHEN o.state <> n.state THEN 0 ELSE 1 END, "
                "n.event_id, o.event_id LIMIT :limit"
            ),
            {"import_id": import_id, "limit": limit},
        ).all()
        samples = [
            DuplicateSample(r[0], r[1], r[2], r[3], r[4], _iso(r[5]), r[6], r[7], r[8])
            for r in rows
        ]
    return DuplicateReport(n_dup, n_contra, tuple(samples))
