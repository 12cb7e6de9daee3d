"""Typed result of the enforcement filter: :class:`ConsentFilterResult`.

:meth:`ConsentFilterResult.to_dict` gives the run document (``kind: "consent_filter"``,
``schema_version: "1.0"``): the purpose, vendor and instant enforced, the rows read and
written, the excluded rows and subjects counted by reason, where the file went, the time of
each stage, and the policy verdict. It never holds a subject id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fairmark.checks.base import Measurement
from fairmark.privacy.consent.ledger_result import TIE_RULE
from fairmark.privacy.consent.model import ExclusionReason
from fairmark.privacy.consent.timestamps import iso_utc

__all__ = ["REASON_MEANING", "ConsentFilterResult", "ExclusionCount"]

REASON_MEANING: dict[str, str] = {
    ExclusionReason.MISSING_SUBJECT_ID: "the row has no subject id",
    ExclusionReason.NO_RECORD: "no consent event for the purpose up to the instant",
    ExclusionReason.DENIED: "consent refused",
    ExclusionReason.WITHDRAWN: "consent withdrawn (GDPR Art. 7(3))",
    ExclusionReason.OBJECTED: (
        "objection under GDPR Art. 21; for direct marketing absolute (Art. 21(3)) unless "
        "explicit consent was given afterwards"
    ),
    ExclusionReason.OPTED_OUT: (
        "US opt-out of sale, sharing or targeted advertising, Global Privacy Control included "
        "(Cal. Civ. Code §1798.120, §1798.135)"
    ),
    ExclusionReason.MINOR_WITHOUT_OPT_IN: (
        "under 16 without explicit opt-in consent (Cal. Civ. Code §1798.120(c); GDPR Art. 8)"
    ),
    ExclusionReason.EXPIRED: "the consent had expired",
    ExclusionReason.NO_LAWFUL_BASIS: (
        "granted without a lawful basis outside the US (GDPR Art. 6(1))"
    ),
}
"""Plain-language meaning of each exclusion reason, as the reports print it."""

RULE = (
    "latest event of the purpose (or a parent purpose) up to the instant decides; a subject "
    "without a valid record is excluded (fail closed)"
)


@dataclass(frozen=True)
class ExclusionCount:
    """Rows and distinct subjects excluded for one reason."""

    reason: str
    rows: int
    subjects: int

    def to_dict(self) -> dict[str, Any]:
        """``{"reason", "meaning", "rows", "subjects"}``."""
        return {
            "reason": self.reason,
            "meaning": REASON_MEANING[self.reason],
            "rows": self.rows,
            "subjects": self.subjects,
        }


@dataclass(frozen=True)
class ConsentFilterResult:
    """An audience filtered down to the subjects permitted for one purpose.

    Attributes
    ----------
    run_id : str
    created_at : datetime
    data_description : str
    subject_column : str
    purpose : str
    direct_marketing : bool
        Whether the purpose is direct marketing (GDPR Art. 21(3) applies).
    vendor : str or None
    as_of : datetime
        The instant enforced (UTC).
    ledger_url : str
        The store, password hidden.
    n_ledger_events : int
        Ledger events read (the purpose's slice).
    n_rows, n_permitted_rows : int
    n_subjects, n_permitted_subjects : int
        Distinct subject ids (a row without id counts as one subject).
    exclusions : tuple of ExclusionCount
        Every reason, in :class:`ExclusionReason` order, zeros included.
    output_path : str
    output_format : {"csv", "parquet"}
    timings : dict
        Seconds per stage.
    measurements : tuple of Measurement
    outcome : fairmark.policy.PolicyOutcome or None
    policy : fairmark.policy.Policy or None
    """

    run_id: str
    created_at: datetime
    data_description: str
    subject_column: str
    purpose: str
    direct_marketing: bool
    vendor: str | None
    as_of: datetime
    ledger_url: str
    n_ledger_events: int
    n_rows: int
    n_permitted_rows: int
    n_subjects: int
    n_permitted_subjects: int
    exclusions: tuple[ExclusionCount, ...]
    output_path: str
    output_format: str
    timings: dict[str, float]
    measurements: tuple[Measurement, ...] = ()
    outcome: Any = None
    policy: Any = None

    @property
    def n_excluded_rows(self) -> int:
        """Rows not written."""
        return self.n_rows - self.n_permitted_rows

    @property
    def excluded(self) -> dict[str, int]:
        """``reason -> excluded rows`` (every reason, zeros included)."""
        return {e.reason: e.rows for e in self.exclusions}

    @property
    def verdict(self) -> str:
        """Policy verdict: ``pass``, ``warn``, ``fail`` or ``insufficient_evidence``."""
        return "pass" if self.outcome is None else str(self.outcome.verdict)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document of the run (module docstring); no subject id in it."""
        from fairmark import __version__

        findings = self.outcome.findings if self.outcome is not None else ()
        rules = self.outcome.rules if self.outcome is not None else ()
        return {
            "kind": "consent_filter",
            "schema_version": "1.0",
            "run_id": self.run_id,
            "created_at": self.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool_version": __version__,
            "data": self.data_description,
            "subject_column": self.subject_column,
            "purpose": {"key": self.purpose, "direct_marketing": self.direct_marketing},
            "vendor": self.vendor,
            "as_of": iso_utc(self.as_of),
            "rule": RULE,
            "tie_rule": TIE_RULE,
            "ledger": {"url": self.ledger_url, "events_read": self.n_ledger_events},
            "counts": {
                "rows": self.n_rows,
                "permitted_rows": self.n_permitted_rows,
                "excluded_rows": self.n_excluded_rows,
                "subjects": self.n_subjects,
                "permitted_subjects": self.n_permitted_subjects,
            },
            "exclusions": [e.to_dict() for e in self.exclusions],
            "output": {"path": self.output_path, "format": self.output_format, "written": True},
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
            "policy": None if self.policy is None else self.policy.to_report_dict(),
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in findings],
            "rules": [r.to_dict() for r in rules],
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False, ensure_ascii=False)
