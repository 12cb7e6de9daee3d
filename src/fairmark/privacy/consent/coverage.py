"""Consent coverage of audited data: the share of its data subjects without valid consent.

The input of the check ``privacy.consent_coverage``: when an audit declares the purpose of
the model (a fideslang data use) and the column naming each row's data subject, every
subject in the training or scoring data is looked up in the consent ledger with the
enforcement filter's rule (:mod:`fairmark.privacy.consent.decide`), in the data engine. A
subject is *covered* when the filter would permit them; the share of subjects not covered
is the check's value (a policy bound ``max: 0`` makes the audit fail when any subject lacks
consent or another permitted lawful basis).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairmark.privacy.consent.audience_join import AudienceJoin, ReasonCount, open_join
from fairmark.privacy.consent.ledger import ConsentLedger, resolve_as_of
from fairmark.privacy.consent.model import ExclusionReason
from fairmark.privacy.consent.purposes import check_purpose, is_direct_marketing
from fairmark.privacy.consent.timestamps import iso_utc

__all__ = ["ConsentCoverage", "audit_consent_coverage", "consent_coverage", "coverage_from_counts"]


@dataclass(frozen=True)
class ConsentCoverage:
    """How many of the data's subjects the consent ledger permits for a purpose.

    Attributes
    ----------
    purpose : str
        fideslang data use.
    vendor : str or None
    as_of : datetime
        The instant judged (UTC).
    subject_column : str
    n_rows : int
    n_subjects : int
        Distinct subject ids; each row without an id counts as one (unknown) subject.
    n_subjects_without : int
        Subjects the filter would exclude.
    by_reason : dict
        ``reason -> subjects`` for every :class:`ExclusionReason` (zeros included).
    n_ledger_events : int
        Ledger events read.

    Notes
    -----
    Source: GDPR Art. 6(1) (lawfulness), Art. 7(1) (demonstrate consent), Art. 21(3); Cal.
    Civ. Code §1798.120; rule of :mod:`fairmark.privacy.consent.decide`.
    """

    purpose: str
    vendor: str | None
    as_of: datetime
    subject_column: str
    n_rows: int
    n_subjects: int
    n_subjects_without: int
    by_reason: dict[str, int]
    n_ledger_events: int

    @property
    def share_without(self) -> float | None:
        """``n_subjects_without / n_subjects``; ``None`` for data without rows."""
        if self.n_subjects == 0:
            return None
        return self.n_subjects_without / self.n_subjects

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (``kind: "consent_coverage"``, ``schema_version: "1.0"``)."""
        return {
            "kind": "consent_coverage",
            "schema_version": "1.0",
            "purpose": self.purpose,
            "direct_marketing": is_direct_marketing(self.purpose),
            "vendor": self.vendor,
            "as_of": iso_utc(self.as_of),
            "subject_column": self.subject_column,
            "rows": self.n_rows,
            "subjects": self.n_subjects,
            "subjects_without_consent": self.n_subjects_without,
            "share_without_consent": self.share_without,
            "by_reason": dict(self.by_reason),
            "ledger_events_read": self.n_ledger_events,
        }


def coverage_from_counts(
    counts: list[ReasonCount], join: AudienceJoin, *, purpose: str, vendor: str | None
) -> ConsentCoverage:
    """Build a :class:`ConsentCoverage` from the per-reason counts of a join."""
    by_reason = {r.value: 0 for r in ExclusionReason}
    for c in counts:
        if c.reason is not None:
            by_reason[c.reason] += c.subjects
    return ConsentCoverage(
        purpose=purpose,
        vendor=vendor,
        as_of=join.decisions.as_of,
        subject_column=join.subject_column,
        n_rows=sum(c.rows for c in counts),
        n_subjects=sum(c.subjects for c in counts),
        n_subjects_without=sum(by_reason.values()),
        by_reason=by_reason,
        n_ledger_events=join.decisions.n_events,
    )


def consent_coverage(
    data: Any,
    *,
    subject_column: str,
    purpose: str,
    vendor: str | None = None,
    as_of: str | datetime | None = None,
    ledger: ConsentLedger | None = None,
    url: str | None = None,
) -> ConsentCoverage:
    """Measure how many of the data's subjects have valid consent for ``purpose``.

    Parameters
    ----------
    data : str, os.PathLike, DataFrame, Arrow table or ibis.Table
        The training or scoring data (anything :func:`fairmark.engine.source.as_table`
        accepts, on DuckDB).
    subject_column : str
        Column naming each row's data subject.
    purpose : str
        fideslang data use the model serves.
    vendor : str, optional
        Judge the vendor's consent instead of the purpose-level one.
    as_of : str, datetime or None
        Instant (ISO 8601 with offset); default now.
    ledger : ConsentLedger, optional
        An open ledger; else one is opened at ``url``.
    url : str, optional
        Store URL (``None``: ``FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``).

    Returns
    -------
    ConsentCoverage

    Raises
    ------
    UsageError
        Unknown purpose, unknown vendor, naive ``as_of``, data not on DuckDB.
    DataError
        Unreadable data, missing subject column.
    StoreError
        The ledger cannot be opened or read.
    """
    purpose = check_purpose(purpose, what="purpose")
    when = resolve_as_of(as_of)
    own = ledger is None
    led = ConsentLedger(url) if ledger is None else ledger
    try:
        vendor = led.check_vendor(vendor)
        join = open_join(
            data, subject_column=subject_column, purpose=purpose, vendor=vendor, as_of=when,
            ledger=led,
        )
        return coverage_from_counts(join.counts(), join, purpose=purpose, vendor=vendor)
    finally:
        if own:
            led.close()


def audit_consent_coverage(
    source: Any,
    *,
    subject_column: str | None,
    purpose: str | None,
    url: str | None = None,
) -> ConsentCoverage | None:
    """The coverage an audit stores on ``AuditMetrics.consent``, or ``None`` if undeclared.

    Parameters
    ----------
    source : DataSource or anything :func:`consent_coverage` accepts
        The audited data (a :class:`fairmark.engine.source.DataSource` is unwrapped to its
        Ibis table).
    subject_column : str or None
        The audit's subject-id column.
    purpose : str or None
        The audit's declared purpose.
    url : str, optional
        Store URL.

    Returns
    -------
    ConsentCoverage or None
        ``None`` unless both ``subject_column`` and ``purpose`` are given; then the
        check ``privacy.consent_coverage`` reports ``not_declared``.

    Raises
    ------
    As :func:`consent_coverage`.
    """
    if subject_column is None or purpose is None:
        return None
    data = getattr(source, "table", source)
    return consent_coverage(data, subject_column=subject_column, purpose=purpose, url=url)
