"""Evidence bundles: everything an independent auditor needs to check one audit run.

``export_bundle`` writes one zip file; ``verify_bundle``
(:mod:`fairmark.governance.evidence_verify`) checks it offline, without the store and
without trusting whoever made it, apart from comparing the signing key's fingerprint with
the one the organisation publishes.

Bundle layout (:data:`BUNDLE_FORMAT` version :data:`BUNDLE_VERSION`)::

    manifest.json            format, run_id, created_at, tool version, every other file
                             with its sha256 and size, the log segment and checkpoint, the
                             seqs of the log entries that concern the run
    signature.json           Ed25519 signature over the canonical JSON of manifest.json,
                             the public key (hex) and its SHA-256 fingerprint
    report.json              the run's report document exactly as stored (published:
                             small-cell suppressed)
    report.html, report.md, junit.xml
                             fairmark's renderings of report.json
    spec.json                the audit spec (report.json's spec)
    policy.yaml              the policy text the run was judged against (canonical bytes:
                             its sha256 is report.json's policy.sha256)
    aggregates/cube.json     the sufficient-statistics cube
    aggregates/score.json    the score histogram(s), when the audit has a score
    aggregates/outcome.json  the outcome moments and medians, when it has an outcome
    aggregates/carried.json  privacy profile and consent coverage (carried, not
                             recomputable from aggregates)
    metrics.json             every metric, measurement, finding and rule recomputed from
                             the aggregates at export time (complete: not suppressed)
    environment.json         Python, platform and package versions at audit time
    data_fingerprint.json    report.json's data fingerprint
    log.jsonl                the audit-log segment from the first entry concerning the run
                             to the export's checkpoint, in the format of
                             ``fairmark log export`` (header, entries, checkpoint)
    checkpoint.json          that signed checkpoint: signed at export time by an exporter
                             who may write checkpoints (an admin; an owner for their own
                             system), else (an auditor) the newest existing checkpoint
                             covering every log entry about the run

The aggregates are the stored canonical JSON document split by section; joined again
(``{"format", "cube", "score", "outcome", "carried"}``) their canonical JSON hashes to
``manifest.aggregates.sha256``, and with the policy's sha256 and the environment to the
``artifacts_sha256`` the log recorded with ``audit.record``
(:func:`fairmark.governance.artifacts.artifacts_digest`).

The zip is deterministic: files in the order above, every timestamp 1980-01-01 00:00, mode
0644, deflate level 9, so identical inputs give identical bytes apart from the export
time, the checkpoint and the signature.

Aggregates are counts, not rows, but they are **not** small-cell suppressed (the
recomputation needs the exact cells): a bundle is for auditors under a confidentiality
agreement, like the data itself.

Sources: EU AI Act (Regulation (EU) 2024/1689) Art. 12 (record-keeping), Art. 18
(documentation keeping) and Art. 74 (access of market surveillance authorities to
documentation); ISO/IEC 42001:2023 clause 9.2 (internal audit) and 7.5 (documented
information); RFC 8032 (Ed25519); RFC 8785 (canonical JSON); RFC 6962 section 3.5 (signed
tree heads, here checkpoints of a hash chain).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select

from fairmark.errors import FairmarkError, UsageError
from fairmark.governance.access import Principal, authorize
from fairmark.governance.chain import LogEntry, canonical_json, utc_stamp
from fairmark.governance.evidence_format import (
    AGGREGATE_FILES,
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    SIGNED_FILES_EXCLUDED,
    ZIP_TIME,
    log_line,
)
from fairmark.governance.evidence_verify import BundleVerification, VerifyStep, verify_bundle
from fairmark.governance.keys import SigningKey, load_signing_key
from fairmark.store.db import store_errors, write_transaction

__all__ = [
    "AGGREGATE_FILES",
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "SIGNED_FILES_EXCLUDED",
    "ZIP_TIME",
    "BundleInfo",
    "BundleVerification",
    "VerifyStep",
    "export_bundle",
    "metrics_document",
    "verify_bundle",
]

_ID_PREFIX_CHARS = set("0123456789abcdef-")


@dataclass(frozen=True)
class BundleInfo:
    """What :func:`export_bundle` wrote.

    Attributes
    ----------
    path : str
        The zip file.
    run_id : str
    created_at : str
        Export time, ISO 8601 UTC.
    size : int
        Bytes of the zip.
    sha256 : str
        SHA-256 of the zip.
    files : tuple of (str, str, int)
        ``(name, sha256, size)`` of every file listed in the manifest.
    key_fingerprint, public_key : str
        The key that signed the manifest, the exporter's (SHA-256 fingerprint, raw public
        key; hex).
    checkpoint_seq : int
        The log entry the export's checkpoint covers (the segment's last).
    log_first_seq : int
        The segment's first entry.
    concerned_seqs : tuple of int
        Entries of the segment that concern the run (its ``audit.record``, its policy's
        ``policy.version``, its system's entries, entries naming the run).
    checkpoint_fingerprint : str
        The key that signed the checkpoint (the exporter's when ``signed_checkpoint``).
    checkpoint_created_at : str
        When the checkpoint was signed.
    signed_checkpoint : bool
        The export signed a new checkpoint (else it used an existing one: the store was
        not written).
    """

    path: str
    run_id: str
    created_at: str
    size: int
    sha256: str
    files: tuple[tuple[str, str, int], ...]
    key_fingerprint: str
    public_key: str
    checkpoint_seq: int
    log_first_seq: int
    concerned_seqs: tuple[int, ...]
    checkpoint_fingerprint: str = ""
    checkpoint_created_at: str = ""
    signed_checkpoint: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return {
            "path": self.path,
            "run_id": self.run_id,
            "created_at": self.created_at,
            "size": self.size,
            "sha256": self.sha256,
            "files": [{"path": n, "sha256": h, "size": s} for n, h, s in self.files],
            "key_fingerprint": self.key_fingerprint,
            "public_key": self.public_key,
            "checkpoint_seq": self.checkpoint_seq,
            "log_first_seq": self.log_first_seq,
            "concerned_seqs": list(self.concerned_seqs),
            "checkpoint_fingerprint": self.checkpoint_fingerprint,
            "checkpoint_created_at": self.checkpoint_created_at,
            "signed_checkpoint": self.signed_checkpoint,
        }


# ----------------------------------------------------------------------------- reading


def _resolve_run(conn: Connection, run_id: str) -> tuple[str, dict[str, Any]]:
    """The full run id and stored report of ``run_id`` (a UUID or unique prefix)."""
    from fairmark.store.models import AuditRun

    prefix = run_id.strip().lower() if isinstance(run_id, str) else ""
    if not prefix or not set(prefix) <= _ID_PREFIX_CHARS or len(prefix) > 36:
        raise UsageError(
            f"run id {run_id!r} is not a run id or prefix; expected hex digits and dashes of "
            "a UUID, e.g. 0b8e7a52"
        )
    rows = conn.execute(
        select(AuditRun.run_id, AuditRun.report)
        .where(AuditRun.run_id.startswith(prefix, autoescape=True))
        .order_by(AuditRun.run_id)
        .limit(6)
    ).all()
    exact = [r for r in rows if r.run_id == prefix]
    if exact:
        return exact[0].run_id, dict(exact[0].report)
    if not rows:
        raise UsageError(
            f"no run {run_id!r} in the store; expected a run id or unique prefix from "
            "'fairmark runs list'"
        )
    if len(rows) > 1:
        shown = ", ".join(r.run_id for r in rows[:5])
        raise UsageError(
            f"run id prefix {run_id!r} is ambiguous: it matches {shown}; expected more characters"
        )
    return rows[0].run_id, dict(rows[0].report)


def _system_owner(conn: Connection, system_name: str | None) -> str | None:
    from fairmark.store.models_governance import SystemRow

    if not system_name:
        return None
    return conn.execute(
        select(SystemRow.owner).where(SystemRow.name == system_name)
    ).scalar_one_or_none()


def _artifacts(conn: Connection, run_id: str) -> Any:
    """The run's ``run_artifacts`` row, or ``None`` (a run recorded without them)."""
    from fairmark.store.models_governance import RunArtifacts

    return conn.execute(select(RunArtifacts.__table__).where(RunArtifacts.run_id == run_id)).first()


def _concerned(
    conn: Connection, run_id: str, policy_sha: str | None, system: str | None, head: int
) -> list[int]:
    """Seqs (<= head) of the entries that concern the run."""
    from fairmark.store.models_governance import LogEntryRow

    conditions = [
        (LogEntryRow.entity_type == "run") & (LogEntryRow.entity_id == run_id),
        LogEntryRow.payload.contains(f'"run_id":"{run_id}"', autoescape=True),
    ]
    if policy_sha:
        conditions.append(
            (LogEntryRow.action == "policy.version")
            & LogEntryRow.payload.contains(f'"sha256":"{policy_sha}"', autoescape=True)
        )
    if system:
        conditions.append((LogEntryRow.entity_type == "system") & (LogEntryRow.entity_id == system))
    rows = conn.execute(
        select(LogEntryRow.seq)
        .where(or_(*conditions))
        .where(LogEntryRow.seq <= head)
        .order_by(LogEntryRow.seq)
    ).all()
    return [int(r.seq) for r in rows]


def _segment(conn: Connection, first: int, last: int) -> tuple[list[LogEntry], list[Any]]:
    """Entries ``first..last`` and every checkpoint covering one of them, in seq order."""
    from fairmark.governance.log import CheckpointInfo
    from fairmark.store.models_governance import Checkpoint, LogEntryRow

    rows = conn.execute(
        select(LogEntryRow.__table__)
        .where(LogEntryRow.seq >= first)
        .where(LogEntryRow.seq <= last)
        .order_by(LogEntryRow.seq)
    ).all()
    cps = conn.execute(
        select(Checkpoint.__table__)
        .where(Checkpoint.seq >= first)
        .where(Checkpoint.seq <= last)
        .order_by(Checkpoint.seq)
    ).all()
    checkpoints = [CheckpointInfo.from_row(r) for r in cps]
    return [LogEntry.from_row(r) for r in rows], checkpoints


def _may_sign(principal: Principal, owner: str | None) -> bool:
    """Whether the exporter may write a checkpoint: an admin (``log.checkpoint``), or who
    may record the run (``run.write``: an owner for their own system), as every command
    that writes signs a checkpoint of it. An auditor only reads."""
    return principal.can("log.checkpoint") or principal.can("run.write", owner=owner)


def _covering_checkpoint(
    conn: Connection,
    run_id: str,
    policy_sha: str | None,
    system: str | None,
    why: str,
) -> tuple[Any, list[int]]:
    """The newest existing checkpoint covering every entry about the run, and those seqs.

    Prefers a checkpoint signed by a key the store trusts (:mod:`fairmark.governance.log_keys`)
    when its log registers any. ``why`` ends the refusal when none covers them.
    """
    from fairmark.governance.log import CheckpointInfo
    from fairmark.governance.log_keys import read_key_events
    from fairmark.governance.log_trust import key_registry
    from fairmark.store.models_governance import Checkpoint, LogEntryRow

    head = int(conn.execute(select(func.max(LogEntryRow.seq))).scalar() or 0)
    concerned = _concerned(conn, run_id, policy_sha, system, head)
    if not concerned:
        raise UsageError(
            f"the audit log has no entry about run {run_id}; expected its audit.record entry "
            "(was the run recorded before the audit log existed?)"
        )
    covering = select(Checkpoint.__table__).where(Checkpoint.seq >= concerned[-1])
    active = [fp for fp, r in key_registry(read_key_events(conn)).items() if r.status == "trusted"]
    row = None
    if active:
        row = conn.execute(
            covering.where(Checkpoint.key_fingerprint.in_(active))
            .order_by(Checkpoint.seq.desc())
            .limit(1)
        ).first()
    if row is None:
        row = conn.execute(covering.order_by(Checkpoint.seq.desc()).limit(1)).first()
    if row is None:
        newest = conn.execute(select(func.max(Checkpoint.seq))).scalar()
        covers = "no checkpoint" if newest is None else f"the newest checkpoint covers {newest}"
        raise UsageError(
            f"no checkpoint covers the log entries about run {run_id} (the last is entry "
            f"{concerned[-1]}, {covers}) and {why}; expected a checkpoint: ask an admin to run "
            "'fairmark log checkpoint', then export again"
        )
    checkpoint = CheckpointInfo(
        seq=int(row.seq),
        entry_hash=row.entry_hash,
        created_at=row.created_at,
        key_fingerprint=row.key_fingerprint,
        public_key=row.public_key,
        signature=row.signature,
    )
    return checkpoint, concerned


def _ensure_actor(conn: Connection, principal: Principal) -> None:
    try:
        from fairmark.governance.identity import ensure_actor
    except ModuleNotFoundError as exc:  # pragma: no cover - identity ships with this module
        if exc.name != "fairmark.governance.identity":
            raise
        return
    ensure_actor(conn, principal)


# ----------------------------------------------------------------------------- writing


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def _log_file(entries: list[LogEntry], checkpoints: list[Any], exported_at: str) -> bytes:
    from fairmark.governance.log import EXPORT_FORMAT, LOG_NAME

    lines = [
        log_line(
            {
                "type": "header",
                "log": LOG_NAME,
                "format": EXPORT_FORMAT,
                "since_seq": entries[0].seq - 1,
                "exported_at": exported_at,
            }
        )
    ]
    lines += [log_line({"type": "entry", **e.to_dict()}) for e in entries]
    for checkpoint in checkpoints:
        document = checkpoint.to_dict()
        document.pop("log_seq", None)
        lines.append(log_line({"type": "checkpoint", **document}))
    return "".join(lines).encode("utf-8")


def _measurement_dict(m: Any) -> dict[str, Any]:
    from fairmark.fairness.result import json_number

    return {
        "check_id": m.check_id,
        "feature": m.feature,
        "group": m.group,
        "reference": m.reference,
        "value": json_number(m.value),
        "ci_low": json_number(m.ci_low),
        "ci_high": json_number(m.ci_high),
        "reason": m.reason,
        "detail": m.detail,
    }


METRICS_KEYS: tuple[str, ...] = (
    "verdict",
    "data_fingerprint",
    "summary",
    "groups",
    "disparities",
    "score_metrics",
    "outcome_metrics",
    "findings",
    "rules",
)
"""Fields of the complete recomputed document kept in ``metrics.json``."""


def metrics_document(result: Any) -> dict[str, Any]:
    """Return ``metrics.json``: the complete (unsuppressed) recomputed numbers of a run.

    Parameters
    ----------
    result : fairmark.fairness.audit.AuditResult
        Rebuilt from the aggregates
        (:func:`fairmark.governance.evidence_recompute.rebuild_audit`).

    Returns
    -------
    dict
        ``{"recomputed_from": "aggregates", <METRICS_KEYS of to_dict(disclosure_control=
        False)>, "measurements": [...]}``.
    """
    from fairmark.governance.evidence_recompute import to_documents

    _, complete = to_documents(result)
    out: dict[str, Any] = {"recomputed_from": "aggregates"}
    out.update({k: complete.get(k) for k in METRICS_KEYS})
    out["measurements"] = [_measurement_dict(m) for m in result.measurements]
    return out


def _render(document: Mapping[str, Any]) -> dict[str, bytes]:
    from fairmark.report.write import FILE_NAMES, RENDERERS

    out = {}
    for fmt in ("html", "md", "junit"):
        out[FILE_NAMES[fmt]] = RENDERERS[fmt](document).encode("utf-8")
    return out


def _zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def _check_out(out_path: str | os.PathLike[str], force: bool) -> Path:
    target = Path(out_path)
    if str(out_path).strip() == "":
        raise UsageError("--out is empty; expected a file name for the bundle, e.g. bundle.zip")
    if target.is_dir():
        raise UsageError(f"--out {target} is a folder; expected a file name for the bundle")
    if not target.parent.is_dir():
        raise UsageError(
            f"folder {target.parent} of --out {target} does not exist; expected an existing folder"
        )
    if target.exists() and not force:
        raise UsageError(
            f"{target} already exists; expected a new file name (or --force to replace it)"
        )
    return target


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(
            f"cannot write bundle {target}: {exc.strerror or exc}; expected a writable folder"
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _signing_key(key: SigningKey | str | os.PathLike[str] | None, engine: Engine) -> SigningKey:
    if isinstance(key, SigningKey):
        return key
    url = engine.url.render_as_string(hide_password=False)
    return load_signing_key(key, store_url=url, create=True)


def export_bundle(
    engine: Engine,
    run_id: str,
    out_path: str | os.PathLike[str],
    *,
    principal: Principal,
    key: SigningKey | str | os.PathLike[str] | None = None,
    force: bool = False,
) -> BundleInfo:
    """Write the evidence bundle of one audit run (layout: module docstring).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store (:class:`fairmark.store.RunStore` ``.engine``).
    run_id : str
        The run's UUID or a unique prefix of it.
    out_path : path-like
        The zip file to write. Its folder must exist.
    principal : Principal
        Who exports; needs ``evidence.export``: an admin or auditor, or the owner of the
        run's system (for a run without a registered system, any owner).
    key : SigningKey or path-like, optional
        The exporter's Ed25519 key: it signs the manifest, and the checkpoint when the
        export signs one; default the key file of
        :func:`fairmark.governance.keys.key_path`, created when missing.
    force : bool, default False
        Replace an existing file at ``out_path``.

    Returns
    -------
    BundleInfo

    Raises
    ------
    AccessError
        ``principal`` may not export this run's evidence.
    UsageError
        ``run_id`` matches no run or several; the run was recorded without artifacts
        (older runs); ``out_path`` exists (without ``force``), is a folder, or its folder
        does not exist; the key cannot be read; the file cannot be written; the export
        signs no checkpoint and no existing checkpoint covers every log entry about the
        run (an admin runs ``fairmark log checkpoint``).
    StoreError
        The store cannot be read or refuses the checkpoint.

    Notes
    -----
    Who may write checkpoints (an admin; an owner for their own system or a run without
    one, as who may record it) gets a fresh checkpoint: one write transaction signs the
    log head (the store's ``gov_checkpoints`` and a ``log.checkpoint`` entry after it)
    and reads the segment it covers, so the segment and checkpoint agree even while
    others append. On a store other than SQLite whose log registers trusted keys, only
    with a key it trusts (:func:`fairmark.governance.log_keys.signing_allowed`). Anyone
    else (an auditor, a read-only token) writes nothing to the store: the bundle ends at
    the newest existing checkpoint that covers every entry about the run, preferring one
    signed by a key the store trusts; the manifest is still signed with the exporter's
    own key, so the bundle carries two keys (verify it pinning both). The zip is
    written to a temporary file in the target folder and renamed into place: never a
    half-written bundle. A refused export writes nothing (no checkpoint, no file, no key);
    if writing the file itself fails, the checkpoint stays in the store, which is harmless
    (it only attests the log's head).
    """
    authorize(principal, "evidence.export")  # the role first, before reading anything
    target = _check_out(out_path, force)
    with store_errors(engine.url, "cannot read the run for its evidence bundle"):
        with engine.connect() as conn:
            full_id, report = _resolve_run(conn, run_id)
            owner = _system_owner(conn, report.get("system_name"))
            row = _artifacts(conn, full_id)
    # outside store_errors: AccessError is a PermissionError, which it would take for a
    # database failure
    authorize(principal, "evidence.export", owner=owner)
    if row is None:
        raise UsageError(
            f"run {full_id} was recorded without evidence artifacts (aggregates, policy text, "
            "environment), as runs recorded before evidence bundles existed are; expected a "
            "run recorded by 'fairmark audit' (run the audit again to record one that can be "
            "exported)"
        )
    signing_key = _signing_key(key, engine)
    from fairmark.governance.log import sign_head
    from fairmark.governance.log_keys import key_gate_applies, signing_allowed

    policy = report.get("policy") or {}
    sign = _may_sign(principal, owner)
    why = f"user {principal.name!r} (role {principal.role}) does not sign checkpoints"
    with store_errors(engine.url, "cannot export the evidence bundle"):
        if sign and key_gate_applies(engine):
            with engine.connect() as conn:
                sign = signing_allowed(conn, signing_key.fingerprint)
            why = f"this client's signing key {signing_key.fingerprint} is not trusted by the store"
        if not sign:  # write nothing: the newest checkpoint covering the run's entries
            with engine.connect() as conn:
                checkpoint, concerned = _covering_checkpoint(
                    conn, full_id, policy.get("sha256"), report.get("system_name"), why
                )
                entries, checkpoints = _segment(conn, concerned[0], checkpoint.seq)
        else:
            with write_transaction(engine) as conn:
                _ensure_actor(conn, principal)
                admin = principal.name if principal.can("log.checkpoint") else None
                checkpoint = sign_head(conn, signing_key, principal.name, registrar=admin)
                if checkpoint is None:  # an empty log: the run was recorded without logging
                    raise UsageError(
                        f"the audit log is empty, so it has no entry about run {full_id}; "
                        "expected its audit.record entry (run the audit again to record a run "
                        "that is logged)"
                    )
                concerned = _concerned(
                    conn, full_id, policy.get("sha256"), report.get("system_name"), checkpoint.seq
                )
                if not concerned:
                    raise UsageError(
                        f"the audit log has no entry about run {full_id}; expected its "
                        "audit.record entry (was the run recorded before the audit log existed?)"
                    )
                entries, checkpoints = _segment(conn, concerned[0], checkpoint.seq)
    created_at = utc_stamp()
    members = _members(report, row, entries, checkpoints, checkpoint, created_at)
    manifest = _manifest(full_id, report, row, members, entries, checkpoint, concerned, created_at)
    signature = {
        "algorithm": "Ed25519",
        "signed_file": "manifest.json",
        "signed_form": "canonical JSON of manifest.json (sorted keys, no whitespace, UTF-8)",
        "public_key": signing_key.public_hex,
        "key_fingerprint": signing_key.fingerprint,
        "signature": signing_key.sign(canonical_json(manifest).encode("utf-8")),
    }
    ordered = [("manifest.json", _json_bytes(manifest)), *members]
    ordered.append(("signature.json", _json_bytes(signature)))
    data = _zip_bytes(ordered)
    _write_atomically(target, data)
    files = tuple((f["path"], f["sha256"], f["size"]) for f in manifest["files"])
    return BundleInfo(
        path=str(target),
        run_id=full_id,
        created_at=created_at,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        files=files,
        key_fingerprint=signing_key.fingerprint,
        public_key=signing_key.public_hex,
        checkpoint_seq=checkpoint.seq,
        log_first_seq=entries[0].seq,
        concerned_seqs=tuple(concerned),
        checkpoint_fingerprint=checkpoint.key_fingerprint,
        checkpoint_created_at=checkpoint.created_at,
        signed_checkpoint=sign,
    )


def _members(
    report: dict[str, Any],
    row: Any,
    entries: list[LogEntry],
    checkpoints: list[Any],
    checkpoint: Any,
    created_at: str,
) -> list[tuple[str, bytes]]:
    """Every file of the bundle but the manifest and signature, in bundle order."""
    from fairmark.governance.evidence_recompute import rebuild_audit

    aggregates = json.loads(row.aggregates)
    members: list[tuple[str, bytes]] = [("report.json", _json_bytes(report))]
    members += list(_render(report).items())
    members.append(("spec.json", _json_bytes(report.get("spec"))))
    if row.policy_text is not None:
        members.append(("policy.yaml", row.policy_text.encode("utf-8")))
    for section, name in AGGREGATE_FILES.items():
        if aggregates.get(section) is not None:
            members.append((name, canonical_json(aggregates[section]).encode("utf-8")))
    try:
        result = rebuild_audit(aggregates, report, row.policy_text)
        metrics = metrics_document(result)
    except FairmarkError as exc:  # the verifier will say the same, precisely
        metrics = {"recomputed_from": "aggregates", "error": exc.message}
    members.append(("metrics.json", _json_bytes(metrics)))
    members.append(("environment.json", _json_bytes(row.environment)))
    members.append(("data_fingerprint.json", _json_bytes(report.get("data_fingerprint"))))
    members.append(("log.jsonl", _log_file(entries, checkpoints, created_at)))
    cp = checkpoint.to_dict()
    members.append(("checkpoint.json", _json_bytes(cp)))
    return members


def _manifest(
    run_id: str,
    report: dict[str, Any],
    row: Any,
    members: list[tuple[str, bytes]],
    entries: list[LogEntry],
    checkpoint: Any,
    concerned: list[int],
    created_at: str,
) -> dict[str, Any]:
    from fairmark import __version__
    from fairmark.governance.artifacts import AGGREGATES_FORMAT

    aggregates = json.loads(row.aggregates)
    return {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_VERSION,
        "run_id": run_id,
        "system_name": report.get("system_name"),
        "created_at": created_at,
        "tool_version": __version__,
        "files": [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members
        ],
        "aggregates": {
            "format": aggregates.get("format", AGGREGATES_FORMAT),
            "sha256": hashlib.sha256(row.aggregates.encode("utf-8")).hexdigest(),
            "files": {s: n for s, n in AGGREGATE_FILES.items() if aggregates.get(s) is not None},
        },
        "log": {
            "first_seq": entries[0].seq,
            "last_seq": entries[-1].seq,
            "concerned_seqs": concerned,
        },
        "checkpoint": {
            "seq": checkpoint.seq,
            "entry_hash": checkpoint.entry_hash,
            "key_fingerprint": checkpoint.key_fingerprint,
        },
    }
