"""Bad input: one-line UsageError or DataError naming what is wrong."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from fairmark.errors import DataError, UsageError
from fairmark.mitigate import mitigate

from ._synth import split


@pytest.fixture(scope="module")
def data() -> dict:
    return split(400, seed=1)


def _raises(error: type[Exception], fragment: str, **overrides: Any) -> None:
    kwargs: dict[str, Any] = {**split(400, seed=1)}
    estimator = overrides.pop("estimator", LogisticRegression())
    kwargs.update(overrides)
    with pytest.raises(error, match=fragment) as info:
        mitigate(estimator, **kwargs)
    message = str(info.value)
    assert "\n" not in message and len(message) < 300, message


def test_unknown_method() -> None:
    _raises(UsageError, r"unknown method 'magic'; expected one of threshold", method="magic")


def test_unknown_constraint() -> None:
    _raises(UsageError, "unknown constraint 'parity'", constraint="parity")


def test_sensitive_features_shorter_than_X(data: dict) -> None:
    _raises(
        DataError, "sensitive_train has 199 rows but X_train has 200",
        sensitive_train=data["sensitive_train"].iloc[:-1],
    )  # fmt: skip


def test_sensitive_features_with_another_index(data: dict) -> None:
    shuffled = data["sensitive_test"].sample(frac=1.0, random_state=0)
    _raises(DataError, "sensitive_test is not aligned with X_test", sensitive_test=shuffled)


def test_single_group_sensitive_feature(data: dict) -> None:
    one = pd.Series(["a"] * len(data["X_train"]), index=data["X_train"].index, name="group")
    _raises(DataError, "sensitive_train feature 'group' has a single group", sensitive_train=one)


def test_missing_group_labels(data: dict) -> None:
    s = data["sensitive_test"].copy()
    s.iloc[3] = None
    _raises(DataError, "sensitive_test has 1 missing group labels", sensitive_test=s)


def test_single_class_training_label(data: dict) -> None:
    y = pd.Series(np.zeros(len(data["y_train"]), dtype=int), index=data["y_train"].index)
    _raises(DataError, "expected both classes", y_train=y)


def test_labels_not_binary(data: dict) -> None:
    y = data["y_test"].copy()
    y.iloc[:3] = 2
    _raises(DataError, "y_test has 3 distinct labels", y_test=y)


def test_different_columns(data: dict) -> None:
    _raises(DataError, "different columns", X_test=data["X_test"].rename(columns={"x2": "z"}))


def test_top_fraction_out_of_range() -> None:
    _raises(UsageError, r"top_fraction must be in \(0, 1\]", top_fraction=1.5)


def test_top_fraction_with_threshold_needs_demographic_parity() -> None:
    _raises(
        UsageError, "needs constraint 'demographic_parity'",
        top_fraction=0.2, constraint="equalized_odds",
    )  # fmt: skip


def test_estimator_without_sample_weight() -> None:
    _raises(UsageError, "does not take sample_weight", method="reweighing",
            estimator=KNeighborsClassifier())  # fmt: skip


def test_not_an_estimator() -> None:
    _raises(UsageError, "has no fit/predict", estimator=object())


def test_estimator_rejects_columns(data: dict) -> None:
    fitted = LogisticRegression().fit(data["X_train"][["x1"]], data["y_train"])
    _raises(DataError, "does not accept the data's columns", estimator=fitted)


def test_forbidden_audit_kwargs() -> None:
    _raises(UsageError, "audit_kwargs may not set", audit_kwargs={"y_pred": "x"})


def test_bad_policy_is_reported_by_the_audit() -> None:
    from fairmark.errors import FairmarkError

    with pytest.raises(FairmarkError) as info:
        mitigate(LogisticRegression(), **split(400, seed=1),
                 audit_kwargs={"policy": "/nonexistent/policy.yaml"})  # fmt: skip
    assert "\n" not in str(info.value)


def test_missing_fairlearn_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "fairlearn", None)  # import fairlearn -> ImportError
    _raises(UsageError, r"needs fairlearn: pip install 'fairmark\[mitigate\]'")
