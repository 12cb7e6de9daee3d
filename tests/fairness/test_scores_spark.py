"""The score metrics on a PySpark local-mode DataFrame equal those on DuckDB.

Needs PySpark and a Java runtime. Skips with a reason when they are missing, unless
``FAIRMARK_REQUIRE_SPARK=1``, then it fails.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import fairmark

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.xdist_group("spark")]


def _same(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


@pytest.mark.parametrize("kind", ["probability", "logit"])
def test_spark_score_metrics_match_duckdb(spark, kind):
    rng = np.random.default_rng(0)
    n = 3000
    frame = pd.DataFrame(
        {
            "g": rng.choice(list("abc"), n),
            "h": rng.choice(list("xy"), n),
            "y": (rng.random(n) < 0.3).astype(int),
            "s": rng.random(n),
        }
    )
    frame.loc[:4, "s"] = np.nan
    kwargs = dict(y_true="y", score="s", threshold=0.5, sensitive_features=["g", "h"],
                  cutoffs=[0.25], score_kind=kind)  # fmt: skip
    local = fairmark.audit(frame, **kwargs).metrics.score_metrics
    remote = fairmark.audit(spark.createDataFrame(frame), **kwargs).metrics.score_metrics
    assert len(local) == len(remote) > 100
    for a, b in zip(local, remote, strict=True):
        assert _same(a.to_dict(), b.to_dict()), (a.metric, a.feature, a.group)


def test_spark_restricted_histogram_matches_duckdb(spark):
    from fairmark.engine.histogram import build_score_histogram
    from fairmark.engine.source import as_table
    from fairmark.fairness.spec import AuditSpec

    rng = np.random.default_rng(1)
    n = 2000
    frame = pd.DataFrame({"g": rng.choice(list("abc"), n), "h": rng.choice(list("xy"), n),
                          "y": (rng.random(n) < 0.4).astype(int), "s": rng.random(n)})  # fmt: skip
    spec = AuditSpec.build(y_true="y", positive_label=1, score="s", threshold=0.5,
                           sensitive_features=["g", "h"])  # fmt: skip
    only = [{"g": "a", "h": "x"}, {"g": "c"}]
    hists = [build_score_histogram(as_table(data), spec, restrict_to=only)
             for data in (frame, spark.createDataFrame(frame))]  # fmt: skip
    expected = int(((frame.g == "a") & (frame.h == "x")).sum() + (frame.g == "c").sum())
    for hist in hists:
        assert int(hist.frame["n"].sum()) == expected
    a, b = (pd.concat([h.cells, h.frame], axis=1) for h in hists)
    keys = ["g", "h", "bin", "cal", "label"]
    a, b = (x.sort_values(keys).reset_index(drop=True) for x in (a, b))
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-12)
