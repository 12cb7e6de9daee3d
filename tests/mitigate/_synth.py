"""A small synthetic targeting problem where the score favours one group."""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic(n: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Return ``(X, y, group)``: group ``b`` has higher feature values and conversion rates."""
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.4, "b", "a")
    x1 = rng.normal(size=n) + np.where(group == "b", 0.8, 0.0)
    x2 = rng.normal(size=n)
    logit = -1.0 + 1.2 * x1 + 0.5 * x2
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame({"x1": x1, "x2": x2})
    return X, pd.Series(y, name="y"), pd.Series(group, name="group")


def split(n: int = 2000, seed: int = 0) -> dict[str, object]:
    """Training and test halves of :func:`synthetic` as ``mitigate`` keyword arguments."""
    X, y, g = synthetic(n, seed)
    h = n // 2
    return {
        "X_train": X.iloc[:h],
        "y_train": y.iloc[:h],
        "X_test": X.iloc[h:],
        "y_test": y.iloc[h:],
        "sensitive_train": g.iloc[:h],
        "sensitive_test": g.iloc[h:],
    }
