"""Check `content.special_category_wording`.

Exclusionary wording in special ad categories and vulnerability targeting cues.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:
    from fairmark.content.result import ContentScanResult

CATEGORIES: tuple[str, ...] = ("special_category_wording", "vulnerability")


def measure(result: ContentScanResult) -> list[Measurement]:
    """One run-level measurement: findings of :data:`CATEGORIES` at or above warn.

    ``value`` is a count (lower is better); ``detail`` names the documents involved.
    """
    hits = [
        (d.name, f)
        for d in result.documents
        for f in d.findings
        if f.category in CATEGORIES and f.severity in ("warn", "block")
    ]
    docs = sorted({name for name, _ in hits})
    shown = ", ".join(docs[:5]) + (f" and {len(docs) - 5} more" if len(docs) > 5 else "")
    detail = f"{len(hits)} finding(s) in {len(docs)} document(s)" + (f": {shown}" if docs else "")
    return [
        Measurement(
            check_id="content.special_category_wording",
            feature=None,
            group=None,
            reference=None,
            value=float(len(hits)),
            detail=detail,
        )
    ]


CHECK = Check(
    id="content.special_category_wording",
    title="Exclusionary wording in special ad categories and vulnerability targeting cues",
    principle="fairness",
    scope="run",
    direction="lower_is_better",
    metric="content_special_category_wording",
    source=(
        "42 USC 3604(c); 29 USC 623(e); 42 USC 2000e-3(b); 12 CFR 1002.4(b); EU AI Act Art. 5(1)(b)"
    ),
    measure=measure,
    input="content",
)
