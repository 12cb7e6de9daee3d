"""Outcome metrics on awkward data: bad columns, missing values, small and empty groups."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import fairmark
from fairmark.checks import get_check
from fairmark.errors import DataError
from fairmark.policy import evaluate, load_policy

KW = {"y_true": "y", "y_pred": "sel", "sensitive_features": "g"}


def frame(groups: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for g, values in groups.items():
        for i, v in enumerate(values):
            rows.append({"g": g, "y": i % 2, "sel": int(i % 3 == 0), "v": v})
    return pd.DataFrame(rows)


def rows_by_key(result) -> dict[tuple[str, str], dict]:
    # the computation on tiny data: the complete document (no small-cell suppression)
    doc = result.to_dict(disclosure_control=False)
    return {(m["group"], m["metric"]): m for m in doc["outcome_metrics"]}


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        (["10", "20"], "type string; expected numbers"),
        ([True, False], "type boolean; expected numbers"),
    ],
)
def test_non_numeric_outcome_is_a_one_line_data_error(values, needle):
    df = frame({"a": [1.0] * 4, "b": [2.0] * 4})
    df["v"] = [values[i % 2] for i in range(len(df))]
    with pytest.raises(DataError, match=needle) as err:
        fairmark.audit(df, **KW, outcome="v", min_group_size=1)
    assert "\n" not in str(err.value) and "'v'" in str(err.value)


def test_missing_outcome_column_lists_the_columns():
    df = frame({"a": [1.0] * 4, "b": [2.0] * 4})
    expected = r"outcome column 'offer' not found; available columns: g, y"
    with pytest.raises(DataError, match=expected):
        fairmark.audit(df, **KW, outcome="offer", min_group_size=1)


def test_infinite_values_are_refused():
    df = frame({"a": [1.0, math.inf, 2.0, 3.0], "b": [2.0] * 4})
    with pytest.raises(DataError, match="1 infinite values; expected finite numbers"):
        fairmark.audit(df, **KW, outcome="v", min_group_size=1)


def test_missing_values_are_counted_not_dropped(tmp_path):
    df = frame({"a": [1.0, np.nan, 3.0, np.nan, 5.0], "b": [2.0, 4.0, 6.0, 8.0]})
    path = tmp_path / "offers.parquet"
    df.to_parquet(path)  # Parquet keeps NaN as NaN, not NULL: both count as missing
    rows = rows_by_key(fairmark.audit(str(path), **KW, outcome="v", min_group_size=1))
    assert rows[("a", "outcome_n")]["value"] == 3
    assert rows[("a", "outcome_n_missing")]["value"] == 2
    assert rows[("a", "outcome_mean")]["value"] == 3.0
    assert rows[("b", "outcome_n_missing")]["value"] == 0


def test_small_groups_are_not_estimated_but_count_in_totals():
    df = frame({"a": [10.0] * 40, "b": [20.0] * 40, "c": [30.0] * 5})
    rows = rows_by_key(fairmark.audit(df, **KW, outcome="v"))  # min_group_size 30
    for metric in (
        "outcome_n",
        "outcome_n_missing",
        "outcome_mean",
        "value_share",
        "mean_outcome_ratio",
    ):
        assert rows[("c", metric)]["value"] is None
        assert rows[("c", metric)]["reason"] == "below_min_group_size"
    total = 40 * 10.0 + 40 * 20.0 + 5 * 30.0
    assert math.isclose(rows[("a", "value_share")]["value"], 400.0 / total, rel_tol=1e-12)
    assert math.isclose(rows[("a", "population_share")]["value"], 40 / 85, rel_tol=1e-12)


def test_a_group_without_values_and_a_reference_without_values():
    df = frame({"a": [np.nan] * 6, "b": [2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    r = fairmark.audit(df, **KW, outcome="v", min_group_size=1, reference_groups={"g": "a"})
    rows = rows_by_key(r)
    assert rows[("a", "outcome_n")]["value"] == 0
    assert rows[("a", "outcome_n_missing")]["value"] == 6
    assert rows[("a", "outcome_mean")]["reason"] == "no_outcome_values"
    assert rows[("b", "mean_outcome_difference")]["reason"] == "not_estimable"
    assert rows[("b", "mean_outcome_difference")]["reference"] == "a"


def test_declared_empty_category_level():
    df = frame({"a": [1.0, 2.0, 3.0], "b": [2.0, 3.0, 4.0]})
    df["g"] = pd.Categorical(df["g"], categories=["a", "b", "z"])
    rows = rows_by_key(fairmark.audit(df, **KW, outcome="v", min_group_size=1))
    assert rows[("z", "outcome_n")]["value"] == 0
    assert rows[("z", "outcome_mean")]["reason"] == "empty_group"


def test_zero_total_and_zero_reference_mean():
    df = frame({"a": [0.0] * 6, "b": [0.0] * 6})
    rows = rows_by_key(
        fairmark.audit(df, **KW, outcome="v", min_group_size=1, reference_groups={"g": "a"})
    )
    assert rows[("b", "value_share")]["reason"] == "zero_total"
    ratio = rows[("b", "mean_outcome_ratio")]
    assert ratio["value"] is None and ratio["reason"] == "reference_rate_zero"
    df = frame({"a": [0.0] * 6, "b": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]})
    rows = rows_by_key(
        fairmark.audit(df, **KW, outcome="v", min_group_size=1, reference_groups={"g": "a"})
    )
    assert rows[("b", "mean_outcome_ratio")]["value"] == "inf"
    assert rows[("b", "mean_outcome_ratio")]["reason"] == "reference_rate_zero"
    assert rows[("b", "mean_outcome_difference")]["value"] == 2.0


def test_checks_measure_the_rows_and_a_policy_judges_them(tmp_path):
    df = frame({"a": [100.0 + i for i in range(40)], "b": [60.0 + i for i in range(40)]})
    r = fairmark.audit(df, **KW, outcome="v", reference_groups={"g": "a"})
    ratio = get_check("fairness.mean_outcome_ratio").measure(r.metrics)
    gap = get_check("fairness.value_share_gap").measure(r.metrics)
    assert [(m.group, m.reference) for m in ratio] == [("b", "a")]
    assert math.isclose(ratio[0].value, 79.5 / 119.5, rel_tol=1e-12)
    assert ratio[0].ci_low < ratio[0].value < ratio[0].ci_high
    total = sum(100.0 + i for i in range(40)) + sum(60.0 + i for i in range(40))
    expected_gap = sum(60.0 + i for i in range(40)) / total - 0.5
    assert math.isclose({m.group: m.value for m in gap}["b"], expected_gap, rel_tol=1e-12)
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "id: offers\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\nrules:\n"
        "  - id: offer-ratio\n    check: fairness.mean_outcome_ratio\n    min: 0.8\n"
        "    severity: block\n    principle: fairness\n    rationale: equal offers\n"
    )
    outcome = evaluate(load_policy(policy), [*ratio, *gap], run_kind="audit")
    assert outcome.verdict == "fail"
    assert "0.67" in outcome.findings[0].message
