"""Transformed columns map back to their input features; one-hot values sum correctly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from fairmark.errors import DataError, UsageError
from fairmark.explain.columns import aggregate_columns, column_sources


def _frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "colour": rng.choice(
                ["red", "green", "blue", "rare"], size=n, p=[0.5, 0.3, 0.18, 0.02]
            ),
            "yes_no": rng.choice(["yes", "no"], size=n),
            "x_a": rng.normal(size=n),
            "x_b": rng.normal(size=n),
            "x_c": rng.normal(size=n),
            "kept": rng.integers(0, 5, size=n),
        }
    )


def test_aggregation_sums_one_hot_columns_by_hand() -> None:
    values = np.array([[1.0, 2.0, 3.0, 4.0, 5.0], [-1.0, 0.5, 0.25, 10.0, -2.0]])
    sources = [("a",), ("a",), ("b",), ("a",), ("c",)]
    totals, features = aggregate_columns(values, sources)
    assert features == ("a", "b", "c")
    # hand sums: a = cols 0, 1, 3
    np.testing.assert_allclose(totals, [[7.0, 3.0, 5.0], [9.5, 0.25, -2.0]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(totals.sum(axis=1), values.sum(axis=1), rtol=0, atol=1e-12)


def test_aggregation_rejects_wrong_shape() -> None:
    with pytest.raises(DataError, match="expected \\(n, 2\\)"):
        aggregate_columns(np.zeros((3, 3)), [("a",), ("b",)])


def test_column_transformer_sources_follow_the_encoders() -> None:
    frame = _frame()
    ct = ColumnTransformer(
        [
            ("cat", OneHotEncoder(min_frequency=10, drop="if_binary"), ["colour", "yes_no"]),
            ("num", StandardScaler(), ["x_a", "x_b"]),
            ("mix", PCA(n_components=1), ["x_c", "kept"]),
        ],
        remainder="drop",
    ).fit(frame)
    width = ct.transform(frame).shape[1]
    sources = column_sources(ct, list(frame.columns), width)
    # colour: red/green/blue + one infrequent bucket (rare, < 10 rows) = 4; yes_no binary -> 1
    names = list(ct.get_feature_names_out())
    assert names[:4] == ["cat__colour_blue", "cat__colour_green", "cat__colour_red",
                         "cat__colour_infrequent_sklearn"]  # fmt: skip
    assert sources == [("colour",)] * 4 + [("yes_no",)] + [("x_a",), ("x_b",)] + [("x_c", "kept")]


def test_pipeline_inside_column_transformer_and_passthrough_remainder() -> None:
    frame = _frame().drop(columns=["yes_no"])
    ct = ColumnTransformer(
        [
            (
                "cat",
                make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()),
                ["colour"],
            )
        ],
        remainder="passthrough",
    )
    pre = Pipeline([("ct", ct), ("scale", StandardScaler())]).fit(frame)
    width = pre.transform(frame).shape[1]
    sources = column_sources(pre, list(frame.columns), width)
    assert sources == [("colour",)] * 4 + [("x_a",), ("x_b",), ("x_c",), ("kept",)]


def test_mismatch_is_refused() -> None:
    frame = _frame()[["x_a", "x_b"]]
    scaler = StandardScaler().fit(frame)
    with pytest.raises(UsageError, match="expected them to match"):
        column_sources(scaler, ["x_a", "x_b"], 3)
