"""save_model / load_model round trip and refusals."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from fairmark.errors import DataError, UsageError
from fairmark.explain import load_model, save_model


def test_round_trip(tmp_path: Path) -> None:
    x = np.arange(20, dtype=float).reshape(10, 2)
    y = np.array([0, 1] * 5)
    model = LogisticRegression().fit(x, y)
    path = save_model(model, tmp_path / "sub" / "model.joblib")
    assert path.is_file() and [p.name for p in path.parent.iterdir()] == ["model.joblib"]
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="expected a fitted model"):
        save_model({"not": "a model"}, tmp_path / "m.joblib")
    with pytest.raises(DataError, match="no such file"):
        load_model(tmp_path / "missing.joblib")
    text = tmp_path / "text.joblib"
    text.write_text("hello", "utf-8")
    with pytest.raises(DataError, match="cannot load model"):
        load_model(text)
    not_model = tmp_path / "dict.pkl"
    not_model.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(DataError, match="holds a dict, not a model"):
        load_model(not_model)
    unfitted = tmp_path / "unfitted.pkl"
    unfitted.write_bytes(pickle.dumps(LogisticRegression()))
    with pytest.raises(DataError, match="unfitted"):
        load_model(unfitted)
