"""Write one source's records about a data subject as a JSON file, streamed.

The file (``<source>.json``, UTF-8, RFC 8259 JSON)::

    {
      "schema_version": "1.0",
      "kind": "dsr_access_records",
      "request_id": "…", "source": "crm", "engine": "sqlite",
      "table": "customers", "subject_column": "customer_id",
      "columns": [{"name": "email", "type": "TEXT", "decrypted": false}, …],
      "records": [
        {"customer_id": "c1", "email": "ann@example.org", …},
        …
      ],
      "n_records": 2,
      "n_cells_unreadable": 0
    }

Values keep their JSON type where JSON has one (numbers, text, true/false, null); the
others are written as text a person and a program can read (GDPR Art. 15(3) and
Art. 20(1): "structured, commonly used and machine-readable"):

=========================  ==========================================================
database value             JSON
=========================  ==========================================================
decimal                    text, exact (``"10.50"``)
NaN, ±infinity             text ``"NaN"``, ``"Infinity"``, ``"-Infinity"``
date, time, timestamp      ISO 8601 text (``"2026-11-30T09:15:00+00:00"``)
interval                   number of seconds
bytes                      ``{"base64": "…"}`` (RFC 4648 §4)
UUID, other types          their text form
list, struct, JSON         array / object, converted recursively
=========================  ==========================================================

Rows are fetched and written in chunks (:data:`fairmark.privacy.dsr.connect.FETCH_ROWS`),
so memory does not grow with the number of records.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import math
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fairmark.privacy.dsr.connect import SourceConnection
from fairmark.privacy.dsr.encrypted import CellOpener
from fairmark.privacy.dsr.result import SCHEMA_VERSION

__all__ = ["ExportStats", "file_sha256", "json_value", "write_records"]

_CHUNK = 1 << 20


def json_value(value: Any) -> Any:
    """Convert a database value to a JSON-safe value (see the module table).

    Parameters
    ----------
    value : Any
        A value as returned by the DuckDB, sqlite3 or psycopg driver.

    Returns
    -------
    Any
        ``None``, ``bool``, ``int``, finite ``float``, ``str``, ``list`` or ``dict``.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return "NaN"
        if value.is_infinite():
            return "Infinity" if value > 0 else "-Infinity"
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class ExportStats:
    """What :func:`write_records` wrote.

    Attributes
    ----------
    n_records : int
    n_cells_unreadable : int
        Encrypted cells written as null because they could not be decrypted.
    sha256 : str
        SHA-256 (hex) of the file as written to disk.
    n_bytes : int
        File size.
    """

    n_records: int
    n_cells_unreadable: int
    sha256: str
    n_bytes: int


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 (hex, FIPS 180-4) and size in bytes of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def write_records(
    conn: SourceConnection,
    subject: str,
    path: Path,
    header: Mapping[str, Any],
    opener: CellOpener | None = None,
    encrypted_columns: tuple[str, ...] = (),
) -> ExportStats:
    """Write every row of the subject in ``conn`` to ``path`` (created; fsynced).

    Parameters
    ----------
    conn : SourceConnection
        The open source.
    subject : str
        The subject id (bound as a parameter, see :mod:`fairmark.privacy.dsr.connect`).
    path : Path
        The file to create.
    header : Mapping
        Fields written after ``schema_version`` and ``kind`` (request id, source name...).
    opener : CellOpener or None
        Decrypts ``encrypted_columns`` (encrypted sources).
    encrypted_columns : tuple of str
        Columns holding ``fairmark protect`` ciphertext.

    Returns
    -------
    ExportStats

    Raises
    ------
    SourceError
        The rows cannot be read.
    OSError
        The file cannot be written.
    """
    names = [c.name for c in conn.columns]
    decrypt = [(i, n) for i, n in enumerate(names) if opener is not None and n in encrypted_columns]
    top = {
        "schema_version": SCHEMA_VERSION,
        "kind": "dsr_access_records",
        **header,
        "columns": [
            {
                "name": c.name,
                "type": c.type,
                "decrypted": opener is not None and c.name in encrypted_columns,
            }
            for c in conn.columns
        ],
    }
    n_records = 0
    unreadable = 0
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write("{\n")
        for key, value in top.items():
            handle.write(f"  {_dump(key)}: {_dump(value)},\n")
        handle.write('  "records": [')
        for row in conn.rows(subject):
            values = list(row)
            for index, column in decrypt:
                assert opener is not None
                values[index], lost = opener.open(column, values[index])
                unreadable += lost
            record = {name: json_value(v) for name, v in zip(names, values, strict=True)}
            handle.write(("\n    " if n_records == 0 else ",\n    ") + _dump(record))
            n_records += 1
        handle.write("\n  ],\n" if n_records else "],\n")
        handle.write(f'  "n_records": {n_records},\n  "n_cells_unreadable": {unreadable}\n}}\n')
        handle.flush()
        os.fsync(handle.fileno())
    sha256, size = file_sha256(path)
    return ExportStats(n_records, unreadable, sha256, size)
