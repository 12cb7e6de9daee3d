"""fairmark's per-group comparisons against AIF360 0.6.1, to 1e-9.

fairmark reports, for every group ``g`` of a feature and the feature's reference group
``r``: ``disparate_impact = sr_g / sr_r``, ``statistical_parity_difference = sr_g - sr_r``,
``true_positive_rate_difference = tpr_g - tpr_r`` and ``false_positive_rate_difference``.
AIF360 defines the same quantities with ``r`` as the *privileged* group and ``g`` as the
*unprivileged* one:

* ``aif360.sklearn.metrics``: ``disparate_impact_ratio``, ``statistical_parity_difference``
  and ``equal_opportunity_difference`` (``prot_attr``, ``priv_group``). Everything that is
  not ``priv_group`` is pooled as "unprivileged", so each comparison is run on the rows
  of ``g`` and ``r`` only.
* ``aif360.metrics.ClassificationMetric`` with ``unprivileged_groups=[{attr: g}]`` and
  ``privileged_groups=[{attr: r}]`` (conditions on exactly those groups; weighted through
  ``instance_weights``).

Where they differ by design (zero division), the tests pin all three values:

=====================================  ==============  ===================  ==================
case                                   fairmark        aif360.sklearn       ClassificationMetric
=====================================  ==============  ===================  ==================
``sr_r = 0 < sr_g`` (disparate impact) ``+inf``        0 (zero_division)    ``inf``
``sr_r = sr_g = 0`` (disparate impact) ``None``        0                    ``nan``
no actual positives in g or r (TPR)    ``None``        0 substituted        ``nan``
=====================================  ==============  ===================  ==================

fairmark's reading: a ratio whose reference rate is zero is infinite, never 0 (0 would
read as the worst possible disparity against ``g``, the opposite of the truth), and a rate
with an empty denominator is undefined (reason ``reference_rate_zero``, ``no_selections``,
``no_positives``).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from tests.fairness._audit_helpers import (
    TOL,
    decision_frames,
    disparity,
    groups_of,
    hand_counts,
    hand_rate,
    load_bank,
    run_audit,
)

from fairmark.fairness.audit import AuditResult

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric
    from aif360.sklearn.metrics import (
        disparate_impact_ratio,
        equal_opportunity_difference,
        statistical_parity_difference,
    )

PER_GROUP = (
    "disparate_impact",
    "statistical_parity_difference",
    "true_positive_rate_difference",
    "false_positive_rate_difference",
)


# --- AIF360 wrappers ----------------------------------------------------------------------


def aif_sklearn(
    keys: pd.Series, y: np.ndarray, p: np.ndarray, w: np.ndarray | None, group: str, ref: str
) -> dict[str, float]:
    """``aif360.sklearn.metrics`` on the rows of ``group`` and ``ref`` (``ref`` privileged)."""
    mask = keys.isin([group, ref]).to_numpy()
    yt = pd.Series(y[mask], index=pd.Index(keys[mask].to_numpy(), name="grp"))
    kw: dict[str, Any] = {
        "prot_attr": "grp",
        "priv_group": ref,
        "pos_label": 1,
        "sample_weight": None if w is None else w[mask],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero_division warnings
        return {
            "disparate_impact": float(disparate_impact_ratio(yt, p[mask], **kw)),
            "statistical_parity_difference": float(
                statistical_parity_difference(yt, p[mask], **kw)
            ),
            "true_positive_rate_difference": float(equal_opportunity_difference(yt, p[mask], **kw)),
        }


class AifClassification:
    """``aif360.metrics.ClassificationMetric`` over one encoded sensitive attribute."""

    def __init__(self, keys: pd.Series, y: np.ndarray, p: np.ndarray, w: np.ndarray | None):
        self.codes = {k: float(i) for i, k in enumerate(sorted(keys.unique()))}
        frame = pd.DataFrame({"grp": keys.map(self.codes).to_numpy(), "y": y.astype(float)})
        if w is not None:
            frame["w"] = w
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.truth = BinaryLabelDataset(
                df=frame,
                label_names=["y"],
                protected_attribute_names=["grp"],
                instance_weights_name="w" if w is not None else None,
                favorable_label=1.0,
                unfavorable_label=0.0,
            )
        self.pred = self.truth.copy(deepcopy=True)
        self.pred.labels = p.astype(float).reshape(-1, 1)

    def compare(self, group: str, ref: str) -> dict[str, float]:
        cm = ClassificationMetric(
            self.truth,
            self.pred,
            unprivileged_groups=[{"grp": self.codes[group]}],
            privileged_groups=[{"grp": self.codes[ref]}],
        )
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {
                "disparate_impact": float(cm.disparate_impact()),
                "statistical_parity_difference": float(cm.statistical_parity_difference()),
                "true_positive_rate_difference": float(cm.true_positive_rate_difference()),
                "false_positive_rate_difference": float(cm.false_positive_rate_difference()),
            }


# --- the checker --------------------------------------------------------------------------


def check_feature(
    result: AuditResult,
    feature: str,
    keys: pd.Series,
    y: np.ndarray,
    p: np.ndarray,
    w: np.ndarray | None,
) -> int:
    """Every per-group row of ``feature`` against both AIF360 APIs; returns #rows checked.

    ``keys`` holds each row's group label exactly as fairmark reports it.
    """
    ref = result.metrics.reference_groups[feature]["group"]
    classification = AifClassification(keys, y, p, w)
    frame = pd.DataFrame({"k": keys.to_numpy(), "y": y, "p": p})
    if w is not None:
        frame["w"] = w
    hand = hand_counts(frame, "k", w="w" if w is not None else None)
    checked = 0
    for gs in groups_of(result, feature):
        if gs.is_reference or not gs.n:
            continue
        g = gs.group
        ours = {m: disparity(result, m, feature, g) for m in PER_GROUP}
        assert all(d.reference == ref for d in ours.values())
        sk = aif_sklearn(keys, y, p, w, g, ref)
        cm = classification.compare(g, ref)
        sr_g, sr_r = (
            hand_rate(hand.loc[g], "selection_rate"),
            hand_rate(hand.loc[ref], "selection_rate"),
        )
        tpr_g, tpr_r = hand_rate(hand.loc[g], "tpr"), hand_rate(hand.loc[ref], "tpr")
        fpr_g, fpr_r = hand_rate(hand.loc[g], "fpr"), hand_rate(hand.loc[ref], "fpr")
        assert sr_g is not None and sr_r is not None  # positive weights: never empty

        # statistical parity difference: always defined, all three agree
        spd = ours["statistical_parity_difference"].value
        assert spd is not None
        assert abs(spd - sk["statistical_parity_difference"]) <= TOL
        assert abs(spd - cm["statistical_parity_difference"]) <= TOL

        # disparate impact
        di = ours["disparate_impact"]
        if sr_r > 0:
            assert di.value is not None and di.reason is None
            assert abs(di.value - sk["disparate_impact"]) <= TOL
            assert abs(di.value - cm["disparate_impact"]) <= TOL
        elif sr_g > 0:
            assert di.value == math.inf and di.reason == "reference_rate_zero"
            assert sk["disparate_impact"] == 0.0 and cm["disparate_impact"] == math.inf
        else:
            assert di.value is None and di.reason == "no_selections"
            assert sk["disparate_impact"] == 0.0 and math.isnan(cm["disparate_impact"])

        # true positive rate difference (AIF360: equal_opportunity_difference)
        tpd = ours["true_positive_rate_difference"]
        if tpr_g is not None and tpr_r is not None:
            assert tpd.value is not None
            assert abs(tpd.value - sk["true_positive_rate_difference"]) <= TOL
            assert abs(tpd.value - cm["true_positive_rate_difference"]) <= TOL
        else:
            assert tpd.value is None and tpd.reason == "no_positives"
            substituted = (tpr_g or 0.0) - (tpr_r or 0.0)  # scikit-learn's zero_division=0
            assert abs(sk["true_positive_rate_difference"] - substituted) <= TOL
            assert math.isnan(cm["true_positive_rate_difference"])

        # false positive rate difference (ClassificationMetric only)
        fpd = ours["false_positive_rate_difference"]
        if fpr_g is not None and fpr_r is not None:
            assert fpd.value is not None
            assert abs(fpd.value - cm["false_positive_rate_difference"]) <= TOL
        else:
            assert fpd.value is None and fpd.reason == "no_negatives"
            assert math.isnan(cm["false_positive_rate_difference"])
        checked += 1
    return checked


# --- Bank Marketing -----------------------------------------------------------------------

REFERENCES = {"marital": "married", "age_band": "35-44", "marital & age_band": "married & 35-44"}


@pytest.fixture(scope="module")
def bank() -> pd.DataFrame:
    df = load_bank()
    df["marital & age_band"] = df["marital"] + " & " + df["age_band"]
    return df


@pytest.fixture(scope="module", params=["unweighted", "weighted"])
def bank_case(request: pytest.FixtureRequest, bank: pd.DataFrame) -> tuple[AuditResult, Any]:
    w = "w" if request.param == "weighted" else None
    result = run_audit(
        bank,
        y_true="y",
        positive_label="yes",
        y_pred="sel",
        sensitive_features=["marital", {"column": "age", "bins": "age"}],
        reference_groups=REFERENCES,
        sample_weight=w,
    )
    return result, None if w is None else bank[w].to_numpy()


@pytest.mark.parametrize("feature", list(REFERENCES))
def test_bank_per_group_rows_equal_aif360(
    bank: pd.DataFrame, bank_case: tuple[AuditResult, Any], feature: str
) -> None:
    result, w = bank_case
    assert result.metrics.reference_groups[feature] == {
        "group": REFERENCES[feature],
        "chosen_by": "user",
    }
    checked = check_feature(
        result, feature, bank[feature], bank["yi"].to_numpy(), bank["sel"].to_numpy(), w
    )
    n_groups = bank[feature].nunique()
    assert checked == n_groups - 1


def test_bank_marginal_rows_are_defined(bank_case: tuple[AuditResult, Any]) -> None:
    # guard: on the marginal features every comparison is a number, so the checks above
    # compared numbers with numbers
    result, _ = bank_case
    for d in result.metrics.disparities:
        if d.feature in ("marital", "age_band") and d.metric in PER_GROUP:
            assert d.value is not None and math.isfinite(d.value), d


# --- hypothesis ---------------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=decision_frames(max_groups=4, weighted=None, missing_groups=True))
def test_random_tables_equal_aif360(df: pd.DataFrame) -> None:
    w = "w" if "w" in df.columns else None
    result = run_audit(
        ibis.memtable(df),
        y_true="y",
        y_pred="p",
        sensitive_features="g",
        sample_weight=w,
        reference_groups={"g": "a"},
    )
    keys = df["g"].fillna("(missing)")
    check_feature(
        result,
        "g",
        keys,
        df["y"].to_numpy(),
        df["p"].to_numpy(),
        None if w is None else df[w].to_numpy(),
    )
