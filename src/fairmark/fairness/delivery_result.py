"""Typed results of :func:`fairmark.fairness.delivery.delivery_skew`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairmark.checks.base import Measurement
from fairmark.fairness.result import Estimate, json_number

__all__ = [
    "GLOSSARY_KEYS",
    "DeliveryAd",
    "DeliveryGroup",
    "DeliveryPair",
    "DeliveryPairGroup",
    "DeliveryResult",
]

#: The plain-language glossary entry (:func:`fairmark.report.glossary_entry`) explaining
#: each number of the delivery document, by its path in the document.
GLOSSARY_KEYS: dict[str, str] = {
    "ads[].tvd": "delivery_skew",
    "ads[].chi_square_p_value": "chi_square",
    "groups[].eligible_share": "eligible_share",
    "groups[].delivered_share": "delivered_share",
    "groups[].share_difference": "delivery_share_difference",
    "groups[].share_ratio": "delivery_share_ratio",
    "pairs[].groups[].difference": "paired_ad_share_difference",
    "pairs[].groups[].p_value_holm": "holm",
}


@dataclass(frozen=True)
class DeliveryGroup:
    """One group of one ad in one view (impressions or unique reach).

    Attributes
    ----------
    ad : str or None
        The ad or campaign (``None`` without an ad column).
    view : {"impressions", "reach"}
    group : str
    suppressed : bool
        The group's eligible audience is below ``min_group_size``: no count or share shown.
    eligible : float or None
        People in the eligible audience (``None`` when suppressed).
    delivered : float or None
        Impressions, or people reached (``None`` when suppressed).
    eligible_share : float or None
        ``eligible / Σ eligible`` of the ad (exact: the targeting is known).
    delivered_share : Estimate
        ``delivered / Σ delivered`` of the ad, with a Wilson or Agresti–Coull interval.
    share_difference : Estimate
        ``delivered_share − eligible_share`` (interval: the delivered share's, shifted).
    share_ratio : Estimate
        ``delivered_share / eligible_share`` (interval: the delivered share's, scaled).
    """

    ad: str | None
    view: str
    group: str
    suppressed: bool
    eligible: float | None
    delivered: float | None
    eligible_share: float | None
    delivered_share: Estimate
    share_difference: Estimate
    share_ratio: Estimate

    def to_dict(self) -> dict[str, Any]:
        """Return the ``groups[]`` object of the delivery document."""
        return {
            "ad": self.ad,
            "view": self.view,
            "group": self.group,
            "suppressed": self.suppressed,
            "eligible": json_number(self.eligible),
            "delivered": json_number(self.delivered),
            "eligible_share": json_number(self.eligible_share),
            "delivered_share": self.delivered_share.to_dict(),
            "share_difference": self.share_difference.to_dict(),
            "share_ratio": self.share_ratio.to_dict(),
        }


@dataclass(frozen=True)
class DeliveryAd:
    """Delivery skew of one ad in one view.

    Attributes
    ----------
    ad : str or None
    view : {"impressions", "reach"}
    eligible_total : float
        People in the ad's eligible audience.
    delivered_total : float
        Impressions, or people reached.
    n_groups : int
        Groups the distance covers (groups with an eligible audience or a delivery).
    tvd : Estimate
        Total variation distance between the delivered and the eligible distribution over
        the groups, ``½ Σ |p_g − q_g|`` in [0, 1]; reasons ``no_deliveries``,
        ``below_min_group_size`` (fewer deliveries than ``min_group_size``).
    chi_square_p_value : float or None
        Pearson's goodness-of-fit test of the delivered counts against the eligible shares.
    """

    ad: str | None
    view: str
    eligible_total: float
    delivered_total: float
    n_groups: int
    tvd: Estimate
    chi_square_p_value: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return the ``ads[]`` object of the delivery document."""
        return {
            "ad": self.ad,
            "view": self.view,
            "eligible_total": json_number(self.eligible_total),
            "delivered_total": json_number(self.delivered_total),
            "n_groups": self.n_groups,
            "tvd": json_number(self.tvd.value),
            "tvd_reason": self.tvd.reason,
            "chi_square_p_value": json_number(self.chi_square_p_value),
        }


@dataclass(frozen=True)
class DeliveryPairGroup:
    """One group's delivered share under two paired ads: ``share_a − share_b``.

    Attributes
    ----------
    group : str
    share_a, share_b : float or None
        Delivered shares under ad ``a`` and ad ``b``.
    difference : Estimate
        ``share_a − share_b`` with a Newcombe interval (Newcombe 1998, method 10).
    p_value, p_value_holm : float or None
        Two-proportion test of equal shares (pooled z, or Fisher's exact test for small
        expected counts) and its Holm adjustment over every paired comparison of the run.
    test : str or None
        ``z`` or ``fisher``.
    """

    group: str
    share_a: float | None
    share_b: float | None
    difference: Estimate
    p_value: float | None
    p_value_holm: float | None
    test: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return one ``pairs[].groups[]`` object."""
        return {
            "group": self.group,
            "share_a": json_number(self.share_a),
            "share_b": json_number(self.share_b),
            "difference": self.difference.to_dict(),
            "p_value": json_number(self.p_value),
            "p_value_holm": json_number(self.p_value_holm),
            "test": self.test,
        }


@dataclass(frozen=True)
class DeliveryPair:
    """Two ads with the same targeting and different creatives, compared group by group.

    Attributes
    ----------
    ad_a, ad_b : str
    view : {"impressions", "reach"}
    delivered_tvd : float or None
        Total variation distance between the two delivered distributions.
    eligible_tvd : float
        Total variation distance between the two eligible distributions (0 when the
        targeting is the same, as a paired design requires).
    groups : tuple of DeliveryPairGroup
    """

    ad_a: str
    ad_b: str
    view: str
    delivered_tvd: float | None
    eligible_tvd: float
    groups: tuple[DeliveryPairGroup, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the ``pairs[]`` object of the delivery document."""
        return {
            "ad_a": self.ad_a,
            "ad_b": self.ad_b,
            "view": self.view,
            "delivered_tvd": json_number(self.delivered_tvd),
            "eligible_tvd": json_number(self.eligible_tvd),
            "groups": [g.to_dict() for g in self.groups],
        }


@dataclass(frozen=True)
class DeliveryResult:
    """Ad delivery against the eligible audience, per ad, view and group.

    Attributes
    ----------
    run_id : str
    created_at : datetime
    data_description : str
    group_column : str
        The demographic column (the ``feature`` of measurements and policy scopes).
    ad_column, person_id : str or None
    mode : {"one_table", "two_tables"}
    views : tuple of str
        ``impressions`` and/or ``reach``.
    interval : {"wilson", "agresti_coull"}
    min_group_size : int
    confidence_level : float
    ads : tuple of DeliveryAd
        One per ad and view.
    groups : tuple of DeliveryGroup
        One per ad, view and group.
    pairs : tuple of DeliveryPair
    measurements : tuple of Measurement
        What the ``delivery`` checks measured (filled in by ``delivery_skew``).
    outcome : fairmark.policy.PolicyOutcome or None
    policy : fairmark.policy.Policy or None
    """

    run_id: str
    created_at: datetime
    data_description: str
    group_column: str
    ad_column: str | None
    person_id: str | None
    mode: str
    views: tuple[str, ...]
    interval: str
    min_group_size: int
    confidence_level: float
    ads: tuple[DeliveryAd, ...]
    groups: tuple[DeliveryGroup, ...]
    pairs: tuple[DeliveryPair, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    outcome: Any = None
    policy: Any = None

    @property
    def verdict(self) -> str:
        """Policy verdict: ``pass``, ``warn``, ``fail`` or ``insufficient_evidence``."""
        return "pass" if self.outcome is None else str(self.outcome.verdict)

    @property
    def exit_code(self) -> int:
        """0 for pass/warn, 1 for fail or insufficient evidence."""
        from fairmark.policy import exit_code

        return exit_code(self.verdict)  # type: ignore[arg-type]

    def ad(self, ad: str | None = None, view: str | None = None) -> DeliveryAd:
        """Return the :class:`DeliveryAd` of ``ad`` in ``view`` (default: the first view)."""
        view = view or self.views[0]
        for a in self.ads:
            if a.ad == ad and a.view == view:
                return a
        raise KeyError((ad, view))

    def to_dict(self, *, disclosure_control: bool = True) -> dict[str, Any]:
        """Return the JSON document of the run (what ``--format json`` prints).

        Parameters
        ----------
        disclosure_control : bool, default True
            Apply small-cell suppression and differencing protection with the policy's
            ``settings.k_anonymity`` (default 10;
            :func:`fairmark.report.disclosure_control.protect_document`): the published
            document. ``False`` gives the complete document (internal use).
        """
        doc = self._complete_dict()
        if not disclosure_control:
            return doc
        from fairmark.report.disclosure_control import policy_k, protect_document

        return protect_document(doc, k=policy_k(self.policy))

    def _complete_dict(self) -> dict[str, Any]:
        """The document before disclosure control (see :meth:`to_dict`)."""
        from fairmark import __version__

        findings = self.outcome.findings if self.outcome is not None else ()
        rules = self.outcome.rules if self.outcome is not None else ()
        return {
            "kind": "delivery",
            "schema_version": "1.0",
            "run_id": self.run_id,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool_version": __version__,
            "data": self.data_description,
            "summary": {
                "group_column": self.group_column,
                "ad_column": self.ad_column,
                "person_id": self.person_id,
                "mode": self.mode,
                "views": list(self.views),
                "interval": self.interval,
                "min_group_size": self.min_group_size,
                "confidence_level": self.confidence_level,
                "n_ads": len({a.ad for a in self.ads}),
            },
            "ads": [a.to_dict() for a in self.ads],
            "groups": [g.to_dict() for g in self.groups],
            "pairs": [p.to_dict() for p in self.pairs],
            "policy": None if self.policy is None else self.policy.to_report_dict(),
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in findings],
            "rules": [r.to_dict() for r in rules],
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as JSON text (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)
