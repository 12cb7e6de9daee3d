"""Purposes of processing as fideslang data-use keys: the known keys and their hierarchy.

A consent record names its purpose by a fideslang data use (``marketing.advertising.profiling``,
``marketing.communications.email`` …). Data uses are hierarchical: a record for a parent
(``marketing``) speaks for every child (``marketing.communications.email``), so the records
that decide a purpose are those of the purpose itself and of each of its ancestors
(:func:`purpose_chain`).
"""

from __future__ import annotations

import difflib

from fairmark.errors import UsageError

__all__ = [
    "DATA_USES",
    "DIRECT_MARKETING_ROOT",
    "check_purpose",
    "is_direct_marketing",
    "purpose_chain",
]

DATA_USES: frozenset[str] = frozenset(
    {
        "analytics",
        "analytics.reporting",
        "analytics.reporting.ad_performance",
        "analytics.reporting.content_performance",
        "analytics.reporting.campaign_insights",
        "analytics.reporting.system",
        "analytics.reporting.system.performance",
        "collect",
        "employment",
        "employment.recruitment",
        "essential",
        "essential.fraud_detection",
        "essential.legal_obligation",
        "essential.service",
        "essential.service.authentication",
        "essential.service.notifications",
        "essential.service.notifications.email",
        "essential.service.notifications.sms",
        "essential.service.operations",
        "essential.service.operations.support",
        "essential.service.operations.improve",
        "essential.service.payment_processing",
        "essential.service.security",
        "essential.service.upgrades",
        "finance",
        "functional",
        "functional.storage",
        "functional.service",
        "functional.service.improve",
        "marketing",
        "marketing.advertising",
        "marketing.advertising.first_party",
        "marketing.advertising.first_party.contextual",
        "marketing.advertising.first_party.targeted",
        "marketing.advertising.frequency_capping",
        "marketing.advertising.negative_targeting",
        "marketing.advertising.profiling",
        "marketing.advertising.serving",
        "marketing.advertising.third_party",
        "marketing.advertising.third_party.targeted",
        "marketing.communications",
        "marketing.communications.email",
        "marketing.communications.sms",
        "operations",
        "personalize",
        "personalize.content",
        "personalize.content.limited",
        "personalize.content.profiling",
        "personalize.content.profiled",
        "personalize.system",
        "sales",
        "third_party_sharing",
        "third_party_sharing.legal_obligation",
        "train_ai_system",
    }
)
"""Every data use of the fideslang default taxonomy (``DEFAULT_DATA_USES`` of
``src/fideslang/default_taxonomy/data_uses.py``, IABTechLab/fideslang commit 7371ff7f, the
version :data:`fairmark.consent.mapping.TCF_PURPOSES` maps to), except the deprecated
``personalize.profiling`` (replaced by ``personalize.content.profiling`` in fideslang 2.1.1)."""

DIRECT_MARKETING_ROOT = "marketing"
"""The data use whose subtree is direct marketing, profiling for advertising included.

GDPR Art. 21(2)-(3): the data subject may object at any time to processing for direct
marketing, "which includes profiling to the extent that it is related to such direct
marketing", and after such an objection the data "shall no longer be processed for such
purposes". fideslang files advertising, advertising profiling and marketing communications
under ``marketing``."""


def check_purpose(purpose: object, *, what: str = "purpose") -> str:
    """Return ``purpose`` if it is a known fideslang data use, else raise.

    Parameters
    ----------
    purpose : object
        The value to check; surrounding spaces are removed.
    what : str
        How to name the value in the message (``"--purpose"``, ``"row 12: purpose"`` …).

    Returns
    -------
    str
        The data-use key.

    Raises
    ------
    UsageError
        ``purpose`` is not text or not a key of :data:`DATA_USES`; the message suggests the
        closest keys.

    Notes
    -----
    Source: fideslang default taxonomy, data uses (IABTechLab/fideslang).
    """
    text = purpose.strip() if isinstance(purpose, str) else None
    if text in DATA_USES:
        return text
    near = difflib.get_close_matches(text or "", sorted(DATA_USES), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(near)}?" if near else (
        "expected a fideslang data use such as marketing.advertising.profiling or "
        "marketing.communications.email"
    )
    raise UsageError(f"{what} {purpose!r} is not a fideslang data use; {hint}")


def purpose_chain(purpose: str) -> tuple[str, ...]:
    """The purpose and its ancestors, most specific first.

    Parameters
    ----------
    purpose : str
        A fideslang data-use key, e.g. ``"marketing.communications.email"``.

    Returns
    -------
    tuple of str
        ``("marketing.communications.email", "marketing.communications", "marketing")``:
        the keys whose consent records decide ``purpose`` (a record for a parent data use
        covers its children, fideslang's "natural inheritance" of data uses).
    """
    parts = purpose.split(".")
    return tuple(".".join(parts[:i]) for i in range(len(parts), 0, -1))


def is_direct_marketing(purpose: str) -> bool:
    """Whether ``purpose`` is direct marketing (GDPR Art. 21(2)-(3)).

    Parameters
    ----------
    purpose : str
        A fideslang data-use key.

    Returns
    -------
    bool
        ``True`` for ``marketing`` and every data use below it
        (:data:`DIRECT_MARKETING_ROOT`).
    """
    return purpose == DIRECT_MARKETING_ROOT or purpose.startswith(DIRECT_MARKETING_ROOT + ".")
