"""The same audit on a PySpark local-mode DataFrame gives the same numbers as on DuckDB.

Needs PySpark and a Java runtime. Skips with a reason when they are missing, unless
``FAIRMARK_REQUIRE_SPARK=1`` (set by ``.ci/run``), then it fails.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import fairmark

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def test_spark_audit_matches_duckdb(spark, bank_csv):
    frame = pd.read_csv(bank_csv, sep=";").iloc[::4].reset_index(drop=True)
    frame["selected"] = frame["euribor3m"] < 1.5
    kwargs = dict(
        y_true="y",
        positive_label="yes",
        y_pred="selected",
        sensitive_features=[{"column": "age", "bins": "age", "name": "age_band"}, "marital"],
        min_group_size=30,
    )
    local = fairmark.audit(frame, **kwargs).to_dict()
    sdf = spark.createDataFrame(frame)
    distributed = fairmark.audit(sdf, **kwargs).to_dict()
    assert distributed["data_fingerprint"]["value"] == local["data_fingerprint"]["value"]
    assert len(distributed["groups"]) == len(local["groups"])
    for g_local, g_spark in zip(local["groups"], distributed["groups"], strict=True):
        assert (g_local["feature"], g_local["group"], g_local["n"]) == (
            g_spark["feature"],
            g_spark["group"],
            g_spark["n"],
        )
        for metric in ("selection_rate", "tpr", "fpr", "ppv"):
            for key in ("value", "ci_low", "ci_high"):
                assert _same(g_local[metric][key], g_spark[metric][key]), (g_local["group"], metric)
    for d_local, d_spark in zip(local["disparities"], distributed["disparities"], strict=True):
        assert (d_local["feature"], d_local["metric"], d_local["group"]) == (
            d_spark["feature"],
            d_spark["metric"],
            d_spark["group"],
        )
        assert _same(d_local["value"], d_spark["value"])
        assert _same(d_local["p_value_holm"], d_spark["p_value_holm"])
    assert distributed["verdict"] == local["verdict"]


def test_spark_top_k_threshold_matches_duckdb(spark):
    frame = pd.DataFrame(
        {
            "y": [1, 0, 1, 0, 1, 0] * 20,
            "s": [i / 120 for i in range(120)],
            "g": ["a", "b", "c"] * 40,
        }
    )
    kwargs = dict(y_true="y", score="s", top_k=0.2, sensitive_features="g", min_group_size=1)
    local = fairmark.audit(frame, **kwargs).to_dict()
    distributed = fairmark.audit(spark.createDataFrame(frame), **kwargs).to_dict()
    assert local["summary"]["selected_threshold"] == 0.8  # the 24th highest of 0/120 … 119/120
    assert distributed["summary"]["selected_threshold"] == 0.8
    assert distributed["data_fingerprint"]["value"] == local["data_fingerprint"]["value"]
