"""Number formatting shared by the HTML and Markdown reports (no metric is computed here).

Rates are shown as percentages, differences in percentage points (``pp``), ratios as
plain numbers, counts with thousands separators. ``None`` is never shown as a number:
callers turn it into "undefined" plus the reason's plain-language name. ``"inf"`` (the
JSON spelling of +infinity in ``report.json``) is shown as ``∞``.
"""

from __future__ import annotations

from fairmark.report.glossary import Unit

__all__ = [
    "MINUS",
    "fmt_ci",
    "fmt_count",
    "fmt_number",
    "fmt_p",
    "fmt_percent_level",
]

MINUS = "−"  # U+2212, so that negative numbers read well in proportional fonts

Number = float | int | str | None


def _signed(text: str) -> str:
    return text.replace("-", MINUS)


def _infinite(value: Number) -> str | None:
    if value == "inf":
        return "∞"
    if value == "-inf":
        return f"{MINUS}∞"
    return None


def _rate(x: float) -> str:
    pct = x * 100.0
    if 0 < pct < 0.05:
        return "<0.1%"
    if 99.95 < pct < 100:
        return ">99.9%"
    return f"{pct:.1f}%"


def _difference(x: float, *, signed: bool) -> str:
    pct = x * 100.0
    text = f"{pct:+.1f}" if signed else f"{pct:.1f}"
    if x != 0 and abs(pct) < 0.05:
        text = f"{pct:+.2g}" if signed else f"{pct:.2g}"
    if text in ("+0.0", "-0.0"):
        text = "0.0"
    return _signed(text) + " pp"


def _ratio(x: float) -> str:
    if x != 0 and abs(x) < 0.1:
        return _signed(f"{x:.2g}")
    return _signed(f"{x:.2f}")


def fmt_count(value: float | int) -> str:
    """Format a count with thousands separators: ``9950 -> "9,950"``.

    Parameters
    ----------
    value : int or float
        A count (a weighted count is rounded to one decimal).
    """
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def fmt_number(value: Number, unit: Unit, *, signed: bool = True) -> str | None:
    """Format one defined value in its unit; return ``None`` when ``value`` is ``None``.

    Parameters
    ----------
    value : float, int, "inf", "-inf" or None
        The value as stored in ``report.json``.
    unit : {"rate", "difference", "ratio", "count", "none"}
        ``rate``: share in [0, 1] shown as a percentage; ``difference``: difference of
        two shares shown in percentage points; ``ratio``: plain number; ``count`` and
        ``none``: plain number.
    signed : bool, default True
        Whether a difference carries an explicit ``+`` sign.

    Returns
    -------
    str or None
        ``None`` for an undefined value: the caller shows "undefined" with its reason.
    """
    if value is None:
        return None
    inf = _infinite(value)
    if inf is not None:
        return inf
    x = float(value)
    if unit == "rate":
        return _rate(x)
    if unit == "difference":
        return _difference(x, signed=signed)
    if unit == "ratio":
        return _ratio(x)
    if unit == "count":
        return fmt_count(x)
    return _signed(f"{x:g}")


def fmt_ci(low: Number, high: Number, unit: Unit, *, signed: bool = True) -> str:
    """Format a confidence interval ``"17.1% to 23.2%"``; ``""`` when it is missing.

    Parameters
    ----------
    low, high : float, "inf", "-inf" or None
        Bounds as stored in ``report.json``.
    unit : {"rate", "difference", "ratio", "count", "none"}
        As in :func:`fmt_number`.
    signed : bool, default True
        As in :func:`fmt_number`.
    """
    lo = fmt_number(low, unit, signed=signed)
    hi = fmt_number(high, unit, signed=signed)
    if lo is None or hi is None:
        return ""
    return f"{lo} to {hi}"


def fmt_p(p: float | None) -> str:
    """Format a p-value: ``0.0123``, ``0.107``, ``<0.0001``; ``"—"`` when there is none.

    Parameters
    ----------
    p : float or None
        A p-value in [0, 1].
    """
    if p is None:
        return "—"
    if p < 0.0001:
        return "<0.0001"
    if p < 0.001:
        return f"{p:.4f}"
    return f"{p:.3f}"


def fmt_percent_level(level: float) -> str:
    """Format a confidence level: ``0.95 -> "95%"``, ``0.975 -> "97.5%"``."""
    return f"{level * 100:.10g}%"
