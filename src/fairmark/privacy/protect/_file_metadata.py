"""What an encrypted Parquet file says about itself, in its footer's key-value metadata.

Key ``fairmark.protect``, value a JSON document: the subject column, the encrypted columns
and their original Arrow types (so decryption restores integers, dates … and not just
text), the cell format and algorithms, and the master key id at encryption time. It holds
no key material and no subject id. A CSV file has no metadata: its decrypted values stay
text.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa

from fairmark.errors import DataError
from fairmark.privacy.protect.cell import CELL_VERSION

__all__ = ["METADATA_KEY", "EncryptedFileInfo", "read_info", "write_info"]

METADATA_KEY = b"fairmark.protect"


@dataclass(frozen=True)
class EncryptedFileInfo:
    """The ``fairmark.protect`` metadata of an encrypted Parquet file.

    Attributes
    ----------
    subject_column : str
    columns : tuple of str
        The encrypted columns.
    original_schema : pyarrow.Schema
        Their types before encryption.
    master_key_id : str
        Master key at encryption time (may since have been rotated).
    """

    subject_column: str
    columns: tuple[str, ...]
    original_schema: pa.Schema
    master_key_id: str


def write_info(
    subject_column: str, columns: Sequence[str], schema: pa.Schema, master_key_id: str
) -> dict[bytes, bytes]:
    """The metadata entry for a file whose ``columns`` (types in ``schema``) are encrypted."""
    original = pa.schema([schema.field(c) for c in columns])
    document = {
        "schema_version": "1.0",
        "kind": "protect_encrypted_table",
        "cell_format": CELL_VERSION,
        "algorithm": "AES-256-GCM",
        "key_wrap": "A256KW",
        "subject_column": subject_column,
        "columns": list(columns),
        "original_schema": base64.b64encode(original.serialize().to_pybytes()).decode("ascii"),
        "master_key_id": master_key_id,
    }
    return {METADATA_KEY: json.dumps(document, ensure_ascii=False).encode("utf-8")}


def read_info(metadata: Mapping[bytes, bytes], where: str) -> EncryptedFileInfo | None:
    """Read the entry written by :func:`write_info`; ``None`` when the file has none.

    Raises
    ------
    DataError
        The entry is present but unreadable.
    """
    raw = metadata.get(METADATA_KEY)
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
        schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(doc["original_schema"])))
        return EncryptedFileInfo(
            subject_column=str(doc["subject_column"]),
            columns=tuple(str(c) for c in doc["columns"]),
            original_schema=schema,
            master_key_id=str(doc["master_key_id"]),
        )
    except (ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        raise DataError(
            f"{where}: its fairmark.protect metadata is unreadable ({type(exc).__name__}); "
            "expected a file written by fairmark protect encrypt"
        ) from None
