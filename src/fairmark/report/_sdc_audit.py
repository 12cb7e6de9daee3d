"""Disclosure control of an audit's ``report.json`` (small cells and differencing).

The published counts of an audit form linked frequency tables: per feature the groups
add up to ``summary.n_used``; the cells of an intersection add up to each marginal group
(and to any published sub-intersection); within a group the people selected and not
selected add up to ``n`` (and the actual positives and negatives); ``n_used`` and the
excluded rows add up to ``n_rows``. :func:`audit_table` turns a document into those cells
and relations, :func:`apply_audit` writes a :class:`fairmark.privacy.disclosure.Suppression`
back into the document:

* a group whose ``n`` is suppressed is hidden entirely (``suppressed: true``, every count
  ``null``, every metric ``{value: null, reason}``), and so is every comparison, score or
  outcome metric and finding that involves it as group or reference;
* a suppressed ``n_pos`` / ``n_pred_pos`` / score or outcome count of a published group is
  ``null``, named in the row's ``suppressed_counts`` (``field -> reason``);
* suppressed summary counts are ``null`` and named in ``summary.suppressed_counts``.

Counts are unweighted: with ``sample_weight`` the weighted ``n_pos`` / ``n_pred_pos`` are
judged on the unweighted counts the audit passes in (``counts``); without them they are
unknown and therefore treated as sensitive.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from itertools import combinations
from typing import Any, NamedTuple

from fairmark.errors import Reason
from fairmark.privacy.disclosure import BELOW_K, Suppression
from fairmark.report._sdc_common import (
    HIDDEN_REASONS,
    TableBuilder,
    as_count,
    hide_estimate,
    hide_finding,
    mark_count,
)

__all__ = ["GroupCounts", "apply_audit", "audit_table"]

SEP = " & "
_GROUP_COUNT_FIELDS = ("n", "n_pos", "n_pred_pos")
_SUMMARY_TOTAL = {"n": ("summary", "n_used"), "n_pred_pos": ("summary", "n_selected")}
_SCORE_COUNTS = ("score_n", "missing_scores")
_OUTCOME_COUNTS = ("outcome_n", "outcome_n_missing")
_HIDDEN = Reason.BELOW_MIN_GROUP_SIZE.value
_REFERENCE_COST = 100.0


class GroupCounts(NamedTuple):
    """Unweighted counts of one group: rows, actual positives, selected."""

    n: int
    n_pos: int
    n_pred_pos: int


def _gid(feature: str, group: str, field: str) -> tuple[str, ...]:
    return ("group", feature, group, field)


def _summary_cells(table: TableBuilder, doc: Mapping[str, Any]) -> None:
    summary = doc["summary"]
    for name in ("n_rows", "n_used", "n_excluded", "n_selected"):
        if name in summary:
            table.cell(("summary", name), as_count(summary[name]))
    table.relation(("summary", "n_rows"), [("summary", "n_used"), ("summary", "n_excluded")])
    reasons = summary.get("excluded_reasons") or {}
    parts = []
    for reason, value in reasons.items():
        cid = table.cell(("summary", "excluded_reasons", reason), as_count(value))
        parts.append(cid)
        table.nested(("summary", "n_excluded"), cid, ("free", "excluded_not", reason))
    table.relation(("summary", "n_excluded"), parts)  # kept only when the reasons add up
    table.nested(("summary", "n_used"), ("summary", "n_selected"), ("free", "not_selected"))


def _item_counts(doc: Mapping[str, Any]) -> dict[tuple[str, str, str], tuple[int | None, bool]]:
    """Per (feature, group, field) of score and outcome items: (count, published)."""
    out: dict[tuple[str, str, str], tuple[int | None, bool]] = {}
    for m in doc.get("score_metrics") or ():
        group = m.get("group")
        if group is None or m.get("n_groups") is not None:
            continue
        shown = m.get("reason") not in HIDDEN_REASONS
        if m["metric"] == "missing_scores":
            out.setdefault((m["feature"], group, "missing_scores"), (as_count(m["value"]), shown))
        if m.get("n") is not None:
            out.setdefault((m["feature"], group, "score_n"), (as_count(m["n"]), True))
    for m in doc.get("outcome_metrics") or ():
        if m["metric"] in _OUTCOME_COUNTS:
            shown = m.get("reason") not in HIDDEN_REASONS
            out.setdefault((m["feature"], m["group"], m["metric"]), (as_count(m["value"]), shown))
    return out


def _group_cells(
    table: TableBuilder,
    doc: Mapping[str, Any],
    counts: Mapping[tuple[str, str], GroupCounts] | None,
) -> dict[str, list[Mapping[str, Any]]]:
    weighted = bool(doc.get("spec", {}).get("sample_weight"))
    items = _item_counts(doc)
    refs = {
        (f, ref.get("group"))
        for f, ref in (doc["summary"].get("reference_groups") or {}).items()
        if isinstance(ref, Mapping)
    }
    by_feature: dict[str, list[Mapping[str, Any]]] = {}
    for g in doc["groups"]:
        feature, group = g["feature"], g["group"]
        by_feature.setdefault(feature, []).append(g)
        shown = not g["suppressed"]
        true = counts.get((feature, group)) if counts is not None else None
        n_id = _gid(feature, group, "n")
        for name in _GROUP_COUNT_FIELDS:
            if true is not None:
                value: int | None = getattr(true, name)
            elif not shown or (weighted and name != "n"):
                value = None
            else:
                value = as_count(g[name])
            head = None if name == "n" else n_id
            # hiding a reference group would hide every comparison of its feature
            cost = _REFERENCE_COST if name == "n" and (feature, group) in refs else 0.0
            table.cell(
                _gid(feature, group, name), value, published=shown, follows=head, cost=cost
            )
        for name in (*_SCORE_COUNTS, *_OUTCOME_COUNTS):
            if (feature, group, name) in items:
                value, published = items[(feature, group, name)]
                head = _gid(feature, group, "outcome_n") if name == "outcome_n_missing" else n_id
                if head not in table.cells:
                    head = n_id
                table.cell(
                    _gid(feature, group, name),
                    value,
                    published=shown and published,
                    follows=head,
                )
        for name, rest in (("n_pred_pos", "not_selected"), ("n_pos", "negatives")):
            table.nested(n_id, _gid(feature, group, name), _gid(feature, group, rest))
        table.nested(n_id, _gid(feature, group, "score_n"), _gid(feature, group, "unscored"))
        table.relation(n_id, [_gid(feature, group, f) for f in _OUTCOME_COUNTS])
    return by_feature


def _hierarchy(table: TableBuilder, by_feature: Mapping[str, list[Mapping[str, Any]]]) -> None:
    """Marginals and sub-intersections as sums of an intersection's cells, per count field."""
    fields = ("n", "n_pos", "n_pred_pos", *_SCORE_COUNTS, *_OUTCOME_COUNTS)
    for name in fields:
        if not any(
            _gid(f, g["group"], name) in table.cells for f, gs in by_feature.items() for g in gs
        ):
            continue  # no such count in this document (no score, no outcome)
        total = _SUMMARY_TOTAL.get(name)
        if total is None:
            total = table.cell(("free", "total", name), None, published=False)
        for feature, groups in by_feature.items():
            ids = [_gid(feature, g["group"], name) for g in groups]
            features = list(groups[0]["features"]) if groups else []
            if len(features) < 2 or not all(f in by_feature for f in features):
                table.relation(total, ids)  # intersections add up through their marginals
            if len(features) < 2:
                continue
            for size in range(1, len(features)):
                for sub in combinations(range(len(features)), size):
                    sub_feature = SEP.join(features[i] for i in sub)
                    if sub_feature not in by_feature:
                        continue
                    parts: dict[str, list[Hashable]] = {}
                    for g in groups:
                        label = SEP.join(str(g["levels"][i]) for i in sub)
                        parts.setdefault(label, []).append(_gid(feature, g["group"], name))
                    for label, members in parts.items():
                        table.relation(_gid(sub_feature, label, name), members)


def audit_table(
    doc: Mapping[str, Any], counts: Mapping[tuple[str, str], GroupCounts] | None = None
) -> TableBuilder:
    """Return the count cells and additive relations of an audit document.

    Parameters
    ----------
    doc : Mapping
        A valid audit document (``report.json``).
    counts : Mapping, optional
        ``(feature, group) -> GroupCounts``: the true unweighted counts of every group,
        including groups the document already hides (``fairmark.audit`` passes them).
        Without it the document's own counts are used; hidden or weighted ones are then
        unknown.

    Returns
    -------
    TableBuilder
    """
    table = TableBuilder()
    _summary_cells(table, doc)
    by_feature = _group_cells(table, doc, counts)
    _hierarchy(table, by_feature)
    return table


def _hide_item(item: dict[str, Any], reason: str, fields: Sequence[str]) -> None:
    for f in fields:
        if f in item:
            item[f] = None
    item.pop("curve", None)
    item["reason"] = reason


def apply_audit(doc: dict[str, Any], supp: Suppression) -> dict[str, Any]:
    """Write a suppression pattern into an audit document (modified in place and returned).

    Parameters
    ----------
    doc : dict
        A deep copy of a valid audit document.
    supp : Suppression
        From :func:`fairmark.privacy.disclosure.suppress_cells` on :func:`audit_table`.

    Returns
    -------
    dict
        The document with suppressed counts ``null``, hidden groups, their comparisons and
        findings hidden, and the ``disclosure_control`` object.
    """
    summary = doc["summary"]
    for name in ("n_rows", "n_used", "n_excluded", "n_selected"):
        reason = supp.reason(("summary", name))
        if reason is not None and name in summary:
            mark_count(summary, name, reason)
    for key in list(summary.get("excluded_reasons") or {}):
        reason = supp.reason(("summary", "excluded_reasons", key))
        if reason is not None:
            summary["excluded_reasons"][key] = None
            summary.setdefault("suppressed_counts", {})[f"excluded_reasons.{key}"] = reason
    if supp.reason(("summary", "n_rows")) is not None and "data_fingerprint" in doc:
        doc["data_fingerprint"]["n_rows"] = None

    hidden: dict[tuple[str, str], str] = {}
    for g in doc["groups"]:
        key = (g["feature"], g["group"])
        reason = supp.reason(_gid(*key, "n"))
        g.setdefault("suppressed_counts", {})
        if g["suppressed"]:
            g["suppressed_reason"] = g.get("suppressed_reason") or _HIDDEN
            continue
        if reason is not None:
            hidden[key] = reason
            g.update(suppressed=True, suppressed_reason=reason)
            for f in ("n", "n_weighted", "n_pos", "n_pred_pos"):
                g[f] = None
            for m in ("share", "base_rate", "selection_rate", "tpr", "fpr", "fnr", "tnr",
                      "ppv", "npv", "accuracy"):  # fmt: skip
                if m in g:
                    g[m] = hide_estimate(reason)
            continue
        g["suppressed_reason"] = None
        for f in ("n_pos", "n_pred_pos"):
            r = supp.reason(_gid(*key, f))
            if r is not None:
                mark_count(g, f, r)
    refs = {
        f: ref.get("group") for f, ref in (summary.get("reference_groups") or {}).items() if ref
    }

    def involved(item: Mapping[str, Any]) -> str | None:
        for who in (item.get("group"), item.get("reference")):
            if (item.get("feature"), who) in hidden:
                return hidden[(item["feature"], who)]
        return None

    for d in doc["disparities"]:
        reason = involved(d)
        if reason is not None:
            _hide_item(d, reason, ("value", "ci_low", "ci_high", "p_value", "p_value_holm"))
            d.update(ci_method=None, test=None)
    for m in doc.get("score_metrics") or ():
        reason = involved(m)
        if reason is not None:
            _hide_item(m, reason, ("value", "ci_low", "ci_high", "n", "error_bound"))
            continue
        if m.get("group") is None or m.get("n_groups") is not None:
            continue
        key = (m["feature"], m["group"])
        r = supp.reason(_gid(*key, "score_n"))
        if r is not None and m.get("n") is not None:
            mark_count(m, "n", r)
        if m["metric"] == "missing_scores":
            r = supp.reason(_gid(*key, "missing_scores"))
            if r is not None:
                _hide_item(m, r, ("value", "ci_low", "ci_high"))
    # Fewer than k values: the averages and totals of so few people go with the count.
    # A count withheld against differencing only takes the count.
    outcome_hidden = {
        (m["feature"], m["group"]): BELOW_K
        for m in doc.get("outcome_metrics") or ()
        if m["metric"] == "outcome_n"
        and supp.reason(_gid(m["feature"], m["group"], "outcome_n")) == BELOW_K
    }
    for m in doc.get("outcome_metrics") or ():
        key = (m["feature"], m["group"])
        reason = involved(m) or outcome_hidden.get(key)
        fields = ("value", "ci_low", "ci_high", "p_value", "p_value_holm")
        if reason is not None:
            _hide_item(m, reason, fields)
        elif m["metric"] in _OUTCOME_COUNTS:
            r = supp.reason(_gid(*key, m["metric"]))
            if r is not None:
                _hide_item(m, r, fields)
    _hide_findings(doc, hidden, refs)
    doc["disclosure_control"] = supp.to_dict()
    return doc


def _hide_findings(
    doc: dict[str, Any], hidden: Mapping[tuple[str, str], str], refs: Mapping[str, Any]
) -> None:
    """Hide findings of hidden groups, and of comparisons with a hidden reference group."""
    if not hidden:
        return
    lists = [doc["disparities"], doc.get("score_metrics") or (), doc.get("outcome_metrics") or ()]
    by_group: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for items in lists:
        for m in items:
            by_group.setdefault((m.get("feature"), m.get("group")), []).append(m)
    for f in doc["findings"]:
        key = (f.get("feature"), f.get("group"))
        reason = hidden.get(key)
        if reason is None and f.get("group") is not None:
            for m in by_group.get(key, ()):
                if (m.get("feature"), m.get("reference")) in hidden:
                    reason = hidden[(m["feature"], m["reference"])]
                    break
        if reason is None and f.get("group") is not None and f.get("feature") in refs:
            ref = (f["feature"], refs[f["feature"]])
            if ref in hidden and f["group"] != refs[f["feature"]]:
                reason = hidden[ref]
        if reason is not None:
            hide_finding(f, reason)
