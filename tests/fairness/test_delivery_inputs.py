"""``delivery_skew`` input layouts give the same numbers; bad inputs are one-line errors.

Independent values: pandas group-bys of the same rows (eligible people, impressions and
distinct people reached per ad and group), then shares and distances written out here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fairmark.errors import DataError, UsageError
from fairmark.fairness.delivery import delivery_skew


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    """One row per person and ad: 2 ads, 3 groups, about 60% eligible, impressions 0-4."""
    rng = np.random.default_rng(11)
    n = 3000
    rows = pd.DataFrame(
        {
            "person": np.tile(np.arange(n // 2), 2),
            "ad": np.repeat(["a1", "a2"], n // 2),
            "gender": np.tile(rng.choice(["f", "m", "x"], n // 2, p=[0.45, 0.45, 0.1]), 2),
            "eligible": rng.random(n) < 0.6,
        }
    )
    boost = np.where((rows["ad"] == "a1") & (rows["gender"] == "m"), 2, 0)
    rows["impressions"] = np.where(rows["eligible"], rng.poisson(0.6 + boost), 0)
    return rows


def expected(people: pd.DataFrame) -> pd.DataFrame:
    elig = people[people["eligible"]]
    out = elig.groupby(["ad", "gender"]).agg(
        eligible=("person", "nunique"), impressions=("impressions", "sum")
    )
    out["reach"] = elig[elig["impressions"] > 0].groupby(["ad", "gender"])["person"].nunique()
    return out.fillna(0)


def tvd(part: pd.DataFrame, col: str) -> float:
    return 0.5 * float(
        (part[col] / part[col].sum() - part["eligible"] / part["eligible"].sum()).abs().sum()
    )


def test_one_table_with_person_ids_matches_pandas(people):
    r = delivery_skew(
        people,
        group="gender",
        eligible="eligible",
        delivered="impressions",
        ad="ad",
        person_id="person",
    )
    exp = expected(people)
    assert r.views == ("impressions", "reach")
    for g in r.groups:
        row = exp.loc[(g.ad, g.group)]
        assert g.eligible == row["eligible"]
        assert g.delivered == row[g.view]
        part = exp.loc[g.ad]
        assert math.isclose(
            g.delivered_share.value, row[g.view] / part[g.view].sum(), rel_tol=1e-12
        )
    for a in r.ads:
        assert math.isclose(a.tvd.value, tvd(exp.loc[a.ad], a.view), rel_tol=1e-12)
    assert r.ad("a1", "impressions").tvd.value > r.ad("a2", "impressions").tvd.value


def test_two_tables_and_aggregated_counts_give_the_same_numbers(people):
    kw = {"group": "gender", "ad": "ad"}
    one = delivery_skew(people, eligible="eligible", delivered="impressions", **kw)
    eligible_rows = people[people["eligible"]][["ad", "gender"]].assign(one=1)
    impressions = people[people["impressions"] > 0][["ad", "gender", "impressions"]]
    two = delivery_skew(
        eligible_rows, eligible="one", delivered="impressions", delivered_data=impressions, **kw
    )
    counts = expected(people).reset_index()
    agg = delivery_skew(counts, eligible="eligible", delivered="impressions", **kw)
    for other in (two, agg):
        assert [a.tvd.value for a in other.ads] == pytest.approx([a.tvd.value for a in one.ads])
        assert [g.share_ratio.value for g in other.groups] == pytest.approx(
            [g.share_ratio.value for g in one.groups]
        )
    assert two.mode == "two_tables" and one.mode == "one_table"


def test_two_tables_with_person_ids_count_unique_reach(people):
    eligible_rows = people[people["eligible"]][["ad", "gender"]].assign(one=1)
    log = people.loc[people.index.repeat(people["impressions"])][["ad", "gender", "person"]]
    log = log.assign(shown=1)  # an impression log: one row per impression
    r = delivery_skew(
        eligible_rows,
        group="gender",
        eligible="one",
        delivered="shown",
        ad="ad",
        delivered_data=log,
        person_id="person",
    )
    exp = expected(people)
    for g in r.groups:
        assert g.delivered == exp.loc[(g.ad, g.group), g.view]


def test_impressions_may_exceed_the_eligible_audience_reach_may_not():
    eligible = pd.DataFrame({"gender": ["f", "m"], "people": [40, 60]})
    heavy = pd.DataFrame({"gender": ["f", "m"], "n": [400, 100]})
    r = delivery_skew(
        eligible,
        group="gender",
        eligible="people",
        delivered="n",
        delivered_data=heavy,
        min_group_size=1,
    )
    assert r.ad().delivered_total == 500 and r.ad().tvd.value == pytest.approx(0.4)
    with pytest.raises(
        DataError,
        match=r"unique reach of group 'f' is 400 people, larger than "
        r"its eligible audience of 40",
    ):
        delivery_skew(
            eligible,
            group="gender",
            eligible="people",
            delivered="n",
            delivered_data=heavy,
            delivered_kind="reach",
            min_group_size=1,
        )


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "needle"),
    [
        ({}, {"group": "sex"}, DataError, "group column 'sex' not found"),
        ({}, {"ad": "campaign"}, DataError, "ad column 'campaign' not found"),
        ({"eligible": ["yes"] * 4}, {}, DataError, "has type string; expected true/false"),
        ({"shown": [1, -1, 0, 0]}, {}, DataError, "1 negative values"),
        ({"shown": [1.0, np.nan, 0, 0]}, {}, DataError, "1 missing values"),
        ({"shown": [1.0, np.inf, 0, 0]}, {}, DataError, "1 infinite values"),
        (
            {"eligible": [True, False, True, True]},
            {},
            DataError,
            "1 rows have a delivery ('shown' > 0) but are not eligible",
        ),
        ({"eligible": [False] * 4, "shown": [0] * 4}, {}, DataError, "has no eligible audience"),
        (
            {},
            {"delivered_kind": "clicks"},
            UsageError,
            "delivered_kind must be impressions or reach",
        ),
        ({}, {"interval": "exact"}, UsageError, "interval must be wilson or agresti_coull"),
        ({}, {"person_id": "pid", "delivered_kind": "reach"}, UsageError, "give one or the other"),
        ({}, {"pairs": [("a1", "a2")]}, UsageError, "give the ad column"),
        ({}, {"ad": "ad", "pairs": [("a1", "zz")]}, UsageError, "paired ad 'zz' not found"),
        ({"pid": [1, 1, 2, 3]}, {"person_id": "pid"}, DataError, "belong to more than one group"),
        ({"eligible": [2, 1, 1, 1]}, {"person_id": "pid"}, DataError, "must be a flag"),
    ],
)
def test_bad_inputs(change, kwargs, error, needle):
    df = pd.DataFrame(
        {
            "gender": ["f", "m", "f", "m"],
            "eligible": [True] * 4,
            "shown": [1, 2, 0, 1],
            "ad": ["a1", "a1", "a2", "a2"],
            "pid": [1, 2, 3, 4],
        }
    )
    for col, values in change.items():
        df[col] = values
    args = {"group": "gender", "eligible": "eligible", "delivered": "shown", **kwargs}
    with pytest.raises(error) as err:
        delivery_skew(df, **args, min_group_size=1)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_deliveries_to_a_group_outside_the_eligible_audience():
    eligible = pd.DataFrame({"gender": ["f"], "people": [50]})
    delivered = pd.DataFrame({"gender": ["f", "m"], "n": [10, 5]})
    with pytest.raises(DataError, match="group 'm' received deliveries but has no eligible"):
        delivery_skew(
            eligible, group="gender", eligible="people", delivered="n", delivered_data=delivered
        )


def test_missing_group_values_are_a_group(tmp_path):
    df = pd.DataFrame(
        {"gender": ["f"] * 40 + ["m"] * 40 + [None] * 40, "eligible": True, "shown": [1] * 120}
    )
    path = tmp_path / "d.parquet"
    df.to_parquet(path)
    r = delivery_skew(str(path), group="gender", eligible="eligible", delivered="shown")
    assert [g.group for g in r.groups] == ["f", "m", "(missing)"]
    assert r.ad().tvd.value == pytest.approx(0.0, abs=1e-15)
    assert r.data_description == str(path)
