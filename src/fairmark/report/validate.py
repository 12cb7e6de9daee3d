"""Check a fairmark document before it is rendered.

Every renderer calls :func:`validate_report` first, so that a malformed document fails
with one clear line instead of a ``KeyError`` deep in a template, and so that no format
can show the counts or rates of a suppressed group. Documents of every kind are checked
(:mod:`fairmark.report.kinds`): the audit's ``report.json`` against ``report.schema.json``,
the delivery, representation and proxies documents against their own schema files, which
share the audit schema's definitions of findings, rules, policy and estimates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from referencing import Registry, Resource

from fairmark.errors import UsageError
from fairmark.report.kinds import KINDS, document_kind

__all__ = ["report_schema", "run_schema", "validate_report"]

_SCHEMA_FILES: Mapping[str, str] = {
    "audit": "report.schema.json",
    "delivery": "delivery.schema.json",
    "representation": "representation.schema.json",
    "proxies": "proxies.schema.json",
}
_HIDDEN_FIELDS: Mapping[str, str] = {
    "audit": ("n, n_weighted, n_pos, n_pred_pos and every metric value and interval null"),
    "delivery": ("eligible, delivered, eligible_share and every share value and interval null"),
    "representation": "n, observed_share and representation_ratio null",
}
_MGS = "below_min_group_size"
_HIDDEN_ITEM_FIELDS: Mapping[str, str] = {
    "score_metrics": "value, ci_low, ci_high, n and error_bound null and no curve",
    "outcome_metrics": "value, ci_low, ci_high, p_value and p_value_holm null",
    "pairs": "share_a, share_b, the difference, p_value and p_value_holm null",
}


def _load(name: str) -> dict[str, Any]:
    text = resources.files("fairmark.report").joinpath(name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def report_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of the audit's ``report.json`` version 1.x.

    Returns
    -------
    dict
        The parsed ``report.schema.json`` shipped with :mod:`fairmark.report`.
    """
    return _load(_SCHEMA_FILES["audit"])


@cache
def run_schema(kind: str) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of one document kind.

    Parameters
    ----------
    kind : {"audit", "delivery", "representation", "proxies"}

    Returns
    -------
    dict
        The parsed schema file (``report.schema.json``, ``delivery.schema.json``,
        ``representation.schema.json`` or ``proxies.schema.json``).

    Raises
    ------
    UsageError
        If ``kind`` is unknown.
    """
    if kind not in _SCHEMA_FILES:
        raise UsageError(f"unknown document kind {kind!r}; expected one of {', '.join(KINDS)}")
    return report_schema() if kind == "audit" else _load(_SCHEMA_FILES[kind])


@cache
def _registry() -> Registry[Any]:
    schemas = [run_schema(kind) for kind in _SCHEMA_FILES]
    return Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )


@cache
def _validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(run_schema(kind), registry=_registry())


def _where(path: Iterable[Any]) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "report" + "".join(parts)


_WHY: Mapping[str, str] = {
    "below_min_group_size": "below min_group_size",
    "below_k": "fewer than k people",
    "differencing": "protected against differencing",
}


def _suppressed_groups(doc: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (g["feature"], g["group"]): _WHY.get(str(g.get("suppressed_reason")), _WHY[_MGS])
        for g in doc["groups"]
        if g["suppressed"]
    }


def _hidden_error(
    where: str, group: Any, feature: Any, expected: str, why: str = "below min_group_size"
) -> UsageError:
    # Never echo the offending value: it is a suppressed count or rate.
    return UsageError(
        f"{where}: group {group!r} of {feature!r} is suppressed ({why}); expected {expected}"
    )


def _check_audit_suppression(doc: Mapping[str, Any]) -> None:
    hidden = _suppressed_groups(doc)
    for i, d in enumerate(doc["disparities"]):
        involved = [g for g in (d["group"], d["reference"]) if (d["feature"], g) in hidden]
        if involved and any(d[k] is not None for k in ("value", "ci_low", "ci_high")):
            raise _hidden_error(
                _where(["disparities", i]),
                involved[0],
                d["feature"],
                "value, ci_low and ci_high null",
                hidden[(d["feature"], involved[0])],
            )
    for i, f in enumerate(doc["findings"]):
        if (f["feature"], f["group"]) in hidden and f["value"] is not None:
            raise _hidden_error(
                _where(["findings", i]),
                f["group"],
                f["feature"],
                "value null",
                hidden[(f["feature"], f["group"])],
            )
    extra: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("score_metrics", ("value", "ci_low", "ci_high", "n", "error_bound", "curve")),
        ("outcome_metrics", ("value", "ci_low", "ci_high", "p_value", "p_value_holm")),
    )
    for key, fields in extra:
        for i, m in enumerate(doc.get(key) or ()):
            involved = [
                g for g in (m.get("group"), m.get("reference")) if (m["feature"], g) in hidden
            ]
            if involved and any(m.get(k) is not None for k in fields):
                raise _hidden_error(
                    _where([key, i]),
                    involved[0],
                    m["feature"],
                    _HIDDEN_ITEM_FIELDS[key],
                    hidden[(m["feature"], involved[0])],
                )


def _check_delivery_suppression(doc: Mapping[str, Any]) -> None:
    hidden = {(g["ad"], g["view"], g["group"]) for g in doc["groups"] if g["suppressed"]}
    for i, pair in enumerate(doc["pairs"]):
        for j, g in enumerate(pair["groups"]):
            involved = any(
                (ad, pair["view"], g["group"]) in hidden for ad in (pair["ad_a"], pair["ad_b"])
            )
            diff = g["difference"]
            values = [g["share_a"], g["share_b"], g["p_value"], g["p_value_holm"]]
            values += [diff["value"], diff["ci_low"], diff["ci_high"]]
            if involved and any(v is not None for v in values):
                raise _hidden_error(
                    _where(["pairs", i, "groups", j]),
                    g["group"],
                    doc["summary"]["group_column"],
                    _HIDDEN_ITEM_FIELDS["pairs"],
                )
    _check_run_findings(doc, {(doc["summary"]["group_column"], g[2]) for g in hidden})


def _check_run_findings(doc: Mapping[str, Any], hidden: set[tuple[str, str]]) -> None:
    for i, f in enumerate(doc["findings"]):
        if (f["feature"], f["group"]) in hidden and f["value"] is not None:
            raise _hidden_error(_where(["findings", i]), f["group"], f["feature"], "value null")


def _check_representation_suppression(doc: Mapping[str, Any]) -> None:
    hidden = {(doc["feature"], g["group"]) for g in doc["groups"] if g["suppressed"]}
    _check_run_findings(doc, hidden)


def _check_disclosure_control(doc: Mapping[str, Any], kind: str) -> None:
    """A document that says it was protected must not show a count in ``(0, k)``."""
    control = doc.get("disclosure_control")
    if not isinstance(control, Mapping):
        return
    from fairmark.report.disclosure_control import published_counts

    k = control["k"]
    for _, field, value in published_counts(doc, kind):
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < k:
            # Never echo the value: it is a count below k.
            raise UsageError(
                f"report: a published count ({field}) is below k={k} although "
                "disclosure_control was applied; expected null (docs/report-schema.md)"
            )


def _schema_error(doc: Mapping[str, Any], kind: str, error: Any) -> UsageError:
    path = list(error.absolute_path)
    hidden_rule = "then" in error.schema_path
    if hidden_rule and path[:1] == ["groups"] and len(path) > 1 and kind in _HIDDEN_FIELDS:
        group = doc["groups"][path[1]]
        feature = group.get("feature") or doc.get("feature")
        if kind == "delivery":
            feature = doc["summary"]["group_column"]
        why = _WHY.get(str(group.get("suppressed_reason")), _WHY[_MGS])
        return _hidden_error(
            _where(path[:2]), group["group"], feature, _HIDDEN_FIELDS[kind], why
        )
    if hidden_rule and path[:1] in (["score_metrics"], ["outcome_metrics"]) and len(path) > 1:
        item = doc[path[0]][path[1]]
        if item.get("reason") == "below_min_group_size":
            return _hidden_error(
                _where(path[:2]), item.get("group"), item["feature"], _HIDDEN_ITEM_FIELDS[path[0]]
            )
    if hidden_rule and path[:1] == ["pairs"] and len(path) > 3:
        item = doc["pairs"][path[1]]["groups"][path[3]]
        return _hidden_error(
            _where(path[:4]),
            item["group"],
            doc["summary"]["group_column"],
            _HIDDEN_ITEM_FIELDS["pairs"],
        )
    message = error.message.splitlines()[0]
    if len(message) > 160:
        message = message[:157] + "..."
    what = "a report.json document" if kind == "audit" else f"a {kind} document"
    return UsageError(
        f"{_where(error.absolute_path)}: {message}; expected {what} as described in "
        "docs/report-schema.md"
    )


def validate_report(doc: Any) -> str:
    """Check that ``doc`` is a fairmark document (schema 1.x) that is safe to render.

    Parameters
    ----------
    doc : Mapping
        An audit's ``report.json`` (``fairmark.audit(...).to_dict()``), or the document of
        a delivery, representation or proxies run (``.to_dict()`` of their results).

    Returns
    -------
    {"audit", "delivery", "representation", "proxies"}
        The document's kind (:func:`fairmark.report.kinds.document_kind`).

    Raises
    ------
    UsageError
        If ``doc`` is not a mapping, has an unknown ``kind``, breaks the schema of its
        kind (the message names the first offending field), or gives a value for a
        suppressed group (``suppressed: true`` with a count, a rate, or a disparity,
        score metric, outcome metric, paired comparison or finding value involving it),
        or shows a count of people below ``k`` although it carries
        ``disclosure_control`` (:mod:`fairmark.report.disclosure_control`).
        The offending value is never repeated in the message.

    Notes
    -----
    Source of the formats: ``docs/report-schema.md``; the machine-readable schemas are
    ``fairmark/report/report.schema.json``, ``delivery.schema.json``,
    ``representation.schema.json`` and ``proxies.schema.json``.
    """
    kind = document_kind(doc)
    error = jsonschema.exceptions.best_match(_validator(kind).iter_errors(doc))
    if error is not None:
        raise _schema_error(doc, kind, error)
    if kind == "audit":
        _check_audit_suppression(doc)
    elif kind == "delivery":
        _check_delivery_suppression(doc)
    elif kind == "representation":
        _check_representation_suppression(doc)
    _check_disclosure_control(doc, kind)
    return kind
