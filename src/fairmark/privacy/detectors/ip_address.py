"""IP addresses: IPv4 dotted quads (RFC 791) and IPv6 text forms (RFC 4291 §2.2).

Candidates are validated with the standard library's :mod:`ipaddress` (strict: no octet
above 255, no leading zeros, the IPv6 compression and embedded-IPv4 rules of RFC 4291
§2.2). Version-like strings such as ``"1.2.3.4"`` are valid addresses, so a bare IPv4
address scores lower than an IPv6 one; a context word ("ip", "server" …) lifts it.
"""

from __future__ import annotations

import ipaddress

from fairmark.privacy.detectors.base import Detector
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTOR", "validate_ip"]

CANDIDATE = (
    r"\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}\b"
    r"|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3})?"
)


def validate_ip(candidate: str) -> float:
    """Confidence that ``candidate`` is an IP address.

    Parameters
    ----------
    candidate : str
        E.g. ``"192.0.2.17"``, ``"2001:db8::1"``, ``"::ffff:192.0.2.1"``.

    Returns
    -------
    float
        0.8 for a valid IPv6 address with at least one hexadecimal group; 0.6 for a valid
        IPv4 address (0.4 when every octet is a single digit, like a version number
        ``"1.2.3.4"``); 0.0 when :mod:`ipaddress` rejects it or for the unspecified
        address alone (``"::"``).

    Notes
    -----
    Sources: RFC 791 §3.2 (IPv4 addresses); RFC 4291 §2.2 (IPv6 text representation);
    RFC 5952 (recommended IPv6 text form); Python :mod:`ipaddress`.
    """
    text = candidate.strip()
    if not text or not text.isascii():
        return 0.0
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return 0.0
    if address.version == 6:
        return 0.8 if any(c not in ":." for c in text) else 0.0
    if all(len(octet) == 1 for octet in text.split(".")):
        return 0.4
    return 0.6


DETECTOR = Detector(
    entity_type=EntityType.IP_ADDRESS,
    candidate_pattern=CANDIDATE,
    validate=validate_ip,
    column_name_hints=(r"\bip\b", r"ip_?addr", r"ip_?v[46]", r"client_?ip", r"remote_?addr"),
    context_words=("ip", "address", "server", "host", "client", "connect", "blocked", "login"),
    source="RFC 791, RFC 4291 §2.2, RFC 5952 (Python ipaddress)",
)
