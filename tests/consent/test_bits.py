"""The bit-level data types against the worked examples of the GPP v1.0 specification."""

from __future__ import annotations

import pytest

from fairmark.consent.bits import BitReader, bits_from_base64url, fibonacci_value, iso_datetime
from fairmark.consent.gpp import decode_gpp_header
from fairmark.errors import DataError


@pytest.mark.parametrize(
    ("code", "value"),
    [("11", 1), ("011", 2), ("0011", 3), ("1011", 4), ("00011", 5), ("10011", 6), ("01011", 7)],
)
def test_fibonacci_code_table_of_the_spec(code: str, value: int) -> None:
    assert fibonacci_value(code) == value
    assert BitReader(code + "0101", "t").fibonacci("x") == value


def test_fibonacci_range_example_of_the_spec() -> None:
    """GPP v1.0 "Range (Fibonacci)": 2 items, single 3, group offset 2 length 3 → 3,5-8."""
    bits = "000000000010" + "0" + "0011" + "1" + "011" + "0011"
    assert BitReader(bits, "t").fibonacci_range("R") == [3, 5, 6, 7, 8]


def test_int_range_example_of_the_spec() -> None:
    """GPP v1.0 "Range (Int)": single 3, group 5-8."""
    bits = "000000000010" + "0" + format(3, "016b") + "1" + format(5, "016b") + format(8, "016b")
    assert BitReader(bits, "t").int_range("R") == [3, 5, 6, 7, 8]


@pytest.mark.parametrize(
    ("header", "ids"),
    [("DBABM", [2]), ("DBACNY", [2, 6]), ("DBABjw", [5, 6])],
)
def test_header_examples_of_the_spec(header: str, ids: list[int]) -> None:
    assert decode_gpp_header(header)[:2] == (1, ids)


def test_base64url_bits_padding_and_errors() -> None:
    assert bits_from_base64url("A_", "t").bits == "000000111111"
    padded = bits_from_base64url("CA==", "t")
    assert padded.bits == "000010000000" and "removed 2 trailing '='" in padded.notes[0]
    for text, words in [("C+", r"'\+' at position 2"), ("C=A", "'=' at character 2"),
                        ("C===", "1 or 2 trailing"), ("", "empty segment")]:
        with pytest.raises(DataError, match=words):
            bits_from_base64url(text, "t")


def test_reader_names_field_and_bit_on_truncation() -> None:
    reader = BitReader("0" * 20, "TCF core segment")
    reader.int(12, "A")
    with pytest.raises(DataError) as info:
        reader.int(36, "Created")
    assert str(info.value) == (
        "TCF core segment: string ends at bit 20 while reading Created (expected 36 bits)"
    )
    with pytest.raises(DataError, match="ID 0"):
        BitReader("000000000001" + "0" + "0" * 16, "t").int_range("VendorConsents")
    with pytest.raises(DataError, match="ends at ID 2 before it starts at 5"):
        BitReader("000000000001" + "1" + format(5, "016b") + format(2, "016b"), "t").int_range(
            "V")


def test_datetime_keeps_deciseconds() -> None:
    assert iso_datetime(0) == "1970-01-01T00:00:00.000Z"
    assert iso_datetime(15493149652) == "2019-02-04T21:16:05.200Z"
