"""Suggest generalisations of the quasi-identifiers that reach k-anonymity, measured in the engine.

Each quasi-identifier gets a *ladder* of ever coarser versions of itself, chosen from its
type and content, always ending with dropping the column:

* ages (a numeric column named ``age`` or ``…_age``/``age_…`` with more than 10 distinct
  values, all in 0-130):
  5-year bands, 10-year bands, the fairmark age bands (<25, 25-34 … 65+, as
  ``--bin age=age`` of ``fairmark audit``);
* other numbers with more than 10 distinct values: bands of a round width giving about
  10, then about 4 bands;
* timestamps: the day, year-month, year; dates: year-month, year;
* UK postcodes (at least 90% of the values are full postcodes): sector (``SW1A 1``),
  district = outward code (``SW1A``), area (``SW``), written upper case without spaces
  (the inward code is always 3 characters: Royal Mail / ONS postcode structure, ONS
  Postcode Directory user guide);
* US ZIP codes (at least 90% ``12345`` or ``12345-6789``, or a numeric column named
  ``zip``/``zipcode``, left-padded to 5 digits): ZIP, 3-digit ZIP (the HIPAA Safe Harbor
  generalisation, 45 CFR 164.514(b)(2)(i)(B)), first digit;
* other text with more than 10 distinct values: the 10, then the 5 most frequent values
  kept and every other value replaced by ``"other"`` (global recoding, Samarati 2001,
  IEEE TKDE 13(6)); only values held by at least k records are kept (and named);
* every column: dropped.

Every candidate is evaluated *in the engine* (the generalised columns are Ibis
expressions over the quasi-identifiers, fed to
:func:`fairmark.privacy.equivalence_classes.class_size_profiles`, a batch of candidates
per ``UNION ALL`` query): its k achieved, records below k and number of classes. The
search (:func:`suggest_generalisations`):

1. every single step of every ladder (one quasi-identifier changed);
2. a greedy path: from the original data, repeatedly move the one quasi-identifier up its
   ladder by one step that leaves the fewest records below k (ties: more classes kept,
   then the order given), until k is reached or every ladder is exhausted;
3. a minimality pass on that path's end: each changed column is moved back down one step
   at a time while k still holds.

This is a heuristic in the spirit of Sweeney's Datafly (Sweeney 2002, IJUFKS 10(5):571,
"Achieving k-anonymity privacy protection using generalization and suppression"); finding
the optimal generalisation is NP-hard (Meyerson & Williams 2004, PODS). Suggestions are
ranked: those reaching k first, by fewest columns changed, then most classes kept (more
detail); then those that do not, by fewest records left below k, then fewest columns
changed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fairmark.errors import UsageError
from fairmark.privacy.equivalence_classes import class_size_profiles
from fairmark.privacy.kanon_result import Generalisation, Suggestion

__all__ = ["generalised_column", "ladders", "suggest_generalisations"]

_AGE_TOKEN = re.compile(r"(^|[^a-z])age([^a-z]|$)")
_ZIP_TOKEN = re.compile(r"(^|[^a-z])(zip|zipcode|zip_code)([^a-z0-9]|$)")
_UK_POSTCODE = r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$"
_US_ZIP = r"^[0-9]{5}(-?[0-9]{4})?$"
_PATTERN_SHARE = 0.9
_HIGH_CARDINALITY = 10
_TOP_N = (10, 5)
_FAIRMARK_AGE_EDGES = (25, 35, 45, 55, 65)
OTHER_LABEL = "other"


def _norm_postcode(x: Any) -> Any:
    return x.upper().replace(" ", "")


def generalised_column(table: Any, g: Generalisation) -> Any:
    """Return the Ibis expression of ``g`` applied to its column of ``table``.

    Parameters
    ----------
    table : ibis.Table
    g : Generalisation
        Any method except ``drop`` (a dropped column has no expression).

    Returns
    -------
    ibis.Value
        Missing values stay missing.

    Raises
    ------
    UsageError
        For ``drop``, or a ``numeric_bands`` generalisation without a positive width.
    """
    import ibis

    x = table[g.column]
    m = g.method
    if m in ("age_bands_5", "age_bands_10"):
        w = 5 if m == "age_bands_5" else 10
        return (x / w).floor() * w
    if m == "age_bands_fairmark":
        zero = ibis.literal(0, "int8")
        return sum(((x >= e).cast("int8") for e in _FAIRMARK_AGE_EDGES), zero)
    if m == "numeric_bands":
        if g.width is None or not g.width > 0:
            raise UsageError(f"numeric_bands of {g.column!r} needs a positive width")
        return (x / g.width).floor() * g.width
    if m == "date":
        return x.date()
    if m == "year_month":
        return x.truncate("M")
    if m == "year":
        return x.truncate("Y")
    if m.startswith("uk_postcode"):
        p = _norm_postcode(x)
        if m == "uk_postcode_sector":
            return p.substr(0, p.length() - 2)
        if m == "uk_postcode_district":
            return p.substr(0, p.length() - 3)
        return p.re_extract(r"^([A-Z]{1,2})", 1)
    if m.startswith("us_zip"):
        z = x.cast("int64").cast("string").lpad(5, "0") if x.type().is_numeric() else x.strip()
        return z.substr(0, {"us_zip5": 5, "us_zip3": 3, "us_zip1": 1}[m])
    if m == "top_n":
        text = x.cast("string")
        return text.isin(list(g.keep)).ifelse(text, ibis.literal(OTHER_LABEL))
    raise UsageError(f"{g.column!r}: a dropped column has no expression")


def _tokens(name: str, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(name.lower()))


def _nice_width(span: float, bands: int) -> float:
    """Smallest of 1, 2, 2.5, 5 × 10^e that cuts ``span`` into at most ``bands`` bands."""
    raw = span / bands
    exp = math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        width = mult * 10.0**exp
        if width >= raw:
            return width
    return 10.0 ** (exp + 1)  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class _Profile:
    distinct: int
    non_null: int
    low: float | None = None
    high: float | None = None
    uk_share: float = 0.0
    us_share: float = 0.0


def _profiles(table: Any, columns: Sequence[str]) -> dict[str, _Profile]:
    """Distinct counts, ranges and postcode-pattern shares of the columns: one aggregate."""
    aggs: dict[str, Any] = {}
    for i, name in enumerate(columns):
        x = table[name]
        aggs[f"d{i}"] = x.nunique()
        aggs[f"c{i}"] = x.count()
        t = x.type()
        if t.is_numeric() and not t.is_boolean():
            aggs[f"lo{i}"] = x.cast("float64").min()
            aggs[f"hi{i}"] = x.cast("float64").max()
        elif t.is_string():
            p = _norm_postcode(x)
            aggs[f"uk{i}"] = p.re_search(_UK_POSTCODE).ifelse(1, 0).sum()
            aggs[f"us{i}"] = x.strip().re_search(_US_ZIP).ifelse(1, 0).sum()
    row = table.aggregate(**aggs).execute().iloc[0]

    def num(key: str) -> float | None:
        v = row.get(key)
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

    out = {}
    for i, name in enumerate(columns):
        non_null = int(row[f"c{i}"])
        out[name] = _Profile(
            distinct=int(row[f"d{i}"]),
            non_null=non_null,
            low=num(f"lo{i}"),
            high=num(f"hi{i}"),
            uk_share=(num(f"uk{i}") or 0.0) / non_null if non_null else 0.0,
            us_share=(num(f"us{i}") or 0.0) / non_null if non_null else 0.0,
        )
    return out


def _top_values(table: Any, column: str, n: int, min_count: int) -> tuple[str, ...]:
    """The ``n`` most frequent non-missing values as text (ties: by value), each held by at
    least ``min_count`` records, so that no rare value is ever named; an aggregate."""
    x = table[column].cast("string")
    counts = (
        table.select(v=x)
        .filter(lambda t: t.v.notnull())
        .group_by("v")
        .aggregate(n=lambda t: t.count())
        .filter(lambda t: t.n >= min_count)
        .order_by([lambda t: t.n.desc(), "v"])
        .limit(n)
    )
    return tuple(str(v) for v in counts.execute()["v"])


def _ladder(table: Any, name: str, p: _Profile, min_count: int) -> list[Generalisation]:
    t = table[name].type()
    steps: list[tuple[str, str, float | None, tuple[str, ...]]] = []
    numeric = t.is_numeric() and not t.is_boolean()
    if numeric and _tokens(name, _ZIP_TOKEN):
        steps += [
            ("us_zip3", f"{name} as the 3-digit ZIP code", None, ()),
            ("us_zip1", f"{name} as the first ZIP digit", None, ()),
        ]
    elif numeric and p.distinct > _HIGH_CARDINALITY and p.low is not None and p.high is not None:
        if _tokens(name, _AGE_TOKEN) and p.low >= 0 and p.high <= 130:
            steps += [
                ("age_bands_5", f"{name} in 5-year bands", None, ()),
                ("age_bands_10", f"{name} in 10-year bands", None, ()),
                ("age_bands_fairmark", f"{name} in the bands <25, 25-34, 35-44, 45-54, "
                 "55-64, 65+", None, ()),
            ]  # fmt: skip
        elif p.high > p.low:
            fine = _nice_width(p.high - p.low, 10)
            coarse = _nice_width(p.high - p.low, 4)
            steps.append(("numeric_bands", f"{name} in bands of {fine:g}", fine, ()))
            if coarse > fine:
                steps.append(("numeric_bands", f"{name} in bands of {coarse:g}", coarse, ()))
    elif t.is_timestamp():
        steps += [
            ("date", f"{name} as the day", None, ()),
            ("year_month", f"{name} as year and month", None, ()),
            ("year", f"{name} as the year", None, ()),
        ]
    elif t.is_date():
        steps += [
            ("year_month", f"{name} as year and month", None, ()),
            ("year", f"{name} as the year", None, ()),
        ]
    elif t.is_string() and p.non_null and p.uk_share >= _PATTERN_SHARE:
        steps += [
            ("uk_postcode_sector", f"{name} as the postcode sector (SW1A 1)", None, ()),
            ("uk_postcode_district", f"{name} as the outward code (SW1A)", None, ()),
            ("uk_postcode_area", f"{name} as the postcode area (SW)", None, ()),
        ]
    elif t.is_string() and p.non_null and p.us_share >= _PATTERN_SHARE:
        steps += [
            ("us_zip5", f"{name} as the 5-digit ZIP code", None, ()),
            ("us_zip3", f"{name} as the 3-digit ZIP code", None, ()),
            ("us_zip1", f"{name} as the first ZIP digit", None, ()),
        ]
    if not steps and p.distinct > _HIGH_CARDINALITY and not numeric:
        kept: set[tuple[str, ...]] = set()
        for n in _TOP_N:
            keep = _top_values(table, name, n, min_count)
            if keep and keep not in kept:
                kept.add(keep)
                steps.append(("top_n", f"{name}: the {len(keep)} most frequent values, the "
                              f"rest {OTHER_LABEL!r}", None, keep))  # fmt: skip
    steps.append(("drop", f"{name} dropped", None, ()))
    return [
        Generalisation(column=name, method=m, label=label, level=i + 1, width=w, keep=keep)  # type: ignore[arg-type]
        for i, (m, label, w, keep) in enumerate(steps)
    ]


def ladders(
    table: Any, quasi_identifiers: Sequence[str], *, min_count: int = 1
) -> dict[str, list[Generalisation]]:
    """Return each quasi-identifier's generalisation ladder, least general first.

    Parameters
    ----------
    table : ibis.Table
    quasi_identifiers : sequence of str
        Columns of ``table``.
    min_count : int, default 1
        A ``top_n`` step keeps (and names) only values held by at least this many
        records; :func:`suggest_generalisations` passes ``k``, so no value rarer than k
        appears in a suggestion.

    Returns
    -------
    dict
        ``column -> [Generalisation, …]``, every ladder ending with ``drop``. Built from
        one aggregate query over all columns (types, distinct counts, ranges, postcode
        pattern shares) plus one top-values query per high-cardinality text column.
    """
    profiles = _profiles(table, quasi_identifiers)
    return {name: _ladder(table, name, profiles[name], min_count) for name in quasi_identifiers}


_State = tuple[int, ...]


class _Evaluator:
    """Evaluate ladder states in the engine, each state once, a batch per query."""

    def __init__(self, table: Any, qis: Sequence[str], steps: Mapping[str, list[Generalisation]],
                 k: int) -> None:  # fmt: skip
        self.table, self.qis, self.steps, self.k = table, list(qis), steps, k
        self.cache: dict[_State, Suggestion] = {}
        self.queries = 0

    def changes(self, state: _State) -> tuple[Generalisation, ...]:
        return tuple(self.steps[q][lvl - 1] for q, lvl in zip(self.qis, state, strict=True)
                     if lvl > 0)  # fmt: skip

    def _columns(self, state: _State) -> dict[str, Any]:
        columns: dict[str, Any] = {}
        for q, lvl in zip(self.qis, state, strict=True):
            if lvl == 0:
                columns[q] = self.table[q]
            elif self.steps[q][lvl - 1].method != "drop":
                columns[q] = generalised_column(self.table, self.steps[q][lvl - 1])
        return columns

    def batch(self, states: Sequence[_State]) -> list[Suggestion]:
        """Evaluate every state not seen yet in one engine query; return all, in order."""
        todo = [s for s in dict.fromkeys(states) if s not in self.cache]
        if todo:
            self.queries += 1
            profiles = class_size_profiles(self.table, [self._columns(s) for s in todo])
            for state, profile in zip(todo, profiles, strict=True):
                self.cache[state] = Suggestion(
                    changes=self.changes(state),
                    k_achieved=profile.k_achieved,
                    records_below_k=profile.records_below(self.k),
                    n_classes=profile.n_classes,
                    meets_k=profile.k_achieved >= self.k,
                )
        return [self.cache[s] for s in states]

    def __call__(self, state: _State) -> Suggestion:
        return self.batch([state])[0]


def _greedy(evaluate: _Evaluator, start: _State, tops: _State) -> _State:
    state = start
    while not evaluate(state).meets_k:
        options = [
            tuple(lvl + (j == i) for j, lvl in enumerate(state))
            for i in range(len(state))
            if state[i] < tops[i]
        ]
        if not options:
            return state
        found = evaluate.batch(options)
        best = min(range(len(options)),
                   key=lambda i: (found[i].records_below_k, -found[i].n_classes))  # fmt: skip
        state = options[best]
    improved = True
    while improved:  # minimality pass: undo steps that k does not need
        lowers = [
            tuple(lvl - (j == i) for j, lvl in enumerate(state))
            for i in range(len(state))
            if state[i] > 0
        ]
        met = [s for s, r in zip(lowers, evaluate.batch(lowers), strict=True) if r.meets_k]
        improved = bool(met)
        if met:
            state = met[0]
    return state


def _rank(s: Suggestion) -> tuple[Any, ...]:
    if s.meets_k:
        return (0, len(s.changes), -s.n_classes, s.records_below_k)
    return (1, s.records_below_k, len(s.changes), -s.n_classes)


def suggest_generalisations(
    table: Any,
    *,
    quasi_identifiers: Sequence[str],
    k: int,
    max_suggestions: int = 10,
) -> tuple[Suggestion, ...]:
    """Suggest generalisations of the quasi-identifiers, each evaluated in the engine.

    Parameters
    ----------
    table : ibis.Table
        The records (see :func:`fairmark.engine.source.as_table`).
    quasi_identifiers : sequence of str
        Columns of ``table`` (checked by the caller).
    k : int
        The k to reach (>= 2).
    max_suggestions : int, default 10
        Most suggestions returned (>= 1).

    Returns
    -------
    tuple of Suggestion
        Best first (see the module docstring for the search and the ranking); never the
        unchanged data.

    Raises
    ------
    UsageError
        If ``k < 2`` or ``max_suggestions < 1``.

    Notes
    -----
    A state (one ladder level per column) is evaluated once. States are evaluated in
    batches, one ``UNION ALL`` query per batch: the original data and every single step,
    then one batch per greedy step (the columns that can move) and one per round of the
    minimality pass; plus the profile query of :func:`ladders`.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise UsageError(f"k must be a whole number >= 2, got {k!r}")
    if (
        isinstance(max_suggestions, bool)
        or not isinstance(max_suggestions, int)
        or (max_suggestions < 1)
    ):
        raise UsageError(f"max_suggestions must be a whole number >= 1, got {max_suggestions!r}")
    steps = ladders(table, quasi_identifiers, min_count=k)
    evaluate = _Evaluator(table, quasi_identifiers, steps, k)
    qis = list(quasi_identifiers)
    tops = tuple(len(steps[q]) for q in qis)
    origin = tuple(0 for _ in qis)
    singles = [
        tuple(lvl if j == i else 0 for j in range(len(qis)))
        for i in range(len(qis))
        for lvl in range(1, tops[i] + 1)
    ]
    evaluate.batch([origin, *singles])
    states = [*singles, _greedy(evaluate, origin, tops)]
    unique = [s for s in dict.fromkeys(states) if s != origin]
    found = evaluate.batch(unique)
    found.sort(key=_rank)
    return tuple(found[:max_suggestions])
