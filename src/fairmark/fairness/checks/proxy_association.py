"""Check `fairness.proxy_association`: how strongly a candidate feature reveals a sensitive one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:
    from fairmark.fairness.proxy_result import ProxyMetrics

_MEASURE_NAMES = {
    "cramers_v": "bias-corrected Cramér's V",
    "correlation_ratio": "correlation ratio η",
}


def measure(result: ProxyMetrics) -> list[Measurement]:
    """One measurement per (candidate feature, sensitive feature) pair.

    ``feature`` is the sensitive feature (so policy scopes name sensitive features, as
    for every fairness check), ``group`` the candidate feature, ``value`` its association
    in [0, 1] (``None`` with a reason when undefined).
    """
    return [
        Measurement(
            check_id="fairness.proxy_association",
            feature=a.sensitive_feature,
            group=a.feature,
            reference=None,
            value=a.association,
            reason=a.reason,
            detail=f"{_MEASURE_NAMES[a.measure]} of feature {a.feature!r}",
        )
        for a in result.associations
    ]


CHECK = Check(
    id="fairness.proxy_association",
    title="Proxy association: how strongly a non-sensitive feature reveals a sensitive one",
    principle="fairness",
    scope="feature",
    direction="lower_is_better",
    metric="proxy_association",
    source=(
        "Bergsma 2013, J. Korean Stat. Soc. 42:323 (bias-corrected Cramér's V); "
        "Pearson 1905, Drapers' Company Research Memoirs (correlation ratio); "
        "Feldman et al. 2015, KDD (proxies and disparate impact)"
    ),
    measure=measure,
    input="proxies",
)
