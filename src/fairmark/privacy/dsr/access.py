"""Right of access: export every record about a data subject from every registered source.

``access(subject, out)`` writes into the folder ``out``:

* ``<source>.json`` per source that could be read: the subject's rows
  (:mod:`fairmark.privacy.dsr.export`), encrypted columns decrypted;
* ``manifest.json``: the request id, when it ran, the identity verification on record,
  and per source its table, the number of records, the file name and its SHA-256 (or the
  one-line error of a source that failed), and whether the export is complete.

The folder appears whole or not at all: everything is written and fsynced in a staging
folder beside ``out`` that is then renamed to ``out`` (POSIX ``rename(2)`` is atomic).
``out`` must not exist yet, or be empty. A source that fails does not stop the others: it
is listed in the manifest with its error, and the result says which failed.

The request and each source's outcome are recorded in the store's request log
(:mod:`fairmark.privacy.dsr.requests`). Identity verification is recorded in the manifest
when there is one but not required; hand the export only to the verified data subject.

Source: GDPR Art. 15(1) and (3) (confirmation, and a copy of the personal data
undergoing processing), Art. 12(3) (one month), Art. 20(1) (machine-readable format);
EDPB Guidelines 01/2022 on the right of access, §§ 133-150 (layered, complete copy).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fairmark import __version__
from fairmark.errors import FairmarkError, UsageError
from fairmark.privacy.dsr._store import open_dsr_store
from fairmark.privacy.dsr.connect import open_source, scrub
from fairmark.privacy.dsr.encrypted import cell_opener, open_keystore
from fairmark.privacy.dsr.export import write_records
from fairmark.privacy.dsr.requests import (
    check_subject,
    latest_verification,
    parse_received_at,
    record_outcome,
    start_request,
    subject_ref,
)
from fairmark.privacy.dsr.result import (
    SCHEMA_VERSION,
    DsrResult,
    SourceOutcome,
    iso_time,
)
from fairmark.privacy.dsr.sources import Source, load_sources

__all__ = ["MANIFEST", "access"]

MANIFEST = "manifest.json"
"""Name of the manifest in the export folder."""


def _check_out(out: str | os.PathLike[str]) -> Path:
    """The export folder: new, or existing and empty."""
    if not isinstance(out, str | os.PathLike) or not str(out).strip():
        raise UsageError(f"--out is {out!r}; expected a folder for the export")
    path = Path(out).expanduser().absolute()
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"--out {str(out)!r} is a file; expected a new or empty folder")
        if any(path.iterdir()):
            raise UsageError(
                f"--out {str(out)!r} already holds files; expected a new or empty folder "
                "(an export is never mixed with other files)"
            )
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"--out {str(out)!r}: {str(parent)!r} is not a folder")
    return path


def _unwritable(out: str | os.PathLike[str], exc: OSError) -> UsageError:
    return UsageError(
        f"cannot write the export to {str(out)!r}: {exc.strerror or exc}; expected a "
        "writable folder (--out)"
    )


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system syncs a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _failed(source: Source, error: str, engine: str | None) -> SourceOutcome:
    return SourceOutcome(
        source=source.name,
        engine=engine,
        url=source.shown_url,
        table=source.table,
        subject_column=source.subject_column,
        encrypted=source.encryption is not None,
        action="export",
        plan=None,
        rows_found=None,
        rows_deleted=None,
        shred_status=None,
        rows_remaining=None,
        verified=None,
        error=error,
        file=None,
        sha256=None,
        n_cells_unreadable=0,
        finished_at=datetime.now(UTC),
    )


def _export_source(
    source: Source, subject: str, staging: Path, request_id: str, store_url: str
) -> SourceOutcome:
    """Export one source; any failure becomes the outcome's one-line error."""
    engine: str | None = None
    file_name = f"{source.name}.json"
    target = staging / file_name
    try:
        engine = source.engine
        opener = None
        encrypted: tuple[str, ...] = ()
        if source.encryption is not None:
            encrypted = source.encryption.columns
            with open_keystore(source.encryption, store_url) as keystore:
                opener = cell_opener(keystore, subject)
        header: dict[str, Any] = {
            "request_id": request_id,
            "source": source.name,
            "engine": engine,
            "table": source.table,
            "subject_column": source.subject_column,
        }
        with open_source(source.url, source.table, source.subject_column) as conn:
            stats = write_records(conn, subject, target, header, opener, encrypted)
    except OSError:  # the export folder, not the source: stop the whole export
        raise
    except FairmarkError as exc:
        target.unlink(missing_ok=True)
        return _failed(source, scrub(exc.message, subject), engine)
    except Exception as exc:  # a source must never stop the others
        target.unlink(missing_ok=True)
        message = " ".join(str(exc).split()) or type(exc).__name__
        return _failed(source, scrub(f"{type(exc).__name__}: {message}", subject), engine)
    return SourceOutcome(
        source=source.name,
        engine=engine,
        url=source.shown_url,
        table=source.table,
        subject_column=source.subject_column,
        encrypted=source.encryption is not None,
        action="export",
        plan=None,
        rows_found=stats.n_records,
        rows_deleted=None,
        shred_status=None,
        rows_remaining=None,
        verified=None,
        error=None,
        file=file_name,
        sha256=stats.sha256,
        n_cells_unreadable=stats.n_cells_unreadable,
        finished_at=datetime.now(UTC),
    )


def _manifest(result: DsrResult, sizes: dict[str, int]) -> dict[str, Any]:
    verification = result.identity_verification
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "dsr_access_manifest",
        "request_id": result.request_id,
        "subject_ref": result.subject_ref,
        "received_at": iso_time(result.received_at),
        "created_at": iso_time(result.created_at),
        "tool": {"name": "fairmark", "version": __version__},
        "identity_verification": None if verification is None else verification.fields(),
        "complete": result.ok,
        "sources": [
            {
                "name": o.source,
                "engine": o.engine,
                "table": o.table,
                "subject_column": o.subject_column,
                "n_records": o.rows_found,
                "file": o.file,
                "sha256": o.sha256,
                "bytes": None if o.file is None else sizes[o.file],
                "n_cells_unreadable": o.n_cells_unreadable,
                "error": o.error,
            }
            for o in result.outcomes
        ],
    }


def access(
    subject: str,
    out: str | os.PathLike[str],
    *,
    db: str | None = None,
    received_at: str | datetime | None = None,
) -> DsrResult:
    """Export every record about ``subject`` from every registered source into ``out``.

    Parameters
    ----------
    subject : str
        The subject key, exactly as stored in the sources' subject columns.
    out : str or os.PathLike
        Export folder; must not exist yet, or be empty. Its parent folders are created.
    db : str or None
        Store URL (sources and request log). ``None``: ``$FAIRMARK_DB_URL``, else
        ``./.fairmark/fairmark.db``.
    received_at : str, datetime or None
        When the request was received (ISO 8601; default: now).

    Returns
    -------
    DsrResult
        ``request="access"``; one outcome per source (``action="export"``), failed sources
        with their error. ``exit_code`` 1 when any source failed.

    Raises
    ------
    UsageError
        Bad subject, ``out`` or ``received_at``; no source registered. Also when the
        export folder cannot be written (the staging folder is removed and ``out`` is
        not created; the request stays in the log with the outcomes recorded so far).
    StoreError
        The store cannot be opened, read or written.

    Notes
    -----
    Source: GDPR Art. 15, Art. 12(3), Art. 20(1); see the module documentation.
    """
    subject = check_subject(subject)
    target = _check_out(out)
    now = datetime.now(UTC)
    received = parse_received_at(received_at, now)
    with open_dsr_store(db) as (engine, store_url):
        sources = load_sources(engine)
        if not sources:
            raise UsageError(
                "no data sources registered; expected 'fairmark dsr source add NAME --url URL "
                "--table T --subject-column C' first"
            )
        ref = subject_ref(engine, subject)
        verification = latest_verification(engine, ref)
        staging = target.parent / f".{target.name}.staging-{uuid.uuid4().hex[:12]}"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.mkdir()
        except OSError as exc:
            raise _unwritable(out, exc) from None
        try:
            request_id = start_request(
                engine,
                kind="access",
                dry_run=False,
                ref=ref,
                received_at=received,
                created_at=now,
                verification=verification,
                n_sources=len(sources),
            )
            outcomes = []
            for source in sources:
                outcome = _export_source(source, subject, staging, request_id, store_url)
                record_outcome(engine, request_id, outcome)
                outcomes.append(outcome)
            result = DsrResult(
                request_id=request_id,
                request="access",
                dry_run=False,
                subject_ref=ref,
                received_at=received,
                created_at=now,
                identity_verification=verification,
                outcomes=tuple(outcomes),
                out=str(target),
            )
            sizes = {o.file: (staging / o.file).stat().st_size for o in outcomes if o.file}
            manifest = staging / MANIFEST
            with manifest.open("x", encoding="utf-8", newline="\n") as handle:
                json.dump(_manifest(result, sizes), handle, indent=2, ensure_ascii=False)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            _fsync_dir(staging)
            staging.rename(target)  # rename(2) also replaces an empty folder, atomically
            _fsync_dir(target.parent)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise _unwritable(out, exc) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return result
