"""Render a fairmark document as JSON text (the canonical machine-readable report)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fairmark.errors import UsageError
from fairmark.report.disclosure_control import publishable
from fairmark.report.validate import validate_report

__all__ = ["render_json"]


def render_json(doc: Mapping[str, Any]) -> str:
    """Serialise the document, keeping its key order.

    Parameters
    ----------
    doc : Mapping
        An audit's ``report.json`` (schema 1.x, ``docs/report-schema.md``), or the
        document of a delivery, representation or proxies run (``kind`` field).

    Returns
    -------
    str
        UTF-8-ready JSON text, indented by 2 spaces, keys in document order, non-ASCII
        characters kept as they are, ending with a newline. ``+inf`` must already be the
        string ``"inf"`` (RFC 8259 JSON has no infinity or NaN). A document without
        ``disclosure_control`` is written with small-cell suppression applied
        (:func:`fairmark.report.disclosure_control.publishable`); one with it, as every
        ``to_dict()`` of fairmark returns, is written as it is.

    Raises
    ------
    UsageError
        If ``doc`` is not a valid report document, or holds a value JSON cannot
        represent (NaN, a float infinity, a non-string key, an object that is not a
        JSON type).
    """
    validate_report(doc)
    doc = publishable(doc)  # small-cell suppression, unless the document has it
    try:
        text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError) as exc:
        raise UsageError(
            f"report document cannot be written as JSON: {exc}; expected only JSON types, "
            'with infinity written as the string "inf" and no NaN'
        ) from None
    return text + "\n"
