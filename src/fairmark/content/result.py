"""The result of a content scan over one or more documents, and its policy verdict."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from fairmark.content.finding import SEVERITY_RANK, ContentFinding

SCHEMA_VERSION = "1.0"
KIND = "content_scan"


@dataclass(frozen=True)
class ScannedDocument:
    """Findings of one document.

    Parameters
    ----------
    name : str
        File name or ``file#row``.
    kind : {"text", "html", "markdown", "table_row", "image"}
    n_chars : int
        Length of the text the offsets refer to (code points); 0 for an image.
    findings : tuple of ContentFinding
        Sorted by start.
    """

    name: str
    kind: str
    n_chars: int
    findings: tuple[ContentFinding, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "name": self.name,
            "kind": self.kind,
            "n_chars": self.n_chars,
            "offsets": "extracted_text" if self.kind == "html" else "original_text",
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class ContentScanResult:
    """Findings of every scanned document, counts per category and the policy verdict.

    Parameters
    ----------
    documents : tuple of ScannedDocument
    packs : tuple of (name, version)
        The rule packs used.
    verdict : str
        Policy verdict (``pass``, ``warn``, ``fail``, ``insufficient_evidence``).
    policy : dict
        ``{"id", "version", "sha256"}`` of the policy judged against.
    policy_findings : tuple of dict
        :meth:`fairmark.policy.Finding.to_dict` of each policy finding.
    """

    documents: tuple[ScannedDocument, ...]
    packs: tuple[tuple[str, str], ...]
    verdict: str
    policy: dict[str, Any]
    policy_findings: tuple[dict[str, Any], ...] = ()

    def findings(self, *, min_severity: str = "info") -> list[ContentFinding]:
        """Every finding of every document at or above ``min_severity``."""
        rank = SEVERITY_RANK[min_severity]
        return [f for d in self.documents for f in d.findings if SEVERITY_RANK[f.severity] >= rank]

    def counts(self, *, min_severity: str = "info") -> dict[str, int]:
        """Number of findings per category at or above ``min_severity`` (sorted by name)."""
        c = Counter(f.category for f in self.findings(min_severity=min_severity))
        return dict(sorted(c.items()))

    def to_dict(self) -> dict[str, Any]:
        """Versioned JSON document (``content_scan.schema.json``)."""
        sev = Counter(f.severity for f in self.findings())
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "summary": {
                "n_documents": len(self.documents),
                "n_findings": sum(sev.values()),
                "by_severity": {s: sev.get(s, 0) for s in ("block", "warn", "info")},
                "by_category": self.counts(),
                "by_category_warn_or_above": self.counts(min_severity="warn"),
            },
            "packs": [{"name": n, "version": v} for n, v in self.packs],
            "documents": [d.to_dict() for d in self.documents],
            "verdict": self.verdict,
            "policy": self.policy,
            "findings": list(self.policy_findings),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
