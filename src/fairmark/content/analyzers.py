"""Registry of non-rule analyzers: functions that look at a whole text and return findings.

An analyzer is ``analyzer(text, context) -> list[ContentFinding]`` with offsets into
``text``. The scanner (:func:`fairmark.content.scan`) runs every analyzer of
:data:`ANALYZERS` after the rule packs. The list is explicit: add one import and one entry.
"""

from __future__ import annotations

from collections.abc import Callable

from fairmark.content.ai_disclosure import missing_ai_disclosure
from fairmark.content.context import ScanContext
from fairmark.content.finding import ContentFinding
from fairmark.content.gender_coded import gender_coded_findings

__all__ = ["ANALYZERS", "Analyzer", "ScanContext"]

Analyzer = Callable[[str, ScanContext], list[ContentFinding]]

ANALYZERS: list[Analyzer] = list(
    (
        missing_ai_disclosure,
        gender_coded_findings,
    )
)
