"""Ad categories that change which rules apply (special ad categories of the platforms)."""

from __future__ import annotations

from fairmark.errors import UsageError

AD_CATEGORIES: tuple[str, ...] = (
    "housing",
    "employment",
    "credit",
    "financial_products",
    "general",
)
"""Special ad categories of Meta/Google/TikTok ad policies plus ``general``.

Sources: US Fair Housing Act 42 USC 3604(c) (housing); ADEA 29 USC 623(e) and Title VII
42 USC 2000e-3(b) (employment); ECOA / Regulation B 12 CFR 1002.4(b) (credit); Meta
Advertising Standards "Special Ad Categories"; Google Ads "Personalized advertising" policy.
"""


def check_ad_category(value: str | None) -> str | None:
    """Return the normalised ad category (lower case) or ``None``.

    Parameters
    ----------
    value : str or None
        An ad category name; case and surrounding spaces are ignored.

    Returns
    -------
    str or None

    Raises
    ------
    UsageError
        If ``value`` is not one of :data:`AD_CATEGORIES`.
    """
    if value is None:
        return None
    v = str(value).strip().lower()
    if v not in AD_CATEGORIES:
        raise UsageError(
            f"unknown ad category {value!r}; expected one of {', '.join(AD_CATEGORIES)}"
        )
    return v
