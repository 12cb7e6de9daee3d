"""Masked examples of personal data: enough shape to recognise the kind, never the value.

Reports show a few examples of what a column holds (``j***@e******.com``,
``**** **** **** 1234``, ``+44 ** **** *958``) so that a reader can check the
classification without seeing anyone's data. What each entity keeps visible follows
common display practice: the last four digits of a payment card (PCI DSS v4.0
requirement 3.4.1, "at most the BIN and last four digits" may be displayed), the country
code and last three digits of a phone number, the country code and last four characters
of an IBAN, the first character of each part of an email address and its top-level
domain, the first two characters of a postal code (the area), the first two digits of a
birth year, the first octet of an IPv4 address (first group of IPv6), the first letter
of each word of a name, an address or a free text (every digit hidden). Separators and
lengths are kept, so the format stays visible.

:func:`mask` never returns a value holding a letter or digit unchanged: a value whose
masked form would equal it (a one-letter word) is replaced by stars.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fairmark.privacy.entities import EntityType

__all__ = ["MAX_TEXT_CHARS", "mask"]

MAX_TEXT_CHARS = 60
"""Free text is cut to this many characters (then ``…``) before masking."""

_RUN = re.compile(r"[^\W_]+")
_STAR = "*"


def _hide(text: str) -> str:
    """Replace every letter and digit by ``*``; keep everything else."""
    return "".join(_STAR if ch.isalnum() else ch for ch in text)


def _words(text: str) -> str:
    """First character of each run of letters kept, the rest and all digits hidden."""

    def one(m: re.Match[str]) -> str:
        run = m.group(0)
        if run[0].isdigit():
            return _STAR * len(run)
        return run[0] + _hide(run[1:])

    return _RUN.sub(one, text)


def _keep_alnum(text: str, first: int, last: int) -> str:
    """Keep the first ``first`` and last ``last`` letters/digits, hide the others."""
    positions = [i for i, ch in enumerate(text) if ch.isalnum()]
    keep = set(positions[:first]) | set(positions[len(positions) - last :] if last else [])
    return "".join(
        ch if (i in keep or not ch.isalnum()) else _STAR for i, ch in enumerate(text)
    )


def _email(value: str) -> str:
    if "@" not in value:
        return _words(value)
    local, domain = value.rsplit("@", 1)
    labels = domain.split(".")
    masked_labels = [_first_only(lab) for lab in labels[:-1]] + (
        [labels[-1]] if len(labels) > 1 else [_first_only(labels[-1])]
    )
    return _first_only(local) + "@" + ".".join(masked_labels)


def _first_only(part: str) -> str:
    if len(part) <= 1:
        return _STAR * len(part)
    return part[0] + _STAR * (len(part) - 1)


def _phone(value: str) -> str:
    digits = sum(ch.isdigit() for ch in value)
    stripped = value.lstrip()
    lead = 0
    if stripped.startswith("+"):
        lead = _country_code_length(value)
    elif stripped.startswith("0"):
        lead = 1
    last = 3 if digits >= 8 else 2
    if lead + last > digits // 2:
        lead, last = 0, min(last, digits // 3)
    out, seen = [], 0
    for ch in value:
        if ch.isdigit():
            seen += 1
            visible = seen <= lead or seen > digits - last
            out.append(ch if visible else _STAR)
        elif ch.isalpha():
            out.append(_STAR)
        else:
            out.append(ch)
    return "".join(out)


def _country_code_length(value: str) -> int:
    """Digits of the ITU-T E.164 country code of ``+…`` (``phonenumbers``), else 2."""
    try:
        import phonenumbers

        number = phonenumbers.parse(value, None)
        return len(str(number.country_code))
    except Exception:
        return 2


def _card(value: str) -> str:
    digits = sum(ch.isdigit() for ch in value)
    keep = 4 if digits >= 12 else digits // 4
    return _keep_alnum(value, 0, keep)


def _iban(value: str) -> str:
    n = sum(ch.isalnum() for ch in value)
    return _keep_alnum(value, 2, 4 if n >= 12 else 0)


def _national_id(value: str) -> str:
    n = sum(ch.isalnum() for ch in value)
    return _keep_alnum(value, 0, 2 if n >= 6 else 0)


def _ip(value: str) -> str:
    sep = ":" if ":" in value else "."
    head, _, tail = value.partition(sep)
    return head + sep + _hide(tail) if tail else _hide(value)


def _date(value: str) -> str:
    def one(m: re.Match[str]) -> str:
        run = m.group(0)
        if run.isdigit():
            return run[:2] + _STAR * (len(run) - 2) if len(run) == 4 else _STAR * len(run)
        return _words(run)

    return _RUN.sub(one, value)


def _postal(value: str) -> str:
    return _keep_alnum(value, 2, 0)


def _text(value: str) -> str:
    cut = value if len(value) <= MAX_TEXT_CHARS else value[:MAX_TEXT_CHARS] + "…"
    return _words(cut)


_MASKERS: dict[str, Callable[[str], str]] = {
    EntityType.EMAIL_ADDRESS: _email,
    EntityType.PHONE_NUMBER: _phone,
    EntityType.CREDIT_CARD: _card,
    EntityType.IBAN_CODE: _iban,
    EntityType.NATIONAL_ID: _national_id,
    EntityType.IP_ADDRESS: _ip,
    EntityType.DATE_OF_BIRTH: _date,
    EntityType.POSTAL_CODE: _postal,
    EntityType.PERSON: _words,
    EntityType.STREET_ADDRESS: _words,
    EntityType.FREE_TEXT: _text,
}


def mask(value: str, entity_type: str | None) -> str:
    """Return a masked form of ``value`` for a report: its shape, not its content.

    Parameters
    ----------
    value : str
        One value (already decoded text; strip it first if you want no edge spaces).
    entity_type : str, EntityType or None
        What the value is (an :class:`~fairmark.privacy.entities.EntityType` name such
        as ``"EMAIL_ADDRESS"``). Unknown names and ``None`` get the free-text rule:
        first letter of each word, every other letter and every digit hidden.

    Returns
    -------
    str
        Same separators as ``value``; ``*`` for each hidden character. Examples:
        ``john@example.com`` → ``j***@e******.com``; ``4111 1111 1111 1234`` →
        ``**** **** **** 1234``; ``+44 20 7946 0958`` → ``+44 ** **** *958``;
        ``DE89 3704 0044 0532 0130 00`` → ``DE** **** **** **** **30 00``;
        ``1985-03-12`` → ``19**-**-**``; ``SW1A 1AA`` → ``SW** ***``;
        ``203.0.113.7`` → ``203.*.***.*``; ``Mary O'Neil`` → ``M*** O'N***``.
        Free text longer than :data:`MAX_TEXT_CHARS` is cut and ends in ``…``. Never
        equal to a ``value`` holding a letter or digit (a value it would leave unchanged,
        such as ``"a"``, becomes ``"*"``); punctuation alone becomes stars.

    Raises
    ------
    TypeError
        If ``value`` is not a ``str``.

    Notes
    -----
    What stays visible is listed in the module docstring with its source (PCI DSS
    v4.0 req. 3.4.1 for cards).
    """
    if not isinstance(value, str):
        raise TypeError(f"mask() takes a str value, got {type(value).__name__}")
    if not value:
        return ""
    masker = _MASKERS.get(str(entity_type) if entity_type is not None else "", _text)
    out = masker(value)
    if out == value or not any(ch != _STAR and ch.isalnum() for ch in value):
        return _STAR * min(len(value), MAX_TEXT_CHARS)
    return out
