"""Decide, in the data engine (DuckDB), whether each data subject may be processed for a purpose.

The rule, applied to the events of the purpose and its ancestors up to the instant *T*
(for a vendor: that vendor's events and the purpose-level refusals):

1. **The deciding event** is the latest one: greatest ``occurred_at``; at equal instants the
   more specific purpose (a child data use over its parent), then the later-recorded event
   (greater ``event_id``). Events decoded from one consent string are recorded refusals
   first, grants last, so a string that grants a purpose on any basis (TCF: consent *or*
   legitimate interest) is honoured.
2. **Its state** decides, with the reason of exclusion
   (:class:`~fairmark.privacy.consent.model.ExclusionReason`):
   ``denied`` → denied; ``withdrawn`` → withdrawn; ``objected`` in a US jurisdiction →
   opted_out (an opt-out of sale, sharing or targeted advertising, GPC included);
   ``objected`` elsewhere → objected (GDPR Art. 21).
3. A ``granted`` deciding event still excludes when
   (a) its ``expires_at`` is at or before *T* → expired;
   (b) the purpose is direct marketing (``marketing.*``), the subject objected (GDPR Art. 21,
   non-US) at any earlier instant and the grant is not an explicit consent → objected.
   Art. 21(3) makes an objection to direct marketing absolute: a later record of
   legitimate interest (or any other basis) cannot override it, but the subject can
   change their mind and give explicit consent afterwards (Art. 7; a later consent counts);
   (c) the subject is a minor (latest known ``is_minor``) and the grant is not an explicit
   consent → minor_without_opt_in (Cal. Civ. Code §1798.120(c); GDPR Art. 8(1));
   (d) it has no lawful basis outside a US jurisdiction → no_lawful_basis.
4. No event at all → no_record. A row without a subject id → missing_subject_id. Fail
   closed: only a subject whose deciding event passes every test is permitted.

US opt-outs are not absolute: a later record of the subject's choice (an opt-in, or a
signal without the opt-out) decides, as the state laws let consumers opt back in
(Cal. Civ. Code §1798.135(c)(4)).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from fairmark.privacy.consent.model import ExclusionReason
from fairmark.privacy.consent.purposes import is_direct_marketing

__all__ = ["Decisions", "load_decisions"]

_COUNTER = itertools.count()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _us(column: str) -> str:
    return f"({column} = 'US' OR {column} LIKE 'US-%')"


@dataclass(frozen=True)
class Decisions:
    """A DuckDB table ``name`` with one decision per data subject, and how to read it.

    Attributes
    ----------
    name : str
        Temporary table with columns ``subject_id``, ``d`` (the deciding event: a struct
        ``state, basis, jur, exp, eid, purpose, at``), ``objected_at``, ``is_minor``.
    as_of : datetime
        The instant *T* (UTC).
    direct_marketing : bool
        Whether the purpose is direct marketing (rule 3b).
    n_events : int
        Ledger events read from the store.
    transfer_s : float
        Seconds to stream the slice from the store into DuckDB.
    reduce_s : float
        Seconds to reduce it to one decision per subject.
    """

    name: str
    as_of: datetime
    direct_marketing: bool
    n_events: int
    transfer_s: float = 0.0
    reduce_s: float = 0.0

    def reason_sql(self, subject: str, alias: str = "d_") -> str:
        """SQL expression of the exclusion reason (``NULL`` = permitted).

        Parameters
        ----------
        subject : str
            SQL expression of the audience row's subject id (text).
        alias : str
            Alias of this table in the enclosing query's ``LEFT JOIN``.
        """
        a = alias
        t = _literal(self.as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
        dm = "TRUE" if self.direct_marketing else "FALSE"
        r = ExclusionReason
        return (
            "CASE "
            f"WHEN {subject} IS NULL OR trim({subject}) = '' THEN '{r.MISSING_SUBJECT_ID}' "
            f"WHEN {a}.subject_id IS NULL THEN '{r.NO_RECORD}' "
            f"WHEN {a}.d.state = 'denied' THEN '{r.DENIED}' "
            f"WHEN {a}.d.state = 'withdrawn' THEN '{r.WITHDRAWN}' "
            f"WHEN {a}.d.state = 'objected' AND {_us(f'{a}.d.jur')} THEN '{r.OPTED_OUT}' "
            f"WHEN {a}.d.state = 'objected' THEN '{r.OBJECTED}' "
            f"WHEN {a}.d.exp IS NOT NULL AND {a}.d.exp <= TIMESTAMP {t} THEN '{r.EXPIRED}' "
            f"WHEN {dm} AND {a}.objected_at IS NOT NULL "
            f"AND coalesce({a}.d.basis, '') <> 'consent' THEN '{r.OBJECTED}' "
            f"WHEN coalesce({a}.is_minor, FALSE) AND coalesce({a}.d.basis, '') <> 'consent' "
            f"THEN '{r.MINOR_WITHOUT_OPT_IN}' "
            f"WHEN {a}.d.basis IS NULL AND NOT coalesce({_us(f'{a}.d.jur')}, FALSE) "
            f"THEN '{r.NO_LAWFUL_BASIS}' "
            "ELSE NULL END"
        )

    def join_sql(self, audience_sql: str, subject_column: str) -> str:
        """The audience with two more columns: ``_fm_key`` and ``_fm_reason``.

        Parameters
        ----------
        audience_sql : str
            SQL of the audience (a query or a table name).
        subject_column : str
            The audience's subject column (quoted here).

        Returns
        -------
        str
            ``SELECT a.*, <key> AS _fm_key, <reason> AS _fm_reason FROM (<audience>) AS a
            LEFT JOIN <decisions> ON subject_id = <key>``, where the key is the subject
            column as trimmed text and the reason ``NULL`` for a permitted row.
        """
        col = '"' + subject_column.replace('"', '""') + '"'
        key = f"trim(CAST(a.{col} AS VARCHAR))"
        return (
            f"SELECT a.*, {key} AS _fm_key, {self.reason_sql(key)} AS _fm_reason "
            f"FROM ({audience_sql}) AS a LEFT JOIN {self.name} AS d_ "
            f"ON d_.subject_id = {key}"
        )


def load_decisions(
    con: Any, events: pa.RecordBatchReader, *, purpose: str, as_of: datetime
) -> Decisions:
    """Load the ledger slice into DuckDB and reduce it to one decision per subject.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection that also holds the audience.
    events : pyarrow.RecordBatchReader
        The slice (:func:`fairmark.privacy.consent._store_read.slice_reader`), read once.
    purpose : str
        The purpose asked about (decides rule 3b).
    as_of : datetime
        The instant *T*.

    Returns
    -------
    Decisions

    Notes
    -----
    One ``GROUP BY subject_id`` with ``arg_max`` over the ordering key
    ``(occurred_at, length(purpose), event_id)`` (DuckDB aggregate functions, ``arg_max``).
    """
    n = next(_COUNTER)
    src, events_table, name = f"fm_slice_src_{n}", f"fm_slice_{n}", f"fm_decided_{n}"
    started = time.perf_counter()
    con.register(src, events)
    try:
        con.execute(
            f"CREATE TEMP TABLE {events_table} AS SELECT event_id, subject_id, purpose, state, "
            "lawful_basis, jurisdiction, CAST(occurred_at AS TIMESTAMP) AS occurred_at, "
            f"CAST(expires_at AS TIMESTAMP) AS expires_at, is_minor FROM {src}"
        )
    finally:
        con.unregister(src)
    n_events = con.execute(f"SELECT count(*) FROM {events_table}").fetchone()[0]
    transferred = time.perf_counter()
    key = "{'t': occurred_at, 'd': length(purpose), 'e': event_id}"
    con.execute(
        f"CREATE TEMP TABLE {name} AS SELECT subject_id, "
        "arg_max({'state': state, 'basis': lawful_basis, 'jur': jurisdiction, "
        "'exp': expires_at, 'eid': event_id, 'purpose': purpose, 'at': occurred_at}, "
        f"{key}) AS d, "
        f"max(occurred_at) FILTER (WHERE state = 'objected' AND NOT "
        f"coalesce({_us('jurisdiction')}, FALSE)) AS objected_at, "
        "arg_max(is_minor, {'t': occurred_at, 'e': event_id}) "
        "FILTER (WHERE is_minor IS NOT NULL) AS is_minor "
        f"FROM {events_table} GROUP BY subject_id"
    )
    con.execute(f"DROP TABLE {events_table}")
    return Decisions(
        name,
        as_of.astimezone(UTC),
        is_direct_marketing(purpose),
        int(n_events),
        transferred - started,
        time.perf_counter() - transferred,
    )
