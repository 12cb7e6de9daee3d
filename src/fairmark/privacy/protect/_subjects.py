"""The subject column: which data subject each row belongs to.

Field-level encryption keys every row by its data subject (GDPR Art. 4(1)), so every row
must name one. The check runs in the data engine (one aggregate query) before any key is
created or any file is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from fairmark.errors import DataError, UsageError
from fairmark.privacy.protect._columns import as_text

__all__ = ["count_subjects", "parse_subject_column", "subject_texts"]


def parse_subject_column(subject_column: Any, columns: Sequence[str]) -> str:
    """Check the name of the subject column against the columns to protect.

    Parameters
    ----------
    subject_column : str
        Column holding each row's subject id (a customer id, an e-mail address …).
    columns : sequence of str
        The columns to encrypt or decrypt.

    Returns
    -------
    str
        The name, surrounding spaces removed.

    Raises
    ------
    UsageError
        The name is blank or not text, or the subject column is also a column to encrypt
        (its value is needed in clear to find the subject's key; pseudonymise it instead).
    """
    if not isinstance(subject_column, str) or not subject_column.strip():
        raise UsageError(
            f"--subject-column is {subject_column!r}; expected the name of the column that "
            "identifies each row's data subject"
        )
    name = subject_column.strip()
    if name in columns:
        raise UsageError(
            f"--subject-column {name!r} is also in --columns; expected it left in clear (each "
            "row's key is found by it): pseudonymise it instead of encrypting it"
        )
    return name


def count_subjects(table: Any, subject: str) -> int:
    """Count the distinct subjects, refusing rows without one.

    Parameters
    ----------
    table : ibis.Table
        The input, in the data engine.
    subject : str
        The subject column (present in ``table``).

    Returns
    -------
    int
        Distinct non-null values of the subject column.

    Raises
    ------
    DataError
        Some rows have a null or blank (only white space) subject id.
    """
    column = table[subject]
    missing = column.isnull() | (column.cast("string").strip() == "")
    row = table.aggregate(
        n_rows=table.count(),
        n_missing=missing.cast("int64").sum(),
        n_subjects=column.nunique(),
    ).to_pyarrow().to_pylist()[0]
    n_missing = int(row["n_missing"] or 0)
    if n_missing:
        raise DataError(
            f"subject column {subject!r} is null or blank in {n_missing:,} of "
            f"{int(row['n_rows']):,} rows; expected every row to name its data subject"
        )
    return int(row["n_subjects"] or 0)


def subject_texts(batch: pa.RecordBatch, subject: str, first_row: int) -> list[str]:
    """The subject ids of one batch, as text.

    Parameters
    ----------
    batch : pyarrow.RecordBatch
    subject : str
        The subject column.
    first_row : int
        1-based number of the batch's first row in the whole input, for messages.

    Returns
    -------
    list of str

    Raises
    ------
    DataError
        A subject id is null or blank (the engine check makes this a guard against input
        that changes while it is read).
    """
    texts = as_text(batch.column(subject))
    for i, text in enumerate(texts):
        if text is None or not text.strip():
            raise DataError(
                f"subject column {subject!r} is null or blank at row {first_row + i}; "
                "expected every row to name its data subject"
            )
    return texts  # type: ignore[return-value]
