"""Check `privacy.consent_coverage`: audited data holds only subjects who consented to the purpose.

A model trained or scored on people who never agreed to the purpose it serves (or who
withdrew, objected or opted out) processes their data unlawfully. When the audit declares
the model's purpose (a fideslang data use) and the column naming each row's data subject,
every subject is looked up in the consent ledger with the enforcement filter's rule
(:mod:`fairmark.privacy.consent.decide`); the value is the share of subjects without valid
consent or another permitted lawful basis. A policy bound ``max: 0`` fails the audit when
any subject is not covered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fairmark.checks.base import Check, Measurement
from fairmark.errors import Reason
from fairmark.policy.model import DEFAULT_K_ANONYMITY

if TYPE_CHECKING:
    from fairmark.privacy.consent.coverage import ConsentCoverage

__all__ = ["CHECK", "CHECK_ID", "detail", "measure"]

CHECK_ID = "privacy.consent_coverage"


def detail(coverage: ConsentCoverage) -> str:
    """Plain-language detail: the purpose, the instant, shares by reason (no count of people).

    Parameters
    ----------
    coverage : ConsentCoverage

    Returns
    -------
    str
        E.g. ``"purpose marketing.communications.email as of 2025-03-01T00:00:00Z: 12.5%
        without valid consent (no_record 10.0%, withdrawn 2.5%)"``.
    """
    from fairmark.privacy.consent.timestamps import iso_utc

    head = f"purpose {coverage.purpose}"
    if coverage.vendor is not None:
        head += f", vendor {coverage.vendor}"
    head += f" as of {iso_utc(coverage.as_of)}"
    share = coverage.share_without
    if share is None:
        return f"{head}: no subject in the data"
    parts = [
        f"{reason} {count / coverage.n_subjects:.1%}"
        for reason, count in coverage.by_reason.items()
        if count >= DEFAULT_K_ANONYMITY
    ]
    if any(0 < count < DEFAULT_K_ANONYMITY for count in coverage.by_reason.values()):
        # A reason shared by fewer than k subjects is not broken out: its share times the
        # published number of subjects would give back a count below k (small-cell rule).
        parts.append(f"reasons with fewer than {DEFAULT_K_ANONYMITY} subjects each not shown")
    why = f" ({', '.join(parts)})" if parts else ""
    return f"{head}: {share:.1%} of subjects without valid consent{why}"


def measure(result: Any) -> list[Measurement]:
    """One run-level measurement of the audit's consent coverage.

    Parameters
    ----------
    result : AuditMetrics
        An audit's metrics; its ``consent`` attribute
        (:class:`fairmark.privacy.consent.coverage.ConsentCoverage`, or ``None`` when the
        audit declared no purpose or no subject column).

    Returns
    -------
    list of Measurement
        One measurement, ``feature`` ``None``, ``group`` the purpose: ``value`` the share
        of audited subjects without valid consent (0 to 1); ``None`` with reason
        ``not_declared`` when the purpose or the subject column was not declared, or
        ``not_estimable`` for data without rows.
    """
    from fairmark.privacy.consent.filter import coverage_measurement

    coverage = getattr(result, "consent", None)
    if coverage is None:
        return [
            Measurement(
                check_id=CHECK_ID,
                feature=None,
                group=None,
                reference=None,
                value=None,
                reason=Reason.NOT_DECLARED.value,
                detail=(
                    "declare the model's purpose (--purpose) and the subject-id column "
                    "(--subject-column) to look the audited subjects up in the consent ledger"
                ),
            )
        ]
    return [coverage_measurement(coverage)]


CHECK = Check(
    id=CHECK_ID,
    title="Consent coverage: audited subjects with valid consent for the model's purpose",
    principle="privacy",
    scope="run",
    direction="lower_is_better",
    metric="consent_coverage",
    source=(
        "GDPR Art. 6(1) (lawfulness), Art. 7(1) and 7(3) (demonstrating and "
        "withdrawing consent), Art. 8(1) (children), Art. 21(2)-(3) (objection to direct "
        "marketing); Cal. Civ. Code §1798.120 and §1798.135 (opt-out of sale and sharing, "
        "minors under 16); 11 CCR §7025 (Global Privacy Control); fideslang data uses"
    ),
    measure=measure,
)
