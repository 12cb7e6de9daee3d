"""Small-cell suppression and differencing protection for every fairmark document.

:func:`protect_document` is applied where a document is built (``to_dict()`` of
:class:`fairmark.fairness.audit.AuditResult`, ``DeliveryResult``, ``RepresentationResult``
and ``ProxyResult``) and again by every renderer for a document that has not been through
it (:func:`publishable`), so ``report.json``, ``report.html``, ``report.md`` and
``junit.xml`` always show the same suppressed cells. The rules are those of
:func:`fairmark.privacy.disclosure.suppress_cells` (threshold rule ``0 < n < k``, secondary
suppression against differencing; Hundepool et al. 2010, *Handbook on Statistical
Disclosure Control*, ch. 4 and 5), applied to each kind's linked tables
(:mod:`fairmark.report._sdc_audit`, :mod:`fairmark.report._sdc_runs`).

A protected document carries ``disclosure_control: {k, method, n_suppressed_primary,
n_suppressed_secondary}``; suppressed counts are ``null`` and named with their reason
(``below_k`` or ``differencing``) in ``suppressed_counts`` of their row, and a group whose
size is suppressed is hidden like a group below ``min_group_size``
(``suppressed: true``, ``suppressed_reason``).

Residual risk (documented in ``docs/report-schema.md``): the rates of a published group
are kept, because they are what the audit is for; a rate times a published ``n`` gives
back a count (``base_rate × n = n_pos``), so a suppressed ``n_pos`` of a published group is
withheld from the tables but not from a reader who does that multiplication. The pattern
also does not bound the interval a suppressed count can be narrowed to by linear
programming.

The run store keeps the published document, exactly as ``report.json`` (``fairmark runs
show`` returns what was published, the record the verdict was given on); the complete
numbers are the analyst's at run time (``to_dict(disclosure_control=False)``,
``AuditResult.by_group``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fairmark.errors import DataError, UsageError
from fairmark.policy.model import DEFAULT_K_ANONYMITY
from fairmark.privacy.disclosure import BELOW_K, suppress_cells
from fairmark.report._sdc_audit import GroupCounts, apply_audit, audit_table
from fairmark.report._sdc_common import TableBuilder, as_count
from fairmark.report._sdc_runs import (
    apply_delivery,
    apply_proxies,
    apply_representation,
    delivery_table,
    proxies_table,
    representation_table,
)
from fairmark.report.kinds import document_kind

__all__ = ["GroupCounts", "policy_k", "protect_document", "publishable", "published_counts"]

_KINDS: Mapping[
    str,
    tuple[Callable[..., TableBuilder], Callable[[dict[str, Any], Any], dict[str, Any]]],
] = {
    "audit": (audit_table, apply_audit),
    "delivery": (delivery_table, apply_delivery),
    "representation": (representation_table, apply_representation),
    "proxies": (proxies_table, apply_proxies),
}


def policy_k(policy: Any) -> int:
    """Return the ``k`` of a policy: ``settings.k_anonymity``, else the default (10).

    Parameters
    ----------
    policy : fairmark.policy.Policy or None

    Returns
    -------
    int
        The smallest count of people a report may publish
        (:data:`fairmark.policy.model.DEFAULT_K_ANONYMITY` when the policy leaves it open).
    """
    settings = getattr(policy, "settings", None)
    k = getattr(settings, "k_anonymity", None)
    return int(k) if k is not None else DEFAULT_K_ANONYMITY


def protect_document(
    doc: Mapping[str, Any],
    *,
    k: int | None = None,
    counts: Mapping[tuple[str, str], GroupCounts] | None = None,
) -> dict[str, Any]:
    """Return a copy of a fairmark document with small-cell suppression applied.

    Parameters
    ----------
    doc : Mapping
        A valid document of any kind (audit ``report.json``, delivery, representation,
        proxies; :func:`fairmark.report.validate_report`).
    k : int, optional
        Smallest count of people the document may show (the policy's
        ``settings.k_anonymity``); default :data:`fairmark.policy.model.DEFAULT_K_ANONYMITY`
        (10), or the ``k`` the document was already protected with.
    counts : Mapping, optional
        Audit only: ``(feature, group) -> GroupCounts``, the unweighted counts of every
        group, including those the document already hides. Without them hidden and
        weighted counts are unknown and treated as possibly below ``k``.

    Returns
    -------
    dict
        A deep copy: suppressed counts ``null`` with their reason in ``suppressed_counts``,
        groups whose size is suppressed hidden (``suppressed: true``,
        ``suppressed_reason``), and ``disclosure_control: {k, method,
        n_suppressed_primary, n_suppressed_secondary}``. A document already protected with
        at least this ``k`` is returned unchanged (as a copy).

    Raises
    ------
    UsageError
        ``k`` is not a whole number >= 1, the document's kind is unknown, or its counts
        contradict each other (a total that is not the sum of its parts).

    Notes
    -----
    Source: Hundepool et al. (2010), Handbook on Statistical Disclosure Control, ESSnet
    SDC / Eurostat, §4.2-4.4 (threshold rule, secondary suppression, differencing);
    see :mod:`fairmark.privacy.disclosure` for the rules and their documented limits.
    """
    kind = document_kind(doc)
    done = doc.get("disclosure_control")
    if isinstance(done, Mapping) and (k is None or k <= int(done.get("k", 0))):
        return _copy(doc)
    if k is None:
        k = DEFAULT_K_ANONYMITY
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise UsageError(f"k_anonymity must be a whole number >= 1, got {k!r}")
    build, apply = _KINDS[kind]
    table = build(doc, counts) if kind == "audit" else build(doc)
    try:
        supp = suppress_cells(table.cells.values(), table.relations, k)
    except DataError as exc:
        raise UsageError(
            f"{kind} document counts contradict each other ({exc.message}); expected a "
            "document as fairmark writes it"
        ) from None
    out = apply(_copy(doc), supp)
    _sweep(out, kind, k)
    return out


def _copy(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy (a JSON round trip for plain documents: several times faster)."""
    try:
        out: dict[str, Any] = json.loads(json.dumps(doc))
    except (TypeError, ValueError):
        out = copy.deepcopy(dict(doc))
    return out


def _sweep(doc: dict[str, Any], kind: str, k: int) -> None:
    """Last guard: no published count of people below ``k`` survives (threshold rule)."""
    reasons = doc["summary"].get("excluded_reasons") if kind == "audit" else None
    for container, field, value in list(published_counts(doc, kind)):
        n = as_count(value)
        if n is None or not 0 < n < k:
            continue
        container[field] = None
        if container is reasons:  # a mapping of counts only: mark it in the summary
            container, field = doc["summary"], f"excluded_reasons.{field}"
        container.setdefault("suppressed_counts", {})[field] = BELOW_K
        doc["disclosure_control"]["n_suppressed_primary"] += 1


def published_counts(doc: Mapping[str, Any], kind: str) -> Iterator[tuple[Any, str, Any]]:
    """Yield ``(container, field, value)`` for every count of people a document shows.

    Parameters
    ----------
    doc : Mapping
        A document of ``kind``.
    kind : {"audit", "delivery", "representation", "proxies"}

    Yields
    ------
    tuple
        The dict holding the count, the field name and its value (``None`` skipped).
        Weighted sums (``n_weighted``, and ``n_pos`` / ``n_pred_pos`` with
        ``sample_weight``) are not counts of people and are not yielded.
    """

    def shown(container: Any, *fields: str) -> Iterator[tuple[Any, str, Any]]:
        for f in fields:
            if isinstance(container, Mapping) and container.get(f) is not None:
                yield container, f, container[f]

    if kind == "audit":
        summary = doc["summary"]
        yield from shown(summary, "n_rows", "n_used", "n_excluded", "n_selected")
        reasons = summary.get("excluded_reasons") or {}
        yield from shown(reasons, *reasons)
        yield from shown(doc.get("data_fingerprint") or {}, "n_rows")
        weighted = bool((doc.get("spec") or {}).get("sample_weight"))
        for g in doc["groups"]:
            yield from shown(g, "n") if weighted else shown(g, "n", "n_pos", "n_pred_pos")
        for m in doc.get("score_metrics") or ():
            yield from shown(m, "n")
            if m.get("metric") == "missing_scores":
                yield from shown(m, "value")
        for m in doc.get("outcome_metrics") or ():
            if m.get("metric") in ("outcome_n", "outcome_n_missing"):
                yield from shown(m, "value")
    elif kind == "delivery":
        for a in doc["ads"]:
            yield from shown(a, "eligible_total", "delivered_total")
        for g in doc["groups"]:
            yield from shown(g, "eligible", "delivered")
    elif kind == "representation":
        yield from shown(doc["summary"], "n_rows", "n_used", "n_missing")
        for g in doc["groups"]:
            yield from shown(g, "n")
    elif kind == "proxies":
        yield from shown(doc["summary"], "n_rows")
        for p in doc["proxies"]:
            yield from shown(p, "n_missing")
        for joint in (doc.get("redundant_encoding_auc") or {}).values():
            yield from shown(joint, "n_sample")


def publishable(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the document a renderer may show: with disclosure control applied.

    Parameters
    ----------
    doc : Mapping
        A valid fairmark document of any kind (renderers call
        :func:`fairmark.report.validate_report` first).

    Returns
    -------
    Mapping
        ``doc`` itself when it already carries ``disclosure_control`` (as every
        ``to_dict()`` of fairmark does), else :func:`protect_document` of it with the
        default ``k`` (a document written by hand or stored before this control existed).

    Raises
    ------
    UsageError
        As :func:`protect_document`.
    """
    if isinstance(doc.get("disclosure_control"), Mapping):
        return doc
    return protect_document(doc)
