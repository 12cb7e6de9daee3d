"""Turn a customer list into a platform's match-key upload file: :func:`prepare_audience`.

The list is read by the data engine (every column as text, so no leading zero or ``+``
is lost to type guessing) and streamed in Arrow record batches; each identifier is
normalised and hashed as the platform asks (:mod:`fairmark.privacy.audience.match_key`);
values that cannot be normalised are reported by row, field and reason and left out,
never hashed raw; rows without a usable identifier are reported and left out; identical
rows are counted and written once. The upload file is written atomically (a temporary
file in the same folder, then a rename), and only when the expected matched audience
(unique rows × assumed match rate) reaches the platform minimum, judged by the policy
check ``privacy.min_audience_size``.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fairmark.errors import DataError, UsageError
from fairmark.privacy.audience.columns import Slot, SourceColumn, map_columns
from fairmark.privacy.audience.lint_names import lint_audience_text
from fairmark.privacy.audience.match_key import check_region, hash_key, normalise_for
from fairmark.privacy.audience.normalise import NormalisationError
from fairmark.privacy.audience.profiles import PlatformProfile, get_profile
from fairmark.privacy.audience.result import (
    AudienceResult,
    ColumnMapping,
    FieldCounts,
    KeyField,
    Rejection,
    RejectionCount,
    mask_shape,
)

__all__ = ["FLOOR_RULE_ID", "prepare_audience"]

FLOOR_RULE_ID = "audience-platform-minimum"
"""Id of the blocking rule fairmark adds when the policy has none for the check."""

_CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".dat", ".data", ""}
_BATCH_ROWS = 65_536


@dataclass
class _Tally:
    """Running counts of one upload column."""

    values: int = 0
    normalised: int = 0
    already_hashed: int = 0
    rejected: int = 0
    empty: int = 0


@dataclass
class _Pass:
    """Everything counted while streaming the list."""

    n_rows: int = 0
    n_matchable: int = 0
    n_rejections: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    by_reason: dict[tuple[str, str], int] = field(default_factory=dict)
    tallies: dict[int, _Tally] = field(default_factory=dict)


def prepare_audience(
    data: Any,
    *,
    platform: str,
    out: str | os.PathLike[str],
    region: str | None = None,
    name: str | None = None,
    description: str | None = None,
    policy: Any = None,
    assumed_match_rate: float | None = None,
    min_size: int | None = None,
    rejection_limit: int = 1000,
    batch_rows: int = _BATCH_ROWS,
) -> AudienceResult:
    """Normalise, hash and check a customer list; write the platform's upload file.

    Parameters
    ----------
    data : str, os.PathLike, pandas/polars/pyarrow table or ibis.Table
        The list, one row per person, with a header row. CSV files are read with every
        column as text. Any table :func:`fairmark.engine.source.as_table` accepts works;
        numeric columns are turned into text in the engine (a warning says leading zeros
        may already be lost).
    platform : {"meta", "google", "tiktok", "x", "linkedin"}
    out : str or os.PathLike
        The upload CSV to write (its folder must exist). Replaced atomically; not
        written at all when the list is refused.
    region : str, optional
        Default country (ISO 3166-1 alpha-2) of phone numbers without a country code, of
        postal codes and of states. Without it such phone numbers are rejected.
    name, description : str, optional
        The audience's name and description on the platform; linted for terms that
        suggest health, financial or other sensitive status (not uploaded).
    policy : str, os.PathLike or fairmark.policy.Policy, optional
        Policy file (default: the built-in policy). Its ``settings.audience`` sets the
        assumed match rate and per-platform minimum; its ``privacy.min_audience_size``
        rules judge the size. When it has no blocking rule for that check, fairmark adds
        one requiring ``min: 1.0`` (the platform minimum).
    assumed_match_rate : float, optional
        Share of unique rows the platform is assumed to match, in (0, 1]; overrides the
        policy (default 0.5).
    min_size : int, optional
        Minimum matched audience; overrides the policy and the platform default
        (:data:`fairmark.policy.model.DEFAULT_AUDIENCE_MIN_SIZE`).
    rejection_limit : int
        How many rejections are kept in detail (all are counted).
    batch_rows : int
        Rows per Arrow record batch.

    Returns
    -------
    AudienceResult
        ``written`` is ``False`` (and nothing is written) when the verdict is ``fail`` or
        ``insufficient_evidence``.

    Raises
    ------
    UsageError
        Unknown platform (the message lists them) or region; a header with no
        identifier column (the message names the headers found and those expected);
        columns that cannot identify a person; a bad ``out`` path; a match rate outside
        (0, 1]; a minimum below 1.
    DataError
        The list cannot be read.
    PolicyError
        The policy file is malformed.

    Notes
    -----
    Row numbers in rejections are 1-based data rows (1 = the first row after the
    header). Identical rows are those equal after normalisation and hashing, so
    ``John@X.com`` and ``john@x.com`` count once. Sources of every rule:
    :mod:`fairmark.privacy.audience.profiles`; minimum sizes: the platforms' help pages
    (:data:`fairmark.policy.model.DEFAULT_AUDIENCE_MIN_SIZE`).
    """
    profile = get_profile(platform)
    region = check_region(region)
    out_path = _check_out(out, data)
    rate, minimum, pol = _settings(policy, profile.platform, assumed_match_rate, min_size)
    if rejection_limit < 0:
        raise UsageError(f"rejection_limit is {rejection_limit}; expected 0 or more")
    lint = lint_audience_text(name, description)
    table, described, numeric = _read(data)
    headers = list(table.columns)
    sources, slots, ignored = map_columns(headers, profile, described)

    workdir = Path(tempfile.mkdtemp(prefix=".fairmark-audience-", dir=out_path.parent))
    try:
        parts = workdir / "rows.parquet"
        batches = _batches(table, batch_rows, described)
        tally = _stream(batches, sources, slots, profile, region, parts, rejection_limit)
        body = workdir / "body.csv"
        n_unique = _dedupe(parts, len(slots), body, table)
        result = _result(
            profile=profile,
            region=region,
            described=described,
            name=name,
            description=description,
            sources=sources,
            slots=slots,
            ignored=ignored,
            numeric=numeric,
            tally=tally,
            n_unique=n_unique,
            rate=rate,
            minimum=minimum,
            lint=lint,
            rejection_limit=rejection_limit,
        )
        result = _judge(result, pol)
        if result.exit_code == 0:
            staged = workdir / "upload.csv"
            _assemble(staged, [s.header for s in slots], body)
            os.replace(staged, out_path)
            result = replace(result, written=True, output_path=str(out_path))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def _check_out(out: Any, data: Any) -> Path:
    if out is None or str(out).strip() == "":
        raise UsageError("no output file given; expected --out FILE.csv")
    path = Path(out)
    if path.is_dir():
        raise UsageError(f"--out {str(out)!r} is a folder; expected a file path such as list.csv")
    if not path.parent.is_dir():
        raise UsageError(
            f"--out {str(out)!r}: folder {str(path.parent)!r} does not exist; create it first"
        )
    if not os.access(path.parent, os.W_OK):
        raise UsageError(f"--out {str(out)!r}: folder {str(path.parent)!r} is not writable")
    if isinstance(data, str | os.PathLike) and Path(data).exists():
        if path.exists() and path.resolve() == Path(data).resolve():
            raise UsageError(
                f"--out {str(out)!r} is the input list itself; expected a different file"
            )
    return path


def _settings(
    policy: Any, platform: str, rate: float | None, minimum: int | None
) -> tuple[float, int, Any]:
    from fairmark.policy import Policy, load_policy

    if isinstance(policy, Policy):
        pol = policy
    else:
        pol = _default_policy() if policy is None else load_policy(policy)
    audience = pol.settings.audience
    chosen_rate = audience.assumed_match_rate if rate is None else rate
    if isinstance(chosen_rate, bool) or not 0 < float(chosen_rate) <= 1:
        raise UsageError(
            f"assumed match rate is {chosen_rate!r}; expected a share in (0, 1], e.g. 0.5"
        )
    chosen_min = audience.min_size_for(platform) if minimum is None else minimum
    if isinstance(chosen_min, bool) or int(chosen_min) != chosen_min or chosen_min < 1:
        raise UsageError(f"minimum audience size is {chosen_min!r}; expected a whole number >= 1")
    return float(chosen_rate), int(chosen_min), pol


@cache
def _default_policy() -> Any:
    """The built-in policy, read once per process (it is a frozen model of a packaged file)."""
    from fairmark.policy import load_policy

    return load_policy("default")


def _read(data: Any) -> tuple[Any, str, frozenset[str]]:
    """Return the table with every column as text, its description and numeric columns."""
    import ibis

    from fairmark.engine.source import as_table

    source = as_table(data)
    table = source.table
    described = str(data) if isinstance(data, str | os.PathLike) else source.description
    if isinstance(data, str | os.PathLike) and _is_csv(Path(data)):
        import duckdb

        try:  # re-read as text with a header row: no sniffed types, no lost leading zeros
            table = table._find_backend().read_csv(str(data), header=True, all_varchar=True)
        except duckdb.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DataError(f"cannot read {described!r} as csv: {first}") from None
    numeric = frozenset(name for name, dtype in table.schema().items() if dtype.is_numeric())
    columns = {}
    for name, dtype in table.schema().items():
        col = table[name]
        if dtype.is_string():
            columns[name] = col
        elif dtype.is_floating():  # 442079460958.0 -> "442079460958"
            as_int = col.try_cast("int64")
            is_whole = as_int.notnull() & (as_int.cast("float64") == col)
            columns[name] = ibis.cases((is_whole, as_int.cast("string")), else_=col.cast("string"))
        else:
            columns[name] = col.cast("string")
    return table.select(**columns), described, numeric


def _is_csv(path: Path) -> bool:
    if not path.is_file():
        return False
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else "") in _CSV_SUFFIXES


def _batches(table: Any, rows: int, described: str) -> Iterator[Any]:
    """Arrow record batches of ``table``, streamed from its backend.

    Raises
    ------
    DataError
        When the engine cannot read a part of the list (a bad line met after the part the
        CSV sniffer sampled).
    """
    iterator: Iterator[Any] | None = None
    while True:
        try:
            if iterator is None:
                iterator = iter(_reader(table, rows))
            batch = next(iterator)
        except StopIteration:
            return
        except _read_errors() as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DataError(f"cannot read {described!r}: {first}") from None
        yield batch


def _reader(table: Any, rows: int) -> Any:
    backend = table._find_backend()
    if backend.name == "duckdb":  # ibis 12's duckdb batch reader predates duckdb 2.0's API
        backend.con.execute("SET enable_progress_bar = false")  # nothing on stdout
        relation = backend.con.sql(backend.compile(table))
        if hasattr(relation, "to_arrow_reader"):  # duckdb 2.x
            return relation.to_arrow_reader(rows)
        return relation.record_batch(rows)  # pragma: no cover - older duckdb
    return table.to_pyarrow_batches(chunk_size=rows)


def _read_errors() -> tuple[type[BaseException], ...]:
    """Errors the engine raises for unreadable data while streaming."""
    import duckdb
    import pyarrow as pa

    return (duckdb.Error, pa.ArrowException, OSError)


def _stream(
    batches: Iterator[Any],
    sources: list[SourceColumn],
    slots: list[Slot],
    profile: PlatformProfile,
    region: str | None,
    parts: Path,
    limit: int,
) -> _Pass:
    """Normalise every row; write matchable rows to ``parts`` (Parquet); count the rest."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(f"c{i}", pa.string()) for i in range(len(slots))])
    tally = _Pass(tallies={i: _Tally() for i, s in enumerate(slots) if s.field})
    rules = {s.field: profile.rule(s.field) for s in slots if s.field}
    with pq.ParquetWriter(parts, schema) as writer:
        for batch in batches:
            columns = {s.position: batch.column(s.position).to_pylist() for s in sources}
            kept: list[list[str | None]] = [[] for _ in slots]
            for r in range(batch.num_rows):
                tally.n_rows += 1
                row = _row(tally, sources, columns, r, rules, profile, region, limit, len(slots))
                if row is not None:
                    for i, value in enumerate(row):
                        kept[i].append(value)
            if kept and kept[0]:
                writer.write_table(pa.table(dict(zip(schema.names, kept, strict=True)), schema))
    return tally


def _row(
    tally: _Pass,
    sources: list[SourceColumn],
    columns: dict[int, list[Any]],
    r: int,
    rules: dict[str, Any],
    profile: PlatformProfile,
    region: str | None,
    limit: int,
    width: int,
) -> list[str | None] | None:
    """Normalise one row; return its upload values, or ``None`` when it is left out."""
    row_number = tally.n_rows
    values: list[str | None] = [None] * width
    present: set[str] = set()
    any_value = False
    for source in sources:
        raw = columns[source.position][r]
        if raw is None or not str(raw).strip():
            for slot in source.slots:
                tally.tallies[slot].empty += 1
            continue
        any_value = True
        for k, (target, slot) in enumerate(zip(source.targets, source.slots, strict=True)):
            counts = tally.tallies[slot]
            counts.values += 1
            rule = rules[target]
            try:
                text, already = normalise_for(str(raw), rule, profile, region)
            except NormalisationError as exc:
                counts.rejected += 1
                _reject(
                    tally,
                    row_number,
                    source.field,
                    source.column,
                    exc.code,
                    exc.message,
                    mask_shape(str(raw)),
                    limit,
                )
                if k == 0 and len(source.targets) > 1:  # one date of birth, one rejection
                    for other in source.slots[1:]:
                        tally.tallies[other].values += 1
                        tally.tallies[other].rejected += 1
                    break
                continue
            counts.normalised += 1
            counts.already_hashed += int(already)
            values[slot] = text if (already or not rule.hashed) else hash_key(text)
            present.add(target)
    if not profile.can_match(present):
        if not any_value:
            code, message = "no_identifier", "the row has no identifier value"
        elif not present:
            code, message = "no_valid_identifier", "no identifier of the row could be normalised"
        else:
            code = "not_matchable"
            message = (
                f"the row's usable identifiers cannot identify a person on {profile.platform}; "
                f"expected {profile.match_requirement()}"
            )
        _reject(tally, row_number, "row", None, code, message, None, limit)
        return None
    tally.n_matchable += 1
    return values


def _reject(
    tally: _Pass,
    row: int,
    field_name: str,
    column: str | None,
    code: str,
    message: str,
    masked: str | None,
    limit: int,
) -> None:
    tally.n_rejections += 1
    key = (field_name, code)
    tally.by_reason[key] = tally.by_reason.get(key, 0) + 1
    if len(tally.rejections) < limit:
        tally.rejections.append(Rejection(row, field_name, column, code, message, masked))


def _dedupe(parts: Path, width: int, body: Path, table: Any) -> int:
    """Write the distinct rows of ``parts`` to ``body`` (CSV, no header), sorted; count them.

    DuckDB does the work out of core, so memory does not grow with the list; the list's
    own DuckDB connection is reused when it has one.
    """
    import duckdb

    columns = ", ".join(f"c{i}" for i in range(width))
    source = str(parts).replace("'", "''")
    target = str(body).replace("'", "''")
    sql = (
        f"COPY (SELECT DISTINCT {columns} FROM read_parquet('{source}') "
        f"ORDER BY ALL NULLS FIRST) TO '{target}' (FORMAT csv, HEADER false)"
    )
    backend = table._find_backend()
    if backend.name == "duckdb":
        result = backend.con.execute(sql).fetchone()
    else:
        with duckdb.connect() as con:
            result = con.execute(sql).fetchone()
    return int(result[0]) if result else 0


def _assemble(staged: Path, headers: list[str], body: Path) -> None:
    """Write the header line, then the distinct rows, to ``staged``."""
    with staged.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(headers)
        with body.open("r", encoding="utf-8", newline="") as rows:
            shutil.copyfileobj(rows, handle)


def _result(
    *,
    profile: PlatformProfile,
    region: str | None,
    described: str,
    name: str | None,
    description: str | None,
    sources: list[SourceColumn],
    slots: list[Slot],
    ignored: list[Any],
    numeric: frozenset[str],
    tally: _Pass,
    n_unique: int,
    rate: float,
    minimum: int,
    lint: tuple[Any, ...],
    rejection_limit: int,
) -> AudienceResult:
    columns = tuple(
        ColumnMapping(
            column=s.column,
            field=s.field,
            output_columns=tuple(slots[i].header for i in s.slots),
            hashed=profile.rule(s.targets[0]).hashed,
            numeric_source=s.column in numeric,
        )
        for s in sources
    )
    key_fields = tuple(
        KeyField(
            field=s.field,
            output_column=s.header,
            hashed=profile.rule(s.field).hashed,
            normalisation=profile.rule(s.field).rule,
            source=profile.rule(s.field).source,
            note=profile.rule(s.field).note,
        )
        for s in slots
        if s.field
    )
    fields = tuple(
        FieldCounts(
            slots[i].field,
            slots[i].header,
            t.values,
            t.normalised,
            t.already_hashed,
            t.rejected,
            t.empty,
        )
        for i, t in sorted(tally.tallies.items())
    )
    return AudienceResult(
        run_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        platform=profile.platform,
        platform_title=profile.title,
        platform_doc=profile.doc,
        region=region,
        data_description=described,
        name=name,
        description=description,
        columns=columns,
        ignored_columns=tuple(ignored),
        key_fields=key_fields,
        n_rows=tally.n_rows,
        n_matchable=tally.n_matchable,
        n_rejected_rows=tally.n_rows - tally.n_matchable,
        n_duplicates=tally.n_matchable - n_unique,
        n_unique=n_unique,
        fields=fields,
        rejections=tuple(tally.rejections),
        rejection_counts=tuple(
            RejectionCount(f, reason, n) for (f, reason), n in sorted(tally.by_reason.items())
        ),
        n_rejections=tally.n_rejections,
        rejection_limit=rejection_limit,
        assumed_match_rate=rate,
        min_size=minimum,
        expected_matched_size=n_unique * rate,
        lint=lint,
        warnings=_warnings(columns, fields, tally, rejection_limit),
        written=False,
        output_path=None,
        output_columns=tuple(s.header for s in slots),
    )


def _warnings(
    columns: tuple[ColumnMapping, ...],
    fields: tuple[FieldCounts, ...],
    tally: _Pass,
    limit: int,
) -> tuple[str, ...]:
    notes = [
        f"column {c.column!r} ({c.field}) is numeric in the source: leading zeros and a '+' "
        "may have been lost before fairmark read it; store identifiers as text"
        for c in columns
        if c.numeric_source
    ]
    notes += [
        f"{f.already_hashed:,} {f.field} value(s) in {f.output_column!r} were already SHA-256 "
        "digests and were passed through; fairmark cannot check how they were normalised"
        for f in fields
        if f.already_hashed
    ]
    if tally.n_rejections > len(tally.rejections):
        notes.append(
            f"only the first {limit:,} of {tally.n_rejections:,} rejections are listed; "
            "all are counted by reason"
        )
    return tuple(notes)


def _judge(result: AudienceResult, policy: Any) -> AudienceResult:
    """Measure the audience checks and judge them with the policy (plus the floor rule)."""
    from fairmark.checks import get_registry
    from fairmark.policy import evaluate
    from fairmark.policy.model import Rule
    from fairmark.privacy.checks import min_audience_size

    checks = {c.id: c for c in get_registry().values() if c.input == "audience"}
    checks.setdefault(min_audience_size.CHECK_ID, min_audience_size.CHECK)
    measurements = tuple(m for check in checks.values() for m in check.measure(result))
    blocking = any(
        r.check == min_audience_size.CHECK_ID and r.severity == "block" for r in policy.rules
    )
    judged = policy
    if not blocking:
        floor = Rule(
            id=FLOOR_RULE_ID,
            check=min_audience_size.CHECK_ID,
            min=1.0,
            severity="block",
            principle="privacy",
            rationale=(
                "Added by fairmark because the policy has no blocking rule for "
                "privacy.min_audience_size: a customer list below the platform's minimum "
                "matched audience is never written (platform minimums: Google and Meta 100, "
                "X 100, LinkedIn 300, TikTok 1,000)."
            ),
        )
        judged = policy.model_copy(update={"rules": (*policy.rules, floor)})
    outcome = evaluate(judged, measurements, run_kind="audience")
    return replace(result, measurements=measurements, outcome=outcome, policy=policy)
