"""The AI system inventory: register, list, show, update and retire AI systems.

Each AI system of a marketing team (a propensity model, a chatbot, a bidding agent …) is
one row of ``gov_systems``: its accountable owner and team, its purpose (a fideslang data
use), its marketing use case, the data categories it uses, its model (type, vendor,
version), its deployment status and its EU AI Act risk classification
(:mod:`fairmark.governance.risk`). :class:`SystemInfo` adds the links to its audit runs
and reviews.

Status lifecycle (:data:`TRANSITIONS`)::

    proposed ──review submit──▶ in_review ──approve──▶ approved ──gate passes──▶ deployed
        ▲                          │  ▲                   │  ▲                     │
        └────────reject────────────┘  └──material change──┴──┼─────────────────────┘
                                                             └───────undeploy──────┘
    any status except retired ──▶ retired (final)

Only ``approved → deployed``, ``deployed → approved`` and ``→ retired`` are set by hand
(:func:`set_status`); the others belong to the review workflow
(:mod:`fairmark.governance.review`) or follow a material change.

A *material change* (a new model version, model type or vendor, a new use case or purpose, another
policy or a changed policy file, a data category the system did not use before, a risk
re-classification that changes the tier of a system under review or approved) voids the outcome of
the system's reviews: an approved or deployed system goes back to ``in_review`` and every open or
approving review is marked ``reopened`` (:func:`reopen_reviews`). A system classified as a
prohibited practice (EU AI Act Art. 5) can never enter review, be approved or deployed; a material
change sends it back to ``proposed``.

Only an admin chooses the policy a system is judged against (anything but the built-in
one): the owner is the party judged, and a policy sets the quorum, the approval validity
and which rules block (:func:`_check_policy_setter`). The SHA-256 of a policy file is
recorded in the ``system.register`` / ``system.update`` log entry that sets it
(:func:`recorded_policy`), so the gate notices when the file is edited afterwards.

Every write checks the role first (:func:`fairmark.governance.access.authorize`,
permission ``system.write``; an ``owner`` acts only on their own systems), then makes all
its checks, then writes the change and its audit-log entry
(:func:`fairmark.governance.chain.append_entry`) in one transaction, so a refusal leaves
the store unchanged.

Sources: EU AI Act (Regulation (EU) 2024/1689) Art. 9 (risk management system), Art. 17(1)
(quality management system, incl. (m) accountability framework), Art. 26 (obligations of
deployers), Art. 43(4) (a substantial modification calls for a new conformity assessment),
Art. 3(23) (definition of substantial modification); ISO/IEC 42001:2023 clauses 5.3 (roles
and responsibilities), 6.1.4 (AI system impact assessment) and 8.4; fideslang taxonomy
(Ethyca, data uses and data categories).
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from fairmark.errors import FairmarkError, StoreError, UsageError
from fairmark.governance.access import AccessError, Principal, authorize
from fairmark.governance.chain import append_entry
from fairmark.governance.clock import db_now
from fairmark.store.db import store_errors, write_transaction
from fairmark.store.models import AuditRun
from fairmark.store.models_governance import (
    SYSTEM_STATUSES,
    LogEntryRow,
    Review,
    SystemRow,
    User,
)

__all__ = [
    "AUDIT_RUNS_SHOWN",
    "DATA_CATEGORY_PATTERN",
    "NAME_PATTERN",
    "REOPENABLE_REVIEW_STATUSES",
    "SYSTEM_STATUSES",
    "TRANSITIONS",
    "USE_CASES",
    "AuditRunLink",
    "RecordedPolicy",
    "ReviewLink",
    "SystemChange",
    "SystemInfo",
    "Transition",
    "apply_material_change",
    "audit_predates_model",
    "get_system",
    "list_systems",
    "move_status",
    "normalise_use_case",
    "recorded_policy",
    "register_system",
    "reopen_reviews",
    "retire_system",
    "set_status",
    "unknown_system",
    "update_system",
]

USE_CASES: tuple[str, ...] = (
    "targeting",
    "lead_scoring",
    "personalisation",
    "pricing_offers",
    "content_generation",
    "chatbot",
    "bidding",
)
"""Marketing use cases of an AI system (issue #7): audience targeting, lead scoring,
personalisation, pricing and offers, content generation, chatbots, ad bidding."""

_USE_CASE_ALIASES: dict[str, str] = {
    "personalization": "personalisation",
    "pricing": "pricing_offers",
    "offers": "pricing_offers",
    "pricing_and_offers": "pricing_offers",
}

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
"""An AI system name: lowercase letters, digits, ``.``, ``_``, ``-``; at most 100 chars."""

DATA_CATEGORY_PATTERN = re.compile(r"^(user|system)(\.[a-z_]+)+$")
"""A fideslang data category key: ``user.…`` or ``system.…``, dotted lowercase words."""

_PURPOSE_PATTERN = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")
_MAX_TEXT = 200
_MAX_VERSION = 100
_MAX_POLICY_PATH = 500  # gov_systems.policy is String(500)
_MAX_LISTED = 10

AUDIT_RUNS_SHOWN = 20
"""At most this many audit runs are linked in :class:`SystemInfo` (newest first)."""

REOPENABLE_REVIEW_STATUSES: tuple[str, ...] = ("open", "approved", "approved_with_conditions")
"""Reviews whose outcome a material change voids (:func:`reopen_reviews`)."""

_PROMOTING = frozenset({"in_review", "approved", "deployed"})
"""Statuses a prohibited practice (EU AI Act Art. 5) may never enter."""


@dataclass(frozen=True)
class Transition:
    """One allowed status change.

    Attributes
    ----------
    source, target : str
        Statuses (:data:`SYSTEM_STATUSES`).
    by : str or None
        What makes the change when it is not set by hand, e.g. ``'fairmark review
        submit'``; ``None`` for a manual change (:func:`set_status`).
    note : str or None
        A condition of a manual change (``only when 'fairmark gate' passes``).
    """

    source: str
    target: str
    by: str | None = None
    note: str | None = None

    @property
    def manual(self) -> bool:
        """Whether :func:`set_status` (``fairmark system update --status``) may make it."""
        return self.by is None

    def describe(self) -> str:
        """``target`` plus how it is reached, e.g. ``in_review (by 'fairmark review submit')``."""
        if self.by is not None:
            return f"{self.target} (by {self.by})"
        if self.note is not None:
            return f"{self.target} ({self.note})"
        return self.target


_RETIRE = "retired"
_MATERIAL = "a material change"
_DECISION = "a review decision"
_SUBMIT = "'fairmark review submit'"

TRANSITIONS: dict[str, dict[str, Transition]] = {
    source: {t.target: t for t in items}
    for source, items in {
        "proposed": (
            Transition("proposed", "in_review", by=_SUBMIT),
            Transition("proposed", _RETIRE),
        ),
        "in_review": (
            Transition("in_review", "approved", by=_DECISION),
            Transition("in_review", "proposed", by=f"{_DECISION} or a prohibited classification"),
            Transition("in_review", _RETIRE),
        ),
        "approved": (
            Transition("approved", "deployed", note="only when 'fairmark gate' passes"),
            Transition("approved", "in_review", by=f"{_MATERIAL} or {_SUBMIT}"),
            Transition("approved", "proposed", by="a prohibited classification"),
            Transition("approved", _RETIRE),
        ),
        "deployed": (
            Transition("deployed", "approved", note="undeploy"),
            Transition("deployed", "in_review", by=f"{_MATERIAL} or {_SUBMIT}"),
            Transition("deployed", "proposed", by="a prohibited classification"),
            Transition("deployed", _RETIRE),
        ),
        "retired": (),
    }.items()
}
"""``source status -> {target status: Transition}``: every allowed status change and who
makes it. ``retired`` is final. Source: the lifecycle of issue #7; EU AI Act Art. 16 and
26 (a high-risk system is put into service only after its conformity assessment)."""


@dataclass(frozen=True)
class AuditRunLink:
    """An audit run of the system (``audit_runs.system_name`` equals the system's name).

    Attributes
    ----------
    run_id : str
    created_at : datetime
        When the audit ran (UTC).
    verdict : str
        ``pass``, ``warn``, ``fail`` or ``insufficient_evidence``.
    """

    run_id: str
    created_at: datetime
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``created_at`` as ISO 8601 UTC text)."""
        return {"run_id": self.run_id, "created_at": _iso(self.created_at), "verdict": self.verdict}


@dataclass(frozen=True)
class ReviewLink:
    """A review of the system (``gov_reviews``).

    Attributes
    ----------
    review_id : int
    status : str
        ``open``, ``approved``, ``approved_with_conditions``, ``rejected``, ``reopened`` or
        ``withdrawn``.
    model_version : str
        The model version submitted.
    run_id : str
        The audit run submitted with it.
    submitted_at : datetime
    expires_at : datetime or None
        When an approval lapses.
    """

    review_id: int
    status: str
    model_version: str
    run_id: str
    submitted_at: datetime
    expires_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (timestamps as ISO 8601 UTC text)."""
        return {
            "review_id": self.review_id,
            "status": self.status,
            "model_version": self.model_version,
            "run_id": self.run_id,
            "submitted_at": _iso(self.submitted_at),
            "expires_at": _iso(self.expires_at),
        }


@dataclass(frozen=True)
class SystemInfo:
    """One AI system of the inventory, with links to its audit runs and reviews.

    Attributes
    ----------
    name : str
    owner : str
        Accountable owner (a user name).
    team, description : str or None
    purpose : str
        fideslang data use, e.g. ``marketing.communications``.
    use_case : str
        One of :data:`USE_CASES`.
    data_categories : tuple of str
        fideslang data categories, in the order registered.
    model_type, vendor : str or None
    model_version : str
    model_version_at : datetime
        When the current model (version, type and vendor) was recorded (UTC); an audit
        must be newer to count for the deployment gate.
    status : str
        One of :data:`SYSTEM_STATUSES`.
    risk : dict or None
        The latest risk classification (:meth:`fairmark.governance.risk.RiskClassification.to_dict`
        plus ``classified_at``, ``classified_by``, ``answers_sha256``); ``None`` before
        ``fairmark system classify``.
    policy : str or None
        The policy the system is judged against: a built-in name (``default``) or the
        absolute path of a policy file; ``None`` means the built-in policy.
    created_at, updated_at : datetime
    audit_runs : tuple of AuditRunLink
        The newest :data:`AUDIT_RUNS_SHOWN` audit runs of the system, newest first.
    audit_run_count : int
        How many audit runs the system has in all.
    reviews : tuple of ReviewLink
        Every review of the system, newest first.
    """

    name: str
    owner: str
    team: str | None
    description: str | None
    purpose: str
    use_case: str
    data_categories: tuple[str, ...]
    model_type: str | None
    vendor: str | None
    model_version: str
    model_version_at: datetime
    status: str
    risk: dict[str, Any] | None
    policy: str | None
    created_at: datetime
    updated_at: datetime
    audit_runs: tuple[AuditRunLink, ...] = ()
    audit_run_count: int = 0
    reviews: tuple[ReviewLink, ...] = ()

    @property
    def risk_tier(self) -> str | None:
        """The EU AI Act tier of the latest classification, ``None`` if not classified."""
        return None if self.risk is None else self.risk.get("tier")

    @property
    def policy_ref(self) -> str:
        """What to pass to :func:`fairmark.policy.load_policy` (``default`` when unset)."""
        return self.policy or "default"

    def to_dict(self) -> dict[str, Any]:
        """Return every field as a JSON-ready dict (timestamps as ISO 8601 UTC text)."""
        return {
            "name": self.name,
            "owner": self.owner,
            "team": self.team,
            "description": self.description,
            "purpose": self.purpose,
            "use_case": self.use_case,
            "data_categories": list(self.data_categories),
            "model_type": self.model_type,
            "vendor": self.vendor,
            "model_version": self.model_version,
            "model_version_at": _iso(self.model_version_at),
            "status": self.status,
            "risk_tier": self.risk_tier,
            "risk": self.risk,
            "policy": self.policy,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "audit_runs": [r.to_dict() for r in self.audit_runs],
            "audit_run_count": self.audit_run_count,
            "reviews": [r.to_dict() for r in self.reviews],
        }


@dataclass(frozen=True)
class SystemChange:
    """What an update, status change or retirement did.

    Attributes
    ----------
    system : SystemInfo
        The system after the change.
    changes : dict
        ``field -> {"from": old, "to": new}`` (JSON-ready values).
    material : tuple of str
        Why the change is material (``new model version 1.1 (was 1.0)``,
        ``new data category user.financial``); empty when it is not.
    status_from, status_to : str
    reopened_reviews : tuple of int
        Reviews marked ``reopened`` by the material change.
    withdrawn_reviews : tuple of int
        Open reviews withdrawn because the system was retired.
    """

    system: SystemInfo
    changes: dict[str, dict[str, Any]]
    material: tuple[str, ...] = ()
    status_from: str = ""
    status_to: str = ""
    reopened_reviews: tuple[int, ...] = ()
    withdrawn_reviews: tuple[int, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the system, the changes and their consequences."""
        return {
            "system": self.system.to_dict(),
            "changes": self.changes,
            "material": list(self.material),
            "status_from": self.status_from,
            "status_to": self.status_to,
            "reopened_reviews": list(self.reopened_reviews),
            "withdrawn_reviews": list(self.withdrawn_reviews),
        }


@dataclass(frozen=True)
class RecordedPolicy:
    """The policy of a system as the audit log recorded it being set (:func:`recorded_policy`).

    Attributes
    ----------
    policy : str or None
        The policy value set (``None`` or ``default``: the built-in policy; else the
        absolute path of a policy file).
    sha256 : str or None
        SHA-256 of the policy file's canonical text when it was set (``None`` for the
        built-in policy, or when not recorded).
    pinned : bool
        Whether the entry recorded the content hash at all (entries written before
        fairmark recorded it do not).
    seq : int
        The log entry that set it.
    actor : str
        Who set it.
    """

    policy: str | None
    sha256: str | None
    pinned: bool
    seq: int
    actor: str


# --------------------------------------------------------------------------- helpers


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@contextmanager
def _db_errors(url: Any, action: str) -> Iterator[None]:
    """Database errors become one-line ``StoreError``; fairmark's own errors pass through.

    (:func:`fairmark.store.db.store_errors` alone would turn an ``AccessError``, which is
    a ``PermissionError`` and so an ``OSError``, into a ``StoreError``.)
    """
    try:
        with store_errors(url, action):
            yield
    except StoreError as exc:
        if isinstance(exc.__cause__, FairmarkError):
            raise exc.__cause__ from None
        raise


@contextmanager
def _reading(engine_or_conn: Engine | Connection) -> Iterator[Connection]:
    """A connection to read with: the caller's own, or a new one from the engine."""
    if isinstance(engine_or_conn, Connection):
        yield engine_or_conn
        return
    with (
        _db_errors(engine_or_conn.url, "cannot read the AI system inventory"),
        engine_or_conn.connect() as conn,
    ):
        yield conn


@contextmanager
def _writing(engine: Engine, principal: Principal) -> Iterator[Connection]:
    """A write transaction whose first act is :func:`identity.ensure_actor`."""
    from fairmark.governance.identity import ensure_actor

    with (
        _db_errors(engine.url, "cannot write the AI system inventory"),
        write_transaction(engine) as conn,
    ):
        ensure_actor(conn, principal)
        yield conn


def _names(conn: Connection) -> list[str]:
    return list(conn.execute(select(SystemRow.name).order_by(SystemRow.name)).scalars())


def audit_predates_model(audit_at: datetime, version_at: datetime) -> bool:
    """Return whether an audit dated ``audit_at`` is older than the model version.

    Parameters
    ----------
    audit_at : datetime
        The audit run's ``created_at`` (timezone-aware); audit reports carry whole seconds
        (``YYYY-MM-DDTHH:MM:SSZ``).
    version_at : datetime
        The system's ``model_version_at`` (timezone-aware, microseconds; the store's clock).

    Returns
    -------
    bool
        ``True`` when the audit's second is before the version's second. Both are compared
        at the reports' one-second resolution, so an audit started in the same second as
        the version was registered counts as newer (otherwise an audit run right after a
        registration would be judged stale at random). Issue #7: the gate requires "a
        passing audit newer than the model version".
    """
    return audit_at < version_at.replace(microsecond=0)


def unknown_system(conn: Connection, name: str) -> UsageError:
    """The error for an AI system ``name`` that is not in the inventory.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    name : str

    Returns
    -------
    UsageError
        ``no AI system 'x'; did you mean 'y'?`` (difflib near matches), else ``…;
        expected one of: a, b`` (at most 10 listed), else ``…; the inventory is empty``.
    """
    names = _names(conn)
    if not names:
        return UsageError(
            f"no AI system {name!r}; the inventory is empty "
            "(register one with 'fairmark system register')"
        )
    near = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if near:
        return UsageError(
            f"no AI system {name!r}; did you mean {' or '.join(repr(n) for n in near)}?"
        )
    shown = ", ".join(names[:_MAX_LISTED]) + (" …" if len(names) > _MAX_LISTED else "")
    return UsageError(f"no AI system {name!r}; expected one of: {shown}")


def _row(conn: Connection, name: str, *, lock: bool = False) -> Any:
    stmt = select(SystemRow).where(SystemRow.name == name)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        raise unknown_system(conn, name)
    return row


def _info(conn: Connection, row: Any) -> SystemInfo:
    runs = conn.execute(
        select(AuditRun.run_id, AuditRun.created_at, AuditRun.verdict)
        .where(AuditRun.system_name == row.name)
        .order_by(AuditRun.created_at.desc(), AuditRun.run_id.desc())
        .limit(AUDIT_RUNS_SHOWN)
    ).all()
    count = conn.execute(
        select(func.count()).select_from(AuditRun).where(AuditRun.system_name == row.name)
    ).scalar_one()
    reviews = conn.execute(
        select(Review).where(Review.system_name == row.name).order_by(Review.review_id.desc())
    ).all()
    return SystemInfo(
        name=row.name,
        owner=row.owner,
        team=row.team,
        description=row.description,
        purpose=row.purpose,
        use_case=row.use_case,
        data_categories=tuple(row.data_categories or ()),
        model_type=row.model_type,
        vendor=row.vendor,
        model_version=row.model_version,
        model_version_at=row.model_version_at,
        status=row.status,
        risk=row.risk,
        policy=row.policy,
        created_at=row.created_at,
        updated_at=row.updated_at,
        audit_runs=tuple(AuditRunLink(r.run_id, r.created_at, r.verdict) for r in runs),
        audit_run_count=int(count),
        reviews=tuple(
            ReviewLink(
                review_id=int(r.review_id),
                status=r.status,
                model_version=r.model_version,
                run_id=r.run_id,
                submitted_at=r.submitted_at,
                expires_at=r.expires_at,
            )
            for r in reviews
        ),
    )


# --------------------------------------------------------------------------- validation


def normalise_use_case(value: str) -> str:
    """Return the canonical id of a marketing use case.

    Parameters
    ----------
    value : str
        A use case, in any case, with hyphens, spaces or ``/`` between words
        (``Lead-Scoring``, ``pricing/offers``); ``personalization`` is accepted too.

    Returns
    -------
    str
        One of :data:`USE_CASES`.

    Raises
    ------
    UsageError
        Unknown use case (listing :data:`USE_CASES`).
    """
    key = re.sub(r"[\s\-/]+", "_", str(value).strip().lower())
    key = _USE_CASE_ALIASES.get(key, key)
    if key not in USE_CASES:
        raise UsageError(f"unknown use case {value!r}; expected one of {', '.join(USE_CASES)}")
    return key


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise UsageError(
            f"AI system name {name!r} is not valid; expected 1-100 characters: lowercase "
            "letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def _check_text(label: str, value: str | None, *, limit: int = _MAX_TEXT) -> str | None:
    """Strip optional text; blank becomes ``None``; over ``limit`` characters is refused."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(f"{label} is {value!r}; expected text")
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise UsageError(f"{label} is {len(value)} characters long; expected at most {limit}")
    return value


_VERSION_FORM = (
    f"1-{_MAX_VERSION} printable ASCII characters ('!' to '~', no spaces or control "
    "characters), such as 1.0, 2.1.3-rc1 or 2025-06-01"
)

_VERSION_CHAR = re.compile(r"[^\x21-\x7e]")
"""A character a model version may not hold: anything outside printable ASCII 0x21-0x7E."""


def _describe_char(ch: str) -> str:
    """``'１' (U+FF11 FULLWIDTH DIGIT ONE)``: a character as Python text plus its code point."""
    label = unicodedata.name(ch, "")
    return f"{ch!r} (U+{ord(ch):04X}{' ' + label if label else ''})"


def _check_model_version(value: str) -> str:
    """A model version: 1-100 printable ASCII characters (0x21-0x7E), compared exactly.

    Blank text is "empty". Any other character is refused, naming the first one and its
    position: a space, tab, newline or control character (also leading or trailing), and
    any non-ASCII character. The rule is stricter than Unicode NFKC normalisation on
    purpose: ``１.０`` (fullwidth digits) or ``1.0`` with a Cyrillic letter look like
    ``1.0`` but compare differently, and the gate and the reviews match versions exactly.
    Versions stored before this rule are kept as they are.

    Notes
    -----
    Source: Unicode Technical Standard #39 (confusable characters) and Unicode Standard
    Annex #15 (normalisation forms); the printable ASCII range is RFC 20 / ECMA-6.
    """
    if not isinstance(value, str):
        raise UsageError(f"model version is {value!r}; expected {_VERSION_FORM}")
    if not value.strip():
        raise UsageError(f"model version is empty; expected {_VERSION_FORM}")
    if len(value) > _MAX_VERSION:
        raise UsageError(
            f"model version is {len(value)} characters long; expected at most {_MAX_VERSION}"
        )
    bad = _VERSION_CHAR.search(value)
    if bad is not None:
        raise UsageError(
            f"model version {value!r} is not valid: character {bad.start() + 1} is "
            f"{_describe_char(bad.group())}; expected {_VERSION_FORM}"
        )
    return value


def _check_categories(values: Iterable[str], label: str = "data category") -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    out: list[str] = []
    for value in values:
        cat = str(value).strip()
        if not DATA_CATEGORY_PATTERN.fullmatch(cat):
            raise UsageError(
                f"{label} {value!r} is not a fideslang data category; expected a dotted key "
                "starting with 'user.' or 'system.' (e.g. user.demographic.age_range)"
            )
        if cat not in out:
            out.append(cat)
    return tuple(out)


def _load_policy(policy: str | None) -> Any:
    from fairmark.policy import load_policy

    return load_policy(policy if policy is not None else "default")


def _check_policy(policy: str | None) -> str | None:
    """Check that ``policy`` loads; return what to store (a file as its absolute path).

    A relative path is resolved against the current folder *now*, so that ``fairmark
    gate`` run from any other folder finds the same file; built-in names (``default``)
    are kept as given.
    """
    from fairmark.policy.source import BUILTIN_NAMES

    value = _check_text("policy", policy, limit=500)
    _load_policy(value)
    if value is None or value in BUILTIN_NAMES:
        return value
    try:
        resolved = str(Path(value).expanduser().resolve())
    except (OSError, RuntimeError) as exc:  # a symlink loop, an unreadable folder
        raise UsageError(
            f"policy path {value!r} cannot be resolved ({exc}); expected a readable file"
        ) from None
    if len(resolved) > _MAX_POLICY_PATH:
        raise UsageError(
            f"policy path {resolved!r} is {len(resolved)} characters long; expected at most "
            f"{_MAX_POLICY_PATH}"
        )
    return resolved


def _is_builtin(policy: str | None) -> bool:
    """Whether a stored policy value names the built-in policy (``None`` or ``default``)."""
    from fairmark.policy.source import BUILTIN_NAMES

    return policy is None or policy in BUILTIN_NAMES


def _policy_sha256(policy: str | None) -> str | None:
    """SHA-256 of a policy *file*'s canonical text (``None`` for the built-in policy)."""
    return None if _is_builtin(policy) else str(_load_policy(policy).sha256)


def _check_policy_setter(
    principal: Principal,
    policy: str | None,
    *,
    name: str,
    current: str | None = None,
    registering: bool = False,
) -> None:
    """Refuse anyone but an admin choosing the policy a system is judged against.

    Parameters
    ----------
    principal : Principal
        Who sets the policy.
    policy : str or None
        The checked policy value to store (``None``/``default``: the built-in policy;
        else an absolute path).
    name : str
        The system (for the message).
    current : str or None
        The system's policy before the change (``None`` on registration).
    registering : bool
        Called by :func:`register_system` (the message then says to register without
        ``--policy`` first).

    Raises
    ------
    AccessError
        ``principal`` is not an admin and sets a policy file, or replaces one (also by
        the built-in policy): the owner is the party the policy judges, and a policy
        sets the quorum, the approval validity and which rules block.

    Notes
    -----
    Separation of duties: NIST SP 800-53 AC-5; ISO/IEC 42001:2023 clause 5.3 (roles) and
    A.3.2; EU AI Act Art. 17(1)(m) (accountability framework of the quality management
    system).
    """
    if principal.role == "admin" or (_is_builtin(policy) and _is_builtin(current)):
        return
    wanted = f"--policy {'default' if _is_builtin(policy) else shlex.quote(str(policy))}"
    first = "register it without --policy and " if registering else ""
    raise AccessError(
        "only an admin chooses the policy a system is judged against; user "
        f"{principal.name!r} (role {principal.role}) may not set the policy of {name!r}: "
        f"{first}ask an admin to run 'fairmark system update {name} {wanted}'"
    )


def recorded_policy(conn: Connection, name: str) -> RecordedPolicy | None:
    """Return the policy of a system as the audit log last recorded it being set.

    Reads the ``system.register`` entry of ``name`` and every ``system.update`` entry that
    changed its policy (``changes.policy``) or re-recorded its content (a
    ``policy_sha256`` key), in log order; the last one wins.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    name : str
        The system's name.

    Returns
    -------
    RecordedPolicy or None
        ``None`` when the log holds no such entry for ``name``.

    Notes
    -----
    The log, not ``gov_systems``, is the tamper-evident record (EU AI Act Art. 12;
    Schneier & Kelsey 1999); :mod:`fairmark.governance.gate` compares the policy file's
    current SHA-256 with the one recorded here.
    """
    rows = conn.execute(
        select(LogEntryRow.seq, LogEntryRow.actor, LogEntryRow.action, LogEntryRow.payload)
        .where(
            LogEntryRow.entity_type == "system",
            LogEntryRow.entity_id == name,
            LogEntryRow.action.in_(("system.register", "system.update")),
        )
        .order_by(LogEntryRow.seq)
    ).all()
    found: RecordedPolicy | None = None
    for row in rows:
        try:
            payload = json.loads(row.payload)
        except (TypeError, ValueError):
            continue
        if not isinstance(payload, dict):
            continue
        if row.action == "system.register":
            policy = payload.get("policy")
        else:
            changes = payload.get("changes")
            change = changes.get("policy") if isinstance(changes, dict) else None
            if isinstance(change, dict):
                policy = change.get("to")
            elif "policy_sha256" in payload and found is not None:
                policy = found.policy
            else:
                continue
        sha = payload.get("policy_sha256")
        found = RecordedPolicy(
            policy=policy if isinstance(policy, str) else None,
            sha256=sha if isinstance(sha, str) else None,
            pinned="policy_sha256" in payload,
            seq=int(row.seq),
            actor=str(row.actor),
        )
    return found


def _check_purpose(purpose: str, policy: str | None) -> str:
    value = _check_text("purpose", purpose)
    if value is None or not _PURPOSE_PATTERN.fullmatch(value):
        raise UsageError(
            f"purpose {purpose!r} is not a fideslang data use; expected a dotted key such as "
            "marketing.communications"
        )
    loaded = _load_policy(policy)
    declared = sorted(loaded.settings.purposes)
    if declared and value not in declared:
        raise UsageError(
            f"purpose {value!r} is not declared in policy {loaded.id} "
            f"(settings.purposes); expected one of {', '.join(declared)}"
        )
    return value


def _check_owner(conn: Connection, owner: str) -> str:
    row = conn.execute(
        select(User.name, User.role, User.disabled_at).where(User.name == owner)
    ).first()
    if row is None:
        names = list(conn.execute(select(User.name).order_by(User.name)).scalars())
        near = difflib.get_close_matches(owner, names, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
        raise UsageError(
            f"owner {owner!r} is not a registered user{hint}; expected a user with role "
            "owner or admin (add one with 'fairmark user add')"
        )
    if row.disabled_at is not None:
        raise UsageError(f"owner {owner!r} is disabled; expected an enabled user")
    if row.role not in ("owner", "admin"):
        raise UsageError(
            f"owner {owner!r} has role {row.role}; expected a user with role owner or admin"
        )
    return owner


def _check_owner_change(principal: Principal, name: str, current: str, new_owner: str) -> None:
    """Refuse an ``owner`` handing their system to another user (only an admin reassigns).

    Parameters
    ----------
    principal : Principal
        Who updates; already authorised for ``system.write`` on the system as it is.
    name : str
        The system (for the message).
    current : str
        Its accountable owner now.
    new_owner : str
        The registered user it would be handed to (:func:`_check_owner` checked it).

    Raises
    ------
    AccessError
        ``principal`` lacks ``system.write`` for a system owned by ``new_owner``: an
        ``owner`` holds it only for their own systems
        (:data:`fairmark.governance.access.OWNED_PERMISSIONS`), so only an admin may
        give a system to someone else. The message names the real owner and the new one.

    Notes
    -----
    Source: ISO/IEC 42001:2023 clause 5.3 (assigned responsibilities); NIST SP 800-53
    AC-5 (separation of duties: an owner does not pick who answers for a system).
    """
    if principal.can("system.write", owner=new_owner):
        return
    raise AccessError(
        f"user {principal.name!r} (role {principal.role}) may not hand AI system {name!r} "
        f"(owned by {current!r}) to {new_owner!r}: only an admin reassigns a system to "
        f"another owner; ask an admin to run 'fairmark system update {name} --owner "
        f"{new_owner}'"
    )


def _tier(risk: Any) -> str | None:
    return risk.get("tier") if isinstance(risk, dict) else None


def _transition_error(name: str, source: str, target: str) -> UsageError:
    allowed = TRANSITIONS.get(source, {})
    if not allowed:
        return UsageError(
            f"cannot move {name!r} from {source} to {target}; {source} is final, "
            "no change is allowed"
        )
    listed = ", ".join(t.describe() for t in allowed.values())
    return UsageError(
        f"cannot move {name!r} from {source} to {target}; allowed from {source}: {listed}"
    )


def _check_status(value: str) -> str:
    status = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if status not in SYSTEM_STATUSES:
        raise UsageError(f"unknown status {value!r}; expected one of {', '.join(SYSTEM_STATUSES)}")
    return status


def _refuse_prohibited(row: Any, target: str) -> None:
    if target in _PROMOTING and _tier(row.risk) == "prohibited":
        raise UsageError(
            f"cannot move {row.name!r} to {target}: it is classified as a prohibited AI "
            "practice (EU AI Act Art. 5); expected it to be changed and re-classified, "
            "or retired"
        )


# --------------------------------------------------------------------------- reads


def get_system(
    engine_or_conn: Engine | Connection, name: str, *, principal: Principal
) -> SystemInfo:
    """Return one AI system of the inventory with its links.

    Parameters
    ----------
    engine_or_conn : sqlalchemy.Engine or sqlalchemy.Connection
        The store; a connection is used as is (e.g. inside the caller's transaction).
    name : str
        The system's name.
    principal : Principal
        Who is reading; needs permission ``system.read`` (every role).

    Returns
    -------
    SystemInfo

    Raises
    ------
    AccessError
        ``principal`` may not read the inventory (a token without the scope).
    UsageError
        No such system: ``no AI system 'x'; did you mean 'y'?`` or ``…; expected one of:
        a, b``.
    StoreError
        The store cannot be read.

    Notes
    -----
    Source: EU AI Act Art. 49 and Art. 71 (registration of high-risk systems: provider,
    purpose, status) and ISO/IEC 42001:2023 Annex A.4 (resources of AI systems), which
    list what an inventory record holds.
    """
    authorize(principal, "system.read")
    with _reading(engine_or_conn) as conn:
        return _info(conn, _row(conn, name))


def list_systems(
    engine: Engine | Connection,
    *,
    status: str | None = None,
    owner: str | None = None,
    principal: Principal,
) -> list[SystemInfo]:
    """List the AI systems of the inventory, by name.

    Parameters
    ----------
    engine : sqlalchemy.Engine or sqlalchemy.Connection
    status : str, optional
        Only systems in this status (one of :data:`SYSTEM_STATUSES`).
    owner : str, optional
        Only systems of this accountable owner.
    principal : Principal
        Needs ``system.read``.

    Returns
    -------
    list of SystemInfo
        Sorted by name; empty when nothing matches.

    Raises
    ------
    AccessError
        No ``system.read`` permission.
    UsageError
        ``status`` is not a known status.
    StoreError
        The store cannot be read.

    Notes
    -----
    Source: ISO/IEC 42001:2023 Annex A.4.2 (documenting the resources of AI systems).
    """
    authorize(principal, "system.read")
    stmt = select(SystemRow).order_by(SystemRow.name)
    if status is not None:
        stmt = stmt.where(SystemRow.status == _check_status(status))
    if owner is not None:
        stmt = stmt.where(SystemRow.owner == owner.strip())
    with _reading(engine) as conn:
        return [_info(conn, row) for row in conn.execute(stmt).all()]


# --------------------------------------------------------------------------- writes


def register_system(
    engine: Engine,
    *,
    name: str,
    owner: str,
    purpose: str,
    use_case: str,
    model_version: str,
    team: str | None = None,
    description: str | None = None,
    data_categories: Sequence[str] = (),
    model_type: str | None = None,
    vendor: str | None = None,
    policy: str | None = None,
    principal: Principal,
) -> SystemInfo:
    """Register a new AI system in the inventory, status ``proposed``.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
        Unique name, :data:`NAME_PATTERN` (e.g. ``bank-propensity``).
    owner : str
        The accountable owner: a registered, enabled user with role ``owner`` or
        ``admin``. An ``owner`` may register only systems they own themselves.
    purpose : str
        fideslang data use, declared in the policy's ``settings.purposes``.
    use_case : str
        One of :data:`USE_CASES` (hyphen, space and case variants accepted).
    model_version : str
        Current model version: 1-100 printable ASCII characters (0x21-0x7E, no
        spaces; :func:`_check_model_version`).
    team, description : str, optional
    data_categories : sequence of str
        fideslang data categories (``user.…`` / ``system.…``); duplicates dropped.
    model_type, vendor : str, optional
    policy : str, optional
        Policy file path or ``default``; loaded to validate it. A file is stored as its
        absolute, resolved path (a relative path is taken from the current folder), so
        that the gate finds it from any folder (``None``: the built-in policy). Only an
        admin may give a policy file (:func:`_check_policy_setter`); its SHA-256 is
        logged (``policy_sha256``) and the gate compares the file against it.
    principal : Principal
        Who registers; needs ``system.write`` for ``owner``.

    Returns
    -------
    SystemInfo
        The new system (``model_version_at`` = now).

    Raises
    ------
    AccessError
        Role without ``system.write`` (reviewer, auditor, viewer), an owner
        registering for someone else, or anyone but an admin giving a policy file.
    UsageError
        Bad name, duplicate name, unknown owner, purpose or use case, malformed data
        category, a model version that is empty, longer than 100 characters or holds a
        character outside printable ASCII (a space, a control or a non-ASCII character).
    PolicyError
        ``policy`` cannot be loaded.
    StoreError
        The store cannot be written. Nothing is written on any error.

    Notes
    -----
    Logged as ``system.register`` with every stored field and ``policy_sha256``. Source:
    EU AI Act Art. 49 and Annex VIII (registration data); ISO/IEC 42001:2023 clause 5.3
    (accountable owner); NIST SP 800-53 AC-5 (separation of duties: the judged party
    does not choose the policy).
    """
    authorize(principal, "system.write", owner=owner)
    _check_name(name)
    owner = _check_text("owner", owner) or ""
    use = normalise_use_case(use_case)
    version = _check_model_version(model_version)
    policy = _check_policy(policy)
    _check_policy_setter(principal, policy, name=name, registering=True)
    policy_sha256 = _policy_sha256(policy)
    purpose = _check_purpose(purpose, policy)
    categories = _check_categories(data_categories)
    values = {
        "name": name,
        "owner": owner,
        "team": _check_text("team", team),
        "description": _check_text("description", description, limit=10_000),
        "purpose": purpose,
        "use_case": use,
        "data_categories": list(categories),
        "model_type": _check_text("model type", model_type),
        "vendor": _check_text("vendor", vendor),
        "model_version": version,
        "policy": policy,
    }
    with _writing(engine, principal) as conn:
        now = db_now(conn)  # after the log lock: never earlier than the entry before
        if conn.execute(select(SystemRow.name).where(SystemRow.name == name)).first():
            raise UsageError(
                f"AI system {name!r} is already registered; expected a new name "
                "(change it with 'fairmark system update')"
            )
        _check_owner(conn, owner)
        conn.execute(
            insert(SystemRow).values(
                **values,
                model_version_at=now,
                status="proposed",
                risk=None,
                created_at=now,
                updated_at=now,
            )
        )
        append_entry(
            conn,
            actor=principal.name,
            action="system.register",
            entity_type="system",
            entity_id=name,
            payload={**values, "status": "proposed", "policy_sha256": policy_sha256},
            at=now,
        )
        return _info(conn, _row(conn, name))


def reopen_reviews(conn: Connection, system_name: str, reason: str, actor: str) -> list[int]:
    """Void the outcome of a system's reviews after a material change.

    Every review of ``system_name`` in status ``open``, ``approved`` or
    ``approved_with_conditions`` becomes ``reopened`` with ``closed_reason = reason``,
    and one ``review.reopen`` entry per review is appended to the audit log.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the caller's write transaction (the one that makes the material change).
    system_name : str
    reason : str
        Why, e.g. ``new model version 1.1 (was 1.0)``; stored and logged.
    actor : str
        Who made the change (user name, or ``system``).

    Returns
    -------
    list of int
        The ids of the reviews reopened, ascending (empty when none was open or
        approving).

    Raises
    ------
    UsageError
        ``reason`` or ``actor`` is empty.

    Notes
    -----
    Does not change the system's status (the caller does). Source: EU AI Act Art. 3(23)
    and Art. 43(4) (a substantial modification requires a new conformity assessment);
    issue #7 item 3 (a new model version, a new data category or a failed re-audit
    reopens review).
    """
    if not isinstance(reason, str) or not reason.strip():
        raise UsageError("reopen reason is empty; expected why the review is reopened")
    if not isinstance(actor, str) or not actor.strip():
        raise UsageError("reopen actor is empty; expected a user name")
    rows = conn.execute(
        select(Review.review_id, Review.status)
        .where(Review.system_name == system_name)
        .where(Review.status.in_(REOPENABLE_REVIEW_STATUSES))
        .order_by(Review.review_id)
    ).all()
    ids: list[int] = []
    for row in rows:
        conn.execute(
            update(Review)
            .where(Review.review_id == row.review_id)
            .values(status="reopened", closed_reason=reason)
        )
        append_entry(
            conn,
            actor=actor,
            action="review.reopen",
            entity_type="review",
            entity_id=str(row.review_id),
            payload={
                "system": system_name,
                "status_from": row.status,
                "status_to": "reopened",
                "reason": reason,
            },
        )
        ids.append(int(row.review_id))
    return ids


def _has_open_review(conn: Connection, name: str) -> bool:
    return (
        conn.execute(
            select(Review.review_id)
            .where(Review.system_name == name)
            .where(Review.status == "open")
            .limit(1)
        ).first()
        is not None
    )


def apply_material_change(
    conn: Connection,
    row: Any,
    reasons: Sequence[str],
    actor: str,
    *,
    prohibited: bool = False,
) -> tuple[str, list[int]]:
    """Send a system back to review after a material change (inside the caller's transaction).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the write transaction making the change.
    row : gov_systems row
        The system as it was before the change.
    reasons : sequence of str
        What is material (one phrase each); joined with ``; `` as the reopen reason.
    actor : str
    prohibited : bool
        The system is (now) classified as a prohibited practice: it goes back to
        ``proposed`` instead of ``in_review``.

    Returns
    -------
    (str, list of int)
        The new status, and the reviews reopened.

    Notes
    -----
    An approved or deployed system, or one in review with an open review, moves to
    ``in_review`` (``proposed`` when prohibited) and its reviews are reopened
    (:func:`reopen_reviews`); a ``system.status`` entry is logged when the status
    changes. A proposed system, or one in review without an open review, keeps its
    status. Source: EU AI Act Art. 43(4).
    """
    status = row.status
    affected = status in ("approved", "deployed") or (
        status == "in_review" and _has_open_review(conn, row.name)
    )
    if not affected and not (prohibited and status == "in_review"):
        return status, []
    reason = "; ".join(reasons)
    reopened = reopen_reviews(conn, row.name, f"material change: {reason}", actor)
    target = "proposed" if prohibited else "in_review"
    if target != status:
        conn.execute(update(SystemRow).where(SystemRow.name == row.name).values(status=target))
        append_entry(
            conn,
            actor=actor,
            action="system.status",
            entity_type="system",
            entity_id=row.name,
            payload={
                "status_from": status,
                "status_to": target,
                "reason": f"material change: {reason}",
                "by": _MATERIAL,
                "reopened_reviews": reopened,
            },
        )
    return target, reopened


def move_status(
    conn: Connection,
    name: str,
    target: str,
    *,
    actor: str,
    by: str,
    reason: str | None = None,
    at: datetime | None = None,
) -> str:
    """Change a system's status on behalf of the review workflow (no role check here).

    For :mod:`fairmark.governance.review`: ``proposed → in_review`` on submission,
    ``in_review → approved`` or ``→ proposed`` on a decision, ``approved|deployed →
    in_review`` on re-submission. The caller has authorised the principal, called
    ``ensure_actor`` and holds the write transaction.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the caller's write transaction.
    name : str
    target : str
        The new status.
    actor : str
    by : str
        What makes the change (``review.submit``, ``review.decide`` …), logged.
    reason : str, optional
    at : datetime, optional
        Timestamp of the change and of its log entry, timezone-aware (default: the
        store's clock, :func:`fairmark.governance.clock.db_now`).
        The workflow passes the time it took at its start, so that the entries of one
        action share one time and the log's timestamps never run backwards.

    Returns
    -------
    str
        The previous status.

    Raises
    ------
    UsageError
        Unknown system; ``target`` not reachable from the current status
        (:data:`TRANSITIONS`, naming the allowed ones); a prohibited practice entering
        review, approval or deployment.

    Notes
    -----
    Logs ``system.status``. A same-status "move" is a no-op (returns the status, logs
    nothing). Source: issue #7 lifecycle; EU AI Act Art. 5.
    """
    target = _check_status(target)
    row = _row(conn, name, lock=True)
    if row.status == target:
        return row.status
    if target not in TRANSITIONS.get(row.status, {}):
        raise _transition_error(name, row.status, target)
    _refuse_prohibited(row, target)
    if at is not None and (not isinstance(at, datetime) or at.tzinfo is None):
        raise UsageError(f"status time is {at!r}; expected a timezone-aware datetime")
    now = db_now(conn) if at is None else at
    conn.execute(
        update(SystemRow).where(SystemRow.name == name).values(status=target, updated_at=now)
    )
    append_entry(
        conn,
        actor=actor,
        action="system.status",
        entity_type="system",
        entity_id=name,
        payload={"status_from": row.status, "status_to": target, "by": by, "reason": reason},
        at=now,
    )
    return str(row.status)


def _check_manual(row: Any, target: str) -> Transition:
    transition = TRANSITIONS.get(row.status, {}).get(target)
    if transition is None:
        raise _transition_error(row.name, row.status, target)
    if not transition.manual:
        manual = [t.describe() for t in TRANSITIONS[row.status].values() if t.manual]
        raise UsageError(
            f"cannot set {row.name!r} from {row.status} to {target} by hand: that is done "
            f"by {transition.by}; allowed by hand from {row.status}: {', '.join(manual)}"
        )
    _refuse_prohibited(row, target)
    return transition


def _check_gate(conn: Connection, name: str) -> None:
    try:
        from fairmark.governance.gate import evaluate_gate
    except ImportError:  # fail closed
        raise UsageError(
            f"cannot deploy {name!r}: the deployment gate (fairmark.governance.gate) is not "
            "installed; expected a passing 'fairmark gate'"
        ) from None
    result = evaluate_gate(conn, name)
    if not result.passed:
        reasons = "; ".join(str(getattr(r, "message", r)) for r in result.reasons)
        raise UsageError(
            f"cannot deploy {name!r}: the deployment gate fails ({reasons}); "
            "expected 'fairmark gate' to pass first"
        )


def _withdraw_open_reviews(conn: Connection, name: str, reason: str, actor: str) -> list[int]:
    ids = list(
        conn.execute(
            select(Review.review_id)
            .where(Review.system_name == name)
            .where(Review.status == "open")
            .order_by(Review.review_id)
        ).scalars()
    )
    for review_id in ids:
        conn.execute(
            update(Review)
            .where(Review.review_id == review_id)
            .values(status="withdrawn", closed_reason=f"system retired: {reason}")
        )
        append_entry(
            conn,
            actor=actor,
            action="review.close",
            entity_type="review",
            entity_id=str(review_id),
            payload={
                "system": name,
                "status_from": "open",
                "status_to": "withdrawn",
                "reason": f"system retired: {reason}",
            },
        )
    return [int(i) for i in ids]


def _status_change(
    conn: Connection, row: Any, target: str, *, actor: str, reason: str | None
) -> list[int]:
    """Apply a checked manual status change; return the reviews withdrawn (retirement)."""
    withdrawn: list[int] = []
    if target == "deployed":
        _check_gate(conn, row.name)
    if target == "retired":
        withdrawn = _withdraw_open_reviews(conn, row.name, reason or "", actor)
    now = db_now(conn)
    conn.execute(
        update(SystemRow).where(SystemRow.name == row.name).values(status=target, updated_at=now)
    )
    append_entry(
        conn,
        actor=actor,
        action="system.status",
        entity_type="system",
        entity_id=row.name,
        payload={
            "status_from": row.status,
            "status_to": target,
            "by": "manual",
            "reason": reason,
            "withdrawn_reviews": withdrawn,
        },
        at=now,
    )
    return withdrawn


def set_status(
    engine: Engine,
    name: str,
    status: str,
    *,
    principal: Principal,
    reason: str | None = None,
) -> SystemChange:
    """Change a system's status by hand: deploy, undeploy or retire.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
    status : str
        ``deployed`` (from ``approved``, only when the deployment gate passes),
        ``approved`` (from ``deployed``: undeploy) or ``retired`` (from any status but
        ``retired``; needs ``reason``).
    principal : Principal
        Needs ``system.write`` on the system (its owner or an admin).
    reason : str, optional
        Why; required for ``retired``. Logged.

    Returns
    -------
    SystemChange

    Raises
    ------
    AccessError
        No ``system.write`` on this system.
    UsageError
        Unknown system or status; a transition not in :data:`TRANSITIONS` or not manual
        (the message lists the allowed ones and who makes them); a prohibited practice;
        the deployment gate fails; retiring without a reason.
    StoreError
        The store cannot be written. Nothing is written on any error.

    Notes
    -----
    Logs ``system.status``. Source: issue #7 lifecycle; EU AI Act Art. 26(1) (deployers
    use high-risk systems in accordance with their instructions) and Art. 5.
    """
    authorize(principal, "system.write")
    target = _check_status(status)
    reason = _check_text("reason", reason, limit=2000)
    if target == "retired" and reason is None:
        raise UsageError(f"retiring {name!r} needs a reason; expected --reason TEXT")
    with _writing(engine, principal) as conn:
        row = _row(conn, name, lock=True)
        authorize(principal, "system.write", owner=row.owner)
        if row.status == target:
            raise UsageError(f"AI system {name!r} is already {target}; nothing to change")
        _check_manual(row, target)
        withdrawn = _status_change(conn, row, target, actor=principal.name, reason=reason)
        return SystemChange(
            system=_info(conn, _row(conn, name)),
            changes={"status": {"from": row.status, "to": target}},
            status_from=row.status,
            status_to=target,
            withdrawn_reviews=tuple(withdrawn),
        )


def retire_system(engine: Engine, name: str, *, principal: Principal, reason: str) -> SystemChange:
    """Retire an AI system (final): its open reviews are withdrawn.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
    principal : Principal
        Needs ``system.write`` on the system.
    reason : str
        Why it is retired (required, logged).

    Returns
    -------
    SystemChange

    Raises
    ------
    AccessError, UsageError, StoreError
        As :func:`set_status`; also when the system is already retired.

    Notes
    -----
    Source: ISO/IEC 42001:2023 Annex A.6.2.8 (AI system retirement is part of the life
    cycle); issue #7.
    """
    return set_status(engine, name, "retired", principal=principal, reason=reason)


_TEXT_FIELDS = ("team", "description", "model_type", "vendor")


def _material_reasons(
    changes: dict[str, dict[str, Any]], old_cats: list[str], cats: list[str]
) -> list[str]:
    """Why an update is material, one phrase each (see :func:`update_system`, Notes)."""

    def new(label: str, key: str) -> str:
        old, to = changes[key]["from"], changes[key]["to"]
        if to is None:
            return f"{label} cleared (was {old})"
        return f"new {label} {to} (was {'none' if old is None else old})"

    material = [
        new(label, key)
        for key, label in (
            ("model_version", "model version"),
            ("model_type", "model type"),
            ("vendor", "vendor"),
            ("use_case", "use case"),
            ("purpose", "purpose"),
        )
        if key in changes
    ]
    policy = changes.get("policy")
    if policy is not None and not (_is_builtin(policy["from"]) and _is_builtin(policy["to"])):
        material.append(
            f"judged against another policy ({policy['from'] or 'default'} -> "
            f"{policy['to'] or 'default'})"
        )
    content = changes.get("policy_sha256")
    if content is not None:
        before = "not recorded" if content["from"] is None else str(content["from"])[:12]
        material.append(
            f"policy file content changed (sha256 {before} -> {str(content['to'])[:12]})"
        )
    added = [c for c in cats if c not in old_cats]
    if added:
        material.append(
            f"new data {'categories' if len(added) > 1 else 'category'} {', '.join(added)}"
        )
    return material


def update_system(
    engine: Engine,
    name: str,
    *,
    principal: Principal,
    owner: str | None = None,
    team: str | None = None,
    description: str | None = None,
    purpose: str | None = None,
    use_case: str | None = None,
    data_categories: Sequence[str] | None = None,
    add_data_categories: Sequence[str] = (),
    remove_data_categories: Sequence[str] = (),
    model_type: str | None = None,
    vendor: str | None = None,
    model_version: str | None = None,
    policy: str | None = None,
    status: str | None = None,
    reason: str | None = None,
) -> SystemChange:
    """Change an AI system's record; a material change sends it back to review.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
    principal : Principal
        Needs ``system.write`` on the system (its owner or an admin); handing the
        system to another owner needs ``system.write`` for the new owner too (so only
        an admin can reassign a system).
    owner : str, optional
        New accountable owner (registered, enabled, role owner or admin).
    team, description, model_type, vendor : str, optional
        New text; an empty string clears the field.
    purpose : str, optional
        New fideslang data use (declared in the system's policy).
    use_case : str, optional
        New use case (:data:`USE_CASES`).
    data_categories : sequence of str, optional
        Replace the categories.
    add_data_categories, remove_data_categories : sequence of str
        Add or remove categories (removing one the system does not use is an error).
    model_version : str, optional
        New model version (as :func:`register_system`): a material change.
    policy : str, optional
        New policy path or ``default`` (a file is stored as its absolute, resolved path);
        an empty string resets to the built-in policy. Only an admin may change a
        system's policy (:func:`_check_policy_setter`). Giving the system's current
        policy file again records its content anew when the file changed since it was
        set (``changes["policy_sha256"]``).
    status : str, optional
        A manual status change (as :func:`set_status`); not together with a material
        change.
    reason : str, optional
        Why (logged; required to retire).

    Returns
    -------
    SystemChange
        With ``material`` naming the material changes and ``reopened_reviews``.

    Raises
    ------
    AccessError
        No ``system.write`` on the system; an owner handing it to another user (the
        message names the current and the new owner; :func:`_check_owner_change`);
        anyone but an admin changing the policy.
    UsageError
        Unknown system; nothing would change; a retired system; a new owner who is not
        a registered, enabled owner or admin (checked before the hand-over is
        authorised); bad values (as :func:`register_system`); a category to remove the
        system does not use; an illegal status transition; a status change together with a
        material change.
    PolicyError
        ``policy`` cannot be loaded.
    StoreError
        The store cannot be written. Nothing is written on any error.

    Notes
    -----
    Material (issue #7 item 3; EU AI Act Art. 3(23), 43(4)): a new ``model_version``, model type or
    vendor (a different model is a different system version: ``model_version_at`` becomes now, so
    older audits no longer count), use case, purpose (a change of intended purpose is a substantial
    modification, EU AI Act Art. 3(23)), policy (other than ``None`` <-> ``default``, both the
    built-in one) or policy file content, and any data category the system did not use before. Then
    an approved or deployed system (or one in review with an open review) goes to ``in_review`` and
    its reviews are reopened (:func:`reopen_reviews`). Removing a category, or changing owner, team
    or description, is not material. Logged as ``system.update`` with the changes, the material
    reasons and, when the policy is set, its ``policy_sha256``.
    """
    authorize(principal, "system.write")
    target = _check_status(status) if status is not None else None
    reason = _check_text("reason", reason, limit=2000)
    with _writing(engine, principal) as conn:
        row = _row(conn, name, lock=True)
        authorize(principal, "system.write", owner=row.owner)
        if row.status == "retired":
            raise UsageError(f"AI system {name!r} is retired; a retired system cannot be changed")
        new: dict[str, Any] = {}
        if owner is not None:
            new_owner = _check_owner(conn, _check_text("owner", owner) or "")
            _check_owner_change(principal, name, row.owner, new_owner)
            new["owner"] = new_owner
        for label in _TEXT_FIELDS:
            value = {
                "team": team,
                "description": description,
                "model_type": model_type,
                "vendor": vendor,
            }[label]
            if value is not None:
                limit = 10_000 if label == "description" else _MAX_TEXT
                new[label] = _check_text(label.replace("_", " "), value, limit=limit)
        if policy is not None:
            new["policy"] = _check_policy(policy)
        effective_policy = new.get("policy", row.policy)
        if purpose is not None:
            new["purpose"] = _check_purpose(purpose, effective_policy)
        if use_case is not None:
            new["use_case"] = normalise_use_case(use_case)
        if model_version is not None:
            new["model_version"] = _check_model_version(model_version)
        old_cats = list(row.data_categories or ())
        cats = list(_check_categories(data_categories) if data_categories is not None else old_cats)
        for cat in _check_categories(add_data_categories):
            if cat not in cats:
                cats.append(cat)
        for cat in _check_categories(remove_data_categories):
            if cat not in cats:
                raise UsageError(
                    f"cannot remove data category {cat!r} from {name!r}: not among its "
                    f"categories; expected one of {', '.join(cats) or '(none)'}"
                )
            cats.remove(cat)
        if cats != old_cats:
            new["data_categories"] = cats
        changes = {
            key: {"from": getattr(row, key), "to": value}
            for key, value in new.items()
            if getattr(row, key) != value
        }
        policy_sha256 = _policy_sha256(new["policy"]) if "policy" in new else None
        if "policy" in new and "policy" not in changes and not _is_builtin(row.policy):
            # the same file again: record its content anew when it changed since it was set
            pin = recorded_policy(conn, name)
            if pin is None or not pin.pinned or pin.sha256 != policy_sha256:
                changes["policy_sha256"] = {
                    "from": None if pin is None else pin.sha256,
                    "to": policy_sha256,
                }
        if not changes and target is None:
            raise UsageError(f"nothing to change for {name!r}; expected at least one new value")
        if "policy" in changes or "policy_sha256" in changes:
            _check_policy_setter(principal, new["policy"], name=name, current=row.policy)
        material = _material_reasons(changes, old_cats, cats)
        if target is not None:
            if material:
                raise UsageError(
                    f"a material change ({'; '.join(material)}) sends {name!r} back to "
                    "review; expected --status in a separate update"
                )
            if row.status == target:
                raise UsageError(f"AI system {name!r} is already {target}; nothing to change")
            if target == "retired" and reason is None:
                raise UsageError(f"retiring {name!r} needs a reason; expected --reason TEXT")
            _check_manual(row, target)
        now = db_now(conn)
        values = {key: change["to"] for key, change in changes.items() if key != "policy_sha256"}
        if changes.keys() & {"model_version", "model_type", "vendor"}:
            values["model_version_at"] = now  # another model: older audits stop counting
        if changes:
            conn.execute(
                update(SystemRow).where(SystemRow.name == name).values(**values, updated_at=now)
            )
            payload: dict[str, Any] = {"changes": changes, "material": material, "reason": reason}
            if "policy" in changes or "policy_sha256" in changes:
                payload["policy_sha256"] = policy_sha256
            append_entry(
                conn,
                actor=principal.name,
                action="system.update",
                entity_type="system",
                entity_id=name,
                payload=payload,
                at=now,
            )
        status_to, reopened, withdrawn = row.status, [], []
        if material:
            status_to, reopened = apply_material_change(
                conn, row, material, principal.name, prohibited=_tier(row.risk) == "prohibited"
            )
        elif target is not None:
            withdrawn = _status_change(
                conn, _row(conn, name), target, actor=principal.name, reason=reason
            )
            status_to = target
        if status_to != row.status:
            changes["status"] = {"from": row.status, "to": status_to}
        return SystemChange(
            system=_info(conn, _row(conn, name)),
            changes=changes,
            material=tuple(material),
            status_from=row.status,
            status_to=status_to,
            reopened_reviews=tuple(reopened),
            withdrawn_reviews=tuple(withdrawn),
        )
