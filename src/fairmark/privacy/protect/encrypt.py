"""Field-level encryption: encrypt chosen columns, each row under its data subject's key.

For every row, the subject's data key (DEK) is fetched from the keystore, or created and
stored wrapped under the master key the first time the subject is seen; each chosen cell
is sealed with AES-256-GCM under that DEK with a fresh random 96-bit nonce, bound to its
column and subject by the additional authenticated data (:mod:`.cell`). Nulls stay null.
The output (Parquet or CSV, by extension) has the same columns and rows; encrypted
columns hold base64 text. A Parquet output records the original column types in its
metadata so that decryption restores them.

Because each subject has their own key, deleting that key
(:func:`fairmark.privacy.protect.shred_subject`) makes all of that subject's encrypted
cells undecryptable, in this file and in every copy of it, while everyone else's stay
readable.

Source: NIST SP 800-38D (GCM); RFC 3394 (key wrap); GDPR Art. 32(1)(a) ("the
pseudonymisation and encryption of personal data"), Art. 17 (erasure), Art. 25(1).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fairmark.privacy.protect._columns import (
    as_text,
    check_text_convertible,
    parse_columns,
    require_columns,
)
from fairmark.privacy.protect._file_metadata import write_info
from fairmark.privacy.protect._subjects import count_subjects, parse_subject_column, subject_texts
from fairmark.privacy.protect._table_io import (
    AtomicTableWriter,
    batches,
    open_input,
    output_format,
    output_path,
)
from fairmark.privacy.protect.cell import NONCE_BYTES, associated_data, seal_cell
from fairmark.privacy.protect.keys import check_key_apart
from fairmark.privacy.protect.keystore import Keystore, check_keystore
from fairmark.privacy.protect.result import EncryptResult

__all__ = ["encrypt"]


def _encrypt_column(
    values: list[str | None],
    column: str,
    row_ids: list[str],
    ciphers: dict[str, AESGCM],
) -> tuple[pa.Array, int]:
    """Seal one batch of one column; return the cells and how many were encrypted."""
    nonces = os.urandom(NONCE_BYTES * len(values))
    aads: dict[str, bytes] = {}
    cells: list[str | None] = []
    count = 0
    for i, value in enumerate(values):
        if value is None:
            cells.append(None)
            continue
        lookup_id = row_ids[i]
        aad = aads.get(lookup_id)
        if aad is None:
            aad = aads[lookup_id] = associated_data(column, lookup_id)
        nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
        cells.append(seal_cell(ciphers[lookup_id], nonce, value, aad))
        count += 1
    return pa.array(cells, pa.string()), count


def encrypt(
    data: Any,
    columns: str | Sequence[str],
    subject_column: str,
    keystore: Keystore,
    out: str | os.PathLike[str],
) -> EncryptResult:
    """Write a copy of ``data`` with ``columns`` encrypted under per-subject keys.

    Parameters
    ----------
    data : str, os.PathLike, pandas/polars/pyarrow table or ibis.Table
        The input (CSV or Parquet file, folder or glob of Parquet files, or a table),
        streamed in Arrow batches.
    columns : str or sequence of str
        Columns to encrypt (``"email,phone"`` or a list): text, integer, decimal,
        floating-point, boolean, date or timestamp.
    subject_column : str
        Column identifying each row's data subject; it stays in clear and must not be
        null or blank anywhere.
    keystore : Keystore
        Keystore opened with the master key; created in the store if it has none.
    out : str or os.PathLike
        Output file, ``.parquet`` or ``.csv``; written whole or not at all.

    Returns
    -------
    EncryptResult

    Raises
    ------
    UsageError
        No column named; the subject column is among the columns to encrypt; bad output
        path; the master key file lies inside the output folder; "authentication
        failed" (the keystore is under another master key).
    DataError
        The input cannot be read; a column is missing or of a type without exact text
        form; some rows have no subject id.
    StoreError
        The keystore cannot be read or written.

    Notes
    -----
    Keys are fetched once per batch of rows (one query for the subjects not already in
    memory) and created in the same step; a run that fails after some batches may leave
    data keys for subjects whose rows were never written: they protect nothing and are
    harmless. Source: NIST SP 800-38D; RFC 3394; GDPR Art. 32(1)(a).
    """
    names = parse_columns(columns)
    subject = parse_subject_column(subject_column, names)
    keystore = check_keystore(keystore)
    path = output_path(out, data)
    check_key_apart(keystore.master_key, path, option="--master-key")
    source = open_input(data)
    require_columns(source.schema, [subject], "subject column")
    require_columns(source.schema, names, "column to encrypt")
    check_text_convertible(source.schema, [subject], "subject column")
    check_text_convertible(source.schema, names, "column to encrypt")
    n_subjects = count_subjects(source.table, subject)
    keystore.ensure_created()
    reader = source.reader()
    schema = pa.schema(
        [pa.field(f.name, pa.string()) if f.name in names else f for f in reader.schema],
        metadata=write_info(subject, names, reader.schema, keystore.master_key_id),
    )
    n_rows = n_cells = n_nulls = n_created = 0
    with AtomicTableWriter(path, schema) as writer:
        for batch in batches(reader):
            texts = subject_texts(batch, subject, n_rows + 1)
            ids = keystore.lookup_ids(set(texts))
            found = keystore.data_keys(ids.values(), create=True)
            n_created += found.created
            ciphers = {lookup_id: AESGCM(key) for lookup_id, key in found.keys.items()}
            row_ids = [ids[t] for t in texts]
            arrays = []
            for name in schema.names:
                if name not in names:
                    arrays.append(batch.column(name))
                    continue
                values = as_text(batch.column(name))
                cells, count = _encrypt_column(values, name, row_ids, ciphers)
                arrays.append(cells)
                n_cells += count
                n_nulls += len(values) - count
            writer.write(pa.RecordBatch.from_arrays(arrays, schema=schema))
            n_rows += batch.num_rows
    return EncryptResult(
        source=source.description,
        out=str(path),
        out_format=output_format(path),
        columns=names,
        subject_column=subject,
        keystore=keystore.url,
        master_key_id=keystore.master_key_id,
        n_rows=n_rows,
        n_subjects=n_subjects,
        n_keys_created=n_created,
        n_cells_encrypted=n_cells,
        n_null_cells=n_nulls,
    )
