"""Right to erasure: delete or crypto-shred a data subject in every registered source.

``erase(subject)`` is a dry run: it counts, per source, the rows that would be deleted and
changes nothing. ``erase(subject, execute=True)``:

1. refuses unless the subject's identity verification is on record, succeeded and is at
   most ``max_verification_age`` old (``fairmark dsr verify``);
2. records the request in the store's request log;
3. for each source, in name order, on its own:

   * encrypted source (``--encrypted``): crypto-shreds the subject's data key in the
     keystore (:func:`fairmark.privacy.protect.shred_subject`), which makes every copy of
     their encrypted cells unreadable, including copies outside the source;
   * unless the source is shred-only: deletes the subject's rows in one transaction
     (count and ``DELETE`` with the subject as a bound parameter; rolled back on error);
   * verifies: opens the source again and counts the subject's rows (must be 0 when rows
     were deleted), and checks that the keystore holds no data key for the subject;
   * records the outcome (rows found, deleted, shred status, rows remaining, verified,
     error) at once.

A source that fails (unreachable, permission denied, missing table, master key not
available...) is reported with its one-line error and the others go on; the result's
``exit_code`` is then 1.

Source: GDPR Art. 17(1) (erasure "without undue delay"), Art. 12(3) and (6), Art. 19
(notify recipients: the per-source report says where data was); NIST SP 800-88 Rev. 1
§2.6 (cryptographic erase); ICO, "Right to erasure" (backups: put beyond use).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fairmark.errors import FairmarkError, UsageError
from fairmark.privacy.dsr._store import open_dsr_store
from fairmark.privacy.dsr.connect import open_source, scrub
from fairmark.privacy.dsr.encrypted import has_data_key, open_keystore, shred
from fairmark.privacy.dsr.requests import (
    DEFAULT_VERIFICATION_MAX_AGE,
    check_subject,
    latest_verification,
    parse_received_at,
    record_outcome,
    require_verification,
    start_request,
    subject_ref,
)
from fairmark.privacy.dsr.result import Action, DsrResult, SourceOutcome
from fairmark.privacy.dsr.sources import Source, load_sources

__all__ = ["erase"]


class _Progress:
    """What has happened in one source so far (filled step by step)."""

    def __init__(self) -> None:
        self.engine: str | None = None
        self.rows_found: int | None = None
        self.rows_deleted: int | None = None
        self.shred_status: str | None = None
        self.rows_remaining: int | None = None
        self.key_left: bool | None = None


def _action(source: Source, execute: bool) -> Action:
    if not execute:
        return "count"
    if source.encryption is None:
        return "delete"
    return "delete_and_shred" if source.encryption.delete_rows else "shred"


def _dry_run(source: Source, subject: str, progress: _Progress) -> None:
    with open_source(source.url, source.table, source.subject_column) as conn:
        progress.rows_found = conn.count(subject)


def _execute(source: Source, subject: str, store_url: str, progress: _Progress) -> None:
    encryption = source.encryption
    if encryption is not None:
        with open_keystore(encryption, store_url) as keystore:
            progress.shred_status = shred(keystore, subject)
    if encryption is None or encryption.delete_rows:
        with open_source(source.url, source.table, source.subject_column, write=True) as conn:
            progress.rows_found, progress.rows_deleted = conn.delete(subject)
    else:
        with open_source(source.url, source.table, source.subject_column) as conn:
            progress.rows_found = conn.count(subject)
    # verification: a fresh connection, after the commit
    with open_source(source.url, source.table, source.subject_column) as conn:
        progress.rows_remaining = conn.count(subject)
    if encryption is not None:
        with open_keystore(encryption, store_url) as keystore:
            progress.key_left = has_data_key(keystore, subject)


def _verified(source: Source, progress: _Progress) -> bool:
    rows_gone = progress.rows_remaining == 0
    if source.encryption is None:
        return rows_gone
    key_gone = progress.key_left is False
    return key_gone and (rows_gone or not source.encryption.delete_rows)


def _run_source(source: Source, subject: str, execute: bool, store_url: str) -> SourceOutcome:
    """Count or erase in one source; any failure becomes the outcome's one-line error."""
    progress = _Progress()
    error: str | None = None
    try:
        progress.engine = source.engine
        if execute:
            _execute(source, subject, store_url, progress)
        else:
            _dry_run(source, subject, progress)
    except FairmarkError as exc:
        error = scrub(exc.message, subject)
    except Exception as exc:  # a source must never stop the others
        message = " ".join(str(exc).split()) or type(exc).__name__
        error = scrub(f"{type(exc).__name__}: {message}", subject)
    verified: bool | None = None
    if execute:
        verified = error is None and _verified(source, progress)
        if error is None and not verified:
            error = _unverified_reason(source, progress)
    return SourceOutcome(
        source=source.name,
        engine=progress.engine,
        url=source.shown_url,
        table=source.table,
        subject_column=source.subject_column,
        encrypted=source.encryption is not None,
        action=_action(source, execute),
        plan=None if execute else _action(source, True),
        rows_found=progress.rows_found,
        rows_deleted=progress.rows_deleted,
        shred_status=progress.shred_status,
        rows_remaining=progress.rows_remaining,
        verified=verified,
        error=error,
        file=None,
        sha256=None,
        n_cells_unreadable=0,
        finished_at=datetime.now(UTC),
    )


def _unverified_reason(source: Source, progress: _Progress) -> str:
    reasons = []
    if progress.key_left:
        reasons.append("the keystore still holds a data key for the subject")
    deletes = source.encryption is None or source.encryption.delete_rows
    if deletes and progress.rows_remaining:
        reasons.append(
            f"{progress.rows_remaining} row(s) of the subject remain after the delete "
            "(written again meanwhile?)"
        )
    return "verification failed: " + ("; ".join(reasons) or "unknown state")


def erase(
    subject: str,
    *,
    execute: bool = False,
    db: str | None = None,
    received_at: str | datetime | None = None,
    max_verification_age: timedelta = DEFAULT_VERIFICATION_MAX_AGE,
) -> DsrResult:
    """Erase a data subject from every registered source (dry run unless ``execute``).

    Parameters
    ----------
    subject : str
        The subject key, exactly as stored in the sources' subject columns.
    execute : bool
        ``False`` (default): count only, change nothing. ``True``: delete / crypto-shred,
        then verify.
    db : str or None
        Store URL (sources, request log, default keystore). ``None``: ``$FAIRMARK_DB_URL``,
        else ``./.fairmark/fairmark.db``.
    received_at : str, datetime or None
        When the request was received (ISO 8601; default: now).
    max_verification_age : timedelta
        Oldest identity verification accepted by ``execute`` (default 90 days,
        :data:`fairmark.privacy.dsr.requests.DEFAULT_VERIFICATION_MAX_AGE`).

    Returns
    -------
    DsrResult
        ``request="erasure"``; one outcome per source. ``exit_code`` 1 when any source
        failed or could not be verified.

    Raises
    ------
    UsageError
        Bad subject or ``received_at``; no source registered; ``execute`` without a valid
        identity verification (nothing is touched or recorded then).
    StoreError
        The store cannot be opened, read or written.

    Notes
    -----
    The dry run is recorded too (``dry_run=True``): the sources were searched for the
    subject, and the log says so. Source: GDPR Art. 17, Art. 12; NIST SP 800-88 Rev. 1
    §2.6; see the module documentation.
    """
    subject = check_subject(subject)
    if not isinstance(execute, bool):
        raise UsageError(f"execute is {execute!r}; expected True or False")
    if not isinstance(max_verification_age, timedelta) or max_verification_age <= timedelta(0):
        raise UsageError(
            f"--verification-max-age is {max_verification_age!r}; expected a positive "
            "number of days"
        )
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
        if execute:
            verification = require_verification(engine, ref, now, max_verification_age)
        else:
            verification = latest_verification(engine, ref)
        request_id = start_request(
            engine,
            kind="erasure",
            dry_run=not execute,
            ref=ref,
            received_at=received,
            created_at=now,
            verification=verification,
            n_sources=len(sources),
        )
        outcomes = []
        for source in sources:
            outcome = _run_source(source, subject, execute, store_url)
            record_outcome(engine, request_id, outcome)
            outcomes.append(outcome)
    return DsrResult(
        request_id=request_id,
        request="erasure",
        dry_run=not execute,
        subject_ref=ref,
        received_at=received,
        created_at=now,
        identity_verification=verification,
        outcomes=tuple(outcomes),
    )
