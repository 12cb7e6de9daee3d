"""The measure shared by the content checks that count findings of some categories."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fairmark.checks.base import Measurement

if TYPE_CHECKING:
    from fairmark.content.result import ContentScanResult

COUNTED_SEVERITIES: tuple[str, ...] = ("warn", "block")
"""Findings of these severities count; ``info`` findings are shown but never judged."""


def finding_count(
    check_id: str, categories: tuple[str, ...]
) -> Callable[[ContentScanResult], list[Measurement]]:
    """Return a check's ``measure``: one run-level count of findings of ``categories``.

    Parameters
    ----------
    check_id : str
        Id of the check the measurement belongs to, e.g. ``"content.dark_pattern"``.
    categories : tuple of str
        Finding categories counted (``ContentFinding.category``).

    Returns
    -------
    callable
        ``measure(result: ContentScanResult) -> [Measurement]``: ``value`` is the number of
        findings of those categories at warn or block severity over every document (lower is
        better); ``detail`` names up to five of the documents involved.
    """

    def measure(result: ContentScanResult) -> list[Measurement]:
        hits = [
            (d.name, f)
            for d in result.documents
            for f in d.findings
            if f.category in categories and f.severity in COUNTED_SEVERITIES
        ]
        docs = sorted({name for name, _ in hits})
        shown = ", ".join(docs[:5]) + (f" and {len(docs) - 5} more" if len(docs) > 5 else "")
        detail = f"{len(hits)} finding(s) in {len(docs)} document(s)" + (
            f": {shown}" if docs else ""
        )
        return [
            Measurement(
                check_id=check_id,
                feature=None,
                group=None,
                reference=None,
                value=float(len(hits)),
                detail=detail,
            )
        ]

    measure.__doc__ = (
        f"One run-level measurement of {check_id}: findings of {', '.join(categories)} at "
        "warn or block severity (a count; lower is better)."
    )
    return measure
