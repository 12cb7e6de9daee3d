"""The consent ledger: append-only consent events in the fairmark store, queried at any instant.

Stored in the table ``consent_events`` of the same store as the audit runs (SQLite by
default, PostgreSQL for teams; migration ``0003``), which refuses UPDATE, DELETE and
TRUNCATE: every change of a subject's choice is a new event, and the state at any past
instant is derived from the events up to it. Subject ids are stored raw, because the ledger
must answer for a subject (``status SUBJECT``) and join with audiences on their ids; protect
the store accordingly (it is personal data, GDPR Art. 32), and keep the records as the
proof of consent the controller must be able to show (GDPR Art. 7(1)).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, select

from fairmark.errors import DataError, UsageError
from fairmark.privacy.consent._store_read import slice_reader
from fairmark.privacy.consent._store_write import (
    duplicate_report,
    insert_rows,
    utc_text,
)
from fairmark.privacy.consent.decide import load_decisions
from fairmark.privacy.consent.export_file import open_export
from fairmark.privacy.consent.ledger_result import AppendResult, ConsentStatus, ImportResult
from fairmark.privacy.consent.model import ConsentEvent, StoredEvent
from fairmark.privacy.consent.purposes import check_purpose, purpose_chain
from fairmark.privacy.consent.timestamps import parse_instant
from fairmark.store.db import database_url, open_engine, redact_url, store_errors, write_transaction
from fairmark.store.migrate import upgrade
from fairmark.store.models_consent import ConsentEventRow

__all__ = ["ConsentLedger", "resolve_as_of"]

_SHOWN_VENDORS = 8
_LOGGED_SOURCES = 20


def _sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise DataError(
            f"cannot read consent export {os.fspath(path)}: {exc.strerror or exc}; "
            "expected a readable file"
        ) from None
    return digest.hexdigest()


def _log_import(
    conn: Connection, actor: str | None, import_id: str, payload: dict[str, Any]
) -> None:
    """Append ``consent.import`` to the audit log in the import's own transaction.

    Counts and provenance only, never subject ids (GDPR Art. 5(1)(c)); EU AI Act Art. 12.
    """
    from fairmark.governance.chain import append_entry, default_actor

    append_entry(
        conn,
        actor=default_actor(actor),
        action="consent.import",
        entity_type="consent_import",
        entity_id=import_id,
        payload={"import_id": import_id, **payload},
    )


def resolve_as_of(as_of: str | datetime | None, *, what: str = "as_of") -> datetime:
    """The instant a question is asked about: ``as_of`` (timezone-aware) or now.

    Parameters
    ----------
    as_of : str, datetime or None
        ISO 8601 timestamp with offset, an aware ``datetime``, or ``None`` for now.
    what : str
        How to name it in an error (``"--as-of"``).

    Returns
    -------
    datetime
        Aware, UTC.

    Raises
    ------
    UsageError
        Not ISO 8601, or without a UTC offset.
    """
    if as_of is None:
        return datetime.now(UTC)
    return parse_instant(as_of, what=what)


_EVENTS = ConsentEventRow.__table__


def _require_existing_store(url: str) -> None:
    """Refuse a SQLite URL whose database file does not exist (read-only commands).

    Other backends (PostgreSQL) and in-memory SQLite are left to :func:`open_engine`.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return  # open_engine names the malformed URL
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    if not Path(database).is_file():
        raise DataError(
            f"no consent ledger at {database}; expected the store `fairmark consent import` "
            "wrote (or --db)"
        )


def _row_to_stored(row: Mapping[str, Any]) -> StoredEvent:
    event = ConsentEvent.from_store(
        subject_id=row["subject_id"],
        purpose=row["purpose"],
        state=row["state"],
        occurred_at=row["occurred_at"],
        lawful_basis=row["lawful_basis"],
        source=row["source"],
        vendor=row["vendor"],
        expires_at=row["expires_at"],
        jurisdiction=row["jurisdiction"],
        raw_signal=row["raw_signal"],
        signal=row["signal"],
        is_minor=None if row["is_minor"] is None else bool(row["is_minor"]),
    )
    return StoredEvent(
        int(row["event_id"]), row["import_id"], row["recorded_at"], row["source_row"], event
    )


class ConsentLedger:
    """Append-only consent ledger in the fairmark store.

    Opening it migrates the store to the newest schema (a no-op when current). Use as a
    context manager, or call :meth:`close`.

    Parameters
    ----------
    url : str or None
        SQLAlchemy URL of the store; ``None`` resolves through
        :func:`fairmark.store.db.database_url` (``FAIRMARK_DB_URL``, else
        ``./.fairmark/fairmark.db``).
    must_exist : bool
        For read-only use (``consent status``, ``consent filter``): a SQLite store whose
        file does not exist is an error instead of being created (nor is its folder).

    Attributes
    ----------
    url : str
        The store URL, password hidden.

    Raises
    ------
    StoreError
        The store cannot be opened or migrated (one line naming the URL and the cause).
    DataError
        ``must_exist`` and the SQLite store file does not exist (nothing is created).

    Notes
    -----
    Sources: GDPR Art. 7(1) (demonstrate consent), Art. 7(3) (withdrawal), Art. 21 (right
    to object), Art. 5(2) (accountability); ISO/IEC 27560:2023 (consent record
    information structure) for the fields kept per event.
    """

    def __init__(self, url: str | None = None, *, must_exist: bool = False) -> None:
        resolved = database_url(url)
        if must_exist:
            _require_existing_store(resolved)
        self._engine = open_engine(resolved)
        try:
            upgrade(self._engine)
        except BaseException:
            self._engine.dispose()
            raise
        self.url = redact_url(self._engine.url)
        self._duck: Any = None

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine of the store."""
        return self._engine

    def __repr__(self) -> str:
        return f"ConsentLedger({self.url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the store's connections (and the engine connection of :meth:`state_at`)."""
        if self._duck is not None:
            self._duck.close()
            self._duck = None
        self._engine.dispose()

    def append(
        self, events: Iterable[ConsentEvent], *, actor: str | None = None
    ) -> AppendResult:
        """Record events, in the order given, in one transaction.

        Parameters
        ----------
        events : iterable of ConsentEvent
        actor : str, optional
            Who records them, named in the audit log entry ``consent.import`` written in
            the same transaction (default: the operating-system account).

        Returns
        -------
        AppendResult
            With the duplicates and contradictions found (kept; the later-recorded event
            wins ties).

        Raises
        ------
        UsageError
            An item is not a :class:`ConsentEvent`, or there is none.
        StoreError
            The database fails (nothing is recorded).
        """
        items = list(events)
        if not items:
            raise UsageError("no consent events to append; expected at least one ConsentEvent")
        for item in items:
            if not isinstance(item, ConsentEvent):
                raise UsageError(
                    f"append got a {type(item).__name__}; expected ConsentEvent objects"
                )
        import_id, now = str(uuid.uuid4()), datetime.now(UTC)
        stamp = utc_text(now)
        rows = [
            (
                import_id, None, e.subject_id, e.purpose, e.vendor, e.state.value,
                None if e.lawful_basis is None else e.lawful_basis.value, e.source,
                utc_text(e.occurred_at), stamp, utc_text(e.expires_at), e.jurisdiction,
                e.raw_signal, e.signal, e.is_minor,
            )
            for e in items
        ]
        with (
            store_errors(self._engine.url, "cannot record consent events"),
            write_transaction(self._engine) as conn,
        ):
            n = insert_rows(conn, [rows])
            report = duplicate_report(conn, import_id)
            _log_import(
                conn,
                actor,
                import_id,
                {
                    "sources": sorted({e.source for e in items})[:_LOGGED_SOURCES],
                    "n_events": n,
                    "n_duplicates": report.n_duplicates,
                    "n_contradictions": report.n_contradictions,
                },
            )
        return AppendResult(import_id, n, now, report)

    def import_file(
        self,
        path: str | os.PathLike[str],
        *,
        source: str | None = None,
        timezone: str | None = None,
        columns: Mapping[str, str] | None = None,
        vendors: bool = True,
        actor: str | None = None,
    ) -> ImportResult:
        """Import a consent platform's CSV or JSON export, all rows or none.

        Parameters
        ----------
        path : str or os.PathLike
            The export; columns as in :mod:`fairmark.privacy.consent.export_file`.
        source : str, optional
            Source of rows without a ``source`` value (default ``import:<file name>``).
        timezone : str, optional
            IANA time zone of timestamps written without a UTC offset. Without it such a
            timestamp is an error naming its row.
        columns : mapping, optional
            ``ledger field -> file column`` for differently named columns.
        vendors : bool
            Record the per-vendor events of TCF consent strings (default ``True``).
        actor : str, optional
            Who imports, named in the audit log entry ``consent.import`` written in the
            same transaction (default: the operating-system account). The entry holds
            counts, the source, the file name and its SHA-256, never subject ids.

        Returns
        -------
        ImportResult
            Rows read, events recorded, duplicates and contradictions (reported and kept:
            the latest timestamp wins, at equal timestamps the later-recorded event).

        Raises
        ------
        DataError
            The file cannot be read, a required column is missing, or a row breaks a rule
            (the first such row is named); nothing is recorded.
        UsageError
            Unknown field in ``columns``, unknown ``timezone``.
        StoreError
            The database fails (nothing is recorded).
        """
        export = open_export(path, columns=columns, timezone=timezone)
        try:
            file_sha256 = _sha256_of(path)
            import_id, now = str(uuid.uuid4()), datetime.now(UTC)
            default_source = (source or "").strip() or f"import:{Path(os.fspath(path)).name}"
            with (
                store_errors(self._engine.url, "cannot import consent events"),
                write_transaction(self._engine) as conn,
            ):
                n = insert_rows(
                    conn,
                    export.rows(
                        import_id=import_id,
                        recorded_at=utc_text(now) or "",
                        source=default_source,
                        vendors=vendors,
                    ),
                )
                report = duplicate_report(conn, import_id)
                _log_import(
                    conn,
                    actor,
                    import_id,
                    {
                        "source": default_source,
                        "file": Path(os.fspath(path)).name,
                        "file_sha256": file_sha256,
                        "n_rows": export.n_rows,
                        "n_signal_rows": export.n_signal_rows,
                        "n_events": n,
                        "n_duplicates": report.n_duplicates,
                        "n_contradictions": report.n_contradictions,
                    },
                )
        finally:
            export.close()
        return ImportResult(
            import_id=import_id,
            n_events=n,
            recorded_at=now,
            duplicates=report,
            path=str(path),
            n_rows=export.n_rows,
            n_signal_rows=export.n_signal_rows,
            columns=dict(export.columns),
            ignored_columns=export.ignored_columns,
        )

    def history(self, subject: str, *, purpose: str | None = None) -> tuple[StoredEvent, ...]:
        """Every event of a data subject, oldest first (as recorded, nothing merged).

        Parameters
        ----------
        subject : str
            The subject id.
        purpose : str, optional
            Only this purpose and its ancestors.

        Returns
        -------
        tuple of StoredEvent
            Ordered by ``occurred_at``, then ``event_id``.

        Raises
        ------
        UsageError
            Blank subject, unknown purpose.
        """
        subject = _subject(subject)
        query = select(_EVENTS).where(ConsentEventRow.subject_id == subject)
        if purpose is not None:
            chain = purpose_chain(check_purpose(purpose, what="purpose"))
            query = query.where(ConsentEventRow.purpose.in_(chain))
        query = query.order_by(ConsentEventRow.occurred_at, ConsentEventRow.event_id)
        with self._reading() as c:
            rows = c.execute(query).mappings().all()
        return tuple(_row_to_stored(r) for r in rows)

    def check_vendor(self, vendor: str | None) -> str | None:
        """Return ``vendor`` stripped if the ledger has events for it.

        Raises
        ------
        UsageError
            Blank, or no event names this vendor (the message lists some known vendors).
        """
        if vendor is None:
            return None
        text = str(vendor).strip()
        if not text:
            raise UsageError("vendor is blank; expected a vendor id of the ledger, e.g. 755")
        with self._reading() as c:
            found = c.execute(
                select(ConsentEventRow.event_id).where(ConsentEventRow.vendor == text).limit(1)
            ).first()
            if found is not None:
                return text
            known = c.execute(
                select(ConsentEventRow.vendor)
                .where(ConsentEventRow.vendor.is_not(None))
                .distinct()
                .order_by(ConsentEventRow.vendor)
                .limit(_SHOWN_VENDORS + 1)
            ).scalars().all()
        shown = ", ".join(known[:_SHOWN_VENDORS]) + (", ..." if len(known) > _SHOWN_VENDORS else "")
        hint = f"vendors in the ledger: {shown}" if known else "the ledger has no vendor events"
        raise UsageError(f"vendor {text!r} has no event in the consent ledger; {hint}")

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection whose database errors become one-line ``StoreError``."""
        with store_errors(self._engine.url, "cannot read consent ledger"):
            with self._engine.connect() as conn:
                yield conn

    def _event(self, event_id: int) -> StoredEvent:
        with self._reading() as c:
            row = c.execute(
                select(_EVENTS).where(ConsentEventRow.event_id == event_id)
            ).mappings().one()
        return _row_to_stored(row)

    def state_at(
        self,
        subject: str,
        purpose: str,
        *,
        as_of: str | datetime | None = None,
        vendor: str | None = None,
    ) -> ConsentStatus:
        """Whether ``subject`` may be processed for ``purpose`` at ``as_of``, and why.

        Parameters
        ----------
        subject : str
            The subject id.
        purpose : str
            fideslang data use; events of its ancestors count too.
        as_of : str, datetime or None
            ISO 8601 with offset, aware datetime, or ``None`` for now.
        vendor : str, optional
            The vendor's events (and purpose-level refusals) decide instead of the
            purpose-level events.

        Returns
        -------
        ConsentStatus
            The rule of :mod:`fairmark.privacy.consent.decide` (the filter's rule, by the
            same engine query).

        Raises
        ------
        UsageError
            Blank subject, unknown purpose, a vendor the ledger does not know, a naive or
            malformed ``as_of``.
        """
        import duckdb

        subject = _subject(subject)
        purpose = check_purpose(purpose, what="purpose")
        when = resolve_as_of(as_of)
        vendor = self.check_vendor(vendor)
        with store_errors(self._engine.url, "cannot read consent ledger"):
            events = slice_reader(
                self._engine, purpose_chain(purpose), as_of=when, vendor=vendor, subject=subject
            )
            if self._duck is None:  # one engine connection per ledger (connecting is slow)
                self._duck = duckdb.connect()
            con = self._duck
            decisions = load_decisions(con, events, purpose=purpose, as_of=when)
            try:
                row = con.execute(
                    f"SELECT {decisions.reason_sql('q.s')} AS reason, d_.d.eid, "
                    f"d_.objected_at, d_.is_minor FROM (SELECT CAST(? AS VARCHAR) AS s) AS q "
                    f"LEFT JOIN {decisions.name} AS d_ ON d_.subject_id = q.s",
                    [subject],
                ).fetchone()
            finally:
                con.execute(f"DROP TABLE {decisions.name}")
        reason, event_id, objected_at, is_minor = row
        return ConsentStatus(
            subject_id=subject,
            purpose=purpose,
            vendor=vendor,
            as_of=when,
            permitted=reason is None,
            reason=reason,
            deciding_event=None if event_id is None else self._event(int(event_id)),
            objected_at=None if objected_at is None else objected_at.replace(tzinfo=UTC),
            is_minor=is_minor,
        )

    def status(
        self, subject: str, *, as_of: str | datetime | None = None, vendor: str | None = None
    ) -> tuple[ConsentStatus, ...]:
        """The state of every purpose the subject has events for, at ``as_of``.

        Parameters
        ----------
        subject : str
        as_of : str, datetime or None
        vendor : str, optional
            Purposes with events for this vendor, judged for it.

        Returns
        -------
        tuple of ConsentStatus
            One per purpose (sorted), each by :meth:`state_at`. Empty when the subject has
            no event up to ``as_of``.

        Raises
        ------
        UsageError
            As :meth:`state_at`.
        """
        subject = _subject(subject)
        when = resolve_as_of(as_of)
        vendor = self.check_vendor(vendor)
        query = (
            select(ConsentEventRow.purpose)
            .where(ConsentEventRow.subject_id == subject, ConsentEventRow.occurred_at <= when)
            .distinct()
        )
        query = query.where(
            ConsentEventRow.vendor.is_(None) if vendor is None else ConsentEventRow.vendor == vendor
        )
        with self._reading() as c:
            purposes = sorted(c.execute(query).scalars().all())
        return tuple(self.state_at(subject, p, as_of=when, vendor=vendor) for p in purposes)


def _subject(subject: Any) -> str:
    if not isinstance(subject, str | int) or isinstance(subject, bool) or not str(subject).strip():
        raise UsageError(f"subject {subject!r} is blank or not text; expected a data subject's id")
    return str(subject).strip()
