"""The hand-computed cases the fairness issue requires, each through ``fairmark.audit``.

Every expected number below is worked out by hand in the test's docstring; where fairlearn
or AIF360 give a different number by design, the test pins their value too and says why.
"""

from __future__ import annotations

import json
import math
import warnings

import pandas as pd
import pytest
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
)
from tests.fairness._audit_helpers import close, disparity, group_row, groups_of, run_audit

from fairmark.errors import DataError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from aif360.sklearn.metrics import average_odds_difference, disparate_impact_ratio


def _quiet_fairlearn(func, df: pd.DataFrame, **kw):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(df["y"], df["p"], sensitive_features=df["g"], **kw)


def test_group_without_positives_has_undefined_tpr() -> None:
    """a: y 1,1,0,0 / pred 1,0,0,0 ; b: y 0,0,0,0 / pred 1,0,0,0.

    TPR(a) = 1/2; TPR(b) = 0/0, undefined (``no_positives``), so the equal opportunity
    difference (a TPR gap) and the equalized odds difference are not estimable.
    FPR(a) = 0/2 = 0, FPR(b) = 1/4 = 0.25: the FPR gap is 0.25.
    fairlearn substitutes TPR(b) = 0 and reports both gaps as 0.5.
    """
    df = pd.DataFrame(
        {"g": list("aaaabbbb"), "y": [1, 1, 0, 0, 0, 0, 0, 0], "p": [1, 0, 0, 0, 1, 0, 0, 0]}
    )
    r = run_audit(df, y_true="y", y_pred="p", sensitive_features="g", reference_groups={"g": "a"})

    b = group_row(r, "g", "b")
    assert b.metrics["tpr"].value is None and b.metrics["tpr"].reason == "no_positives"
    assert b.metrics["fnr"].value is None and b.metrics["fnr"].reason == "no_positives"
    assert b.metrics["fpr"].value == 0.25
    assert group_row(r, "g", "a").metrics["tpr"].value == 0.5
    assert group_row(r, "g", "a").metrics["fpr"].value == 0.0
    assert math.isnan(r.by_group.loc["b", "tpr"])

    for metric in ("equal_opportunity_difference", "equalized_odds_difference"):
        d = disparity(r, metric, "g")
        assert d.value is None and d.reason == "no_positives"
    tpd = disparity(r, "true_positive_rate_difference", "g", "b")
    assert tpd.value is None and tpd.reason == "no_positives"
    fpd = disparity(r, "false_positive_rate_difference", "g", "b")
    assert close(fpd.value, 0.25) and fpd.reason is None

    # the policy never counts the undefined gap as a pass
    rule = next(x for x in r.outcome.rules if x.rule_id == "equal-opportunity")
    assert rule.verdict == "insufficient_evidence"

    # fairlearn's numbers for the same data (TPR(b) taken as 0)
    assert _quiet_fairlearn(equal_opportunity_difference, df) == 0.5
    assert _quiet_fairlearn(equalized_odds_difference, df) == 0.5


def test_disparate_impact_with_zero_reference_rate_is_infinite() -> None:
    """a: pred 1,1 ; b (reference): pred 0,0.

    DI(a) = sr(a) / sr(b) = 1 / 0 = +inf (``reference_rate_zero``), never 0: a selected
    more than the reference. AIF360's ``disparate_impact_ratio`` returns 0 here
    (scikit-learn's zero_division), which would read as the worst disparity against a.
    """
    df = pd.DataFrame({"g": list("aabb"), "y": [1, 0, 1, 0], "p": [1, 1, 0, 0]})
    r = run_audit(df, y_true="y", y_pred="p", sensitive_features="g", reference_groups={"g": "b"})
    di = disparity(r, "disparate_impact", "g", "a")
    assert di.reference == "b"
    assert di.value == math.inf and di.reason == "reference_rate_zero"
    assert close(disparity(r, "statistical_parity_difference", "g", "a").value, 1.0)

    # allow_nan=False: infinity is written as "inf" (4 rows: the complete document, since
    # the published one hides groups of fewer than k = 10 people)
    doc = json.loads(r.to_json(disclosure_control=False))
    row = next(
        d for d in doc["disparities"] if d["metric"] == "disparate_impact" and d["group"] == "a"
    )
    assert row["value"] == "inf" and row["reason"] == "reference_rate_zero"

    yt = pd.Series(df["y"].to_numpy(), index=pd.Index(df["g"], name="g"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aif = disparate_impact_ratio(yt, df["p"].to_numpy(), prot_attr="g", priv_group="b")
    assert aif == 0.0


def test_nobody_selected_gives_zero_difference_and_undefined_ratio() -> None:
    """pred 0 for everybody: every selection rate is 0.

    Demographic parity difference = 0 - 0 = 0.0; the ratio 0/0 is undefined
    (``no_selections``; fairlearn: NaN), and so is every disparate impact. The overall
    verdict is ``insufficient_evidence``: an undefined value never passes.
    """
    df = pd.DataFrame({"g": list("aabbcc"), "y": [1, 0, 1, 0, 1, 0], "p": [0] * 6})
    r = run_audit(df, y_true="y", y_pred="p", sensitive_features="g")
    dpd = disparity(r, "demographic_parity_difference", "g")
    assert dpd.value == 0.0 and dpd.reason is None
    dpr = disparity(r, "demographic_parity_ratio", "g")
    assert dpr.value is None and dpr.reason == "no_selections"
    dis = [d for d in r.metrics.disparities if d.metric == "disparate_impact"]
    assert len(dis) == 2
    assert all(d.value is None and d.reason == "no_selections" for d in dis)
    ppd = disparity(r, "predictive_parity_difference", "g")
    assert ppd.value is None and ppd.reason == "no_selections"
    assert r.verdict == "insufficient_evidence"

    assert _quiet_fairlearn(demographic_parity_difference, df) == 0.0
    assert math.isnan(_quiet_fairlearn(demographic_parity_ratio, df))


def test_equalized_odds_signed_gaps_do_not_cancel() -> None:
    """Unprivileged y 1,0 / pred 0,1 ; privileged y 1,0 / pred 1,0.

    TPR: 0 vs 1, FPR: 1 vs 0. Equalized odds difference = max(|0-1|, |1-0|) = 1.0 (as
    fairlearn's ``agg="worst_case"``); AIF360's ``average_odds_difference`` averages the
    signed gaps, ((0-1) + (1-0)) / 2 = 0, which would call this model fair.
    """
    df = pd.DataFrame({"g": ["u", "u", "priv", "priv"], "y": [1, 0, 1, 0], "p": [0, 1, 1, 0]})
    r = run_audit(
        df, y_true="y", y_pred="p", sensitive_features="g", reference_groups={"g": "priv"}
    )
    eod = disparity(r, "equalized_odds_difference", "g")
    assert eod.value == 1.0 and eod.reason is None
    assert disparity(r, "true_positive_rate_difference", "g", "u").value == -1.0
    assert disparity(r, "false_positive_rate_difference", "g", "u").value == 1.0
    assert _quiet_fairlearn(equalized_odds_difference, df) == 1.0
    yt = pd.Series(df["y"].to_numpy(), index=pd.Index(df["g"], name="g"))
    assert average_odds_difference(yt, df["p"].to_numpy(), prot_attr="g", priv_group="priv") == 0


@pytest.mark.parametrize("min_group_size", [0, 1])
def test_shares_of_all_reported_groups_sum_to_one(min_group_size: int) -> None:
    """8 rows: a x4, b x3, missing x1 -> shares 4/8, 3/8, 1/8 (sum 1); missing is a group."""
    df = pd.DataFrame(
        {
            "g": ["a"] * 4 + ["b"] * 3 + [None],
            "y": [1, 0, 1, 0, 1, 0, 1, 0],
            "p": [1, 1, 0, 0, 1, 0, 0, 1],
        }
    )
    r = run_audit(df, y_true="y", y_pred="p", sensitive_features="g", min_group_size=min_group_size)
    shares = {g.group: g.metrics["share"].value for g in groups_of(r, "g")}
    assert shares == {"a": 0.5, "b": 0.375, "(missing)": 0.125}
    assert math.isclose(sum(shares.values()), 1.0, abs_tol=1e-12)
    assert [g.n for g in groups_of(r, "g")] == [4, 3, 1]


def test_selection_rate_never_reads_y_true() -> None:
    """y 1,1,0,0 / pred 1,0,1,1 -> selection rate 3/4 = 0.75, whatever y says."""
    base = pd.DataFrame({"g": list("aaaabb"), "y": [1, 1, 0, 0, 1, 0], "p": [1, 0, 1, 1, 0, 1]})
    flipped = base.assign(y=[0, 0, 1, 1, 1, 0])
    for df in (base, flipped):
        r = run_audit(df, y_true="y", y_pred="p", sensitive_features="g")
        assert group_row(r, "g", "a").metrics["selection_rate"].value == 0.75
        assert r.by_group.loc["a", "selection_rate"] == 0.75


def test_float_score_passed_as_y_pred_is_refused() -> None:
    """A probability column given as ``y_pred`` (no threshold/top_k): a one-line DataError."""
    df = pd.DataFrame({"g": list("aabb"), "y": [1, 0, 1, 0], "score": [0.91, 0.12, 0.55, 0.37]})
    with pytest.raises(DataError) as info:
        run_audit(df, y_true="y", y_pred="score", sensitive_features="g")
    message = str(info.value)
    assert "\n" not in message
    assert "'score'" in message and "not binary" in message
    assert "--threshold or --top-k" in message
    assert "0.12" in message  # the values found are listed
