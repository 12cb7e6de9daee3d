"""Bits of a consent string: web-safe base64 to bits, a bit reader, IAB integer and range types.

Every IAB consent format (TCF v1.1 and v2.x, GPP and its sections) packs its fields
big-endian into a bit string and writes it in the URL-safe base64 alphabet of RFC 4648 §5
(``A-Z a-z 0-9 - _``, one character = 6 bits), without ``=`` padding:

- IAB Tech Lab, *Transparency and Consent String with Global Vendor & CMP List Formats*
  (TCF v2), section "TC String Format": "Base64url-encoded [...] without padding";
- IAB Tech Lab, *Global Privacy Platform String* v1.0, "Section Encoding" (data types
  ``Boolean``, ``Integer``, ``Integer (Fibonacci)``, ``String``, ``Datetime``,
  ``Bitfield``, ``Range (Int)``, ``Range (Fibonacci)``, ``OptimizedRange``).

Trailing ``=`` padding is not part of any IAB format but older encoders (iabtcf-java's
tests, TCF v1 strings) wrote it; it is accepted, removed and reported in the notes of the
result (``@iabtechlabtcf/core`` rejects it, iabtcf-java accepts it). An ``=`` anywhere
else, or any character outside the alphabet, is a :class:`~fairmark.errors.DataError`.

A reader never invents bits: reading past the end raises a ``DataError`` that names the
segment, the field and the bit offset (libraries that return 0 for missing bits decode a
truncated string as "all purposes consented", which is how ``iab-tcf`` 0.2.2 reads the
two-character string ``Bg``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fairmark.errors import DataError

__all__ = [
    "BASE64URL_ALPHABET",
    "BitReader",
    "Bits",
    "bits_from_base64url",
    "fibonacci_value",
    "iso_datetime",
]

BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
"""RFC 4648 §5 alphabet; the index of a character is its 6-bit value."""

_VALUE = {c: i for i, c in enumerate(BASE64URL_ALPHABET)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Bits:
    """The bits of one base64url segment.

    Attributes
    ----------
    bits : str
        ``'0'``/``'1'`` characters, 6 per input character, most significant first.
    notes : tuple of str
        What was tolerated while decoding (``=`` padding removed).
    """

    bits: str
    notes: tuple[str, ...] = ()


def bits_from_base64url(text: str, where: str) -> Bits:
    """Turn one base64url segment into its bits (RFC 4648 §5, 6 bits per character).

    Parameters
    ----------
    text : str
        One segment (no ``.`` or ``~`` delimiters), e.g. ``"COtybn4PA_zT4KjACBENAPCIAEBAAECAA"``.
    where : str
        What the segment is, for messages (``"TCF core segment"``).

    Returns
    -------
    Bits
        ``len(text) * 6`` bits (after removing trailing ``=`` padding, with a note).

    Raises
    ------
    DataError
        The segment is empty, has ``=`` other than 1-2 trailing padding characters, or a
        character outside the base64url alphabet (``+`` and ``/`` of standard base64
        included); the message names the character and its position.
    """
    notes: tuple[str, ...] = ()
    stripped = text.rstrip("=")
    padding = len(text) - len(stripped)
    if padding > 2 or "=" in stripped:
        raise DataError(
            f"{where}: '=' at character {text.index('=') + 1} of {len(text)}; base64 "
            "padding may only be 1 or 2 trailing '=' characters"
        )
    if padding:
        notes = (
            f"{where}: removed {padding} trailing '=' base64 padding character(s); IAB "
            "strings are written without padding",
        )
    if not stripped:
        raise DataError(f"{where}: empty segment; expected base64url characters")
    chunks = []
    for i, ch in enumerate(stripped):
        value = _VALUE.get(ch)
        if value is None:
            raise DataError(
                f"{where}: character {ch!r} at position {i + 1} is not base64url "
                "(expected A-Z, a-z, 0-9, '-' or '_')"
            )
        chunks.append(format(value, "06b"))
    return Bits("".join(chunks), notes)


def fibonacci_value(code: str) -> int:
    """Value of one Fibonacci code word (``"1011"`` → 4), terminator included.

    Parameters
    ----------
    code : str
        Bits ending in ``"11"``; bit *i* (from 0) weighs the Fibonacci number F(i + 2)
        (1, 2, 3, 5, 8, …); the final ``1`` only terminates the word.

    Returns
    -------
    int
        The encoded positive integer.

    Notes
    -----
    IAB Tech Lab, *Global Privacy Platform String* v1.0, "Fibonacci Encoding to Deal with
    String Length" (Zeckendorf representation with a terminating ``1``).
    """
    a, b = 1, 2
    total = 0
    for bit in code[:-1]:
        if bit == "1":
            total += a
        a, b = b, a + b
    return total


def iso_datetime(deciseconds: int) -> str:
    """Format IAB deciseconds since 1970-01-01T00:00Z as ISO 8601 with milliseconds.

    Parameters
    ----------
    deciseconds : int
        A 36-bit ``Datetime`` field (TCF ``Created``/``LastUpdated``, GPP ``Datetime``).

    Returns
    -------
    str
        E.g. ``"2019-02-04T21:16:05.200Z"``, the form JavaScript's ``toISOString`` gives.
    """
    when = _EPOCH + timedelta(milliseconds=deciseconds * 100)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


class BitReader:
    """Read fields, in order, from the bits of one segment.

    Parameters
    ----------
    bits : str
        ``'0'``/``'1'`` characters (:attr:`Bits.bits`).
    where : str
        Segment name used in error messages (``"TCF core segment"``).

    Notes
    -----
    Every read names the field it reads so that a short string fails with
    ``"<where>: string ends at bit <n> while reading <Field> (expected <k> bits)"``.
    """

    __slots__ = ("bits", "pos", "where")

    def __init__(self, bits: str, where: str) -> None:
        self.bits = bits
        self.pos = 0
        self.where = where

    @property
    def remaining(self) -> int:
        """Bits not read yet."""
        return len(self.bits) - self.pos

    def fail(self, message: str) -> DataError:
        """Return a :class:`DataError` ``"<where>: <message>"`` (for the caller to raise)."""
        return DataError(f"{self.where}: {message}")

    def take(self, n: int, field: str) -> str:
        """Return the next ``n`` bits as a ``'0'/'1'`` string.

        Raises
        ------
        DataError
            Fewer than ``n`` bits are left.
        """
        if n > self.remaining:
            raise self.fail(
                f"string ends at bit {len(self.bits)} while reading {field} "
                f"(expected {n:,} bits)"
            )
        chunk = self.bits[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def int(self, n: int, field: str) -> int:
        """Read an unsigned big-endian ``Int(n)``."""
        return int(self.take(n, field), 2) if n else 0

    def bool(self, field: str) -> bool:
        """Read a ``Boolean`` (1 bit, ``1`` = true)."""
        return self.take(1, field) == "1"

    def flags(self, n: int, field: str) -> list[bool]:
        """Read a ``Bitfield(n)`` as booleans; element *i* is ID *i + 1*."""
        return [b == "1" for b in self.take(n, field)]

    def ids(self, n: int, field: str) -> list[int]:
        """Read a ``Bitfield(n)`` and return the 1-based IDs whose bit is set."""
        return [i + 1 for i, b in enumerate(self.take(n, field)) if b == "1"]

    def ints(self, count: int, width: int, field: str) -> list[int]:
        """Read an ``N-Bitfield(width, count)``: ``count`` integers of ``width`` bits."""
        chunk = self.take(count * width, field)
        return [int(chunk[i : i + width], 2) for i in range(0, len(chunk), width)]

    def datetime(self, field: str) -> str:
        """Read a 36-bit ``Datetime`` (deciseconds since the epoch) as an ISO string."""
        return iso_datetime(self.int(36, field))

    def letters(self, n: int, field: str) -> str:
        """Read ``String(n)``: ``n`` 6-bit letters, 0 = ``A`` … 25 = ``Z``.

        Raises
        ------
        DataError
            A letter value above 25 (not ``A``-``Z``).
        """
        start = self.pos
        out = []
        for _ in range(n):
            value = self.int(6, field)
            if value > 25:
                raise self.fail(
                    f"{field} at bit {start} holds letter value {value}; expected 0-25 (A-Z)"
                )
            out.append(chr(ord("A") + value))
        return "".join(out)

    def fibonacci(self, field: str) -> int:
        """Read one ``Integer (Fibonacci)`` code word (ends at the first ``11``)."""
        end = self.bits.find("11", self.pos)
        if end < 0:
            raise self.fail(
                f"string ends at bit {len(self.bits)} while reading {field} (a Fibonacci "
                "integer needs a terminating '11')"
            )
        return fibonacci_value(self.take(end + 2 - self.pos, field))

    def int_range(self, field: str) -> list[int]:
        """Read a ``Range (Int)``: Int(12) entries, each IsRange bit + Int(16) [+ Int(16)].

        Returns
        -------
        list of int
            Sorted, de-duplicated IDs.

        Raises
        ------
        DataError
            An ID of 0 (IDs start at 1) or a group whose end precedes its start.
        """
        found: set[int] = set()
        for _ in range(self.int(12, f"{field}.NumEntries")):
            is_range = self.bool(f"{field}.IsARange")
            at = self.pos
            start = self.int(16, f"{field}.StartOrOnlyId")
            end = self.int(16, f"{field}.EndId") if is_range else start
            self._check_group(field, start, end, at)
            found.update(range(start, end + 1))
        return sorted(found)

    def fibonacci_range(self, field: str) -> list[int]:
        """Read a ``Range (Fibonacci)``: Int(12) entries of offsets from the last ID.

        A single entry is ``0`` + Fibonacci offset; a group is ``1`` + offset of its first
        ID + offset of its last ID from the first (GPP v1.0, "Range (Fibonacci)").

        Returns
        -------
        list of int
            IDs in encoded (ascending) order.
        """
        out: list[int] = []
        last = 0
        for _ in range(self.int(12, f"{field}.NumEntries")):
            is_range = self.bool(f"{field}.IsARange")
            at = self.pos
            start = last + self.fibonacci(f"{field}.Offset")
            end = start + self.fibonacci(f"{field}.Length") if is_range else start
            self._check_group(field, start, end, at)
            out.extend(range(start, end + 1))
            last = end
        return out

    def optimized_range(self, field: str, *, fibonacci: bool) -> list[int]:
        """Read an optimized vendor list: Int(16) max ID, IsRange bit, range or bitfield.

        Parameters
        ----------
        field : str
            Field name for messages.
        fibonacci : bool
            ``True``: the range is ``Range (Fibonacci)`` (GPP ``OptimizedRange`` as written
            by iabgpp-es 3.x); ``False``: ``Range (Int)`` (GPP's deprecated
            ``OptimizedIntRange``, and TCF v2 vendor sections without the default bit).
        """
        max_id = self.int(16, f"{field}.MaxId")
        if self.bool(f"{field}.IsRangeEncoding"):
            ids = self.fibonacci_range(field) if fibonacci else self.int_range(field)
            if ids and ids[-1] > max_id:
                raise self.fail(f"{field} lists ID {ids[-1]} above its MaxId {max_id}")
            return ids
        return self.ids(max_id, field)

    def _check_group(self, field: str, start: int, end: int, at: int) -> None:
        if start < 1:
            raise self.fail(f"{field} entry at bit {at} has ID 0; IDs start at 1")
        if end < start:
            raise self.fail(
                f"{field} entry at bit {at} ends at ID {end} before it starts at {start}"
            )
