"""``outcome_metrics[]`` of an audit, against pandas group-bys, scipy and statsmodels."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

import fairmark
from fairmark.fairness.outcome_result import OUTCOME_METRICS

TOL = 1e-9


def rows_by_key(result) -> dict[tuple[str, str, str], dict]:
    """``(feature, group, metric) -> outcome_metrics[] object`` of an audit."""
    # the computation, not the publication: the complete document (no small-cell suppression)
    doc = result.to_dict(disclosure_control=False)
    return {(m["feature"], m["group"], m["metric"]): m for m in doc["outcome_metrics"]}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 900
    df = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east"], n, p=[0.5, 0.3, 0.2]),
            "age": rng.choice(["young", "old"], n),
            "y": rng.integers(0, 2, n),
            "sel": rng.integers(0, 2, n),
        }
    )
    base = df["region"].map({"north": 50.0, "south": 42.0, "east": 30.0})
    df["offer"] = base + rng.gamma(2.0, 6.0, n)
    df.loc[rng.choice(n, 25, replace=False), "offer"] = np.nan
    return df


@pytest.fixture(scope="module")
def result(frame):
    return fairmark.audit(
        frame,
        y_true="y",
        y_pred="sel",
        sensitive_features=["region", "age"],
        outcome="offer",
        reference_groups={"region": "north"},
        confidence_level=0.9,
    )


def test_every_group_gets_every_metric(result):
    doc = result.to_dict()
    json.dumps(doc, allow_nan=False)
    refs = {f: r["group"] for f, r in doc["summary"]["reference_groups"].items()}
    assert refs["region"] == "north"
    per_group: dict[tuple[str, str], list[str]] = {}
    for m in doc["outcome_metrics"]:
        per_group.setdefault((m["feature"], m["group"]), []).append(m["metric"])
    assert list(per_group) == [(g["feature"], g["group"]) for g in doc["groups"]]
    for (feature, group), metrics in per_group.items():
        expected = [k for k in OUTCOME_METRICS if not k.startswith("mean_outcome")]
        if group != refs[feature]:
            expected += ["mean_outcome_difference", "mean_outcome_ratio"]
        assert metrics == expected, (feature, group)


def test_group_numbers_match_pandas_and_scipy(frame, result):
    rows = rows_by_key(result)
    valid = frame.dropna(subset=["offer"])
    total = valid["offer"].sum()
    for region, part in frame.groupby("region"):
        x = part["offer"].dropna().to_numpy()
        key = ("region", region)
        assert rows[(*key, "outcome_n")]["value"] == len(x)
        assert rows[(*key, "outcome_n_missing")]["value"] == part["offer"].isna().sum()
        mean = rows[(*key, "outcome_mean")]
        assert math.isclose(mean["value"], x.mean(), rel_tol=TOL)
        ci = stats.ttest_1samp(x, 0.0).confidence_interval(0.9)
        assert math.isclose(mean["ci_low"], ci.low, rel_tol=TOL)
        assert math.isclose(mean["ci_high"], ci.high, rel_tol=TOL)
        assert mean["ci_method"] == "student_t"
        assert math.isclose(rows[(*key, "outcome_total")]["value"], x.sum(), rel_tol=TOL)
        share = rows[(*key, "population_share")]
        assert math.isclose(share["value"], len(x) / len(valid), rel_tol=TOL)
        lo, hi = proportion_confint(len(x), len(valid), alpha=0.1, method="wilson")
        assert math.isclose(share["ci_low"], lo, rel_tol=1e-9)
        assert math.isclose(share["ci_high"], hi, rel_tol=1e-9)
        vshare = rows[(*key, "value_share")]["value"]
        assert math.isclose(vshare, x.sum() / total, rel_tol=TOL)
        gap = rows[(*key, "value_share_gap")]["value"]
        assert math.isclose(gap, x.sum() / total - len(x) / len(valid), rel_tol=1e-9, abs_tol=1e-12)


def test_medians_are_close_to_exact(frame, result):
    """The engine's median is approximate: within the 45th-55th percentile of the group."""
    rows = rows_by_key(result)
    for region, part in frame.groupby("region"):
        x = part["offer"].dropna().to_numpy()
        med = rows[("region", region, "outcome_median")]["value"]
        lo, hi = np.quantile(x, [0.45, 0.55])
        assert lo <= med <= hi, (region, med, np.median(x))


def test_comparisons_match_welch_and_the_ratio_of_means(frame, result):
    rows = rows_by_key(result)
    ref = frame.loc[frame["region"] == "north", "offer"].dropna().to_numpy()
    for region in ("south", "east"):
        x = frame.loc[frame["region"] == region, "offer"].dropna().to_numpy()
        diff = rows[("region", region, "mean_outcome_difference")]
        res = stats.ttest_ind(x, ref, equal_var=False)
        ci = res.confidence_interval(0.9)
        assert diff["reference"] == "north" and diff["ci_method"] == "welch"
        assert math.isclose(diff["value"], x.mean() - ref.mean(), rel_tol=TOL)
        assert math.isclose(diff["ci_low"], ci.low, rel_tol=TOL)
        assert math.isclose(diff["ci_high"], ci.high, rel_tol=TOL)
        assert math.isclose(diff["p_value"], res.pvalue, rel_tol=1e-6, abs_tol=1e-300)
        ratio = rows[("region", region, "mean_outcome_ratio")]
        assert math.isclose(ratio["value"], x.mean() / ref.mean(), rel_tol=TOL)
        rel_x = x.var(ddof=1) / len(x) / x.mean() ** 2
        rel_ref = ref.var(ddof=1) / len(ref) / ref.mean() ** 2
        half = stats.norm.ppf(0.95) * math.sqrt(rel_x + rel_ref)
        point = x.mean() / ref.mean()
        assert math.isclose(ratio["ci_low"], point * math.exp(-half), rel_tol=1e-9)
        assert math.isclose(ratio["ci_high"], point * math.exp(half), rel_tol=1e-9)


def test_holm_adjustment_matches_statsmodels(result):
    rows = result.to_dict()["outcome_metrics"]
    diffs = [m for m in rows if m["metric"] == "mean_outcome_difference"]
    raw = [m["p_value"] for m in diffs if m["p_value"] is not None]
    expected = multipletests(raw, method="holm")[1]
    got = [m["p_value_holm"] for m in diffs if m["p_value"] is not None]
    assert len(raw) >= 3
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_intersection_groups_match_pandas(frame, result):
    rows = rows_by_key(result)
    for (region, age), part in frame.groupby(["region", "age"]):
        x = part["offer"].dropna().to_numpy()
        key = ("region & age", f"{region} & {age}")
        assert rows[(*key, "outcome_n")]["value"] == len(x)
        assert math.isclose(rows[(*key, "outcome_mean")]["value"], x.mean(), rel_tol=TOL)


def test_weighted_outcome_matches_numpy(frame):
    df = frame.copy()
    df["w"] = np.where(df["age"] == "old", 2.5, 1.0)
    r = fairmark.audit(
        df,
        y_true="y",
        y_pred="sel",
        sensitive_features="region",
        outcome="offer",
        sample_weight="w",
        reference_groups={"region": "north"},
    )
    rows = rows_by_key(r)
    valid = df.dropna(subset=["offer"])
    for region, part in valid.groupby("region"):
        x, w = part["offer"].to_numpy(), part["w"].to_numpy()
        key = ("region", region)
        mean = rows[(*key, "outcome_mean")]["value"]
        assert math.isclose(mean, np.average(x, weights=w), rel_tol=TOL)
        assert math.isclose(rows[(*key, "outcome_total")]["value"], (w * x).sum(), rel_tol=TOL)
        pop = rows[(*key, "population_share")]["value"]
        assert math.isclose(pop, w.sum() / valid["w"].sum(), rel_tol=TOL)
        # Student-t interval with the Kish effective n
        n_eff = w.sum() ** 2 / (w**2).sum()
        m = np.average(x, weights=w)
        var = (w * (x - m) ** 2).sum() / w.sum() * n_eff / (n_eff - 1)
        half = stats.t.ppf(0.975, n_eff - 1) * math.sqrt(var / n_eff)
        assert math.isclose(rows[(*key, "outcome_mean")]["ci_low"], m - half, rel_tol=1e-9)


def test_equal_weights_give_the_unweighted_numbers(frame):
    df = frame.copy()
    df["w"] = 4.0
    kw = {"y_true": "y", "y_pred": "sel", "sensitive_features": "region", "outcome": "offer"}
    a = rows_by_key(fairmark.audit(df, **kw, sample_weight="w"))
    b = rows_by_key(fairmark.audit(df, **kw))
    for key, row in b.items():
        if key[2] in {"outcome_total", "outcome_median"} or row["value"] is None:
            continue
        for field in ("value", "ci_low", "ci_high", "p_value"):
            if row[field] is not None:
                assert math.isclose(a[key][field], row[field], rel_tol=1e-9), (key, field)
