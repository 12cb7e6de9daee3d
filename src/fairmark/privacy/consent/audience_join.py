"""An audience (or audited data) joined with the consent ledger, in the data engine.

Shared by the enforcement filter (:mod:`.filter`) and the audit coverage (:mod:`.coverage`):
the data is opened through :func:`fairmark.engine.source.as_table` on DuckDB (a CSV file is
read again with every column as text, so the rows written back are the rows read: leading
zeros, ``1.50``, odd dates survive), the ledger slice of the purpose is streamed into the same
DuckDB connection (:mod:`._store_read`) and reduced to one decision per subject
(:mod:`.decide`), and every question is one SQL query over the join.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fairmark.engine.source import as_table, missing_column_message
from fairmark.errors import DataError, UsageError
from fairmark.privacy.consent._store_read import slice_reader
from fairmark.privacy.consent.decide import Decisions, load_decisions
from fairmark.privacy.consent.ledger import ConsentLedger
from fairmark.privacy.consent.model import ExclusionReason
from fairmark.privacy.consent.purposes import purpose_chain

__all__ = ["AudienceJoin", "ReasonCount", "open_join"]

_CSV = {".csv", ".tsv", ".txt", ".dat", ".data"}


@dataclass(frozen=True)
class ReasonCount:
    """Rows and distinct subjects of one exclusion reason (``reason`` ``None``: permitted)."""

    reason: str | None
    rows: int
    subjects: int


@dataclass
class AudienceJoin:
    """The data and the ledger decisions in one DuckDB connection.

    Attributes
    ----------
    con : duckdb.DuckDBPyConnection
        The connection holding the data and the decisions table.
    audience_sql : str
        SQL of the data.
    subject_column : str
    description : str
        Where the data came from.
    decisions : Decisions
    path : Path or None
        The input file, when the data is one file.
    timings : dict
        Seconds per stage: ``ledger_transfer`` (store → DuckDB), ``ledger_reduce`` (one
        decision per subject), then ``count`` and ``write`` when done.
    """

    con: Any
    audience_sql: str
    subject_column: str
    description: str
    decisions: Decisions
    path: Path | None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def joined_sql(self) -> str:
        """The data with ``_fm_key`` and ``_fm_reason`` (:meth:`Decisions.join_sql`)."""
        return self.decisions.join_sql(self.audience_sql, self.subject_column)

    def counts(self) -> list[ReasonCount]:
        """Rows and distinct subjects per reason (``None``: permitted), one engine query.

        Rows without a subject id count one subject each (each is an unknown person).
        """
        started = time.perf_counter()
        rows = self.con.execute(
            "SELECT _fm_reason, count(*), count(DISTINCT _fm_key) + "
            "count(*) FILTER (WHERE _fm_key IS NULL OR _fm_key = '') "
            f"FROM ({self.joined_sql}) AS j GROUP BY _fm_reason"
        ).fetchall()
        self.timings["count"] = time.perf_counter() - started
        return [ReasonCount(r[0], int(r[1]), int(r[2])) for r in rows]

    def permitted_sql(self) -> str:
        """SQL of the permitted rows, with the data's own columns only."""
        return (
            f"SELECT * EXCLUDE (_fm_key, _fm_reason) FROM ({self.joined_sql}) AS j "
            "WHERE _fm_reason IS NULL"
        )


def _single_file(data: Any) -> Path | None:
    if isinstance(data, str | os.PathLike):
        text = os.fspath(data)
        if not any(ch in text for ch in "*?[") and Path(text).is_file():
            return Path(text)
    return None


def _csv_suffix(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".gz":
        suffix = Path(path.stem).suffix.lower()
    return suffix in _CSV or suffix == ""


def _open_data(data: Any) -> tuple[Any, Any, str, Path | None]:
    """(ibis backend, ibis table, description, path) of the data on DuckDB."""
    source = as_table(data)
    if source.backend != "duckdb":
        raise UsageError(
            f"the consent join runs on DuckDB, the data is {source.description}; expected a "
            "file, a pandas/polars/pyarrow table or an Ibis table on DuckDB"
        )
    table = source.table
    backend = table._find_backend()
    path = _single_file(data)
    if path is not None and _csv_suffix(path):
        import duckdb

        try:
            table = backend.read_csv(str(path), types=dict.fromkeys(table.columns, "VARCHAR"))
        except (duckdb.Error, OSError, UnicodeDecodeError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DataError(f"cannot read {str(path)!r} as csv: {first}") from None
    return backend, table, source.description, path


def open_join(
    data: Any,
    *,
    subject_column: str,
    purpose: str,
    vendor: str | None,
    as_of: datetime,
    ledger: ConsentLedger,
) -> AudienceJoin:
    """Open ``data`` and the ledger decisions for ``purpose`` in one DuckDB connection.

    Parameters
    ----------
    data : str, os.PathLike, DataFrame, Arrow table or ibis.Table
        Anything :func:`fairmark.engine.source.as_table` accepts, on DuckDB.
    subject_column : str
        The column naming each row's data subject.
    purpose : str
        A checked fideslang data use.
    vendor : str or None
        A vendor known to the ledger, or ``None``.
    as_of : datetime
        The instant (aware).
    ledger : ConsentLedger

    Returns
    -------
    AudienceJoin

    Raises
    ------
    DataError
        The data cannot be read, or has no ``subject_column`` (available columns listed).
    UsageError
        The data is not on DuckDB.
    StoreError
        The ledger cannot be read.
    """
    backend, table, description, path = _open_data(data)
    columns = list(table.columns)
    if subject_column not in columns:
        raise DataError(f"subject {missing_column_message(subject_column, columns)}")
    audience_sql = backend.compile(table)
    events = slice_reader(ledger.engine, purpose_chain(purpose), as_of=as_of, vendor=vendor)
    decisions = load_decisions(backend.con, events, purpose=purpose, as_of=as_of)
    timings = {"ledger_transfer": decisions.transfer_s, "ledger_reduce": decisions.reduce_s}
    return AudienceJoin(
        backend.con, audience_sql, subject_column, description, decisions, path, timings
    )


REASON_ORDER: tuple[str, ...] = tuple(r.value for r in ExclusionReason)
"""Exclusion reasons in report order."""
