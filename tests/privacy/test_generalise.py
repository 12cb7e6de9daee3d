"""Generalisation suggestions (fairmark.privacy.generalise): every generalised column by
hand, the ladders chosen per column type, and the search checked against pandas."""

from __future__ import annotations

import itertools

import ibis
import numpy as np
import pandas as pd
import pytest

from fairmark.errors import UsageError
from fairmark.privacy.generalise import generalised_column, ladders, suggest_generalisations
from fairmark.privacy.kanon_result import Generalisation


def _apply(frame: pd.DataFrame, g: Generalisation) -> list:
    table = ibis.memtable(frame)
    out = table.select(v=generalised_column(table, g)).execute()["v"]
    return [None if pd.isna(v) else v for v in out]


def G(column: str, method: str, **kw) -> Generalisation:
    return Generalisation(column=column, method=method, label=method, level=1, **kw)


def test_age_bands():
    frame = pd.DataFrame({"age": [18.0, 23.0, 25.0, 37.0, 64.0, 65.0, 90.0, None]})
    assert _apply(frame, G("age", "age_bands_5")) == [15, 20, 25, 35, 60, 65, 90, None]
    assert _apply(frame, G("age", "age_bands_10")) == [10, 20, 20, 30, 60, 60, 90, None]
    # band index of <25, 25-34, 35-44, 45-54, 55-64, 65+
    assert _apply(frame, G("age", "age_bands_fairmark")) == [0, 0, 1, 2, 4, 5, 5, None]


def test_numeric_bands():
    frame = pd.DataFrame({"spend": [0.0, 19.9, 20.0, 55.5, -1.0]})
    assert _apply(frame, G("spend", "numeric_bands", width=20.0)) == [0, 0, 20, 40, -20]
    with pytest.raises(UsageError, match="positive width"):
        generalised_column(ibis.memtable(frame), G("spend", "numeric_bands"))


def test_dates():
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-03-17 10:30", "2023-12-01 00:00", None])})
    days = _apply(frame, G("when", "date"))
    assert [pd.Timestamp(d).strftime("%Y-%m-%d %H:%M") for d in days[:2]] == [
        "2024-03-17 00:00", "2023-12-01 00:00",
    ]  # fmt: skip
    assert days[2] is None
    months = _apply(frame, G("when", "year_month"))
    assert [pd.Timestamp(m).strftime("%Y-%m-%d") for m in months[:2]] == [
        "2024-03-01", "2023-12-01",
    ]  # fmt: skip
    years = _apply(frame, G("when", "year"))
    assert [pd.Timestamp(y).strftime("%Y-%m-%d") for y in years[:2]] == [
        "2024-01-01", "2023-01-01",
    ]  # fmt: skip
    assert months[2] is None and years[2] is None


def test_uk_postcodes():
    # Royal Mail structure: outward code (area + district) then inward code (sector digit
    # + unit letters); the inward code is always 3 characters.
    frame = pd.DataFrame({"pc": ["SW1A 1AA", "m1 1ae", "EC1A1BB", "B33 8TH", None]})
    assert _apply(frame, G("pc", "uk_postcode_sector")) == ["SW1A1", "M11", "EC1A1", "B338", None]
    assert _apply(frame, G("pc", "uk_postcode_district")) == ["SW1A", "M1", "EC1A", "B33", None]
    assert _apply(frame, G("pc", "uk_postcode_area")) == ["SW", "M", "EC", "B", None]


def test_us_zip_codes():
    frame = pd.DataFrame({"zip": ["94105-1234", "02139", " 10001 ", None]})
    assert _apply(frame, G("zip", "us_zip5")) == ["94105", "02139", "10001", None]
    assert _apply(frame, G("zip", "us_zip3")) == ["941", "021", "100", None]
    assert _apply(frame, G("zip", "us_zip1")) == ["9", "0", "1", None]
    numeric = pd.DataFrame({"zip": [2139, 94105]})  # leading zero lost by a CSV reader
    assert _apply(numeric, G("zip", "us_zip3")) == ["021", "941"]


def test_top_n_and_drop():
    frame = pd.DataFrame({"city": ["a", "b", "c", None]})
    assert _apply(frame, G("city", "top_n", keep=("a", "c"))) == ["a", "other", "c", "other"]
    with pytest.raises(UsageError, match="dropped column"):
        generalised_column(ibis.memtable(frame), G("city", "drop"))


def _frame(n: int = 600, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "customer_age_years": rng.integers(18, 90, n),
            "spend": rng.uniform(0, 1000, n),
            "postcode": rng.choice(["SW1A 1AA", "SW1A 2BB", "M1 1AE", "EC1A 1BB"], n),
            "zip": rng.choice(["94105", "02139", "10001-1234"], n),
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n), "D"),
            "city": rng.choice([f"city{i}" for i in range(30)], n),
            "sex": rng.choice(["f", "m"], n),
        }
    )


def test_ladders_follow_the_column_type():
    table = ibis.memtable(_frame())
    found = {c: [g.method for g in gs] for c, gs in ladders(table, list(_frame().columns)).items()}
    assert found["age"] == ["age_bands_5", "age_bands_10", "age_bands_fairmark", "drop"]
    assert found["customer_age_years"][0] == "age_bands_5"
    assert found["spend"] == ["numeric_bands", "numeric_bands", "drop"]
    assert found["postcode"] == [
        "uk_postcode_sector", "uk_postcode_district", "uk_postcode_area", "drop",
    ]  # fmt: skip
    assert found["zip"] == ["us_zip5", "us_zip3", "us_zip1", "drop"]
    assert found["when"] == ["date", "year_month", "year", "drop"]
    assert found["city"] == ["top_n", "top_n", "drop"]
    assert found["sex"] == ["drop"]
    spend = ladders(table, ["spend"])["spend"]
    assert [g.width for g in spend[:2]] == [100.0, 250.0]  # ~1000 / 10 and / 4, rounded
    assert [g.level for g in spend] == [1, 2, 3]


def test_top_values_are_the_most_frequent():
    # value v{i} is held by i + 1 records
    frame = pd.DataFrame({"c": [f"v{i:02d}" for i in range(12) for _ in range(i + 1)]})
    (top10, top5, drop) = ladders(ibis.memtable(frame), ["c"])["c"]
    assert top10.keep == tuple(f"v{i:02d}" for i in range(11, 1, -1))
    assert top5.keep == ("v11", "v10", "v09", "v08", "v07")
    assert drop.method == "drop"
    # with min_count 9 only v08 … v11 may be named: one top step of 4 values
    (top, drop) = ladders(ibis.memtable(frame), ["c"], min_count=9)["c"]
    assert top.keep == ("v11", "v10", "v09", "v08")
    assert top.label == "c: the 4 most frequent values, the rest 'other'"
    (only_drop,) = ladders(ibis.memtable(frame), ["c"], min_count=13)["c"]
    assert only_drop.method == "drop"


def _grid() -> pd.DataFrame:
    """Ages 20-79 × sex f/m, 5 records each: 120 classes of 5 (600 records)."""
    rows = [(a, s) for a, s in itertools.product(range(20, 80), "fm") for _ in range(5)]
    return pd.DataFrame(rows, columns=["age", "sex"])


def _pandas_k(frame: pd.DataFrame, suggestion, k: int) -> tuple[int, int]:
    """(k achieved, records below k) after the suggestion's changes, with pandas only."""
    out = frame.copy()
    for g in suggestion.changes:
        if g.method == "drop":
            out = out.drop(columns=g.column)
        elif g.method == "age_bands_5":
            out[g.column] = out[g.column] // 5 * 5
        elif g.method == "age_bands_10":
            out[g.column] = out[g.column] // 10 * 10
        elif g.method == "age_bands_fairmark":
            out[g.column] = np.searchsorted([25, 35, 45, 55, 65], out[g.column], side="right")
        else:
            raise AssertionError(g.method)
    if out.shape[1] == 0:
        return len(out), 0 if len(out) >= k else len(out)
    sizes = out.groupby(list(out.columns)).size()
    return int(sizes.min()), int(sizes[sizes < k].sum())


def test_single_changes_ranked_by_detail():
    frame = _grid()
    found = suggest_generalisations(ibis.memtable(frame), quasi_identifiers=["age", "sex"], k=10)
    described = [
        (tuple(g.method for g in s.changes), s.k_achieved, s.n_classes, s.meets_k) for s in found
    ]
    assert described == [
        (("drop",), 10, 60, True),  # sex dropped: 60 ages × 10
        (("age_bands_5",), 25, 24, True),
        (("age_bands_10",), 50, 12, True),
        (("age_bands_fairmark",), 25, 12, True),  # 20-24 holds 5 ages × 5 per sex
        (("drop",), 300, 2, True),  # age dropped
    ]
    assert [s.changes[0].column for s in found] == ["sex", "age", "age", "age", "age"]
    for s in found:
        assert (s.k_achieved, s.records_below_k) == _pandas_k(frame, s, 10)
        assert s.records_below_k == 0


def test_greedy_path_when_no_single_change_is_enough():
    frame = _grid()
    found = suggest_generalisations(ibis.memtable(frame), quasi_identifiers=["age", "sex"], k=60)
    first, second = found[0], found[1]
    assert [(g.column, g.method) for g in first.changes] == [("age", "drop")]
    assert first.k_achieved == 300
    # greedy: sex dropped (more classes kept), then age up to 10-year bands (k = 100);
    # the minimality pass keeps both because 5-year bands without sex give only 50.
    assert [(g.column, g.method) for g in second.changes] == [
        ("age", "age_bands_10"), ("sex", "drop"),
    ]  # fmt: skip
    assert (second.k_achieved, second.n_classes, second.meets_k) == (100, 6, True)
    for s in found:
        assert (s.k_achieved, s.records_below_k) == _pandas_k(frame, s, 60)
    unmet = [s for s in found if not s.meets_k]
    assert unmet and unmet == sorted(unmet, key=lambda s: s.records_below_k)
    # the fairmark bands come closest: only 65+ (15 ages × 5 per sex = 75) reaches 60
    assert [g.method for g in unmet[0].changes] == ["age_bands_fairmark"]
    assert unmet[0].records_below_k == 600 - 150


def test_unreachable_k():
    frame = _grid().iloc[:40]
    found = suggest_generalisations(ibis.memtable(frame), quasi_identifiers=["age", "sex"], k=50)
    assert found and not any(s.meets_k for s in found)
    assert [s.records_below_k for s in found] == sorted(s.records_below_k for s in found)


def test_max_suggestions_and_bad_arguments():
    table = ibis.memtable(_grid())
    assert len(suggest_generalisations(table, quasi_identifiers=["age", "sex"], k=10,
                                       max_suggestions=2)) == 2  # fmt: skip
    with pytest.raises(UsageError, match="k must be a whole number >= 2"):
        suggest_generalisations(table, quasi_identifiers=["age"], k=1)
    with pytest.raises(UsageError, match="max_suggestions"):
        suggest_generalisations(table, quasi_identifiers=["age"], k=2, max_suggestions=0)
