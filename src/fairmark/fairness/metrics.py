"""Group metrics and disparities, computed from the sufficient-statistics cube.

Nothing here reads a row: every group is a sum of cube cells, every metric a function of
those sums.

Per group (fairlearn / confusion-matrix names; ``n = tp + fp + fn + tn``)::

    share          n_g / n_feature                 Wilson interval
    base_rate      (tp + fn) / n                   Wilson
    selection_rate (tp + fp) / n                   Wilson; never reads y_true
    tpr = tp / (tp + fn)    fnr = fn / (tp + fn)   reason no_positives when tp + fn = 0
    fpr = fp / (fp + tn)    tnr = tn / (fp + tn)   reason no_negatives when fp + tn = 0
    ppv = tp / (tp + fp)                           reason no_selections when tp + fp = 0
    npv = tn / (tn + fn)                           reason no_rejections when tn + fn = 0
    accuracy = (tp + tn) / n

With ``sample_weight`` the counts are weighted sums and intervals use the Kish effective
sample size of the denominator, ``(Σw)² / Σw²`` (Kish 1965, Survey Sampling §11.7).

Per feature (over groups with at least ``min_group_size`` rows)::

    demographic_parity_difference  max − min selection rate      Newcombe interval
    demographic_parity_ratio       min / max selection rate      Katz log interval
    equal_opportunity_difference   max − min TPR                 Newcombe
    equalized_odds_difference      max(TPR gap, FPR gap)         Newcombe of the larger gap
    predictive_parity_difference   max − min PPV                 Newcombe

These equal fairlearn's ``demographic_parity_difference`` / ``_ratio``,
``equal_opportunity_difference`` and ``equalized_odds_difference`` (``agg="worst_case"``)
whenever every group's rate is defined. Where a group's rate is undefined fairlearn
substitutes 0 (scikit-learn's ``zero_division``); fairmark reports the summary as undefined
with the group's reason instead ("undefined is not zero").

Per group against the feature's reference group::

    disparate_impact                 sr_g / sr_ref   Katz log interval (AIF360 disparate_impact)
    statistical_parity_difference    sr_g − sr_ref   Newcombe (AIF360, signed)
    true_positive_rate_difference    tpr_g − tpr_ref Newcombe (AIF360 equal_opportunity_difference)
    false_positive_rate_difference   fpr_g − fpr_ref Newcombe

Each comparison carries a two-sided p-value for equal rates (pooled two-proportion z-test;
Fisher's exact test when an expected cell count is below 5) and its Holm-adjusted value
across every comparison of the audit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from fairmark.engine.cube import CELLS, Cube
from fairmark.errors import DataError, Reason, UsageError
from fairmark.fairness import stats
from fairmark.fairness.result import (
    GROUP_METRICS,
    AuditMetrics,
    Disparity,
    Estimate,
    GroupStats,
)
from fairmark.fairness.spec import INTERSECTION_SEP, AuditSpec

__all__ = ["compute_metrics", "group_counts"]

# metric -> (numerator cells, denominator cells, reason when the denominator is empty)
RATES: dict[str, tuple[tuple[str, ...], tuple[str, ...], Reason]] = {
    "base_rate": (("tp", "fn"), CELLS, Reason.EMPTY_GROUP),
    "selection_rate": (("tp", "fp"), CELLS, Reason.EMPTY_GROUP),
    "tpr": (("tp",), ("tp", "fn"), Reason.NO_POSITIVES),
    "fpr": (("fp",), ("fp", "tn"), Reason.NO_NEGATIVES),
    "fnr": (("fn",), ("tp", "fn"), Reason.NO_POSITIVES),
    "tnr": (("tn",), ("fp", "tn"), Reason.NO_NEGATIVES),
    "ppv": (("tp",), ("tp", "fp"), Reason.NO_SELECTIONS),
    "npv": (("tn",), ("tn", "fn"), Reason.NO_REJECTIONS),
    "accuracy": (("tp", "tn"), CELLS, Reason.EMPTY_GROUP),
}


@dataclass(frozen=True)
class Prop:
    """A proportion ready for interval and test functions.

    ``x`` successes out of ``n`` (for weighted data: the Kish effective ``n`` and
    ``x = value · n``); ``value`` is the (weighted) proportion, ``None`` when ``n`` is 0.
    """

    x: float
    n: float
    value: float | None


def group_counts(frame: Any, by: Sequence[str]) -> Any:
    """Sum cube cells by the given feature columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cube frame (:class:`fairmark.engine.Cube`).
    by : sequence of str
        Feature columns to group by (one for a marginal group, several for an
        intersection).

    Returns
    -------
    pandas.DataFrame
        Indexed by the group levels; the summed count columns.
    """
    numeric = [c for c in frame.columns if c not in by and frame[c].dtype.kind in "iuf"]
    return frame.groupby(list(by), sort=True, observed=True)[numeric].sum()


def _prop(row: Any, num: Sequence[str], den: Sequence[str], weighted: bool) -> Prop:
    if not weighted:
        n = float(sum(row[c] for c in den))
        x = float(sum(row[c] for c in num))
        return Prop(x, n, x / n if n > 0 else None)
    sw = float(sum(row[f"{c}_w"] for c in den))
    sw2 = float(sum(row[f"{c}_w2"] for c in den))
    xw = float(sum(row[f"{c}_w"] for c in num))
    if sw <= 0:
        return Prop(0.0, 0.0, None)
    value = xw / sw
    neff = stats.kish_effective_n(sw, sw2)
    return Prop(value * neff, neff, value)


def _estimate(p: Prop, reason: Reason, conf: float) -> Estimate:
    if p.value is None:
        return Estimate(None, None, None, reason.value)
    lo, hi = stats.wilson_interval(p.x, p.n, conf)
    return Estimate(p.value, lo, hi, None)


@dataclass
class _Group:
    feature: str
    features: tuple[str, ...]
    levels: tuple[str, ...]
    row: Any
    n: int
    n_w: float
    props: dict[str, Prop]
    eligible: bool

    @property
    def label(self) -> str:
        return INTERSECTION_SEP.join(self.levels)


def _collect_groups(cube: Cube, spec: AuditSpec) -> dict[str, list[_Group]]:
    frame = cube.frame
    out: dict[str, list[_Group]] = {}
    combos: list[tuple[str, ...]] = [(f,) for f in cube.features] + list(spec.intersections)
    for combo in combos:
        feature = INTERSECTION_SEP.join(combo)
        summed = group_counts(frame, combo)
        rows: dict[tuple[str, ...], Any] = {}
        for key, row in summed.iterrows():
            levels = key if isinstance(key, tuple) else (key,)
            rows[tuple(str(x) for x in levels)] = row
        if len(combo) == 1:
            for level in cube.levels.get(combo[0], []):
                rows.setdefault((level,), None)
        groups = []
        for levels in sorted(rows, key=_level_sort_key(cube, combo)):
            row = rows[levels]
            if row is None:
                n, n_w, props = 0, 0.0, {m: Prop(0.0, 0.0, None) for m in RATES}
            else:
                n = int(sum(int(row[c]) for c in CELLS))
                n_w = float(sum(float(row[f"{c}_w"]) for c in CELLS))
                props = {
                    m: _prop(row, num, den, cube.weighted) for m, (num, den, _) in RATES.items()
                }
            eligible = n > 0 and n >= spec.min_group_size
            groups.append(_Group(feature, combo, levels, row, n, n_w, props, eligible))
        out[feature] = groups
    return out


def _level_sort_key(cube: Cube, combo: tuple[str, ...]) -> Any:
    """Declared levels (bands, categories) keep their order; others sort as text."""
    orders = [{lv: i for i, lv in enumerate(cube.levels.get(f, []))} for f in combo]

    def key(levels: tuple[str, ...]) -> tuple[Any, ...]:
        parts = []
        for order, lv in zip(orders, levels, strict=True):
            missing = lv == "(missing)"
            parts.append((missing, order.get(lv, len(order)), lv))
        return tuple(parts)

    return key


def _choose_reference(feature: str, groups: list[_Group], spec: AuditSpec) -> dict[str, str] | None:
    labels = [g.label for g in groups]
    if feature in spec.reference_groups:
        wanted = str(spec.reference_groups[feature])
        match = [g for g in groups if g.label == wanted]
        if not match:
            raise UsageError(
                f"reference group {wanted!r} not found in feature {feature!r}; groups: "
                f"{', '.join(labels[:20])}"
            )
        if not match[0].eligible:
            raise UsageError(
                f"reference group {wanted!r} of feature {feature!r} has fewer than "
                f"min_group_size={spec.min_group_size} rows; choose a larger group"
            )
        return {"group": wanted, "chosen_by": "user"}
    candidates = [g for g in groups if g.eligible and g.props["selection_rate"].value is not None]
    if not candidates:
        return None
    best = max(
        candidates,
        key=lambda g: (g.props["selection_rate"].value, g.n_w, [-ord(c) for c in g.label]),
    )
    return {"group": best.label, "chosen_by": "highest_selection_rate"}


def _group_stats(
    groups: list[_Group], ref: str | None, spec: AuditSpec, weighted: bool
) -> list[GroupStats]:
    conf = spec.confidence_level
    total_n = sum(g.n for g in groups)
    total_w = sum(g.n_w for g in groups)
    total_w2 = sum(float(sum(g.row[f"{c}_w2"] for c in CELLS)) for g in groups if g.row is not None)
    out = []
    for g in groups:
        suppressed = 0 < g.n < spec.min_group_size
        metrics: dict[str, Estimate] = {}
        if suppressed:
            for m in GROUP_METRICS:
                metrics[m] = Estimate(None, None, None, Reason.BELOW_MIN_GROUP_SIZE.value)
        else:
            if weighted:
                neff = stats.kish_effective_n(total_w, total_w2)
                share = Prop(g.n_w / total_w * neff, neff, g.n_w / total_w)
            else:
                share = Prop(float(g.n), float(total_n), g.n / total_n)
            metrics["share"] = _estimate(share, Reason.EMPTY_GROUP, conf)
            for m, (_, _, reason) in RATES.items():
                r = Reason.EMPTY_GROUP if g.n == 0 else reason
                metrics[m] = _estimate(g.props[m], r, conf)
        n_pos = (
            None
            if g.row is None
            else float(g.row["tp_w" if weighted else "tp"] + g.row["fn_w" if weighted else "fn"])
        )
        n_pred = (
            None
            if g.row is None
            else float(g.row["tp_w" if weighted else "tp"] + g.row["fp_w" if weighted else "fp"])
        )
        if g.row is None:
            n_pos = n_pred = 0.0
        out.append(
            GroupStats(
                feature=g.feature,
                features=g.features,
                group=g.label,
                levels=g.levels,
                is_reference=g.label == ref,
                suppressed=suppressed,
                n=None if suppressed else g.n,
                n_weighted=None if suppressed else g.n_w,
                n_pos=None if suppressed else (n_pos if weighted else int(n_pos)),
                n_pred_pos=None if suppressed else (n_pred if weighted else int(n_pred)),
                metrics=metrics,
            )
        )
    return out


# --- disparities -------------------------------------------------------------------------

_Hyp = tuple[str, str, str, str]  # (feature, rate, group a, group b), a < b


@dataclass
class _Raw:
    """A disparity before Holm adjustment."""

    feature: str
    metric: str
    group: str | None
    reference: str | None
    value: float | None
    ci: tuple[float | None, float | None]
    ci_method: str | None
    p: float | None
    test: str | None
    reason: str | None
    hyp: _Hyp | None


def _undefined(
    feature: str, metric: str, reason: str, group: str | None = None, reference: str | None = None
) -> _Raw:
    """A disparity that cannot be computed: no value, interval or test; ``reason`` says why."""
    return _Raw(
        feature, metric, group, reference, None, (None, None), None, None, None, reason, None
    )


def _compare(
    feature: str, rate: str, a: _Group, b: _Group, conf: float
) -> tuple[tuple[float | None, float | None], float | None, str | None, _Hyp]:
    pa, pb = a.props[rate], b.props[rate]
    ci = stats.newcombe_interval(pa.x, pa.n, pb.x, pb.n, conf)
    p, test = stats.two_proportion_test(pa.x, pa.n, pb.x, pb.n)
    hyp = (feature, rate, *sorted((a.label, b.label)))
    return ci, p, test, hyp  # type: ignore[return-value]


def _first_reason(groups: list[_Group], rate: str) -> str:
    for g in groups:
        if g.props[rate].value is None:
            return RATES[rate][2].value
    return Reason.NOT_ESTIMABLE.value


def _spread(feature: str, metric: str, rate: str, groups: list[_Group], conf: float) -> _Raw:
    """max − min of one rate over the eligible groups."""
    if len(groups) < 2:
        return _undefined(feature, metric, Reason.SINGLE_GROUP.value)
    if any(g.props[rate].value is None for g in groups):
        return _undefined(feature, metric, _first_reason(groups, rate))
    lo = min(groups, key=lambda g: (g.props[rate].value, g.label))
    hi = max(groups, key=lambda g: (g.props[rate].value, [-ord(c) for c in g.label]))
    if lo is hi:  # every group has the same rate
        hi = next(g for g in groups if g is not lo)
    ci, p, test, hyp = _compare(feature, rate, hi, lo, conf)
    value = hi.props[rate].value - lo.props[rate].value  # type: ignore[operator]
    return _Raw(feature, metric, lo.label, hi.label, value, ci, "newcombe", p, test, None, hyp)


def _ratio_raw(feature: str, metric: str, a: _Group, ref: _Group, conf: float) -> _Raw:
    pa, pr = a.props["selection_rate"], ref.props["selection_rate"]
    if pa.value is None or pr.value is None:  # a group whose weights sum to zero
        reason = RATES["selection_rate"][2].value
        return _undefined(feature, metric, reason, a.label, ref.label)
    _, p, test, hyp = _compare(feature, "selection_rate", a, ref, conf)
    if pr.value == 0:
        if pa.value == 0:
            return _Raw(
                feature,
                metric,
                a.label,
                ref.label,
                None,
                (None, None),
                "katz_log",
                p,
                test,
                Reason.NO_SELECTIONS.value,
                hyp,
            )
        ci = stats.katz_log_interval(pa.x, pa.n, pr.x, pr.n, conf)
        return _Raw(
            feature,
            metric,
            a.label,
            ref.label,
            math.inf,
            ci,
            "katz_log",
            p,
            test,
            Reason.REFERENCE_RATE_ZERO.value,
            hyp,
        )
    ci = stats.katz_log_interval(pa.x, pa.n, pr.x, pr.n, conf)
    return _Raw(
        feature, metric, a.label, ref.label, pa.value / pr.value, ci, "katz_log", p, test, None, hyp
    )


def _feature_disparities(
    feature: str, groups: list[_Group], ref_label: str | None, conf: float
) -> list[_Raw]:
    elig = [g for g in groups if g.eligible]
    out: list[_Raw] = []
    out.append(_spread(feature, "demographic_parity_difference", "selection_rate", elig, conf))
    # ratio min/max over the same pair as the difference
    dpd = out[0]
    if dpd.reason is not None:
        out.append(_undefined(feature, "demographic_parity_ratio", dpd.reason))
    else:
        lo = next(g for g in elig if g.label == dpd.group)
        hi = next(g for g in elig if g.label == dpd.reference)
        if hi.props["selection_rate"].value == 0:
            out.append(
                _Raw(
                    feature,
                    "demographic_parity_ratio",
                    lo.label,
                    hi.label,
                    None,
                    (None, None),
                    "katz_log",
                    dpd.p,
                    dpd.test,
                    Reason.NO_SELECTIONS.value,
                    dpd.hyp,
                )
            )
        else:
            out.append(_ratio_raw(feature, "demographic_parity_ratio", lo, hi, conf))
    out.append(_spread(feature, "equal_opportunity_difference", "tpr", elig, conf))
    tpr_gap = out[-1]
    fpr_gap = _spread(feature, "equalized_odds_difference", "fpr", elig, conf)
    if tpr_gap.reason is not None or fpr_gap.reason is not None:
        reason = tpr_gap.reason or fpr_gap.reason
        out.append(_undefined(feature, "equalized_odds_difference", reason))
    else:
        larger = tpr_gap if tpr_gap.value >= fpr_gap.value else fpr_gap  # type: ignore[operator]
        out.append(replace(larger, metric="equalized_odds_difference"))
    out.append(_spread(feature, "predictive_parity_difference", "ppv", elig, conf))

    ref = next((g for g in elig if g.label == ref_label), None)
    for g in elig:
        if ref is None or g is ref:
            continue
        out.append(_ratio_raw(feature, "disparate_impact", g, ref, conf))
        for metric, rate in (
            ("statistical_parity_difference", "selection_rate"),
            ("true_positive_rate_difference", "tpr"),
            ("false_positive_rate_difference", "fpr"),
        ):
            if g.props[rate].value is None or ref.props[rate].value is None:
                reason = RATES[rate][2].value
                out.append(_undefined(feature, metric, reason, g.label, ref.label))
                continue
            ci, p, test, hyp = _compare(feature, rate, g, ref, conf)
            value = g.props[rate].value - ref.props[rate].value  # type: ignore[operator]
            out.append(
                _Raw(feature, metric, g.label, ref.label, value, ci, "newcombe", p, test, None, hyp)
            )
    return out


def _holm(raws: list[_Raw]) -> dict[_Hyp, float | None]:
    hyps: dict[_Hyp, float | None] = {}
    for r in raws:
        if r.hyp is not None and r.p is not None:
            hyps.setdefault(r.hyp, r.p)
    keys = list(hyps)
    adjusted = stats.holm_adjust([hyps[k] for k in keys])
    return dict(zip(keys, adjusted, strict=True))


def compute_metrics(cube: Cube, spec: AuditSpec) -> AuditMetrics:
    """Compute every group metric and disparity of an audit from its cube.

    Parameters
    ----------
    cube : Cube
        The sufficient statistics (:func:`fairmark.engine.build_cube`).
    spec : AuditSpec
        The audit spec (reference groups, min group size, confidence level).

    Returns
    -------
    AuditMetrics

    Raises
    ------
    DataError
        If a sensitive feature has a single group (no disparity can be computed).
    UsageError
        If a requested reference group does not exist or is below the minimum size.
    """
    by_feature = _collect_groups(cube, spec)
    for f in cube.features:
        observed = [g for g in by_feature[f] if g.n > 0]
        if len(observed) < 2:
            only = observed[0].label if observed else "none"
            raise DataError(
                f"sensitive feature {f!r} has a single group ({only!r}): "
                "no disparity can be computed"
            )
    groups: list[GroupStats] = []
    raws: list[_Raw] = []
    refs: dict[str, dict[str, str]] = {}
    small: dict[str, list[str]] = {}
    for feature, fgroups in by_feature.items():
        ref = _choose_reference(feature, fgroups, spec)
        if ref is not None:
            refs[feature] = ref
        ref_label = ref["group"] if ref else None
        groups += _group_stats(fgroups, ref_label, spec, cube.weighted)
        raws += _feature_disparities(feature, fgroups, ref_label, spec.confidence_level)
        small[feature] = [g.label for g in fgroups if 0 < g.n < spec.min_group_size]
    adjusted = _holm(raws)
    disparities = tuple(
        Disparity(
            feature=r.feature,
            metric=r.metric,
            group=r.group,
            reference=r.reference,
            value=r.value,
            ci_low=r.ci[0],
            ci_high=r.ci[1],
            ci_method=r.ci_method,
            p_value=r.p,
            p_value_holm=adjusted.get(r.hyp) if r.hyp is not None and r.p is not None else None,
            test=r.test,
            reason=r.reason,
        )
        for r in raws
    )
    return AuditMetrics(
        features=tuple(by_feature),
        groups=tuple(groups),
        disparities=disparities,
        reference_groups=refs,
        min_group_size=spec.min_group_size,
        small_groups=small,
    )
