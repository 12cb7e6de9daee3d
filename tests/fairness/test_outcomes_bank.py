"""Outcome metrics on UCI Bank Marketing, against pandas group-bys and scipy's Welch test.

``euribor3m`` (the 3-month Euribor rate at the call, in percent) and ``campaign`` (number
of contacts in this campaign, an integer) stand in for an offer value; the decision is
"previously contacted" (``pdays != 999``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import fairmark

TOL = 1e-9


@pytest.fixture(scope="module")
def bank(bank_csv) -> pd.DataFrame:
    df = pd.read_csv(bank_csv, sep=";")
    df["contacted_before"] = (df["pdays"] != 999).astype(int)
    return df


@pytest.mark.parametrize("outcome", ["euribor3m", "campaign"])
def test_bank_outcome_by_marital_and_age_band(bank, outcome):
    result = fairmark.audit(
        bank,
        y_true="y",
        positive_label="yes",
        y_pred="contacted_before",
        sensitive_features=["marital", {"column": "age", "bins": "age"}],
        outcome=outcome,
        reference_groups={"marital": "married"},
    )
    rows = {(m["feature"], m["group"], m["metric"]): m for m in result.to_dict()["outcome_metrics"]}
    ref = bank.loc[bank["marital"] == "married", outcome].to_numpy(dtype=float)
    total = bank[outcome].sum()
    for status in ("divorced", "single"):
        x = bank.loc[bank["marital"] == status, outcome].to_numpy(dtype=float)
        key = ("marital", status)
        assert math.isclose(rows[(*key, "outcome_mean")]["value"], x.mean(), rel_tol=TOL)
        assert math.isclose(rows[(*key, "outcome_total")]["value"], x.sum(), rel_tol=TOL)
        assert math.isclose(rows[(*key, "value_share")]["value"], x.sum() / total, rel_tol=TOL)
        res = stats.ttest_ind(x, ref, equal_var=False)
        ci = res.confidence_interval()
        diff = rows[(*key, "mean_outcome_difference")]
        assert math.isclose(diff["ci_low"], ci.low, rel_tol=1e-9)
        assert math.isclose(diff["ci_high"], ci.high, rel_tol=1e-9)
        assert math.isclose(
            rows[(*key, "mean_outcome_ratio")]["value"], x.mean() / ref.mean(), rel_tol=TOL
        )
        lo, hi = np.quantile(x, [0.4, 0.6])
        assert lo <= rows[(*key, "outcome_median")]["value"] <= hi
    # "unknown" marital status has 80 calls: estimated (>= 30); age band 65+ likewise
    assert rows[("marital", "unknown", "outcome_n")]["value"] == 80
    bands = pd.cut(
        bank["age"],
        [-np.inf, 25, 35, 45, 55, 65, np.inf],
        right=False,
        labels=["<25", "25-34", "35-44", "45-54", "55-64", "65+"],
    )
    for band, part in bank.groupby(bands, observed=True):
        x = part[outcome].to_numpy(dtype=float)
        got = rows[("age_band", str(band), "outcome_mean")]["value"]
        assert math.isclose(got, x.mean(), rel_tol=TOL)
