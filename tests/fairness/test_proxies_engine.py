"""``fairmark.proxies`` end to end: engine-built tables give the same numbers as pandas,
numpy, scipy and scikit-learn computed on the rows."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from sklearn.metrics import normalized_mutual_info_score

from fairmark.fairness.proxies import proxies

MISSING = "(missing)"


def campaign(n: int = 3000, seed: int = 1) -> pd.DataFrame:
    """Customers with every kind of candidate feature and a sensitive ``sex``."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["f", "m"], size=n, p=[0.45, 0.55]).astype(object)
    sex[rng.random(n) < 0.02] = None  # a few unknown: the group "(missing)"
    is_f = sex == "f"
    title = np.where(rng.random(n) < 0.85, np.where(is_f, "Ms", "Mr"), "Dr").astype(object)
    title[rng.random(n) < 0.03] = None
    spend = rng.gamma(2.0, 50.0, size=n) + 30.0 * is_f
    spend[rng.random(n) < 0.05] = np.nan
    signup = pd.Timestamp("2020-01-01") + pd.to_timedelta(
        rng.integers(0, 1500, size=n) + 200 * is_f, unit="D"
    )
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:06d}" for i in range(n)],
            "sex": sex,
            "title": title,
            "region": rng.choice(["north", "south", "east", "west"], size=n),
            "visits": rng.poisson(3 + is_f, size=n),
            "spend": spend,
            "app_user": rng.random(n) < np.where(is_f, 0.6, 0.4),
            "signup": signup,
            "segment": "retail",
            "fee": np.where(rng.random(n) < 0.1, np.nan, 5.0),
        }
    )


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return campaign()


@pytest.fixture(scope="module")
def result(frame: pd.DataFrame):
    return proxies(frame, sensitive_features="sex", exclude="customer_id", joint=False)


def _by_feature(result) -> dict:
    return {a.feature: a for a in result.proxies}


def _label(series: pd.Series) -> pd.Series:
    if series.dtype == bool:
        return series.map({True: "true", False: "false"})
    return series.astype(object).where(series.notna(), MISSING).astype(str)


def _bergsma(table: np.ndarray) -> float:
    """Bias-corrected V from scipy's chi-square (Bergsma 2013, written out here)."""
    chi2 = chi2_contingency(table, correction=False).statistic
    n = table.sum()
    r, k = table.shape
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    return math.sqrt(phi2 / min(k - (k - 1) ** 2 / (n - 1) - 1, r - (r - 1) ** 2 / (n - 1) - 1))


def _eta(x: np.ndarray, g: np.ndarray) -> float:
    total = ((x - x.mean()) ** 2).sum()
    within = sum(((x[g == v] - x[g == v].mean()) ** 2).sum() for v in np.unique(g))
    return math.sqrt(1 - within / total)


@pytest.mark.parametrize("column", ["title", "region", "app_user"])
def test_categorical_association_matches_pandas_crosstab(frame, result, column) -> None:
    table = pd.crosstab(_label(frame[column]), _label(frame["sex"])).to_numpy()
    a = _by_feature(result)[column]
    assert a.measure == "cramers_v" and a.kind == "categorical"
    assert a.association == pytest.approx(_bergsma(table), abs=1e-12)
    assert a.nmi == pytest.approx(
        normalized_mutual_info_score(_label(frame["sex"]), _label(frame[column])), abs=1e-12
    )
    assert a.n_levels == table.shape[0]
    assert a.n_missing == int(frame[column].isna().sum())


@pytest.mark.parametrize("column", ["spend", "visits", "signup"])
def test_numeric_eta_matches_numpy_and_nmi_matches_sklearn(frame, result, column) -> None:
    a = _by_feature(result)[column]
    assert a.measure == "correlation_ratio" and a.kind == "numeric"
    raw = frame[column]
    x = (
        (raw - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy()
        if column == "signup"
        else raw.to_numpy(dtype=float)
    )
    groups = _label(frame["sex"]).to_numpy()
    ok = ~np.isnan(x)
    assert a.association == pytest.approx(_eta(x[ok], groups[ok]), abs=1e-9)
    # NMI on the same quantile bins: bin = number of reported edges below the value
    edges = np.asarray(a.bin_edges)
    assert len(edges) >= 1 and np.all(np.diff(edges) > 0)
    bins = np.where(ok, np.searchsorted(edges, np.nan_to_num(x), side="left"), -1)
    assert a.nmi == pytest.approx(normalized_mutual_info_score(groups, bins), abs=1e-12)
    assert a.n_levels == len(np.unique(bins))


def test_quantile_bins_are_roughly_equal_sized(frame, result) -> None:
    a = _by_feature(result)["spend"]
    x = frame["spend"].dropna().to_numpy()
    shares = np.bincount(np.searchsorted(a.bin_edges, x, side="left")) / len(x)
    assert len(shares) == 10
    assert np.all(np.abs(shares - 0.1) < 0.02)  # approximate quantiles, 10 bins


def test_constant_features_are_undefined_with_a_reason(result) -> None:
    by = _by_feature(result)
    segment = by["segment"]  # text, one value
    assert (segment.association, segment.nmi, segment.reason) == (None, None, "single_level")
    assert segment.flagged is False
    fee = by["fee"]  # numeric, one value plus missing: eta undefined, missingness measured
    assert (fee.association, fee.reason) == (None, "single_level")
    assert fee.nmi is not None and 0 <= fee.nmi < 0.01
    ranks = [a.feature for a in result.proxies]
    assert set(ranks[-2:]) == {"segment", "fee"}  # undefined last, never dropped


def test_ranking_and_flags(result) -> None:
    values = [a.association for a in result.proxies if a.association is not None]
    assert values == sorted(values, reverse=True)
    assert [a.rank for a in result.proxies] == list(range(1, len(result.proxies) + 1))
    by = _by_feature(result)
    assert result.proxies[0].feature == "title"
    assert by["title"].flagged and by["title"].association > 0.6
    assert not by["region"].flagged
    for a in result.proxies:
        assert a.bound == 0.3
        assert a.flagged == (a.association is not None and a.association > 0.3)
    assert "customer_id" not in by and "sex" not in by


def test_document_is_strict_json_without_group_counts(result) -> None:
    doc = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert doc["kind"] == "proxies"
    item = doc["proxies"][0]
    assert set(item) >= {
        "feature",
        "sensitive_feature",
        "association",
        "measure",
        "nmi",
        "flagged",
        "reason",
    }
    assert doc["redundant_encoding_auc"] == {}
    assert doc["summary"]["n_rows"] == 3000
    assert doc["verdict"] == "warn"  # title is a proxy: a warn rule of the default policy
    flagged = [f for f in doc["findings"] if f["check"] == "fairness.proxy_association"]
    assert {f["group"] for f in flagged if f["verdict"] == "warn"} >= {"title"}
    text = json.dumps(doc)
    assert '"n": ' not in text and "NaN" not in text


def test_declared_categorical_and_row_order(frame) -> None:
    shuffled = frame.sample(frac=1.0, random_state=4).reset_index(drop=True)
    a = proxies(frame, sensitive_features="sex", exclude="customer_id", joint=False,
                categorical=["visits"])  # fmt: skip
    b = proxies(shuffled, sensitive_features="sex", exclude="customer_id", joint=False,
                categorical=["visits"])  # fmt: skip
    visits = _by_feature(a)["visits"]
    assert visits.measure == "cramers_v"
    table = pd.crosstab(frame["visits"], _label(frame["sex"])).to_numpy()
    assert visits.association == pytest.approx(_bergsma(table), abs=1e-12)
    for x, y in zip(a.proxies, b.proxies, strict=True):
        assert x.feature == y.feature
        assert x.association == pytest.approx(y.association, abs=1e-12) or x.association is None


def test_binned_sensitive_feature_and_several_sensitive_features(frame) -> None:
    df = frame.assign(age=np.random.default_rng(2).integers(18, 90, size=len(frame)))
    df["job"] = np.where(df["age"] >= 65, "retired", np.where(df["age"] < 25, "student", "other"))
    r = proxies(df, sensitive_features=["sex", {"column": "age", "bins": "age"}],
                exclude="customer_id", joint=False)  # fmt: skip
    assert r.metrics.sensitive_features == ("sex", "age_band")
    job = next(a for a in r.proxies if a.sensitive_feature == "age_band" and a.feature == "job")
    assert job.rank == 1 and job.flagged
    bands = pd.cut(df["age"], [-np.inf, 25, 35, 45, 55, 65, np.inf], right=False)
    assert job.association == pytest.approx(
        _bergsma(pd.crosstab(df["job"], bands).to_numpy()), abs=1e-12
    )
    assert "age" not in {a.feature for a in r.proxies}  # a sensitive column is no candidate


def test_policy_sets_the_flagging_bound(frame, tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\nversion: '1'\nowner: t\nreview_by: 2099-01-01\nrules:\n"
        "  - id: loose\n    check: fairness.proxy_association\n    max: 0.9\n"
        "    severity: block\n    principle: fairness\n    rationale: test\n"
        "  - id: other-feature\n    check: fairness.proxy_association\n    max: 0.01\n"
        "    scope: {features: [race]}\n    severity: block\n    principle: fairness\n"
        "    rationale: test\n"
        "  - id: audit-rule\n    check: fairness.disparate_impact\n    min: 0.8\n"
        "    severity: block\n    principle: fairness\n    rationale: test\n"
    )
    r = proxies(frame, sensitive_features="sex", exclude="customer_id", joint=False,
                policy=path)  # fmt: skip
    assert r.metrics.bounds == {"sex": 0.9}
    assert not any(a.flagged for a in r.proxies)
    assert [rule.rule_id for rule in r.outcome.rules] == ["loose", "other-feature"]
    # undefined associations (segment, fee) are never a pass: insufficient under block
    assert r.verdict == "insufficient_evidence" and r.exit_code == 1
    strict = tmp_path / "s.yaml"
    strict.write_text(path.read_text().replace("max: 0.9", "max: 0.05"))
    r2 = proxies(frame.drop(columns=["segment", "fee"]), sensitive_features="sex",
                 exclude="customer_id", joint=False, policy=strict)  # fmt: skip
    assert r2.verdict == "fail"
    assert {a.feature for a in r2.flagged} >= {"title", "spend"}


# --- the joint test ---------------------------------------------------------------------


def test_joint_auc_matches_the_binormal_formula() -> None:
    # x ~ N(0, 1) in group a and N(d, 1) in group b: the best classifier's AUC is
    # Phi(d / sqrt(2)) (binormal ROC model; Hanley & McNeil 1982)
    from scipy.stats import norm

    rng = np.random.default_rng(0)
    n, d = 30_000, 1.0
    group = rng.choice(["a", "b"], size=n)
    x = rng.normal(size=n) + d * (group == "b")
    df = pd.DataFrame({"group": group, "x": x, "noise": rng.normal(size=n)})
    r = proxies(df, sensitive_features="group", sample_size=15_000)
    joint = r.metrics.redundant_encoding["group"]
    assert joint.n_sample == 15_000 and joint.n_classes == 2 and joint.groups_left_out == 0
    assert joint.value == pytest.approx(norm.cdf(d / math.sqrt(2)), abs=0.015)
    doc = r.to_dict()["redundant_encoding_auc"]["group"]
    assert doc["model"] == "HistGradientBoostingClassifier" and doc["cv_folds"] == 5


def test_joint_auc_extremes_and_more_than_two_groups() -> None:
    rng = np.random.default_rng(1)
    n = 3000
    group = rng.choice(["a", "b", "c"], size=n)
    df = pd.DataFrame({"group": group, "code": np.char.add("k", group), "noise": rng.random(n)})
    revealing = proxies(df, sensitive_features="group", sample_size=2000).metrics
    assert revealing.redundant_encoding["group"].value == pytest.approx(1.0, abs=1e-9)
    blind = proxies(df.drop(columns="code"), sensitive_features="group", sample_size=2000)
    assert abs(blind.metrics.redundant_encoding["group"].value - 0.5) < 0.05


def test_joint_sample_is_bounded_deterministic_and_order_free(frame) -> None:
    kwargs = dict(sensitive_features="sex", exclude="customer_id", sample_size=500)
    a = proxies(frame, random_state=3, **kwargs).metrics.redundant_encoding["sex"]
    b = proxies(frame.iloc[::-1], random_state=3, **kwargs).metrics.redundant_encoding["sex"]
    c = proxies(frame, random_state=4, **kwargs).metrics.redundant_encoding["sex"]
    assert a.n_sample == 500
    assert a.value == b.value  # the same rows whatever their order
    assert c.value != a.value  # another seed, another sample
    small = proxies(frame.head(300), **{**kwargs, "sample_size": 1000})
    assert small.metrics.redundant_encoding["sex"].n_sample == 300


def test_small_groups_are_left_out_of_the_joint_test(frame) -> None:
    df = frame.copy()
    df.loc[df.index[:8], "sex"] = "x"  # a group of 8: too small to cross-validate
    r = proxies(df, sensitive_features="sex", exclude="customer_id", sample_size=3000)
    joint = r.metrics.redundant_encoding["sex"]
    # groups f, m and (missing) (about 60 rows) remain; x is left out
    assert (joint.n_classes, joint.groups_left_out) == (3, 1)
    one = proxies(df, sensitive_features="sex", exclude="customer_id", sample_size=3000,
                  min_group_size=1500).metrics.redundant_encoding["sex"]  # fmt: skip
    assert (one.value, one.reason, one.n_classes) == (None, "single_group", 1)
    assert one.to_dict()["value"] is None


def test_column_names_that_clash_with_internal_names() -> None:
    rng = np.random.default_rng(9)
    n = 600
    sex = rng.choice(["f", "m"], size=n)
    df = pd.DataFrame(
        {
            "group": sex,  # the sensitive column is called "group"
            "n": np.where(sex == "f", "a", "b"),
            "level": rng.normal(size=n),
            "emp.var rate": rng.choice(["x", "y"], size=n),
        }
    )
    r = proxies(df, sensitive_features="group", sample_size=300)
    by = _by_feature(r)
    assert set(by) == {"n", "level", "emp.var rate"}
    assert by["n"].association == pytest.approx(1.0, abs=1e-2) and by["n"].rank == 1
    assert r.metrics.redundant_encoding["group"].value == pytest.approx(1.0)
