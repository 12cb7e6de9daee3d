"""Analyzer: text marked as AI-generated that does not say so (EU AI Act Art. 50).

Art. 50(4) of Regulation (EU) 2024/1689 (the AI Act, applicable from 2 August 2026)
requires deployers of an AI system that generates text published to inform the public on
matters of public interest to disclose that it was artificially generated; Art. 50(2)
requires providers to mark synthetic content. Marketing copy is not always "public
interest", but platforms (Meta "AI info", TikTok AI-generated content labels, Google Ads
synthetic content disclosure) and the FTC (Operation AI Comply, 2024) expect disclosure,
so fairmark reports it for review (severity ``warn``).
"""

from __future__ import annotations

import re

from fairmark.content.context import ScanContext
from fairmark.content.finding import ContentFinding

RULE_ID = "ai_disclosure.missing_label"

DISCLOSURE_RE = re.compile(
    r"\b(?:ai|a\.i\.|artificial[ -]intelligence|chatgpt|gpt-?\d|llm|generative)"
    r"[ -](?:generated|assisted|written|created|produced|made)\b"
    r"|\b(?:generated|written|created|produced|drafted|made|composed)\s+"
    r"(?:(?:with|by|using)\s+(?:the\s+)?(?:help\s+of\s+|assistance\s+of\s+)?)"
    r"(?:an?\s+)?(?:ai|a\.i\.|artificial\s+intelligence|generative\s+ai|chatgpt|"
    r"a\s+language\s+model|an?\s+ai\s+(?:tool|model|system|assistant))\b"
    r"|#(?:ai|aigenerated|madewithai|aiart)\b"
    r"|\bcontent\s+credentials\b",
    re.IGNORECASE,
)
"""Phrases that count as an AI disclosure ("AI-generated", "written with the help of AI",
"created using artificial intelligence", "#AIgenerated", "Content Credentials")."""

MESSAGE = (
    "This text is marked as AI-generated but does not tell the reader so. Say plainly that "
    "it was generated or assisted by AI."
)
SOURCE = (
    "EU AI Act (Regulation (EU) 2024/1689) Art. 50(2) and 50(4); FTC Operation AI Comply "
    "(2024); Meta 'AI info' and TikTok AI-generated content labelling policies"
)


_DENIAL_BEFORE_RE = re.compile(
    r"\b(?:not|no|never|isn't|isn’t|wasn't|wasn’t|aren't|aren’t|without|nor|zero|"
    r"non)\b[\s-]*(?:(?:been|being|was|is|are|any|an?|the|fully|entirely|really|ever)"
    r"\s+){0,3}$",
    re.IGNORECASE,
)
"""A negation right before a disclosure phrase ("not AI generated", "never written by
AI", "without AI-assisted …"): a denial, not a disclosure."""


def has_ai_disclosure(text: str) -> bool:
    """Whether ``text`` contains one of the disclosure phrases of :data:`DISCLOSURE_RE`
    that is not negated.

    A phrase preceded (within a few words) by a negation — "This text is not AI
    generated", "never created with AI" — is a denial: it tells the reader the opposite
    of a disclosure, so it does not count (a false denial is worse than no label).
    Statements such as "No AI was used" contain no disclosure phrase at all.
    """
    for m in DISCLOSURE_RE.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        if _DENIAL_BEFORE_RE.search(before) is None:
            return True
    return False


def missing_ai_disclosure(text: str, context: ScanContext) -> list[ContentFinding]:
    """One finding when ``context.ai_generated`` is true and the text carries no disclosure.

    Parameters
    ----------
    text : str
        The whole text.
    context : ScanContext
        Only ``ai_generated`` is read; ``None`` (unknown) and ``False`` never report.

    Returns
    -------
    list of ContentFinding
        Empty, or one document-level finding with ``start = end = 0`` and empty
        ``evidence`` (there is no span: the problem is what the text lacks).
    """
    if context.ai_generated is not True or not text.strip() or has_ai_disclosure(text):
        return []
    return [
        ContentFinding(
            rule_id=RULE_ID,
            category="ai_disclosure",
            severity="warn",
            start=0,
            end=0,
            evidence="",
            message=MESSAGE,
            source=SOURCE,
            rewrite_hint="Add a line such as 'This message was written with the help of AI.'",
            pack="ai_disclosure",
        )
    ]
