"""Check `privacy.data_minimisation`: columns present that the model does not need and the
purpose does not declare."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement
from fairmark.errors import Reason

if TYPE_CHECKING:
    from fairmark.fairness.result import AuditMetrics
    from fairmark.privacy.feature_profile import ColumnProfile, PrivacyProfile

CHECK_ID = "privacy.data_minimisation"
_NAMED = 10


def _why(column: ColumnProfile, profile: PrivacyProfile) -> str:
    if column.role == "unused":
        reason = "not a model feature"
        if profile.purpose is not None and column.category is not None:
            reason += f", {column.category} not declared for the purpose"
        elif column.category is not None:
            reason += f", {column.category}"
        return f"'{column.column}' ({reason})"
    return f"'{column.column}' ({column.category} not declared for the purpose)"


def measure(result: AuditMetrics) -> list[Measurement]:
    """One run-level measurement: how many columns present are not needed.

    Parameters
    ----------
    result : AuditMetrics
        An audit's metrics with its ``privacy`` profile
        (:class:`fairmark.privacy.feature_profile.PrivacyProfile`).

    Returns
    -------
    list of Measurement
        Empty when the audit has no privacy profile; else one measurement, ``feature``
        ``None``: ``value`` the number of columns present that are neither needed (a
        declared feature, an audit column or a sensitive feature) nor of a category the
        policy declares for the purpose (rule in :mod:`fairmark.privacy.feature_profile`),
        ``detail`` naming them (the first ten). ``value`` is ``None`` with reason
        ``not_declared`` when neither features nor a purpose was declared and some
        column might be a model input.
    """
    profile = result.privacy
    if profile is None:
        return []
    if not profile.minimisation_judged:
        return [
            Measurement(
                check_id=CHECK_ID,
                feature=None,
                group=None,
                reference=None,
                value=None,
                reason=Reason.NOT_DECLARED.value,
            )
        ]
    issues = profile.minimisation_issues
    named = [_why(c, profile) for c in issues[:_NAMED]]
    if len(issues) > _NAMED:
        named.append(f"and {len(issues) - _NAMED} more")
    needed = "a model feature or read by the audit"
    if profile.purpose:
        needed += f" or of a category declared for {profile.purpose}"
    detail = "; ".join(named) if named else f"every column is {needed}"
    return [
        Measurement(
            check_id=CHECK_ID,
            feature=None,
            group=None,
            reference=None,
            value=float(len(issues)),
            detail=detail,
        )
    ]


CHECK = Check(
    id=CHECK_ID,
    title="Data minimisation: columns the model does not need and the purpose does not declare",
    principle="privacy",
    scope="run",
    direction="lower_is_better",
    metric="data_minimisation",
    source=(
        "GDPR Art. 5(1)(c) (data minimisation); GDPR Art. 5(1)(b) (purpose limitation); "
        "fideslang data uses and data categories (Ethyca)"
    ),
    measure=measure,
)
