"""The kinds of fairmark documents a report can be rendered from.

``fairmark audit`` writes the audit document (``report.json``, which has no ``kind`` field
in schema 1.0, or ``kind: "audit"``); the standalone commands write documents with a
``kind`` field: ``delivery`` (``fairmark.fairness.delivery.delivery_skew``),
``representation`` (``fairmark.fairness.representation.representation``) and ``proxies``
(``fairmark.fairness.proxies.proxies``). Formats: ``docs/report-schema.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairmark.errors import UsageError

__all__ = ["KINDS", "RUN_KINDS", "document_kind"]

#: Standalone run kinds (documents with their own layout of tables).
RUN_KINDS: tuple[str, ...] = ("delivery", "representation", "proxies")
#: Every document kind a report can be rendered from.
KINDS: tuple[str, ...] = ("audit", *RUN_KINDS)


def document_kind(doc: Any) -> str:
    """Return the kind of a fairmark document.

    Parameters
    ----------
    doc : Mapping
        A parsed document: an audit's ``report.json`` or the JSON document of
        ``fairmark delivery``, ``fairmark representation`` or ``fairmark proxies``.

    Returns
    -------
    {"audit", "delivery", "representation", "proxies"}
        The ``kind`` field; ``"audit"`` when the document has none (audit documents of
        schema 1.0 do not carry the field).

    Raises
    ------
    UsageError
        If ``doc`` is not a mapping, or its ``kind`` is not one of :data:`KINDS`.
    """
    if not isinstance(doc, Mapping):
        raise UsageError(
            f"report document is a {type(doc).__name__}; "
            "expected a mapping (the parsed report.json)"
        )
    kind = doc.get("kind", "audit")
    if kind not in KINDS:
        raise UsageError(f"report document has kind {kind!r}; expected one of {', '.join(KINDS)}")
    return str(kind)
