"""Typed results of ``fairmark dsr``: frozen dataclasses with versioned JSON documents.

No result holds a raw subject id: subjects appear by their *subject reference* (an
HMAC-SHA-256 under the store's secret key, :mod:`fairmark.privacy.dsr.requests`), and
source URLs appear with their password hidden.

Documents (``to_dict()``), each with ``"schema_version": "1.0"`` and a ``"kind"``:

``dsr``                the outcome of an access or erasure request (:class:`DsrResult`)
``dsr_verification``   an identity verification (:class:`IdentityVerification`)
``dsr_sources``        the registered sources (:func:`fairmark.privacy.dsr.sources_document`)
``dsr_requests``       the request log (:func:`requests_document`)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "SCHEMA_VERSION",
    "Action",
    "DsrResult",
    "IdentityVerification",
    "RequestKind",
    "RequestSummary",
    "SourceOutcome",
    "iso_time",
    "requests_document",
]

SCHEMA_VERSION = "1.0"
"""Version of every ``dsr*`` document."""

RequestKind = Literal["access", "erasure"]
Action = Literal["export", "count", "delete", "shred", "delete_and_shred"]


def iso_time(value: datetime | None) -> str | None:
    """ISO 8601 UTC text with microseconds and a ``Z``, or ``None``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _document(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "kind": kind, **fields}


@dataclass(frozen=True)
class IdentityVerification:
    """A recorded check of a data subject's identity.

    Attributes
    ----------
    verification_id : str
        UUID4 of the record.
    subject_ref : str
        Subject reference (64 hex digits).
    status : {"verified", "failed"}
    method : str
        How the identity was checked.
    verified_by : str
        Who checked it.
    verified_at : datetime
        When it was recorded, UTC.

    Notes
    -----
    GDPR Art. 12(6) (reasonable doubts about identity); EDPB Guidelines 01/2022 on the
    right of access, §§ 64-78 (proportionate identity checks).
    """

    verification_id: str
    subject_ref: str
    status: Literal["verified", "failed"]
    method: str
    verified_by: str
    verified_at: datetime

    def fields(self) -> dict[str, Any]:
        """The fields as JSON-ready values (no ``schema_version``/``kind``)."""
        return {
            "verification_id": self.verification_id,
            "subject_ref": self.subject_ref,
            "status": self.status,
            "method": self.method,
            "verified_by": self.verified_by,
            "verified_at": iso_time(self.verified_at),
        }

    def to_dict(self) -> dict[str, Any]:
        """Versioned document of kind ``dsr_verification``."""
        return _document("dsr_verification", self.fields())


@dataclass(frozen=True)
class SourceOutcome:
    """What one request did in one source.

    Attributes
    ----------
    source : str
        Source name.
    engine : {"duckdb", "sqlite", "postgresql"} or None
        Its database (``None`` when its URL could not even be parsed).
    url : str
        Its URL, password hidden.
    table, subject_column : str
        Where the subject's rows are.
    encrypted : bool
        The source is marked as encrypted with ``fairmark protect`` (erasure crypto-shreds).
    action : {"export", "count", "delete", "shred", "delete_and_shred"}
        ``export`` (access), ``count`` (erasure dry run), otherwise what the erasure did.
    plan : {"delete", "shred", "delete_and_shred"} or None
        Erasure dry run: what ``--execute`` would do in this source.
    rows_found : int or None
        Rows of the subject found (``None`` when the source failed before counting).
    rows_deleted : int or None
        Rows deleted (erasures that delete).
    shred_status : str or None
        ``shredded``, ``already_shredded`` or ``no_key`` (erasure of an encrypted source;
        see :func:`fairmark.privacy.protect.shred_subject`).
    rows_remaining : int or None
        Rows of the subject counted again after the erasure.
    verified : bool or None
        Erasure: whether the check afterwards passed (no row left when rows are deleted,
        no data key left when the source is crypto-shredded). ``None`` otherwise.
    error : str or None
        One-line reason the source failed; the other sources went on.
    file : str or None
        Access: the exported file's name inside the output folder.
    sha256 : str or None
        Access: SHA-256 (hex) of that file.
    n_cells_unreadable : int
        Access to an encrypted source: encrypted cells exported as null because they could
        not be decrypted (the subject's key was shredded, or a cell failed authentication).
    finished_at : datetime
        When the source was done, UTC.
    """

    source: str
    engine: str | None
    url: str
    table: str
    subject_column: str
    encrypted: bool
    action: Action
    plan: Action | None
    rows_found: int | None
    rows_deleted: int | None
    shred_status: str | None
    rows_remaining: int | None
    verified: bool | None
    error: str | None
    file: str | None
    sha256: str | None
    n_cells_unreadable: int
    finished_at: datetime

    @property
    def failed(self) -> bool:
        """The source failed, or its erasure could not be verified."""
        return self.error is not None or self.verified is False

    def fields(self) -> dict[str, Any]:
        """The fields as JSON-ready values."""
        return {
            "source": self.source,
            "engine": self.engine,
            "url": self.url,
            "table": self.table,
            "subject_column": self.subject_column,
            "encrypted": self.encrypted,
            "action": self.action,
            "plan": self.plan,
            "rows_found": self.rows_found,
            "rows_deleted": self.rows_deleted,
            "shred_status": self.shred_status,
            "rows_remaining": self.rows_remaining,
            "verified": self.verified,
            "failed": self.failed,
            "error": self.error,
            "file": self.file,
            "sha256": self.sha256,
            "n_cells_unreadable": self.n_cells_unreadable,
            "finished_at": iso_time(self.finished_at),
        }


def _sum(values: Sequence[int | None]) -> int:
    return sum(v for v in values if v is not None)


@dataclass(frozen=True)
class DsrResult:
    """The outcome of one access or erasure request across every registered source.

    Attributes
    ----------
    request_id : str
        UUID4 of the request in the store.
    request : {"access", "erasure"}
    dry_run : bool
        Erasure that only counted (the default); ``False`` for access.
    subject_ref : str
        Subject reference (64 hex digits).
    received_at : datetime
        When the request was received (GDPR Art. 12(3) period starts), UTC.
    created_at : datetime
        When fairmark ran it, UTC.
    identity_verification : IdentityVerification or None
        The verification on record when the request ran (required for an executed
        erasure).
    outcomes : tuple of SourceOutcome
        One per source, in source-name order.
    out : str or None
        Access: the folder the export was written to.

    Notes
    -----
    Source: GDPR Art. 15 (right of access), Art. 17 (right to erasure), Art. 12(3)
    (time limits), Art. 5(2) and 30 (accountability, records).
    """

    request_id: str
    request: RequestKind
    dry_run: bool
    subject_ref: str
    received_at: datetime
    created_at: datetime
    identity_verification: IdentityVerification | None
    outcomes: tuple[SourceOutcome, ...]
    out: str | None = None

    @property
    def failed_sources(self) -> tuple[str, ...]:
        """Names of the sources that failed."""
        return tuple(o.source for o in self.outcomes if o.failed)

    @property
    def ok(self) -> bool:
        """No source failed."""
        return not self.failed_sources

    @property
    def exit_code(self) -> int:
        """0 when every source succeeded, 1 otherwise (the CLI's exit code)."""
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        """Versioned document of kind ``dsr``."""
        verification = self.identity_verification
        return _document(
            "dsr",
            {
                "request_id": self.request_id,
                "request": self.request,
                "dry_run": self.dry_run,
                "subject_ref": self.subject_ref,
                "received_at": iso_time(self.received_at),
                "created_at": iso_time(self.created_at),
                "identity_verification": None if verification is None else verification.fields(),
                "out": self.out,
                "summary": {
                    "n_sources": len(self.outcomes),
                    "n_failed": len(self.failed_sources),
                    "failed_sources": list(self.failed_sources),
                    "rows_found": _sum([o.rows_found for o in self.outcomes]),
                    "rows_deleted": _sum([o.rows_deleted for o in self.outcomes]),
                    "rows_remaining": _sum([o.rows_remaining for o in self.outcomes]),
                },
                "outcomes": [o.fields() for o in self.outcomes],
            },
        )

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class RequestSummary:
    """One line of the request log.

    Attributes
    ----------
    request_id : str
    request : {"access", "erasure"}
    dry_run : bool
    subject_ref : str
    received_at, created_at : datetime
    verification_id : str or None
    n_sources : int
        Sources the request covered.
    n_outcomes : int
        Outcomes recorded (fewer than ``n_sources``: the run was interrupted).
    n_failed : int
        Outcomes that failed.
    rows_found, rows_deleted : int
        Totals over the sources.
    """

    request_id: str
    request: RequestKind
    dry_run: bool
    subject_ref: str
    received_at: datetime
    created_at: datetime
    verification_id: str | None
    n_sources: int
    n_outcomes: int
    n_failed: int
    rows_found: int
    rows_deleted: int

    @property
    def complete(self) -> bool:
        """Every source has an outcome and none failed."""
        return self.n_outcomes == self.n_sources and self.n_failed == 0

    def fields(self) -> dict[str, Any]:
        """The fields as JSON-ready values."""
        return {
            "request_id": self.request_id,
            "request": self.request,
            "dry_run": self.dry_run,
            "subject_ref": self.subject_ref,
            "received_at": iso_time(self.received_at),
            "created_at": iso_time(self.created_at),
            "verification_id": self.verification_id,
            "n_sources": self.n_sources,
            "n_outcomes": self.n_outcomes,
            "n_failed": self.n_failed,
            "complete": self.complete,
            "rows_found": self.rows_found,
            "rows_deleted": self.rows_deleted,
        }


def requests_document(requests: Sequence[RequestSummary]) -> dict[str, Any]:
    """Versioned document of kind ``dsr_requests`` listing ``requests``."""
    return _document("dsr_requests", {"requests": [r.fields() for r in requests]})
