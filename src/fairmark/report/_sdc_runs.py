"""Disclosure control of the delivery, representation and proxies documents.

Each function pair builds the count cells and additive relations of one kind of document
(:class:`fairmark.report._sdc_common.TableBuilder`) and writes a suppression pattern back:

* **delivery**: per ad and view the groups' eligible people add up to ``eligible_total``
  and their deliveries to ``delivered_total``; the eligible audience of a group is the
  same in both views; with unique reach, the people reached are part of the eligible
  people. A group whose eligible count is suppressed is hidden (every count and share),
  and so are its paired comparisons and findings; a suppressed delivered count alone is
  ``null`` and named in the row's ``suppressed_counts``.
* **representation**: the groups add up to ``n_used``; ``n_used`` and ``n_missing`` add up
  to ``n_rows``. A group whose ``n`` is suppressed is hidden (``n``, observed share and
  ratio; the reference share is public and stays).
* **proxies**: the only counts are the rows (``n_rows``), the rows missing each feature
  (``n_missing``, part of ``n_rows``) and the rows sampled for the joint test.

Counts a document already hides (a group below ``min_group_size``) are unknown here: they
are derived by subtraction where the relations allow it, else treated as sensitive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairmark.errors import Reason
from fairmark.privacy.disclosure import Suppression
from fairmark.report._sdc_common import (
    TableBuilder,
    as_count,
    hide_estimate,
    hide_finding,
    mark_count,
)

__all__ = [
    "apply_delivery",
    "apply_proxies",
    "apply_representation",
    "delivery_table",
    "proxies_table",
    "representation_table",
]

_HIDDEN = Reason.BELOW_MIN_GROUP_SIZE.value


# --- delivery -----------------------------------------------------------------------------


def _dkey(field: str, g: Mapping[str, Any]) -> tuple[Any, ...]:
    return (field, g["ad"], g["view"], g["group"])


def delivery_table(doc: Mapping[str, Any]) -> TableBuilder:
    """Return the count cells and relations of a delivery document."""
    table = TableBuilder()
    for a in doc["ads"]:
        for field in ("eligible_total", "delivered_total"):
            table.cell((field, a["ad"], a["view"]), as_count(a[field]))
    members: dict[tuple[str, Any, str], list[Any]] = {}
    for g in doc["groups"]:
        shown = not g["suppressed"]
        for field in ("eligible", "delivered"):
            count = as_count(g[field]) if shown else None
            head = _dkey("eligible", g) if field == "delivered" else None
            cid = table.cell(_dkey(field, g), count, published=shown, follows=head)
            members.setdefault((field, g["ad"], g["view"]), []).append(cid)
        if g["view"] == "reach":
            rest = ("not_reached", g["ad"], g["view"], g["group"])
            table.nested(_dkey("eligible", g), _dkey("delivered", g), rest)
    for (field, ad, view), ids in members.items():
        table.relation((f"{field}_total", ad, view), ids)
    views = {(g["ad"], g["group"]) for g in doc["groups"] if g["view"] == "reach"}
    for g in doc["groups"]:
        if g["view"] == "impressions" and (g["ad"], g["group"]) in views:
            same = ("eligible", g["ad"], "reach", g["group"])
            table.relation(_dkey("eligible", g), [same])
    for a in doc["ads"]:
        if a["view"] == "impressions":
            table.relation(("eligible_total", a["ad"], "impressions"), [
                ("eligible_total", a["ad"], "reach")
            ])
    return table


def apply_delivery(doc: dict[str, Any], supp: Suppression) -> dict[str, Any]:
    """Write a suppression pattern into a delivery document (in place; returned)."""
    for a in doc["ads"]:
        for field in ("eligible_total", "delivered_total"):
            reason = supp.reason((field, a["ad"], a["view"]))
            if reason is not None:
                mark_count(a, field, reason)
    hidden: dict[tuple[Any, str, str], str] = {}
    for g in doc["groups"]:
        g.setdefault("suppressed_counts", {})
        if g["suppressed"]:
            g["suppressed_reason"] = g.get("suppressed_reason") or _HIDDEN
            continue
        reason = supp.reason(_dkey("eligible", g))
        if reason is not None:
            hidden[(g["ad"], g["view"], g["group"])] = reason
            g.update(suppressed=True, suppressed_reason=reason, eligible=None, delivered=None)
            g["eligible_share"] = None
            for est in ("delivered_share", "share_difference", "share_ratio"):
                g[est] = hide_estimate(reason)
            continue
        g["suppressed_reason"] = None
        reason = supp.reason(_dkey("delivered", g))
        if reason is not None:
            mark_count(g, "delivered", reason)
    for pair in doc["pairs"]:
        for item in pair["groups"]:
            reason = next(
                (
                    hidden[(ad, pair["view"], item["group"])]
                    for ad in (pair["ad_a"], pair["ad_b"])
                    if (ad, pair["view"], item["group"]) in hidden
                ),
                None,
            )
            if reason is not None:
                item.update(share_a=None, share_b=None, p_value=None, p_value_holm=None, test=None)
                item["difference"] = hide_estimate(reason)
    column = doc["summary"]["group_column"]
    by_group = {group: reason for (_, _, group), reason in hidden.items()}
    for f in doc["findings"]:
        if f.get("feature") == column and f.get("group") in by_group:
            hide_finding(f, by_group[f["group"]])
    doc["disclosure_control"] = supp.to_dict()
    return doc


# --- representation -----------------------------------------------------------------------


def representation_table(doc: Mapping[str, Any]) -> TableBuilder:
    """Return the count cells and relations of a representation document."""
    table = TableBuilder()
    s = doc["summary"]
    table.cell(("summary", "n_rows"), as_count(s["n_rows"]))
    table.cell(("summary", "n_used"), as_count(s["n_used"]))
    missing = as_count(s["n_missing"]) if s["n_missing"] is not None else None
    if s["n_missing"] is None and not s.get("has_missing", True):
        missing = 0
    table.cell(("summary", "n_missing"), missing, published=s["n_missing"] is not None)
    table.relation(("summary", "n_rows"), [("summary", "n_used"), ("summary", "n_missing")])
    ids = []
    for g in doc["groups"]:
        shown = not g["suppressed"]
        count = as_count(g["n"]) if shown else None
        if shown and g["n"] is None and not g.get("in_data", True):
            count = 0
        ids.append(table.cell(("group", g["group"]), count, published=shown))
    table.relation(("summary", "n_used"), ids)
    return table


def apply_representation(doc: dict[str, Any], supp: Suppression) -> dict[str, Any]:
    """Write a suppression pattern into a representation document (in place; returned)."""
    s = doc["summary"]
    for field in ("n_rows", "n_used", "n_missing"):
        reason = supp.reason(("summary", field))
        if reason is not None:
            mark_count(s, field, reason)
    hidden: dict[str, str] = {}
    for g in doc["groups"]:
        if g["suppressed"]:
            g["suppressed_reason"] = g.get("suppressed_reason") or _HIDDEN
            continue
        reason = supp.reason(("group", g["group"]))
        if reason is None:
            g["suppressed_reason"] = None
            continue
        hidden[g["group"]] = reason
        g.update(suppressed=True, suppressed_reason=reason, n=None)
        g["observed_share"] = hide_estimate(reason)
        g["representation_ratio"] = hide_estimate(reason)
    for f in doc["findings"]:
        if f.get("feature") == doc["feature"] and f.get("group") in hidden:
            hide_finding(f, hidden[f["group"]])
    doc["disclosure_control"] = supp.to_dict()
    return doc


# --- proxies ------------------------------------------------------------------------------


def proxies_table(doc: Mapping[str, Any]) -> TableBuilder:
    """Return the count cells and relations of a proxies document."""
    table = TableBuilder()
    rows = table.cell(("summary", "n_rows"), as_count(doc["summary"]["n_rows"]))
    for p in doc["proxies"]:
        cid = table.cell(("n_missing", p["feature"]), as_count(p["n_missing"]))
        table.nested(rows, cid, ("present", p["feature"]))
    for name, joint in (doc.get("redundant_encoding_auc") or {}).items():
        table.cell(("n_sample", name), as_count(joint.get("n_sample")))
    return table


def apply_proxies(doc: dict[str, Any], supp: Suppression) -> dict[str, Any]:
    """Write a suppression pattern into a proxies document (in place; returned)."""
    reason = supp.reason(("summary", "n_rows"))
    if reason is not None:
        mark_count(doc["summary"], "n_rows", reason)
    for p in doc["proxies"]:
        reason = supp.reason(("n_missing", p["feature"]))
        if reason is not None:
            mark_count(p, "n_missing", reason)
    for name, joint in (doc.get("redundant_encoding_auc") or {}).items():
        reason = supp.reason(("n_sample", name))
        if reason is not None:
            mark_count(joint, "n_sample", reason)
    doc["disclosure_control"] = supp.to_dict()
    return doc
