"""Enforcement: write only the audience rows whose subjects are permitted for a purpose.

:func:`filter_audience` joins the audience with the consent ledger in the data engine
(DuckDB), keeps the rows whose subject the rule of :mod:`fairmark.privacy.consent.decide`
permits for the purpose (and vendor) at the instant, writes them to CSV or Parquet
atomically (a temporary file in the destination folder, mode 0600, renamed when complete:
never a partial audience file) and counts every excluded row and subject by reason. It
fails closed: a subject with no valid record is excluded.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fairmark.checks.base import Measurement
from fairmark.errors import Reason, UsageError
from fairmark.privacy.consent.audience_join import AudienceJoin, open_join
from fairmark.privacy.consent.coverage import ConsentCoverage, coverage_from_counts
from fairmark.privacy.consent.ledger import ConsentLedger, resolve_as_of
from fairmark.privacy.consent.model import ExclusionReason
from fairmark.privacy.consent.purposes import check_purpose, is_direct_marketing
from fairmark.privacy.consent.result import ConsentFilterResult, ExclusionCount

__all__ = ["RUN_KIND", "check_output", "coverage_measurement", "filter_audience"]

RUN_KIND = "consent_filter"
"""Run kind of the filter (:attr:`fairmark.checks.Check.input`)."""

_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def check_output(out: str | os.PathLike[str], data: Any) -> tuple[Path, str]:
    """Check the destination before any work: ``(path, "csv" | "parquet")``.

    Raises
    ------
    UsageError
        Unknown extension, a folder, a missing folder, or the input file itself.
    """
    path = Path(os.fspath(out))
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"--out: cannot write {str(path)!r}: unknown file type {path.suffix or '(none)'!r}; "
            "expected .csv or .parquet"
        )
    if path.is_dir():
        raise UsageError(f"--out: {str(path)!r} is a folder; expected a file path")
    if not path.parent.is_dir():
        raise UsageError(f"--out: folder {str(path.parent)!r} does not exist; create it first")
    if isinstance(data, str | os.PathLike) and Path(os.fspath(data)).resolve() == path.resolve():
        raise UsageError(
            f"--out: {str(path)!r} is the audience file; expected a new file (the input is "
            "kept unchanged)"
        )
    return path, fmt


def _write(join: AudienceJoin, path: Path, fmt: str) -> None:
    """COPY the permitted rows to a temporary file beside ``path``, then rename it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    started = time.perf_counter()
    try:
        options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"
        target = "'" + tmp.replace("'", "''") + "'"
        join.con.execute(f"COPY ({join.permitted_sql()}) TO {target} ({options})")
        os.chmod(tmp, 0o600)  # personal data: owner only (DuckDB recreated the file)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    join.timings["write"] = time.perf_counter() - started


def coverage_measurement(coverage: ConsentCoverage) -> Measurement:
    """The ``privacy.consent_coverage`` measurement of a coverage (share without consent).

    Parameters
    ----------
    coverage : ConsentCoverage

    Returns
    -------
    Measurement
        ``value`` the share of subjects without valid consent (``None`` with reason
        ``not_estimable`` for data without rows), ``group`` the purpose, ``detail`` the
        shares by reason (no count of people).
    """
    from fairmark.privacy.checks.consent_coverage import CHECK_ID, detail

    share = coverage.share_without
    return Measurement(
        check_id=CHECK_ID,
        feature=None,
        group=coverage.purpose,
        reference=None,
        value=share,
        reason=None if share is not None else Reason.NOT_ESTIMABLE.value,
        detail=detail(coverage),
    )


def filter_audience(
    audience: Any,
    *,
    purpose: str,
    out: str | os.PathLike[str],
    vendor: str | None = None,
    as_of: str | datetime | None = None,
    subject_column: str = "subject_id",
    ledger: ConsentLedger | None = None,
    url: str | None = None,
    policy: Any = None,
) -> ConsentFilterResult:
    """Write the audience rows permitted for ``purpose``; count the others by reason.

    Parameters
    ----------
    audience : str, os.PathLike, DataFrame, Arrow table or ibis.Table
        The audience (anything :func:`fairmark.engine.source.as_table` accepts, on
        DuckDB). A CSV file is read with every column as text and written back unchanged.
    purpose : str
        fideslang data use the audience will be processed for.
    out : str or os.PathLike
        Destination, ``.csv`` or ``.parquet``; written whole or not at all (row order is
        not kept).
    vendor : str, optional
        Enforce this vendor's consent (its events and the purpose-level refusals decide).
        Must be a vendor the ledger knows.
    as_of : str, datetime or None
        Instant enforced, ISO 8601 with offset; default now.
    subject_column : str
        Column of ``audience`` naming the data subject (matched as trimmed text).
    ledger : ConsentLedger, optional
        An open ledger; else one is opened at ``url``.
    url : str, optional
        Store URL (``None``: ``FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``). A SQLite
        store that does not exist is an error (``DataError``); nothing is created.
    policy : str, Policy or None
        Policy the run is judged against (default: the built-in policy); its review date
        and any rule on a check of run kind ``consent_filter`` apply.

    Returns
    -------
    ConsentFilterResult
        Counts by :class:`ExclusionReason`, the output, the stage timings, the measurement
        ``privacy.consent_coverage`` of the *input* audience (for the record) and the
        policy verdict.

    Raises
    ------
    UsageError
        Unknown purpose (closest keys suggested), a vendor the ledger does not know, a
        naive or malformed ``as_of``, a bad ``out``, data not on DuckDB.
    DataError
        The audience cannot be read or has no ``subject_column``; the SQLite store does not
        exist.
    StoreError
        The ledger cannot be opened or read.

    Notes
    -----
    Sources: GDPR Art. 6(1), 7(3), 8(1), 21(2)-(3); Cal. Civ. Code §1798.120(a), (c),
    §1798.135; 11 CCR §7025 (GPC). The join, the aggregation and the write run in DuckDB;
    the ledger slice is streamed from the store as Arrow (:mod:`._store_read`).
    """
    from fairmark.policy import evaluate, load_policy

    purpose = check_purpose(purpose, what="--purpose")
    when = resolve_as_of(as_of, what="--as-of")
    path, fmt = check_output(out, audience)
    pol = load_policy(policy if policy is not None else "default")
    own = ledger is None
    led = ConsentLedger(url, must_exist=True) if ledger is None else ledger
    try:
        vendor = led.check_vendor(vendor)
        join = open_join(
            audience, subject_column=subject_column, purpose=purpose, vendor=vendor,
            as_of=when, ledger=led,
        )
        counts = join.counts()
        _write(join, path, fmt)
        ledger_url = led.url
    finally:
        if own:
            led.close()
    by_reason = {r.value: ExclusionCount(r.value, 0, 0) for r in ExclusionReason}
    permitted_rows = permitted_subjects = 0
    for c in counts:
        if c.reason is None:
            permitted_rows, permitted_subjects = c.rows, c.subjects
        else:
            by_reason[c.reason] = ExclusionCount(c.reason, c.rows, c.subjects)
    coverage = coverage_from_counts(counts, join, purpose=purpose, vendor=vendor)
    measurements = (coverage_measurement(coverage),)
    outcome = evaluate(pol, measurements, run_kind=RUN_KIND)
    return ConsentFilterResult(
        run_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        data_description=join.description,
        subject_column=subject_column,
        purpose=purpose,
        direct_marketing=is_direct_marketing(purpose),
        vendor=vendor,
        as_of=when,
        ledger_url=ledger_url,
        n_ledger_events=join.decisions.n_events,
        n_rows=coverage.n_rows,
        n_permitted_rows=permitted_rows,
        n_subjects=coverage.n_subjects,
        n_permitted_subjects=permitted_subjects,
        exclusions=tuple(by_reason.values()),
        output_path=str(path),
        output_format=fmt,
        timings=dict(join.timings),
        measurements=measurements,
        outcome=outcome,
        policy=pol,
    )
