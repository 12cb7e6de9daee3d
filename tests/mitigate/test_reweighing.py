"""Reweighing weights against the closed form, a hand case and AIF360's Reweighing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmark.errors import DataError
from fairmark.mitigate import reweighing_weights


def test_hand_case() -> None:
    # group a: 3 rows (2 positive), group b: 2 rows (0 positive); n = 5, n_pos = 2, n_neg = 3
    groups = ["a", "a", "a", "b", "b"]
    labels = [1, 1, 0, 0, 0]
    # w(a,1) = 3*2/(5*2) = 0.6 ; w(a,0) = 3*3/(5*1) = 1.8 ; w(b,0) = 2*3/(5*2) = 0.6
    expected = [0.6, 0.6, 1.8, 0.6, 0.6]
    assert reweighing_weights(groups, labels) == pytest.approx(expected, rel=1e-15)


def test_closed_form_and_independence() -> None:
    rng = np.random.default_rng(1)
    g = rng.choice(["x", "y", "z"], size=500, p=[0.5, 0.3, 0.2])
    y = (rng.random(500) < np.where(g == "x", 0.6, 0.2)).astype(int)
    w = reweighing_weights(g, y)
    df = pd.DataFrame({"g": g, "y": y, "w": w})
    n = len(df)
    for (gv, yv), cell in df.groupby(["g", "y"]):
        expected = (df.g == gv).mean() * (df.y == yv).mean() / (len(cell) / n)
        assert cell.w.to_numpy() == pytest.approx(expected, rel=1e-12)
    assert w.sum() == pytest.approx(n, rel=1e-12)
    overall = y.mean()
    for _, part in df.groupby("g"):
        assert np.average(part.y, weights=part.w) == pytest.approx(overall, rel=1e-12)
        # each group's total weight equals its size
        assert part.w.sum() == pytest.approx(len(part), rel=1e-12)


def test_matches_aif360_reweighing() -> None:
    pytest.importorskip("aif360")
    from aif360.algorithms.preprocessing import Reweighing
    from aif360.datasets import BinaryLabelDataset

    rng = np.random.default_rng(2)
    sex = (rng.random(400) < 0.45).astype(float)
    y = (rng.random(400) < np.where(sex == 1, 0.55, 0.25)).astype(float)
    df = pd.DataFrame({"sex": sex, "y": y})
    ds = BinaryLabelDataset(
        df=df, label_names=["y"], protected_attribute_names=["sex"],
        favorable_label=1.0, unfavorable_label=0.0,
    )  # fmt: skip
    rw = Reweighing(unprivileged_groups=[{"sex": 0.0}], privileged_groups=[{"sex": 1.0}])
    theirs = rw.fit_transform(ds).instance_weights
    ours = reweighing_weights(sex, y.astype(int))
    assert ours == pytest.approx(np.asarray(theirs), rel=1e-12)


@pytest.mark.parametrize(
    ("groups", "labels", "fragment"),
    [
        ([], [], "at least one training row"),
        (["a", "b"], [1], "one label per row"),
        (["a", None], [1, 0], "missing values"),
        (["a", "b"], [1, 2], "binary 0/1"),
    ],
)
def test_bad_input(groups: list, labels: list, fragment: str) -> None:
    with pytest.raises(DataError, match=fragment) as info:
        reweighing_weights(groups, labels)
    assert "\n" not in str(info.value)
