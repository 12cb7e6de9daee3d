"""``decode(string)``: detect the kind of a consent string, decode it, attach compliance findings.

Detection (by the first character, which each format fixes):

- ``C`` → TCF v2.x (6-bit Version 2 = ``000010``);
- ``B`` → TCF v1.1 (Version 1 = ``000001``);
- ``D`` → GPP (header Type 3 = ``000011``);
- a digit followed by three of ``Y``/``N``/``-`` → US Privacy.

The result is a versioned JSON-safe document (:meth:`DecodedSignal.to_dict`)::

    {"schema_version": "1.0", "kind": "tcf" | "gpp" | "usprivacy", "version": 2,
     "string": "...", "fields": {...}, "notes": [...], "compliance": [{finding}, ...]}

``fields`` per kind: TCF — ``@iabtechlabtcf/core`` names (:meth:`TCString.to_fields`);
GPP — ``{"header", "sectionIds", "sections": {prefix: fields}}``; US Privacy — the GPP
``uspv1`` names plus ``ccpa_applies``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fairmark.consent.gpp import GppString, decode_gpp
from fairmark.consent.rules import (
    Finding,
    gpp_us_findings,
    tcf_findings,
    tcf_v1_findings,
    usprivacy_findings,
)
from fairmark.consent.tcf import TCString, decode_tcf_v2
from fairmark.consent.tcf_v1 import TCStringV1, decode_tcf_v1
from fairmark.consent.us_sections import US_SECTIONS
from fairmark.consent.usprivacy import UsPrivacy, decode_usprivacy, looks_like_usprivacy
from fairmark.errors import DataError

__all__ = ["KINDS", "DecodedSignal", "decode", "decode_signal", "detect_kind"]

KINDS = ("tcf", "gpp", "usprivacy")
"""Kinds of consent string :func:`decode` recognises."""

_EXPECTED = (
    "expected a TCF v2 string (starts with 'C'), a TCF v1.1 string ('B'), a GPP string "
    "('DBA…') or a 4-character US Privacy string such as '1YNN'"
)


@dataclass(frozen=True)
class DecodedSignal:
    """A decoded consent string with its typed model and findings.

    Attributes
    ----------
    kind : {"tcf", "gpp", "usprivacy"}
    version : int
        Format version: TCF 1 or 2, GPP 1, US Privacy 1.
    string : str
        The input, stripped of surrounding whitespace.
    model : TCString, TCStringV1, GppString or UsPrivacy
        The typed decoding (used by :mod:`fairmark.consent.mapping`).
    compliance : tuple of Finding
    """

    kind: str
    version: int
    string: str
    model: TCString | TCStringV1 | GppString | UsPrivacy
    compliance: tuple[Finding, ...] = field(default=())

    @property
    def notes(self) -> tuple[str, ...]:
        """What decoding tolerated (padding removed, layout fallback, unknown sections)."""
        return getattr(self.model, "notes", ())

    def fields(self) -> dict[str, Any]:
        """The decoded fields (see the module docstring)."""
        return self.model.to_fields()

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON document of the module docstring."""
        return {
            "schema_version": "1.0",
            "kind": self.kind,
            "version": self.version,
            "string": self.string,
            "fields": self.fields(),
            "notes": list(self.notes),
            "compliance": [f.to_dict() for f in self.compliance],
        }


def detect_kind(string: str) -> str:
    """Return ``"tcf"``, ``"gpp"`` or ``"usprivacy"`` for a consent string.

    Parameters
    ----------
    string : str
        Whitespace around it is ignored.

    Returns
    -------
    str

    Raises
    ------
    DataError
        Empty, or no format starts that way.
    """
    text = string.strip()
    if not text:
        raise DataError(f"empty consent string; {_EXPECTED}")
    if looks_like_usprivacy(text):
        return "usprivacy"
    if text[0] in "BC":
        return "tcf"
    if text[0] == "D":
        return "gpp"
    shown = text if len(text) <= 40 else text[:37] + "..."
    raise DataError(f"not a consent string: {shown!r}; {_EXPECTED}")


def _gpp_findings(gpp: GppString) -> list[Finding]:
    out: list[Finding] = []
    for s in gpp.sections:
        if s.tcf is not None:
            out += tcf_findings(s.tcf, section="gpp.tcfeuv2")
        elif s.name == "uspv1":
            out += usprivacy_findings(int(s.fields["Version"]), section="gpp.uspv1")
        elif s.name in US_SECTIONS:
            out += gpp_us_findings(s.name, s.fields)
    return out


def decode_signal(string: str) -> DecodedSignal:
    """Decode a TCF, GPP or US Privacy string into a :class:`DecodedSignal`.

    Parameters
    ----------
    string : str
        The consent string (surrounding whitespace ignored).

    Returns
    -------
    DecodedSignal

    Raises
    ------
    DataError
        The string is of no known kind, or malformed/truncated; the message names the
        segment (or section), field and bit where decoding failed.
    """
    text = string.strip()
    kind = detect_kind(text)
    if kind == "usprivacy":
        usp = decode_usprivacy(text)
        return DecodedSignal(kind, usp.version, text, usp, tuple(usprivacy_findings(usp.version)))
    if kind == "gpp":
        gpp = decode_gpp(text)
        return DecodedSignal(kind, gpp.version, text, gpp, tuple(_gpp_findings(gpp)))
    if text[0] == "B":
        v1 = decode_tcf_v1(text)
        return DecodedSignal(kind, 1, text, v1, tuple(tcf_v1_findings(v1.fields["CmpId"])))
    tc = decode_tcf_v2(text)
    return DecodedSignal(kind, tc.version, text, tc, tuple(tcf_findings(tc)))


def decode(string: str) -> dict[str, Any]:
    """Decode a consent string and return its fields and compliance findings as a dict.

    Parameters
    ----------
    string : str
        An IAB TCF v2.x or v1.1 TC string, a GPP string or a US Privacy string; the kind
        is detected (module docstring).

    Returns
    -------
    dict
        ``{"schema_version": "1.0", "kind", "version", "string", "fields", "notes",
        "compliance"}``; JSON-safe.

    Raises
    ------
    DataError
        Unknown kind, malformed or truncated string (one line naming the segment, field
        and bit offset), e.g. ``TCF core segment: string ends at bit 12 while reading
        Created (expected 36 bits)``.

    Examples
    --------
    >>> decode("1YNN")["fields"]["OptOutSale"]
    'N'
    """
    return decode_signal(string).to_dict()
