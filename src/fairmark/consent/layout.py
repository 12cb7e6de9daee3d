"""Field tables: a segment layout is data (a tuple of :class:`Field`), read by one function.

Each consent format module (:mod:`~fairmark.consent.tcf`, :mod:`~fairmark.consent.tcf_v1`,
:mod:`~fairmark.consent.tcfca`, :mod:`~fairmark.consent.us_sections`) declares its segments
as tables that follow the row order of the specification it cites; :func:`read_fields`
walks a table with a :class:`~fairmark.consent.bits.BitReader`.

Field kinds (GPP v1.0 "Section Encoding" data types; TCF v2 "TC String Format"):

``int``            Int(size)
``bool``           Boolean (1 bit)
``datetime``       Datetime (36 bits of deciseconds) → ISO 8601 string
``letters``        String(size): size 6-bit letters A-Z
``flags``          Bitfield(size) → list of booleans (element *i* is ID *i + 1*)
``ids``            Bitfield(size) → list of the 1-based IDs set
``ints``           N-Bitfield(width, size) → list of ``size`` integers
``flags_n``        Bitfield(n) whose length n is the value of the field ``count_from``
``vendors``        TCF vendor section: MaxVendorId Int(16), IsRangeEncoding, then a
                   bitfield of MaxVendorId bits or Range (Int)
``opt_fib``        GPP OptimizedRange as written by iabgpp-es 3.x: Int(16) max ID,
                   IsRange, Range (Fibonacci) or bitfield
``restrictions``   TCF publisher restrictions: NumPubRestrictions Int(12), then per entry
                   PurposeId Int(size), RestrictionType Int(2), Range (Int)
``restrictions_opt`` the same, but each entry's vendors are an optimized Int(16) MaxId +
                   IsRange + Range (Int) or bitfield (``PubRestrictions`` of GPP
                   ``tcfcav1`` as written by iabgpp-es 3.x)

A field with ``optional=True`` may be missing at the very end of a segment (a string
written before the field was added to the specification): when the bits run out inside
it and every bit left is a zero (padding), it takes ``default``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.consent.bits import BitReader
from fairmark.errors import DataError

__all__ = ["Field", "Restriction", "padding_note", "read_fields"]


@dataclass(frozen=True)
class Field:
    """One row of a segment table.

    Attributes
    ----------
    name : str
        Field name as the specification spells it (``"VendorListVersion"``).
    kind : str
        One of the kinds in the module docstring.
    size : int
        Bits (``int``), letters (``letters``), entries (``flags``, ``ids``, ``ints``) or
        purpose-ID bits (``restrictions``).
    width : int
        Bits per entry of ``ints``.
    count_from : str or None
        For ``flags_n``: the earlier field holding the number of entries.
    optional : bool
        May be absent at the end of the segment (then ``default``).
    default : Any
        Value of an absent optional field.
    """

    name: str
    kind: str
    size: int = 0
    width: int = 0
    count_from: str | None = None
    optional: bool = False
    default: Any = None


@dataclass(frozen=True)
class Restriction:
    """One publisher restriction entry (TCF v2 "Publisher Restrictions").

    Attributes
    ----------
    purpose_id : int
        The purpose the restriction applies to.
    restriction_type : int
        0 purpose flatly not allowed, 1 require consent, 2 require legitimate interest,
        3 undefined (TCF v2, "RestrictionType").
    vendor_ids : tuple of int
        Vendors the restriction applies to (sorted).
    """

    purpose_id: int
    restriction_type: int
    vendor_ids: tuple[int, ...]


def _restrictions(reader: BitReader, field: Field, *, optimized: bool) -> list[Restriction]:
    out = []
    for _ in range(reader.int(12, f"{field.name}.NumPubRestrictions")):
        purpose = reader.int(field.size, f"{field.name}.PurposeId")
        kind = reader.int(2, f"{field.name}.RestrictionType")
        vendors = (
            reader.optimized_range(field.name, fibonacci=False)
            if optimized
            else reader.int_range(field.name)
        )
        out.append(Restriction(purpose, kind, tuple(vendors)))
    return out


def _read_one(reader: BitReader, field: Field, values: dict[str, Any]) -> Any:
    name, kind = field.name, field.kind
    if kind == "int":
        return reader.int(field.size, name)
    if kind == "bool":
        return reader.bool(name)
    if kind == "datetime":
        return reader.datetime(name)
    if kind == "letters":
        return reader.letters(field.size, name)
    if kind == "flags":
        return reader.flags(field.size, name)
    if kind == "ids":
        return reader.ids(field.size, name)
    if kind == "ints":
        return reader.ints(field.size, field.width, name)
    if kind == "flags_n":
        return reader.flags(int(values[str(field.count_from)]), name)
    if kind == "vendors":
        return reader.optimized_range(name, fibonacci=False)
    if kind == "opt_fib":
        return reader.optimized_range(name, fibonacci=True)
    if kind == "restrictions":
        return _restrictions(reader, field, optimized=False)
    if kind == "restrictions_opt":
        return _restrictions(reader, field, optimized=True)
    raise ValueError(f"unknown field kind {kind!r}")  # a table bug, not bad input


def read_fields(reader: BitReader, table: tuple[Field, ...]) -> dict[str, Any]:
    """Read every field of ``table`` in order.

    Parameters
    ----------
    reader : BitReader
        Positioned at the first field of the segment.
    table : tuple of Field

    Returns
    -------
    dict
        Field name → value (see the kinds in the module docstring).

    Raises
    ------
    DataError
        The bits end inside a required field, or a value breaks its data type (an ID of
        0, a range that ends before it starts, a letter above Z); the message names the
        segment, the field and the bit offset.
    """
    values: dict[str, Any] = {}
    for field in table:
        start = reader.pos
        try:
            values[field.name] = _read_one(reader, field, values)
        except DataError:
            if not field.optional or "1" in reader.bits[start:]:
                raise
            reader.pos = start
            values[field.name] = field.default
    return values


def padding_note(reader: BitReader) -> str | None:
    """Describe bits left after the last field that are not zero padding, else ``None``.

    Encoders pad a segment with zeros to a whole number of base64 characters (GPP v1.0,
    "Creating a GPP String", step 1); anything else after the last field was not read.
    """
    rest = reader.bits[reader.pos :]
    if "1" not in rest:
        return None
    return (
        f"{reader.where}: {len(rest)} bits after the last field (from bit {reader.pos}) are "
        "not zero padding and were ignored"
    )
