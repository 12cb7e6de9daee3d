"""Check `privacy.k_anonymity`: the size of the smallest group of look-alike records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:
    from fairmark.privacy.kanon_result import KAnonymityMetrics

CHECK_ID = "privacy.k_anonymity"


def measure(metrics: KAnonymityMetrics) -> list[Measurement]:
    """One run-level measurement: ``value`` = k achieved (the smallest class size).

    Parameters
    ----------
    metrics : KAnonymityMetrics
        From :func:`fairmark.privacy.kanon.k_anonymity`.

    Returns
    -------
    list of Measurement
        One item; ``feature``, ``group`` and ``reference`` are ``None`` (the check is about
        the whole release); ``detail`` names the quasi-identifiers and the number of
        equivalence classes below the required k (never a count of people).
    """
    qis = ", ".join(metrics.quasi_identifiers)
    below = metrics.classes_below_k
    detail = (
        f"quasi-identifiers {qis}; {below} of {metrics.n_classes} equivalence "
        f"class{'es' if metrics.n_classes != 1 else ''} below k = {metrics.k}"
    )
    return [
        Measurement(
            check_id=CHECK_ID,
            feature=None,
            group=None,
            reference=None,
            value=float(metrics.k_achieved),
            detail=detail,
        )
    ]


CHECK = Check(
    id=CHECK_ID,
    title="k-anonymity: every combination of quasi-identifiers is shared by at least k records",
    principle="privacy",
    scope="run",
    direction="higher_is_better",
    metric="k_anonymity",
    source=(
        "Samarati & Sweeney 1998, SRI-CSL-98-04; Sweeney 2002, k-anonymity: a model for "
        "protecting privacy, IJUFKS 10(5):557-570, Definition 3"
    ),
    measure=measure,
    input="kanon",
)
