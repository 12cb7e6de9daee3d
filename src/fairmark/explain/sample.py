"""Bounded row samples for explanations, drawn by the engine.

Explanations are inherently row-level: a SHAP value or a permutation importance is
computed from individual rows, not from aggregates. fairmark's rule is "aggregates, not
rows", with one stated exception: model-based work runs on a *bounded sample* that the
engine draws (a ``TABLESAMPLE`` and a ``LIMIT``), so memory does not grow with the data.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import pandas as pd

from fairmark.errors import DataError, UsageError

__all__ = ["DEFAULT_MAX_ROWS", "bounded_sample", "select_row"]

#: Default bound on the rows an explanation reads.
DEFAULT_MAX_ROWS = 1000


def _check_max_rows(max_rows: Any) -> int:
    if not isinstance(max_rows, numbers.Integral) or isinstance(max_rows, bool) or max_rows < 1:
        raise UsageError(f"max_rows is {max_rows!r}; expected a positive integer")
    return int(max_rows)


def bounded_sample(
    data: Any, max_rows: int = DEFAULT_MAX_ROWS, random_state: int = 0
) -> pd.DataFrame:
    """Return at most ``max_rows`` rows of ``data``, drawn at random when it has more.

    Parameters
    ----------
    data : pandas.DataFrame or anything :func:`fairmark.engine.source.as_table` reads
        A data frame is sampled in memory (``DataFrame.sample``); a file, folder or Ibis
        table is sampled by its backend: ``TABLESAMPLE bernoulli`` with a seed, then
        ``LIMIT max_rows``, so only the sample is pulled into Python.
    max_rows : int, default 1000
        Upper bound on the rows returned (≥ 1).
    random_state : int, default 0
        Seed of the sample.

    Returns
    -------
    pandas.DataFrame
        All rows, in their order, when ``data`` has at most ``max_rows`` rows; else a
        random subset of at most ``max_rows`` rows (a Bernoulli sample of expected size
        ``1.2 · max_rows`` cut to ``max_rows``, so it can be slightly smaller). The index
        is reset.

    Raises
    ------
    UsageError
        If ``max_rows`` is not a positive integer or ``data`` is of an unsupported type.
    DataError
        If the data cannot be read or has no rows.
    """
    limit = _check_max_rows(max_rows)
    if isinstance(data, pd.DataFrame):
        if len(data) == 0:
            raise DataError("the data has no rows; expected at least one")
        if len(data) <= limit:
            return data.reset_index(drop=True)
        return data.sample(n=limit, random_state=random_state).reset_index(drop=True)
    from fairmark.engine.source import as_table

    table = as_table(data).table
    n = int(table.count().execute())
    if n == 0:
        raise DataError("the data has no rows; expected at least one")
    if n > limit:
        fraction = min(1.0, 1.2 * limit / n)
        table = table.sample(fraction, seed=random_state).limit(limit)
    return pd.DataFrame(table.execute()).reset_index(drop=True)


def select_row(data: Any, row: Any, *, id_column: str | None = None) -> pd.DataFrame:
    """Fetch the one row to explain, by position or by id value.

    Parameters
    ----------
    data : pandas.DataFrame or anything :func:`fairmark.engine.source.as_table` reads
        The data holding the row.
    row : int or str
        Without ``id_column``: the 0-based row position (file order; an int or a string
        of digits). With ``id_column``: the id value (compared as text when the column is
        text, else converted to the column's type).
    id_column : str, optional
        Column whose value identifies the row; it must match exactly one row.

    Returns
    -------
    pandas.DataFrame
        One row, index reset.

    Raises
    ------
    UsageError
        If ``row`` is not a non-negative position, or the id does not match exactly one
        row, or ``id_column`` is not a column.
    DataError
        If the data cannot be read or the position is past the last row.
    """
    from fairmark.engine.source import as_table

    table = as_table(data).table
    if id_column is None:
        text = str(row).strip()
        if isinstance(row, bool) or not text.isdigit():
            raise UsageError(
                f"row {row!r} is not a row position; expected a 0-based integer "
                "(or pass --id-column to look the row up by id)"
            )
        position = int(text)
        n = int(table.count().execute())
        if position >= n:
            raise DataError(f"row {position} is out of range: the data has {n} rows (0 to {n - 1})")
        return pd.DataFrame(table.limit(1, offset=position).execute()).reset_index(drop=True)
    if id_column not in table.columns:
        raise UsageError(f"id column {id_column!r} is not in the data; expected one of its columns")
    column = table[id_column]
    value = _typed_id(row, column)
    found = pd.DataFrame(table.filter(column == value).limit(2).execute()).reset_index(drop=True)
    if len(found) == 0:
        raise UsageError(f"no row has {id_column} = {row!r}; expected an existing id")
    if len(found) > 1:
        raise UsageError(f"several rows have {id_column} = {row!r}; expected a unique id")
    return found


def _typed_id(row: Any, column: Any) -> Any:
    dtype = column.type()
    if dtype.is_string():
        return str(row)
    if dtype.is_integer():
        try:
            return int(str(row).strip())
        except ValueError:
            raise UsageError(
                f"id {row!r} is not an integer; the id column holds integers"
            ) from None
    if dtype.is_floating() or dtype.is_decimal():
        try:
            value = float(str(row).strip())
        except ValueError:
            raise UsageError(f"id {row!r} is not a number; the id column holds numbers") from None
        if not math.isfinite(value):
            raise UsageError(f"id {row!r} is not a finite number")
        return value
    return row
