"""fairmark.privacy.consent: the consent ledger and its enforcement.

- :class:`ConsentLedger` — append-only consent events in the fairmark store (SQLite or
  PostgreSQL): :meth:`~ConsentLedger.append`, :meth:`~ConsentLedger.import_file` (CSV/JSON
  exports, consent strings decoded), :meth:`~ConsentLedger.state_at`,
  :meth:`~ConsentLedger.status`, :meth:`~ConsentLedger.history`;
- :func:`filter_audience` — write only the audience rows permitted for a purpose, with the
  exclusions counted by reason (:class:`ExclusionReason`);
- :func:`consent_coverage` — the share of a dataset's subjects without valid consent (check
  ``privacy.consent_coverage``).

Purposes are fideslang data uses (:data:`DATA_USES`); the rule that decides is in
:mod:`fairmark.privacy.consent.decide`.
"""

from fairmark.privacy.consent.coverage import (
    ConsentCoverage,
    audit_consent_coverage,
    consent_coverage,
)
from fairmark.privacy.consent.filter import filter_audience
from fairmark.privacy.consent.ledger import ConsentLedger
from fairmark.privacy.consent.ledger_result import AppendResult, ConsentStatus, ImportResult
from fairmark.privacy.consent.model import (
    ConsentEvent,
    ConsentState,
    ExclusionReason,
    LawfulBasis,
    StoredEvent,
)
from fairmark.privacy.consent.purposes import DATA_USES
from fairmark.privacy.consent.result import ConsentFilterResult, ExclusionCount

__all__ = [
    "DATA_USES",
    "AppendResult",
    "ConsentCoverage",
    "ConsentEvent",
    "ConsentFilterResult",
    "ConsentLedger",
    "ConsentState",
    "ConsentStatus",
    "ExclusionCount",
    "ExclusionReason",
    "ImportResult",
    "LawfulBasis",
    "StoredEvent",
    "audit_consent_coverage",
    "consent_coverage",
    "filter_audience",
]
