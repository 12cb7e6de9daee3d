"""Bad input to ``fairmark.proxies``: one clear line, the right error type, nothing computed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmark.errors import DataError, PolicyError, UsageError
from fairmark.fairness.proxies import proxies


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame(
        {
            "sex": rng.choice(["f", "m"], size=n),
            "region": rng.choice(["a", "b", "c"], size=n),
            "spend": rng.normal(size=n),
            "customer_id": [f"c{i}" for i in range(n)],
        }
    )


def _error(exc_type: type[Exception], call) -> str:
    with pytest.raises(exc_type) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    return message


CASES = [
    (DataError, {"sensitive_features": "gender"}, ["'gender' not found", "available columns"]),
    (DataError, {"sensitive_features": "sex", "exclude": ["id"]}, ["'id' not found"]),
    (UsageError, {"sensitive_features": "sex", "exclude": ["sex"]}, ["sensitive feature",
                                                                     "remove it from exclude"]),
    (UsageError, {"sensitive_features": "sex", "exclude": ["region", "region"]},
     ["more than once"]),
    (UsageError, {"sensitive_features": ["sex", "sex"]}, ["more than once"]),
    (UsageError, {"sensitive_features": []}, ["sensitive"]),
    (UsageError, {"sensitive_features": "sex", "categorical": ["sex"]}, ["categorical"]),
    (UsageError, {"sensitive_features": "sex", "exclude": ["region", "spend", "customer_id"]},
     ["no candidate feature"]),
    (DataError, {"sensitive_features": "sex", "max_levels": 50},
     ["'customer_id'", "max_levels=50", "--exclude customer_id"]),
    (UsageError, {"sensitive_features": "sex", "bins": 1}, ["bins"]),
    (UsageError, {"sensitive_features": "sex", "sample_size": 10}, ["sample_size"]),
    (UsageError, {"sensitive_features": "sex", "cv_folds": 1}, ["cv_folds"]),
    (UsageError, {"sensitive_features": "sex", "random_state": -1}, ["random_state"]),
    (UsageError, {"sensitive_features": "sex", "bins": True}, ["bins"]),
    (UsageError, {"sensitive_features": "sex", "exclude": 3}, ["exclude"]),
    (UsageError, {"sensitive_features": {"column": "spend", "bins": [3, 1]}}, ["increasing"]),
    (PolicyError, {"sensitive_features": "sex", "policy": "no-such-policy.yaml"}, []),
]  # fmt: skip


@pytest.mark.parametrize(("exc_type", "kwargs", "expect"), CASES)
def test_bad_arguments(frame, exc_type, kwargs, expect) -> None:
    message = _error(exc_type, lambda: proxies(frame, joint=False, **kwargs))
    for text in expect:
        assert text in message, message


def test_constant_sensitive_feature(frame) -> None:
    df = frame.drop(columns="customer_id").assign(sex="f")
    message = _error(DataError, lambda: proxies(df, sensitive_features="sex", joint=False))
    assert "single value ('f')" in message and "at least two groups" in message


def test_sensitive_feature_missing_everywhere(frame) -> None:
    df = frame.drop(columns="customer_id")
    df["sex"] = pd.Series([None] * len(df), dtype="string")
    message = _error(DataError, lambda: proxies(df, sensitive_features="sex", joint=False))
    assert "'(missing)'" in message


def test_no_rows(frame) -> None:
    message = _error(
        DataError, lambda: proxies(frame.head(0), sensitive_features="sex", exclude="customer_id")
    )
    assert "no rows" in message


def test_infinite_numbers(frame) -> None:
    df = frame.drop(columns="customer_id")
    df.loc[3, "spend"] = np.inf
    message = _error(DataError, lambda: proxies(df, sensitive_features="sex", joint=False))
    assert "'spend'" in message and "infinite" in message


def test_too_many_sensitive_levels(frame) -> None:
    message = _error(
        DataError,
        lambda: proxies(frame, sensitive_features="customer_id", max_levels=50, joint=False),
    )
    assert "sensitive feature 'customer_id'" in message and "max_levels=50" in message


def test_unsupported_column_type(frame) -> None:
    import ibis

    df = frame.drop(columns="customer_id")
    table = ibis.memtable(df).mutate(tags=ibis.array(["x", "y"]))
    message = _error(DataError, lambda: proxies(table, sensitive_features="sex", joint=False))
    assert "'tags'" in message and "--exclude tags" in message


def test_missing_file() -> None:
    message = _error(DataError, lambda: proxies("no/such/file.csv", sensitive_features="sex"))
    assert "no such file" in message
