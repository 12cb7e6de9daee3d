"""Check `privacy.min_audience_size`: a customer list large enough for the platform's floor.

Ad platforms refuse to serve a customer-list audience that matches fewer people than a
minimum (Google and Meta 100, X 100, LinkedIn 300, TikTok 1,000): below it, an ad could be
aimed at a handful of identifiable people. The check compares the audience fairmark
expects the platform to match, ``unique rows × assumed match rate``, with that minimum.

Its value is the ratio ``expected matched size ÷ platform minimum``, so one policy bound
serves every platform: ``min: 1.0`` requires the minimum, ``min: 1.5`` a 50% margin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:
    from fairmark.privacy.audience.result import AudienceResult

CHECK_ID = "privacy.min_audience_size"


def measure(result: AudienceResult) -> list[Measurement]:
    """One measurement per prepared list.

    Parameters
    ----------
    result : AudienceResult
        From :func:`fairmark.privacy.audience.prepare.prepare_audience`.

    Returns
    -------
    list of Measurement
        ``group`` the platform, ``feature`` ``None`` (a run-level check), ``value`` the
        expected matched size divided by the platform minimum (≥ 0; 1.0 means exactly
        the minimum), ``detail`` the minimum and the assumed match rate (no count of
        people).
    """
    return [
        Measurement(
            check_id=CHECK_ID,
            feature=None,
            group=result.platform,
            reference=None,
            value=result.size_ratio,
            detail=(
                f"expected matched audience as a multiple of {result.platform}'s minimum of "
                f"{result.min_size:,}, assuming a match rate of {result.assumed_match_rate:g}"
            ),
        )
    ]


CHECK = Check(
    id=CHECK_ID,
    title="Customer-list audience at least the platform's minimum size after matching",
    principle="privacy",
    scope="run",
    direction="higher_is_better",
    metric="min_audience_size",
    source=(
        "Platform minimums for customer-list audiences; Google Customer Match and Meta "
        "custom audiences 100, X custom audiences 100, LinkedIn matched audiences 300, "
        "TikTok custom audiences 1,000 (platform help pages); small-cell protection "
        "(Eurostat SDC handbook 2010)"
    ),
    measure=measure,
    input="audience",
)
