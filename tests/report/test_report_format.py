"""Number formatting of the human-readable reports, against hand-computed strings."""

from __future__ import annotations

import pytest

from fairmark.report._format import fmt_ci, fmt_count, fmt_number, fmt_p, fmt_percent_level


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.2, "20.0%"),
        (271 / 2650, "10.2%"),  # 10.226…%
        (0.0, "0.0%"),  # a real zero is shown as zero
        (1.0, "100.0%"),
        (0.0004, "<0.1%"),  # not rounded down to a misleading 0.0%
        (0.99996, ">99.9%"),  # not rounded up to a misleading 100.0%
    ],
)
def test_rates_are_percentages(value: float, expected: str) -> None:
    assert fmt_number(value, "rate") == expected


@pytest.mark.parametrize(
    ("value", "signed", "expected"),
    [
        (-0.053, True, "−5.3 pp"),
        (0.053, True, "+5.3 pp"),
        (0.0, True, "0.0 pp"),
        (0.15, False, "15.0 pp"),
        (-0.1, False, "−10.0 pp"),
        (0.0003, True, "+0.03 pp"),  # tiny but not zero
    ],
)
def test_differences_are_percentage_points(value: float, signed: bool, expected: str) -> None:
    assert fmt_number(value, "difference", signed=signed) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.430034, "0.43"), (0.01607, "0.016"), (1.0, "1.00"), (0.0, "0.00"), ("inf", "∞")],
)
def test_ratios(value: float | str, expected: str) -> None:
    assert fmt_number(value, "ratio") == expected


def test_undefined_is_never_a_number() -> None:
    for unit in ("rate", "difference", "ratio", "count", "none"):
        assert fmt_number(None, unit) is None  # type: ignore[arg-type]
    assert fmt_number("-inf", "difference") == "−∞"
    assert fmt_ci(None, 0.5, "rate") == ""


def test_counts_intervals_p_values_and_levels() -> None:
    assert fmt_count(9950) == "9,950"
    assert fmt_count(1234.56) == "1,234.6"
    assert fmt_number(3.0, "count") == "3"
    assert fmt_ci(0.091, 0.114, "rate") == "9.1% to 11.4%"
    assert fmt_ci(-0.153, -0.118, "difference") == "−15.3 pp to −11.8 pp"
    assert fmt_p(None) == "—"
    assert fmt_p(1.2363e-44) == "<0.0001"
    assert fmt_p(0.000263646) == "0.0003"
    assert fmt_p(0.107349) == "0.107"
    assert fmt_p(1.0) == "1.000"
    assert fmt_percent_level(0.95) == "95%"
    assert fmt_percent_level(0.975) == "97.5%"
