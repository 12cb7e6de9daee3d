"""What the data engine counts for a PII scan: one aggregation, then a bounded sample.

:func:`profile_columns` runs ONE aggregation over the table (Ibis, executed by the table's
backend: DuckDB for files and data frames) that gives, per column, the non-null count, an
approximate distinct count (HyperLogLog, ``approx_count_distinct``) and, by kind of column:

- text: for each detector given the number of values containing a candidate of its
  ``candidate_pattern`` (``regexp_matches``: RE2, the same language as the detectors'
  Python patterns; run only on values with a digit, ``@`` or ``::``, see :data:`GATE`),
  the mean length and the number of values containing whitespace;
- integers: minimum and maximum (their decimal forms are validated in the sample);
- floats: minimum and maximum;
- dates and timestamps: minimum, maximum and the number of dates between
  :data:`MAX_AGE_YEARS` years before the scan date and the scan date (possible birth dates);
- bytes: on DuckDB, the number of values that are not valid UTF-8 (``try(decode(…))``).

:func:`draw_sample` then pulls at most ``sample_size`` rows, ordered by a hash of the row
salted with a seed (a top-k the engine runs in bounded memory: a simple random sample for
practical purposes, the same whatever the row order or the number of threads); a column
with many missing values gets a second draw of its own non-null values. Nothing else
leaves the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fairmark.engine.source import DataSource
from fairmark.errors import DataError, UsageError
from fairmark.privacy.detectors import Detector
from fairmark.privacy.entities import EntityType

__all__ = [
    "GATE",
    "GATED",
    "MAX_AGE_YEARS",
    "ColumnProfile",
    "column_kind",
    "draw_sample",
    "profile_columns",
    "quiet_engine",
]

MAX_AGE_YEARS = 120
"""Oldest plausible age: a date further back is not a living person's birth date."""

KINDS = ("string", "integer", "float", "boolean", "temporal", "binary", "other")

GATE = r"[0-9@]|:[0-9A-Fa-f]{0,4}:"
"""A cheap pattern every candidate of the :data:`GATED` detectors needs: a digit, an ``@``
or two colons of an IPv6 address. The engine runs a gated detector's pattern only on the
values the gate passes (``CASE WHEN``), which spares most of the work on names, cities,
categories and prose without digits."""

GATED = frozenset(
    {
        EntityType.EMAIL_ADDRESS,
        EntityType.CREDIT_CARD,
        EntityType.IBAN_CODE,
        EntityType.NATIONAL_ID,
        EntityType.IP_ADDRESS,
        EntityType.PHONE_NUMBER,
        EntityType.DATE_OF_BIRTH,
        EntityType.POSTAL_CODE,
        EntityType.STREET_ADDRESS,
    }
)
"""Detectors whose candidate patterns all need a :data:`GATE` character (checked by the
tests on every detector's pattern); a detector not listed is never gated."""


@dataclass(frozen=True)
class ColumnProfile:
    """Whole-column counts of one column, from the engine.

    Attributes
    ----------
    column : str
    kind : str
        One of ``string``, ``integer``, ``float``, ``boolean``, ``temporal``, ``binary``,
        ``other`` (nested and unknown types, not scanned).
    dtype : str
        The engine's type name (``string``, ``int64``, ``date`` …).
    n_non_null : int
    n_distinct_approx : int or None
        HyperLogLog estimate (``None`` for types the engine cannot count).
    candidates : dict
        ``EntityType -> number of values containing a candidate`` (text columns).
    mean_length : float or None
        Mean length in characters of the non-null text values.
    n_whitespace : int or None
        Text values containing whitespace.
    minimum, maximum : object
        Of numbers and dates (``None`` otherwise or when all null).
    n_birth_range : int or None
        Dates within :data:`MAX_AGE_YEARS` years before the scan date (temporal columns).
    n_undecodable : int or None
        Byte values that are not valid UTF-8 (binary columns on DuckDB; ``None`` when the
        backend cannot tell).
    """

    column: str
    kind: str
    dtype: str
    n_non_null: int
    n_distinct_approx: int | None = None
    candidates: dict[EntityType, int] = field(default_factory=dict)
    mean_length: float | None = None
    n_whitespace: int | None = None
    minimum: Any = None
    maximum: Any = None
    n_birth_range: int | None = None
    n_undecodable: int | None = None


def column_kind(dtype: Any) -> str:
    """Map an Ibis data type to the scan's kind of column (see :data:`KINDS`)."""
    if dtype.is_string() or dtype.is_uuid():
        return "string"
    if dtype.is_boolean():
        return "boolean"
    if dtype.is_integer():
        return "integer"
    if dtype.is_floating() or dtype.is_decimal():
        return "float"
    if dtype.is_date() or dtype.is_timestamp():
        return "temporal"
    if dtype.is_binary():
        return "binary"
    return "other"


def _decode_functions() -> tuple[Any, Any]:
    """DuckDB's ``decode(blob)`` (an error on invalid UTF-8) and ``try(x)`` (NULL instead
    of an error) as Ibis builtin scalar functions."""
    import ibis

    def decode(x: Any) -> Any:
        """DuckDB ``decode``."""

    def try_(x: Any) -> Any:
        """DuckDB ``try``."""

    return (
        ibis.udf.scalar.builtin(decode, name="decode", signature=(("binary",), "string")),
        ibis.udf.scalar.builtin(try_, name="try", signature=(("string",), "string")),
    )


_DETAIL_MARKERS = ("could not convert", "invalid unicode", "error when converting")


def _one_line(exc: BaseException) -> str:
    """The engine's first message line, plus the line saying why when DuckDB puts that
    further down (CSV errors: "Could not convert string 'abc' to 'BIGINT'", "Invalid
    unicode (byte sequence mismatch) detected")."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    if not lines:
        return type(exc).__name__
    detail = next((ln for ln in lines[1:] if any(m in ln.lower() for m in _DETAIL_MARKERS)),
                  None)  # fmt: skip
    return f"{lines[0]}: {detail}" if detail else lines[0]


def quiet_engine(source: DataSource) -> None:
    """Switch DuckDB's progress bar off: it prints to *standard output* after two seconds,
    which would corrupt a JSON document written there."""
    if source.backend != "duckdb":
        return
    try:
        source.table._find_backend().raw_sql("SET enable_progress_bar = false")
    except Exception:  # an unbound table or another connection: nothing to switch off
        return


def _run(expr: Any, source: DataSource, what: str) -> Any:
    try:
        return expr.to_pyarrow()
    except Exception as exc:  # backend errors → one line
        if isinstance(exc, DataError | UsageError):
            raise
        raise DataError(
            f"the data engine could not {what} {source.description!r}: {_one_line(exc)}"
        ) from None


def profile_columns(
    source: DataSource,
    columns: Sequence[str],
    detectors: Sequence[Detector],
    *,
    today: dt.date,
) -> tuple[int, dict[str, ColumnProfile]]:
    """Run the profiling aggregation (one pass over the table).

    Parameters
    ----------
    source : DataSource
        From :func:`fairmark.engine.source.as_table`.
    columns : sequence of str
        Columns to profile (they exist in the table).
    detectors : sequence of Detector
        Whose candidate patterns are counted in text columns.
    today : datetime.date
        The scan date, for the birth-date range of temporal columns.

    Returns
    -------
    (int, dict)
        Number of rows, and ``column -> ColumnProfile``.

    Raises
    ------
    DataError
        If the engine cannot run the aggregation (the message is the engine's first line).
    """
    import ibis

    t = source.table
    schema = t.schema()
    metrics: dict[str, Any] = {"n_rows": t.count()}
    plan: dict[str, dict[str, Any]] = {}
    decode = None
    lower = dt.date(today.year - MAX_AGE_YEARS, today.month, min(today.day, 28))
    for i, name in enumerate(columns):
        dtype = schema[name]
        kind = column_kind(dtype)
        col = t[name]
        keys: dict[str, Any] = {}

        def add(key: str, expr: Any, keys: dict[str, Any] = keys, i: int = i) -> None:
            alias = f"c{i}_{key}"
            metrics[alias] = expr
            keys[key] = alias

        add("nn", col.count())
        if kind in {"string", "integer", "float", "temporal", "boolean", "binary"}:
            add("nd", col.approx_nunique())
        if kind == "string":
            gate = col.re_search(GATE)
            for j, d in enumerate(detectors):
                found = col.re_search(d.candidate_pattern)
                if d.entity_type in GATED:
                    found = ibis.ifelse(gate, found, False)
                add(f"d{j}", found.sum())
        if kind == "string":
            add("len", col.length().mean())
            add("ws", col.re_search(r"\s").sum())
        if kind in {"integer", "float", "temporal"}:
            add("min", col.min())
            add("max", col.max())
        if kind == "temporal":
            day = col.cast("date")
            add("birth", ((day >= ibis.literal(lower)) & (day <= ibis.literal(today))).sum())
        if kind == "binary" and source.backend == "duckdb":
            if decode is None:
                decode = _decode_functions()
            dec, try_ = decode
            add("bad", (col.notnull() & try_(dec(col)).isnull()).sum())
        plan[name] = {"kind": kind, "dtype": str(dtype), "keys": keys}
    row = _run(t.aggregate(**metrics), source, "profile").to_pylist()[0]
    profiles: dict[str, ColumnProfile] = {}
    for name, p in plan.items():
        keys = p["keys"]

        def get(key: str, keys: dict[str, Any] = keys) -> Any:
            return row[keys[key]] if key in keys else None

        candidates = {
            d.entity_type: int(get(f"d{j}") or 0)
            for j, d in enumerate(detectors)
            if f"d{j}" in keys
        }
        nd = get("nd")
        profiles[name] = ColumnProfile(
            column=name,
            kind=p["kind"],
            dtype=p["dtype"],
            n_non_null=int(get("nn") or 0),
            n_distinct_approx=None if nd is None else int(nd),
            candidates=candidates,
            mean_length=None if get("len") is None else float(get("len")),
            n_whitespace=None if "ws" not in keys else int(get("ws") or 0),
            minimum=get("min"),
            maximum=get("max"),
            n_birth_range=None if "birth" not in keys else int(get("birth") or 0),
            n_undecodable=None if "bad" not in keys else int(get("bad") or 0),
        )
    return int(row["n_rows"]), profiles


def _row_key(t: Any, columns: Sequence[str], seed: int) -> Any:
    import ibis

    fields = {"_fairmark_seed": ibis.literal(int(seed), "int64")}
    fields.update({f"c{i}": t[c] for i, c in enumerate(columns)})
    return ibis.struct(fields).hash()


def draw_sample(
    source: DataSource,
    columns: Sequence[str],
    *,
    sample_size: int,
    n_non_null: dict[str, int],
    extra: str | None = None,
    seed: int = 0,
) -> dict[str, tuple[list[Any], list[Any]]]:
    """Pull a bounded random sample of each column's non-null values out of the engine.

    Parameters
    ----------
    source : DataSource
    columns : sequence of str
        Columns to sample (kinds other than ``other``).
    sample_size : int
        Most rows of the shared draw, and most values of a column's own draw.
    n_non_null : dict
        ``column -> non-null count`` from :func:`profile_columns`.
    extra : str or None
        A column drawn alongside every value (the customer's country, used as the phone
        region of the row).
    seed : int
        Salt of the row hash.

    Returns
    -------
    dict
        ``column -> (values, extras)``: the non-null sampled values (Python objects) and,
        aligned with them, the ``extra`` column's values (``None`` without ``extra``).

    Notes
    -----
    The shared draw keeps the ``sample_size`` rows with the smallest salted hash of their
    content. A column whose non-null values in it number less than half of
    ``min(sample_size, its non-null count)`` gets a draw of its own, restricted to its
    non-null values and ordered by the same hash, so that sparse columns are sampled too.
    """
    t = source.table
    key = _row_key(t, columns, seed)
    selected = {f"c{i}": t[c] for i, c in enumerate(columns)}
    if extra is not None:
        selected["_fairmark_extra"] = t[extra]
    shared = (
        t.select(_fairmark_key=key, **selected)
        .order_by("_fairmark_key")
        .limit(int(sample_size))
        .drop("_fairmark_key")
    )
    table = _run(shared, source, "sample")
    extras = table.column("_fairmark_extra").to_pylist() if extra is not None else None
    out: dict[str, tuple[list[Any], list[Any]]] = {}
    for i, c in enumerate(columns):
        values = table.column(f"c{i}").to_pylist()
        keep = [j for j, v in enumerate(values) if v is not None]
        wanted = min(int(sample_size), n_non_null.get(c, 0))
        if len(keep) * 2 < wanted:
            own = t.filter(t[c].notnull()).select(_fairmark_key=key, v=t[c],
                                                  **({"x": t[extra]} if extra else {}))
            own = own.order_by("_fairmark_key").limit(int(sample_size))
            drawn = _run(own, source, "sample")
            vals = drawn.column("v").to_pylist()
            ext = drawn.column("x").to_pylist() if extra else [None] * len(vals)
            out[c] = (vals, ext)
        else:
            out[c] = (
                [values[j] for j in keep],
                [extras[j] for j in keep] if extras is not None else [None] * len(keep),
            )
    return out
