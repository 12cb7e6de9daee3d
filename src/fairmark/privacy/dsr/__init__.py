"""Data subject requests: access and erasure across every registered data source.

Public API::

    add_source(name, url, table, subject_column, *, encryption=None, check=True, db=None)
        -> Source                      register a table (DuckDB file, SQLite, PostgreSQL)
    list_sources(db=None) -> list[Source]
    remove_source(name, db=None) -> Source
    Encryption(columns, master_key_env=None, master_key_file=None, keystore_url=None,
               delete_rows=True)       marker of a source encrypted by fairmark protect
    record_verification(subject, method, verified_by, *, status="verified", db=None)
        -> IdentityVerification        identity check, required before an erasure runs
    access(subject, out, *, db=None, received_at=None) -> DsrResult
        every record about the subject, one JSON file per source + manifest.json
    erase(subject, *, execute=False, db=None, received_at=None,
          max_verification_age=timedelta(days=90)) -> DsrResult
        dry run by default; delete / crypto-shred, then verify nothing remains
    list_requests(db=None, *, subject=None, limit=50) -> list[RequestSummary]

Everything is recorded in the fairmark store (SQLite or PostgreSQL, tables ``dsr_*``);
the request log never holds a raw subject id, only an HMAC reference
(:mod:`fairmark.privacy.dsr.requests`). Source: GDPR Art. 12, 15, 17, 5(1)(c), 5(2).
"""

from fairmark.privacy.dsr.access import access
from fairmark.privacy.dsr.connect import SourceError
from fairmark.privacy.dsr.erase import erase
from fairmark.privacy.dsr.requests import (
    DEFAULT_VERIFICATION_MAX_AGE,
    list_requests,
    record_verification,
)
from fairmark.privacy.dsr.result import (
    DsrResult,
    IdentityVerification,
    RequestSummary,
    SourceOutcome,
    requests_document,
)
from fairmark.privacy.dsr.sources import (
    Encryption,
    Source,
    add_source,
    list_sources,
    remove_source,
    sources_document,
)

__all__ = [
    "DEFAULT_VERIFICATION_MAX_AGE",
    "DsrResult",
    "Encryption",
    "IdentityVerification",
    "RequestSummary",
    "Source",
    "SourceError",
    "SourceOutcome",
    "access",
    "add_source",
    "erase",
    "list_requests",
    "list_sources",
    "record_verification",
    "remove_source",
    "requests_document",
    "sources_document",
]
