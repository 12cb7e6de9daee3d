"""IAB Europe TCF v2.x TC strings: core, disclosed vendors, allowed vendors, publisher TC.

Source of every field table: IAB Tech Lab, *Transparency and Consent String with Global
Vendor & CMP List Formats* (TCF v2, "TC String Format": "Core String", "Vendor Consent
Section", "Vendor Legitimate Interest Section", "Publisher Restrictions Section",
"Disclosed Vendors", "Allowed Vendors", "Publisher Purposes Transparency and Consent"),
versions 2.0 (2019) to 2.3 (April 2025); the bit layout has not changed since 2.0, only
field meanings (``UseNonStandardStacks`` → ``UseNonStandardTexts`` in 2.2) and policy.

Why a decoder of our own rather than ``iab-tcf`` 0.2.2 (PyPI, last release 2022): checked
against the 33 vectors of ``consent-strings-iab/tcf-vectors.json`` it (1) reads past the
end of a string as zero bits and ``True`` flags, so the truncated strings ``Bg`` and
``CA==`` decode without error and ``Bg`` even reads as "all 24 purposes consented";
(2) truncates ``Created``/``LastUpdated`` to whole seconds (the strings carry deciseconds,
e.g. ``2019-02-04T21:16:05.200Z``); (3) does not reject a vendor bitfield shorter than its
``MaxVendorId`` (iabtcf-es issue 142, vector tcf-019); (4) depends on the unmaintained
``bitarray-hardbyte`` fork and knows nothing of GPP. The format is small and fully
specified, so it is decoded here from the tables below (data, not code).

Output naming: :meth:`TCString.to_fields` uses the names of the IAB reference library
``@iabtechlabtcf/core`` (``purposeConsents``, ``vendorsDisclosed``…, lists of 1-based IDs);
:meth:`TCString.gpp_fields` uses the names of the GPP ``tcfeuv2`` section in
``@iabgpp/cmpapi`` (``PurposeConsents`` as 24 booleans…).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fairmark.consent.bits import BitReader, bits_from_base64url, iso_datetime
from fairmark.consent.layout import Field, padding_note, read_fields
from fairmark.errors import DataError

__all__ = [
    "CORE",
    "MAX_PURPOSE",
    "MAX_SPECIAL_FEATURE",
    "PUBLISHER_TC",
    "RESTRICTION_NAMES",
    "SEGMENT_NAMES",
    "VENDOR_LIST_SEGMENT",
    "TCString",
    "decode_tcf_v2",
]

MAX_PURPOSE = 11
"""Purposes defined by TCF v2.2/2.3 (IAB Europe TCF Policies, Appendix A: purposes 1-11)."""

MAX_SPECIAL_FEATURE = 2
"""Special features defined by TCF v2.x (Appendix A: 1 precise geolocation, 2 device scan)."""

CORE: tuple[Field, ...] = (
    Field("Version", "int", 6),
    Field("Created", "int", 36),  # deciseconds, kept as an integer for the rules
    Field("LastUpdated", "int", 36),
    Field("CmpId", "int", 12),
    Field("CmpVersion", "int", 12),
    Field("ConsentScreen", "int", 6),
    Field("ConsentLanguage", "letters", 2),
    Field("VendorListVersion", "int", 12),
    Field("TcfPolicyVersion", "int", 6),
    Field("IsServiceSpecific", "bool"),
    Field("UseNonStandardTexts", "bool"),
    Field("SpecialFeatureOptIns", "ids", 12),
    Field("PurposesConsent", "ids", 24),
    Field("PurposesLITransparency", "ids", 24),
    Field("PurposeOneTreatment", "bool"),
    Field("PublisherCC", "letters", 2),
    Field("VendorConsents", "vendors"),
    Field("VendorLegitimateInterests", "vendors"),
    Field("PublisherRestrictions", "restrictions", 6),
)
"""TCF v2 "Core String" (segment 0), in bit order."""

VENDOR_LIST_SEGMENT: tuple[Field, ...] = (
    Field("SegmentType", "int", 3),
    Field("Vendors", "vendors"),
)
"""TCF v2 "Disclosed Vendors" (SegmentType 1) and "Allowed Vendors" (SegmentType 2)."""

PUBLISHER_TC: tuple[Field, ...] = (
    Field("SegmentType", "int", 3),
    Field("PubPurposesConsent", "ids", 24),
    Field("PubPurposesLITransparency", "ids", 24),
    Field("NumCustomPurposes", "int", 6),
    Field("CustomPurposesConsent", "flags_n", count_from="NumCustomPurposes"),
    Field("CustomPurposesLITransparency", "flags_n", count_from="NumCustomPurposes"),
)
"""TCF v2 "Publisher Purposes Transparency and Consent" (SegmentType 3)."""

SEGMENT_NAMES = {1: "vendorsDisclosed", 2: "vendorsAllowed", 3: "publisherTC"}
"""Optional segments by SegmentType."""

RESTRICTION_NAMES = {
    0: "not_allowed",
    1: "require_consent",
    2: "require_legitimate_interest",
    3: "undefined",
}
"""TCF v2 ``RestrictionType`` values."""


@dataclass(frozen=True)
class TCString:
    """A decoded TCF v2.x TC string.

    Attributes
    ----------
    core : dict
        Values of :data:`CORE` (``Created``/``LastUpdated`` in deciseconds since 1970).
    vendors_disclosed, vendors_allowed : list of int or None
        IDs of the optional vendor segments; ``None`` when the segment is absent.
    publisher_tc : dict or None
        Values of :data:`PUBLISHER_TC`; ``None`` when absent.
    segments : tuple of str
        Segments present, in string order (``"core"`` first).
    notes : tuple of str
        What decoding tolerated (padding, non-zero bits after the last field).
    """

    core: dict[str, Any]
    vendors_disclosed: list[int] | None = None
    vendors_allowed: list[int] | None = None
    publisher_tc: dict[str, Any] | None = None
    segments: tuple[str, ...] = ("core",)
    notes: tuple[str, ...] = field(default=())

    @property
    def version(self) -> int:
        """The ``Version`` field (2)."""
        return int(self.core["Version"])

    @property
    def policy_version(self) -> int:
        """``TcfPolicyVersion`` (2 = TCF 2.0/2.1, 4 = TCF 2.2, 5 = TCF 2.2/2.3 GVL v3)."""
        return int(self.core["TcfPolicyVersion"])

    @property
    def created(self) -> int:
        """``Created`` in deciseconds since 1970-01-01T00:00Z."""
        return int(self.core["Created"])

    def restrictions(self) -> list[dict[str, Any]]:
        """Publisher restrictions as ``{purposeId, restrictionType, restriction, vendorIds}``."""
        return [
            {
                "purposeId": r.purpose_id,
                "restrictionType": r.restriction_type,
                "restriction": RESTRICTION_NAMES[r.restriction_type],
                "vendorIds": list(r.vendor_ids),
            }
            for r in self.core["PublisherRestrictions"]
        ]

    def to_fields(self) -> dict[str, Any]:
        """The decoded fields with ``@iabtechlabtcf/core`` names (IDs as 1-based lists).

        Absent optional segments give empty lists (as the reference library does); which
        segments were present is in ``segments``.
        """
        c = self.core
        pub = self.publisher_tc or {}
        custom_c = pub.get("CustomPurposesConsent") or []
        custom_li = pub.get("CustomPurposesLITransparency") or []
        return {
            "version": c["Version"],
            "created": iso_datetime(c["Created"]),
            "lastUpdated": iso_datetime(c["LastUpdated"]),
            "cmpId": c["CmpId"],
            "cmpVersion": c["CmpVersion"],
            "consentScreen": c["ConsentScreen"],
            "consentLanguage": c["ConsentLanguage"],
            "vendorListVersion": c["VendorListVersion"],
            "policyVersion": c["TcfPolicyVersion"],
            "isServiceSpecific": c["IsServiceSpecific"],
            "useNonStandardTexts": c["UseNonStandardTexts"],
            "specialFeatureOptins": c["SpecialFeatureOptIns"],
            "purposeConsents": c["PurposesConsent"],
            "purposeLegitimateInterests": c["PurposesLITransparency"],
            "purposeOneTreatment": c["PurposeOneTreatment"],
            "publisherCountryCode": c["PublisherCC"],
            "vendorConsents": c["VendorConsents"],
            "vendorLegitimateInterests": c["VendorLegitimateInterests"],
            "publisherRestrictions": self.restrictions(),
            "vendorsDisclosed": self.vendors_disclosed or [],
            "vendorsAllowed": self.vendors_allowed or [],
            "publisherConsents": pub.get("PubPurposesConsent", []),
            "publisherLegitimateInterests": pub.get("PubPurposesLITransparency", []),
            "numCustomPurposes": pub.get("NumCustomPurposes", 0),
            "publisherCustomConsents": [i + 1 for i, on in enumerate(custom_c) if on],
            "publisherCustomLegitimateInterests": [i + 1 for i, on in enumerate(custom_li) if on],
            "segments": list(self.segments),
        }

    def gpp_fields(self) -> dict[str, Any]:
        """The decoded fields with the GPP ``tcfeuv2`` names of ``@iabgpp/cmpapi``.

        Purpose and special-feature fields are fixed-length boolean lists (24 and 12);
        absent optional segments give the library's defaults (empty lists, segment types
        1, 2 and 3); ``Segments`` lists the segments present.
        """
        c = self.core
        pub = self.publisher_tc or {}

        def flags(ids: list[int], n: int) -> list[bool]:
            return [i + 1 in set(ids) for i in range(n)]

        return {
            "Version": c["Version"],
            "Created": iso_datetime(c["Created"]),
            "LastUpdated": iso_datetime(c["LastUpdated"]),
            "CmpId": c["CmpId"],
            "CmpVersion": c["CmpVersion"],
            "ConsentScreen": c["ConsentScreen"],
            "ConsentLanguage": c["ConsentLanguage"],
            "VendorListVersion": c["VendorListVersion"],
            "PolicyVersion": c["TcfPolicyVersion"],
            "IsServiceSpecific": c["IsServiceSpecific"],
            "UseNonStandardStacks": c["UseNonStandardTexts"],
            "SpecialFeatureOptins": flags(c["SpecialFeatureOptIns"], 12),
            "PurposeConsents": flags(c["PurposesConsent"], 24),
            "PurposeLegitimateInterests": flags(c["PurposesLITransparency"], 24),
            "PurposeOneTreatment": c["PurposeOneTreatment"],
            "PublisherCountryCode": c["PublisherCC"],
            "VendorConsents": c["VendorConsents"],
            "VendorLegitimateInterests": c["VendorLegitimateInterests"],
            "PublisherRestrictions": [
                {"key": r.purpose_id, "type": r.restriction_type, "ids": list(r.vendor_ids)}
                for r in c["PublisherRestrictions"]
            ],
            "PublisherPurposesSegmentType": 3,
            "PublisherConsents": flags(pub.get("PubPurposesConsent", []), 24),
            "PublisherLegitimateInterests": flags(pub.get("PubPurposesLITransparency", []), 24),
            "NumCustomPurposes": pub.get("NumCustomPurposes", 0),
            "PublisherCustomConsents": list(pub.get("CustomPurposesConsent", [])),
            "PublisherCustomLegitimateInterests": list(
                pub.get("CustomPurposesLITransparency", [])
            ),
            "VendorsAllowedSegmentType": 2,
            "VendorsAllowed": self.vendors_allowed or [],
            "VendorsDisclosedSegmentType": 1,
            "VendorsDisclosed": self.vendors_disclosed or [],
            "Segments": list(self.segments),
        }


def decode_tcf_v2(string: str, *, where: str = "TCF") -> TCString:
    """Decode a TCF v2.x TC string (core segment plus optional segments, ``.``-separated).

    Parameters
    ----------
    string : str
        E.g. ``"COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA"``; the core segment comes
        first, then at most one of each optional segment (SegmentType 1 disclosed vendors,
        2 allowed vendors, 3 publisher TC) in any order.
    where : str
        Prefix of messages (``"GPP tcfeuv2 section"`` when called from GPP).

    Returns
    -------
    TCString

    Raises
    ------
    DataError
        Not base64url; ``Version`` is not 2; a segment ends inside a field (the message
        names segment, field and bit); an unknown or repeated SegmentType; a vendor ID
        of 0 or a range that ends before it starts. Bits set for purposes or special
        features that TCF v2.2 does not define are decoded as they are and reported by
        :func:`fairmark.consent.rules.tcf_findings` (iabtcf-java's vector tcf-004 sets
        publisher purpose 24 and expects the string to decode).
    """
    parts = string.split(".")
    notes: list[str] = []
    core_bits = bits_from_base64url(parts[0], f"{where} core segment")
    notes.extend(core_bits.notes)
    reader = BitReader(core_bits.bits, f"{where} core segment")
    core = read_fields(reader, CORE)
    if core["Version"] != 2:
        raise DataError(
            f"{where} core segment: Version is {core['Version']}; expected 2 for TCF v2.x"
        )
    note = padding_note(reader)
    if note:
        notes.append(note)

    found: dict[str, Any] = {}
    segments = ["core"]
    for index, text in enumerate(parts[1:], start=2):
        label = f"{where} segment {index}"
        seg_bits = bits_from_base64url(text, label)
        notes.extend(seg_bits.notes)
        if len(seg_bits.bits) < 3:
            raise DataError(f"{label}: too short to hold its 3-bit SegmentType")
        kind = int(seg_bits.bits[:3], 2)
        name = SEGMENT_NAMES.get(kind)
        if name is None:
            raise DataError(
                f"{label}: SegmentType {kind} is not a TCF v2 segment (expected 1 disclosed "
                "vendors, 2 allowed vendors or 3 publisher TC)"
            )
        if name in found:
            raise DataError(f"{label}: a second {name} segment (SegmentType {kind})")
        seg_reader = BitReader(seg_bits.bits, f"{where} {name} segment")
        table = PUBLISHER_TC if kind == 3 else VENDOR_LIST_SEGMENT
        values = read_fields(seg_reader, table)
        note = padding_note(seg_reader)
        if note:
            notes.append(note)
        found[name] = values if kind == 3 else values["Vendors"]
        segments.append(name)
    return TCString(
        core=core,
        vendors_disclosed=found.get("vendorsDisclosed"),
        vendors_allowed=found.get("vendorsAllowed"),
        publisher_tc=found.get("publisherTC"),
        segments=tuple(segments),
        notes=tuple(notes),
    )

