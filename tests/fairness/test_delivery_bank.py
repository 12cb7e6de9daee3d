"""``delivery_skew`` on UCI Bank Marketing read from the CSV file by the engine.

A stand-in for an ad: the 41,188 customers are the eligible audience, "reached on a mobile
phone" (``contact == cellular``) is the delivery, per ``education`` group and per call
``month`` as the ad. Independent values: pandas value counts of the same file.
"""

from __future__ import annotations

import math

import pandas as pd

from fairmark.fairness.delivery import delivery_skew


def test_bank_marketing_cellular_reach_by_education(bank_csv, tmp_path):
    df = pd.read_csv(bank_csv, sep=";")
    df["eligible"] = True
    df["cellular"] = (df["contact"] == "cellular").astype(int)
    path = tmp_path / "bank.parquet"
    df[["education", "month", "eligible", "cellular"]].to_parquet(path)
    r = delivery_skew(
        str(path),
        group="education",
        eligible="eligible",
        delivered="cellular",
        ad="month",
        delivered_kind="reach",
    )
    for month, part in df.groupby("month"):
        q = part["education"].value_counts() / len(part)
        reached = part[part["cellular"] == 1]
        p = (reached["education"].value_counts() / len(reached)).reindex(q.index, fill_value=0)
        ad = r.ad(month, "reach")
        assert ad.eligible_total == len(part) and ad.delivered_total == len(reached)
        assert math.isclose(ad.tvd.value, 0.5 * (p - q).abs().sum(), rel_tol=1e-9, abs_tol=1e-12)
        for g in (g for g in r.groups if g.ad == month and not g.suppressed):
            assert math.isclose(g.share_difference.value, p[g.group] - q[g.group], abs_tol=1e-12)
    suppressed = [g for g in r.groups if g.suppressed]
    assert all(g.eligible is None and g.delivered is None for g in suppressed)
    assert {g.group for g in suppressed} >= {"illiterate"}  # 18 people in all
