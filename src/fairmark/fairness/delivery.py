"""``fairmark.delivery_skew``: who actually saw the ad, against who was eligible to see it.

Ad platforms choose, within the audience an advertiser targets, who is shown an ad. That
choice can skew delivery by gender or ethnicity even when the targeting is neutral: Ali et
al. (2019, *Discrimination through optimization*, Proc. ACM CSCW 3:199) found job and
housing ads with identical targeting delivered to very different audiences depending on
the creative, and Imana, Korolova & Heidemann (2021, WWW) confirmed it for job ads with
the same qualifications. In the settlement of *United States v. Meta Platforms, Inc.*
(S.D.N.Y., June 2022) Meta agreed to build the Variance Reduction System (VRS), which
for housing ads measures the distance between the demographic distribution of an ad's
eligible audience and that of its impressions and re-ranks delivery to shrink it (Meta
2023, *Toward fairness in personalized ads*; Timmaraju et al. 2023, arXiv:2306.03293).

This module reports, from engine aggregates only:

* per ad, view and group: the eligible share ``q_g``, the delivered share ``p_g`` (Wilson
  or Agresti–Coull interval), their difference ``p_g − q_g`` and ratio ``p_g / q_g``;
* per ad and view: the **total variation distance** ``TVD = ½ Σ_g |p_g − q_g|`` — the
  smallest share of the delivery that would have to move between groups for it to match
  the eligible audience; for two groups ``|p_men − q_men|`` — and Pearson's chi-square
  goodness-of-fit p-value;
* for paired ads (same targeting, different creative): per group the difference of the
  delivered shares with a Newcombe interval and a two-proportion test, Holm-adjusted.

Views: ``impressions`` (impression-weighted, as the Meta settlement measures; impressions
may exceed the eligible audience) and ``reach`` (unique people, when ``person_id`` is given
or the delivered column counts people; reach may never exceed the eligible audience).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fairmark.errors import DataError, UsageError
from fairmark.fairness import stats
from fairmark.fairness._delivery_engine import delivery_cells
from fairmark.fairness.delivery_result import DeliveryPair, DeliveryPairGroup, DeliveryResult
from fairmark.fairness.delivery_stats import ad_view_stats, pair_stats, total_variation_distance
from fairmark.fairness.spec import DEFAULT_MIN_GROUP_SIZE

__all__ = ["DeliveryResult", "delivery_skew", "total_variation_distance"]

INTERVALS = ("wilson", "agresti_coull")


def _settings(
    policy: Any, min_group_size: int | None, confidence: float | None
) -> tuple[int, float]:
    s = policy.settings
    min_n = min_group_size if min_group_size is not None else s.min_group_size
    min_n = DEFAULT_MIN_GROUP_SIZE if min_n is None else min_n
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 0:
        raise UsageError(f"min_group_size must be a whole number >= 0, got {min_n!r}")
    conf = confidence if confidence is not None else s.confidence_level
    conf = 0.95 if conf is None else conf
    if isinstance(conf, bool) or not isinstance(conf, int | float) or not 0 < conf < 1:
        raise UsageError(f"confidence_level must be in (0, 1), got {conf!r}")
    return min_n, float(conf)


def _pairs(
    value: Sequence[Sequence[str]] | None, ads: list[str | None], ad: str | None
) -> list[tuple[str, str]]:
    if not value:
        return []
    if ad is None:
        raise UsageError("pairs compare two ads: give the ad column (ad=) as well")
    known = [a for a in ads if a is not None]
    out = []
    for item in value:
        if isinstance(item, str) or len(item) != 2:
            raise UsageError(f"a pair must be two ad ids, got {item!r}")
        a, b = str(item[0]), str(item[1])
        for x in (a, b):
            if x not in known:
                shown = ", ".join(repr(k) for k in known[:20])
                raise UsageError(f"paired ad {x!r} not found in column {ad!r}; ads: {shown}")
        if a == b:
            raise UsageError(f"a pair needs two different ads, got {a!r} twice")
        out.append((a, b))
    return out


def _holm(pairs: list[DeliveryPair]) -> list[DeliveryPair]:
    refs = [
        (i, j) for i, p in enumerate(pairs) for j, g in enumerate(p.groups) if g.p_value is not None
    ]
    adjusted = stats.holm_adjust([pairs[i].groups[j].p_value for i, j in refs])
    groups = [list(p.groups) for p in pairs]
    for (i, j), value in zip(refs, adjusted, strict=True):
        g = groups[i][j]
        groups[i][j] = DeliveryPairGroup(
            g.group, g.share_a, g.share_b, g.difference, g.p_value, value, g.test
        )
    return [replace(p, groups=tuple(gs)) for p, gs in zip(pairs, groups, strict=True)]


def delivery_skew(
    data: Any,
    *,
    group: str,
    eligible: str,
    delivered: str,
    ad: str | None = None,
    person_id: str | None = None,
    delivered_data: Any = None,
    delivered_kind: str = "impressions",
    pairs: Sequence[Sequence[str]] | None = None,
    interval: str = "wilson",
    policy: Any = None,
    min_group_size: int | None = None,
    confidence_level: float | None = None,
) -> DeliveryResult:
    """Measure how an ad's delivered audience differs from its eligible audience, by group.

    Parameters
    ----------
    data : path, pandas/polars/pyarrow table, ibis.Table or Spark DataFrame
        One table: one row per person (or per person and ad) with ``eligible`` and
        ``delivered``; or, with ``delivered_data``, the eligible audience (rows or counts
        per group and ad).
    group : str
        Demographic column (gender, age band, estimated ethnicity); missing values form
        the group ``(missing)``.
    eligible : str
        True/false flag (or 0/1) of being in the ad's eligible (targeted) audience, or a
        non-negative count of eligible people on aggregated rows. With ``person_id`` it
        must be a flag.
    delivered : str
        Impressions shown (a non-negative count) or a true/false flag; with
        ``delivered_kind="reach"``, the number of people reached (aggregated reports).
        Rows that are not eligible must have no delivery.
    ad : str, optional
        Ad or campaign column: each ad is measured separately.
    person_id : str, optional
        Person column: adds the unique-reach view (distinct people delivered to), next to
        impressions. A person must belong to one group per ad.
    delivered_data : table, optional
        Second table with the deliveries (``group``, ``delivered``, optional ``ad`` and
        ``person_id``); ``data`` then holds only the eligible audience.
    delivered_kind : {"impressions", "reach"}
        What ``delivered`` counts (default impressions).
    pairs : list of (ad, ad), optional
        Ads with the same targeting and different creatives to compare group by group.
    interval : {"wilson", "agresti_coull"}
        Interval of the delivered shares (Wilson 1927; Agresti & Coull 1998).
    policy : str, path or Policy, optional
        Policy to judge the ``delivery`` checks (``fairness.delivery_skew``) against
        (default: built-in, which has no delivery rule).
    min_group_size : int, optional
        Groups with a smaller eligible audience are not estimated and show no counts; ads
        with fewer deliveries get no distance. Default: the policy's, else 30.
    confidence_level : float, optional
        Default: the policy's, else 0.95.

    Returns
    -------
    DeliveryResult
        ``ads`` (TVD and chi-square p-value per ad and view), ``groups`` (shares,
        differences, ratios), ``pairs``, the measurements and the policy verdict
        (``run_kind="delivery"``); ``to_dict()`` is the ``--format json`` document.

    Raises
    ------
    DataError
        Missing columns (the available ones are listed), text in the flag/count columns,
        missing, negative or infinite counts, deliveries outside the eligible audience,
        **a unique reach larger than the group's eligible audience** (impressions may
        exceed it; people reached may not), a person in two groups of one ad, an ad with no
        eligible audience.
    UsageError
        Unknown ``delivered_kind`` or ``interval``, ``reach`` with ``person_id``, pairs
        without an ad column or naming unknown ads, bad ``min_group_size`` or
        ``confidence_level``.
    PolicyError
        A malformed policy.

    Notes
    -----
    The eligible shares are treated as known exactly (the targeting is a census of the
    eligible audience), so the intervals of the difference and the ratio are the delivered
    share's interval shifted by, or divided by, the eligible share. Impressions are not
    independent draws (the same person may see an ad often): impression-weighted intervals
    and p-values are then too narrow; use the reach view for inference.

    Examples
    --------
    >>> import pandas as pd
    >>> from fairmark.fairness.delivery import delivery_skew
    >>> df = pd.DataFrame({"gender": ["m"] * 50 + ["f"] * 50, "eligible": True,
    ...                    "shown": [1] * 40 + [0] * 10 + [1] * 10 + [0] * 40})
    >>> r = delivery_skew(df, group="gender", eligible="eligible", delivered="shown")
    >>> round(r.ad().tvd.value, 2)  # 80% men delivered against 50% men eligible
    0.3
    """
    from fairmark.checks import get_registry
    from fairmark.policy import evaluate, load_policy

    pol = load_policy(policy if policy is not None else "default")
    min_n, conf = _settings(pol, min_group_size, confidence_level)
    if interval not in INTERVALS:
        raise UsageError(f"interval must be wilson or agresti_coull, got {interval!r}")
    cells = delivery_cells(
        data,
        group=group,
        eligible=eligible,
        delivered=delivered,
        ad=ad,
        person_id=person_id,
        delivered_data=delivered_data,
        delivered_kind=delivered_kind,
    )
    frame = cells.frame
    ad_labels: list[str | None] = [None] if ad is None else sorted({str(a) for a in frame["ad"]})
    wanted = _pairs(pairs, ad_labels, ad)
    rows: dict[tuple[str | None, str], list[tuple[str, float, float]]] = {}
    for label in ad_labels:
        part = frame if ad is None else frame[frame["ad"] == label]
        if float(part["eligible"].sum()) <= 0:
            where = f"ad {label!r}" if label is not None else "the data"
            raise DataError(
                f"{where} has no eligible audience (every {eligible!r} is 0 or false); "
                "expected the people the ad was targeted at"
            )
        for view in cells.views:
            rows[(label, view)] = [
                (str(g), float(e), float(d))
                for g, e, d in zip(part["group"], part["eligible"], part[view], strict=True)
            ]
    ads, groups = [], []
    for (label, view), r in rows.items():
        one, gs = ad_view_stats(
            label, view, r, min_group_size=min_n, interval=interval, confidence=conf
        )
        ads.append(one)
        groups += gs
    compared = _holm(
        [
            pair_stats(
                a, b, view, rows[(a, view)], rows[(b, view)], min_group_size=min_n, confidence=conf
            )
            for a, b in wanted
            for view in cells.views
        ]
    )
    description = data if isinstance(data, str | os.PathLike) else cells.description
    result = DeliveryResult(
        run_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        data_description=str(description) if delivered_data is None else cells.description,
        group_column=group,
        ad_column=ad,
        person_id=person_id,
        mode=cells.mode,
        views=cells.views,
        interval=interval,
        min_group_size=min_n,
        confidence_level=conf,
        ads=tuple(ads),
        groups=tuple(groups),
        pairs=tuple(compared),
    )
    measurements = tuple(
        m
        for check in get_registry().values()
        if check.input == "delivery"
        for m in check.measure(result)
    )
    outcome = evaluate(pol, measurements, confidence_level=conf, run_kind="delivery")
    return replace(result, measurements=measurements, outcome=outcome, policy=pol)
