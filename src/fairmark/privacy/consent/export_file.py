"""Read a consent platform's export (CSV or JSON) into ledger rows, checked in the engine.

Column mapping
--------------
Header names are matched case-insensitively; ``columns={"subject_id": "CustomerID", …}``
maps a ledger field to a differently named column.

============== ======== ==============================================================
field          required meaning
============== ======== ==============================================================
subject_id     yes      the data subject's id (kept as text, exactly as written)
purpose        yes [1]  fideslang data use (``marketing.communications.email``)
state          yes [1]  ``granted``, ``denied``, ``withdrawn`` or ``objected``
timestamp      yes      when the choice was made, ISO 8601 **with a UTC offset**
                        (``2025-03-01T10:00:00+01:00``, ``…Z``); a timestamp without
                        offset is an error naming the row unless ``timezone`` is given
                        (alias ``occurred_at``)
lawful_basis   [2]      one of the six GDPR Art. 6(1) bases: ``consent``, ``contract``,
                        ``legal_obligation``, ``vital_interests``, ``public_task``,
                        ``legitimate_interests``
source         no       who recorded it (default: the ``source`` argument, else
                        ``import:<file name>``)
expiry         no       when a granted consent lapses, ISO 8601 with offset (alias
                        ``expires_at``); must be after ``timestamp``
jurisdiction   no       ``EU``, ISO 3166-1 alpha-2 (``DE``) or ISO 3166-2 (``US-CA``)
raw_signal     no       the signal as received (stored as it is, not decoded)
signal         no       the field of the signal that decided
vendor         no       the vendor the choice is about (an IAB GVL id or a name)
age            no       age in years at ``timestamp``; under 16 marks a minor
is_minor       no       ``true``/``false`` (``yes``/``no``, ``1``/``0``); wins over ``age``
consent_string no       a TCF, GPP or US Privacy string (or ``Sec-GPC: 1``), decoded
                        with :func:`fairmark.consent.ledger_entries` into one event per
                        purpose (and vendor); such a row leaves ``purpose`` and
                        ``state`` empty
============== ======== ==============================================================

[1] unless the row has a ``consent_string``. [2] required for ``granted`` outside a US
jurisdiction (US state laws are opt-out regimes).

Every rule is checked in DuckDB before anything is written; the first offending row is
named (1-based data row, the header not counted) with how many rows share the problem.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fairmark.errors import DataError, UsageError
from fairmark.privacy.consent.model import MINOR_AGE, ConsentState, LawfulBasis
from fairmark.privacy.consent.purposes import DATA_USES, check_purpose
from fairmark.privacy.consent.timestamps import (
    OFFSET_PATTERN,
    VALID_OFFSET_PATTERN,
    check_timezone,
)

__all__ = ["FIELDS", "ExportFile", "open_export"]

FIELDS: tuple[str, ...] = (
    "subject_id",
    "purpose",
    "state",
    "timestamp",
    "lawful_basis",
    "source",
    "expiry",
    "jurisdiction",
    "raw_signal",
    "signal",
    "vendor",
    "age",
    "is_minor",
    "consent_string",
)
"""Ledger fields an export may hold (module docstring)."""

_ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "occurred_at"),
    "expiry": ("expiry", "expires_at"),
}
_CSV = {".csv", ".tsv", ".txt"}
_JSON = {".json", ".jsonl", ".ndjson"}
BATCH_ROWS = 50_000
_TRUE = "('true', 't', 'yes', 'y', '1')"
_FALSE = "('false', 'f', 'no', 'n', '0')"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        return suffixes[0] if len(suffixes) == 2 else ""
    return suffixes[-1] if suffixes else ""


def _read(con: Any, path: Path) -> dict[str, str]:
    import duckdb

    kind = _suffix(path)
    if kind in _CSV:
        scan = f"read_csv({_lit(str(path))}, all_varchar = true, header = true)"
    elif kind in _JSON:
        scan = f"read_json({_lit(str(path))}, format = 'auto')"
    else:
        raise DataError(
            f"cannot import {str(path)!r}: unknown file type {path.suffix or '(none)'!r}; "
            "expected .csv, .tsv, .json, .jsonl or .ndjson"
        )
    try:
        con.execute(f"CREATE TEMP TABLE fm_export AS SELECT * FROM {scan}")
    except (duckdb.Error, OSError, UnicodeDecodeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(f"cannot read {str(path)!r} as {kind.lstrip('.')}: {first}") from None
    return {row[0]: str(row[1]) for row in con.execute("DESCRIBE fm_export").fetchall()}


def _map_columns(
    available: list[str], columns: Mapping[str, str] | None
) -> tuple[dict[str, str], tuple[str, ...]]:
    given = dict(columns or {})
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise UsageError(
            f"column mapping names unknown ledger field(s) {', '.join(unknown)}; expected "
            f"fields among {', '.join(FIELDS)}"
        )
    by_lower: dict[str, str] = {}
    for name in available:
        by_lower.setdefault(name.strip().lower(), name)
    mapping: dict[str, str] = {}
    for fld in FIELDS:
        if fld in given:
            if given[fld] not in available:
                shown = ", ".join(available[:40])
                raise DataError(
                    f"column {given[fld]!r} (mapped to {fld}) not found; available columns: "
                    f"{shown}"
                )
            mapping[fld] = given[fld]
            continue
        for alias in _ALIASES.get(fld, (fld,)):
            if alias in by_lower:
                mapping[fld] = by_lower[alias]
                break
    needed = ["subject_id", "timestamp"]
    if "consent_string" not in mapping:
        needed += ["purpose", "state"]
    missing = [f for f in needed if f not in mapping]
    if missing:
        raise DataError(
            f"the export has no {', '.join(missing)} column; available columns: "
            f"{', '.join(available[:40])}; expected the fields subject_id, purpose, state, "
            "timestamp (or a consent_string instead of purpose and state), or map them "
            "with --column FIELD=COLUMN"
        )
    ignored = tuple(c for c in available if c not in mapping.values())
    return mapping, ignored


def _col(mapping: dict[str, str], fld: str) -> str:
    """Trimmed text of a mapped field, NULL when absent or blank."""
    if fld not in mapping:
        return "CAST(NULL AS VARCHAR)"
    return f"nullif(trim(CAST({_q(mapping[fld])} AS VARCHAR)), '')"


_WHOLE_NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                       "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")


def _whole_text(number: str) -> str:
    """Digits of a whole-valued floating-point number, NULL otherwise (``1003.0`` → ``1003``)."""
    return (
        f"CASE WHEN isfinite({number}) AND {number} = trunc({number}) "
        f"THEN CAST(CAST({number} AS HUGEINT) AS VARCHAR) END"
    )


def _subject_sql(mapping: dict[str, str], types: Mapping[str, str]) -> tuple[str, str]:
    """SQL for the subject id as plain text, and for "its value is not a string or whole number".

    A JSON export may mix strings and numbers in one field; DuckDB then types the column
    ``JSON`` and a plain cast would keep the JSON quotes (``"J1"``). Strings are taken as
    written (trimmed, as in CSV), integers as their digits, whole-valued floats
    (``1003.0``) as the integer's digits; anything else (list, object, boolean, ``1.5``) is
    an error naming the row (RFC 8259 §6-7 for the JSON value kinds).
    """
    column = _q(mapping["subject_id"])
    kind = types.get(mapping["subject_id"], "VARCHAR").upper()
    if kind == "JSON":
        jt = f"json_type({column})"
        text = (
            f"CASE WHEN {jt} = 'VARCHAR' THEN nullif(trim({column} ->> '$'), '') "
            f"WHEN {jt} IN ('BIGINT', 'UBIGINT', 'HUGEINT') THEN {column} ->> '$' "
            f"WHEN {jt} = 'DOUBLE' THEN {_whole_text(f'CAST({column} AS DOUBLE)')} END"
        )
        bad = (
            f"({column} IS NOT NULL AND {jt} <> 'NULL' AND "
            f"({jt} NOT IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE') "
            f"OR ({jt} = 'DOUBLE' AND ({text}) IS NULL)))"
        )
        return text, bad
    if kind in ("DOUBLE", "FLOAT", "REAL") or kind.startswith("DECIMAL"):
        number = f"CAST({column} AS DOUBLE)"
        text = _whole_text(number)
        return text, f"({column} IS NOT NULL AND ({text}) IS NULL)"
    if kind == "VARCHAR" or kind in _WHOLE_NUMBER_TYPES:
        return _col(mapping, "subject_id"), "FALSE"
    return "CAST(NULL AS VARCHAR)", f"({column} IS NOT NULL)"


def _instant(text: str, timezone: str | None) -> str:
    has_offset = f"regexp_matches({text}, {_lit(OFFSET_PATTERN)})"
    naive = "NULL" if timezone is None else (
        f"timezone({_lit(timezone)}, TRY_CAST({text} AS TIMESTAMP))"
    )
    return (
        f"CASE WHEN {text} IS NULL THEN NULL WHEN {has_offset} "
        f"THEN TRY_CAST({text} AS TIMESTAMPTZ) ELSE {naive} END"
    )


_PROBLEMS: dict[str, str] = {
    "no_subject": "subject_id is empty; expected the data subject's id",
    "bad_subject": (
        "subject_id {value} is not a string or a whole number; expected the data subject's "
        "id as text or an integer"
    ),
    "signal_and_state": (
        "has both a consent_string and a purpose or state; expected either a consent_string "
        "or purpose and state"
    ),
    "no_purpose": "purpose is empty; expected a fideslang data use",
    "bad_purpose": "purpose {value!r} is not a fideslang data use",
    "no_state": "state is empty; expected one of {states}",
    "bad_state": "state {value!r} is unknown; expected one of {states}",
    "bad_basis": (
        "lawful_basis {value!r} is unknown; expected one of the six GDPR Art. 6(1) bases: "
        "{bases}"
    ),
    "no_timestamp": "timestamp is empty; expected an ISO 8601 timestamp with offset",
    "bad_offset": (
        "timestamp {value!r} has an invalid UTC offset; expected an offset from -23:59 to "
        "+23:59 (hours 00-23, minutes 00-59), e.g. 2025-03-01T10:00:00+01:00"
    ),
    "bad_expiry_offset": (
        "expiry {value!r} has an invalid UTC offset; expected an offset from -23:59 to "
        "+23:59 (hours 00-23, minutes 00-59), e.g. 2026-03-01T00:00:00+01:00"
    ),
    "naive_timestamp": (
        "timestamp {value!r} has no UTC offset; expected e.g. 2025-03-01T10:00:00+01:00 or "
        "...Z, or name the time zone explicitly (--timezone Europe/Berlin)"
    ),
    "bad_timestamp": (
        "timestamp {value!r} is not an ISO 8601 timestamp; expected e.g. "
        "2025-03-01T10:00:00+01:00"
    ),
    "naive_expiry": (
        "expiry {value!r} has no UTC offset; expected e.g. 2026-03-01T00:00:00Z, or name the "
        "time zone explicitly (--timezone)"
    ),
    "bad_expiry": "expiry {value!r} is not an ISO 8601 timestamp; expected e.g. 2026-03-01T00:00Z",
    "expiry_not_after": "expiry {value!r} is not after the timestamp; expected a later expiry",
    "bad_jurisdiction": (
        "jurisdiction {value!r} is malformed; expected EU, a country code (DE) or a "
        "subdivision code (US-CA)"
    ),
    "bad_age": "age {value!r} is not a whole number of years from 0 to 150",
    "bad_minor": "is_minor {value!r} is not a yes/no value; expected true or false",
    "minor_vs_age": (
        "is_minor {value!r} contradicts the age; expected one of them, or both agreeing"
    ),
    "granted_no_basis": (
        "state granted without a lawful_basis outside a US jurisdiction; expected one of "
        "{bases} (GDPR Art. 6(1))"
    ),
}
_VALUE_FIELD = {
    "bad_subject": "subject_raw",
    "bad_offset": "ts_text",
    "bad_expiry_offset": "exp_text",
    "bad_purpose": "purpose",
    "bad_state": "state",
    "bad_basis": "lawful_basis",
    "naive_timestamp": "ts_text",
    "bad_timestamp": "ts_text",
    "naive_expiry": "exp_text",
    "bad_expiry": "exp_text",
    "expiry_not_after": "exp_text",
    "bad_jurisdiction": "jurisdiction",
    "bad_age": "age_text",
    "bad_minor": "minor_text",
    "minor_vs_age": "minor_text",
}


def _bad_offset(text: str) -> str:
    return (
        f"({text} IS NOT NULL AND regexp_matches({text}, {_lit(OFFSET_PATTERN)}) "
        f"AND NOT regexp_matches({text}, {_lit(VALID_OFFSET_PATTERN)}))"
    )


def _normalise_sql(
    mapping: dict[str, str], timezone: str | None, types: Mapping[str, str] | None = None
) -> str:
    states = ", ".join(_lit(s.value) for s in ConsentState)
    bases = ", ".join(_lit(b.value) for b in LawfulBasis)
    uses = "[" + ", ".join(_lit(u) for u in sorted(DATA_USES)) + "]"
    us = "(jurisdiction = 'US' OR jurisdiction LIKE 'US-%')"
    minor = f"lower({_col(mapping, 'is_minor')})"
    has_signal = "consent_string IS NOT NULL"
    problem = (
        "CASE "
        "WHEN subject_bad THEN 'bad_subject' "
        "WHEN subject_id IS NULL THEN 'no_subject' "
        f"WHEN {has_signal} AND (purpose IS NOT NULL OR state IS NOT NULL) "
        "THEN 'signal_and_state' "
        f"WHEN NOT {has_signal} AND purpose IS NULL THEN 'no_purpose' "
        f"WHEN NOT {has_signal} AND NOT list_contains({uses}, purpose) THEN 'bad_purpose' "
        f"WHEN NOT {has_signal} AND state IS NULL THEN 'no_state' "
        f"WHEN NOT {has_signal} AND state NOT IN ({states}) THEN 'bad_state' "
        f"WHEN lawful_basis IS NOT NULL AND lawful_basis NOT IN ({bases}) THEN 'bad_basis' "
        "WHEN ts_text IS NULL THEN 'no_timestamp' "
        f"WHEN {_bad_offset('ts_text')} THEN 'bad_offset' "
        f"WHEN {_bad_offset('exp_text')} THEN 'bad_expiry_offset' "
        f"WHEN occurred_at IS NULL AND NOT regexp_matches(ts_text, {_lit(OFFSET_PATTERN)}) "
        f"AND {timezone is None} THEN 'naive_timestamp' "
        "WHEN occurred_at IS NULL THEN 'bad_timestamp' "
        f"WHEN exp_text IS NOT NULL AND expires_at IS NULL "
        f"AND NOT regexp_matches(exp_text, {_lit(OFFSET_PATTERN)}) AND {timezone is None} "
        "THEN 'naive_expiry' "
        "WHEN exp_text IS NOT NULL AND expires_at IS NULL THEN 'bad_expiry' "
        "WHEN expires_at IS NOT NULL AND expires_at <= occurred_at THEN 'expiry_not_after' "
        "WHEN jurisdiction IS NOT NULL AND NOT regexp_matches(jurisdiction, "
        "'^(EU|[A-Z]{2}(-[A-Z0-9]{1,3})?)$') THEN 'bad_jurisdiction' "
        "WHEN age_text IS NOT NULL AND (age IS NULL OR age < 0 OR age > 150) THEN 'bad_age' "
        "WHEN minor_text IS NOT NULL AND minor_flag IS NULL THEN 'bad_minor' "
        "WHEN minor_flag IS NOT NULL AND age IS NOT NULL "
        f"AND minor_flag <> (age < {MINOR_AGE}) THEN 'minor_vs_age' "
        f"WHEN state = 'granted' AND lawful_basis IS NULL AND NOT coalesce({us}, FALSE) "
        "THEN 'granted_no_basis' "
        "ELSE NULL END"
    )
    subject, subject_bad = _subject_sql(mapping, types or {})
    inner = (
        "SELECT rowid + 1 AS _row, "
        f"{subject} AS subject_id, "
        f"{subject_bad} AS subject_bad, "
        f"CAST({_q(mapping['subject_id'])} AS VARCHAR) AS subject_raw, "
        f"{_col(mapping, 'purpose')} AS purpose, "
        f"lower({_col(mapping, 'state')}) AS state, "
        f"lower({_col(mapping, 'lawful_basis')}) AS lawful_basis, "
        f"{_col(mapping, 'source')} AS source, "
        f"{_col(mapping, 'timestamp')} AS ts_text, "
        f"{_instant(_col(mapping, 'timestamp'), timezone)} AS occurred_at, "
        f"{_col(mapping, 'expiry')} AS exp_text, "
        f"{_instant(_col(mapping, 'expiry'), timezone)} AS expires_at, "
        f"upper({_col(mapping, 'jurisdiction')}) AS jurisdiction, "
        f"{_col(mapping, 'raw_signal')} AS raw_signal, "
        f"{_col(mapping, 'signal')} AS signal, "
        f"{_col(mapping, 'vendor')} AS vendor, "
        f"{_col(mapping, 'age')} AS age_text, "
        f"TRY_CAST({_col(mapping, 'age')} AS INTEGER) AS age, "
        f"{_col(mapping, 'is_minor')} AS minor_text, "
        f"CASE WHEN {minor} IN {_TRUE} THEN TRUE WHEN {minor} IN {_FALSE} THEN FALSE END "
        "AS minor_flag, "
        f"{_col(mapping, 'consent_string')} AS consent_string "
        "FROM fm_export"
    )
    return (
        f"CREATE TEMP TABLE fm_norm AS SELECT *, {problem} AS problem, "
        f"coalesce(minor_flag, age < {MINOR_AGE}) AS is_minor FROM ({inner})"
    )


@dataclass
class ExportFile:
    """A checked export in DuckDB, ready to stream as ledger rows.

    Attributes
    ----------
    path : Path
    n_rows : int
        Data rows.
    n_signal_rows : int
        Rows with a consent string.
    columns : dict
        ``field -> file column``.
    ignored_columns : tuple of str
    con : duckdb.DuckDBPyConnection
        Holds the table ``fm_norm``; closed by :meth:`close`.
    """

    path: Path
    n_rows: int
    n_signal_rows: int
    columns: dict[str, str]
    ignored_columns: tuple[str, ...]
    con: Any = field(repr=False)

    def close(self) -> None:
        """Release the DuckDB connection."""
        self.con.close()

    def rows(
        self, *, import_id: str, recorded_at: str, source: str, vendors: bool = True
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Yield batches of ``consent_events`` rows in file order (consent strings expanded).

        Parameters
        ----------
        import_id : str
        recorded_at : str
            UTC text of the import instant.
        source : str
            Source of rows without one.
        vendors : bool
            Also record the per-vendor events of TCF strings.

        Raises
        ------
        DataError
            A consent string cannot be decoded (names the row).
        """
        fmt = "'%Y-%m-%d %H:%M:%S.%f'"
        reader = self.con.sql(
            "SELECT _row, subject_id, purpose, vendor, state, lawful_basis, source, "
            f"strftime(occurred_at AT TIME ZONE 'UTC', {fmt}), "
            f"strftime(expires_at AT TIME ZONE 'UTC', {fmt}), jurisdiction, raw_signal, "
            "signal, is_minor, consent_string FROM fm_norm ORDER BY _row"
        ).to_arrow_reader(BATCH_ROWS)
        for batch in reader:
            cols = [c.to_pylist() for c in batch.columns]
            out: list[tuple[Any, ...]] = []
            for row, subj, purp, vend, state, basis, src, occ, exp, jur, raw, sig, minor, cs in (
                zip(*cols, strict=True)
            ):
                if cs is None:
                    out.append((import_id, row, subj, purp, vend, state, basis, src or source,
                                occ, recorded_at, exp, jur, raw, sig, minor))
                    continue
                for e in _decoded(cs, vendors, row):
                    out.append((import_id, row, subj, e[0], e[1], e[2], e[3], e[4], occ,
                                recorded_at, exp, e[5], e[6], e[7], minor))
            if out:
                yield out


def _decoded(string: str, vendors: bool, row: int) -> tuple[tuple[Any, ...], ...]:
    try:
        return _decode_cached(string, vendors)
    except (DataError, UsageError) as exc:
        raise DataError(f"row {row}: consent_string cannot be decoded: {exc.message}") from None


@lru_cache(maxsize=4096)
def _decode_cached(string: str, vendors: bool) -> tuple[tuple[Any, ...], ...]:
    """Ledger entries of one consent string: refusals first, grants last (see ``decide``)."""
    from fairmark.consent import gpc_from_header, ledger_entries

    signal: Any = string
    if string.lower().replace(" ", "").startswith("sec-gpc:"):
        signal = gpc_from_header(string.split(":", 1)[1].strip())
    entries = ledger_entries(signal, vendors=vendors)
    entries.sort(key=lambda e: e["state"] == "granted")
    return tuple(
        (
            e["purpose"],
            None if e["vendor"] is None else str(e["vendor"]),
            e["state"],
            e["lawful_basis"],
            e["source"],
            e["jurisdiction"],
            e["raw_signal"],
            e["signal"],
        )
        for e in entries
    )


def _first_problem(con: Any, path: Path) -> None:
    row = con.execute(
        "SELECT _row, problem, purpose, state, lawful_basis, ts_text, exp_text, jurisdiction, "
        "age_text, minor_text, subject_raw, count(*) OVER () FROM fm_norm "
        "WHERE problem IS NOT NULL "
        "ORDER BY _row LIMIT 1"
    ).fetchone()
    if row is None:
        return
    names = ("purpose", "state", "lawful_basis", "ts_text", "exp_text", "jurisdiction",
             "age_text", "minor_text", "subject_raw")
    values = dict(zip(names, row[2:11], strict=True))
    code, n = row[1], int(row[11])
    value = values.get(_VALUE_FIELD.get(code, ""), None)
    message = _PROBLEMS[code].format(
        value=value,
        states=", ".join(s.value for s in ConsentState),
        bases=", ".join(b.value for b in LawfulBasis),
    )
    if code == "bad_purpose":
        try:
            check_purpose(value)
        except UsageError as exc:
            message = exc.message.removeprefix("purpose ")
            message = f"purpose {message}"
    more = f" (and {n - 1:,} more row(s) with this or another problem)" if n > 1 else ""
    raise DataError(f"row {row[0]} of {path.name}: {message}{more}; nothing was imported")


def open_export(
    path: str | os.PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
) -> ExportFile:
    """Read and check a consent export (module docstring) in DuckDB.

    Parameters
    ----------
    path : str or os.PathLike
        ``.csv``/``.tsv`` (header row, any delimiter DuckDB sniffs; every value read as
        text) or ``.json``/``.jsonl``/``.ndjson`` (an array of objects or one object per
        line); ``.gz`` allowed.
    columns : mapping, optional
        ``ledger field -> file column`` for differently named columns.
    timezone : str, optional
        IANA time zone for timestamps without offset (default: such timestamps are an error).

    Returns
    -------
    ExportFile
        Close it when done.

    Raises
    ------
    DataError
        The file is missing, empty, unreadable or of an unknown type; a required column is
        missing; a row breaks a rule (the first such row is named, with the count).
    UsageError
        ``columns`` names an unknown field; ``timezone`` is unknown.
    """
    import duckdb

    check_timezone(timezone)
    p = Path(os.fspath(path))
    if not p.is_file():
        raise DataError(f"cannot import {str(p)!r}: no such file")
    if p.stat().st_size == 0:
        raise DataError(f"cannot import {str(p)!r}: the file is empty")
    con = duckdb.connect()
    try:
        types = _read(con, p)
        mapping, ignored = _map_columns(list(types), columns)
        con.execute(_normalise_sql(mapping, timezone, types))
        n_rows, n_signal = con.execute(
            "SELECT count(*), count(consent_string) FROM fm_norm"
        ).fetchone()
        if n_rows == 0:
            raise DataError(f"cannot import {str(p)!r}: the export has no data rows")
        _first_problem(con, p)
    except BaseException:
        con.close()
        raise
    return ExportFile(p, int(n_rows), int(n_signal), mapping, ignored, con)
