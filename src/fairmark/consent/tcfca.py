"""GPP section 5 ``tcfcav1``: IAB Canada TCF (express and implied consent).

Source: IAB Tech Lab, *GPP Extension: IAB TCF Canada Technical Specification* (Global
Privacy Platform repository, ``Sections/Canada``): "Core segment", "Publisher Purposes
Segment"; the disclosed-vendors segment and the ``PubRestrictions`` field (added after that
document was written) follow ``@iabgpp/cmpapi`` 3.2.0, whose output the vectors record:

- ``VendorExpressConsent``/``VendorImpliedConsent``/``DisclosedVendors`` are an
  ``OptimizedRange`` written as Int(16) max ID, IsRange bit, then ``Range (Fibonacci)`` or a
  bitfield (strings from older encoders that used a bitfield decode the same way: vector
  gpp-053, "legacy fixed-range vendor string");
- ``PubRestrictions``: Int(12) entries of PurposeId Int(6), RestrictionType Int(2) and an
  Int(16) MaxId + IsRange + ``Range (Int)`` or bitfield vendor list (vector gpp-052); it is
  optional at the end of the core segment (older strings do not carry it).

TCF Canada reads "consent" as *express consent* and "legitimate interest" as *implied
consent* (the specification's "Summary of differences when compared with TCF EU").
"""

from __future__ import annotations

from typing import Any

from fairmark.consent.bits import BitReader, bits_from_base64url
from fairmark.consent.layout import Field, padding_note, read_fields
from fairmark.errors import DataError

__all__ = ["CORE_CA", "DISCLOSED_VENDORS_CA", "PUBLISHER_PURPOSES_CA", "decode_tcfcav1"]

CORE_CA: tuple[Field, ...] = (
    Field("Version", "int", 6),
    Field("Created", "datetime"),
    Field("LastUpdated", "datetime"),
    Field("CmpId", "int", 12),
    Field("CmpVersion", "int", 12),
    Field("ConsentScreen", "int", 6),
    Field("ConsentLanguage", "letters", 2),
    Field("VendorListVersion", "int", 12),
    Field("TcfPolicyVersion", "int", 6),
    Field("UseNonStandardStacks", "bool"),
    Field("SpecialFeatureExpressConsent", "flags", 12),
    Field("PurposesExpressConsent", "flags", 24),
    Field("PurposesImpliedConsent", "flags", 24),
    Field("VendorExpressConsent", "opt_fib"),
    Field("VendorImpliedConsent", "opt_fib"),
    Field("PubRestrictions", "restrictions_opt", 6, optional=True, default=[]),
)
"""Core segment of ``tcfcav1``."""

PUBLISHER_PURPOSES_CA: tuple[Field, ...] = (
    Field("PubPurposesSegmentType", "int", 3),
    Field("PubPurposesExpressConsent", "flags", 24),
    Field("PubPurposesImpliedConsent", "flags", 24),
    Field("NumCustomPurposes", "int", 6),
    Field("CustomPurposesExpressConsent", "flags_n", count_from="NumCustomPurposes"),
    Field("CustomPurposesImpliedConsent", "flags_n", count_from="NumCustomPurposes"),
)
"""Publisher purposes segment (SegmentType 3)."""

DISCLOSED_VENDORS_CA: tuple[Field, ...] = (
    Field("DisclosedVendorsSegmentType", "int", 3),
    Field("DisclosedVendors", "opt_fib"),
)
"""Disclosed vendors segment (SegmentType 1)."""

_DEFAULTS: dict[str, Any] = {
    "PubPurposesSegmentType": 3,
    "PubPurposesExpressConsent": [False] * 24,
    "PubPurposesImpliedConsent": [False] * 24,
    "NumCustomPurposes": 0,
    "CustomPurposesExpressConsent": [],
    "CustomPurposesImpliedConsent": [],
    "DisclosedVendorsSegmentType": 1,
    "DisclosedVendors": [],
}


def decode_tcfcav1(text: str, *, where: str = "GPP tcfcav1 section") -> dict[str, Any]:
    """Decode a ``tcfcav1`` section string.

    Parameters
    ----------
    text : str
        E.g. ``"BPSG_8APSG_8AAyACAENGdCgf_gfgAfgfgBhADVqxGAD0AILVgAA.fHHHA4444ao"``.
    where : str
        Prefix of messages.

    Returns
    -------
    dict
        The fields with ``@iabgpp/cmpapi`` names; ``Created``/``LastUpdated`` as ISO
        strings, purposes as boolean lists, vendors as ID lists, ``PubRestrictions`` as
        ``{"key": purpose, "type": restriction type, "ids": vendors}``; absent optional
        segments give the library's defaults and ``Segments`` lists those present;
        ``Notes`` lists what decoding tolerated.

    Raises
    ------
    DataError
        Not base64url, a field cut off by the end of a segment (message names segment,
        field and bit), an unknown or repeated SegmentType.
    """
    parts = text.split(".")
    notes: list[str] = []
    bits = bits_from_base64url(parts[0], f"{where} core segment")
    notes.extend(bits.notes)
    reader = BitReader(bits.bits, f"{where} core segment")
    out: dict[str, Any] = read_fields(reader, CORE_CA)
    note = padding_note(reader)
    if note:
        notes.append(note)
    out["PubRestrictions"] = [
        {"key": r.purpose_id, "type": r.restriction_type, "ids": list(r.vendor_ids)}
        for r in out["PubRestrictions"]
    ]
    out.update(_DEFAULTS)
    segments = ["core"]
    for index, part in enumerate(parts[1:], start=2):
        label = f"{where} segment {index}"
        seg = bits_from_base64url(part, label)
        notes.extend(seg.notes)
        kind = int(seg.bits[:3], 2) if len(seg.bits) >= 3 else -1
        tables = {3: ("publisherPurposes", PUBLISHER_PURPOSES_CA),
                  1: ("disclosedVendors", DISCLOSED_VENDORS_CA)}
        if kind not in tables:
            raise DataError(
                f"{label}: SegmentType {kind} is not a tcfcav1 segment (expected 3 publisher "
                "purposes or 1 disclosed vendors)"
            )
        name, table = tables[kind]
        if name in segments:
            raise DataError(f"{label}: a second {name} segment")
        seg_reader = BitReader(seg.bits, f"{where} {name} segment")
        out.update(read_fields(seg_reader, table))
        note = padding_note(seg_reader)
        if note:
            notes.append(note)
        segments.append(name)
    out["Segments"] = segments
    out["Notes"] = notes
    return out

