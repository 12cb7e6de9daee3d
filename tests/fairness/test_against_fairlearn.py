"""fairmark's group metrics and summaries against fairlearn 0.15, to 1e-9.

Compared wherever both define the value: ``MetricFrame.by_group`` (``count``,
``selection_rate``, ``true/false_positive_rate``, ``true/false_negative_rate``,
``precision_score`` = PPV, ``accuracy_score``; with and without ``sample_weight``),
``demographic_parity_difference`` / ``_ratio``, ``equal_opportunity_difference`` and
``equalized_odds_difference(agg="worst_case")``; on the UCI Bank Marketing data and on
hypothesis-generated tables.

Where they differ by design (fairlearn's zero-division convention) the tests pin both
values: a rate whose denominator is empty (no actual positives for TPR, no selections for
PPV …) is *undefined* in fairmark (``None`` with a reason, ``NaN`` in ``by_group``) while
fairlearn returns 0 (scikit-learn's ``confusion_matrix(normalize="true")`` turns 0/0 into 0
and ``precision_score(zero_division=0)`` returns 0). A summary over such a group is therefore
undefined in fairmark ("undefined is not zero") and equals fairlearn's spread with that 0
substituted in fairlearn.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
)
from hypothesis import HealthCheck, given, settings
from tests.fairness._audit_helpers import (
    TOL,
    decision_frames,
    disparity,
    fairlearn_frame,
    groups_of,
    hand_counts,
    hand_rate,
    load_bank,
    run_audit,
)

from fairmark.fairness.audit import AuditResult

SHARED = ("selection_rate", "tpr", "fpr", "fnr", "tnr", "ppv", "accuracy")


# --- checkers -------------------------------------------------------------------------


def _key(levels: tuple[str, ...]) -> Any:
    return levels if len(levels) > 1 else levels[0]


def check_groups(
    result: AuditResult,
    df: pd.DataFrame,
    feature: str,
    columns: list[str],
    w: str | None,
    frame: pd.DataFrame,
) -> int:
    """Every group of ``feature`` against fairlearn's ``by_group`` (``frame``).

    Returns how many (group, metric) values were undefined in fairmark.
    """
    hand = hand_counts(df, columns if len(columns) > 1 else columns[0], w=w)
    undefined = 0
    for gs in groups_of(result, feature):
        if gs.n == 0:  # a declared level without rows: fairlearn does not list it
            continue
        key = _key(gs.levels)
        assert int(frame.loc[key, "count"]) == gs.n
        for m in SHARED:
            ours = gs.metrics[m].value
            theirs = float(frame.loc[key, m])
            if hand_rate(hand.loc[key], m) is None:
                # Undefined by design: fairmark gives None + reason, fairlearn gives 0.
                undefined += 1
                assert ours is None, (feature, key, m)
                assert gs.metrics[m].reason is not None
                assert theirs == 0.0, (feature, key, m, theirs)
            else:
                assert ours is not None, (feature, key, m)
                assert abs(ours - theirs) <= TOL, (feature, key, m, ours, theirs)
    return undefined


def _spread(values: list[float]) -> float:
    return max(values) - min(values)


def fairlearn_summaries(
    df: pd.DataFrame, columns: list[str], w: str | None, frame: Any = None
) -> tuple[float, float, float, float]:
    """fairlearn's DP difference, DP ratio, EO difference and EOdds difference (worst case).

    Calls fairlearn's functions, or, given the ``MetricFrame`` of :func:`fairlearn_frame`,
    its ``difference()`` / ``ratio()``, which is what those functions compute (fairlearn
    0.15 ``_fairness_metrics.py``: ``MetricFrame(...).difference(method="between_groups")``,
    and ``max`` over the TPR and FPR differences for ``agg="worst_case"``). Each function
    call builds a new MetricFrame, ~0.3 s on the 41,188 Bank Marketing rows.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's 0/0 warnings inside fairlearn
        if frame is not None:
            diff, ratio = frame.difference(), frame.ratio()
            return (
                float(diff["selection_rate"]),
                float(ratio["selection_rate"]),
                float(diff["tpr"]),
                float(max(diff["tpr"], diff["fpr"])),
            )
        sf = df[columns] if len(columns) > 1 else df[columns[0]]
        kw: dict[str, Any] = {
            "sensitive_features": sf,
            "sample_weight": None if w is None else df[w].to_numpy(dtype=float),
        }
        yt, yp = df["y"].to_numpy(dtype=int), df["p"].to_numpy(dtype=int)
        return (
            demographic_parity_difference(yt, yp, **kw),
            demographic_parity_ratio(yt, yp, **kw),
            equal_opportunity_difference(yt, yp, **kw),
            equalized_odds_difference(yt, yp, agg="worst_case", **kw),
        )


def check_summaries(
    result: AuditResult,
    df: pd.DataFrame,
    feature: str,
    columns: list[str],
    w: str | None,
    frame: Any = None,
) -> None:
    """The four per-feature summaries against fairlearn (see :func:`fairlearn_summaries`)."""
    hand = hand_counts(df, columns if len(columns) > 1 else columns[0], w=w)
    rates = {
        m: [hand_rate(row, m) for _, row in hand.iterrows()]
        for m in ("selection_rate", "tpr", "fpr")
    }
    fl_dpd, fl_dpr, fl_eop, fl_eod = fairlearn_summaries(df, columns, w, frame)

    dpd = disparity(result, "demographic_parity_difference", feature)
    dpr = disparity(result, "demographic_parity_ratio", feature)
    sr = rates["selection_rate"]
    assert dpd.value is not None
    assert abs(dpd.value - fl_dpd) <= TOL
    if max(sr) == 0:  # type: ignore[type-var]  # 0/0: fairlearn NaN, fairmark undefined
        assert dpr.value is None and dpr.reason == "no_selections"
        assert math.isnan(fl_dpr)
    else:
        assert dpr.value is not None
        assert abs(dpr.value - fl_dpr) <= TOL

    eop = disparity(result, "equal_opportunity_difference", feature)
    eod = disparity(result, "equalized_odds_difference", feature)
    tpr = rates["tpr"]
    fpr = rates["fpr"]
    tpr0 = [0.0 if v is None else v for v in tpr]  # fairlearn's convention: 0/0 -> 0
    fpr0 = [0.0 if v is None else v for v in fpr]
    assert abs(fl_eop - _spread(tpr0)) <= TOL
    assert abs(fl_eod - max(_spread(tpr0), _spread(fpr0))) <= TOL
    if None in tpr:  # fairmark: undefined, not fairlearn's number
        assert eop.value is None and eop.reason == "no_positives"
    else:
        assert eop.value is not None
        assert abs(eop.value - fl_eop) <= TOL
    if None in tpr or None in fpr:
        assert eod.value is None
        assert eod.reason == ("no_positives" if None in tpr else "no_negatives")
    else:
        assert eod.value is not None
        assert abs(eod.value - fl_eod) <= TOL


def check_by_group(result: AuditResult, columns: list[str], frame: pd.DataFrame) -> None:
    """``AuditResult.by_group`` equals fairlearn's ``MetricFrame.by_group`` (``frame``).

    fairlearn lists every combination of levels of several features (unobserved ones as
    NaN rows); fairmark lists the observed ones, so fairlearn's all-NaN rows are dropped.
    Where fairmark's rate is undefined (NaN) fairlearn's is 0 (see the module docstring).
    """
    theirs = frame.dropna(subset=["count"])
    ours = result.by_group
    assert list(ours.index.names) == list(theirs.index.names) == list(columns)
    assert list(ours.index) == list(theirs.index)
    assert ours["count"].tolist() == theirs["count"].astype(int).tolist()
    for m in SHARED:
        a = ours[m].to_numpy(dtype=float)
        b = theirs[m].to_numpy(dtype=float)
        defined = ~np.isnan(a)
        assert np.all(np.abs(a[defined] - b[defined]) <= TOL), m
        assert np.all(b[~defined] == 0), m


# --- Bank Marketing -----------------------------------------------------------------------

FEATURES = {
    "marital": ["marital"],
    "age_band": ["age_band"],
    "marital & age_band": ["marital", "age_band"],
}
WEIGHTS = {"unweighted": None, "weighted": "w"}
#: (weighting, feature) pairs compared group by group with a MetricFrame; one frame takes
#: ~2 s on 41,188 rows, so the weighted run is compared on the intersection only (its
#: groups cover every row); the weighted marginal summaries call fairlearn's functions.
FRAMES = [(weighting, feature) for weighting in WEIGHTS for feature in FEATURES]
FRAMES = [(w, f) for w, f in FRAMES if w == "unweighted" or f == "marital & age_band"]


@pytest.fixture(scope="module")
def bank() -> pd.DataFrame:
    """Bank Marketing with ``y`` = 1 for a subscriber and ``p`` = (euribor3m < 1.5)."""
    df = load_bank()
    return df.rename(columns={"y": "y_text"}).assign(y=df["yi"], p=df["sel"])


@pytest.fixture(scope="module")
def bank_audits(bank: pd.DataFrame) -> dict[str, AuditResult]:
    """The audits by marital status x age band (binned by fairmark), with and without weights."""
    return {
        name: run_audit(
            bank,
            y_true="y_text",
            positive_label="yes",
            y_pred="p",
            sensitive_features=["marital", {"column": "age", "bins": "age"}],
            intersections="pairs",
            sample_weight=w,
        )
        for name, w in WEIGHTS.items()
    }


@pytest.fixture(scope="module")
def bank_frames(bank: pd.DataFrame) -> dict[tuple[str, str], Any]:
    """fairlearn's ``MetricFrame`` for each (weighting, feature), computed once."""
    return {
        (name, feature): fairlearn_frame(bank, columns if len(columns) > 1 else columns[0], w=w)
        for name, feature in FRAMES
        for w, columns in [(WEIGHTS[name], FEATURES[feature])]
    }


@pytest.mark.parametrize(("weighting", "feature"), FRAMES)
def test_bank_group_metrics_equal_metricframe(
    bank: pd.DataFrame,
    bank_audits: dict[str, AuditResult],
    bank_frames: dict[tuple[str, str], Any],
    feature: str,
    weighting: str,
) -> None:
    undefined = check_groups(
        bank_audits[weighting],
        bank,
        feature,
        FEATURES[feature],
        WEIGHTS[weighting],
        bank_frames[(weighting, feature)].by_group,
    )
    # "unknown & <25" has no subscriber: its TPR is undefined in fairmark (fairlearn: 0);
    # every marginal group's rates are defined, so those comparisons compared numbers.
    assert (undefined > 0) == (feature == "marital & age_band")


@pytest.mark.parametrize(("weighting", "feature"), [*FRAMES, ("weighted", "marital")])
def test_bank_summaries_equal_fairlearn(
    bank: pd.DataFrame,
    bank_audits: dict[str, AuditResult],
    bank_frames: dict[tuple[str, str], Any],
    feature: str,
    weighting: str,
) -> None:
    result = bank_audits[weighting]
    frame = bank_frames.get((weighting, feature))  # None: call fairlearn's functions
    check_summaries(result, bank, feature, FEATURES[feature], WEIGHTS[weighting], frame)
    if feature != "marital & age_band":  # defined numbers were compared, not two "undefined"
        for metric in ("demographic_parity_ratio", "equalized_odds_difference"):
            d = disparity(result, metric, feature)
            assert d.value is not None and 0 < d.value < 1


@pytest.mark.parametrize("weighting", list(WEIGHTS))
def test_bank_by_group_multiindex_equals_metricframe(
    bank_audits: dict[str, AuditResult],
    bank_frames: dict[tuple[str, str], Any],
    weighting: str,
) -> None:
    frame = bank_frames[(weighting, "marital & age_band")].by_group
    check_by_group(bank_audits[weighting], ["marital", "age_band"], frame)


def test_bank_weights_change_the_numbers(bank_audits: dict[str, AuditResult]) -> None:
    # guard against a weighted comparison that silently ran unweighted
    a = bank_audits["unweighted"].by_group["selection_rate"]
    b = bank_audits["weighted"].by_group["selection_rate"]
    assert (a - b).abs().max() > 1e-3


# --- hypothesis ---------------------------------------------------------------------------


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=decision_frames(weighted=None, missing_groups=True, two_features=True))
def test_random_tables_equal_fairlearn(df: pd.DataFrame) -> None:
    w = "w" if "w" in df.columns else None
    result = run_audit(
        ibis.memtable(df), y_true="y", y_pred="p", sensitive_features=["g", "h"], sample_weight=w
    )
    filled = df.assign(g=df["g"].fillna("(missing)"))  # fairmark's explicit missing group
    for feature, columns in (("g", ["g"]), ("g & h", ["g", "h"])):
        frame = fairlearn_frame(filled, columns if len(columns) > 1 else columns[0], w=w)
        check_groups(result, filled, feature, columns, w, frame.by_group)
        check_summaries(result, filled, feature, columns, w)
        if len(columns) > 1:
            check_by_group(result, columns, frame.by_group)
