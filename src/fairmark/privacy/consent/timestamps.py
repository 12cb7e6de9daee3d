"""Instants in the consent ledger: timezone-aware, never guessed.

A consent decision happened at one instant. A timestamp without a UTC offset
(``2025-03-01 10:00``) names a different instant in every time zone, so it is refused unless
the caller names the time zone explicitly (an IANA name such as ``Europe/Berlin``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fairmark.errors import UsageError

__all__ = [
    "OFFSET_PATTERN",
    "VALID_OFFSET_PATTERN",
    "check_timezone",
    "iso_utc",
    "parse_instant",
]

OFFSET_PATTERN = r"[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
"""Regular expression matching a time of day followed by the UTC designator or an offset,
at the end of an ISO 8601 timestamp (``T10:00Z``, ``10:00:00.5+02:00``, ``T10:00+0200``):
ISO 8601-1:2019 §5.3.4 (time shift). A date alone (``2025-03-01``) has no offset."""

VALID_OFFSET_PATTERN = r"(?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)$"
"""Regular expression matching a *possible* UTC designator or offset at the end of a
timestamp: hours 00-23, minutes 00-59 (RFC 3339 §5.6 ``time-numoffset``; ISO 8601-1:2019
§5.3.4). ``+25:00``, ``+99:00`` or ``-12:61`` match :data:`OFFSET_PATTERN` but not this one,
and are refused by both :func:`parse_instant` and the import of an export file."""

_OFFSET = re.compile(OFFSET_PATTERN)
_VALID_OFFSET = re.compile(VALID_OFFSET_PATTERN)


def check_timezone(name: str | None) -> ZoneInfo | None:
    """Return the IANA time zone ``name`` (``None`` stays ``None``).

    Parameters
    ----------
    name : str or None
        An IANA time-zone name, e.g. ``"Europe/Berlin"`` or ``"UTC"``.

    Raises
    ------
    UsageError
        The name is not in the IANA time-zone database.

    Notes
    -----
    Source: IANA Time Zone Database (Python :mod:`zoneinfo`, PEP 615).
    """
    if name is None:
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"time zone {name!r} is unknown; expected an IANA name such as Europe/Berlin, "
            "America/New_York or UTC"
        ) from None


def parse_instant(
    value: str | datetime, *, what: str = "timestamp", timezone: str | None = None
) -> datetime:
    """Parse an ISO 8601 timestamp (or check a ``datetime``) into an aware UTC datetime.

    Parameters
    ----------
    value : str or datetime
        ``2025-03-01T10:00:00+01:00``, ``2025-03-01T09:00:00Z`` …; a ``datetime`` must be
        timezone-aware unless ``timezone`` is given.
    what : str
        How to name the value in an error (``"--as-of"``, ``"expiry"`` …).
    timezone : str, optional
        IANA time zone in which a timestamp *without* offset is read. Without it, such a
        timestamp is an error.

    Returns
    -------
    datetime
        Timezone-aware, in UTC.

    Raises
    ------
    UsageError
        Not an ISO 8601 timestamp, an impossible UTC offset (hours above 23 or minutes
        above 59, :data:`VALID_OFFSET_PATTERN`), or no UTC offset and no ``timezone``, or an
        unknown ``timezone``.

    Notes
    -----
    Source: ISO 8601-1:2019 §5.4 (date and time of day), RFC 3339 §5.6.
    """
    zone = check_timezone(timezone)
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if _OFFSET.search(text) and not _VALID_OFFSET.search(text):
            raise UsageError(
                f"{what} {value!r} has an invalid UTC offset; expected an offset from -23:59 "
                "to +23:59 (hours 00-23, minutes 00-59), e.g. 2025-03-01T10:00:00+01:00"
            )
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise UsageError(
                f"{what} {value!r} is not an ISO 8601 timestamp; expected e.g. "
                "2025-03-01T10:00:00+01:00 or 2025-03-01T09:00:00Z"
            ) from None
        if parsed.tzinfo is None and _OFFSET.search(text):  # pragma: no cover - defensive
            raise UsageError(f"{what} {value!r}: its offset could not be read")
    else:
        raise UsageError(
            f"{what} is a {type(value).__name__}; expected an ISO 8601 timestamp with offset"
        )
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        if zone is None:
            raise UsageError(
                f"{what} {value!s} has no UTC offset; expected e.g. 2025-03-01T10:00:00+01:00 "
                "or 2025-03-01T09:00:00Z"
            )
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def iso_utc(value: datetime | None) -> str | None:
    """``2025-03-01T09:00:00Z`` (microseconds kept when not zero); ``None`` stays ``None``."""
    if value is None:
        return None
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"
