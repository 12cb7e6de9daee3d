"""The personal-data entity types fairmark detects and their fideslang data categories.

Entity names follow Presidio's (``EMAIL_ADDRESS``, ``PHONE_NUMBER``, ``CREDIT_CARD`` …) so
that users who know Presidio read them without a table; the data categories are fideslang
taxonomy keys (Ethyca, fideslang 2.x, ``data_categories``). Special categories are those of
GDPR Art. 9(1); direct identifiers single a person out on their own (ISO/IEC 20889:2018
§3.14, "direct identifier").
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "DATA_CATEGORY",
    "DIRECT_IDENTIFIERS",
    "SPECIAL_CATEGORY_PREFIXES",
    "EntityType",
    "is_special_category",
]


class EntityType(StrEnum):
    """A kind of personal data found in a value or a column."""

    EMAIL_ADDRESS = "EMAIL_ADDRESS"
    PHONE_NUMBER = "PHONE_NUMBER"
    CREDIT_CARD = "CREDIT_CARD"
    IBAN_CODE = "IBAN_CODE"
    NATIONAL_ID = "NATIONAL_ID"
    IP_ADDRESS = "IP_ADDRESS"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    POSTAL_CODE = "POSTAL_CODE"
    PERSON = "PERSON"
    STREET_ADDRESS = "STREET_ADDRESS"
    FREE_TEXT = "FREE_TEXT"


DATA_CATEGORY: dict[EntityType, str] = {
    EntityType.EMAIL_ADDRESS: "user.contact.email",
    EntityType.PHONE_NUMBER: "user.contact.phone_number",
    EntityType.CREDIT_CARD: "user.financial.credit_card",
    EntityType.IBAN_CODE: "user.financial.bank_account",
    EntityType.NATIONAL_ID: "user.government_id.national_identification_number",
    EntityType.IP_ADDRESS: "user.device.ip_address",
    EntityType.DATE_OF_BIRTH: "user.demographic.date_of_birth",
    EntityType.POSTAL_CODE: "user.contact.address.postal_code",
    EntityType.PERSON: "user.name",
    EntityType.STREET_ADDRESS: "user.contact.address.street",
    EntityType.FREE_TEXT: "user.content",
}
"""fideslang data category of each entity type."""

DIRECT_IDENTIFIERS: frozenset[EntityType] = frozenset(
    {
        EntityType.EMAIL_ADDRESS,
        EntityType.PHONE_NUMBER,
        EntityType.CREDIT_CARD,
        EntityType.IBAN_CODE,
        EntityType.NATIONAL_ID,
        EntityType.IP_ADDRESS,
        EntityType.PERSON,
        EntityType.STREET_ADDRESS,
    }
)
"""Entity types that identify a person on their own; never a model feature."""

SPECIAL_CATEGORY_PREFIXES: dict[str, str] = {
    "user.health_and_medical": "health (GDPR Art. 9(1))",
    "user.demographic.race_ethnicity": "racial or ethnic origin (GDPR Art. 9(1))",
    "user.demographic.religious_belief": "religious or philosophical beliefs (GDPR Art. 9(1))",
    "user.demographic.political_opinion": "political opinions (GDPR Art. 9(1))",
    "user.demographic.sexual_orientation": "sex life or sexual orientation (GDPR Art. 9(1))",
    "user.biometric": "biometric data (GDPR Art. 9(1))",
    "user.genetic": "genetic data (GDPR Art. 9(1))",
    "user.workplace.trade_union_membership": "trade-union membership (GDPR Art. 9(1))",
}
"""fideslang categories of the GDPR Art. 9(1) special categories, with their wording."""


def is_special_category(category: str) -> str | None:
    """Return the Art. 9 wording when ``category`` (a fideslang key) is a special category.

    Parameters
    ----------
    category : str
        fideslang data category, e.g. ``"user.health_and_medical.condition"``.

    Returns
    -------
    str or None
        E.g. ``"health (GDPR Art. 9(1))"``; ``None`` for an ordinary category.
    """
    for prefix, words in SPECIAL_CATEGORY_PREFIXES.items():
        if category == prefix or category.startswith(prefix + "."):
            return words
    return None
