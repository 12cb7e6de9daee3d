"""Score metrics of an audit against scikit-learn, SciPy and statsmodels, group by group.

Bank Marketing: the demo propensity model's held-out scores
(``build_call_list(fetch_bank_marketing(...)).scored``, column ``score``) audited by
marital status and age band (and their intersection). Synthetic data: beta-distributed
scores with a group effect, with sample weights and with logits. Every expected value is
computed on the raw rows of the group with pandas and the reference library.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp, wasserstein_distance
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

import fairmark
from fairmark.fairness.scores import ScoreMetric

AGE_LABELS = ["<25", "25-34", "35-44", "45-54", "55-64", "65+"]
AUC_TOL = 1e-3  # the bound on |binned AUC - exact AUC| with 1,000 bins


@pytest.fixture(scope="module")
def bank_scored(shared_data) -> pd.DataFrame:
    from fairmark.datasets import fetch_bank_marketing
    from fairmark.demo_model import build_call_list

    frame = build_call_list(fetch_bank_marketing(shared_data)).scored.reset_index(drop=True)
    frame["age_band"] = pd.cut(
        frame["age"], [-np.inf, 25, 35, 45, 55, 65, np.inf], right=False, labels=AGE_LABELS
    ).astype(str)
    return frame


@pytest.fixture(scope="module")
def bank_result(bank_scored):
    return fairmark.audit(
        bank_scored.drop(columns=["age_band"]),
        y_true="y",
        positive_label="yes",
        score="score",
        top_k=0.2,
        sensitive_features=["marital", {"column": "age", "bins": "age"}],
        cutoffs=[0.5, 0.25],
    )


def _rows(frame: pd.DataFrame, feature: str, group: str) -> pd.Series:
    """Boolean mask of the rows of one (possibly intersectional) group, from raw columns."""
    cols = {"marital": "marital", "age_band": "age_band", "g": "g", "h": "h"}
    mask = pd.Series(True, index=frame.index)
    for feat, level in zip(feature.split(" & "), group.split(" & "), strict=True):
        mask &= frame[cols[feat]].astype(str) == level
    return mask


def _metric(result, metric: str) -> list[ScoreMetric]:
    return [m for m in result.metrics.score_metrics if m.metric == metric]


def _estimated(result, metric: str) -> list[ScoreMetric]:
    return [m for m in _metric(result, metric) if m.value is not None]


# --- Bank Marketing -------------------------------------------------------------------


def test_bank_auc_per_group_matches_sklearn(bank_scored, bank_result):
    rows = _estimated(bank_result, "roc_auc")
    assert len(rows) >= 20  # marginal and intersectional groups
    assert {m.feature for m in rows} == {"marital", "age_band", "marital & age_band"}
    for m in rows:
        g = bank_scored[_rows(bank_scored, m.feature, m.group)]
        exact = roc_auc_score(g["y"] == "yes", g["score"])
        assert m.n == len(g)
        assert abs(m.value - exact) <= AUC_TOL, (m.feature, m.group)
        assert abs(m.value - exact) <= m.error_bound + 1e-12, (m.feature, m.group)
        assert m.ci_low < m.value < m.ci_high and m.ci_method == "delong"


def test_bank_small_groups_are_not_estimated_and_show_no_count(bank_result):
    small = bank_result.metrics.small_groups["marital"]
    assert small == ["unknown"]
    rows = [m for m in bank_result.metrics.score_metrics if m.group == "unknown"]
    assert rows and all(m.value is None and m.n is None for m in rows)
    assert {m.reason for m in rows} == {"below_min_group_size"}


def test_bank_calibration_matches_sklearn_calibration_curve(bank_scored, bank_result):
    rows = _estimated(bank_result, "ece")
    assert rows
    edges = np.linspace(0, 1, 11)
    for m in rows:
        g = bank_scored[_rows(bank_scored, m.feature, m.group)]
        y, p = (g["y"] == "yes").to_numpy(), g["score"].to_numpy()
        prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
        assert [c.fraction_positive for c in m.curve] == pytest.approx(prob_true, abs=1e-12)
        assert [c.mean_predicted for c in m.curve] == pytest.approx(prob_pred, abs=1e-12)
        # ECE (Naeini et al. 2015) on sklearn's bins: Σ n_k / n · |o_k − e_k|
        ids = np.searchsorted(edges[1:-1], p, side="right")
        counts = np.bincount(ids, minlength=10)
        counts = counts[counts > 0]
        ece = float(np.sum(counts / len(p) * np.abs(prob_true - prob_pred)))
        assert m.value == pytest.approx(ece, abs=1e-12)


def test_bank_ks_and_wasserstein_match_scipy_within_the_binning_error(bank_scored, bank_result):
    ref = bank_result.metrics.reference_groups
    for metric, lib in (("ks", None), ("wasserstein", wasserstein_distance)):
        rows = _estimated(bank_result, metric)
        assert rows
        for m in rows:
            assert m.reference == ref[m.feature]["group"]
            a = bank_scored.loc[_rows(bank_scored, m.feature, m.group), "score"]
            b = bank_scored.loc[_rows(bank_scored, m.feature, m.reference), "score"]
            if lib is None:
                exact = ks_2samp(a, b).statistic
                assert m.value <= exact + 1e-12 <= m.value + m.error_bound + 2e-12
            else:
                exact = lib(a, b)
                assert m.error_bound <= 1e-3  # one bin width: at least 1,000 bins on [0, 1]
                assert abs(m.value - exact) <= m.error_bound


def test_bank_top_fraction_cutoffs_follow_the_histogram_rule(bank_scored, bank_result):
    scores = np.sort(bank_scored["score"].to_numpy())[::-1]
    rates = _metric(bank_result, "selection_rate_at")
    rates = [m for m in rates if m.cutoff_kind == "top_fraction"]
    assert {m.top_fraction for m in rates} == {0.1, 0.2, 0.3}
    for q in (0.1, 0.2, 0.3):
        m = next(r for r in rates if r.top_fraction == q)
        kth = scores[math.ceil(q * len(scores)) - 1]
        assert m.cutoff <= kth < m.cutoff + 1e-3  # the bin of the k-th highest score
        share = float(np.mean(scores >= m.cutoff))
        assert m.selected_share == pytest.approx(share, abs=1e-12)
        in_bin = float(np.mean((scores >= m.cutoff) & (scores < m.cutoff + 1e-3)))
        assert q <= m.selected_share < q + in_bin + 1e-12


def test_bank_selection_rates_and_ratios_at_cutoffs(bank_scored, bank_result):
    ref = bank_result.metrics.reference_groups
    rates = _estimated(bank_result, "selection_rate_at")
    ratios = _estimated(bank_result, "disparate_impact_at")
    assert {m.cutoff_kind for m in rates} == {"top_fraction", "threshold"}
    assert {m.cutoff for m in rates if m.cutoff_kind == "threshold"} == {0.5, 0.25}
    by_key = {}
    for m in rates:
        g = bank_scored[_rows(bank_scored, m.feature, m.group)]
        x = int((g["score"] >= m.cutoff).sum())
        assert m.value == pytest.approx(x / len(g), abs=1e-12)
        lo, hi = proportion_confint(x, len(g), alpha=0.05, method="wilson")
        assert (m.ci_low, m.ci_high) == pytest.approx((lo, hi), abs=1e-9)
        by_key[(m.feature, m.group, m.cutoff)] = (x, len(g))
    assert ratios
    for m in ratios:
        assert m.reference == ref[m.feature]["group"]
        x1, n1 = by_key[(m.feature, m.group, m.cutoff)]
        x2, n2 = by_key[(m.feature, m.reference, m.cutoff)]
        assert m.value == pytest.approx((x1 / n1) / (x2 / n2), rel=1e-12)
        lo, hi = confint_proportions_2indep(x1, n1, x2, n2, compare="ratio", method="log")
        assert (m.ci_low, m.ci_high) == pytest.approx((lo, hi), rel=1e-9)


def test_bank_aggregates_state_their_coverage(bank_scored, bank_result):
    aucs = {(m.feature, m.group): m.value for m in _estimated(bank_result, "roc_auc")}
    for m in _metric(bank_result, "auc_difference"):
        covered = {g: v for (f, g), v in aucs.items() if f == m.feature}
        assert m.n_groups == len(covered)
        assert m.value == pytest.approx(max(covered.values()) - min(covered.values()), abs=1e-15)
        assert covered[m.group] == min(covered.values())
        assert covered[m.reference] == max(covered.values())
        assert m.ci_low < m.value < m.ci_high
        small = bank_result.metrics.small_groups[m.feature]
        assert {g for g, _ in m.left_out} == set(small)
    eces = {(m.feature, m.group): m.value for m in _estimated(bank_result, "ece")}
    for m in _metric(bank_result, "calibration_difference"):
        covered = [v for (f, _), v in eces.items() if f == m.feature]
        assert m.n_groups == len(covered)
        assert m.value == pytest.approx(max(covered) - min(covered), abs=1e-15)


# --- synthetic data ---------------------------------------------------------------------


def _synthetic(n: int = 20000, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b", "c", "d"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    h = rng.choice(["x", "y"], size=n)
    shift = pd.Series(g).map({"a": 0.0, "b": 0.4, "c": -0.3, "d": 0.8}).to_numpy()
    logit = rng.normal(0, 1.3, n) + shift - 1
    y = (rng.random(n) < 1 / (1 + np.exp(-(logit + rng.normal(0, 0.7, n))))).astype(int)
    return pd.DataFrame(
        {"g": g, "h": h, "y": y, "logit": logit, "p": 1 / (1 + np.exp(-logit)),
         "w": rng.integers(1, 4, n).astype(float)}
    )  # fmt: skip


@pytest.fixture(scope="module")
def synth() -> pd.DataFrame:
    return _synthetic()


@pytest.mark.parametrize("kind", ["probability", "logit", "score"])
def test_synthetic_auc_matches_sklearn_for_every_score_kind(synth, kind):
    col = "p" if kind == "probability" else "logit"
    result = fairmark.audit(
        synth, y_true="y", score=col, top_k=0.2, sensitive_features=["g", "h"], score_kind=kind
    )
    rows = _estimated(result, "roc_auc")
    assert len(rows) == 4 + 2 + 8
    for m in rows:
        g = synth[_rows(synth, m.feature, m.group)]
        exact = roc_auc_score(g["y"], g[col])
        assert abs(m.value - exact) <= min(AUC_TOL, m.error_bound + 1e-12)
    has_ece = bool(_metric(result, "ece"))
    assert has_ece == (kind != "score")
    assert bool(_metric(result, "calibration_difference")) == (kind != "score")


def test_synthetic_logit_calibration_uses_the_logistic_function(synth):
    result = fairmark.audit(
        synth, y_true="y", score="logit", top_k=0.2, sensitive_features="g", score_kind="logit"
    )
    for m in _estimated(result, "ece"):
        g = synth[_rows(synth, m.feature, m.group)]
        prob = 1 / (1 + np.exp(-g["logit"].to_numpy()))
        prob_true, prob_pred = calibration_curve(g["y"], prob, n_bins=10)
        assert [c.fraction_positive for c in m.curve] == pytest.approx(prob_true, abs=1e-12)
        assert [c.mean_predicted for c in m.curve] == pytest.approx(prob_pred, abs=1e-12)
    width = (synth["logit"].max() - synth["logit"].min()) / 1000  # widest allowed bin
    for m in _estimated(result, "wasserstein"):  # in logit units
        a = synth.loc[_rows(synth, "g", m.group), "logit"]
        b = synth.loc[_rows(synth, "g", m.reference), "logit"]
        assert m.error_bound <= width * (1 + 1e-12)  # one bin: at least 1,000 bins
        assert abs(m.value - wasserstein_distance(a, b)) <= m.error_bound


def test_synthetic_weighted_metrics_match_sklearn_with_sample_weight(synth):
    result = fairmark.audit(
        synth, y_true="y", score="p", top_k=0.2, sensitive_features="g", sample_weight="w",
        cutoffs=[0.3],
    )  # fmt: skip
    for m in _estimated(result, "roc_auc"):
        g = synth[_rows(synth, "g", m.group)]
        exact = roc_auc_score(g["y"], g["p"], sample_weight=g["w"])
        assert abs(m.value - exact) <= min(AUC_TOL, m.error_bound + 1e-12)
        assert m.ci_low is None  # no DeLong interval for weighted data
    for m in _estimated(result, "ece"):
        g = synth[_rows(synth, "g", m.group)]
        ids = np.clip(np.floor(g["p"] * 10).astype(int), 0, 9)
        tab = pd.DataFrame({"k": ids, "w": g["w"], "wy": g["w"] * g["y"], "wp": g["w"] * g["p"]})
        s = tab.groupby("k").sum()
        ece = float((s["w"] / s["w"].sum() * (s["wy"] / s["w"] - s["wp"] / s["w"]).abs()).sum())
        assert m.value == pytest.approx(ece, abs=1e-12)
    for m in [r for r in _estimated(result, "selection_rate_at") if r.cutoff_kind == "threshold"]:
        g = synth[_rows(synth, "g", m.group)]
        expected = g.loc[g["p"] >= 0.3, "w"].sum() / g["w"].sum()
        assert m.value == pytest.approx(expected, abs=1e-12)


def test_synthetic_ks_matches_scipy_within_the_binning_error(synth):
    result = fairmark.audit(synth, y_true="y", score="p", top_k=0.2, sensitive_features="g")
    rows = _estimated(result, "ks")
    assert len(rows) == 3  # every group but the reference
    for m in rows:
        a = synth.loc[_rows(synth, "g", m.group), "p"]
        b = synth.loc[_rows(synth, "g", m.reference), "p"]
        exact = ks_2samp(a, b).statistic
        assert m.value <= exact + 1e-12 <= m.value + m.error_bound + 2e-12
