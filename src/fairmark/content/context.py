"""What the scanner knows about a text besides its words (ad category, AI use, channel)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScanContext:
    """Context of one text being scanned.

    Parameters
    ----------
    ad_category : str or None
        One of :data:`fairmark.content.categories.AD_CATEGORIES`, or ``None`` (unknown).
    ai_generated : bool or None
        Whether the text was generated or substantially edited by AI; ``None`` = unknown.
        EU AI Act Art. 50(2)/(4) requires disclosure of AI-generated content.
    locale : str
        BCP 47 language tag of the text; the shipped packs are English (``"en"``).
    channel : str or None
        Where the copy appears (``"email"``, ``"sms"``, ``"landing_page"`` …), free text.
    metadata : Mapping[str, str]
        Other per-text metadata; ``metadata["substantiation"]`` (a reference to the
        evidence for claims) excuses claim rules, see :mod:`fairmark.content.match`.
    """

    ad_category: str | None = None
    ai_generated: bool | None = None
    locale: str = "en"
    channel: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
