"""Gender-coded wording in job ads: masculine and feminine word counts and their balance.

Method
------
Gaucher, Friesen & Kay (2011) counted masculine-coded words (agentic: *competitive,
dominant, leader*) and feminine-coded words (communal: *supportive, understanding,
interpersonal*) in job advertisements and showed that masculine wording makes jobs less
appealing to women and lowers their anticipated belongingness. Kat Matfield's Gender
Decoder turns their Appendix A into a tool; this module reproduces its procedure:

1. every non-ASCII character, every whitespace character and each of
   ``. , “ ” ‘ ’ < > * ? ! " [ ] @ ' : ; ( ) / &`` separates words; words are lower-cased;
2. a word containing ``-`` is split on it unless it starts with one of the hyphenated
   coded stems (``co-operat``, ``self-confiden`` …);
3. a word is coded when it *starts with* a stem of the masculine or feminine list
   (``compet`` matches *compete, competitive, competition*);
4. ``score = feminine count − masculine count``; ``0`` → ``neutral`` (``empty`` when no
   coded word at all), ``1..3`` → ``feminine-coded``, ``> 3`` → ``strongly
   feminine-coded``, ``-1..-3`` → ``masculine-coded``, ``< -3`` → ``strongly
   masculine-coded``.

Departures from the Gender Decoder, each deliberate:

* a word is counted **once per list** even when two stems of that list match it (the tool
  counts *dominant* twice, for ``domina`` and ``dominant``, and *interpersonal* twice);
  the paper counts words, not stems;
* word-sense exceptions (:data:`WORD_EXCEPTIONS`, :data:`PHRASE_EXCEPTIONS`) stop words
  whose sense is a named thing rather than a personal quality; the tool has only
  ``sharepoint``. Each exception states its reason.

The stem lists ship in ``content/data/gaucher2011.json`` with their citation and the MIT
licence notice of the Gender Decoder; nothing is read from outside the package.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from fairmark.content.context import ScanContext
from fairmark.content.finding import ContentFinding
from fairmark.errors import UsageError

__all__ = [
    "PHRASE_EXCEPTIONS",
    "SOURCE",
    "WORD_EXCEPTIONS",
    "CodedWord",
    "GenderBalance",
    "Verdict",
    "coding_verdict",
    "gender_balance",
    "gender_coded_findings",
    "word_lists",
]

SOURCE = (
    "Gaucher, Friesen & Kay 2011, Evidence that gendered wording in job advertisements "
    "exists and sustains gender inequality, J. Pers. Soc. Psychol. 101(1):109-128, "
    "Appendix A; procedure of Kat Matfield's Gender Decoder "
    "(github.com/lovedaybrooke/gender-decoder)"
)

Verdict = Literal[
    "empty",
    "strongly feminine-coded",
    "feminine-coded",
    "neutral",
    "masculine-coded",
    "strongly masculine-coded",
]

#: Whole words that a stem matches but whose sense is not a personal quality, with why.
WORD_EXCEPTIONS: dict[str, str] = {
    "sharepoint": "a Microsoft product name, not sharing (the Gender Decoder's own exception)",
    "shareholder": "an owner of company stock, not the communal trait of sharing",
    "shareholders": "owners of company stock, not the communal trait of sharing",
    "committee": "a body of people; the stem 'commit' stands for commitment",
    "committees": "bodies of people; the stem 'commit' stands for commitment",
    "analytics": (
        "a field or product name (web analytics, Google Analytics); the stem 'analy' "
        "stands for the trait 'analytical', which is still counted"
    ),
    "kinds": "'all kinds of' names a variety; the paper's word is the trait 'Kind' (kindness)",
}

#: Two-word phrases whose first word a stem matches but whose sense is not a trait.
PHRASE_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("lead", "generation"): "marketing jargon: a lead is a prospective customer",
    ("lead", "gen"): "marketing jargon: a lead is a prospective customer",
    ("lead", "scoring"): "marketing jargon: a lead is a prospective customer",
    ("lead", "nurturing"): "marketing jargon: a lead is a prospective customer",
    ("lead", "magnet"): "marketing jargon: a lead is a prospective customer",
    ("lead", "time"): "a delay (supply chain), not leadership",
    ("lead", "times"): "delays (supply chain), not leadership",
    ("sympathetic", "nervous"): "an anatomical system, not sympathy",
    ("depending", "on"): "'depending on experience' states a condition, not dependability",
    **{
        ("competitive", pay): "pay that compares well with the market, not a competitive person"
        for pay in (
            "salary", "salaries", "pay", "wage", "wages", "compensation", "remuneration",
            "benefits", "package", "rates", "rate",
        )
    },
}

_WORD = re.compile(r"[^\s.,“”‘’<>*?!\"\[\]@':;()/&\x80-\U0010ffff]+")


@dataclass(frozen=True)
class CodedWord:
    """One coded word of a text.

    Parameters
    ----------
    word : str
        The word as lower-cased by the tokenizer.
    stem : str
        The first stem of the list (upstream order) that matched it.
    coding : {"masculine", "feminine"}
    start, end : int
        Span in code points into the original text; ``text[start:end].lower() == word``.
    """

    word: str
    stem: str
    coding: Literal["masculine", "feminine"]
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of every field."""
        return {
            "word": self.word,
            "stem": self.stem,
            "coding": self.coding,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class GenderBalance:
    """Masculine and feminine coded words of one text and the verdict on their balance.

    Parameters
    ----------
    masculine : tuple of CodedWord
        Masculine-coded words in text order (repeats counted, as in the research).
    feminine : tuple of CodedWord
        Feminine-coded words in text order.
    verdict : Verdict
        ``empty``, ``neutral``, ``(strongly) feminine-coded`` or ``(strongly)
        masculine-coded``, by :attr:`score` as the Gender Decoder assesses it.
    """

    masculine: tuple[CodedWord, ...]
    feminine: tuple[CodedWord, ...]
    verdict: Verdict

    @property
    def masculine_count(self) -> int:
        """Number of masculine-coded words."""
        return len(self.masculine)

    @property
    def feminine_count(self) -> int:
        """Number of feminine-coded words."""
        return len(self.feminine)

    @property
    def score(self) -> int:
        """``feminine_count − masculine_count`` (the Gender Decoder's coding score)."""
        return self.feminine_count - self.masculine_count

    @property
    def coding_strength(self) -> int:
        """``|score|``: how far the text leans either way (0 = balanced or empty)."""
        return abs(self.score)

    def to_dict(self) -> dict[str, Any]:
        """Versioned JSON-safe document (``kind: "gender_balance"``)."""
        return {
            "schema_version": "1.0",
            "kind": "gender_balance",
            "masculine_count": self.masculine_count,
            "feminine_count": self.feminine_count,
            "score": self.score,
            "verdict": self.verdict,
            "masculine": [w.to_dict() for w in self.masculine],
            "feminine": [w.to_dict() for w in self.feminine],
            "source": SOURCE,
        }


@cache
def word_lists() -> dict[str, Any]:
    """The shipped stem lists and their provenance (``content/data/gaucher2011.json``).

    Returns
    -------
    dict
        Keys ``masculine`` and ``feminine`` (lists of stems in upstream order),
        ``hyphenated_coded_words``, ``non_coded_exceptions``, ``citation``, ``tool``,
        ``licence``, ``source_files`` (sha256 of the lists they were made from).
    """
    text = resources.files("fairmark.content").joinpath("data/gaucher2011.json").read_text(
        encoding="utf-8"
    )
    doc: dict[str, Any] = json.loads(text)
    return doc


def _tokens(text: str, hyphenated: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Lower-cased words with their spans, split the way the Gender Decoder splits them."""
    out: list[tuple[str, int, int]] = []
    for m in _WORD.finditer(text):
        word, start = m.group().lower(), m.start()
        if "-" in word and not word.startswith(hyphenated):
            offset = 0
            for part in word.split("-"):
                if part:
                    out.append((part, start + offset, start + offset + len(part)))
                offset += len(part) + 1
        else:
            out.append((word, start, m.end()))
    return out


def coding_verdict(masculine: int, feminine: int) -> Verdict:
    """The Gender Decoder's verdict for ``masculine`` and ``feminine`` word counts.

    ``score = feminine − masculine``: 0 → ``neutral`` (``empty`` when both are 0); 1..3 →
    ``feminine-coded``; > 3 → ``strongly feminine-coded``; −1..−3 → ``masculine-coded``;
    < −3 → ``strongly masculine-coded`` (gender-decoder ``app/models.py``,
    ``assess_coding``).
    """
    score = feminine - masculine
    if score == 0:
        return "neutral" if feminine else "empty"
    if score > 3:
        return "strongly feminine-coded"
    if score > 0:
        return "feminine-coded"
    if score < -3:
        return "strongly masculine-coded"
    return "masculine-coded"


def gender_balance(text: str) -> GenderBalance:
    """Count the masculine- and feminine-coded words of a job ad and judge their balance.

    Parameters
    ----------
    text : str
        The ad text (plain text; any length, English). Offsets in the result are code
        points into ``text``.

    Returns
    -------
    GenderBalance
        Coded words with spans, counts and the verdict.

    Raises
    ------
    UsageError
        If ``text`` is not a string.

    Notes
    -----
    Source: Gaucher, Friesen & Kay 2011, J. Pers. Soc. Psychol. 101(1):109-128,
    Appendix A (the stems) and Kat Matfield's Gender Decoder (tokenisation, prefix
    matching and the thresholds). See the module docstring for the two deliberate
    departures (one count per word and list; word-sense exceptions).
    """
    if not isinstance(text, str):
        raise UsageError(f"gender_balance: expected a text (str), got {type(text).__name__}")
    lists = word_lists()
    masc: tuple[str, ...] = tuple(lists["masculine"])
    fem: tuple[str, ...] = tuple(lists["feminine"])
    hyphenated = tuple(lists["hyphenated_coded_words"])
    exceptions = set(lists["non_coded_exceptions"]) | set(WORD_EXCEPTIONS)
    tokens = _tokens(text, hyphenated)
    found: dict[str, list[CodedWord]] = {"masculine": [], "feminine": []}
    for i, (word, start, end) in enumerate(tokens):
        if word in exceptions:
            continue
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        if (word, nxt) in PHRASE_EXCEPTIONS:
            continue
        for coding, stems in (("masculine", masc), ("feminine", fem)):
            stem = next((s for s in stems if word.startswith(s)), None)
            if stem is not None:
                found[coding].append(CodedWord(word, stem, coding, start, end))  # type: ignore[arg-type]
    m, f = found["masculine"], found["feminine"]
    return GenderBalance(tuple(m), tuple(f), coding_verdict(len(m), len(f)))


_MESSAGE = {
    "masculine": (
        "{word!r} is a masculine-coded word (Gaucher et al. 2011); ads with more masculine "
        "than feminine wording are less appealing to women. This ad: {m} masculine, "
        "{f} feminine-coded words ({verdict})."
    ),
    "feminine": (
        "{word!r} is a feminine-coded word (Gaucher et al. 2011), reported for the "
        "balance. This ad: {m} masculine, {f} feminine-coded words ({verdict})."
    ),
}
_HINT = {
    "masculine": (
        "Describe the task instead of the trait (e.g. 'you will lead' → 'you will "
        "coordinate'), or balance it with communal wording (collaborative, supportive)."
    ),
    "feminine": None,
}


def gender_coded_findings(text: str, context: ScanContext) -> list[ContentFinding]:
    """Analyzer of :data:`fairmark.content.analyzers.ANALYZERS`: coded words of job ads.

    Parameters
    ----------
    text : str
        The text being scanned.
    context : ScanContext
        Only ``ad_category == "employment"`` produces findings (the research is about job
        advertisements); any other category returns ``[]``.

    Returns
    -------
    list of ContentFinding
        One finding per coded word (rule ``gender_coded.masculine_word`` or
        ``gender_coded.feminine_word``, category ``gender_coded``). Masculine words are
        ``warn`` when the whole ad is strongly masculine-coded (score < −3), else
        ``info``; feminine words are always ``info``.
    """
    if context.ad_category != "employment":
        return []
    balance = gender_balance(text)
    m, f = balance.masculine_count, balance.feminine_count
    out: list[ContentFinding] = []
    for w in sorted((*balance.masculine, *balance.feminine), key=lambda w: w.start):
        severity = (
            "warn"
            if w.coding == "masculine" and balance.verdict == "strongly masculine-coded"
            else "info"
        )
        out.append(
            ContentFinding(
                rule_id=f"gender_coded.{w.coding}_word",
                category="gender_coded",
                severity=severity,
                start=w.start,
                end=w.end,
                evidence=text[w.start : w.end],
                message=_MESSAGE[w.coding].format(
                    word=w.word, m=m, f=f, verdict=balance.verdict
                ),
                source=SOURCE,
                rewrite_hint=_HINT[w.coding],
                pack="gender_coded",
            )
        )
    return out
