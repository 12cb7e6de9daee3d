"""Check a ``report.json`` document before it is rendered.

Every renderer calls :func:`validate_report` first, so that a malformed document fails
with one clear line instead of a ``KeyError`` deep in a template, and so that no format
can show the counts or rates of a suppressed group.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from fairmark.errors import UsageError

__all__ = ["report_schema", "validate_report"]


@cache
def report_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of ``report.json`` version 1.x.

    Returns
    -------
    dict
        The parsed ``report.schema.json`` shipped with :mod:`fairmark.report`.
    """
    text = resources.files("fairmark.report").joinpath("report.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(report_schema())


def _where(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "report" + "".join(parts)


def _suppressed_groups(doc: Mapping[str, Any]) -> set[tuple[str, str]]:
    return {(g["feature"], g["group"]) for g in doc["groups"] if g["suppressed"]}


def _check_suppression(doc: Mapping[str, Any]) -> None:
    hidden = _suppressed_groups(doc)
    for i, d in enumerate(doc["disparities"]):
        involved = [g for g in (d["group"], d["reference"]) if (d["feature"], g) in hidden]
        if involved and any(d[k] is not None for k in ("value", "ci_low", "ci_high")):
            raise UsageError(
                f"{_where(['disparities', i])}: group {involved[0]!r} of {d['feature']!r} is "
                "suppressed (below min_group_size); expected value, ci_low and ci_high null"
            )
    for i, f in enumerate(doc["findings"]):
        if (f["feature"], f["group"]) in hidden and f["value"] is not None:
            raise UsageError(
                f"{_where(['findings', i])}: group {f['group']!r} of {f['feature']!r} is "
                "suppressed (below min_group_size); expected value null"
            )


def validate_report(doc: Any) -> None:
    """Check that ``doc`` is a ``report.json`` document (schema 1.x) that is safe to render.

    Parameters
    ----------
    doc : Mapping
        The document, as returned by ``fairmark.audit(...).to_dict()`` or read from
        ``report.json``.

    Raises
    ------
    UsageError
        If ``doc`` is not a mapping, breaks the schema of ``docs/report-schema.md`` (the
        message names the first offending field), or gives a value for a suppressed
        group (``suppressed: true`` with a count, a rate, or a disparity or finding value
        involving it).

    Notes
    -----
    Source of the format: ``docs/report-schema.md``; the machine-readable schema is
    ``fairmark/report/report.schema.json``.
    """
    if not isinstance(doc, Mapping):
        raise UsageError(
            f"report document is a {type(doc).__name__}; "
            "expected a mapping (the parsed report.json)"
        )
    error = jsonschema.exceptions.best_match(_validator().iter_errors(doc))
    if error is not None:
        path = list(error.absolute_path)
        if path[:1] == ["groups"] and "then" in error.schema_path and len(path) > 1:
            group = doc["groups"][path[1]]
            # Do not echo the offending value: it is a suppressed count or rate.
            raise UsageError(
                f"{_where(path[:2])}: group {group['group']!r} of {group['feature']!r} is "
                "suppressed (below min_group_size); expected n, n_weighted, n_pos, n_pred_pos "
                "and every metric value and interval null"
            )
        message = error.message.splitlines()[0]
        if len(message) > 160:
            message = message[:157] + "..."
        raise UsageError(
            f"{_where(error.absolute_path)}: {message}; expected a report.json document "
            "as described in docs/report-schema.md"
        )
    _check_suppression(doc)
