"""Check `fairness.delivery_skew`: total variation distance between an ad's delivered and
eligible audiences, per ad and view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:  # the result module imports fairmark.checks: no import cycle at run time
    from fairmark.fairness.delivery_result import DeliveryResult


def _measure(result: DeliveryResult) -> list[Measurement]:
    out = []
    for a in result.ads:
        where = f"ad {a.ad!r}, " if a.ad is not None else ""
        view = "impressions" if a.view == "impressions" else "unique people reached"
        out.append(
            Measurement(
                check_id="fairness.delivery_skew",
                feature=result.group_column,
                group=None,
                reference=None,
                value=a.tvd.value,
                reason=a.tvd.reason,
                detail=f"{where}{view}, over {a.n_groups} groups",
            )
        )
    return out


CHECK = Check(
    id="fairness.delivery_skew",
    title="Delivery skew: total variation distance between who saw an ad and who was "
    "eligible to see it",
    principle="fairness",
    scope="feature",
    direction="lower_is_better",
    metric="delivery_skew",
    source="Meta 2023, Toward fairness in personalized ads (Variance Reduction System); "
    "United States v. Meta Platforms, Inc. (S.D.N.Y. 2022, settlement); Ali et al. 2019, "
    "CSCW",
    measure=_measure,
    input="delivery",
)
