"""Stream a table in as Arrow record batches, write one out atomically.

Protecting data is a row transform: every value of the chosen columns changes, so the rows
must pass through Python, but in bounded Arrow batches (:data:`BATCH_ROWS` rows), never
whole columns. The input goes through the data engine
(:func:`fairmark.engine.source.as_table`); a CSV file is read with every column as text so
that values pass through unchanged (leading zeros, ``1.50``, exotic dates). The output is
written to a temporary file in the destination folder (mode 0600: it holds personal data)
and renamed over the destination only when complete, so a failure never leaves a partial
file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fairmark.engine.source import as_table
from fairmark.errors import DataError, UsageError

__all__ = [
    "BATCH_ROWS",
    "AtomicTableWriter",
    "InputTable",
    "batches",
    "open_input",
    "output_format",
    "output_path",
]

BATCH_ROWS = 10_000
"""Rows per Arrow batch (bounded memory; one keystore query per batch)."""

_PARQUET = {".parquet", ".pq"}
_CSV = {".csv"}


@dataclass(frozen=True)
class InputTable:
    """A table to stream, and what is known about it.

    Attributes
    ----------
    table : ibis.Table
        The table in the data engine.
    schema : pyarrow.Schema
        Its Arrow schema.
    description : str
        Where it came from (a path or ``pandas.DataFrame`` …).
    metadata : dict of bytes to bytes
        Key-value metadata of a single Parquet file or a pyarrow table (empty otherwise).
    path : Path or None
        The input file, when the input is one file.
    """

    table: Any
    schema: pa.Schema
    description: str
    metadata: dict[bytes, bytes]
    path: Path | None

    def reader(self) -> pa.RecordBatchReader:
        """Start streaming the rows, in order, in batches of at most :data:`BATCH_ROWS` rows.

        On DuckDB the query runs through DuckDB's own Arrow reader (Ibis 12's
        ``to_pyarrow_batches`` calls a cursor method DuckDB 2 no longer has); other
        backends use Ibis's ``to_pyarrow_batches``.
        """
        backend = self.table._find_backend()
        if backend.name != "duckdb":
            return self.table.to_pyarrow_batches(chunk_size=BATCH_ROWS)
        relation = backend.con.sql(backend.compile(self.table))
        if hasattr(relation, "to_arrow_reader"):  # duckdb 2
            return relation.to_arrow_reader(BATCH_ROWS)
        return relation.fetch_arrow_reader(BATCH_ROWS)  # pragma: no cover - duckdb 1.x


def batches(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    """Yield the non-empty batches of ``reader``, then close it."""
    try:
        for batch in reader:
            if batch.num_rows:
                yield batch
    finally:
        reader.close()


def _single_file(data: Any) -> Path | None:
    if isinstance(data, str | os.PathLike):
        text = os.fspath(data)
        if not any(ch in text for ch in "*?[") and Path(text).is_file():
            return Path(text)
    return None


def _base_suffix(path: Path) -> str:
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix.lower() == ".gz" else path.suffix
    return suffix.lower().removesuffix(".gz")


def open_input(data: Any) -> InputTable:
    """Open ``data`` for streaming.

    Parameters
    ----------
    data : str, os.PathLike, pandas/polars/pyarrow table or ibis.Table
        Anything :func:`fairmark.engine.source.as_table` accepts.

    Returns
    -------
    InputTable

    Raises
    ------
    DataError
        The file is missing, empty or unreadable (from ``as_table``).
    UsageError
        ``data`` is of an unsupported type.
    """
    source = as_table(data)
    table = source.table
    path = _single_file(data)
    metadata: dict[bytes, bytes] = {}
    if path is not None and _base_suffix(path) not in _PARQUET:
        table = _text_csv(path, list(table.columns))
    elif path is not None:
        metadata = dict(pq.read_schema(path).metadata or {})
    elif isinstance(data, pa.Table):
        metadata = dict(data.schema.metadata or {})
    schema = table.schema().to_pyarrow()
    return InputTable(table, schema, source.description, metadata, path)


def _text_csv(path: Path, columns: list[str]) -> Any:
    """Read a CSV file again with every column as text (VARCHAR)."""
    import duckdb
    import ibis

    try:
        return ibis.duckdb.connect().read_csv(
            str(path), types=dict.fromkeys(columns, "VARCHAR")
        )
    except (duckdb.Error, OSError, UnicodeDecodeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(f"cannot read {str(path)!r} as csv: {first}") from None


def output_path(out: str | os.PathLike[str], data: Any, option: str = "--out") -> Path:
    """Check the output file before any work is done.

    Parameters
    ----------
    out : str or os.PathLike
        Destination: ``.parquet`` / ``.pq`` (Parquet) or ``.csv`` (CSV).
    data : Any
        The input; a file must not be written over itself.
    option : str
        Option named in messages.

    Returns
    -------
    Path

    Raises
    ------
    UsageError
        Unknown extension, missing folder, a folder as destination, or the destination is
        the input file (the source is kept: it is needed to redo the work, e.g. under a
        new key).
    """
    path = Path(os.fspath(out))
    suffix = path.suffix.lower()
    if path.is_dir():
        raise UsageError(
            f"{option} {str(path)!r} is a folder; expected a file name ending in .csv or "
            ".parquet"
        )
    if suffix not in _PARQUET | _CSV:
        raise UsageError(
            f"{option}: cannot write {str(path)!r}: unknown file type {path.suffix or '(none)'!r}; "
            "expected .parquet or .csv"
        )
    if not path.parent.is_dir():
        raise UsageError(
            f"{option}: folder {str(path.parent)!r} does not exist; create it first"
        )
    source = _single_file(data)
    if source is not None and source.resolve() == path.resolve():
        raise UsageError(
            f"{option}: {str(path)!r} is the input file; expected a new file (the input is "
            "kept unchanged)"
        )
    return path


def output_format(path: Path) -> str:
    """``"parquet"`` or ``"csv"``, from the extension checked by :func:`output_path`."""
    return "parquet" if path.suffix.lower() in _PARQUET else "csv"


class AtomicTableWriter:
    """Write record batches to a Parquet or CSV file that appears only when complete.

    Parameters
    ----------
    out : Path
        Destination, checked with :func:`output_path`.
    schema : pyarrow.Schema
        Schema of every batch (its metadata goes into a Parquet file's footer).

    Notes
    -----
    Use as a context manager: on a clean exit the temporary file is flushed, ``fsync``-ed
    and renamed over ``out`` (``os.replace``, atomic on POSIX); on an exception it is
    deleted and ``out`` is left as it was.
    """

    def __init__(self, out: Path, schema: pa.Schema) -> None:
        self.out = out
        self.schema = schema
        self.format = output_format(out)
        self._tmp: Path | None = None
        self._writer: Any = None

    def __enter__(self) -> Self:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{self.out.name}.", suffix=".part",
                                        dir=self.out.parent)
        except OSError as exc:
            raise UsageError(
                f"cannot write {str(self.out)!r}: {exc.strerror or exc}; expected a writable "
                "folder"
            ) from None
        os.close(fd)
        self._tmp = Path(name)
        try:
            if self.format == "parquet":
                self._writer = pq.ParquetWriter(str(self._tmp), self.schema)
            else:
                self._writer = pacsv.CSVWriter(str(self._tmp), self.schema)
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise
        return self

    def write(self, batch: pa.RecordBatch) -> None:
        """Append one batch (its schema must equal :attr:`schema`)."""
        self._writer.write_batch(batch)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._tmp is not None
        try:
            self._writer.close()
            if exc_type is None:
                with self._tmp.open("rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(self._tmp, self.out)
        finally:
            self._tmp.unlink(missing_ok=True)
