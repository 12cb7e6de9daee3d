"""Typed results of the consent ledger: what an append or import recorded, a subject's status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairmark.privacy.consent._store_write import DuplicateReport
from fairmark.privacy.consent.model import StoredEvent
from fairmark.privacy.consent.timestamps import iso_utc

__all__ = ["TIE_RULE", "AppendResult", "ConsentStatus", "ImportResult"]

TIE_RULE = (
    "both events are kept; the latest timestamp wins, and at equal timestamps the event "
    "recorded later (later in the file, or in a later import) wins"
)
"""How the ledger resolves duplicate and contradictory events (said in every report)."""


@dataclass(frozen=True)
class AppendResult:
    """What one append recorded.

    Attributes
    ----------
    import_id : str
        UUID shared by the events of this append.
    n_events : int
        Events recorded.
    recorded_at : datetime
        When (UTC).
    duplicates : DuplicateReport
        Events that repeat or contradict an earlier event (kept; :data:`TIE_RULE`).
    """

    import_id: str
    n_events: int
    recorded_at: datetime
    duplicates: DuplicateReport

    @property
    def warnings(self) -> tuple[str, ...]:
        """One sentence per kind of duplicate found, naming the tie rule."""
        out = []
        d = self.duplicates
        if d.n_contradictions:
            out.append(
                f"{d.n_contradictions:,} event(s) contradict an earlier event with the same "
                f"subject, purpose, vendor, lawful basis and timestamp; {TIE_RULE}"
            )
        if d.n_duplicates:
            out.append(
                f"{d.n_duplicates:,} event(s) repeat an earlier event exactly (same key and "
                f"state); {TIE_RULE}"
            )
        return tuple(out)

    def _base(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "recorded_at": iso_utc(self.recorded_at),
            "n_events": self.n_events,
            "duplicates": self.duplicates.n_duplicates,
            "contradictions": self.duplicates.n_contradictions,
            "tie_rule": TIE_RULE,
            "samples": [s.to_dict() for s in self.duplicates.samples],
            "warnings": list(self.warnings),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON document, ``kind: "consent_append"``, ``schema_version: "1.0"``."""
        return {"kind": "consent_append", "schema_version": "1.0", **self._base()}


@dataclass(frozen=True)
class ImportResult(AppendResult):
    """What one file import recorded (an :class:`AppendResult` plus the file's facts).

    Attributes
    ----------
    path : str
        The imported file.
    n_rows : int
        Data rows read.
    n_signal_rows : int
        Rows whose consent string was decoded into events.
    columns : dict
        ``ledger field -> file column`` as mapped.
    ignored_columns : tuple of str
        File columns that map to no ledger field.
    """

    path: str = ""
    n_rows: int = 0
    n_signal_rows: int = 0
    columns: dict[str, str] | None = None
    ignored_columns: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON document, ``kind: "consent_import"``, ``schema_version: "1.0"``."""
        return {
            "kind": "consent_import",
            "schema_version": "1.0",
            "path": self.path,
            "n_rows": self.n_rows,
            "n_signal_rows": self.n_signal_rows,
            "columns": dict(self.columns or {}),
            "ignored_columns": list(self.ignored_columns),
            **self._base(),
        }


@dataclass(frozen=True)
class ConsentStatus:
    """Whether one data subject may be processed for one purpose at one instant.

    Attributes
    ----------
    subject_id : str
    purpose : str
    vendor : str or None
    as_of : datetime
        The instant asked about (UTC).
    permitted : bool
    reason : str or None
        :class:`~fairmark.privacy.consent.model.ExclusionReason` value when not permitted.
    deciding_event : StoredEvent or None
        The event that decided (``None`` without any).
    objected_at : datetime or None
        Latest GDPR Art. 21 objection up to ``as_of`` among the deciding events.
    is_minor : bool or None
        Latest known minor flag.

    Notes
    -----
    The rule is that of the enforcement filter (:mod:`fairmark.privacy.consent.decide`),
    computed by the same engine query.
    """

    subject_id: str
    purpose: str
    vendor: str | None
    as_of: datetime
    permitted: bool
    reason: str | None
    deciding_event: StoredEvent | None
    objected_at: datetime | None
    is_minor: bool | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (``kind: "consent_status"``, ``schema_version: "1.0"``)."""
        return {
            "kind": "consent_status",
            "schema_version": "1.0",
            "subject_id": self.subject_id,
            "purpose": self.purpose,
            "vendor": self.vendor,
            "as_of": iso_utc(self.as_of),
            "permitted": self.permitted,
            "reason": self.reason,
            "deciding_event": (
                None if self.deciding_event is None else self.deciding_event.to_dict()
            ),
            "objected_at": iso_utc(self.objected_at),
            "is_minor": self.is_minor,
        }
