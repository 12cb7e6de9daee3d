"""IAB Europe TCF v1.1 strings: the vendor consent string and the publisher purposes string.

TCF v1.1 was retired on 2020-08-15 (IAB Europe, "TCF v2.0 switch-over", 15 August 2020): a
v1 string gives no valid consent under the current framework. fairmark still decodes it
so that historical logs can be read; :func:`fairmark.consent.rules.tcf_v1_findings` marks
it non-compliant and :mod:`fairmark.consent.mapping` refuses to turn it into ledger entries.

Source of the field tables: IAB Europe / IAB Tech Lab, *Consent string and vendor list
formats v1.1 Final* (2018): "Vendor Consent String Format" and "Publisher Purposes Consent
String Format". The two formats share their first nine fields and have no marker that
tells them apart, so :func:`decode_tcf_v1` reads a vendor consent string (what a CMP
returns from ``getVendorConsents``); a publisher purposes string must be decoded with
:func:`decode_tcf_v1_publisher_purposes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.consent.bits import BitReader, bits_from_base64url, iso_datetime
from fairmark.consent.layout import Field, padding_note, read_fields
from fairmark.errors import DataError

__all__ = [
    "HEADER_V1",
    "PUBLISHER_PURPOSES_V1",
    "VENDOR_CONSENT_V1",
    "TCStringV1",
    "decode_tcf_v1",
    "decode_tcf_v1_publisher_purposes",
]

HEADER_V1: tuple[Field, ...] = (
    Field("Version", "int", 6),
    Field("Created", "int", 36),
    Field("LastUpdated", "int", 36),
    Field("CmpId", "int", 12),
    Field("CmpVersion", "int", 12),
    Field("ConsentScreen", "int", 6),
    Field("ConsentLanguage", "letters", 2),
    Field("VendorListVersion", "int", 12),
)
"""Fields common to both v1.1 formats."""

VENDOR_CONSENT_V1: tuple[Field, ...] = (
    *HEADER_V1,
    Field("PurposesAllowed", "ids", 24),
    Field("MaxVendorId", "int", 16),
    Field("EncodingType", "int", 1),
)
"""v1.1 "Vendor Consent String Format" up to the vendor encoding (read by hand after)."""

PUBLISHER_PURPOSES_V1: tuple[Field, ...] = (
    *HEADER_V1,
    Field("PublisherPurposesVersion", "int", 12),
    Field("StandardPurposesAllowed", "ids", 24),
    Field("NumberCustomPurposes", "int", 6),
    Field("CustomPurposesBitField", "flags_n", count_from="NumberCustomPurposes"),
)
"""v1.1 "Publisher Purposes Consent String Format"."""


@dataclass(frozen=True)
class TCStringV1:
    """A decoded TCF v1.1 vendor consent string.

    Attributes
    ----------
    fields : dict
        Values of :data:`VENDOR_CONSENT_V1` plus ``VendorConsents`` (consented vendor IDs,
        after applying ``DefaultConsent`` of a range encoding).
    notes : tuple of str
    """

    fields: dict[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def version(self) -> int:
        """The ``Version`` field (1)."""
        return 1

    def to_fields(self) -> dict[str, Any]:
        """The decoded fields with ``@iabtechlabtcf/core`` names where they exist.

        Only fields of the v1.1 format are given (the reference library fills v2-only
        fields such as ``policyVersion`` with defaults).
        """
        f = self.fields
        return {
            "version": f["Version"],
            "created": iso_datetime(f["Created"]),
            "lastUpdated": iso_datetime(f["LastUpdated"]),
            "cmpId": f["CmpId"],
            "cmpVersion": f["CmpVersion"],
            "consentScreen": f["ConsentScreen"],
            "consentLanguage": f["ConsentLanguage"],
            "vendorListVersion": f["VendorListVersion"],
            "purposeConsents": f["PurposesAllowed"],
            "maxVendorId": f["MaxVendorId"],
            "vendorConsents": f["VendorConsents"],
            "segments": ["core"],
        }


def _v1_vendors(reader: BitReader, fields: dict[str, Any]) -> list[int]:
    max_id = int(fields["MaxVendorId"])
    if fields["EncodingType"] == 0:
        return reader.ids(max_id, "BitField")
    default = reader.bool("DefaultConsent")
    listed: set[int] = set()
    for _ in range(reader.int(12, "NumEntries")):
        is_range = reader.bool("SingleOrRange")
        at = reader.pos
        start = reader.int(16, "StartVendorId" if is_range else "SingleVendorId")
        end = reader.int(16, "EndVendorId") if is_range else start
        if start < 1 or end < start or end > max_id:
            raise reader.fail(
                f"range entry at bit {at} covers vendors {start}-{end}; expected "
                f"1 <= start <= end <= MaxVendorId {max_id}"
            )
        listed.update(range(start, end + 1))
    if default:
        return [v for v in range(1, max_id + 1) if v not in listed]
    return sorted(listed)


def decode_tcf_v1(string: str, *, where: str = "TCF v1.1") -> TCStringV1:
    """Decode a TCF v1.1 vendor consent string.

    Parameters
    ----------
    string : str
        E.g. ``"BObdrPUOevsguAfDqFENCNAAAAAmeAAA"`` (one segment).
    where : str
        Prefix of messages.

    Returns
    -------
    TCStringV1

    Raises
    ------
    DataError
        Not base64url, more than one segment, ``Version`` not 1, a field cut off by the
        end of the string, or a range entry outside 1…MaxVendorId.
    """
    if "." in string:
        raise DataError(f"{where}: '.' found; a v1.1 consent string has a single segment")
    bits = bits_from_base64url(string, f"{where} consent string")
    reader = BitReader(bits.bits, f"{where} consent string")
    fields = read_fields(reader, VENDOR_CONSENT_V1)
    if fields["Version"] != 1:
        raise DataError(f"{where} consent string: Version is {fields['Version']}; expected 1")
    fields["VendorConsents"] = _v1_vendors(reader, fields)
    notes = list(bits.notes)
    note = padding_note(reader)
    if note:
        notes.append(note)
    return TCStringV1(fields, tuple(notes))


def decode_tcf_v1_publisher_purposes(string: str) -> dict[str, Any]:
    """Decode a TCF v1.1 publisher purposes consent (PPC) string.

    Parameters
    ----------
    string : str
        E.g. ``"BOxgOqAOxgOqAAAABBENC2-AAAAtHAA"``.

    Returns
    -------
    dict
        ``ppc_version``, ``created``, ``lastUpdated``, ``cmpId``, ``cmpVersion``,
        ``consentScreen``, ``consentLanguage``, ``vendorListVersion``,
        ``publisherPurposesVersion``, ``standardPurposesAllowed`` (IDs),
        ``customPurposesBitField`` (IDs of the custom purposes allowed), ``notes``.

    Raises
    ------
    DataError
        Not base64url, ``Version`` not 1, or a field cut off by the end of the string.
    """
    bits = bits_from_base64url(string, "TCF v1.1 publisher purposes string")
    reader = BitReader(bits.bits, "TCF v1.1 publisher purposes string")
    f = read_fields(reader, PUBLISHER_PURPOSES_V1)
    if f["Version"] != 1:
        raise DataError(
            f"TCF v1.1 publisher purposes string: Version is {f['Version']}; expected 1"
        )
    notes = list(bits.notes)
    note = padding_note(reader)
    if note:
        notes.append(note)
    return {
        "ppc_version": f["Version"],
        "created": iso_datetime(f["Created"]),
        "lastUpdated": iso_datetime(f["LastUpdated"]),
        "cmpId": f["CmpId"],
        "cmpVersion": f["CmpVersion"],
        "consentScreen": f["ConsentScreen"],
        "consentLanguage": f["ConsentLanguage"],
        "vendorListVersion": f["VendorListVersion"],
        "publisherPurposesVersion": f["PublisherPurposesVersion"],
        "standardPurposesAllowed": f["StandardPurposesAllowed"],
        "customPurposesBitField": [
            i + 1 for i, on in enumerate(f["CustomPurposesBitField"]) if on
        ],
        "notes": notes,
    }
