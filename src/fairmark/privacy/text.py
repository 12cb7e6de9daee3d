"""Text normalisation for PII matching, with an offset map back to the original string.

Detectors match on a *normalised* copy of a text: Unicode NFKC (so full-width digits
``"４１１１"`` read as ``"4111"``, ligatures such as ``"ﬁ"`` as ``"fi"`` and ``"①"`` as ``"1"``)
with invisible format characters removed (zero-width space, joiners, word joiner, byte-order
mark, soft hyphen …), which are a known way to hide an e-mail address or a card number from
a filter. Findings are then reported in code points of the ORIGINAL text: NFKC can change
lengths, so :class:`NormalisedText` keeps, for every normalised code point, the span of the
original text it came from.

Sources: Unicode Standard Annex #15, *Unicode Normalization Forms* (NFKC); Unicode
Technical Standard #39, *Unicode Security Mechanisms* §3 (invisible characters, confusables).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["ZERO_WIDTH", "NormalisedText", "decode_text", "normalise", "quick_normalise"]

ZERO_WIDTH: frozenset[str] = frozenset(
    {
        "\u00ad",  # soft hyphen
        "\u180e",  # Mongolian vowel separator
        "\u200b",  # zero-width space
        "\u200c",  # zero-width non-joiner
        "\u200d",  # zero-width joiner
        "\u200e",  # left-to-right mark
        "\u200f",  # right-to-left mark
        "\u2060",  # word joiner
        "\u2061",  # function application
        "\u2062",  # invisible times
        "\u2063",  # invisible separator
        "\u2064",  # invisible plus
        "\ufeff",  # zero-width no-break space / byte-order mark
    }
)
"""Invisible format characters (Unicode category Cf) removed before matching."""

_DROP_TABLE = dict.fromkeys(map(ord, ZERO_WIDTH))


@dataclass(frozen=True)
class NormalisedText:
    """A normalised text and the map from its code points back to the original.

    Parameters
    ----------
    original : str
        The text as given.
    text : str
        NFKC of ``original`` with the :data:`ZERO_WIDTH` characters removed.
    starts, ends : tuple of int
        ``len(text)`` entries each: normalised code point ``j`` came from
        ``original[starts[j]:ends[j]]`` (one original character, or a short run of them when
        NFKC composed several into one, e.g. ``"e"`` + combining acute → ``"é"``). Empty
        tuples mean the identity map (``text == original``).
    """

    original: str
    text: str
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    @property
    def is_identity(self) -> bool:
        """``True`` when ``text`` is ``original`` unchanged (offsets map to themselves)."""
        return not self.starts

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of :attr:`text` to the span of :attr:`original` it covers.

        Parameters
        ----------
        start, end : int
            ``0 <= start < end <= len(text)``, in code points of the normalised text.

        Returns
        -------
        tuple of int
            ``(orig_start, orig_end)`` in code points of :attr:`original`; invisible
            characters inside the span are included, those at its edges are not.

        Raises
        ------
        ValueError
            When the span is empty or outside the normalised text.
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(
                f"span [{start}, {end}) is not a non-empty span of a text of length "
                f"{len(self.text)}"
            )
        if self.is_identity:
            return start, end
        return self.starts[start], self.ends[end - 1]


def quick_normalise(text: str) -> str:
    """The normalised string alone (no offset map): NFKC after removing invisible characters.

    Equal to ``normalise(text).text``; the fast path used to decide whether a text needs
    scanning at all. ASCII text is returned unchanged.
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.translate(_DROP_TABLE))


def normalise(text: str) -> NormalisedText:
    """Normalise ``text`` for matching and keep the offset map back to it.

    The text is cut into segments that NFKC treats independently (a segment starts at a
    character of canonical combining class 0 that does not compose with the character
    before it); each segment is normalised on its own and every resulting code point maps to
    its segment's original span. The concatenation is checked against NFKC of the whole
    string; in the rare case it differs, the whole text becomes one segment (offsets then
    cover the whole text: never a wrong, too-narrow span).

    Parameters
    ----------
    text : str
        Any Unicode string.

    Returns
    -------
    NormalisedText
        With the identity map when ``text`` is ASCII or already normalised.

    Raises
    ------
    TypeError
        When ``text`` is not a ``str``.

    Notes
    -----
    Source: Unicode Standard Annex #15 (NFKC, canonical combining classes and composition);
    UTS #39 §3 (invisible characters).
    """
    if not isinstance(text, str):
        raise TypeError(f"normalise() expects str, got {type(text).__name__}")
    if text.isascii():
        return NormalisedText(original=text, text=text)
    target = quick_normalise(text)
    if target == text:
        return NormalisedText(original=text, text=text)

    # Segment boundaries over the original text (invisible characters dropped).
    segments: list[tuple[int, int]] = []
    prev_char = ""
    for i, char in enumerate(text):
        if char in ZERO_WIDTH:
            continue
        joins = bool(segments) and (
            unicodedata.combining(char) != 0
            or unicodedata.normalize("NFKC", prev_char + char)
            != unicodedata.normalize("NFKC", prev_char) + unicodedata.normalize("NFKC", char)
        )
        if joins:
            seg_start, _ = segments[-1]
            segments[-1] = (seg_start, i + 1)
        else:
            segments.append((i, i + 1))
        prev_char = char

    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for seg_start, seg_end in segments:
        piece = unicodedata.normalize("NFKC", text[seg_start:seg_end].translate(_DROP_TABLE))
        pieces.append(piece)
        starts.extend([seg_start] * len(piece))
        ends.extend([seg_end] * len(piece))
    if "".join(pieces) != target:  # cross-segment interaction: fall back to one segment
        first = segments[0][0] if segments else 0
        last = segments[-1][1] if segments else len(text)
        starts = [first] * len(target)
        ends = [last] * len(target)
    return NormalisedText(original=text, text=target, starts=tuple(starts), ends=tuple(ends))


def decode_text(data: bytes | bytearray | memoryview) -> tuple[str, bool]:
    """Decode bytes as UTF-8, replacing undecodable bytes, and say whether any were replaced.

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        Raw bytes of a text value.

    Returns
    -------
    tuple of (str, bool)
        The decoded text (each invalid byte sequence becomes U+FFFD, the replacement
        character) and ``True`` when at least one replacement was made, so the caller can
        report that the value was not valid UTF-8.

    Raises
    ------
    TypeError
        When ``data`` is not a bytes-like object.

    Notes
    -----
    Source: RFC 3629 (UTF-8); Unicode Standard §3.9 (U+FFFD substitution of maximal
    subparts).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"decode_text() expects bytes, got {type(data).__name__}")
    raw = bytes(data)
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True
