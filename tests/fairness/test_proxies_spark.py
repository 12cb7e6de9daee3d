"""Proxy detection on a PySpark local-mode DataFrame gives the DuckDB numbers.

Needs PySpark and a Java runtime. Skips with a reason when they are missing, unless
``FAIRMARK_REQUIRE_SPARK=1``, then it fails. Counts, means and variances are exact in
both engines, so Cramér's V and η agree to rounding; the quantile bins of numeric
features come from each engine's own approximate quantiles, so their NMI may differ.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fairmark.fairness.proxies import proxies

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.xdist_group("spark")]


def test_spark_proxies_match_duckdb(spark, bank_csv: Path) -> None:
    frame = pd.read_csv(bank_csv, sep=";").iloc[::8].reset_index(drop=True)
    frame = frame[["age", "job", "marital", "education", "housing", "campaign", "euribor3m"]]
    kwargs = dict(
        sensitive_features=[{"column": "age", "bins": "age"}], sample_size=1000, cv_folds=3
    )
    local = proxies(frame, **kwargs)
    remote = proxies(spark.createDataFrame(frame), **kwargs)
    a = {x.feature: x for x in local.proxies}
    b = {x.feature: x for x in remote.proxies}
    assert set(a) == set(b)
    for feature, x in a.items():
        y = b[feature]
        assert (x.measure, x.n_missing, x.reason) == (y.measure, y.n_missing, y.reason)
        assert y.association == pytest.approx(x.association, abs=1e-9), feature
        if x.kind == "categorical":
            assert y.nmi == pytest.approx(x.nmi, abs=1e-12), feature
    joint = remote.metrics.redundant_encoding["age_band"]
    assert joint.n_sample == 1000 and joint.value is not None and 0.5 < joint.value <= 1.0
