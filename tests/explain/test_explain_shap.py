"""SHAP values add up to the model output and match independent values."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeRegressor

from fairmark.errors import UsageError
from fairmark.explain import global_importance, shap_values


def _data(n: int = 400, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "premium"], size=n),
            "region": rng.choice(["north", "south"], size=n),
            "tenure": rng.integers(0, 120, size=n).astype(float),
            "spend": rng.gamma(2.0, 50.0, size=n),
        }
    )
    logit = (
        -1.0
        + 1.2 * (frame["plan"] == "premium")
        - 0.6 * (frame["region"] == "south")
        + 0.01 * frame["tenure"]
        + 0.004 * frame["spend"]
    )
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return frame, y.to_numpy()


def _pipeline(estimator: object) -> Pipeline:
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan", "region"]),
            ("num", StandardScaler(), ["tenure", "spend"]),
        ]
    )
    return Pipeline([("pre", pre), ("model", estimator)])


def test_linear_additivity_and_hand_computed_values() -> None:
    frame, y = _data()
    model = _pipeline(LogisticRegression(max_iter=1000)).fit(frame, y)
    rows, background = frame.iloc[:25], frame.iloc[100:300]
    sv = shap_values(model, rows, background=background)
    assert sv.output == "log_odds" and sv.method == "shap.LinearExplainer"
    # additivity: base + sum of contributions == decision_function (log-odds), row by row
    np.testing.assert_allclose(
        sv.base_value + sv.values.sum(axis=1), model.decision_function(rows), rtol=0, atol=1e-9
    )
    # independent value: coef_j * (x_j - mean_j) in the transformed space, summed by hand
    pre, lr = model[:-1], model[-1]
    x, mean = pre.transform(rows), pre.transform(background).mean(axis=0)
    per_column = lr.coef_[0] * (x - mean)
    expected = np.column_stack(
        [per_column[:, 0:3].sum(1), per_column[:, 3:5].sum(1), per_column[:, 5], per_column[:, 6]]
    )
    assert sv.features == ("plan", "region", "tenure", "spend")
    np.testing.assert_allclose(sv.values, expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(sv.base_value, lr.intercept_[0] + lr.coef_[0] @ mean, atol=1e-9)


@pytest.mark.parametrize(
    ("estimator", "output"),
    [
        (RandomForestClassifier(n_estimators=20, max_depth=4, random_state=0), "probability"),
        (GradientBoostingClassifier(n_estimators=30, max_depth=2, random_state=0), "log_odds"),
    ],
)
def test_tree_additivity(estimator: object, output: str) -> None:
    frame, y = _data()
    model = _pipeline(estimator).fit(frame, y)
    rows = frame.iloc[:30]
    for background in (None, frame.iloc[200:260]):
        sv = shap_values(model, rows, background=background)
        assert sv.output == output
        truth = (
            model.predict_proba(rows)[:, 1]
            if output == "probability"
            else model.decision_function(rows)
        )
        np.testing.assert_allclose(sv.base_value + sv.values.sum(axis=1), truth, rtol=0, atol=1e-6)
        # one-hot aggregation: per-feature values are the sums of their columns
        np.testing.assert_allclose(sv.values.sum(axis=1), sv.column_values.sum(axis=1), atol=1e-12)


def test_positive_class_zero_flips_the_sign() -> None:
    frame, y = _data()
    model = _pipeline(LogisticRegression(max_iter=1000)).fit(frame, y)
    rows, bg = frame.iloc[:10], frame.iloc[100:200]
    pos = shap_values(model, rows, background=bg)
    neg = shap_values(model, rows, background=bg, positive_class=False)
    np.testing.assert_allclose(neg.values, -pos.values, atol=1e-12)
    np.testing.assert_allclose(neg.model_output, -model.decision_function(rows), atol=1e-12)


def test_regressor_without_pipeline() -> None:
    frame, _ = _data()
    x = frame[["tenure", "spend"]]
    target = 3.0 * x["tenure"] - 0.5 * x["spend"]
    tree = DecisionTreeRegressor(max_depth=4, random_state=0).fit(x, target)
    sv = shap_values(tree, x.iloc[:20])
    assert sv.output == "value" and sv.features == ("tenure", "spend")
    np.testing.assert_allclose(
        sv.base_value + sv.values.sum(1), tree.predict(x.iloc[:20]), atol=1e-6
    )
    lin = LinearRegression().fit(x, target)
    sv = shap_values(lin, x.iloc[:20], background=x)
    np.testing.assert_allclose(
        sv.values, lin.coef_ * (x.iloc[:20] - x.mean()).to_numpy(), atol=1e-8
    )


def test_linear_needs_background() -> None:
    frame, y = _data()
    model = _pipeline(LogisticRegression(max_iter=1000)).fit(frame, y)
    with pytest.raises(UsageError, match="background"):
        shap_values(model, frame.iloc[:3])


def test_missing_shap_is_one_clear_line_and_permutation_still_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frame, y = _data()
    model = _pipeline(LogisticRegression(max_iter=1000)).fit(frame, y)
    monkeypatch.setitem(sys.modules, "shap", None)  # import shap -> ImportError
    with pytest.raises(UsageError) as info:
        shap_values(model, frame.iloc[:3], background=frame)
    assert str(info.value) == "SHAP is not installed: pip install 'fairmark[explain]'"
    result = global_importance(model, frame, y=y, method="permutation", n_repeats=2)
    assert result.method == "permutation_importance" and len(result.features) == 4
