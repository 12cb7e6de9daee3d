"""Check `privacy.pii_in_features`: direct identifiers or special-category data among a
model's input columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:
    from fairmark.fairness.result import AuditMetrics

CHECK_ID = "privacy.pii_in_features"


def measure(result: AuditMetrics) -> list[Measurement]:
    """One run-level measurement: how many examined input columns are risky personal data.

    Parameters
    ----------
    result : AuditMetrics
        An audit's metrics; its ``privacy`` profile
        (:class:`fairmark.privacy.feature_profile.PrivacyProfile`) holds the examined
        columns: the declared features, else every column that is not an audit column or
        a sensitive feature.

    Returns
    -------
    list of Measurement
        Empty when the audit has no privacy profile; else one measurement, ``feature``
        ``None``, ``value`` the number of examined columns that are direct identifiers
        (ISO/IEC 20889:2018 §3.14) or GDPR Art. 9(1) special categories (0 or more), and
        ``detail`` naming each with its fideslang category (and, when the features were
        not declared, saying that every column the audit does not use was examined).
    """
    profile = result.privacy
    if profile is None:
        return []
    flagged = profile.pii_features
    n = len(profile.examined)
    plural = "s" if n != 1 else ""
    declared = f"declared model feature{plural}"
    scope = declared if profile.features_declared else f"column{plural} examined"
    if flagged:
        detail = "; ".join(c.describe() for c in flagged)
        if not profile.features_declared:
            detail += (
                "; the model's inputs were not declared, so every column the audit does not "
                "use was examined: declare them with --features"
            )
    else:
        detail = f"{n} {scope}, none a direct identifier or special category"
    return [
        Measurement(
            check_id=CHECK_ID,
            feature=None,
            group=None,
            reference=None,
            value=float(len(flagged)),
            detail=detail,
        )
    ]


CHECK = Check(
    id=CHECK_ID,
    title="Personal data in the model's inputs: direct identifiers and special categories",
    principle="privacy",
    scope="run",
    direction="lower_is_better",
    metric="pii_in_features",
    source=(
        "GDPR Art. 5(1)(c) (data minimisation); GDPR Art. 9(1) (special categories of "
        "personal data); ISO/IEC 20889:2018 §3.14 (direct identifier)"
    ),
    measure=measure,
)
