"""The audit job every front runs: audit, record the run, write the reports.

Nothing is half-written: reports are rendered into a staging folder first, the run is
recorded in the store in one transaction, and only then are the files moved into the
output folder. Any error before that leaves both the store and the output folder as they
were (folders the job created for the output are removed again).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fairmark.errors import UsageError
from fairmark.fairness.audit import AuditResult, audit

__all__ = ["ALL_FORMATS", "AuditJob", "run_audit_job"]

ALL_FORMATS: tuple[str, ...] = ("json", "html", "md", "junit")


@dataclass(frozen=True)
class AuditJob:
    """What an audit job produced.

    Attributes
    ----------
    result : AuditResult
    document : dict
        The ``report.json`` document as published and recorded (small-cell suppression
        applied; ``result.to_dict(disclosure_control=False)`` is the complete one).
    paths : dict
        ``format -> Path`` of every report written.
    recorded : bool
        Whether the run was recorded in the store.
    """

    result: AuditResult
    document: dict[str, Any]
    paths: dict[str, Path]
    recorded: bool


def _check_out_dir(out: Path) -> None:
    """Refuse an output path that is a file, lies under a file, or cannot be looked at."""
    try:
        for p in (out, *out.parents):
            if p.exists():
                if not p.is_dir():
                    raise UsageError(
                        f"cannot write reports to {str(out)!r}: {str(p)!r} is a file; "
                        "expected a folder (--out)"
                    )
                return
    except OSError as exc:  # e.g. a name too long for the file system
        raise UsageError(
            f"cannot write reports to {str(out)!r}: {exc.strerror or exc}; "
            "expected a writable folder (--out)"
        ) from None


def _make_dirs(path: Path) -> list[Path]:
    """Create ``path`` and its missing parents; return the folders created, deepest first.

    On failure the folders already created are removed again and the OSError re-raised.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    created: list[Path] = []
    try:
        for folder in reversed(missing):  # shallowest first
            folder.mkdir()
            created.insert(0, folder)
    except OSError:
        _remove_empty(created)
        raise
    return created


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            break


def run_audit_job(
    data: Any,
    *,
    out_dir: str | os.PathLike[str],
    formats: tuple[str, ...] = ALL_FORMATS,
    store_url: str | None = None,
    record: bool = True,
    **audit_kwargs: Any,
) -> AuditJob:
    """Audit ``data``, record the run and write the reports to ``out_dir``.

    Parameters
    ----------
    data : see :func:`fairmark.audit`
    out_dir : path
        Folder for ``report.json``, ``report.html``, ``report.md``, ``junit.xml``;
        created with its parents when missing. Existing reports of the same names are
        replaced; other files in it are left alone.
    formats : tuple of str
        Subset of ``("json", "html", "md", "junit")``.
    store_url : str, optional
        SQLAlchemy URL of the run store (default ``FAIRMARK_DB_URL`` or the local SQLite
        file ``.fairmark/fairmark.db``); also where the consent ledger is read from.
    record : bool
        Record the run in the store (default True), with the artifacts an evidence
        bundle needs (:func:`fairmark.governance.artifacts.build_artifacts`).
    **audit_kwargs
        Passed to :func:`fairmark.audit`.

    Returns
    -------
    AuditJob

    Raises
    ------
    UsageError, DataError, PolicyError, StoreError
        On bad input, an output path that is a file or cannot be written, or an unusable
        store; nothing is written then: the store has no new run and the output folder
        (and any parent the job created) is as it was.
    """
    from fairmark.report import write_reports

    out = Path(out_dir)
    _check_out_dir(out)
    result = audit(data, store_url=store_url, **audit_kwargs)  # the store holds the ledger too
    document = result.to_dict()
    _check_out_dir(out)
    created: list[Path] = []
    try:
        created = _make_dirs(out)
        staging = Path(tempfile.mkdtemp(prefix=".fairmark-staging-", dir=out.parent))
    except OSError as exc:
        _remove_empty(created)
        raise UsageError(
            f"cannot write reports to {str(out)!r}: {exc.strerror or exc}; "
            "expected a writable folder (--out)"
        ) from None
    done = False
    try:
        try:
            staged = write_reports(document, staging, formats)
        except OSError as exc:
            raise UsageError(
                f"cannot write reports next to {str(out)!r}: {exc.strerror or exc}; "
                "expected a writable folder (--out)"
            ) from None
        if record:
            from fairmark.governance.artifacts import build_artifacts
            from fairmark.store import record_run

            # with the aggregates, policy text and environment an evidence bundle needs
            record_run(document, url=store_url, artifacts=build_artifacts(result))
        paths = {}
        for fmt, path in staged.items():
            target = out / Path(path).name
            os.replace(path, target)
            paths[fmt] = target
        done = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not done:
            _remove_empty(created)
    return AuditJob(result=result, document=document, paths=paths, recorded=record)
