"""The business metric and accuracy: a hand-computed case and scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score, precision_score

from fairmark.mitigate import MitigationResult, mitigate


class ColumnScorer(ClassifierMixin, BaseEstimator):
    """Scores a row by its column ``s`` (a probability); no learning."""

    def fit(self, X: pd.DataFrame, y: np.ndarray, sample_weight: object = None) -> ColumnScorer:
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        s = X["s"].to_numpy(dtype=float)
        return np.column_stack([1 - s, s])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (X["s"].to_numpy(dtype=float) >= 0.5).astype(int)


S = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
Y = [1, 0, 1, 1, 0, 0, 1, 0, 0, 0]
G = ["a", "b"] * 5


def _run(**kwargs: object) -> MitigationResult:
    X = pd.DataFrame({"s": S})
    return mitigate(
        ColumnScorer().fit(X, np.array(Y)), X, pd.Series(Y), X, pd.Series(Y),
        sensitive_train=pd.Series(G, name="g"), sensitive_test=pd.Series(G, name="g"),
        audit_kwargs={"min_group_size": 1}, **kwargs,
    )  # fmt: skip


def test_hand_case_top_four() -> None:
    result = _run(top_fraction=0.4)
    before = result.before
    # top 4 by score: rows 0-3 with labels 1, 0, 1, 1
    assert before.n_selected == 4
    assert before.expected_conversions == 3
    assert before.list_conversion_rate == pytest.approx(0.75)
    # correct: rows 0, 2, 3 (selected, converted) and 4, 5, 7, 8, 9 (not selected, did not)
    assert before.accuracy == pytest.approx(0.8)
    assert before.selection_rate == pytest.approx(0.4)
    # selection by group: a = rows 0, 2 of {0,2,4,6,8} -> 2/5; b = rows 1, 3 -> 2/5
    dpd = before.fairness_value("demographic_parity_difference", "g")
    assert dpd.value == pytest.approx(0.0)
    # TPR: a has positives rows 0, 2, 6 -> 2/3 selected; b has row 3 -> 1/1
    eod = before.fairness_value("equal_opportunity_difference", "g")
    assert eod.value == pytest.approx(1 - 2 / 3)


def test_summary_agrees_with_scikit_learn_on_the_mitigated_list() -> None:
    result = _run(top_fraction=0.4)
    for decisions, summary in (
        (result.before_decisions, result.before),
        (result.after_decisions, result.after),
    ):
        y = np.array(Y)
        assert summary.expected_conversions == int(y[decisions].sum())
        assert summary.accuracy == pytest.approx(accuracy_score(y, decisions))
        if decisions.any():
            assert summary.list_conversion_rate == pytest.approx(precision_score(y, decisions))


def test_table_and_document_are_side_by_side() -> None:
    result = _run(top_fraction=0.4)
    rows = {(r["key"], r["feature"]): r for r in result.table()}
    conv = rows[("expected_conversions", None)]
    assert conv["before"] == 3
    assert conv["change"] == conv["after"] - conv["before"]
    assert rows[("verdict", None)]["before"] == result.before.verdict
    doc = result.to_dict()
    assert set(doc) >= {"before", "after", "tradeoff", "method", "constraint"}
    assert doc["before"]["expected_conversions"] == 3
    assert doc["method"] == "threshold" and doc["constraint"] == "demographic_parity"
    keys = {f["metric"] for f in doc["before"]["fairness"]}
    assert keys == {
        "disparate_impact_min", "demographic_parity_difference",
        "equal_opportunity_difference", "equalized_odds_difference",
    }  # fmt: skip
    import json

    json.loads(result.to_json())  # strict JSON (no NaN)


def test_empty_list_has_undefined_conversion_rate() -> None:
    # every score below 0.5: the model's own decisions select nobody
    X = pd.DataFrame({"s": [0.1] * 10})
    result = mitigate(
        ColumnScorer().fit(X, np.array(Y)), X, pd.Series(Y), X, pd.Series(Y),
        sensitive_train=pd.Series(G, name="g"), sensitive_test=pd.Series(G, name="g"),
        audit_kwargs={"min_group_size": 1},
    )  # fmt: skip
    assert result.before.n_selected == 0
    assert result.before.list_conversion_rate is None
    assert result.before.list_conversion_rate_reason == "no_selections"
