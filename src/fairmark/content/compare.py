"""Consistency of generated copy across personas: do some groups get worse offers or pushier copy?

For each text of a table (copy generated for a persona) the module extracts features in
Python — the texts must be read, so this is a row pass streamed in Arrow batches, not an
engine aggregate — then aggregates them by group:

* **offer terms**: the largest percentage discount (``20% off``, ``save 15%``), the lowest
  price (``$49.99``, ``€30``, ``30 EUR``) and whether shipping/delivery is free;
* **reading level**: Flesch-Kincaid grade, ``0.39·words/sentences + 11.8·syllables/words −
  15.59`` (Kincaid, Fishburne, Rogers & Chissom 1975, Naval Technical Training Command
  Research Branch Report 8-75), syllables counted from the hyphenation points of the
  ``pyphen`` en_US dictionary (+1 per word), an approximation;
* **length** in words;
* **sentiment**: VADER compound score in [−1, 1] (Hutto & Gilbert 2014, ICWSM), from
  ``vaderSentiment``, which ships its lexicon;
* **findings** of :func:`fairmark.content.scan` per text (``warn`` and ``block`` only).

Each group is compared with all other texts pooled: Welch's t-test (Welch 1947,
Biometrika 34:28) for discount, grade, length and sentiment, Mann-Whitney U (Mann &
Whitney 1947, Ann. Math. Stat. 18:50) for finding counts, with Holm's step-down correction
over all tests of the run (Holm 1979, Scand. J. Statist. 6:65). A difference is *flagged*
when the corrected p-value is below ``alpha`` **and** the difference of means is at least
the practical threshold of :data:`THRESHOLDS` (e.g. 5 percentage points of discount).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from fairmark.engine.source import as_table, missing_column_message
from fairmark.errors import DataError, UsageError

__all__ = [
    "THRESHOLDS",
    "GroupComparison",
    "GroupSummary",
    "PersonaComparison",
    "TextFeatures",
    "compare_personas",
    "flesch_kincaid_grade",
    "text_features",
]

THRESHOLDS: dict[str, float] = {
    "discount_pct": 5.0,
    "min_price": 0.0,
    "free_shipping": 0.10,
    "fk_grade": 2.0,
    "n_words": 20.0,
    "sentiment": 0.20,
    "n_findings": 0.5,
}
"""Smallest difference of group means that counts (same units as the feature): 5
percentage points of discount, any price difference, 10 points of free-shipping share, 2
school grades, 20 words, 0.2 VADER compound, half a finding per text."""

_PERCENT = re.compile(
    r"(?i)(?:(?:save|discount of|get|up to|extra)\s+)(\d{1,3}(?:\.\d+)?)\s?%"
    r"|(\d{1,3}(?:\.\d+)?)\s?%\s?(?:off|discount|cash\s?back|savings?)"
)
_PRICE = re.compile(
    r"(?i)[$€£]\s?(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    r"|(\d+(?:[.,]\d{1,2})?)\s?(?:€|eur\b|usd\b|gbp\b)"
)
_FREE_SHIPPING = re.compile(
    r"(?i)\bfree\s+(?:standard\s+|express\s+)?(?:shipping|delivery|postage)\b"
)
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_WORDS = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")


@dataclass(frozen=True)
class TextFeatures:
    """Features of one text.

    Parameters
    ----------
    discount_pct : float
        Largest percentage discount stated (0 when none), in percent.
    min_price : float or None
        Lowest price stated, in the currency written (not converted); ``None`` when none.
    free_shipping : bool
    fk_grade : float or None
        Flesch-Kincaid grade (US school grade); ``None`` for a text without words.
    n_words : int
    sentiment : float
        VADER compound score in [−1, 1].
    n_findings : int
        ``warn``/``block`` findings of the content scanner.
    """

    discount_pct: float
    min_price: float | None
    free_shipping: bool
    fk_grade: float | None
    n_words: int
    sentiment: float
    n_findings: int


@cache
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def flesch_kincaid_grade(text: str) -> float | None:
    """Flesch-Kincaid grade level of ``text``.

    ``0.39 · words/sentences + 11.8 · syllables/words − 15.59`` (Kincaid et al. 1975).
    Sentences end at ``.``, ``!`` or ``?`` (at least one per text with words); syllables
    are the pyphen en_US hyphenation points + 1 per word. Returns ``None`` without words.
    """
    words = _WORDS.findall(text)
    if not words:
        return None
    sentences = max(1, len(_SENTENCE_END.findall(text.strip() + " ")))
    hy = _hyphenator()
    syllables = sum(len(hy.positions(w.lower())) + 1 for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


def _number(s: str) -> float:
    s = s.replace(" ", "")
    if "," in s and "." not in s and len(s.rsplit(",", 1)[1]) <= 2:
        s = s.replace(",", ".")
    return float(s.replace(",", ""))


def text_features(text: str, *, scan: bool = True) -> TextFeatures:
    """Extract the offer terms, reading level, length, sentiment and findings of one text.

    Parameters
    ----------
    text : str
    scan : bool
        Count the content scanner's findings (``False``: 0).

    Returns
    -------
    TextFeatures
    """
    discounts = [float(a or b) for a, b in _PERCENT.findall(text)]
    prices = [_number(a or b) for a, b in _PRICE.findall(text)]
    n_findings = 0
    if scan:
        from fairmark.content import scan as _scan

        n_findings = sum(1 for f in _scan(text) if f.severity in {"warn", "block"})
    return TextFeatures(
        discount_pct=max(discounts, default=0.0),
        min_price=min(prices) if prices else None,
        free_shipping=bool(_FREE_SHIPPING.search(text)),
        fk_grade=flesch_kincaid_grade(text),
        n_words=len(_WORDS.findall(text)),
        sentiment=float(_vader().polarity_scores(text)["compound"]),
        n_findings=n_findings,
    )


@dataclass(frozen=True)
class GroupSummary:
    """Means of the features of one group's texts (``None`` when no text has the feature)."""

    group: str
    n: int
    means: dict[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {"group": self.group, "n": self.n, "means": dict(self.means)}


@dataclass(frozen=True)
class GroupComparison:
    """One feature of one group compared with all other texts.

    Parameters
    ----------
    group, feature : str
    mean_group, mean_rest : float
    difference : float
        ``mean_group − mean_rest`` in the feature's units.
    test : {"welch_t", "mann_whitney_u"}
    p_value, p_holm : float or None
        Raw and Holm-corrected p-values (``None`` when the test is undefined: fewer than
        two texts on a side, or both sides constant and equal; ``0.0`` when both sides are
        constant and differ, a difference without any noise).
    flagged : bool
        ``p_holm < alpha`` and ``|difference| >= THRESHOLDS[feature]``.
    """

    group: str
    feature: str
    mean_group: float
    mean_rest: float
    difference: float
    test: str
    p_value: float | None
    p_holm: float | None
    flagged: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "group": self.group,
            "feature": self.feature,
            "mean_group": self.mean_group,
            "mean_rest": self.mean_rest,
            "difference": self.difference,
            "test": self.test,
            "p_value": self.p_value,
            "p_holm": self.p_holm,
            "flagged": self.flagged,
        }


@dataclass(frozen=True)
class PersonaComparison:
    """Result of :func:`compare_personas`."""

    text_column: str
    group_column: str
    n_texts: int
    alpha: float
    groups: tuple[GroupSummary, ...]
    comparisons: tuple[GroupComparison, ...]

    @property
    def flagged(self) -> tuple[GroupComparison, ...]:
        """The comparisons that are both significant and practically large."""
        return tuple(c for c in self.comparisons if c.flagged)

    def to_dict(self) -> dict[str, Any]:
        """Versioned JSON-safe document (``kind: "persona_comparison"``)."""
        return {
            "schema_version": "1.0",
            "kind": "persona_comparison",
            "text_column": self.text_column,
            "group_column": self.group_column,
            "n_texts": self.n_texts,
            "alpha": self.alpha,
            "thresholds": dict(THRESHOLDS),
            "groups": [g.to_dict() for g in self.groups],
            "comparisons": [c.to_dict() for c in self.comparisons],
            "flagged": [c.to_dict() for c in self.flagged],
        }


def _rows(table: Any, text: str, group: str) -> Iterator[tuple[str | None, str | None]]:
    source = as_table(table)
    columns = list(source.table.columns)
    for col in (text, group):
        if col not in columns:
            raise DataError(missing_column_message(col, columns))
    expr = source.table.select(source.table[text].cast("string").name("t"),
                               source.table[group].cast("string").name("g"))
    for batch in _batches(expr, 10_000):
        yield from zip(batch.column("t").to_pylist(), batch.column("g").to_pylist(), strict=True)


def _batches(expr: Any, rows: int) -> Any:
    """Arrow batches of ``expr``; on DuckDB through DuckDB's own reader (Ibis 12's
    ``to_pyarrow_batches`` calls a cursor method DuckDB 2 no longer has)."""
    try:
        backend = expr._find_backend()
    except Exception:  # an unbound memtable
        return expr.to_pyarrow_batches(chunk_size=rows)
    if backend.name != "duckdb":
        return expr.to_pyarrow_batches(chunk_size=rows)
    relation = backend.con.sql(backend.compile(expr))
    if hasattr(relation, "to_arrow_reader"):  # duckdb 2.x
        return relation.to_arrow_reader(rows)
    return relation.fetch_arrow_reader(rows)  # pragma: no cover - duckdb 1.x


def _holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm 1979 step-down adjusted p-values (``None`` stays ``None``)."""
    idx = sorted((i for i, p in enumerate(pvalues) if p is not None), key=lambda i: pvalues[i])  # type: ignore[arg-type,return-value]
    m, out, running = len(idx), [None] * len(pvalues), 0.0
    for rank, i in enumerate(idx):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))  # type: ignore[operator]
        out[i] = running
    return out  # type: ignore[return-value]


def _test(a: list[float], b: list[float], kind: str) -> float | None:
    import warnings

    from scipy import stats

    if len(a) < 2 or len(b) < 2:
        return None
    with warnings.catch_warnings():  # near-constant samples: scipy warns, p is still defined
        warnings.simplefilter("ignore", RuntimeWarning)
        if kind == "welch_t":
            if max(a) == min(a) and max(b) == min(b):
                return None if a[0] == b[0] else 0.0
            p = stats.ttest_ind(a, b, equal_var=False).pvalue
        else:
            if len(set(a) | set(b)) == 1:
                return None
            p = stats.mannwhitneyu(a, b, alternative="two-sided").pvalue
    return None if p is None or math.isnan(p) else float(p)


def compare_personas(
    table: Any,
    *,
    text: str,
    group: str,
    alpha: float = 0.05,
    scan: bool = True,
) -> PersonaComparison:
    """Compare offer terms, reading level, length, sentiment and findings across groups.

    Parameters
    ----------
    table : path, DataFrame, Arrow table or Ibis table
        One row per generated text; anything :func:`fairmark.engine.source.as_table`
        accepts.
    text : str
        Column with the copy.
    group : str
        Column with the persona group (e.g. ``age_band``); missing values form ``"<missing>"``.
    alpha : float
        Family-wise error rate for Holm's correction, in (0, 1).
    scan : bool
        Also count content-scanner findings per text.

    Returns
    -------
    PersonaComparison

    Raises
    ------
    DataError
        A column is missing, the table has no text, or fewer than two groups.
    UsageError
        ``alpha`` outside (0, 1).

    Notes
    -----
    Sources: Kincaid et al. 1975 (grade), Hutto & Gilbert 2014 (VADER), Welch 1947,
    Mann & Whitney 1947, Holm 1979. Features are computed in Python per row (the texts
    must be read), streamed in Arrow batches; only the per-group lists are kept.
    """
    if not 0 < alpha < 1:
        raise UsageError(f"alpha must be in (0, 1), got {alpha!r}")
    values: dict[str, dict[str, list[float]]] = {}
    n = 0
    for t, g in _rows(table, text, group):
        if t is None or not t.strip():
            continue
        f = text_features(t, scan=scan)
        n += 1
        bucket = values.setdefault("<missing>" if g is None else g, {k: [] for k in THRESHOLDS})
        for key in THRESHOLDS:
            v = getattr(f, key)
            if v is not None:
                bucket[key].append(float(v))
    if n == 0:
        raise DataError(f"column {text!r} has no text to compare")
    if len(values) < 2:
        raise DataError(f"column {group!r} has one group only; need two or more to compare")
    names = sorted(values)
    summaries = tuple(
        GroupSummary(
            g,
            len(values[g]["n_words"]),
            {k: (sum(v) / len(v) if v else None) for k, v in values[g].items()},
        )
        for g in names
    )
    raw: list[tuple[str, str, float, float, str, float | None]] = []
    for g in names:
        for key in THRESHOLDS:
            a = values[g][key]
            b = [x for h in names if h != g for x in values[h][key]]
            if not a or not b:
                continue
            kind = "mann_whitney_u" if key == "n_findings" else "welch_t"
            raw.append((g, key, sum(a) / len(a), sum(b) / len(b), kind, _test(a, b, kind)))
    adjusted = _holm([r[5] for r in raw])
    comparisons = tuple(
        GroupComparison(
            group=g, feature=key, mean_group=ma, mean_rest=mb, difference=ma - mb, test=kind,
            p_value=p, p_holm=ph,
            flagged=ph is not None and ph < alpha and abs(ma - mb) >= THRESHOLDS[key]
            and abs(ma - mb) > 0,
        )
        for (g, key, ma, mb, kind, p), ph in zip(raw, adjusted, strict=True)
    )
    return PersonaComparison(text, group, n, alpha, summaries, comparisons)
