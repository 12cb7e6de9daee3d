"""The audit job every front runs: audit, record the run, write the reports.

Nothing is half-written: reports are rendered into a staging folder first, the run is
recorded in the store in one transaction, and only then are the files moved into the
output folder. Any error before that leaves both the store and the output folder as they
were.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        The ``report.json`` document.
    paths : dict
        ``format -> Path`` of every report written.
    recorded : bool
        Whether the run was recorded in the store.
    """

    result: AuditResult
    document: dict[str, Any]
    paths: dict[str, Path]
    recorded: bool


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
        Folder for ``report.json``, ``report.html``, ``report.md``, ``junit.xml``.
    formats : tuple of str
        Subset of ``("json", "html", "md", "junit")``.
    store_url : str, optional
        SQLAlchemy URL of the run store (default ``FAIRMARK_DB_URL`` or the local SQLite
        file ``.fairmark/fairmark.db``).
    record : bool
        Record the run in the store (default True).
    **audit_kwargs
        Passed to :func:`fairmark.audit`.

    Raises
    ------
    UsageError, DataError, PolicyError, StoreError
        On bad input or an unusable store; nothing is written then.
    """
    from fairmark.report import write_reports

    result = audit(data, **audit_kwargs)
    document = result.to_dict()
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fairmark-staging-", dir=out.parent))
    try:
        staged = write_reports(document, staging, formats)
        if record:
            from fairmark.store import record_run

            record_run(document, url=store_url)
        out.mkdir(parents=True, exist_ok=True)
        paths = {}
        for fmt, path in staged.items():
            target = out / Path(path).name
            os.replace(path, target)
            paths[fmt] = target
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return AuditJob(result=result, document=document, paths=paths, recorded=record)
