"""Number and bound formatting of finding messages (hand-computed expectations)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairmark.policy.wording import (
    bounds_text,
    confidence_text,
    format_bound,
    format_value,
    reason_text,
)


@pytest.mark.parametrize(
    ("value", "near", "expected"),
    [
        (0.62, (), "0.62"),
        (0.625, (), "0.62"),  # binary 0.625 is exact: round-half-even
        (1.0, (), "1.00"),
        (12.3456, (), "12.35"),
        (0.048, (), "0.048"),
        (0.0123, (), "0.012"),
        (0.0042, (), "0.0042"),
        (-0.15, (), "-0.15"),
        (0.0, (), "0.00"),
        (-0.0, (), "0.00"),
        (math.inf, (), "infinite"),
        (0.796, (0.8,), "0.796"),
        (0.7999, (0.8,), "0.7999"),
        (0.8, (0.8,), "0.80"),
        (0.1004, (None, 0.1), "0.1004"),
        (0.79, (0.8,), "0.79"),
    ],
)
def test_format_value(value: float, near: tuple, expected: str) -> None:
    assert format_value(value, near) == expected


@given(
    value=st.floats(min_value=-10, max_value=10, allow_nan=False),
    bound=st.floats(min_value=-10, max_value=10, allow_nan=False),
)
def test_a_value_never_looks_equal_to_a_different_bound(value: float, bound: float) -> None:
    if abs(value - bound) < 1e-6 or 0 < abs(value) < 0.01:
        return  # beyond six decimals, or shown with significant digits
    shown = format_value(value, (bound,))
    decimals = len(shown.split(".")[1])
    assert shown != f"{bound:.{decimals}f}"


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        (0.8, "0.8"),
        (0.1, "0.1"),
        (0.0, "0"),
        (30.0, "30"),
        (-0.05, "-0.05"),
        (math.inf, "infinity"),
    ],
)
def test_format_bound(bound: float, expected: str) -> None:
    assert format_bound(bound) == expected


def test_bounds_text() -> None:
    assert bounds_text(0.8, None) == "at least 0.8"
    assert bounds_text(None, 0.1) == "at most 0.1"
    assert bounds_text(-0.1, 0.1) == "between -0.1 and 0.1"


def test_confidence_text() -> None:
    assert confidence_text(0.48, 0.8, 0.95) == "95% CI 0.48–0.80"
    assert confidence_text(-0.18, -0.06, 0.9) == "90% CI -0.180 to -0.060"
    assert confidence_text(0.01, 0.09, 0.95) == "95% CI 0.010–0.090"
    assert confidence_text(0.05, 0.25, 0.95) == "95% CI 0.050–0.250"
    assert confidence_text(0.001, 0.25, 0.95) == "95% CI 0.001–0.25"
    assert confidence_text(1.2, math.inf, 0.995) == "99.5% CI 1.20 to infinity"


def test_reason_text() -> None:
    assert reason_text("empty_group") == "reason empty_group: the group has no rows"
    assert reason_text("something_new") == "reason something_new"
    assert reason_text(None) == "no reason given"
