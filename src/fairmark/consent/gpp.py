"""IAB Global Privacy Platform (GPP) strings: header, section IDs and every known section.

Source: IAB Tech Lab, *Global Privacy Platform String* v1.0 (``Core/Consent String
Specification.md``): "GPP String Format" (sections joined by ``~``, the header first),
"Header Encoding" (Type Int(6) = 3, Version Int(6) = 1, Sections ``Range (Fibonacci)`` in
the order the sections follow), and ``Sections/Section Information.md`` for the IDs:

====  ==========  ================================================
ID    prefix      decoded by
====  ==========  ================================================
2     tcfeuv2     :func:`fairmark.consent.tcf.decode_tcf_v2`
5     tcfcav1     :func:`fairmark.consent.tcfca.decode_tcfcav1`
6     uspv1       :func:`fairmark.consent.usprivacy.decode_usprivacy`
7-27  usnat, us…  :func:`fairmark.consent.us_sections.decode_us_section`
====  ==========  ================================================

Sections with other IDs (1 ``tcfeuv1``, retired; 4 signal integrity; IDs added after
this module) are kept as raw text with a note, as the GPP specification lets a reader skip
sections it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fairmark.consent.bits import BitReader, bits_from_base64url
from fairmark.consent.layout import padding_note
from fairmark.consent.tcf import TCString, decode_tcf_v2
from fairmark.consent.tcfca import decode_tcfcav1
from fairmark.consent.us_sections import US_SECTIONS, decode_us_section
from fairmark.consent.usprivacy import decode_usprivacy
from fairmark.errors import DataError

__all__ = ["SECTION_NAMES", "GppSection", "GppString", "decode_gpp", "decode_gpp_header"]

SECTION_NAMES: dict[int, str] = {
    1: "tcfeuv1",
    2: "tcfeuv2",
    4: "gppsi",
    5: "tcfcav1",
    6: "uspv1",
    **{s.section_id: s.name for s in US_SECTIONS.values()},
}
"""GPP section ID → client-side API prefix."""


@dataclass(frozen=True)
class GppSection:
    """One decoded section of a GPP string.

    Attributes
    ----------
    section_id : int
    name : str
        API prefix (``"usnat"``), or ``"section<ID>"`` for an unknown ID.
    text : str
        The section as written in the string.
    fields : dict
        Decoded fields (names of the section's specification / ``@iabgpp/cmpapi``);
        ``{}`` for a section fairmark does not decode.
    decoded : bool
        ``False`` for a section kept raw.
    tcf : TCString or None
        The typed TC string of a ``tcfeuv2`` section (for the TCF rules).
    """

    section_id: int
    name: str
    text: str
    fields: dict[str, Any]
    decoded: bool = True
    tcf: TCString | None = None


@dataclass(frozen=True)
class GppString:
    """A decoded GPP string.

    Attributes
    ----------
    version : int
        GPP header version (1).
    section_ids : tuple of int
        IDs from the header, in string order.
    sections : tuple of GppSection
    notes : tuple of str
    """

    version: int
    section_ids: tuple[int, ...]
    sections: tuple[GppSection, ...]
    notes: tuple[str, ...] = field(default=())

    def to_fields(self) -> dict[str, Any]:
        """``{"header": {...}, "sectionIds": [...], "sections": {prefix: fields}}``."""
        return {
            "header": {"Type": 3, "Version": self.version, "SectionIds": list(self.section_ids)},
            "sectionIds": list(self.section_ids),
            "sections": {
                s.name: (s.fields if s.decoded else {"Decoded": False, "Text": s.text})
                for s in self.sections
            },
        }


def decode_gpp_header(text: str) -> tuple[int, list[int], tuple[str, ...]]:
    """Decode the GPP header segment.

    Parameters
    ----------
    text : str
        E.g. ``"DBACNYA"``.

    Returns
    -------
    tuple
        ``(version, section_ids, notes)``.

    Raises
    ------
    DataError
        Not base64url, Type not 3, Version not 1, or the section range cut off.
    """
    bits = bits_from_base64url(text, "GPP header")
    reader = BitReader(bits.bits, "GPP header")
    kind = reader.int(6, "Type")
    if kind != 3:
        raise DataError(f"GPP header: Type is {kind}; expected 3 (the GPP header)")
    version = reader.int(6, "Version")
    if version != 1:
        raise DataError(f"GPP header: Version is {version}; expected 1 (GPP v1.0)")
    ids = reader.fibonacci_range("SectionIds")
    notes = list(bits.notes)
    note = padding_note(reader)
    if note:
        notes.append(note)
    return version, ids, tuple(notes)


def _decode_section(section_id: int, text: str) -> tuple[GppSection, list[str]]:
    name = SECTION_NAMES.get(section_id, f"section{section_id}")
    where = f"GPP {name} section"
    if section_id == 2:
        tc = decode_tcf_v2(text, where=where)
        return GppSection(section_id, name, text, tc.gpp_fields(), tcf=tc), list(tc.notes)
    if section_id == 5:
        values = decode_tcfcav1(text, where=where)
        notes = values.pop("Notes")
        return GppSection(section_id, name, text, values), notes
    if section_id == 6:
        usp = decode_usprivacy(text, where=where)
        values = usp.to_fields()
        values.pop("ccpa_applies")
        return GppSection(section_id, name, text, values), []
    if name in US_SECTIONS:
        values = decode_us_section(name, text, where=where)
        notes = values.pop("Notes")
        return GppSection(section_id, name, text, values), notes
    note = f"GPP section {section_id} ({name}) is not decoded by fairmark; kept as text"
    return GppSection(section_id, name, text, {}, decoded=False), [note]


def decode_gpp(string: str) -> GppString:
    """Decode a full GPP string (header ``~`` section ``~`` section …).

    Parameters
    ----------
    string : str
        E.g. ``"DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN"``.

    Returns
    -------
    GppString

    Raises
    ------
    DataError
        A bad header; a number of sections different from the header's list; an empty
        section; or any error of a section decoder (the message names the section).
    """
    parts = string.split("~")
    version, ids, header_notes = decode_gpp_header(parts[0])
    texts = parts[1:]
    if len(texts) != len(ids):
        listed = ", ".join(str(i) for i in ids) or "none"
        raise DataError(
            f"GPP string: the header lists {len(ids)} section(s) ({listed}) but "
            f"{len(texts)} follow"
        )
    if len(set(ids)) != len(ids):
        raise DataError(f"GPP header: a section ID appears twice in {ids}")
    notes = list(header_notes)
    sections = []
    for section_id, text in zip(ids, texts, strict=True):
        if not text:
            name = SECTION_NAMES.get(section_id, f"section{section_id}")
            raise DataError(f"GPP string: section {section_id} ({name}) is empty")
        section, section_notes = _decode_section(section_id, text)
        sections.append(section)
        notes.extend(section_notes)
    return GppString(version, tuple(ids), tuple(sections), tuple(notes))
