"""GPP US sections: ``usnat`` (section 7) and the state sections 8-27, as field tables.

Sources (IAB Tech Lab, Global Privacy Platform repository, ``Sections/``):

- ``usnat``: *IAB Privacy's MSPA US National Section Technical Specification*: Version 1
  (December 2022; SensitiveDataProcessing N-Bitfield(2,12), KnownChildSensitiveDataConsents
  N-Bitfield(2,2)) and Version 2 (August 2024; N-Bitfield(2,16) and N-Bitfield(2,3));
- ``usca`` … ``usmn``: *GPP Extension: IAB Privacy's <State> Privacy Technical
  Specification*, "Core Segment" and "GPC Sub-section" of each state document;
- ``usmd``, ``usin``, ``usky``, ``usri``: the 2025 *<State> Privacy Technical
  Specification* drafts define a section header (SectionID, Version, SubSections) that no
  encoder in the vectors writes; these four follow ``@iabgpp/cmpapi`` 3.2.0, which starts
  the core with ``MspaVersion`` and has an optional second segment (GPC for ``usmd``,
  Sensitive Data Consents ``SensitiveDataProcessing`` N-Bitfield(2,8) for the others).

Every Int(2) choice field uses 0 = not applicable, 1 = yes / opted out / no consent and
2 = no / did not opt out / consent, as each field's description says; the values are
returned as decoded and checked by :func:`fairmark.consent.rules.gpp_findings`.

An optional sub-section that is absent is reported as ``GpcSegmentIncluded: false`` (or
``SensitiveDataConsentSegmentIncluded: false``) and its fields are left out: a string
without a GPC sub-section says nothing about GPC (``@iabgpp/cmpapi`` fills ``Gpc: false``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.consent.bits import BitReader, bits_from_base64url
from fairmark.consent.layout import Field, padding_note, read_fields
from fairmark.errors import DataError, UsageError

__all__ = ["US_SECTIONS", "UsSection", "decode_us_section"]


def _c(*names: str) -> tuple[Field, ...]:
    """Int(2) choice fields."""
    return tuple(Field(n, "int", 2) for n in names)


def _sdp(n: int) -> Field:
    return Field("SensitiveDataProcessing", "ints", n, 2)


def _kids(n: int) -> Field:
    """KnownChildSensitiveDataConsents: N-Bitfield(2, n), or Int(2) when ``n`` is 0."""
    if n == 0:
        return Field("KnownChildSensitiveDataConsents", "int", 2)
    return Field("KnownChildSensitiveDataConsents", "ints", n, 2)


_V = Field("Version", "int", 6)
_MSPA = _c("MspaCoveredTransaction", "MspaOptOutOptionMode", "MspaServiceProviderMode")
_GPC = (Field("GpcSegmentType", "int", 2), Field("Gpc", "bool"))
_SENSITIVE = (_sdp(8),)
_NOTICES_PROC = _c("ProcessingNotice", "SaleOptOutNotice", "TargetedAdvertisingOptOutNotice")
_NOTICES_SHARE = _c("SharingNotice", "SaleOptOutNotice", "TargetedAdvertisingOptOutNotice")
_OPT_OUTS = _c("SaleOptOut", "TargetedAdvertisingOptOut")
_ADPC = _c("AdditionalDataProcessingConsent")


def _state(notices: tuple[Field, ...], sdp: int, kids: int, adpc: bool) -> tuple[Field, ...]:
    """The common layout of the 2023-2024 state sections."""
    return (_V, *notices, *_OPT_OUTS, _sdp(sdp), _kids(kids), *(_ADPC if adpc else ()), *_MSPA)


_MSPA_2025 = (
    Field("MspaVersion", "int", 6),
    *_c("MspaCoveredTransaction", "MspaMode"),
    *_NOTICES_PROC,
    *_OPT_OUTS,
)


def _usnat(sdp: int, kids: int) -> tuple[Field, ...]:
    return (
        _V,
        *_c("SharingNotice", "SaleOptOutNotice", "SharingOptOutNotice",
            "TargetedAdvertisingOptOutNotice", "SensitiveDataProcessingOptOutNotice",
            "SensitiveDataLimitUseNotice", "SaleOptOut", "SharingOptOut",
            "TargetedAdvertisingOptOut"),
        _sdp(sdp),
        _kids(kids),
        *_c("PersonalDataConsents"),
        *_MSPA,
    )


@dataclass(frozen=True)
class UsSection:
    """Layout of one GPP US section.

    Attributes
    ----------
    section_id : int
        GPP section ID (``Sections/Section Information.md``).
    name : str
        Client-side API prefix (``"usca"``).
    jurisdiction : str
        ISO 3166-2 code of the state (``"US-CA"``), ``"US"`` for the national section.
    cores : dict of int to tuple of Field
        Core segment table by ``Version`` (``MspaVersion`` for the 2025 sections).
    subsection : {"gpc", "sensitive", None}
        The optional second segment.
    source : str
        Specification the table follows.
    """

    section_id: int
    name: str
    jurisdiction: str
    cores: dict[int, tuple[Field, ...]]
    subsection: str | None
    source: str


def _spec(state: str) -> str:
    return f"GPP Extension: IAB Privacy's {state} Privacy Technical Specification, Core Segment"


_CA = (_V, *_c("SaleOptOutNotice", "SharingOptOutNotice", "SensitiveDataLimitUseNotice",
               "SaleOptOut", "SharingOptOut"), _sdp(9), _kids(2), *_c("PersonalDataConsents"),
       *_MSPA)
_UT = (_V, *_c("SharingNotice", "SaleOptOutNotice", "TargetedAdvertisingOptOutNotice",
               "SensitiveDataProcessingOptOutNotice"), *_OPT_OUTS, _sdp(8), _kids(0), *_MSPA)
_IA = (_V, *_NOTICES_PROC, *_c("SensitiveDataOptOutNotice"), *_OPT_OUTS, _sdp(8), _kids(0),
       *_MSPA)

US_SECTIONS: dict[str, UsSection] = {
    s.name: s
    for s in (
        UsSection(7, "usnat", "US", {1: _usnat(12, 2), 2: _usnat(16, 3)}, "gpc",
                  "IAB Privacy's MSPA US National Section Technical Specification v1.0/v2.0"),
        UsSection(8, "usca", "US-CA", {1: _CA}, "gpc", _spec("California")),
        UsSection(9, "usva", "US-VA", {1: _state(_NOTICES_SHARE, 8, 0, False)}, None,
                  _spec("Virginia")),
        UsSection(10, "usco", "US-CO", {1: _state(_NOTICES_SHARE, 7, 0, False)}, "gpc",
                  _spec("Colorado")),
        UsSection(11, "usut", "US-UT", {1: _UT}, None, _spec("Utah")),
        UsSection(12, "usct", "US-CT", {1: _state(_NOTICES_SHARE, 8, 3, False)}, "gpc",
                  _spec("Connecticut")),
        UsSection(13, "usfl", "US-FL", {1: _state(_NOTICES_PROC, 8, 3, True)}, None,
                  _spec("Florida")),
        UsSection(14, "usmt", "US-MT", {1: _state(_NOTICES_SHARE, 8, 3, True)}, "gpc",
                  _spec("Montana")),
        UsSection(15, "usor", "US-OR", {1: _state(_NOTICES_PROC, 11, 3, True)}, "gpc",
                  _spec("Oregon")),
        UsSection(16, "ustx", "US-TX", {1: _state(_NOTICES_PROC, 8, 0, True)}, "gpc",
                  _spec("Texas")),
        UsSection(17, "usde", "US-DE", {1: _state(_NOTICES_PROC, 9, 5, True)}, "gpc",
                  _spec("Delaware")),
        UsSection(18, "usia", "US-IA", {1: _IA}, "gpc", _spec("Iowa")),
        UsSection(19, "usne", "US-NE", {1: _state(_NOTICES_PROC, 8, 0, True)}, "gpc",
                  _spec("Nebraska")),
        UsSection(20, "usnh", "US-NH", {1: _state(_NOTICES_PROC, 8, 3, True)}, "gpc",
                  _spec("New Hampshire")),
        UsSection(21, "usnj", "US-NJ", {1: _state(_NOTICES_PROC, 10, 5, True)}, "gpc",
                  _spec("New Jersey")),
        UsSection(22, "ustn", "US-TN", {1: _state(_NOTICES_PROC, 8, 0, True)}, "gpc",
                  _spec("Tennessee")),
        UsSection(23, "usmn", "US-MN", {1: _state(_NOTICES_PROC, 8, 0, True)}, "gpc",
                  _spec("Minnesota")),
        UsSection(24, "usmd", "US-MD", {1: (*_MSPA_2025, *_ADPC)}, "gpc",
                  "Maryland Privacy Technical Specification (2025) as encoded by "
                  "@iabgpp/cmpapi 3.2.0"),
        UsSection(25, "usin", "US-IN", {1: (*_MSPA_2025, _kids(0), *_ADPC)}, "sensitive",
                  "Indiana Privacy Technical Specification (October 2025) as encoded by "
                  "@iabgpp/cmpapi 3.2.0"),
        UsSection(26, "usky", "US-KY", {1: (*_MSPA_2025, _kids(0), *_ADPC)}, "sensitive",
                  "Kentucky Privacy Technical Specification (2025) as encoded by "
                  "@iabgpp/cmpapi 3.2.0"),
        UsSection(27, "usri", "US-RI", {1: (*_MSPA_2025, _kids(0), *_ADPC)}, "sensitive",
                  "Rhode Island Privacy Technical Specification (2025) as encoded by "
                  "@iabgpp/cmpapi 3.2.0"),
    )
}
"""Every US section fairmark decodes, by API prefix."""


def _try(bits: str, where: str, table: tuple[Field, ...]) -> tuple[dict[str, Any], str | None]:
    reader = BitReader(bits, where)
    values = read_fields(reader, table)
    return values, padding_note(reader)


def _read_core(
    bits: str, where: str, section: UsSection, version: int
) -> tuple[dict[str, Any], str | None]:
    """Read the core with the table of ``version``; fall back to another version's table.

    Encoders have written ``usnat`` strings whose layout does not match their Version
    field (Version 2 in the 60-bit Version 1 layout, vectors gpp-030 and gpp-142; Version
    1 in the 70-bit Version 2 layout, vector gpp-014). When the Version's table cuts off
    or leaves non-zero bits and another version's table reads the segment exactly, that
    table is used and a note says so (``@iabgpp/cmpapi`` 3.2.0 also picks the layout by
    length).
    """
    first_error: DataError | None = None
    try:
        values, note = _try(bits, where, section.cores[version])
    except DataError as exc:
        first_error, values, note = exc, {}, None
    if first_error is None and note is None:
        return values, None
    for other, table in section.cores.items():
        if other == version:
            continue
        try:
            alt, alt_note = _try(bits, where, table)
        except DataError:
            continue
        if alt_note is None:
            return alt, (
                f"{where}: Version is {version} but its {len(bits)} bits fit the version "
                f"{other} layout, not the version {version} one; decoded with the version "
                f"{other} table"
            )
    if first_error is not None:
        raise first_error
    return values, note


def decode_us_section(name: str, text: str, *, where: str | None = None) -> dict[str, Any]:
    """Decode one GPP US section string (core segment, optional sub-section).

    Parameters
    ----------
    name : str
        API prefix, a key of :data:`US_SECTIONS` (``"usnat"``, ``"usca"``…).
    text : str
        The section as it appears between ``~`` in a GPP string, e.g. ``"BVWSSSVY.YA"``.
    where : str, optional
        Prefix of messages (default ``"GPP <name> section"``).

    Returns
    -------
    dict
        Core fields by specification name (choice fields and lists as integers, ``Gpc``
        as a boolean), then ``GpcSegmentIncluded`` or
        ``SensitiveDataConsentSegmentIncluded`` when the section has a sub-section, and
        ``Notes``.

    Raises
    ------
    UsageError
        ``name`` is not a US section fairmark knows.
    DataError
        Not base64url; a version fairmark has no table for; a field cut off by the end
        of a segment (message names segment, field and bit); a GPC sub-section whose
        SubsectionType is not 1; more segments than the section defines.
    """
    section = US_SECTIONS.get(name)
    if section is None:
        raise UsageError(
            f"unknown GPP US section {name!r}; expected one of {', '.join(US_SECTIONS)}"
        )
    where = where or f"GPP {name} section"
    parts = text.split(".")
    notes: list[str] = []
    core_bits = bits_from_base64url(parts[0], f"{where} core segment")
    notes.extend(core_bits.notes)
    reader = BitReader(core_bits.bits, f"{where} core segment")
    version = reader.int(6, "Version")
    table = section.cores.get(version)
    if table is None:
        known = ", ".join(str(v) for v in section.cores)
        raise DataError(
            f"{where} core segment: version {version} is not a known {name} version "
            f"(expected {known})"
        )
    out, note = _read_core(core_bits.bits, f"{where} core segment", section, version)
    if note:
        notes.append(note)
    limit = 2 if section.subsection else 1
    if len(parts) > limit:
        raise DataError(
            f"{where}: {len(parts)} '.'-separated segments; {name} has at most {limit}"
        )
    if section.subsection == "gpc":
        out["GpcSegmentIncluded"] = len(parts) > 1
        if len(parts) > 1:
            sub = bits_from_base64url(parts[1], f"{where} GPC sub-section")
            notes.extend(sub.notes)
            sub_reader = BitReader(sub.bits, f"{where} GPC sub-section")
            values = read_fields(sub_reader, _GPC)
            if values["GpcSegmentType"] != 1:
                raise DataError(
                    f"{where} GPC sub-section: SubsectionType is {values['GpcSegmentType']}; "
                    "expected 1 (GPC)"
                )
            out.update(values)
    elif section.subsection == "sensitive":
        out["SensitiveDataConsentSegmentIncluded"] = len(parts) > 1
        if len(parts) > 1:
            sub = bits_from_base64url(parts[1], f"{where} sensitive data consents segment")
            notes.extend(sub.notes)
            sub_reader = BitReader(sub.bits, f"{where} sensitive data consents segment")
            out.update(read_fields(sub_reader, _SENSITIVE))
    out["Notes"] = notes
    return out
