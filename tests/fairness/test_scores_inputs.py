"""Score metrics on awkward input: one-class groups, missing scores, bad ranges, score kinds.

Also the end-to-end contract: ``fairmark.audit(..., score=..., top_k=...)`` puts
``score_metrics[]`` in ``to_dict()``, the document serialises with ``allow_nan=False``,
and the score checks are judged by a policy.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import fairmark
from fairmark.engine.histogram import MAX_BINS, MIN_BINS, build_score_histogram, choose_n_bins
from fairmark.engine.source import as_table
from fairmark.errors import DataError, UsageError
from fairmark.fairness.spec import AuditSpec


def _frame(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(["a", "b", "c"], [n // 2, n // 4, n // 4])
    y = (rng.random(n) < 0.35).astype(int)
    y[g == "c"] = 0  # group c: no positives at all
    s = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1)
    return pd.DataFrame({"g": g, "y": y, "s": s})


def _rows(result, metric: str, **where):
    return [
        m
        for m in result.metrics.score_metrics
        if m.metric == metric and all(getattr(m, k) == v for k, v in where.items())
    ]


def test_single_class_group_has_undefined_auc_and_is_left_out_of_the_gap():
    frame = _frame()
    result = fairmark.audit(frame, y_true="y", score="s", top_k=0.2, sensitive_features="g")
    (c,) = _rows(result, "roc_auc", group="c")
    assert c.value is None and c.reason == "single_class" and c.n == 100
    (gap,) = _rows(result, "auc_difference")
    aucs = {
        k: roc_auc_score(frame.loc[frame.g == k, "y"], frame.loc[frame.g == k, "s"])
        for k in ("a", "b")
    }
    assert gap.n_groups == 2 and gap.left_out == (("c", "single_class"),)
    assert gap.value == pytest.approx(abs(aucs["a"] - aucs["b"]), abs=1e-3)
    (ece_c,) = _rows(result, "ece", group="c")
    assert ece_c.value is not None  # calibration is defined with one class
    (measured,) = [m for m in result.measurements if m.check_id == "fairness.auc_difference"]
    assert "covers 2 groups" in measured.detail and "c (single_class)" in measured.detail


def test_nan_and_null_scores_are_counted_per_group_and_left_out_of_the_metrics(tmp_path):
    frame = _frame()
    frame.loc[[0, 1, 2], "s"] = np.nan  # group a
    frame.loc[[250], "s"] = np.nan  # group b
    path = tmp_path / "scores.parquet"
    frame.to_parquet(path)  # Parquet keeps NaN as NaN (not NULL) for DuckDB
    for data in (frame, str(path)):
        result = fairmark.audit(data, y_true="y", score="s", top_k=0.2, sensitive_features="g")
        missing = {m.group: m.value for m in _rows(result, "missing_scores")}
        assert missing == {"a": 3.0, "b": 1.0, "c": 0.0}
        (a,) = _rows(result, "roc_auc", group="a")
        kept = frame[(frame.g == "a") & frame.s.notna()]
        assert a.n == len(kept) == 197
        assert a.value == pytest.approx(roc_auc_score(kept.y, kept.s), abs=1e-9)
        doc = result.to_dict(disclosure_control=False)  # 4 rows left out: fewer than k
        assert doc["summary"]["excluded_reasons"]["missing_decision"] == 4


def test_probability_scores_outside_zero_one_are_refused_with_the_range_and_a_hint():
    frame = _frame()
    frame.loc[5, "s"] = 1.2
    frame.loc[7, "s"] = -0.5
    with pytest.raises(DataError) as info:
        fairmark.audit(
            frame, y_true="y", score="s", top_k=0.2, sensitive_features="g",
            score_kind="probability",
        )  # fmt: skip
    assert str(info.value) == (
        "score column 's' has values outside [0, 1] (min -0.5, max 1.2); "
        "pass score_kind='logit' or 'score'"
    )


def test_logit_kind_accepts_any_finite_score_and_infinite_scores_are_refused():
    frame = _frame()
    frame["logit"] = np.log(frame.s.clip(1e-6, 1 - 1e-6) / (1 - frame.s.clip(1e-6, 1 - 1e-6)))
    result = fairmark.audit(
        frame, y_true="y", score="logit", top_k=0.2, sensitive_features="g", score_kind="logit"
    )
    (a,) = _rows(result, "roc_auc", group="a")
    sub = frame[frame.g == "a"]
    assert a.value == pytest.approx(roc_auc_score(sub.y, sub.logit), abs=1e-9)
    frame.loc[3, "logit"] = np.inf
    with pytest.raises(DataError, match=r"score column 'logit' has infinite values"):
        fairmark.audit(frame, y_true="y", score="logit", top_k=0.2, sensitive_features="g",
                       score_kind="logit")  # fmt: skip


def test_score_kind_score_has_no_calibration():
    frame = _frame()
    frame["rank"] = frame.s * 100 - 20
    result = fairmark.audit(
        frame, y_true="y", score="rank", top_k=0.2, sensitive_features="g", score_kind="score"
    )
    metrics = {m.metric for m in result.metrics.score_metrics}
    assert "roc_auc" in metrics and "ks" in metrics
    assert not metrics & {"ece", "calibration_difference"}
    assert not [m for m in result.measurements if m.check_id == "fairness.calibration_difference"]


def test_small_groups_are_not_estimated_and_show_no_count():
    frame = _frame()
    extra = pd.DataFrame({"g": ["d"] * 5, "y": [1, 0, 1, 0, 0], "s": [0.9, 0.1, 0.8, 0.2, 0.3]})
    result = fairmark.audit(
        pd.concat([frame, extra]), y_true="y", score="s", top_k=0.2, sensitive_features="g"
    )
    rows = [m for m in result.metrics.score_metrics if m.group == "d"]
    assert {m.metric for m in rows} >= {"roc_auc", "ece", "missing_scores", "ks", "wasserstein",
                                        "selection_rate_at", "disparate_impact_at"}  # fmt: skip
    assert all(m.value is None and m.n is None for m in rows)
    assert {m.reason for m in rows} == {"below_min_group_size"}


def test_reference_group_is_the_audits():
    frame = _frame()
    result = fairmark.audit(
        frame, y_true="y", score="s", top_k=0.2, sensitive_features="g",
        reference_groups={"g": "b"},
    )  # fmt: skip
    refs = {m.reference for m in _rows(result, "ks")} | {
        m.reference for m in _rows(result, "disparate_impact_at")
    }
    assert refs == {"b"}
    assert {m.group for m in _rows(result, "ks")} == {"a", "c"}


def test_threshold_cutoffs_are_exact():
    frame = _frame()
    frame.loc[:9, "s"] = 0.5  # ties exactly at the threshold are selected (score >= cutoff)
    result = fairmark.audit(
        frame, y_true="y", score="s", top_k=0.2, sensitive_features="g", cutoffs=[0.5]
    )
    for m in _rows(result, "selection_rate_at", cutoff_kind="threshold"):
        sub = frame[frame.g == m.group]
        assert m.value == (sub.s >= 0.5).mean()
        assert m.selected_share == (frame.s >= 0.5).mean()


def test_zero_reference_rate_gives_an_infinite_ratio_with_a_reason():
    n = 200
    frame = pd.DataFrame({"g": ["a"] * n + ["b"] * n, "y": [0, 1] * n, "s": [0.1] * n + [0.9] * n})
    result = fairmark.audit(
        frame, y_true="y", score="s", top_k=0.5, sensitive_features="g",
        reference_groups={"g": "a"}, cutoffs=[0.95],
    )  # fmt: skip
    (top,) = _rows(result, "disparate_impact_at", top_fraction=0.3)
    assert top.value == math.inf and top.reason == "reference_rate_zero"
    (none,) = _rows(result, "disparate_impact_at", cutoff_kind="threshold")
    assert none.value is None and none.reason == "no_selections"


def test_end_to_end_document_and_policy(tmp_path):
    frame = _frame()
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "id: scores\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\nrules:\n"
        "  - id: auc-gap\n    check: fairness.auc_difference\n    max: 0.05\n"
        "    severity: block\n    principle: fairness\n    rationale: test\n"
        "  - id: calibration-gap\n    check: fairness.calibration_difference\n"
        "    max: 0.5\n    severity: warn\n    principle: fairness\n    rationale: test\n"
    )
    result = fairmark.audit(
        frame, y_true="y", score="s", top_k=0.2, sensitive_features="g", policy=policy
    )
    doc = result.to_dict()
    back = json.loads(json.dumps(doc, allow_nan=False))
    items = back["score_metrics"]
    assert {i["metric"] for i in items} == {
        "roc_auc", "ece", "missing_scores", "ks", "wasserstein", "selection_rate_at",
        "disparate_impact_at", "auc_difference", "calibration_difference",
    }  # fmt: skip
    for item in items:
        assert {"feature", "group", "metric", "value", "reason", "ci_low", "ci_high"} <= set(item)
        if item["metric"] in {"auc_difference", "calibration_difference"}:
            assert "n_groups" in item and "left_out" in item
        if item["metric"].endswith("_at"):
            assert {"cutoff", "cutoff_kind", "top_fraction", "selected_share"} <= set(item)
    (ece_a,) = [i for i in items if i["metric"] == "ece" and i["group"] == "a"]
    assert ece_a["curve"] and set(ece_a["curve"][0]) == {
        "lower", "upper", "share", "mean_predicted", "fraction_positive"
    }  # fmt: skip

    rules = {r.rule_id: r for r in result.outcome.rules}
    gap = next(m for m in result.metrics.score_metrics if m.metric == "auc_difference")
    assert rules["auc-gap"].n_findings == 1
    assert rules["auc-gap"].verdict == ("pass" if gap.value <= 0.05 else "fail")
    assert rules["calibration-gap"].verdict == "pass"
    (finding,) = [f for f in doc["findings"] if f["rule_id"] == "auc-gap"]
    assert finding["value"] == pytest.approx(gap.value)


def test_histogram_usage_errors():
    frame = _frame()
    source = as_table(frame)
    spec = AuditSpec.build(y_true="y", positive_label=1, score="s", top_k=0.2,
                           sensitive_features="g")  # fmt: skip
    with pytest.raises(UsageError, match="n_bins must be a whole number >= 1000"):
        build_score_histogram(source, spec, n_bins=999)
    no_score = AuditSpec.build(y_true="y", positive_label=1, y_pred="y", sensitive_features="g")
    with pytest.raises(UsageError, match="need a score column"):
        build_score_histogram(source, no_score)
    frame["t"] = frame.s.astype(str)
    text = AuditSpec.build(y_true="y", positive_label=1, score="t", top_k=0.2,
                           sensitive_features="g")  # fmt: skip
    with pytest.raises(DataError, match="score column 't' has type string; expected numbers"):
        build_score_histogram(as_table(frame), text)


def test_histogram_counts_every_row_and_keys_clash_free():
    # a sensitive feature called "bin" and one called "n" must not clash with the statistics
    frame = _frame().rename(columns={"g": "bin"})
    frame["n"] = np.where(frame.index % 2 == 0, "even", "odd")
    frame.loc[[0, 1], "s"] = np.nan
    frame.loc[[2], "y"] = np.nan
    spec = AuditSpec.build(y_true="y", positive_label=1, score="s", top_k=0.2,
                           sensitive_features=["bin", "n"])  # fmt: skip
    hist = build_score_histogram(as_table(frame), spec)
    assert hist.frame["n"].sum() == len(frame)
    assert list(hist.cells.columns) == ["bin", "n"]
    assert hist.frame.loc[hist.frame["bin"] == -1, "n"].sum() == 2
    assert hist.frame.loc[hist.frame["label"] == -1, "n"].sum() == 1
    by_cell = hist.frame.groupby([hist.cells["bin"], hist.cells["n"]])["n"].sum()
    expected = frame.groupby(["bin", "n"]).size()
    assert by_cell.sort_index().tolist() == expected.sort_index().tolist()


def test_choose_n_bins():
    assert choose_n_bins(24, 8000) == MAX_BINS  # small data: the finest bins cost nothing
    assert choose_n_bins(900, 10_000_000) == MIN_BINS  # 1e6 // 1800 < 1000
    assert choose_n_bins(10, 10_000_000) == 12_500  # 250,000 rows // (2 · 10 cells)
    with pytest.raises(UsageError):
        choose_n_bins(0)


def test_groups_with_a_wide_auc_bound_are_binned_again(monkeypatch):
    # Pretend the data is large: 1,000 bins first, then the refinement pass.
    import fairmark.engine.histogram as histogram
    import fairmark.fairness.scores as scores

    monkeypatch.setattr(histogram, "ROW_BUDGET", 2_000)
    monkeypatch.setattr(scores, "ROW_BUDGET", 2_000)
    rng = np.random.default_rng(8)
    n = 6000
    frame = pd.DataFrame({"g": rng.choice(list("abcdefghij"), n), "h": rng.choice(list("xyz"), n)})
    frame["y"] = (rng.random(n) < 0.3).astype(int)
    frame["s"] = np.clip(0.4 + 0.03 * frame.y + rng.normal(0, 0.03, n), 0, 1)  # narrow range
    kwargs = dict(y_true="y", score="s", top_k=0.2, sensitive_features=["g", "h"])
    coarse_spec = AuditSpec.build(positive_label=1, **kwargs)
    result = fairmark.audit(frame, **kwargs)
    from fairmark.fairness.scores import score_metrics_from_histogram

    coarse = score_metrics_from_histogram(
        build_score_histogram(as_table(frame), coarse_spec, n_bins=1000), coarse_spec,
        result.metrics,
    )  # fmt: skip
    wide = {(m.feature, m.group) for m in coarse
            if m.metric == "roc_auc" and m.value is not None and m.error_bound > 1e-3}  # fmt: skip
    assert wide  # with 1,000 bins some small groups' bounds exceed 1e-3
    fine = {(m.feature, m.group): m for m in _rows(result, "roc_auc") if m.value is not None}
    refined = [k for k in wide if fine[k].error_bound < 1e-3]
    assert refined
    for feature, group in refined:
        m = fine[(feature, group)]
        mask = np.ones(n, dtype=bool)
        for f, level in zip(feature.split(" & "), group.split(" & "), strict=True):
            mask &= frame[f].to_numpy() == level
        exact = roc_auc_score(frame.y[mask], frame.s[mask])
        assert abs(m.value - exact) <= m.error_bound + 1e-12


@pytest.mark.parametrize(("scale", "expected"), [(1.0, "probability"), (10.0, "score")])
def test_auto_score_kind_resolves_from_the_observed_range(scale, expected):
    # AuditSpec does not accept "auto" yet; the histogram already does (a spec-like object).
    from types import SimpleNamespace

    frame = _frame()
    frame["s"] = frame.s * scale
    spec = AuditSpec.build(y_true="y", positive_label=1, score="s", top_k=0.2,
                           sensitive_features="g")  # fmt: skip
    auto = SimpleNamespace(**{k: getattr(spec, k) for k in (
        "score", "y_true", "positive_label", "sample_weight", "sensitive_features", "cutoffs"
    )}, score_kind="auto")  # fmt: skip
    hist = build_score_histogram(as_table(frame), auto)
    assert hist.score_kind == expected
    assert (hist.lo, hist.hi) == ((0.0, 1.0) if expected == "probability"
                                  else (frame.s.min(), frame.s.max()))  # fmt: skip
    assert (hist.frame["cal"] >= 0).any() == (expected == "probability")
