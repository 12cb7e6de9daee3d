"""Properties of an audit on hypothesis-generated tables.

* Every group rate equals a plain pandas group-by count (for every feature and the
  intersection), and the summaries are the documented functions of the group rates.
* Row order and index labels never matter; neither does the type the group column is
  stored as (string, categorical, integer, float, boolean).
* Integer weights equal repeated rows; rows of weight 0 equal dropped rows (point values).
* The selection rate never reads ``y_true``.
* Rows with a missing label or decision are excluded, counted, and change nothing else.
* Groups below ``min_group_size`` are suppressed everywhere.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import ibis
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.fairness._audit_helpers import (
    TOL,
    close,
    decision_frames,
    disparity,
    groups_of,
    hand_counts,
    hand_rate,
    run_audit,
)

from fairmark.fairness.audit import AuditResult

FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RATES = ("base_rate", "selection_rate", "tpr", "fpr", "fnr", "tnr", "ppv", "npv", "accuracy")


def _audit(df: pd.DataFrame, *, as_memtable: bool = True, **kw: Any) -> AuditResult:
    """Audit ``df`` by ``g`` and ``h`` (and ``g & h``).

    Passed as an Ibis memtable (half the cost of registering a pandas frame in a new
    DuckDB connection) unless ``as_memtable`` is false; the input types are compared with
    each other in ``test_engine_inputs.py``.
    """
    kw.setdefault("sample_weight", "w" if "w" in df.columns else None)
    data = ibis.memtable(df) if as_memtable else df
    return run_audit(data, y_true="y", y_pred="p", sensitive_features=["g", "h"], **kw)


def _point_values(result: AuditResult) -> dict[Any, Any]:
    """Every group rate and share, and every disparity value and reason (no intervals)."""
    out: dict[Any, Any] = {}
    for g in result.metrics.groups:
        for m in ("share", *RATES):
            est = g.metrics[m]
            out[(g.feature, g.group, m)] = (est.value, est.reason)
    for d in result.metrics.disparities:
        out[(d.feature, d.metric, d.group, d.reference)] = (d.value, d.reason)
    return out


def _same_values(a: dict[Any, Any], b: dict[Any, Any]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        (va, ra), (vb, rb) = a[key], b[key]
        assert ra == rb, (key, ra, rb)
        assert close(va, vb, 1e-12), (key, va, vb)


def _frames(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the missing group spelled out and the intersection as a column."""
    out = df.assign(g=df["g"].fillna("(missing)"))
    out["g & h"] = out["g"] + " & " + out["h"]
    return out


# --- numbers against pandas and the documented definitions --------------------------------


@FAST
@given(df=decision_frames(max_groups=4, weighted=None, missing_groups=True, two_features=True))
def test_group_rates_equal_pandas_counts_and_summaries_follow(df: pd.DataFrame) -> None:
    result = _audit(df)
    filled = _frames(df)
    w = "w" if "w" in df.columns else None
    for feature in ("g", "h", "g & h"):
        hand = hand_counts(filled, feature, w=w)
        groups = groups_of(result, feature)
        assert sorted(g.group for g in groups) == sorted(hand.index)
        assert sum(g.n for g in groups) == len(df)  # nobody dropped, nobody counted twice
        shares = [g.metrics["share"].value for g in groups]
        assert math.isclose(sum(shares), 1.0, abs_tol=1e-12)
        for g in groups:
            for m in RATES:
                expected = hand_rate(hand.loc[g.group], m)
                assert close(g.metrics[m].value, expected, 1e-12), (feature, g.group, m)
                if expected is None:
                    assert g.metrics[m].reason is not None
            tpr, fnr = g.metrics["tpr"].value, g.metrics["fnr"].value
            fpr, tnr = g.metrics["fpr"].value, g.metrics["tnr"].value
            if tpr is not None:
                assert abs(tpr + fnr - 1) <= TOL
            if fpr is not None:
                assert abs(fpr + tnr - 1) <= TOL
        _check_summaries(result, feature)
    json.loads(result.to_json())  # always valid JSON (no NaN, infinities as text)


def _check_summaries(result: AuditResult, feature: str) -> None:
    groups = groups_of(result, feature)
    rates = {
        m: [g.metrics[m].value for g in groups] for m in ("selection_rate", "tpr", "fpr", "ppv")
    }
    for metric, rate in (
        ("demographic_parity_difference", "selection_rate"),
        ("equal_opportunity_difference", "tpr"),
        ("predictive_parity_difference", "ppv"),
    ):
        d = disparity(result, metric, feature)
        if None in rates[rate]:
            assert d.value is None and d.reason is not None
        else:
            assert close(d.value, max(rates[rate]) - min(rates[rate]))
    dpr = disparity(result, "demographic_parity_ratio", feature)
    sr = rates["selection_rate"]
    if None not in sr and max(sr) > 0:  # type: ignore[type-var]
        assert close(dpr.value, min(sr) / max(sr))  # type: ignore[type-var]
    else:
        assert dpr.value is None and dpr.reason is not None
    eod = disparity(result, "equalized_odds_difference", feature)
    if None in rates["tpr"] or None in rates["fpr"]:
        assert eod.value is None and eod.reason is not None
    else:
        tpr_gap = max(rates["tpr"]) - min(rates["tpr"])  # type: ignore[type-var]
        fpr_gap = max(rates["fpr"]) - min(rates["fpr"])  # type: ignore[type-var]
        assert close(eod.value, max(tpr_gap, fpr_gap))

    ref_name = result.metrics.reference_groups[feature]["group"]
    ref = next(g for g in groups if g.group == ref_name)
    assert ref.is_reference
    if None not in sr:  # chosen automatically: the highest selection rate
        assert ref.metrics["selection_rate"].value == max(sr)  # type: ignore[type-var]
    for g in groups:
        if g is ref:
            continue
        sr_g, sr_r = g.metrics["selection_rate"].value, ref.metrics["selection_rate"].value
        di = disparity(result, "disparate_impact", feature, g.group)
        spd = disparity(result, "statistical_parity_difference", feature, g.group)
        if sr_g is None or sr_r is None:
            assert di.value is None and spd.value is None
            continue
        assert close(spd.value, sr_g - sr_r)
        if sr_r > 0:
            assert close(di.value, sr_g / sr_r)
        elif sr_g > 0:
            assert di.value == math.inf and di.reason == "reference_rate_zero"
        else:
            assert di.value is None and di.reason == "no_selections"
        for metric, rate in (
            ("true_positive_rate_difference", "tpr"),
            ("false_positive_rate_difference", "fpr"),
        ):
            d = disparity(result, metric, feature, g.group)
            a, b = g.metrics[rate].value, ref.metrics[rate].value
            assert close(d.value, None if a is None or b is None else a - b)


# --- invariances --------------------------------------------------------------------------


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    df=decision_frames(max_groups=3, weighted=None, missing_groups=True, two_features=True),
    seed=st.integers(0, 2**32 - 1),
)
def test_row_order_and_index_labels_never_matter(df: pd.DataFrame, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shuffled = df.iloc[rng.permutation(len(df))]
    shuffled.index = pd.Index([f"row-{i}" for i in rng.permutation(len(df))])  # text labels
    a, b = _audit(df, as_memtable=False), _audit(shuffled, as_memtable=False)
    pd.testing.assert_frame_equal(a.cube.frame, b.cube.frame)
    assert a.to_dict()["groups"] == b.to_dict()["groups"]
    assert a.to_dict()["disparities"] == b.to_dict()["disparities"]
    assert a.data_fingerprint == b.data_fingerprint


def _group_column_forms(codes: list[int | None]) -> dict[str, pd.Series]:
    """The same grouping stored as text, categorical, integers, floats (and booleans)."""
    has_missing = any(c is None for c in codes)
    text = pd.Series([None if c is None else str(c) for c in codes], dtype=object)
    forms = {
        "text": text,
        "categorical": pd.Series(pd.Categorical(text)),
        "integer": pd.Series(codes, dtype="Int64" if has_missing else "int64"),
        "float": pd.Series([np.nan if c is None else float(c) for c in codes]),
    }
    if {c for c in codes if c is not None} <= {0, 1}:
        as_bool = [None if c is None else bool(c) for c in codes]
        forms["boolean"] = pd.Series(as_bool, dtype=object if has_missing else bool)
    return forms


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    df=decision_frames(max_groups=3, weighted=None),
    missing=st.lists(st.booleans(), min_size=60, max_size=60),
)
def test_group_column_type_never_matters(df: pd.DataFrame, missing: list[bool]) -> None:
    codes: list[int | None] = ["abc".index(x) for x in df["g"]]
    codes = [
        None if (m and i > 2) else c
        for i, (c, m) in enumerate(zip(codes, missing[: len(codes)], strict=True))
    ]
    forms = _group_column_forms(codes)
    results = {}
    for name, column in forms.items():
        frame = df.drop(columns="g")
        frame["g"] = column.set_axis(df.index)  # keeps the dtype (Int64, category …)
        results[name] = run_audit(
            frame,
            y_true="y",
            y_pred="p",
            sensitive_features="g",
            sample_weight="w" if "w" in df.columns else None,
        )
    relabel = {"true": "1", "false": "0"}
    expected = _point_values(results["text"])
    for name, result in results.items():
        values = _point_values(result)
        if name == "boolean":  # booleans are labelled true/false
            values = {
                tuple(relabel.get(x, x) if isinstance(x, str) else x for x in k): v
                for k, v in values.items()
            }
        _same_values(values, expected)
        assert len(result.cube.frame) == len(results["text"].cube.frame), name


# --- weights ------------------------------------------------------------------------------


@FAST
@given(
    df=decision_frames(max_groups=3, two_features=True),
    weights=st.lists(st.sampled_from([0, 1, 1, 2, 3]), min_size=60, max_size=60),
)
def test_integer_weights_equal_repeated_rows(df: pd.DataFrame, weights: list[int]) -> None:
    w = np.array(weights[: len(df)])
    w[0] = max(w[0], 1)
    weighted = df.assign(w=w.astype(float))
    repeated = df.loc[df.index.repeat(w)].reset_index(drop=True)
    # every group keeps weight, so both audits report the same groups
    for by in ("g", "h", ["g", "h"]):
        assume(weighted.groupby(by)["w"].sum().gt(0).all())
    assume(repeated["y"].sum() > 0)
    _same_values(_point_values(_audit(weighted)), _point_values(_audit(repeated)))


# --- what the decision reads -----------------------------------------------------------------


@FAST
@given(
    df=decision_frames(max_groups=3, weighted=None, two_features=True),
    other_y=st.lists(st.integers(0, 1), min_size=60, max_size=60),
)
def test_selection_rates_never_read_y_true(df: pd.DataFrame, other_y: list[int]) -> None:
    y2 = other_y[: len(df)]
    y2[-1] = 1
    a, b = _audit(df), _audit(df.assign(y=y2))
    for ga, gb in zip(a.metrics.groups, b.metrics.groups, strict=True):
        assert ga.group == gb.group
        assert ga.metrics["selection_rate"] == gb.metrics["selection_rate"]
    for metric in ("demographic_parity_difference", "demographic_parity_ratio"):
        for feature in a.metrics.features:
            da, db = disparity(a, metric, feature), disparity(b, metric, feature)
            # everything but the Holm-adjusted p-value, whose family includes TPR tests
            assert replace(da, p_value_holm=None) == replace(db, p_value_holm=None)


@FAST
@given(
    df=decision_frames(max_groups=3, two_features=True),
    holes=st.lists(st.sampled_from(["", "", "", "y", "p"]), min_size=60, max_size=60),
)
def test_rows_with_missing_label_or_decision_are_excluded_and_counted(
    df: pd.DataFrame, holes: list[str]
) -> None:
    holes = holes[: len(df)]
    holes[0] = ""
    with_holes = df.astype({"y": float, "p": float})
    for i, hole in enumerate(holes):
        if hole:
            with_holes.loc[i, hole] = np.nan
    complete = df[[h == "" for h in holes]]
    for by in ("g", "h", ["g", "h"]):  # no group loses all its rows
        assume(complete.groupby(by).ngroups == df.groupby(by).ngroups)
    full, clean = _audit(with_holes), _audit(complete)
    summary = full.to_dict(disclosure_control=False)["summary"]  # tiny data: counts below k
    assert summary["n_rows"] == len(df)
    assert summary["n_excluded"] == sum(1 for h in holes if h)
    assert summary["excluded_reasons"] == {
        "missing_y_true": holes.count("y"),
        "missing_decision": holes.count("p"),
    }
    _same_values(_point_values(full), _point_values(clean))


@FAST
@given(
    df=decision_frames(max_groups=4, max_rows=30, two_features=True),
    min_group_size=st.integers(0, 8),
)
def test_small_groups_are_suppressed_everywhere(df: pd.DataFrame, min_group_size: int) -> None:
    result = _audit(df, min_group_size=min_group_size)
    # min_group_size suppression; small-cell suppression (k) is tested in tests/report
    doc = result.to_dict(disclosure_control=False)
    small = {(g["feature"], g["group"]) for g in doc["groups"] if g["suppressed"]}
    filled = _frames(df)
    for g in result.metrics.groups:
        true_n = int((filled[g.feature] == g.group).sum())
        is_small = 0 < true_n < min_group_size
        assert g.suppressed == is_small
        assert ((g.feature, g.group) in small) == is_small
        if is_small:
            assert g.n is None and g.n_pos is None and g.n_pred_pos is None
            assert all(
                e.value is None and e.reason == "below_min_group_size" for e in g.metrics.values()
            )
            assert g.group in result.metrics.small_groups[g.feature]
    for d in result.metrics.disparities:
        assert (d.feature, d.group) not in small and (d.feature, d.reference) not in small
