"""Reweighing (Kamiran & Calders 2012): weights that make the label independent of the group.

Every training row of group ``g`` with label ``y`` gets the weight

    w(g, y) = P(group = g) · P(label = y) / P(group = g, label = y)
            = n_g · n_y / (n · n_{g,y})

computed from counts, so that in the weighted training data the label is statistically
independent of the group (the weighted share of positives is the same in every group)
while each group's total weight and each label's total weight are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fairmark.errors import DataError

__all__ = ["reweighing_weights"]


def reweighing_weights(groups: Sequence[Any] | np.ndarray | pd.Series, labels: Any) -> np.ndarray:
    """Return the Kamiran–Calders reweighing weight of every training row.

    Parameters
    ----------
    groups : array-like, shape (n,)
        Group label of each row (any hashable values; one group per row). For several
        sensitive features, pass one combined label per row (e.g. ``"F & <25"``).
    labels : array-like, shape (n,)
        Binary training label of each row (``0``/``1`` or ``False``/``True``).

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        ``w_i = n_g · n_y / (n · n_{g,y})`` for the row's group ``g`` and label ``y``;
        dimensionless, positive. The weights sum to ``n``; within every group the
        weighted share of positives equals the overall share of positives.

    Raises
    ------
    DataError
        If the inputs are empty, have different lengths, contain missing values, or the
        labels are not binary.

    Notes
    -----
    Kamiran, F. & Calders, T. (2012), *Data preprocessing techniques for classification
    without discrimination*, Knowledge and Information Systems 33:1-33, section 4.2
    ("Reweighing"), the expected-over-observed probability weight
    ``W(s, c) = P_exp(s, c) / P_obs(s, c)``. AIF360's
    ``aif360.algorithms.preprocessing.Reweighing`` computes the same weights for a
    privileged/unprivileged split; this function allows any number of groups.
    """
    g = pd.Series(np.asarray(groups, dtype=object))
    y_arr = np.asarray(labels)
    if g.size == 0:
        raise DataError("reweighing needs at least one training row; got none")
    if y_arr.ndim != 1 or y_arr.shape[0] != g.size:
        raise DataError(
            f"labels have shape {y_arr.shape} but groups have {g.size} rows; "
            "expected one label per row"
        )
    if g.isna().any():
        raise DataError(
            f"groups have {int(g.isna().sum())} missing values; expected a group for every row"
        )
    y = pd.Series(y_arr)
    if y.isna().any():
        raise DataError(f"labels have {int(y.isna().sum())} missing values; expected 0 or 1")
    values = set(y.unique().tolist())
    if not values <= {0, 1}:
        shown = sorted(map(str, values))[:5]
        raise DataError(f"labels have values {shown}; expected binary 0/1 labels")
    y = y.astype("int64")
    frame = pd.DataFrame({"g": g, "y": y, "one": 1})
    n = float(len(frame))
    n_group = frame.groupby("g", sort=False, dropna=False)["one"].transform("size")
    n_label = frame.groupby("y", sort=False)["one"].transform("size")
    n_cell = frame.groupby(["g", "y"], sort=False, dropna=False)["one"].transform("size")
    weights = n_group.to_numpy(dtype="float64") * n_label.to_numpy(dtype="float64")
    return weights / (n * n_cell.to_numpy(dtype="float64"))
