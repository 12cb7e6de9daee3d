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
from typing import TYPE_CHECKING, Any

from fairmark.errors import UsageError
from fairmark.fairness.audit import AuditResult, audit

if TYPE_CHECKING:
    from fairmark.governance.access import Principal

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


def _authorize_before_audit(store_url: str | None, principal: Principal, system_name: Any) -> None:
    """Refuse an unauthorised recording before any work (the store is read, not written)."""
    from fairmark.store import RunStore
    from fairmark.store.runs import authorize_run_write

    authorize_run_write(None, principal, None)  # role and token scope: no store needed
    with RunStore(store_url) as store:
        authorize_run_write(store.engine, principal, system_name)


def run_audit_job(
    data: Any,
    *,
    out_dir: str | os.PathLike[str],
    formats: tuple[str, ...] = ALL_FORMATS,
    store_url: str | None = None,
    record: bool = True,
    principal: Principal | None = None,
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
    principal : Principal, optional
        Who records the run (:func:`fairmark.governance.identity.resolve_principal`).
        With ``record``, checked *before* the audit runs (``run.write`` for the system
        named by ``system_name``: its owner or an admin,
        :func:`fairmark.store.runs.authorize_run_write`) and again when recording, in the
        recording transaction. ``None``: no role check (the trusted Python API).
    **audit_kwargs
        Passed to :func:`fairmark.audit`.

    Returns
    -------
    AuditJob

    Raises
    ------
    AccessError
        ``principal`` may not record a run for the system; raised before auditing.
    UsageError, DataError, PolicyError, StoreError
        On bad input, an output path that is a file or cannot be written, or an unusable
        store; nothing is written then: the store has no new run and the output folder
        (and any parent the job created) is as it was.
    """
    from fairmark.report import write_reports

    out = Path(out_dir)
    _check_out_dir(out)
    if record and principal is not None:
        _authorize_before_audit(store_url, principal, audit_kwargs.get("system_name"))
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
            record_run(
                document, url=store_url, artifacts=build_artifacts(result), principal=principal
            )
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
