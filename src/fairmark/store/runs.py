"""The run store: record audit runs (append-only), list them, fetch one back."""

from __future__ import annotations

import getpass
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Connection, Engine, exists, insert, select
from sqlalchemy.exc import IntegrityError

from fairmark.errors import DataError, StoreError, UsageError
from fairmark.store.db import (
    database_url,
    open_engine,
    redact_url,
    store_errors,
    write_transaction,
)
from fairmark.store.document import first_difference, run_columns
from fairmark.store.document import show_value as _show
from fairmark.store.migrate import upgrade
from fairmark.store.models import AuditRun

if TYPE_CHECKING:
    from fairmark.governance.access import Principal
    from fairmark.governance.artifacts import RunArtifactsData

__all__ = [
    "RunStore",
    "RunSummary",
    "authorize_run_write",
    "get_run",
    "list_runs",
    "record_run",
    "report_sha256",
]

_ID_PREFIX = re.compile(r"[0-9a-f-]{1,36}")
_SHOWN_CANDIDATES = 5


@dataclass(frozen=True)
class RunSummary:
    """One line of the run list.

    Attributes
    ----------
    run_id : str
        UUID of the run.
    created_at : datetime
        When the audit ran, timezone-aware UTC.
    system_name : str or None
        AI system the audit belongs to.
    verdict : str
        ``pass``, ``warn``, ``fail`` or ``insufficient_evidence``.
    policy_id, policy_version : str or None
        The policy the run was judged against (``None`` without a policy).
    data_fingerprint : str
        SHA-256 fingerprint of the audited data (``data_fingerprint.value``).

    Notes
    -----
    Source: ``docs/report-schema.md`` (the report.json top-level fields).
    """

    run_id: str
    created_at: datetime
    system_name: str | None
    verdict: str
    policy_id: str | None
    policy_version: str | None
    data_fingerprint: str


class RunStore:
    """Append-only store of audit runs on SQLite or PostgreSQL.

    Opening the store migrates its database to the newest schema (a no-op when current).
    Use as a context manager, or call :meth:`close`.

    Parameters
    ----------
    url : str or None
        SQLAlchemy URL; ``None`` resolves through :func:`fairmark.store.db.database_url`
        (``FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``).

    Attributes
    ----------
    url : str
        The store URL with the password hidden.
    engine : sqlalchemy.Engine
        The engine, for later tables of the same database.

    Raises
    ------
    StoreError
        The database cannot be opened or migrated (one line naming the URL, password
        hidden, and the cause).

    Notes
    -----
    Runs are never updated in place: the database itself refuses UPDATE and DELETE on
    ``audit_runs`` (migration ``0001``), a record-keeping control in the spirit of the EU
    AI Act, Article 12 (record-keeping) and ISO/IEC 42001, clause 7.5 (documented
    information).
    """

    def __init__(self, url: str | None = None) -> None:
        resolved = database_url(url)
        self._engine = open_engine(resolved)
        try:
            upgrade(self._engine)
        except BaseException:
            self._engine.dispose()
            raise
        self.url = redact_url(self._engine.url)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for other tables of the same database."""
        return self._engine

    def __repr__(self) -> str:
        return f"RunStore({self.url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the store's database connections."""
        self._engine.dispose()

    def record_run(
        self,
        report: Mapping[str, Any],
        *,
        artifacts: RunArtifactsData | None = None,
        actor: str | None = None,
        principal: Principal | None = None,
    ) -> str:
        """Record one audit run from its ``report.json`` document, and log it.

        Parameters
        ----------
        report : Mapping[str, Any]
            A ``report.json`` 1.x document (``docs/report-schema.md``); plain JSON only
            (``+inf`` written as ``"inf"``).
        artifacts : RunArtifactsData, optional
            What an evidence bundle needs beyond the report
            (:func:`fairmark.governance.artifacts.build_artifacts`): recorded in
            ``run_artifacts``. A run recorded without them cannot be exported as evidence.
        actor : str, optional
            Who records the run, for the audit log (default: ``principal.name``, else the
            operating-system account, :func:`getpass.getuser`). Must equal
            ``principal.name`` when both are given.
        principal : Principal, optional
            The acting user (:func:`fairmark.governance.identity.resolve_principal`). When
            given, the run is recorded only if the principal holds ``run.write`` for the
            AI system named by ``report["system_name"]`` (:func:`authorize_run_write`: an
            ``owner`` only for a registered system they own, or a name not registered;
            an ``admin`` for any), and the store's first admin is recorded on its first
            write (:func:`fairmark.governance.identity.ensure_actor`). ``None`` (the
            Python API, trusted): no role check.

        Returns
        -------
        str
            The ``run_id`` recorded.

        Raises
        ------
        AccessError
            ``principal`` may not record a run for that system (role, token scope, or an
            owner recording for another owner's system); nothing is stored then.
        DataError
            A required field is missing or malformed, the document is not plain JSON, or
            a value would not read back identically (PostgreSQL ``jsonb`` turns a float
            such as ``1e+300`` into an integer); nothing is stored then.
        UsageError
            ``artifacts`` belong to another run or were kept for another policy than the
            report's (``policy.sha256``); ``actor`` differs from ``principal.name``;
            nothing is stored then.
        StoreError
            A run with the same ``run_id`` is already recorded, or the database fails.

        Notes
        -----
        Atomic: in one transaction the role is checked against the system's owner as
        stored at that moment, the row is inserted and read back (committed only when
        the stored document equals ``report`` exactly,
        :func:`fairmark.store.document.first_difference`), the artifacts are inserted,
        ``audit.record`` is appended to the audit log (payload: system name, verdict,
        policy id/version/sha256, data fingerprint, ``artifacts_sha256``, and
        ``report_sha256``, :func:`report_sha256` of the document as stored), and, the first
        time a policy text is seen, ``policy.version`` (payload: id, version, sha256, owner,
        review_by). Record-keeping after EU AI Act Art. 12 and ISO/IEC 42001 clause 7.5.
        The log entries and the artifacts row are dated by the store's clock
        (:func:`fairmark.governance.clock.db_now`, the server's on PostgreSQL); the run's
        own ``created_at`` is the report's, written by the client that ran the audit.
        """
        columns = run_columns(report)
        run_id: str = columns["run_id"]
        _check_artifacts(report, run_id, artifacts)
        who = _actor_name(actor, principal)
        if principal is not None:
            authorize_run_write(None, principal, columns.get("system_name"))  # role, scope
        try:
            with (
                store_errors(self._engine.url, "cannot record run"),
                write_transaction(self._engine) as conn,
            ):
                if principal is not None:
                    from fairmark.governance.identity import ensure_actor

                    ensure_actor(conn, principal)  # the log lock first, then the rows
                    authorize_run_write(conn, principal, columns.get("system_name"))
                conn.execute(insert(AuditRun).values(**columns))
                stored = conn.execute(
                    select(AuditRun.report).where(AuditRun.run_id == run_id)
                ).scalar_one()
                diff = first_difference(columns["report"], stored)
                if diff is not None:
                    raise DataError(
                        f"report field {diff.path!r} = {_show(diff.expected)} would read back "
                        f"from {self._engine.dialect.name} as {_show(diff.actual)}; expected "
                        "values that survive storage unchanged (e.g. floats below 1e16 in "
                        "magnitude); nothing was recorded"
                    )
                if artifacts is not None:
                    _insert_artifacts(conn, artifacts)
                _log_run(conn, report, who, artifacts, report_sha256(stored))
                # a failed re-audit of an approved or deployed system reopens its review,
                # in this same transaction (material change, fairmark.governance.review)
                from fairmark.governance.review import on_audit_recorded

                on_audit_recorded(conn, report, actor=who)
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError) and self._exists(run_id):
                raise StoreError(
                    f"run {run_id} is already recorded in {self.url}; "
                    "runs are append-only, expected a new run_id"
                ) from exc.__cause__
            raise
        return run_id

    def _exists(self, run_id: str) -> bool:
        with store_errors(self._engine.url, "cannot read run store"), self._engine.connect() as c:
            return bool(c.execute(select(exists().where(AuditRun.run_id == run_id))).scalar())

    def list_runs(self, limit: int | None = 50, system_name: str | None = None) -> list[RunSummary]:
        """List recorded runs, newest first.

        Parameters
        ----------
        limit : int or None
            At most this many runs (>= 1); ``None`` for all.
        system_name : str or None
            Only the runs of this AI system (exact match); ``None`` for every run.

        Returns
        -------
        list of RunSummary
            Ordered by ``created_at`` descending, ties by ``run_id`` descending.

        Raises
        ------
        UsageError
            ``limit`` is not a positive integer.
        StoreError
            The database cannot be read.
        """
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise UsageError(f"limit is {limit!r}; expected a positive integer or None")
        if limit is not None and limit < 1:
            raise UsageError(f"limit is {limit}; expected a positive integer or None")
        query = select(
            AuditRun.run_id,
            AuditRun.created_at,
            AuditRun.system_name,
            AuditRun.verdict,
            AuditRun.policy_id,
            AuditRun.policy_version,
            AuditRun.data_fingerprint,
        ).order_by(AuditRun.created_at.desc(), AuditRun.run_id.desc())
        if system_name is not None:
            query = query.where(AuditRun.system_name == system_name)
        if limit is not None:
            query = query.limit(limit)
        with store_errors(self._engine.url, "cannot list runs"), self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [RunSummary(*row) for row in rows]

    def get_run(self, run_id: str) -> dict[str, Any]:
        """Fetch the stored ``report.json`` document of one run.

        Parameters
        ----------
        run_id : str
            The run's UUID, or a prefix of it that matches exactly one recorded run
            (case-insensitive, surrounding spaces ignored).

        Returns
        -------
        dict
            The document exactly as recorded.

        Raises
        ------
        UsageError
            ``run_id`` is not a UUID prefix (hex digits and dashes), matches no run, or
            matches several (the message lists some of them).
        StoreError
            The database cannot be read.
        """
        prefix = run_id.strip().lower() if isinstance(run_id, str) else ""
        if not _ID_PREFIX.fullmatch(prefix):
            raise UsageError(
                f"run id {run_id!r} is not a run id or prefix; expected hex digits and dashes "
                "of a UUID, e.g. 0b8e7a52"
            )
        with store_errors(self._engine.url, "cannot read run"), self._engine.connect() as conn:
            report = conn.execute(
                select(AuditRun.report).where(AuditRun.run_id == prefix)
            ).scalar_one_or_none()
            if report is not None:
                return dict(report)
            matches = (
                conn.execute(
                    select(AuditRun.run_id)
                    .where(AuditRun.run_id.startswith(prefix, autoescape=True))
                    .order_by(AuditRun.run_id)
                    .limit(_SHOWN_CANDIDATES + 1)
                )
                .scalars()
                .all()
            )
            if not matches:
                raise UsageError(
                    f"no run {run_id!r} in {self.url}; expected a run id or unique prefix "
                    "from the run list"
                )
            if len(matches) > 1:
                shown = ", ".join(matches[:_SHOWN_CANDIDATES])
                more = ", ..." if len(matches) > _SHOWN_CANDIDATES else ""
                raise UsageError(
                    f"run id prefix {run_id!r} is ambiguous: it matches {shown}{more}; "
                    "expected more characters"
                )
            stored = conn.execute(
                select(AuditRun.report).where(AuditRun.run_id == matches[0])
            ).scalar_one()
            return dict(stored)


def authorize_run_write(
    conn: Connection | Engine | None, principal: Principal, system_name: str | None
) -> None:
    """Refuse unless ``principal`` may record an audit run for the AI system ``system_name``.

    Parameters
    ----------
    conn : sqlalchemy.Connection, sqlalchemy.Engine or None
        Where to look up the system's accountable owner (``gov_systems.owner``); ``None``
        checks the role and the token scope only.
    principal : Principal
        The acting user.
    system_name : str or None
        ``report["system_name"]``; ``None`` (or a name not in the inventory) has no owner.

    Raises
    ------
    AccessError
        One line: the role lacks ``run.write`` (auditor, reviewer, viewer), the token is
        not scoped for it, or an ``owner`` records for a system owned by someone else.
    UsageError
        ``principal`` is not a :class:`fairmark.governance.access.Principal`.

    Notes
    -----
    ``run.write`` is an owned permission (:data:`fairmark.governance.access.OWNED_PERMISSIONS`):
    the run becomes the deployment gate's latest audit of the system, so only its
    accountable owner or an admin may record it (ISO/IEC 42001:2023 clause 5.3, roles and
    responsibilities; separation of duties after NIST SP 800-53 AC-5).
    """
    from fairmark.governance.access import Principal, authorize

    if not isinstance(principal, Principal):
        raise UsageError(
            f"principal is a {type(principal).__name__}; expected a Principal from "
            "fairmark.governance.identity.resolve_principal"
        )
    owner: str | None = None
    if conn is not None and isinstance(system_name, str):
        from fairmark.store.models_governance import SystemRow

        query = select(SystemRow.owner).where(SystemRow.name == system_name)
        if isinstance(conn, Engine):
            with store_errors(conn.url, "cannot read AI system"), conn.connect() as c:
                owner = c.execute(query).scalar_one_or_none()
        else:
            owner = conn.execute(query).scalar_one_or_none()
    authorize(principal, "run.write", owner=owner)


def _actor_name(actor: str | None, principal: Principal | None) -> str:
    """Who is logged as recording the run: the principal, the given actor, or the OS account."""
    if principal is None:
        return actor if actor is not None else _os_account()
    name = getattr(principal, "name", None)
    if actor is not None and actor != name:
        raise UsageError(
            f"actor {actor!r} differs from the acting user {name!r}; expected no actor, or "
            "the principal's name"
        )
    if not isinstance(name, str):
        raise UsageError(
            f"principal is a {type(principal).__name__}; expected a Principal from "
            "fairmark.governance.identity.resolve_principal"
        )
    return name


def _os_account() -> str:
    """The operating-system account name, or ``local`` when it cannot be told."""
    try:
        return getpass.getuser() or "local"
    except (OSError, KeyError, ImportError):
        return "local"


def _check_artifacts(
    report: Mapping[str, Any], run_id: str, artifacts: RunArtifactsData | None
) -> None:
    """Refuse artifacts of another run or another policy (before anything is written)."""
    if artifacts is None:
        return
    from fairmark.governance.artifacts import RunArtifactsData

    if not isinstance(artifacts, RunArtifactsData):
        raise UsageError(
            f"artifacts is a {type(artifacts).__name__}; expected RunArtifactsData from "
            "fairmark.governance.artifacts.build_artifacts"
        )
    if artifacts.run_id != run_id:
        raise UsageError(
            f"artifacts belong to run {artifacts.run_id}, not to run {run_id}; expected the "
            "artifacts built from the same audit result as the report"
        )
    policy = report.get("policy")
    expected = policy.get("sha256") if isinstance(policy, Mapping) else None
    if artifacts.policy_sha256 != expected:
        raise UsageError(
            f"artifacts keep policy sha256 {artifacts.policy_sha256}, the report was judged "
            f"against {expected}; expected the policy the report names"
        )


def _insert_artifacts(conn: Connection, artifacts: RunArtifactsData) -> None:
    from fairmark.governance.clock import db_now
    from fairmark.store.models_governance import RunArtifacts

    conn.execute(
        insert(RunArtifacts).values(
            run_id=artifacts.run_id,
            aggregates=artifacts.aggregates_text,
            policy_text=artifacts.policy_text,
            policy_sha256=artifacts.policy_sha256,
            environment=artifacts.environment,
            created_at=db_now(conn),  # the store's clock (the server's on PostgreSQL)
        )
    )


def report_sha256(report: Mapping[str, Any]) -> str:
    """SHA-256 of a report document's canonical JSON: what ``audit.record`` pins.

    Parameters
    ----------
    report : Mapping[str, Any]
        A ``report.json`` document as stored (plain JSON).

    Returns
    -------
    str
        64 lowercase hex digits: SHA-256 (FIPS 180-4) of the UTF-8 bytes of
        :func:`fairmark.governance.chain.canonical_json` of ``report`` (sorted keys, no
        whitespace, after RFC 8785), so the same document gives the same digest however
        it was formatted (an evidence bundle's indented ``report.json`` included).

    Raises
    ------
    UsageError
        ``report`` holds something JSON cannot represent (NaN, infinity, an object).
    """
    from fairmark.governance.chain import canonical_json

    return hashlib.sha256(canonical_json(dict(report)).encode("utf-8")).hexdigest()


def _log_run(
    conn: Connection,
    report: Mapping[str, Any],
    actor: str,
    artifacts: RunArtifactsData | None,
    digest: str,
) -> None:
    """Append ``audit.record`` (and, for a policy text not seen before, ``policy.version``).

    ``digest`` is :func:`report_sha256` of the document as stored (read back in the same
    transaction), logged as ``report_sha256``.
    """
    from fairmark.governance.chain import append_entry
    from fairmark.store.models_governance import LogEntryRow

    policy = report.get("policy")
    policy = policy if isinstance(policy, Mapping) else None
    fingerprint = report.get("data_fingerprint")
    append_entry(
        conn,
        actor=actor,
        action="audit.record",
        entity_type="run",
        entity_id=str(report["run_id"]),
        payload={
            "system_name": report.get("system_name"),
            "verdict": report.get("verdict"),
            "policy_id": None if policy is None else policy.get("id"),
            "policy_version": None if policy is None else policy.get("version"),
            "policy_sha256": None if policy is None else policy.get("sha256"),
            "data_fingerprint": (
                fingerprint.get("value") if isinstance(fingerprint, Mapping) else None
            ),
            "artifacts_sha256": None if artifacts is None else artifacts.digest,
            "report_sha256": digest,
        },
    )
    if policy is None or not isinstance(policy.get("sha256"), str):
        return
    sha = policy["sha256"]
    # after append_entry: the log head is locked (advisory lock / BEGIN IMMEDIATE), so two
    # runs recording the same new policy cannot both find it missing
    seen = conn.execute(
        select(LogEntryRow.seq)
        .where(LogEntryRow.action == "policy.version")
        .where(LogEntryRow.payload.contains(f'"sha256":"{sha}"', autoescape=True))
        .limit(1)
    ).first()
    if seen is None:
        append_entry(
            conn,
            actor=actor,
            action="policy.version",
            entity_type="policy",
            entity_id=f"{policy.get('id')}@{policy.get('version')}",
            payload={
                "id": policy.get("id"),
                "version": policy.get("version"),
                "sha256": sha,
                "owner": policy.get("owner"),
                "review_by": policy.get("review_by"),
            },
        )


def record_run(
    report: Mapping[str, Any],
    url: str | None = None,
    *,
    artifacts: RunArtifactsData | None = None,
    actor: str | None = None,
    principal: Principal | None = None,
) -> str:
    """Record one run in the store at ``url``: :meth:`RunStore.record_run` in one call.

    Parameters
    ----------
    report : Mapping[str, Any]
        A ``report.json`` 1.x document.
    url : str or None
        Store URL (``None``: ``FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``).
    artifacts : RunArtifactsData, optional
        Recorded with the run (see :meth:`RunStore.record_run`).
    actor : str, optional
        Who records it (default: ``principal.name``, else the operating-system account).
    principal : Principal, optional
        The acting user; when given, it must hold ``run.write`` for the report's system
        (see :meth:`RunStore.record_run`).

    Returns
    -------
    str
        The ``run_id`` recorded.

    Raises
    ------
    AccessError, DataError, UsageError, StoreError
        As :meth:`RunStore.record_run` and :class:`RunStore`.
    """
    with RunStore(url) as store:
        return store.record_run(report, artifacts=artifacts, actor=actor, principal=principal)


def list_runs(
    limit: int | None = 50, system_name: str | None = None, url: str | None = None
) -> list[RunSummary]:
    """List the runs of the store at ``url``, newest first: :meth:`RunStore.list_runs`.

    Parameters
    ----------
    limit : int or None
        At most this many runs; ``None`` for all.
    system_name : str or None
        Only this AI system's runs.
    url : str or None
        Store URL (``None``: ``FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``).

    Returns
    -------
    list of RunSummary

    Raises
    ------
    UsageError, StoreError
        As :meth:`RunStore.list_runs` and :class:`RunStore`.
    """
    with RunStore(url) as store:
        return store.list_runs(limit=limit, system_name=system_name)


def get_run(run_id: str, url: str | None = None) -> dict[str, Any]:
    """Fetch one run's report document from the store at ``url``: :meth:`RunStore.get_run`.

    Parameters
    ----------
    run_id : str
        The run's UUID or a unique prefix of it.
    url : str or None
        Store URL (``None``: ``FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``).

    Returns
    -------
    dict
        The ``report.json`` document as recorded.

    Raises
    ------
    UsageError, StoreError
        As :meth:`RunStore.get_run` and :class:`RunStore`.
    """
    with RunStore(url) as store:
        return store.get_run(run_id)
