"""SQLAlchemy model of the consent ledger table ``consent_events`` (migration ``0003``).

Kept apart from :mod:`fairmark.store.models` (same ``Base``, same metadata) so the consent
ledger can evolve on its own; ``migrations/env.py`` imports it so Alembic sees the table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fairmark.store.models import Base, UTCDateTime

__all__ = ["CONSENT_STATES", "LAWFUL_BASES", "ConsentEventRow"]

CONSENT_STATES: tuple[str, ...] = ("granted", "denied", "withdrawn", "objected")
"""Allowed values of ``consent_events.state`` (:class:`fairmark.privacy.consent.ConsentState`)."""

LAWFUL_BASES: tuple[str, ...] = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
)
"""Allowed values of ``consent_events.lawful_basis``: GDPR Art. 6(1)(a)-(f)."""

_EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite: the rowid alias


class ConsentEventRow(Base):
    """One consent event, append-only (the database refuses UPDATE, DELETE and TRUNCATE).

    Attributes
    ----------
    event_id : int
        Primary key, increasing in the order events were recorded (ties of ``occurred_at``
        are broken by it: the later-recorded event wins).
    import_id : str
        UUID of the append or file import that recorded the event (indexed).
    source_row : int or None
        1-based data row in the imported file.
    subject_id : str
        The data subject's id, raw: the ledger answers "status SUBJECT" and joins with
        audiences on it.
    purpose : str
        fideslang data use.
    vendor : str or None
        Vendor (IAB GVL id as text, or a name); ``None`` for the purpose as a whole.
    state : str
        One of :data:`CONSENT_STATES` (CHECK constraint).
    lawful_basis : str or None
        One of :data:`LAWFUL_BASES` (CHECK constraint).
    source : str
        Who recorded the event.
    occurred_at : datetime
        When the subject made the choice (UTC).
    recorded_at : datetime
        When the ledger received it (UTC).
    expires_at : datetime or None
        When a granted consent lapses (UTC).
    jurisdiction : str or None
        ``EU``, ISO 3166-1 alpha-2 or ISO 3166-2 code.
    raw_signal : str or None
        The signal as received (TC string, GPP string, ``Sec-GPC: 1`` …).
    signal : str or None
        The field of the signal that decided the state.
    is_minor : bool or None
        Whether the subject was under 16 (``None``: unknown).

    Notes
    -----
    The CHECK constraints are spelled ``state = 'a' OR state = 'b' …`` rather than ``IN
    (…)``: SQLite 3.40 rebuilds an ``IN`` list for every inserted row (5x slower imports).
    Indexes: ``(subject_id, purpose, occurred_at)`` for a subject's state and history and
    for finding duplicate events; ``purpose`` for the slice the enforcement filter reads
    (entries ordered by ``(purpose, event_id)``, so appends touch only the end of each
    purpose's range: an index on ``(purpose, occurred_at)`` took random inserts and made
    imports slower); ``import_id`` for an import's report. Sources: GDPR Art. 7(1) (the
    controller shall be able to demonstrate consent), Art. 5(2) (accountability).
    """

    __tablename__ = "consent_events"
    __table_args__ = (
        CheckConstraint(" OR ".join(f"state = '{s}'" for s in CONSENT_STATES), name="state"),
        CheckConstraint(
            "lawful_basis IS NULL OR " + " OR ".join(f"lawful_basis = '{b}'" for b in LAWFUL_BASES),
            name="lawful_basis",
        ),
        Index(None, "subject_id", "purpose", "occurred_at"),
        Index(None, "purpose"),
        Index(None, "import_id"),
    )

    event_id: Mapped[int] = mapped_column(_EVENT_ID, primary_key=True, autoincrement=True)
    import_id: Mapped[str] = mapped_column(String(36))
    source_row: Mapped[int | None] = mapped_column(Integer())
    subject_id: Mapped[str] = mapped_column(String())
    purpose: Mapped[str] = mapped_column(String(255))
    vendor: Mapped[str | None] = mapped_column(String())
    state: Mapped[str] = mapped_column(String(16))
    lawful_basis: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String())
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    jurisdiction: Mapped[str | None] = mapped_column(String(16))
    raw_signal: Mapped[str | None] = mapped_column(Text())
    signal: Mapped[str | None] = mapped_column(Text())
    is_minor: Mapped[bool | None] = mapped_column(Boolean())
