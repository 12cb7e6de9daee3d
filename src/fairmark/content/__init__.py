"""Content guardrails for marketing copy (issue #6).

:func:`scan` finds dark patterns (Mathur et al. 2019), unsubstantiated claims, fake or
AI-generated reviews, exclusionary wording in special ad categories, vulnerability
targeting cues and missing AI disclosure, each with its span, evidence, message, source and
rewrite hint. Rule packs are YAML (:mod:`fairmark.content.rules`).
"""

from fairmark.content.categories import AD_CATEGORIES
from fairmark.content.context import ScanContext
from fairmark.content.finding import ContentFinding
from fairmark.content.scanner import scan, scan_batch

__all__ = ["AD_CATEGORIES", "ContentFinding", "ScanContext", "scan", "scan_batch"]
