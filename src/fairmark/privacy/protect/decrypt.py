"""Decrypt the columns written by :func:`fairmark.privacy.protect.encrypt`.

Every cell is authenticated (AES-256-GCM tag over the ciphertext, its column and its
subject) before its plaintext is used: a wrong master key, an altered cell, or a cell
moved to another row or column fails with "authentication failed" and nothing is
written. Never is garbage plaintext returned.

A subject whose data key was shredded is no error: their cells become null, and the
result counts them (``n_cells_unrecoverable`` of ``n_subjects_unrecoverable`` subjects).
A subject with no key *and no shred on record* means the wrong keystore or the wrong
subject column, and is refused.

Source: NIST SP 800-38D §7.2 (authenticated decryption: "FAIL" returns no plaintext);
GDPR Art. 17 (erased subjects stay erased), Art. 32.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fairmark.errors import DataError, UsageError
from fairmark.privacy.protect._columns import is_text_type, parse_columns, require_columns
from fairmark.privacy.protect._file_metadata import EncryptedFileInfo, read_info, write_info
from fairmark.privacy.protect._subjects import count_subjects, parse_subject_column, subject_texts
from fairmark.privacy.protect._table_io import (
    AtomicTableWriter,
    batches,
    open_input,
    output_format,
    output_path,
)
from fairmark.privacy.protect.cell import CellFormatError, associated_data, open_cell
from fairmark.privacy.protect.keystore import Keystore, check_keystore
from fairmark.privacy.protect.result import DecryptResult

__all__ = ["decrypt"]


def _check_against_info(
    info: EncryptedFileInfo | None, names: Sequence[str], subject: str, where: str
) -> None:
    if info is None:
        return
    if subject != info.subject_column:
        raise UsageError(
            f"--subject-column {subject!r}: {where} was encrypted with subject column "
            f"{info.subject_column!r}; expected that column"
        )
    other = [c for c in names if c not in info.columns]
    if other:
        raise UsageError(
            f"--columns: {', '.join(map(repr, other))} of {where} not encrypted; expected "
            f"some of {', '.join(info.columns)}"
        )


def _check_ciphertext_columns(schema: pa.Schema, names: Sequence[str]) -> None:
    for name in names:
        kind = schema.field(name).type
        if not (is_text_type(kind) or pa.types.is_null(kind)):
            raise DataError(
                f"column to decrypt {name!r} has type {kind}; expected base64 text written by "
                "fairmark protect encrypt"
            )


class _Decryptor:
    """Per-run state: keys in memory, shredded subjects, counters."""

    def __init__(self, keystore: Keystore, subject: str, where: str) -> None:
        self.keystore = keystore
        self.subject = subject
        self.where = where
        self.shredded: set[str] = set()
        self.shredded_seen: set[str] = set()
        self.n_cells = self.n_nulls = self.n_lost = 0

    def ciphers(self, texts: list[str], first_row: int) -> tuple[list[str], dict[str, AESGCM]]:
        ids = self.keystore.lookup_ids(set(texts))
        found = self.keystore.data_keys(ids.values()).keys
        missing = {i for i in ids.values() if i not in found and i not in self.shredded}
        if missing:
            self.shredded.update(self.keystore.shredded_among(missing))
            unknown = missing - self.shredded
            if unknown:
                row = next(first_row + k for k, t in enumerate(texts) if ids[t] in unknown)
                raise DataError(
                    f"{len(unknown):,} data subject(s) in column {self.subject!r} of "
                    f"{self.where} (first at row {row}) have no data key in the keystore at "
                    f"{self.keystore.url} and no shred on record; expected the keystore the "
                    "file was encrypted with (--db) and the same subject column"
                )
        return [ids[t] for t in texts], {i: AESGCM(k) for i, k in found.items()}

    def column(
        self,
        cells: list[str | None],
        column: str,
        row_ids: list[str],
        ciphers: dict[str, AESGCM],
        first_row: int,
    ) -> list[str | None]:
        values: list[str | None] = []
        aads: dict[str, bytes] = {}
        for i, cell in enumerate(cells):
            if cell is None:
                values.append(None)
                self.n_nulls += 1
                continue
            lookup_id = row_ids[i]
            cipher = ciphers.get(lookup_id)
            if cipher is None:  # shredded subject: unrecoverable by design
                values.append(None)
                self.n_lost += 1
                self.shredded_seen.add(lookup_id)
                continue
            aad = aads.get(lookup_id)
            if aad is None:
                aad = aads[lookup_id] = associated_data(column, lookup_id)
            try:
                values.append(open_cell(cipher, cell, aad))
            except CellFormatError as exc:
                raise DataError(
                    f"column {column!r} row {first_row + i} of {self.where} is not a fairmark "
                    f"ciphertext ({exc}); expected a column written by fairmark protect "
                    "encrypt; nothing was written"
                ) from None
            except InvalidTag:
                raise DataError(
                    f"authentication failed: the cell in column {column!r} row "
                    f"{first_row + i} of {self.where} does not verify (altered, moved from "
                    "another row or column, or encrypted with another keystore); nothing "
                    "was written"
                ) from None
            self.n_cells += 1
        return values


def _restore(values: list[str | None], kind: pa.DataType | None, column: str) -> pa.Array:
    """Decrypted text back to the column's original type (text when unknown)."""
    array = pa.array(values, pa.string())
    if kind is None or pa.types.is_string(kind):
        return array
    try:
        return pc.cast(array, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise DataError(
            f"decrypted column {column!r} does not cast back to its recorded type {kind}; "
            "expected values written by fairmark protect encrypt"
        ) from None


def decrypt(
    data: Any,
    columns: str | Sequence[str],
    subject_column: str,
    keystore: Keystore,
    out: str | os.PathLike[str],
) -> DecryptResult:
    """Write a copy of ``data`` with ``columns`` decrypted.

    Parameters
    ----------
    data : str, os.PathLike, pandas/polars/pyarrow table or ibis.Table
        A table written by :func:`fairmark.privacy.protect.encrypt` (or a copy of it).
    columns : str or sequence of str
        Encrypted columns to decrypt.
    subject_column : str
        The subject column used for encryption.
    keystore : Keystore
        The keystore used for encryption, opened with its (current) master key.
    out : str or os.PathLike
        Output file, ``.parquet`` or ``.csv``; written whole or not at all.

    Returns
    -------
    DecryptResult
        Counts of decrypted cells, and of cells left null because their subject was
        shredded.

    Raises
    ------
    UsageError
        No column named; the subject column among the columns; bad output path; the
        Parquet metadata names another subject column or does not list a column;
        "authentication failed" when the master key does not open the keystore.
    DataError
        "authentication failed" for a cell that does not verify (tampered, moved, other
        keystore); a cell that is not a fairmark ciphertext; a subject with no key and no
        shred on record (wrong keystore); rows without subject id; missing columns; the
        store holds no keystore.
    StoreError
        The keystore cannot be read.

    Notes
    -----
    Source: NIST SP 800-38D §7.2; GDPR Art. 17, Art. 32.
    """
    names = parse_columns(columns)
    subject = parse_subject_column(subject_column, names)
    keystore = check_keystore(keystore)
    path = output_path(out, data)
    source = open_input(data)
    where = repr(source.description) if source.path is not None else source.description
    info = read_info(source.metadata, where)
    _check_against_info(info, names, subject, where)
    require_columns(source.schema, [subject], "subject column")
    require_columns(source.schema, names, "column to decrypt")
    _check_ciphertext_columns(source.schema, names)
    if not keystore.exists:
        raise DataError(
            f"the store at {keystore.url} holds no keystore (nothing was encrypted with it); "
            "expected the --db the data was encrypted with"
        )
    count_subjects(source.table, subject)
    original = info.original_schema if info is not None else pa.schema([])
    reader = source.reader()
    still_encrypted = [c for c in original.names if c not in names and c in reader.schema.names]
    schema = pa.schema(
        [
            pa.field(f.name, original.field(f.name).type)
            if f.name in names and f.name in original.names
            else (pa.field(f.name, pa.string()) if f.name in names else f)
            for f in reader.schema
        ],
        metadata=write_info(subject, still_encrypted, original, info.master_key_id)
        if info is not None and still_encrypted
        else None,
    )
    state = _Decryptor(keystore, subject, where)
    n_rows = 0
    with AtomicTableWriter(path, schema) as writer:
        for batch in batches(reader):
            first = n_rows + 1
            texts = subject_texts(batch, subject, first)
            row_ids, ciphers = state.ciphers(texts, first)
            arrays = []
            for field in schema:
                if field.name not in names:
                    arrays.append(batch.column(field.name))
                    continue
                cells = batch.column(field.name).cast(pa.string()).to_pylist()
                values = state.column(cells, field.name, row_ids, ciphers, first)
                arrays.append(_restore(values, field.type, field.name))
            writer.write(pa.RecordBatch.from_arrays(arrays, schema=schema))
            n_rows += batch.num_rows
    return DecryptResult(
        source=source.description,
        out=str(path),
        out_format=output_format(path),
        columns=names,
        subject_column=subject,
        keystore=keystore.url,
        master_key_id=keystore.master_key_id,
        n_rows=n_rows,
        n_cells_decrypted=state.n_cells,
        n_null_cells=state.n_nulls,
        n_cells_unrecoverable=state.n_lost,
        n_subjects_unrecoverable=len(state.shredded_seen),
    )
