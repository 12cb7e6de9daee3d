"""Turn what the user gives (a path, a data frame, an Ibis table) into an Ibis table.

Files are read by DuckDB in place (CSV with delimiter sniffing, Parquet, a glob of Parquet
files), so memory does not grow with the number of rows; in-memory pandas, polars and
pyarrow tables are registered with an embedded DuckDB; an Ibis table on any backend
(PySpark, a SQL warehouse) is used as it is. Nothing here pulls rows into Python.
"""

from __future__ import annotations

import glob as _glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fairmark.errors import DataError, UsageError

__all__ = ["DataSource", "as_table", "transcode_to_utf8"]

_CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".dat", ".data"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}


@dataclass(frozen=True)
class DataSource:
    """An Ibis table plus what is known about it before any query.

    Attributes
    ----------
    table : ibis.Table
        The table; every query over it runs in its backend.
    description : str
        Where it came from (a path, ``pandas.DataFrame``, ``ibis table on pyspark`` …).
    backend : str
        Name of the Ibis backend executing the queries (``duckdb``, ``pyspark`` …).
    categories : dict
        ``column -> [level, …]`` for pandas categorical columns, so that declared levels
        with no rows are still reported (with n = 0).
    """

    table: Any
    description: str
    backend: str
    categories: dict[str, list[str]] = field(default_factory=dict)


def missing_column_message(column: str, available: list[str]) -> str:
    """One-line message for a column that is not in the data, listing the available ones.

    When most column names look like data values (numbers), the file probably has no
    header row, and the message says so.
    """
    shown = ", ".join(available[:40]) + (" …" if len(available) > 40 else "")
    message = f"column {column!r} not found; available columns: {shown}"
    numeric = sum(1 for c in available if c.strip().lstrip("-").replace(".", "", 1).isdigit())
    if available and numeric >= max(1, len(available) // 3):
        message += " (these look like data values: does the file lack a header row?)"
    return message


def _duckdb() -> Any:
    import ibis

    con = ibis.duckdb.connect()
    # DuckDB draws a progress bar on stdout once a query runs past 2 s, which would corrupt
    # machine-readable output (--format json); fairmark shows its own progress on stderr.
    con.raw_sql("SET enable_progress_bar = false")
    return con


def _read_path(path: str) -> DataSource:
    has_glob = any(ch in path for ch in "*?[")
    if has_glob:
        matches = sorted(_glob.glob(path))
        if not matches:
            raise DataError(f"no file matches {path!r}")
        suffixes = {Path(m).suffix.lower() for m in matches}
        if not suffixes <= _PARQUET_SUFFIXES:
            raise DataError(
                f"a glob must match Parquet files only, {path!r} matched {sorted(suffixes)}"
            )
        return _guard_read(path, lambda con: con.read_parquet(matches), "parquet")
    p = Path(path)
    if not p.exists():
        raise DataError(f"cannot read {path!r}: no such file")
    if p.is_dir():
        files = sorted(p.glob("*.parquet"))
        if not files:
            raise DataError(f"cannot read {path!r}: a folder must hold *.parquet files")
        return _guard_read(path, lambda con: con.read_parquet([str(f) for f in files]), "parquet")
    if not os.access(p, os.R_OK):
        raise DataError(f"cannot read {path!r}: permission denied")
    if p.stat().st_size == 0:
        raise DataError(f"cannot read {path!r}: the file is empty")
    suffix = "".join(p.suffixes[-2:]).lower() if p.suffix.lower() == ".gz" else p.suffix.lower()
    base = suffix.removesuffix(".gz")
    if base in _PARQUET_SUFFIXES:
        return _guard_read(path, lambda con: con.read_parquet(str(p)), "parquet")
    if base in _CSV_SUFFIXES or base == "":
        return _read_csv(path)
    raise DataError(
        f"cannot read {path!r}: unknown file type {p.suffix!r}; expected .csv, .tsv or .parquet"
    )


def _guard_read(path: str, reader: Any, kind: str) -> DataSource:
    import duckdb

    con = _duckdb()
    try:
        table = reader(con)
    except (duckdb.Error, OSError, UnicodeDecodeError) as exc:
        if kind == "csv" and _is_invalid_utf8(exc):
            raise _NotUtf8 from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"cannot read {path!r} as {kind}: {first}") from None
    return DataSource(table=table, description=path, backend="duckdb")


class _NotUtf8(Exception):
    """DuckDB refused a CSV file because its bytes are not valid UTF-8."""


def _is_invalid_utf8(exc: BaseException) -> bool:
    # DuckDB's first line is only "CSV Error on Line: N"; the reason is further down.
    text = str(exc).lower()
    return "invalid unicode" in text or "not utf-8 encoded" in text


_TRANSCODED: list[str] = []
"""Temporary folders holding UTF-8 copies; removed when the process exits (DuckDB reads
a CSV lazily, so the copy must live as long as the table)."""


def _remove_transcoded() -> None:
    import shutil

    while _TRANSCODED:
        shutil.rmtree(_TRANSCODED.pop(), ignore_errors=True)


def transcode_to_utf8(path: str | os.PathLike[str], out: Path) -> int:
    """Copy a text file to ``out`` as UTF-8, replacing undecodable bytes by U+FFFD.

    The file is streamed in 1 MiB chunks through an incremental decoder, so memory does
    not grow with its size.

    Parameters
    ----------
    path : str or os.PathLike
        The file (``.gz`` files are decompressed).
    out : pathlib.Path
        Where to write the UTF-8 copy.

    Returns
    -------
    int
        Number of invalid byte sequences, each replaced by one U+FFFD (Python's
        ``errors="replace"``, which follows the Unicode Standard §3.9 "U+FFFD
        substitution of maximal subparts").

    Raises
    ------
    OSError
        If ``path`` cannot be read or ``out`` cannot be written.
    """
    import codecs
    import gzip

    opener: Any = gzip.open if os.fspath(path).lower().endswith(".gz") else open
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    replaced = 0
    with opener(path, "rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(1 << 20)
            final = not chunk
            text = decoder.decode(chunk, final=final)
            replaced += max(0, text.count("\ufffd") - chunk.count("\ufffd".encode()))
            dst.write(text)
            if final:
                break
    return replaced


def _read_csv(path: str) -> DataSource:
    """Read a CSV with DuckDB; if it is not UTF-8, read a UTF-8 copy and warn."""
    try:
        return _guard_read(path, lambda con: con.read_csv(path), "csv")
    except _NotUtf8:
        pass
    import atexit
    import tempfile
    import warnings

    from fairmark.errors import DataWarning

    folder = tempfile.mkdtemp(prefix="fairmark-utf8-")
    if not _TRANSCODED:
        atexit.register(_remove_transcoded)
    _TRANSCODED.append(folder)
    copy = Path(folder) / Path(path.removesuffix(".gz").removesuffix(".GZ")).name
    if copy.suffix.lower() not in _CSV_SUFFIXES:
        copy = copy.with_suffix(copy.suffix + ".csv")
    try:
        replaced = transcode_to_utf8(path, copy)
    except OSError as exc:
        raise DataError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    try:
        source = _guard_read(str(copy), lambda con: con.read_csv(str(copy)), "csv")
    except _NotUtf8:  # pragma: no cover - the copy is valid UTF-8 by construction
        raise DataError(f"cannot read {path!r} as csv: not valid UTF-8") from None
    except DataError as exc:
        raise DataError(exc.message.replace(repr(str(copy)), repr(path))) from None
    warnings.warn(
        f"{path} is not valid UTF-8: {replaced:,} bytes replaced with U+FFFD",
        DataWarning,
        stacklevel=4,
    )
    return DataSource(table=source.table, description=path, backend="duckdb")


def as_table(data: Any) -> DataSource:
    """Return a :class:`DataSource` for ``data``.

    Parameters
    ----------
    data : str, os.PathLike, pandas.DataFrame, polars.DataFrame, pyarrow.Table,
        ibis.Table or pyspark.sql.DataFrame
        A path to a CSV file (delimiter sniffed by DuckDB), a Parquet file, a folder of
        Parquet files or a glob of Parquet files; or an in-memory table; or an Ibis table
        on any backend; or a Spark DataFrame (run through Ibis's PySpark backend).

    Raises
    ------
    DataError
        If the file does not exist, is empty or cannot be parsed.
    UsageError
        If ``data`` is of an unsupported type.
    """
    import ibis
    import ibis.expr.types as ir

    if isinstance(data, str | os.PathLike):
        return _read_path(os.fspath(data))
    if isinstance(data, ir.Table):
        try:
            backend = data._find_backend().name
        except Exception:  # an unbound memtable: executes on the default backend
            backend = "duckdb"
        return DataSource(table=data, description=f"ibis table on {backend}", backend=backend)
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        import pandas as pd

        if not isinstance(data, pd.DataFrame):
            raise UsageError(f"expected a DataFrame, got {type(data).__name__}")
        categories = {
            str(c): [str(x) for x in data[c].cat.categories]
            for c in data.columns
            if isinstance(data[c].dtype, pd.CategoricalDtype)
        }
        frame = data.reset_index(drop=True)
        frame.columns = [str(c) for c in frame.columns]
        for c in frame.columns:  # an all-missing object column has no type: keep it as text
            if frame[c].dtype == object and bool(frame[c].isna().all()):
                frame[c] = frame[c].astype("string")
        con = _duckdb()
        try:
            # via a memtable: ibis 12 with sqlglot >= 30.18 cannot create from a frame directly
            table = con.create_table("fairmark_input", ibis.memtable(frame))
        except Exception as exc:  # mixed or unsupported column types → one line
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DataError(f"cannot load the DataFrame into the data engine: {first}") from None
        return DataSource(table, "pandas.DataFrame", "duckdb", categories)
    if module in {"polars", "pyarrow"}:
        con = _duckdb()
        table = con.create_table("fairmark_input", ibis.memtable(data))
        return DataSource(table, f"{module} table", "duckdb")
    if module == "pyspark" and hasattr(data, "sparkSession"):
        con = ibis.pyspark.connect(data.sparkSession)
        name = f"fairmark_input_{id(data):x}"
        data.createOrReplaceTempView(name)
        return DataSource(con.table(name), "pyspark.sql.DataFrame", "pyspark")
    raise UsageError(
        f"cannot audit a {type(data).__name__}; expected a file path, a pandas/polars/pyarrow "
        "table, an Ibis table or a Spark DataFrame"
    )
