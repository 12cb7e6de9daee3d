"""Checking contenders' rates against reference cell counts (hand-computed cases)."""

from __future__ import annotations

import pytest
from bench_verify import parse_key, reference_rates, verify

# [age_band, gender, region, n, n_pos, n_sel, tp]
CELLS = [
    ["18-24", "female", "R01", 10, 4, 3, 2],  # tp 2, fp 1, fn 2, tn 5
    ["18-24", "male", "R01", 6, 0, 2, 0],  # tp 0, fp 2, fn 0, tn 4
    ["25-34", "male", "R02", 4, 2, 0, 0],  # tp 0, fp 0, fn 2, tn 2
]


def test_parse_key() -> None:
    assert parse_key("") == {}
    assert parse_key("age_band=18-24&gender=male|non-binary") == {
        "age_band": {"18-24"},
        "gender": {"male", "non-binary"},
    }
    with pytest.raises(ValueError, match="bad group key term"):
        parse_key("colour=red")
    with pytest.raises(ValueError, match="bad group key term"):
        parse_key("gender")


def test_reference_rates_by_hand() -> None:
    # one cell
    assert reference_rates(CELLS, "age_band=18-24&gender=female&region=R01") == [0.3, 0.5, 1 / 6]
    # marginal: first two cells: tp 2, fp 3, fn 2, tn 9 -> 5/16, 2/4, 3/12
    assert reference_rates(CELLS, "age_band=18-24") == [5 / 16, 0.5, 0.25]
    # no positives: TPR undefined
    assert reference_rates(CELLS, "gender=male&region=R01") == [2 / 6, None, 2 / 6]
    # alternatives and the whole population: tp 2, fp 3, fn 4, tn 11
    assert reference_rates(CELLS, "gender=female|male") == [0.25, 2 / 6, 3 / 14]
    assert reference_rates(CELLS, "") == [0.25, 2 / 6, 3 / 14]
    # a group with no rows
    assert reference_rates(CELLS, "region=R50") is None


def test_verify_accepts_agreement_within_tolerance() -> None:
    v = verify({"age_band=18-24": [5 / 16 + 1e-12, 0.5, 0.25]}, CELLS)
    assert v.ok and v.n_groups == 1 and 0 < v.max_abs_diff < 1e-11


def test_verify_flags_disagreements() -> None:
    v = verify(
        {
            "age_band=18-24": [0.3, 0.5, 0.25],  # wrong selection rate
            "gender=male&region=R01": [2 / 6, 0.5, 2 / 6],  # TPR defined, reference is not
            "age_band=25-34": [0.0, None, 0.0],  # TPR undefined, reference 0.0
            "region=R50": [0.1, None, None],  # no such rows, but a value
        },
        CELLS,
    )
    assert not v.ok and v.n_mismatches == 4
    assert any("age_band=18-24 selection_rate" in m for m in v.mismatches)


def test_verify_counts_undefined_reported_as_zero_apart() -> None:
    v = verify({"gender=male&region=R01": [2 / 6, 0.0, 2 / 6], "region=R50": [0, 0, 0]}, CELLS)
    assert v.ok and v.n_undefined_as_zero == 4


def test_nothing_compared_is_not_ok() -> None:
    assert not verify({}, CELLS).ok
