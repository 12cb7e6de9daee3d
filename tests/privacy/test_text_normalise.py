"""NFKC + invisible-character normalisation keeps a correct offset map to the original."""

from __future__ import annotations

import unicodedata

import pytest

from fairmark.privacy.text import ZERO_WIDTH, decode_text, normalise, quick_normalise


def _span_of(norm_text: str, needle: str) -> tuple[int, int]:
    start = norm_text.index(needle)
    return start, start + len(needle)


def test_ascii_is_identity() -> None:
    n = normalise("call 020 7946 0958")
    assert n.is_identity
    assert n.text == n.original
    assert n.to_original(5, 18) == (5, 18)


def test_ligature_expands_and_maps_back() -> None:
    # "ﬁ" (U+FB01) becomes two characters: everything after it shifts by one.
    original = "ﬁle 4111 1111 1111 1111"
    n = normalise(original)
    assert n.text == "file 4111 1111 1111 1111"
    start, end = n.to_original(*_span_of(n.text, "4111 1111 1111 1111"))
    assert (start, end) == (4, 23)
    assert original[start:end] == "4111 1111 1111 1111"
    # Both normalised characters "f", "i" map to the one ligature.
    assert n.to_original(0, 1) == (0, 1)
    assert n.to_original(1, 2) == (0, 1)


def test_fullwidth_digits_and_zero_width_space_inside_a_number() -> None:
    original = "tel ０７７００\u200b９００１２３ ok"
    n = normalise(original)
    assert n.text == "tel 07700900123 ok"
    start, end = n.to_original(*_span_of(n.text, "07700900123"))
    assert original[start:end] == "０７７００\u200b９００１２３"


def test_circled_digit_and_zero_width_at_the_edges() -> None:
    original = "\u200bno ① \ufeffx@y.io\u200d"
    n = normalise(original)
    assert n.text == "no 1 x@y.io"
    start, end = n.to_original(*_span_of(n.text, "1"))
    assert original[start:end] == "①"
    start, end = n.to_original(*_span_of(n.text, "x@y.io"))
    assert original[start:end] == "x@y.io"  # invisible characters at the edges stay out


def test_combining_sequence_maps_to_both_code_points() -> None:
    original = "Jose\u0301 Ruiz"  # e + combining acute → é
    n = normalise(original)
    assert n.text == "José Ruiz"
    start, end = n.to_original(*_span_of(n.text, "José"))
    assert (start, end) == (0, 5)
    start, end = n.to_original(*_span_of(n.text, "Ruiz"))
    assert original[start:end] == "Ruiz"


def test_hangul_jamo_composition_is_handled() -> None:
    original = "\u1100\u1161 12"  # two conjoining jamo compose to one syllable
    n = normalise(original)
    assert n.text == unicodedata.normalize("NFKC", original)
    start, end = n.to_original(*_span_of(n.text, "12"))
    assert original[start:end] == "12"
    assert n.to_original(0, 1) == (0, 2)


def test_quick_normalise_equals_full_normalise() -> None:
    for text in ("ﬁ ① ４", "a\u200bb", "plain", "Jose\u0301", "\u00ad-\u2060"):
        assert quick_normalise(text) == normalise(text).text


def test_zero_width_set_is_format_characters() -> None:
    assert all(unicodedata.category(c) == "Cf" for c in ZERO_WIDTH)


def test_bad_spans_and_types_are_rejected() -> None:
    n = normalise("ﬁx")
    with pytest.raises(ValueError, match="not a non-empty span"):
        n.to_original(2, 2)
    with pytest.raises(ValueError, match="not a non-empty span"):
        n.to_original(0, 4)
    with pytest.raises(TypeError, match="expects str"):
        normalise(b"bytes")  # type: ignore[arg-type]


def test_decode_text_reports_replacement() -> None:
    assert decode_text("café".encode()) == ("café", False)
    text, replaced = decode_text(b"caf\xe9 ok")
    assert replaced is True
    assert text == "caf\ufffd ok"
    with pytest.raises(TypeError, match="expects bytes"):
        decode_text("str")  # type: ignore[arg-type]
