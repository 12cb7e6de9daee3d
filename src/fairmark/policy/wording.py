"""Plain-language finding messages a marketer can read.

Numbers are shown with two decimals (three below 0.1, two significant digits below 0.01),
with more decimals only when rounding would make a value look equal to the bound it is
judged against. Counts of people are never printed (reports suppress small cells); the
only counts shown are numbers of *groups*.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fairmark.checks.base import Check, Measurement
from fairmark.errors import Reason

__all__ = [
    "bounds_text",
    "confidence_text",
    "format_bound",
    "format_value",
    "measurement_sentence",
    "reason_text",
    "undefined_sentence",
]

_REASONS: dict[str, str] = {
    Reason.EMPTY_GROUP: "the group has no rows",
    Reason.BELOW_MIN_GROUP_SIZE: "the group is smaller than the minimum group size, so it is "
    "not estimated",
    Reason.NO_POSITIVES: "the group has no actual positives",
    Reason.NO_NEGATIVES: "the group has no actual negatives",
    Reason.NO_SELECTIONS: "nobody was selected",
    Reason.NO_REJECTIONS: "nobody was rejected",
    Reason.REFERENCE_RATE_ZERO: "the reference group's rate is zero",
    Reason.SINGLE_GROUP: "fewer than two groups have a value, so there is nothing to compare",
    Reason.NOT_ESTIMABLE: "a part of the measure could not be computed",
    Reason.SINGLE_CLASS: "the group has only one actual outcome, so the score cannot separate",
    Reason.SINGLE_LEVEL: "the feature has a single value, so it cannot be associated",
    Reason.NO_OUTCOME_VALUES: "the group has no outcome values",
    Reason.ZERO_TOTAL: "the total outcome value is zero, so shares are undefined",
    Reason.NOT_IN_REFERENCE: "the group is not in the reference population",
    Reason.NO_DELIVERIES: "the ad was not delivered to anyone",
    Reason.NOT_DECLARED: "nothing says which columns the model needs, so it could not be "
    "judged: declare the model's features (--features) or its purpose (--purpose)",
}

_MAX_DECIMALS = 6


def reason_text(reason: str | None) -> str:
    """Return ``"reason <code>: <explanation>"`` for a :class:`fairmark.errors.Reason` code."""
    if reason is None:
        return "no reason given"
    explanation = _REASONS.get(reason)
    return f"reason {reason}: {explanation}" if explanation else f"reason {reason}"


def format_bound(bound: float) -> str:
    """Return a policy bound as written (``0.8``, ``0.1``, ``0``; ``infinity``)."""
    if math.isinf(bound):
        return "infinity" if bound > 0 else "minus infinity"
    return format(bound, ".15g")


def format_value(value: float, near: Iterable[float | None] = ()) -> str:
    """Return a measured value for a message.

    Parameters
    ----------
    value : float
        The value; ``inf`` is written ``infinite``.
    near : iterable of float or None
        Bounds the value is judged against: decimals are added (up to six) until the
        shown value no longer looks equal to a bound it differs from.
    """
    if math.isinf(value):
        return "infinite" if value > 0 else "minus infinite"
    decimals = _decimals(value, near)
    return format(value, ".2g") if decimals is None else _fixed(value, decimals)


def _decimals(value: float, near: Iterable[float | None]) -> int | None:
    """Decimals to show ``value`` with, or ``None`` for two significant digits (< 0.01)."""
    size = abs(value)
    if 0 < size < 0.01:
        return None
    decimals = 2 if size >= 0.1 or size == 0 else 3
    bounds = [b for b in near if b is not None and math.isfinite(b) and b != value]
    while decimals < _MAX_DECIMALS and any(
        f"{value:.{decimals}f}" == f"{b:.{decimals}f}" for b in bounds
    ):
        decimals += 1
    return decimals


def _fixed(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def confidence_text(
    low: float, high: float, level: float, near: Iterable[float | None] = ()
) -> str:
    """Return ``"95% CI 0.48–0.80"`` (``" to "`` instead of the dash for negative ends).

    Both finite ends are shown with the same number of decimals (the larger that
    :func:`format_value` would choose for either); an infinite upper end is ``infinity``.
    """
    near = tuple(near)
    ends = [x for x in (low, high) if math.isfinite(x)]
    chosen = [_decimals(x, near) for x in ends]
    if chosen and None not in chosen:
        decimals = max(d for d in chosen if d is not None)
        texts = {x: _fixed(x, decimals) for x in ends}
    else:
        texts = {x: format_value(x, near) for x in ends}

    def end(x: float) -> str:
        if math.isinf(x):
            return "infinity" if x > 0 else "minus infinity"
        return texts[x]

    low_text, high_text = end(low), end(high)
    dash = "–" if low >= 0 and math.isfinite(high) else " to "
    return f"{format(level * 100, '.15g')}% CI {low_text}{dash}{high_text}"


def bounds_text(low: float | None, high: float | None) -> str:
    """Return ``"at least 0.8"``, ``"at most 0.1"`` or ``"between -0.1 and 0.1"``."""
    if low is not None and high is not None:
        return f"between {format_bound(low)} and {format_bound(high)}"
    if low is not None:
        return f"at least {format_bound(low)}"
    if high is not None:
        return f"at most {format_bound(high)}"
    raise ValueError("a rule has at least one bound")  # pragma: no cover - model invariant


@dataclass(frozen=True)
class _Phrase:
    """How to say one check's measurement: ``<subject> is <value><relation>``."""

    subject: Callable[[Measurement], str]
    relation: Callable[[Measurement], str] = lambda m: ""
    ratio: bool = False
    count: bool = False


def _feature(m: Measurement) -> str:
    return f" ({m.feature})" if m.feature else ""


def _group_vs_reference(rate: str) -> _Phrase:
    return _Phrase(
        subject=lambda m: (
            f"{rate} of group '{m.group}'{_feature(m)} minus that of the "
            f"reference group '{m.reference}'"
        ),
    )


def _gap(rate: str) -> Callable[[Measurement], str]:
    def subject(m: Measurement) -> str:
        text = f"Gap in {rate} between groups of {m.feature}"
        if m.group is not None and m.reference is not None:
            text += f" (lowest '{m.group}', highest '{m.reference}')"
        return text

    return subject


_TPR = "true positive rate (share of actual positives selected)"
_FPR = "false positive rate (share of actual negatives selected)"

_PHRASES: dict[str, _Phrase] = {
    "disparate_impact": _Phrase(
        subject=lambda m: f"Selection rate of group '{m.group}'{_feature(m)}",
        relation=lambda m: f" of the reference group '{m.reference}'",
        ratio=True,
    ),
    "demographic_parity_ratio": _Phrase(
        subject=lambda m: f"Lowest selection rate among groups of {m.feature} (group '{m.group}')",
        relation=lambda m: f" of the highest (group '{m.reference}')",
        ratio=True,
    ),
    "statistical_parity_difference": _group_vs_reference("Selection rate"),
    "true_positive_rate_difference": _group_vs_reference(_TPR[0].upper() + _TPR[1:]),
    "false_positive_rate_difference": _group_vs_reference(_FPR[0].upper() + _FPR[1:]),
    "demographic_parity_difference": _Phrase(subject=_gap("selection rate")),
    "equal_opportunity_difference": _Phrase(subject=_gap(_TPR)),
    "predictive_parity_difference": _Phrase(
        subject=_gap("precision (share of those selected who are actual positives)")
    ),
    "equalized_odds_difference": _Phrase(
        subject=lambda m: (
            f"Larger of the gaps in true and false positive rate between groups of {m.feature}"
        ),
    ),
    "small_groups": _Phrase(
        subject=lambda m: f"Number of groups of {m.feature} too small to audit",
        count=True,
    ),
    "proxy_association": _Phrase(
        subject=lambda m: f"Association of feature '{m.group}' with sensitive feature {m.feature}",
    ),
    "pii_in_features": _Phrase(
        subject=lambda m: (
            "Number of the model's input columns that are direct identifiers or "
            "special-category data"
        ),
        count=True,
    ),
    "data_minimisation": _Phrase(
        subject=lambda m: (
            "Number of columns in the data that the model does not need and the "
            "purpose does not declare"
        ),
        count=True,
    ),
}

_NEEDS = {
    "disparate_impact": ("group", "reference"),
    "demographic_parity_ratio": ("feature", "group", "reference"),
    "statistical_parity_difference": ("group", "reference"),
    "true_positive_rate_difference": ("group", "reference"),
    "false_positive_rate_difference": ("group", "reference"),
    "demographic_parity_difference": ("feature",),
    "equal_opportunity_difference": ("feature",),
    "predictive_parity_difference": ("feature",),
    "equalized_odds_difference": ("feature",),
    "small_groups": ("feature",),
    "proxy_association": ("feature", "group"),
}


def _context(m: Measurement) -> str:
    parts = []
    if m.group is not None:
        parts.append(f"group '{m.group}'")
    if m.feature is not None:
        parts.append(f"of {m.feature}" if parts else f"feature {m.feature}")
    text = " ".join(parts)
    if m.reference is not None:
        text += f"{' ' if text else ''}against the reference group '{m.reference}'"
    return f" for {text}" if text else ""


def _generic_name(check: Check | None, check_id: str) -> str:
    if check is None:
        return check_id
    words = check.metric.replace("_", " ")
    return words[0].upper() + words[1:]


def _phrase(m: Measurement, check: Check | None) -> _Phrase:
    metric = check.metric if check is not None else m.check_id.rsplit(".", 1)[-1]
    phrase = _PHRASES.get(metric)
    needs = _NEEDS.get(metric, ())
    if phrase is not None and all(getattr(m, field) is not None for field in needs):
        return phrase
    name = _generic_name(check, m.check_id)
    return _Phrase(subject=lambda m: f"{name}{_context(m)}")


def measurement_sentence(
    m: Measurement, check: Check | None, level: float, near: Iterable[float | None]
) -> str:
    """Return ``"<what> is <value> (<level> CI <low>–<high>)[ (<detail>)]"`` for a defined value.

    Parameters
    ----------
    m : Measurement
        With ``value`` not ``None``.
    check : Check or None
        Its check (for the wording); ``None`` falls back to the check id.
    level : float
        Confidence level of the interval, e.g. 0.95.
    near : iterable of float or None
        The rule's bounds (see :func:`format_value`).
    """
    assert m.value is not None
    near = tuple(near)
    phrase = _phrase(m, check)
    if math.isinf(m.value) and m.value > 0 and phrase.ratio:
        value = "infinitely larger than that"
    elif phrase.count and m.value.is_integer():
        value = str(int(m.value))
    else:
        value = format_value(m.value, near)
    text = f"{phrase.subject(m)} is {value}{phrase.relation(m)}"
    extras = []
    if _finite_or_inf(m.ci_low) and _finite_or_inf(m.ci_high):
        assert m.ci_low is not None and m.ci_high is not None
        extras.append(confidence_text(m.ci_low, m.ci_high, level, near))
    if math.isinf(m.value) and m.reason is not None:
        extras.append(_REASONS.get(m.reason, f"reason {m.reason}"))
    if m.detail:
        extras.append(m.detail)
    if extras:
        text += f" ({'; '.join(extras)})"
    return text


def undefined_sentence(m: Measurement, check: Check | None) -> str:
    """Return ``"<check name> for group … could not be computed (reason <code>: …)"``."""
    name = _generic_name(check, m.check_id)
    text = f"{name}{_context(m)} could not be computed ({reason_text(m.reason)})"
    if m.detail:
        text += f" ({m.detail})"
    return text


def _finite_or_inf(x: float | None) -> bool:
    return x is not None and not math.isnan(x)
