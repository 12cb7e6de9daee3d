"""Keyed pseudonyms: replace chosen columns by HMAC-SHA-256 of their values.

A pseudonym is the 64-hex-digit HMAC-SHA-256 (RFC 2104, FIPS 198-1) of the value's UTF-8
text under a secret 256-bit key. It is deterministic (the same value gives the same
pseudonym under the same key, so pseudonymised tables still join), and without the key it
can neither be reversed nor recomputed from a guessed value, unlike a plain hash of an
e-mail address, which anyone can recompute from a list of addresses. The key is the
"additional information" of GDPR Art. 4(5) and is kept apart from the data: it is read from
a file or an environment variable, never written with the output, and a key file inside the
output folder is refused.

Normalisation (optional, in this order): ``trim`` removes surrounding white space,
``lowercase`` lower-cases (Python :meth:`str.lower`), so that ``"A@x.com "`` and
``"a@x.com"`` get the same pseudonym when both are asked for. Nulls stay null; a value that
is empty (after normalisation) stays empty: a pseudonym of nothing would link every blank
row as one person.

Rotating the pseudonymisation key means running this again on the source data with the
new key: the old pseudonyms cannot be mapped to new ones without the raw values.

Pseudonymised data is still personal data (GDPR Recital 26).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from fairmark.errors import UsageError
from fairmark.privacy.protect._columns import (
    as_text,
    check_text_convertible,
    parse_columns,
    require_columns,
)
from fairmark.privacy.protect._table_io import (
    AtomicTableWriter,
    batches,
    open_input,
    output_format,
    output_path,
)
from fairmark.privacy.protect.keys import SecretKey, check_key_apart
from fairmark.privacy.protect.result import PseudonymizeResult

__all__ = ["NORMALIZATIONS", "parse_normalize", "pseudonymize", "pseudonymize_value"]

NORMALIZATIONS: tuple[str, ...] = ("trim", "lowercase")
"""Normalisations :func:`pseudonymize` can apply, in the order they are applied."""


def parse_normalize(normalize: str | Sequence[str] | None) -> tuple[str, ...]:
    """Parse ``"trim,lowercase"`` (or a list) into the normalisations to apply, in order.

    Parameters
    ----------
    normalize : str, sequence of str or None
        Names from :data:`NORMALIZATIONS`; ``None`` or empty for none.

    Returns
    -------
    tuple of str
        In the order of :data:`NORMALIZATIONS` (trim before lowercase), without repeats.

    Raises
    ------
    UsageError
        An unknown name.
    """
    if normalize is None:
        return ()
    items = normalize.split(",") if isinstance(normalize, str) else list(normalize)
    names = {str(x).strip().lower() for x in items if str(x).strip()}
    unknown = sorted(names - set(NORMALIZATIONS))
    if unknown:
        raise UsageError(
            f"--normalize: unknown normalisation {', '.join(map(repr, unknown))}; expected a "
            f"comma list of {', '.join(NORMALIZATIONS)}"
        )
    return tuple(n for n in NORMALIZATIONS if n in names)


def _normalise(text: str, normalize: tuple[str, ...]) -> str:
    if "trim" in normalize:
        text = text.strip()
    if "lowercase" in normalize:
        text = text.lower()
    return text


def _check_key(key: Any) -> SecretKey:
    if not isinstance(key, SecretKey):
        raise UsageError(
            f"key is a {type(key).__name__}; expected a SecretKey from load_key() or "
            "generate_key()"
        )
    return key


def pseudonymize_value(
    value: str, key: SecretKey, normalize: str | Sequence[str] | None = None
) -> str:
    """The pseudonym of one value, as :func:`pseudonymize` writes it.

    Parameters
    ----------
    value : str
        The value's text (an integer id as its decimal digits).
    key : SecretKey
        The pseudonymisation key.
    normalize : str, sequence of str or None
        As for :func:`pseudonymize`.

    Returns
    -------
    str
        64 lowercase hex digits of HMAC-SHA-256(key, UTF-8 of the normalised value);
        ``""`` when the normalised value is empty.

    Raises
    ------
    UsageError
        ``value`` is not text, ``key`` is not a :class:`SecretKey`, or an unknown
        normalisation.

    Notes
    -----
    Source: RFC 2104 (HMAC); FIPS 198-1; GDPR Art. 4(5).
    """
    if not isinstance(value, str):
        raise UsageError(f"value is a {type(value).__name__}; expected text")
    text = _normalise(value, parse_normalize(normalize))
    if not text:
        return ""
    return hmac.new(_check_key(key).material, text.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymize(
    data: Any,
    columns: str | Sequence[str],
    key: SecretKey,
    out: str | os.PathLike[str],
    *,
    normalize: str | Sequence[str] | None = None,
) -> PseudonymizeResult:
    """Write a copy of ``data`` with ``columns`` replaced by keyed pseudonyms.

    Parameters
    ----------
    data : str, os.PathLike, pandas/polars/pyarrow table or ibis.Table
        The input (CSV or Parquet file, folder or glob of Parquet files, or a table);
        any number of rows, streamed in Arrow batches.
    columns : str or sequence of str
        Columns to pseudonymise (``"email,phone"`` or a list). Text, integer, decimal,
        floating-point, boolean, date or timestamp columns; their text form is hashed.
    key : SecretKey
        The pseudonymisation key (:func:`fairmark.privacy.protect.keys.load_key`).
    out : str or os.PathLike
        Output file: ``.parquet`` or ``.csv``. Written whole or not at all.
    normalize : str, sequence of str or None
        ``"trim"``, ``"lowercase"`` or both (see :func:`pseudonymize_value`).

    Returns
    -------
    PseudonymizeResult

    Raises
    ------
    UsageError
        No column named, unknown normalisation, bad output path (unknown extension,
        missing folder, the input itself), or the key file lies inside the output folder.
    DataError
        The input cannot be read, a column is missing, or a column's type has no exact
        text form (binary, nested, time of day, duration).

    Notes
    -----
    Other columns pass through unchanged (a CSV input is read as text). The pseudonymised
    columns become text (64 hex digits). Source: RFC 2104; GDPR Art. 4(5), Art. 25(1)
    (pseudonymisation as a data-protection-by-design measure), Art. 32(1)(a).
    """
    names = parse_columns(columns)
    norm = parse_normalize(normalize)
    key = _check_key(key)
    path = output_path(out, data)
    check_key_apart(key, path, option="--key")
    source = open_input(data)
    require_columns(source.schema, names, "column to pseudonymise")
    check_text_convertible(source.schema, names, "column to pseudonymise")
    reader = source.reader()
    schema = pa.schema(
        [pa.field(f.name, pa.string()) if f.name in names else f for f in reader.schema]
    )
    base = hmac.new(key.material, digestmod=hashlib.sha256)
    n_rows = n_values = n_nulls = n_empty = 0
    with AtomicTableWriter(path, schema) as writer:
        for batch in batches(reader):
            arrays = []
            for name in schema.names:
                column = batch.column(name)
                if name not in names:
                    arrays.append(column)
                    continue
                out_values: list[str | None] = []
                for value in as_text(column):
                    if value is None:
                        out_values.append(None)
                        n_nulls += 1
                        continue
                    text = _normalise(value, norm)
                    if not text:
                        out_values.append("")
                        n_empty += 1
                        continue
                    mac = base.copy()
                    mac.update(text.encode("utf-8"))
                    out_values.append(mac.hexdigest())
                    n_values += 1
                arrays.append(pa.array(out_values, pa.string()))
            writer.write(pa.RecordBatch.from_arrays(arrays, schema=schema))
            n_rows += batch.num_rows
    return PseudonymizeResult(
        source=source.description,
        out=str(path),
        out_format=output_format(path),
        columns=names,
        normalize=norm,
        key_id=key.key_id,
        n_rows=n_rows,
        n_values=n_values,
        n_nulls=n_nulls,
        n_empty=n_empty,
    )
