"""The vocabulary of the consent ledger: states, lawful bases, exclusion reasons, events.

A :class:`ConsentEvent` is one statement about one data subject and one purpose (a
fideslang data use), optionally for one vendor: at ``occurred_at`` the subject's choice was
``state`` under ``lawful_basis``, recorded by ``source`` from ``raw_signal``. Events are only
ever appended; the state at any instant is derived from them (:mod:`.decide`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from fairmark.errors import DataError
from fairmark.privacy.consent.purposes import check_purpose
from fairmark.privacy.consent.timestamps import iso_utc

__all__ = [
    "JURISDICTION_PATTERN",
    "MINOR_AGE",
    "ConsentEvent",
    "ConsentState",
    "ExclusionReason",
    "LawfulBasis",
    "StoredEvent",
    "is_us_jurisdiction",
]

MINOR_AGE = 16
"""Age below which a data subject is a minor for marketing: GDPR Art. 8(1) (consent of a
child to information-society services is lawful from 16; Member States may lower it to 13)
and Cal. Civ. Code §1798.120(c) (no sale or sharing of the personal information of a
consumer under 16 without affirmative authorisation)."""

JURISDICTION_PATTERN = r"^(EU|[A-Z]{2}(-[A-Z0-9]{1,3})?)$"
"""``EU``, an ISO 3166-1 alpha-2 country (``DE``, ``US``) or an ISO 3166-2 subdivision
(``US-CA``)."""

_JURISDICTION = re.compile(JURISDICTION_PATTERN)


class ConsentState(StrEnum):
    """What the data subject's choice was.

    Members
    -------
    GRANTED : consent given (GDPR Art. 4(11), 7), or processing on another lawful basis
        stated and not objected to, or (US opt-out laws) no opt-out exercised.
    DENIED : consent asked and refused (or never given where it is required).
    WITHDRAWN : consent given earlier and withdrawn (GDPR Art. 7(3)).
    OBJECTED : the subject objected (GDPR Art. 21) or, in a US jurisdiction, opted out of
        sale, sharing or targeted advertising (Cal. Civ. Code §1798.120, §1798.135; Global
        Privacy Control, 11 CCR §7025).
    """

    GRANTED = "granted"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    OBJECTED = "objected"


class LawfulBasis(StrEnum):
    """The six lawful bases of processing, GDPR Art. 6(1)(a)-(f)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class ExclusionReason(StrEnum):
    """Why a data subject may not be processed for a purpose (the enforcement filter).

    Members
    -------
    MISSING_SUBJECT_ID : the row has no subject id, so no record can be found (fail closed).
    NO_RECORD : the ledger holds no event for the subject and purpose up to the instant.
    DENIED : the deciding event refuses consent.
    WITHDRAWN : the deciding event withdraws consent (GDPR Art. 7(3)).
    OBJECTED : the subject objected (GDPR Art. 21). For direct marketing, profiling for it
        included, the objection is absolute (Art. 21(3)): only a later explicit consent
        lifts it, no later record on another basis does.
    OPTED_OUT : in a US jurisdiction, an opt-out of sale, sharing or targeted advertising, a
        Global Privacy Control signal included (Cal. Civ. Code §1798.120, §1798.135; 11 CCR
        §7025).
    MINOR_WITHOUT_OPT_IN : the subject is under :data:`MINOR_AGE` and the deciding event is
        not an explicit consent (opt-in): Cal. Civ. Code §1798.120(c), GDPR Art. 8(1).
    EXPIRED : the deciding consent had expired at the instant.
    NO_LAWFUL_BASIS : the deciding event grants without a lawful basis outside the US
        (GDPR Art. 6(1): processing is lawful only on one of six bases).
    """

    MISSING_SUBJECT_ID = "missing_subject_id"
    NO_RECORD = "no_record"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    OBJECTED = "objected"
    OPTED_OUT = "opted_out"
    MINOR_WITHOUT_OPT_IN = "minor_without_opt_in"
    EXPIRED = "expired"
    NO_LAWFUL_BASIS = "no_lawful_basis"


def is_us_jurisdiction(jurisdiction: str | None) -> bool:
    """Whether ``jurisdiction`` is the United States or one of its states (``US``, ``US-CA``).

    In a US jurisdiction an ``objected`` event is an opt-out under a state privacy law and
    a ``granted`` event may carry no lawful basis (those laws are opt-out regimes).
    """
    return jurisdiction is not None and (jurisdiction == "US" or jurisdiction.startswith("US-"))


def _text(value: object, name: str, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DataError(f"{name} is empty; expected text")
        return None
    if not isinstance(value, str):
        raise DataError(f"{name} is a {type(value).__name__}; expected text")
    return value.strip()


def _instant(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise DataError(f"{name} is a {type(value).__name__}; expected a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise DataError(f"{name} {value.isoformat()} has no time zone; expected an aware datetime")
    return value


@dataclass(frozen=True)
class ConsentEvent:
    """One appended statement of the consent ledger.

    Parameters
    ----------
    subject_id : str
        The data subject (GDPR Art. 4(1)), as the audiences name them (a customer id). Kept
        raw: the ledger must answer for a subject and join with audiences.
    purpose : str
        fideslang data-use key (:data:`fairmark.privacy.consent.purposes.DATA_USES`).
    state : ConsentState or str
    occurred_at : datetime
        When the subject made the choice (timezone-aware).
    lawful_basis : LawfulBasis, str or None
        GDPR Art. 6(1) basis the event is about. ``None`` only for refusals and for US
        opt-out signals.
    source : str
        Who recorded it (``"onetrust-export"``, ``"tcf"``, ``"gpp.usnat"`` …).
    vendor : str or None
        The vendor the event is about (an IAB GVL id as text, or a name); ``None`` for the
        purpose as a whole.
    expires_at : datetime or None
        When a granted consent lapses (timezone-aware, after ``occurred_at``).
    jurisdiction : str or None
        ``EU``, ISO 3166-1 alpha-2 or ISO 3166-2 code (:data:`JURISDICTION_PATTERN`).
    raw_signal : str or None
        The signal as received (a TC string, ``Sec-GPC: 1``, a form answer).
    signal : str or None
        The field of ``raw_signal`` that decided the state (``PurposesConsent[3]=1``).
    is_minor : bool or None
        Whether the subject was under :data:`MINOR_AGE`; ``None`` when unknown.

    Raises
    ------
    UsageError
        ``purpose`` is not a fideslang data use.
    DataError
        Any other field is malformed: an unknown state or lawful basis, a naive timestamp,
        an expiry not after the event, a malformed jurisdiction, or a grant without a
        lawful basis outside a US jurisdiction.

    Notes
    -----
    Sources: GDPR Art. 6(1) (lawful bases), Art. 7 (conditions for consent), Art. 21 (right
    to object); Cal. Civ. Code §1798.120, §1798.135 (opt-out of sale and sharing);
    fideslang data uses.
    """

    subject_id: str
    purpose: str
    state: ConsentState
    occurred_at: datetime
    lawful_basis: LawfulBasis | None = None
    source: str = "api"
    vendor: str | None = None
    expires_at: datetime | None = None
    jurisdiction: str | None = None
    raw_signal: str | None = None
    signal: str | None = None
    is_minor: bool | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "subject_id", _text(self.subject_id, "subject_id", required=True))
        set_(self, "purpose", check_purpose(self.purpose))
        try:
            set_(self, "state", ConsentState(str(self.state).strip().lower()))
        except ValueError:
            raise DataError(
                f"state {self.state!r} is unknown; expected one of "
                f"{', '.join(s.value for s in ConsentState)}"
            ) from None
        basis = _text(self.lawful_basis, "lawful_basis", required=False)
        try:
            set_(self, "lawful_basis", None if basis is None else LawfulBasis(basis.lower()))
        except ValueError:
            raise DataError(
                f"lawful_basis {basis!r} is unknown; expected one of the six GDPR Art. 6(1) "
                f"bases: {', '.join(b.value for b in LawfulBasis)}"
            ) from None
        set_(self, "source", _text(self.source, "source", required=True))
        set_(self, "vendor", _text(self.vendor, "vendor", required=False))
        set_(self, "occurred_at", _instant(self.occurred_at, "occurred_at"))
        if self.expires_at is not None:
            set_(self, "expires_at", _instant(self.expires_at, "expires_at"))
            if self.expires_at <= self.occurred_at:
                raise DataError(
                    f"expires_at {iso_utc(self.expires_at)} is not after occurred_at "
                    f"{iso_utc(self.occurred_at)}; expected an expiry after the decision"
                )
        jurisdiction = _text(self.jurisdiction, "jurisdiction", required=False)
        if jurisdiction is not None:
            jurisdiction = jurisdiction.upper()
            if not _JURISDICTION.match(jurisdiction):
                raise DataError(
                    f"jurisdiction {jurisdiction!r} is malformed; expected EU, a country code "
                    "(DE) or a subdivision code (US-CA)"
                )
        set_(self, "jurisdiction", jurisdiction)
        set_(self, "raw_signal", _text(self.raw_signal, "raw_signal", required=False))
        set_(self, "signal", _text(self.signal, "signal", required=False))
        if self.is_minor is not None and not isinstance(self.is_minor, bool):
            raise DataError(f"is_minor is {self.is_minor!r}; expected true, false or None")
        if (
            self.state is ConsentState.GRANTED
            and self.lawful_basis is None
            and not is_us_jurisdiction(self.jurisdiction)
        ):
            raise DataError(
                "state granted without a lawful_basis outside a US jurisdiction; expected one "
                f"of {', '.join(b.value for b in LawfulBasis)} (GDPR Art. 6(1))"
            )

    @classmethod
    def from_entry(
        cls,
        entry: dict[str, Any],
        *,
        subject_id: str,
        occurred_at: datetime,
        expires_at: datetime | None = None,
        is_minor: bool | None = None,
    ) -> ConsentEvent:
        """Build an event from one :func:`fairmark.consent.ledger_entries` dict.

        Parameters
        ----------
        entry : dict
            ``{"purpose", "state", "lawful_basis", "vendor", "source", "jurisdiction",
            "raw_signal", "signal"}`` as :func:`fairmark.consent.ledger_entries` returns.
        subject_id : str
            Whose signal it is.
        occurred_at : datetime
            When the signal was given (timezone-aware).
        expires_at : datetime, optional
        is_minor : bool, optional

        Returns
        -------
        ConsentEvent

        Raises
        ------
        UsageError, DataError
            As the constructor.
        """
        vendor = entry.get("vendor")
        return cls(
            subject_id=subject_id,
            purpose=entry["purpose"],
            state=entry["state"],
            occurred_at=occurred_at,
            lawful_basis=entry.get("lawful_basis"),
            source=entry.get("source") or "signal",
            vendor=None if vendor is None else str(vendor),
            expires_at=expires_at,
            jurisdiction=entry.get("jurisdiction"),
            raw_signal=entry.get("raw_signal"),
            signal=entry.get("signal"),
            is_minor=is_minor,
        )

    @classmethod
    def from_store(cls, **values: Any) -> ConsentEvent:
        """Rebuild an event read back from the ledger, as stored, without re-judging it.

        The store may hold rows written behind the API (a grant without lawful basis, say);
        they must read back to be shown and judged (the filter excludes such a grant as
        ``no_lawful_basis``), so only the value types are converted here.

        Parameters
        ----------
        **values
            Every field of the dataclass; ``state`` and ``lawful_basis`` as stored text.

        Returns
        -------
        ConsentEvent
        """
        event = object.__new__(cls)
        basis = values.get("lawful_basis")
        values["state"] = ConsentState(values["state"])
        values["lawful_basis"] = None if basis is None else LawfulBasis(basis)
        for name in cls.__dataclass_fields__:
            object.__setattr__(event, name, values.get(name))
        return event

    def to_dict(self) -> dict[str, Any]:
        """The event as a JSON-safe dict (timestamps ISO 8601 UTC with ``Z``)."""
        return {
            "subject_id": self.subject_id,
            "purpose": self.purpose,
            "vendor": self.vendor,
            "state": self.state.value,
            "lawful_basis": None if self.lawful_basis is None else self.lawful_basis.value,
            "occurred_at": iso_utc(self.occurred_at),
            "expires_at": iso_utc(self.expires_at),
            "jurisdiction": self.jurisdiction,
            "source": self.source,
            "raw_signal": self.raw_signal,
            "signal": self.signal,
            "is_minor": self.is_minor,
        }


@dataclass(frozen=True)
class StoredEvent:
    """A :class:`ConsentEvent` as the ledger keeps it.

    Attributes
    ----------
    event_id : int
        Position in the ledger: later-recorded events have larger ids (breaks ties between
        events of the same instant: the later-recorded wins).
    import_id : str
        UUID of the append or import that recorded it.
    recorded_at : datetime
        When it was appended (UTC).
    source_row : int or None
        1-based data row of the imported file; ``None`` for events appended through the API.
    event : ConsentEvent
    """

    event_id: int
    import_id: str
    recorded_at: datetime
    source_row: int | None
    event: ConsentEvent

    def to_dict(self) -> dict[str, Any]:
        """The event's dict plus ``event_id``, ``import_id``, ``recorded_at``, ``source_row``."""
        return {
            "event_id": self.event_id,
            "import_id": self.import_id,
            "recorded_at": iso_utc(self.recorded_at),
            "source_row": self.source_row,
            **self.event.to_dict(),
        }

