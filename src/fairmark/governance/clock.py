"""The store's clock: every governance decision and stored timestamp reads the time here.

A team store on PostgreSQL is shared by many client machines whose clocks nobody controls:
a client whose clock is set 85 days ahead would otherwise make an approval, a training
record or a token look expired (or, set back, still current), and would write log entries
dated at will. Decisions (approval and token expiry, training currency, the gate's "now")
and the timestamps fairmark stores (log entries, decisions, revocations, status changes)
therefore take the **database server's** time, read on the connection that makes the
decision, inside its transaction.

On SQLite the database is a local file and the "server" is this machine: the time is the
process clock, and whoever controls this machine's clock controls the store's time (a
documented limitation; use PostgreSQL when people must not set the time themselves).

Comparisons with audit run timestamps still allow
:data:`fairmark.governance.gate.CLOCK_SKEW`: a run's ``created_at`` is written by the client
that ran the audit (``report.json``), not by the server.

Sources: PostgreSQL documentation, "Date/Time Functions and Operators", section "Current
Date/Time" (``clock_timestamp()`` versus ``now()``/``transaction_timestamp()``); EU AI Act
Art. 12 (record-keeping: logs must record the period of each use reliably).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, text

__all__ = ["db_now"]


def db_now(conn: Connection) -> datetime:
    """Return the store's current time as a timezone-aware UTC datetime.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        The connection that makes the decision or writes the timestamp (usually inside the
        caller's transaction, after the audit log's lock).

    Returns
    -------
    datetime
        Timezone-aware, in UTC, with microseconds. On PostgreSQL the server's
        ``clock_timestamp()``; on SQLite (and any other dialect) this process's clock,
        ``datetime.now(UTC)``.

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        PostgreSQL cannot be queried (the caller's store guard turns it into a
        ``StoreError``).

    Notes
    -----
    ``clock_timestamp()``, not ``now()``: inside one transaction ``now()`` (like
    ``CURRENT_TIMESTAMP`` and ``transaction_timestamp()``) is the moment the transaction
    *started*. A writer that began its transaction, then waited on the audit log's advisory
    lock while another writer appended and committed, would stamp its entry earlier than
    the entry before it. ``clock_timestamp()`` is the server's wall clock at the moment of
    the call, so a time read after the log lock is never earlier than the entry committed
    before the lock was granted (while the server's clock does not step back).

    On SQLite the database is a file on this machine and has no clock of its own: a local
    user who sets the machine's clock sets the store's time. Source: PostgreSQL
    documentation, "Current Date/Time".
    """
    if conn.dialect.name == "postgresql":
        moment = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
        return moment.astimezone(UTC)
    return datetime.now(UTC)
