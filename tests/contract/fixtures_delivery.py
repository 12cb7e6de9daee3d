"""Contract fixture of the delivery check: two ads delivered against one eligible audience."""

from __future__ import annotations

import pandas as pd

from fairmark.fairness.delivery import delivery_skew
from fairmark.fairness.delivery_result import DeliveryResult


def _two_ads() -> DeliveryResult:
    """100 eligible people per ad (half women); ad 'a' reaches 40 men and 10 women."""
    rows = []
    for ad, shown_men, shown_women in (("a", 40, 10), ("b", 26, 24)):
        for i in range(50):
            rows.append({"ad": ad, "gender": "man", "eligible": True, "shown": int(i < shown_men)})
            rows.append(
                {"ad": ad, "gender": "woman", "eligible": True, "shown": int(i < shown_women)}
            )
    return delivery_skew(
        pd.DataFrame(rows), group="gender", eligible="eligible", delivered="shown", ad="ad"
    )


FIXTURES = {"fairness.delivery_skew": _two_ads}
