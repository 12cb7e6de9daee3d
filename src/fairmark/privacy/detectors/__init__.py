"""Registered personal-data detectors (one module per entity type).

``DETECTORS`` is the registry, in the order the text scan runs them; :func:`detector_for`
looks one up by entity type. ``FREE_TEXT`` has no detector: it is a property of a column
(long values with spaces) that the table scan judges, not a span found in a text.
"""

from __future__ import annotations

from fairmark.errors import UsageError
from fairmark.privacy.detectors import (
    credit_card,
    date_of_birth,
    email,
    iban,
    ip_address,
    national_id,
    person,
    phone,
    postal_code,
    street_address,
)
from fairmark.privacy.detectors.base import Detector
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTORS", "Detector", "detector_for"]

DETECTORS: tuple[Detector, ...] = (
    email.DETECTOR,
    credit_card.DETECTOR,
    iban.DETECTOR,
    national_id.DETECTOR,
    ip_address.DETECTOR,
    phone.DETECTOR,
    date_of_birth.DETECTOR,
    postal_code.DETECTOR,
    street_address.DETECTOR,
    person.DETECTOR,
)
"""Every detector, one per entity type except ``FREE_TEXT``."""

_BY_TYPE: dict[EntityType, Detector] = {d.entity_type: d for d in DETECTORS}


def detector_for(entity_type: EntityType | str) -> Detector:
    """The registered detector of an entity type.

    Parameters
    ----------
    entity_type : EntityType or str
        E.g. ``EntityType.EMAIL_ADDRESS`` or ``"EMAIL_ADDRESS"``.

    Returns
    -------
    Detector

    Raises
    ------
    UsageError
        When the name is not an entity type, or for ``FREE_TEXT`` (a column property with no
        span detector).
    """
    try:
        kind = EntityType(str(entity_type).upper())
    except ValueError:
        known = ", ".join(sorted(t.value for t in _BY_TYPE))
        raise UsageError(f"unknown entity type {entity_type!r}; expected one of: {known}") from None
    if kind not in _BY_TYPE:
        raise UsageError(
            f"entity type {kind.value} has no span detector (free text is judged per column "
            "by the table scan)"
        )
    return _BY_TYPE[kind]
