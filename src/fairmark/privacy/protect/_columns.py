"""Which columns a protect command works on, and their values as text.

Pseudonymisation and encryption work on the *text* of a value: Arrow's cast to UTF-8
(``7`` → ``"7"``, ``2024-01-31`` → ``"2024-01-31"``, ``1.5`` → ``"1.5"``), which Arrow
casts back exactly for the supported types (decryption restores them from the Parquet
metadata written by encryption).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from fairmark.engine.source import missing_column_message
from fairmark.errors import DataError, UsageError

__all__ = [
    "as_text",
    "check_text_convertible",
    "is_text_type",
    "parse_columns",
    "require_columns",
]

_is_string_view = getattr(pa.types, "is_string_view", lambda _kind: False)  # pyarrow >= 16



def parse_columns(columns: str | Sequence[str], option: str = "--columns") -> tuple[str, ...]:
    """Turn ``"a,b"`` or ``["a", "b"]`` into a tuple of distinct, non-blank column names.

    Parameters
    ----------
    columns : str or sequence of str
        Comma-separated names, or a list of names (kept as given, surrounding spaces
        removed).
    option : str
        Option named in the error message.

    Returns
    -------
    tuple of str
        In the order given, duplicates dropped.

    Raises
    ------
    UsageError
        No column named, or a name that is not text.
    """
    if isinstance(columns, str):
        items = [c.strip() for c in columns.split(",")]
    else:
        items = []
        for c in columns:
            if not isinstance(c, str):
                raise UsageError(f"{option}: column name {c!r} is not text; expected names")
            items.append(c.strip())
    names = tuple(dict.fromkeys(c for c in items if c))
    if not names:
        raise UsageError(f"{option}: no column named; expected a comma list such as email,phone")
    return names


def require_columns(schema: pa.Schema, columns: Sequence[str], what: str) -> None:
    """Check that every column is in the data.

    Parameters
    ----------
    schema : pyarrow.Schema
        The data's columns.
    columns : sequence of str
    what : str
        How the columns are called in the message (``"column to encrypt"``).

    Raises
    ------
    DataError
        A column is missing; the message lists the available ones.
    """
    names = list(schema.names)
    for column in columns:
        if column not in names:
            raise DataError(f"{what}: {missing_column_message(column, names)}")


def is_text_type(kind: pa.DataType) -> bool:
    """Whether ``kind`` is an Arrow text type (``string``, ``large_string``, ``string_view``)."""
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or _is_string_view(kind)
    )


def _supported(kind: pa.DataType) -> bool:
    return bool(
        is_text_type(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_date(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_null(kind)
    )


def check_text_convertible(schema: pa.Schema, columns: Sequence[str], what: str) -> None:
    """Check that every column has a type whose values have an exact text form.

    Parameters
    ----------
    schema : pyarrow.Schema
    columns : sequence of str
        Columns that exist in ``schema``.
    what : str
        How the columns are called in the message.

    Raises
    ------
    DataError
        A column is binary, nested (list, struct, map), a time of day, a duration or
        another type Arrow cannot cast to text and back.
    """
    for column in columns:
        kind = schema.field(column).type
        if not _supported(kind):
            raise DataError(
                f"{what} {column!r} has type {kind}; expected text, integer, floating point, "
                "decimal, boolean, date or timestamp values (cast it first)"
            )


def as_text(array: pa.Array | pa.ChunkedArray) -> list[str | None]:
    """The values of ``array`` as Python text, ``None`` for nulls.

    Parameters
    ----------
    array : pyarrow.Array or ChunkedArray
        A column of a type accepted by :func:`check_text_convertible`.

    Returns
    -------
    list of str or None
        Arrow's cast to ``utf8`` (shortest round-trip form for floats, ISO 8601 for dates
        and timestamps, ``true``/``false`` for booleans).
    """
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    return array.to_pylist()
