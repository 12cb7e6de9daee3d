"""The engine side of proxy detection: contingency tables, moments and a bounded sample.

Everything here is an Ibis expression run by the table's backend (DuckDB, PySpark …);
Python receives aggregates only, except in :func:`draw_sample`, which returns at most
``sample_size`` rows for the model-based joint test. Three queries in all:

1. :func:`profile_features`: one aggregate over the table (row count; per numeric feature
   approximate quantiles, exact min and max, missing and infinite counts; per categorical
   feature an approximate distinct count, to refuse identifier-like columns before
   grouping by them);
2. :func:`contingency_frame`: one query, a ``UNION ALL`` of one group-by per (feature,
   sensitive feature) pair (Ibis has no ``GROUPING SETS``): counts of every (level,
   group) cell, and for numeric features the count, mean and population variance of the
   value in every (bin, group) cell;
3. :func:`draw_sample`: the bounded sample.

Numeric features are cut into quantile bins: ``edges`` are the distinct approximate
quantiles at ``1/B, 2/B … (B−1)/B`` that are ``>= min`` and ``< max`` of the column (or
``[min]`` when none is), and a value ``x`` falls in bin ``#{e in edges : e < x}``, so
bins are ``(−∞, e_1], (e_1, e_2] … (e_m, ∞)``. A column with at least two distinct values
therefore always has at least two non-empty bins. Missing values (NULL, or NaN in a
floating column) are the level ``(missing)`` of every feature and sensitive feature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from fairmark.engine.cube import _feature_expr, _missing
from fairmark.engine.source import DataSource
from fairmark.errors import DataError, UsageError
from fairmark.fairness.spec import MISSING_LABEL, SensitiveFeature

__all__ = [
    "CandidateFeature",
    "FeatureProfile",
    "classify_features",
    "contingency_frame",
    "draw_sample",
    "profile_features",
]

Kind = Literal["categorical", "numeric"]
_APPROX_SLACK = 1.1  # approximate distinct counts may be a few per cent off


@dataclass(frozen=True)
class CandidateFeature:
    """A column tested as a possible proxy.

    Attributes
    ----------
    column : str
        Column name (also the name it is reported under).
    kind : {"categorical", "numeric"}
        ``categorical``: text, boolean, pandas categorical or declared categorical
        columns (association: Cramér's V). ``numeric``: integer, floating, decimal, date
        and timestamp columns (association: correlation ratio; dates and timestamps as
        seconds since 1970-01-01).
    """

    column: str
    kind: Kind


@dataclass(frozen=True)
class FeatureProfile:
    """What the profiling pass learned about one candidate feature.

    Attributes
    ----------
    column : str
    kind : {"categorical", "numeric"}
    n_missing : int
        Rows where the value is NULL (or NaN): the ``(missing)`` level.
    edges : tuple of float
        Numeric features: the bin cut points (see the module docstring); empty for
        categorical features and for numeric columns without a value.
    minimum, maximum : float or None
        Numeric features: smallest and largest value (``None`` if every value is
        missing, and for categorical features).
    """

    column: str
    kind: Kind
    n_missing: int
    edges: tuple[float, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def constant(self) -> bool:
        """True for a numeric feature with fewer than two distinct values."""
        return self.kind == "numeric" and (
            self.minimum is None or self.maximum is None or self.minimum == self.maximum
        )


def _shown(columns: Sequence[str]) -> str:
    return ", ".join(columns[:40]) + (" …" if len(columns) > 40 else "")


def classify_features(
    source: DataSource,
    sensitive: Sequence[SensitiveFeature],
    exclude: Sequence[str],
    categorical: Sequence[str],
) -> list[CandidateFeature]:
    """Return every column except the sensitive ones and ``exclude``, with its kind.

    Parameters
    ----------
    source : DataSource
    sensitive : sequence of SensitiveFeature
    exclude : sequence of str
        Columns to leave out (identifiers, the label, the model score …).
    categorical : sequence of str
        Numeric columns to treat as categorical (codes such as a region number).

    Returns
    -------
    list of CandidateFeature
        In table column order.

    Raises
    ------
    DataError
        If a named column is missing (the available ones are listed) or a candidate
        column has a type that is neither text, boolean, numeric nor a date/timestamp.
    UsageError
        If a column is excluded twice, a sensitive column is also excluded or declared
        categorical, a categorical column is also excluded, or no candidate is left.
    """
    t = source.table
    available = list(t.columns)
    schema = t.schema()
    sensitive_cols = [f.column for f in sensitive]
    for col in [*sensitive_cols, *exclude, *categorical]:
        if col not in available:
            raise DataError(f"column {col!r} not found; available columns: {_shown(available)}")
    for name, values in (("exclude", exclude), ("categorical", categorical)):
        repeated = sorted({c for c in values if list(values).count(c) > 1})
        if repeated:
            raise UsageError(f"{name} names {repeated} more than once; give each column once")
    for col in exclude:
        if col in sensitive_cols:
            raise UsageError(
                f"{col!r} is a sensitive feature, so it is already left out of the candidate "
                "features; remove it from exclude"
            )
    for col in categorical:
        if col in sensitive_cols or col in exclude:
            raise UsageError(
                f"{col!r} is declared categorical but is a sensitive or excluded column; "
                "categorical applies to candidate features only"
            )
    out = []
    for col in available:
        if col in sensitive_cols or col in exclude:
            continue
        dtype = schema[col]
        if dtype.is_string() or dtype.is_boolean() or col in categorical:
            kind: Kind = "categorical"
        elif col in source.categories:
            kind = "categorical"
        elif dtype.is_numeric() or dtype.is_date() or dtype.is_timestamp():
            kind = "numeric"
        else:
            raise DataError(
                f"column {col!r} has type {dtype}; proxy detection handles text, boolean, "
                f"numeric, date and timestamp columns: exclude it (--exclude {col})"
            )
        out.append(CandidateFeature(col, kind))
    if not out:
        raise UsageError(
            "no candidate feature is left after removing the sensitive and excluded columns; "
            "expected at least one other column"
        )
    return out


def _numeric(table: Any, column: str) -> Any:
    """Float expression of a numeric, date or timestamp column (seconds since 1970)."""
    col = table[column]
    dtype = col.type()
    if dtype.is_date():
        return col.cast("timestamp").epoch_seconds().cast("float64")
    if dtype.is_timestamp():
        return col.epoch_seconds().cast("float64")
    return col.cast("float64")


def _label(table: Any, column: str) -> Any:
    """Text label of a categorical column, ``(missing)`` for missing values."""
    expr, _ = _feature_expr(table, SensitiveFeature(column=column, name=column))
    return expr


def _bin(x: Any, edges: Sequence[float]) -> Any:
    """Integer bin index of ``x``: the number of edges strictly below it."""
    import ibis

    if not edges:
        return ibis.literal(0, "int64")
    terms = [ibis.ifelse(x > e, 1, 0) for e in edges]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total.cast("int64")


def _execute(expr: Any, source: DataSource) -> Any:
    try:
        return expr.execute()
    except Exception as exc:  # backend errors → one line
        if isinstance(exc, DataError | UsageError):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"the data engine could not aggregate {source.description!r}: {first}"
        ) from None


def _edges(quantiles: Any, lo: float, hi: float) -> tuple[float, ...]:
    values = [] if quantiles is None else [float(q) for q in quantiles if q is not None]
    inside = sorted({q for q in values if lo <= q < hi})
    return tuple(inside) if inside else (lo,)


def profile_features(
    source: DataSource,
    features: Sequence[CandidateFeature],
    sensitive: Sequence[SensitiveFeature],
    *,
    bins: int,
    max_levels: int,
) -> tuple[int, dict[str, FeatureProfile]]:
    """Run the profiling aggregate (one pass) and return the row count and profiles.

    Parameters
    ----------
    source : DataSource
    features : sequence of CandidateFeature
    sensitive : sequence of SensitiveFeature
    bins : int
        Number of quantile bins ``B`` for numeric features (>= 2).
    max_levels : int
        Refuse a categorical feature or sensitive feature with more distinct values.

    Returns
    -------
    (int, dict of str to FeatureProfile)
        Number of rows, and the profile of each candidate feature by column.

    Raises
    ------
    DataError
        If the table has no rows, a numeric feature holds infinite values, or a
        categorical or sensitive feature has clearly more than ``max_levels`` distinct
        values (approximate count; the exact count is checked on the tables).
    """
    import pandas as pd

    t = source.table
    probs = [i / bins for i in range(1, bins)]
    aggs: dict[str, Any] = {"n": t.count()}
    for i, f in enumerate(features):
        col = t[f.column]
        missing = _missing(col)
        aggs[f"miss{i}"] = t.count(where=missing)
        if f.kind == "numeric":
            x = _numeric(t, f.column)
            ok = ~missing
            aggs[f"q{i}"] = x.approx_quantile(probs, where=ok)
            aggs[f"lo{i}"] = x.min(where=ok)
            aggs[f"hi{i}"] = x.max(where=ok)
            if col.type().is_floating():
                aggs[f"inf{i}"] = t.count(where=ok & x.isinf())
        else:
            aggs[f"card{i}"] = _label(t, f.column).approx_nunique()
    for j, s in enumerate(sensitive):
        expr, _ = _feature_expr(t, s)
        aggs[f"scard{j}"] = expr.approx_nunique()
    row = _execute(t.aggregate(**aggs), source).iloc[0]
    n_rows = int(row["n"])
    if n_rows == 0:
        raise DataError(f"{source.description!r} has no rows")
    limit = max_levels * _APPROX_SLACK
    for j, s in enumerate(sensitive):
        if int(row[f"scard{j}"]) > limit:
            raise DataError(
                f"sensitive feature {s.name!r} has about {int(row[f'scard{j}']):,} levels, "
                f"more than max_levels={max_levels}; bin it or raise max_levels"
            )
    profiles: dict[str, FeatureProfile] = {}
    for i, f in enumerate(features):
        n_missing = int(row[f"miss{i}"])
        if f.kind == "categorical":
            card = int(row[f"card{i}"])
            if card > limit:
                raise DataError(
                    f"feature {f.column!r} has about {card:,} distinct values, more than "
                    f"max_levels={max_levels} (an identifier?); exclude it "
                    f"(--exclude {f.column}) or raise max_levels"
                )
            profiles[f.column] = FeatureProfile(f.column, f.kind, n_missing)
            continue
        if f"inf{i}" in row.index and int(row[f"inf{i}"]) > 0:
            raise DataError(
                f"numeric feature {f.column!r} has {int(row[f'inf{i}']):,} infinite values; "
                "expected finite numbers (or missing values)"
            )
        lo, hi = row[f"lo{i}"], row[f"hi{i}"]
        if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
            profiles[f.column] = FeatureProfile(f.column, f.kind, n_missing)
            continue
        lo_f, hi_f = float(lo), float(hi)
        edges = _edges(row[f"q{i}"], lo_f, hi_f) if lo_f < hi_f else ()
        profiles[f.column] = FeatureProfile(f.column, f.kind, n_missing, edges, lo_f, hi_f)
    return n_rows, profiles


def contingency_frame(
    source: DataSource,
    profiles: Sequence[FeatureProfile],
    sensitive: Sequence[SensitiveFeature],
) -> Any:
    """Run the one ``UNION ALL`` query of per-pair group-bys and return its rows.

    Parameters
    ----------
    source : DataSource
    profiles : sequence of FeatureProfile
        The candidate features (numeric ones binned by their ``edges``).
    sensitive : sequence of SensitiveFeature

    Returns
    -------
    pandas.DataFrame
        Columns ``sensitive, feature, group, level, n, mean, var``: one row per non-empty
        (level, group) cell of each (feature, sensitive feature) pair. ``group`` is the
        sensitive feature's label, ``level`` the feature's label (bin index as text for
        numeric features), ``(missing)`` for missing values. ``mean`` and ``var`` (the
        population variance) of a numeric feature's value in the cell; NaN for
        categorical features and missing bins.

    Raises
    ------
    DataError
        If the engine cannot run the query (bad casts, unreadable rows).
    """
    import ibis

    t = source.table
    branches = []
    for s in sensitive:
        group, _ = _feature_expr(t, s)
        for p in profiles:
            col = t[p.column]
            if p.kind == "categorical":
                level = _label(t, p.column)
                agg = t.group_by(group=group, level=level).aggregate(n=t.count())
                agg = agg.mutate(mean=ibis.null("float64"), var=ibis.null("float64"))
            else:
                x = _numeric(t, p.column)
                missing = _missing(col)
                level = ibis.ifelse(missing, MISSING_LABEL, _bin(x, p.edges).cast("string"))
                agg = t.group_by(group=group, level=level).aggregate(
                    n=t.count(), mean=x.mean(), var=x.var(how="pop")
                )
            agg = agg.mutate(
                sensitive=ibis.literal(s.name, "string"), feature=ibis.literal(p.column, "string")
            )
            branches.append(
                agg.select(
                    "sensitive",
                    "feature",
                    agg.group.cast("string").name("group"),
                    agg.level.cast("string").name("level"),
                    agg.n.cast("int64").name("n"),
                    agg.mean.cast("float64").name("mean"),
                    agg.var.cast("float64").name("var"),
                )
            )
    query = branches[0] if len(branches) == 1 else ibis.union(*branches, distinct=False)
    frame = _execute(query, source)
    frame["n"] = frame["n"].astype("int64")
    for col in ("sensitive", "feature", "group", "level"):
        frame[col] = frame[col].astype(str)
    return frame


def draw_sample(
    source: DataSource,
    features: Sequence[CandidateFeature],
    sensitive: Sequence[SensitiveFeature],
    *,
    sample_size: int,
    random_state: int,
) -> Any:
    """Draw at most ``sample_size`` rows in the engine: the only rows that leave it.

    Rows are ordered by a hash of their content salted with ``random_state`` and the
    first ``sample_size`` are kept (a top-k, which the engine runs in bounded memory).
    The sample is therefore a simple random sample for practical purposes, the same for
    a given ``random_state`` whatever the row order or the number of threads; identical
    rows share a hash, so duplicates are drawn together.

    Parameters
    ----------
    source : DataSource
    features : sequence of CandidateFeature
    sensitive : sequence of SensitiveFeature
    sample_size : int
        Maximum number of rows (>= 1).
    random_state : int
        Salt of the hash (>= 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``f0 … f{m-1}`` (categorical features as text labels, numeric ones as
        floats with NaN for missing) and ``s0 … s{k-1}`` (sensitive labels), in the order
        of ``features`` and ``sensitive``.

    Raises
    ------
    DataError
        If the engine cannot run the query.
    """
    import ibis

    t = source.table
    used = [f.column for f in features] + [s.column for s in sensitive]
    salt = {"_fairmark_seed": ibis.literal(int(random_state), "int64")}
    key = ibis.struct({**salt, **{f"c{i}": t[c] for i, c in enumerate(dict.fromkeys(used))}})
    cols: dict[str, Any] = {}
    for i, f in enumerate(features):
        cols[f"f{i}"] = _label(t, f.column) if f.kind == "categorical" else _numeric(t, f.column)
    for j, s in enumerate(sensitive):
        cols[f"s{j}"], _ = _feature_expr(t, s)
    query = t.select(_fairmark_key=key.hash(), **cols)
    query = query.order_by("_fairmark_key").limit(int(sample_size)).drop("_fairmark_key")
    frame = _execute(query, source)
    for j in range(len(sensitive)):
        frame[f"s{j}"] = frame[f"s{j}"].astype(str)
    return frame
