"""One finding of the content scanner: a rule that matched a span of marketing copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["block", "warn", "info"]
SEVERITIES: tuple[Severity, ...] = ("block", "warn", "info")
SEVERITY_RANK: dict[str, int] = {"info": 0, "warn": 1, "block": 2}


@dataclass(frozen=True)
class ContentFinding:
    """A rule (or analyzer) that matched a span of a text.

    Parameters
    ----------
    rule_id : str
        Stable rule id, ``<pack>.<name>``, e.g. ``"dark_patterns.fake_countdown"``.
    category : str
        Finding category, e.g. ``"urgency"``, ``"scarcity"``, ``"unsubstantiated_claim"``.
    severity : {"block", "warn", "info"}
        ``block``: must not be published as is; ``warn``: review; ``info``: for the record.
    start, end : int
        Span in code points (Python ``str`` indices) into the ORIGINAL text passed to
        :func:`fairmark.content.scan`; ``text[start:end] == evidence`` for plain text. For
        HTML input the offsets refer to the extracted visible text (see
        :mod:`fairmark.content.inputs`).
    evidence : str
        The matched text, exactly as it appears at ``[start, end)``.
    message : str
        Plain-language explanation of why this wording is a problem.
    source : str
        Where the rule comes from (regulation article, paper, platform policy).
    rewrite_hint : str or None
        A suggested rewrite, when the rule has one.
    pack : str
        Name of the rule pack (``"dark_patterns"``, ``"claims"`` …; ``""`` for analyzers
        that have none).
    """

    rule_id: str
    category: str
    severity: Severity
    start: int
    end: int
    evidence: str
    message: str
    source: str
    rewrite_hint: str | None = None
    pack: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict with every field (``rewrite_hint`` may be ``None``)."""
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "evidence": self.evidence,
            "message": self.message,
            "source": self.source,
            "rewrite_hint": self.rewrite_hint,
            "pack": self.pack,
        }
