"""Fast matcher: tokenise once, look every pack pattern up in one dictionary.

How a text is matched
---------------------
1. Tokens are runs of letters (with inner apostrophes), runs of digits (with inner ``.``
   or ``,``) and the symbols ``# % $ € £ +``. Each token keeps its code-point span in the
   text, its lower-cased form and its Snowball English stem (Porter 2, via
   ``snowballstemmer``); hyphens and punctuation separate tokens, so "risk-free" and
   "risk free" match the same pattern.
2. Every word/phrase pattern of every rule is tokenised the same way and stored in one
   dictionary keyed by its first form (stem or lower-case, as the rule says); ``*`` in a
   pattern matches any one token and ``{num}`` any number. One pass over the tokens finds
   every phrase of every pack.
3. Regex patterns run case-insensitively on the original text; they are bounded
   (no nested quantifiers in the shipped packs) and huge texts are chunked by the
   scanner, so a regex never sees more than one chunk.
4. Conditions: the rule's ``context`` (ad category, ``ai_generated``, channel) must hold,
   and a ``near`` list needs one of its stems within ``window`` tokens of the match.
5. Exceptions: a match covered by one of the rule's exception phrases is dropped
   ("limited" inside "limited liability company").
6. Substantiation (rules with ``substantiable: true``, the claims): the claim is excused
   when the text's metadata carries a non-empty ``substantiation`` value (a reference
   to the test, study or data), or when a footnote marker — ``*``, ``**``, ``†``, ``‡``,
   ``[n]`` or a superscript digit — follows the claim (within six characters, or
   anywhere up to the end of its sentence, at most 40 characters on) and the text has a line
   starting with the same marker followed by at least ten characters (the reference); the marker may
   also sit inside the matched span.
   This follows the FTC Policy Statement Regarding Advertising Substantiation (1984)
   and 16 CFR 255: a claim needs a reasonable basis the advertiser can point to.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

import snowballstemmer

from fairmark.content.context import ScanContext
from fairmark.content.finding import ContentFinding
from fairmark.content.rules import Rule, RulePack

TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*|[#%$€£+]")
_NUM = "{num}"
_ANY = "*"
_MARKER_ANY_RE = re.compile(r"(\[\d{1,2}\]|\*{1,3}|†|‡|[¹²³⁴⁵⁶⁷⁸⁹])")
_MARKER_LOOKAHEAD = 6
"""A footnote marker is always looked for this far past the claim's end: room for a
space and ``[12]`` (`` [12]`` is five characters), or ``.***``."""
_MARKER_CLAUSE = 40
"""Beyond :data:`_MARKER_LOOKAHEAD`, the marker may close the claim's phrase or
sentence ("Guaranteed results[1].", "proven to work*"): it is looked for up to the
next sentence end or line break, at most this many characters past the claim."""
_CLAUSE_END_RE = re.compile(r"[.!?](?:\s|$)|\n")
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball (Porter 2) English stem of a lower-cased word; numbers and symbols as is."""
    if not word[:1].isalpha():
        return word
    return str(_STEMMER.stemWord(word.replace("’", "'")))


Token = tuple[int, int, str, str]
"""One token: ``(start, end, lower-case form, stem)``, span ``[start, end)`` in the text.
A plain tuple because a batch makes millions of them."""

START, END, LOWER, STEM = 0, 1, 2, 3
_STEM_CACHE: dict[str, str] = {}


def _is_num(tok: Token) -> bool:
    return tok[LOWER][:1].isdigit()


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Tokens of ``text`` with spans shifted by ``offset`` (see the module docstring)."""
    cache = _STEM_CACHE
    out: list[Token] = []
    append = out.append
    for m in TOKEN_RE.finditer(text):
        low = m.group().lower()
        st = cache.get(low)
        if st is None:
            st = stem(low)
            if len(cache) < 500_000:
                cache[low] = st
        s, e = m.span()
        append((s + offset, e + offset, low, st))
    return out


def pattern_forms(pattern: str, mode: str) -> tuple[str, ...]:
    """The token forms a pattern is matched with (stems or lower-case; ``*``/``{num}`` kept)."""
    forms: list[str] = []
    for part in pattern.split():
        if part in (_ANY, _NUM):
            forms.append(part)
            continue
        for m in TOKEN_RE.finditer(part):
            low = m.group().lower()
            forms.append(stem(low) if mode == "stem" else low)
    return tuple(forms)


def _form(tok: Token, mode: str) -> str:
    return tok[STEM] if mode == "stem" else tok[LOWER]


def _seq_matches(tokens: Sequence[Token], i: int, forms: tuple[str, ...], mode: str) -> bool:
    if i + len(forms) > len(tokens):
        return False
    for k in range(1, len(forms)):
        want, tok = forms[k], tokens[i + k]
        if want == _ANY:
            continue
        if want == _NUM:
            if not _is_num(tok):
                return False
            continue
        if _form(tok, mode) != want:
            return False
    return True


class PhraseIndex:
    """All phrases of a set of rules, keyed by their first token form, and by their first
    two forms when the second is a word (so a common first word such as "only" costs one
    dictionary look-up, not a comparison with every phrase that starts with it)."""

    def __init__(self) -> None:
        # mode -> first form -> [(forms, key)]  (single tokens, or a wildcard second token)
        self._one: dict[str, dict[str, list[tuple[tuple[str, ...], int]]]] = {
            "stem": {},
            "lower": {},
        }
        # mode -> (first, second) -> [(forms, key)]
        self._two: dict[str, dict[tuple[str, str], list[tuple[tuple[str, ...], int]]]] = {
            "stem": {},
            "lower": {},
        }

    def add(self, pattern: str, mode: str, key: int) -> None:
        """Add ``pattern`` (matched in ``mode``) under the integer ``key``."""
        forms = pattern_forms(pattern, mode)
        if not forms:
            return
        if len(forms) >= 2 and forms[1] not in (_ANY, _NUM):
            self._two[mode].setdefault((forms[0], forms[1]), []).append((forms, key))
        else:
            self._one[mode].setdefault(forms[0], []).append((forms, key))

    def find(self, tokens: Sequence[Token]) -> list[tuple[int, int, int]]:
        """Every ``(key, first token, end token)`` occurrence in ``tokens``."""
        hits: list[tuple[int, int, int]] = []
        n = len(tokens)
        modes = [
            (mode, self._one[mode], self._two[mode])
            for mode in ("stem", "lower")
            if self._one[mode] or self._two[mode]
        ]
        for i, tok in enumerate(tokens):
            nxt = tokens[i + 1] if i + 1 < n else None
            for mode, one, two in modes:
                form = tok[STEM] if mode == "stem" else tok[LOWER]
                firsts = [form, _NUM] if _is_num(tok) else [form]
                for first in firsts:
                    cands = one.get(first)
                    if cands:
                        for forms, key in cands:
                            if len(forms) == 1 or _seq_matches(tokens, i, forms, mode):
                                hits.append((key, i, i + len(forms)))
                    if nxt is None or not two:
                        continue
                    second = nxt[STEM] if mode == "stem" else nxt[LOWER]
                    cands = two.get((first, second))
                    if cands:
                        for forms, key in cands:
                            if len(forms) == 2 or _seq_matches(tokens, i, forms, mode):
                                hits.append((key, i, i + len(forms)))
        return hits


def _context_ok(rule: Rule, ctx: ScanContext) -> bool:
    if rule.ad_category and ctx.ad_category not in rule.ad_category:
        return False
    if rule.ai_generated is not None and ctx.ai_generated is not rule.ai_generated:
        return False
    return not (rule.channel and (ctx.channel or "").lower() not in rule.channel)


def substantiated(text: str, start: int, end: int, ctx: ScanContext) -> bool:
    """Whether the claim at ``[start, end)`` carries a substantiation reference (module doc).

    The footnote marker may sit inside the matched span ("proven* to") or right after it.
    """
    if str(ctx.metadata.get("substantiation", "") or "").strip():
        return True
    limit = min(len(text), end + _MARKER_CLAUSE)
    stop = _CLAUSE_END_RE.search(text, end, limit)
    limit = max(min(len(text), end + _MARKER_LOOKAHEAD), stop.end() if stop else limit)
    m = _MARKER_ANY_RE.search(text, start, limit)
    if m is None:
        return False
    ref = re.compile(rf"(?m)^[ \t]*{re.escape(m.group(1))}[ \t]*\S.{{9,}}")
    return ref.search(text) is not None


class CompiledPacks:
    """Every rule of the given packs compiled into one phrase index and a regex list."""

    def __init__(self, packs: Iterable[RulePack]) -> None:
        self.rules: list[Rule] = [r for p in packs for r in p.rules]
        self.phrases = PhraseIndex()
        self.regexes: list[tuple[re.Pattern[str], int]] = []
        self.exceptions: dict[int, PhraseIndex] = {}
        self.near: dict[int, frozenset[str]] = {}
        for k, rule in enumerate(self.rules):
            for p in rule.patterns:
                self.phrases.add(p, rule.match, k)
            for rx in rule.regex:
                self.regexes.append((re.compile(rx, re.IGNORECASE), k))
            if rule.exceptions:
                ex = PhraseIndex()
                for p in rule.exceptions:
                    ex.add(p, "lower", 0)
                self.exceptions[k] = ex
            if rule.near is not None:
                self.near[k] = frozenset(
                    f for w in rule.near.words for f in pattern_forms(w, "stem")
                )

    def _finding(self, k: int, text: str, start: int, end: int, base: int) -> ContentFinding:
        rule = self.rules[k]
        return ContentFinding(
            rule_id=rule.id,
            category=rule.category,
            severity=rule.severity,  # type: ignore[arg-type]
            start=start + base,
            end=end + base,
            evidence=text[start:end],
            message=rule.message,
            source=rule.source,
            rewrite_hint=rule.rewrite_hint,
            pack=rule.pack,
        )

    def _near_ok(self, k: int, tokens: Sequence[Token], i: int, j: int) -> bool:
        words = self.near.get(k)
        if words is None:
            return True
        window = self.rules[k].near.window  # type: ignore[union-attr]
        lo, hi = max(0, i - window), min(len(tokens), j + window)
        return any(tokens[t][STEM] in words for t in range(lo, hi) if not i <= t < j)

    def _exception_spans(
        self, k: int, tokens: Sequence[Token]
    ) -> tuple[list[int], list[int]] | None:
        """Char starts (sorted) and running maximum of ends of rule ``k``'s exception
        phrases in ``tokens``; ``None`` when the rule has no exceptions."""
        ex = self.exceptions.get(k)
        if ex is None:
            return None
        spans = sorted((tokens[a][START], tokens[b - 1][END]) for _, a, b in ex.find(tokens))
        starts = [s for s, _ in spans]
        max_end: list[int] = []
        hi = -1
        for _, e in spans:
            hi = max(hi, e)
            max_end.append(hi)
        return starts, max_end

    @staticmethod
    def _covered(spans: tuple[list[int], list[int]] | None, start: int, end: int) -> bool:
        """Whether an exception span with ``span.start <= start`` reaches ``end``."""
        if spans is None:
            return False
        i = bisect_right(spans[0], start) - 1
        return i >= 0 and spans[1][i] >= end

    def scan(self, text: str, ctx: ScanContext, *, base: int = 0) -> list[ContentFinding]:
        """Findings of every rule whose context holds, offsets shifted by ``base``.

        ``text`` is one chunk; ``base`` its offset in the original text.
        """
        tokens = tokenize(text)
        raw: list[tuple[int, int, int]] = []  # (rule, start char, end char)
        for k, i, j in self.phrases.find(tokens):
            if self._near_ok(k, tokens, i, j):
                raw.append((k, tokens[i][START], tokens[j - 1][END]))
        for rx, k in self.regexes:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    raw.append((k, m.start(), m.end()))
        out: list[ContentFinding] = []
        active: dict[int, bool] = {}
        # Exception spans are found once per chunk and rule (not once per hit), so a chunk
        # with many hits costs O(tokens + hits log hits), not O(hits x tokens).
        excepted: dict[int, tuple[list[int], list[int]] | None] = {}
        for k, s, e in raw:
            ok = active.get(k)
            if ok is None:
                ok = active[k] = _context_ok(self.rules[k], ctx)
            if not ok:
                continue
            if k not in excepted:
                excepted[k] = self._exception_spans(k, tokens)
            if self._covered(excepted[k], s, e):
                continue
            if self.rules[k].substantiable and substantiated(text, s, e, ctx):
                continue
            out.append(self._finding(k, text, s, e, base))
        return dedupe(out)


def dedupe(findings: list[ContentFinding]) -> list[ContentFinding]:
    """Merge overlapping matches of one rule into one span; among overlapping findings of
    one category from different rules keep the first (longest at equal start).

    Returns the findings sorted by ``(start, end, rule_id)``. Evidence of a merged span is
    taken from the two findings' evidence joined on their overlap.
    """
    ordered = sorted(findings, key=lambda f: (f.start, -(f.end - f.start), f.rule_id))
    kept: list[ContentFinding] = []
    last: dict[str, int] = {}  # category -> index in kept
    for f in ordered:
        i = last.get(f.category)
        if i is not None and kept[i].end > f.start:
            prev = kept[i]
            if prev.rule_id == f.rule_id and f.end > prev.end:
                evidence = prev.evidence + f.evidence[prev.end - f.start :]
                kept[i] = replace(prev, end=f.end, evidence=evidence)
            continue
        kept.append(f)
        last[f.category] = len(kept) - 1
    return sorted(kept, key=lambda f: (f.start, f.end, f.rule_id))
