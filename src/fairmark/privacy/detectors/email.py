"""E-mail addresses: RFC 5322 dot-atom local part, an RFC 1035 / IDNA 2008 domain.

The candidate pattern is deliberately wide (anything around an ``@`` that is not a space or
a delimiter); :func:`validate_email` then applies the practical subset of RFC 5322 §3.4.1
(``dot-atom`` local part, no quoted strings or comments), RFC 5321 §4.5.3.1 length limits
(64-octet local part, 253-octet domain), and RFC 1035 §2.3.1 label rules for the domain,
whose labels may be internationalised (IDNA 2008, RFC 5890/5891, via the ``idna`` package)
and whose top-level label must be alphabetic or an IDN ``xn--`` label (RFC 3696 §2).
"""

from __future__ import annotations

import re

import idna

from fairmark.privacy.detectors.base import Detector
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTOR", "validate_email"]

_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+")
_LABEL_ASCII = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9\-]{1,59})")

# Wide candidate: no whitespace, delimiters or a second "@"; the last domain label has no
# dot so a sentence-final full stop stays outside the match.
CANDIDATE = (
    r"[^\s@<>()\[\]\\,;:\"'`]{1,64}@[^\s@<>()\[\]\\,;:\"'`/?#=]{1,253}"
    r"\.[^\s@<>()\[\]\\,;:\"'`/?#=.]{2,63}"
)


def _local_part_ok(local: str) -> bool:
    if not 1 <= len(local.encode("utf-8")) <= 64:
        return False
    # dot-atom: atoms separated by single dots; RFC 6531 also allows UTF-8 in atoms.
    for atom in local.split("."):
        if not atom:
            return False
        if not atom.isascii():
            if any(c.isspace() or not c.isprintable() for c in atom):
                return False
            continue
        if not _ATEXT.fullmatch(atom):
            return False
    return True


def _domain_ok(domain: str) -> bool:
    labels = domain.split(".")
    if len(labels) < 2 or any(not label for label in labels):
        return False
    if not _TLD.fullmatch(labels[-1]) and labels[-1].isascii():
        return False
    if not labels[-1].isascii() and not labels[-1].isalpha():
        return False
    try:
        ascii_domain = domain if domain.isascii() else idna.encode(domain, uts46=True).decode()
    except (idna.IDNAError, UnicodeError):
        return False
    if len(ascii_domain) > 253:
        return False
    return all(_LABEL_ASCII.fullmatch(label) for label in ascii_domain.split("."))


def validate_email(candidate: str) -> float:
    """Confidence that ``candidate`` is an e-mail address.

    Parameters
    ----------
    candidate : str
        One value or one span of text, e.g. ``"jane.doe@example.com"`` or
        ``"josé@exämple.de"``.

    Returns
    -------
    float
        0.95 for a syntactically valid address (dot-atom local part, valid domain labels,
        alphabetic or ``xn--`` top-level label); 0.0 otherwise.

    Notes
    -----
    Sources: RFC 5322 §3.4.1 (addr-spec, dot-atom), RFC 5321 §4.5.3.1 (length limits),
    RFC 6531 (UTF-8 local parts), RFC 1035 §2.3.1 and RFC 5890/5891 (IDNA 2008 domains),
    RFC 3696 §2 (top-level domain is not all-numeric).
    """
    text = candidate.strip()
    if text.count("@") != 1:
        return 0.0
    local, domain = text.split("@")
    if domain.endswith("."):
        domain = domain[:-1]
    if not _local_part_ok(local) or not _domain_ok(domain):
        return 0.0
    return 0.95


DETECTOR = Detector(
    entity_type=EntityType.EMAIL_ADDRESS,
    candidate_pattern=CANDIDATE,
    validate=validate_email,
    column_name_hints=(r"e_?mail", r"email_?address", r"\bmail\b", r"courriel", r"correo"),
    context_words=("email", "e-mail", "mail", "contact", "address"),
    source="RFC 5322 §3.4.1, RFC 5321 §4.5.3.1, RFC 6531, IDNA 2008 (RFC 5890/5891)",
)
