"""Global importance: permutation equals scikit-learn's; SHAP importance is mean |SHAP|."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from fairmark.errors import DataError, UsageError
from fairmark.explain import bounded_sample, global_importance, shap_values


def _data(n: int = 300, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "channel": rng.choice(["email", "phone", "web"], size=n),
            "visits": rng.poisson(3, size=n).astype(float),
            "basket": rng.normal(50, 15, size=n),
        }
    )
    y = (
        frame["visits"] + 2 * (frame["channel"] == "web") + rng.normal(0, 1, size=n) > 4
    ).to_numpy()
    return frame, y


def _pipe(estimator: object) -> Pipeline:
    pre = ColumnTransformer(
        [("cat", OneHotEncoder(), ["channel"]), ("num", StandardScaler(), ["visits", "basket"])]
    )
    return Pipeline([("pre", pre), ("clf", estimator)])


def test_permutation_path_equals_sklearn_on_the_same_seed() -> None:
    frame, y = _data()
    model = _pipe(KNeighborsClassifier(n_neighbors=7)).fit(frame, y)
    ours = global_importance(model, frame, y=y, n_repeats=4, random_state=11)
    assert ours.method == "permutation_importance" and ours.n_rows == len(frame)
    ref = permutation_importance(model, frame, y, n_repeats=4, random_state=11)
    expected = {
        c: (m, s)
        for c, m, s in zip(frame.columns, ref.importances_mean, ref.importances_std, strict=True)
    }
    assert {f.feature for f in ours.features} == set(frame.columns)
    for f in ours.features:
        assert f.importance == pytest.approx(expected[f.feature][0], abs=1e-12)
        assert f.std == pytest.approx(expected[f.feature][1], abs=1e-12)
    assert [f.importance for f in ours.features] == sorted(
        (f.importance for f in ours.features), reverse=True
    )


def test_permutation_with_a_scorer_and_y_column() -> None:
    frame, y = _data()
    model = _pipe(KNeighborsClassifier()).fit(frame, y)
    ours = global_importance(
        model, frame.assign(target=y), y="target", scoring="roc_auc", n_repeats=3, random_state=2
    )
    ref = permutation_importance(model, frame, y, scoring="roc_auc", n_repeats=3, random_state=2)
    got = {f.feature: f.importance for f in ours.features}
    for c, m in zip(frame.columns, ref.importances_mean, strict=True):
        assert got[c] == pytest.approx(m, abs=1e-12)
    assert ours.output == "score:roc_auc"


def test_shap_importance_is_mean_absolute_shap_per_feature() -> None:
    frame, y = _data()
    model = _pipe(LogisticRegression()).fit(frame, y)
    result = global_importance(model, frame)
    assert result.method == "shap.LinearExplainer" and result.output == "log_odds"
    sv = shap_values(model, frame, background=frame)
    want = dict(zip(sv.features, np.abs(sv.values).mean(axis=0), strict=True))
    for f in result.features:
        assert f.importance == pytest.approx(want[f.feature], rel=1e-12)
    forest = _pipe(RandomForestClassifier(n_estimators=10, random_state=0)).fit(frame, y)
    assert global_importance(forest, frame).method.startswith("shap.TreeExplainer")


def test_sample_is_bounded_and_drawn_by_the_engine(tmp_path: Path) -> None:
    frame, y = _data(n=3000)
    path = tmp_path / "data.csv"
    frame.assign(target=y.astype(int)).to_csv(path, index=False)
    sample = bounded_sample(str(path), max_rows=200, random_state=5)
    assert 100 < len(sample) <= 200
    assert list(sample.columns) == [*frame.columns, "target"]
    again = bounded_sample(str(path), max_rows=200, random_state=5)
    pd.testing.assert_frame_equal(sample, again)
    model = _pipe(LogisticRegression()).fit(frame, y)
    result = global_importance(model, str(path), max_rows=200)
    assert result.n_rows <= 200 and "bounded random sample" in result.note
    small = bounded_sample(frame.iloc[:50], max_rows=200)
    pd.testing.assert_frame_equal(small, frame.iloc[:50].reset_index(drop=True))


def test_bad_requests() -> None:
    frame, y = _data()
    model = _pipe(KNeighborsClassifier()).fit(frame, y)
    with pytest.raises(UsageError, match="needs the true outcome"):
        global_importance(model, frame)
    with pytest.raises(UsageError, match="method"):
        global_importance(model, frame, method="lime")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="lacks 1 column"):
        global_importance(model, frame.drop(columns=["basket"]), y=y)
    with pytest.raises(DataError, match="one per row"):
        global_importance(model, frame, y=y[:-1])
    with pytest.raises(UsageError, match="max_rows"):
        global_importance(model, frame, y=y, max_rows=0)
    with pytest.raises(UsageError, match=r"SHAP explains"):
        global_importance(model, frame, method="shap")
