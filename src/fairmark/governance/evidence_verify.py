"""Verify an evidence bundle offline: archive, signature, log segment, policy, numbers, data.

:func:`verify_bundle` needs no store and trusts nothing in the bundle except what it can
check. Each check is a named step with ``ok``, ``failed`` or ``skipped`` and a precise
detail; every step runs, so one report names every problem:

``archive``
    The zip is readable, ``manifest.json`` is there and of a known format, every listed
    file is present with the listed SHA-256 and size, no file is unlisted, and every
    file is one the bundle format knows (:data:`~fairmark.governance.evidence_format.
    BUNDLE_FILES`): an added file is tampering even when a re-signed manifest lists it.
``signature``
    The Ed25519 signature in ``signature.json`` verifies over the canonical JSON of the
    manifest with the bundled public key, whose fingerprint is the one stated; the key is
    a usable Ed25519 key (a curve point, not of small order:
    :func:`fairmark.governance.keys.public_key_problem`; so is every checkpoint's key in
    the ``log`` step). With
    ``public_keys`` the key must be one of them; without, a warning asks to compare the
    fingerprint with the one the organisation publishes (a valid signature by an unknown
    key proves nothing about who made the bundle).
``log``
    ``log.jsonl`` (a ``fairmark log export`` segment) verifies with
    :func:`fairmark.governance.log.verify_entries`: every entry's hash recomputes, each
    links to the one before, the segment ends at the checkpoint, whose signature verifies
    and whose key is trusted: the bundle's key, a pinned key, or a key the segment
    registers (``log.key.trust``) by an entry a checkpoint of such a key covers
    (:mod:`fairmark.governance.log_trust`; an auditor's bundle ends at an admin's
    checkpoint). With no key pinned, nothing is authenticated, so a checkpoint by another
    key than the bundle's is a warning naming the key to pin, not a failure (the run's log
    entry still pins the artifacts, so a changed aggregate or metric still fails). Earlier
    checkpoints of other keys are only warned about (their registration may precede the
    segment). The run's ``audit.record`` entry is in it,
    and its payload matches ``report.json`` (verdict, data fingerprint, policy SHA-256,
    system) and the bundled artifacts (``artifacts_sha256``). ``report.json`` itself must
    hash to the entry's ``report_sha256`` (SHA-256 of its canonical JSON, so a changed
    ``created_at`` or ``summary.data`` fails even when the bundle is re-signed); a changed
    report dated more than :data:`fairmark.governance.gate.CLOCK_SKEW` after the entry's
    time also names ``created_at`` (an unchanged one only warns: the client's clock was
    ahead). A run recorded without ``report_sha256`` (an earlier fairmark) fails when so
    dated, and gets a warning that ``report.json`` is not pinned (and one when it is dated
    more than the skew before the entry).
``policy``
    ``policy.yaml`` hashes to ``report.json``'s ``policy.sha256`` and loads as a policy
    with the same id, version, owner and review date.
``recompute``
    Every metric is recomputed from the bundled aggregates
    (:func:`fairmark.governance.evidence_recompute.rebuild_audit`) and compared field by
    field with ``report.json`` and ``metrics.json`` (a field carried from ``report.json``,
    such as ``summary.data``, that differs from ``metrics.json`` is named in
    ``report.json``); the data fingerprint is recomputed from the cube; ``report.json``'s
    ``tool_version`` must be the fairmark version ``environment.json`` records (the
    environment is bound to the log through ``artifacts_sha256``); ``report.html``,
    ``report.md`` and ``junit.xml`` are rendered again from ``report.json`` and compared
    byte for byte: a difference fails when this verifier is the run's fairmark version and
    is a warning otherwise (renderings may change between versions).
``data`` (with ``data``)
    The aggregates are computed again from the data with the bundled spec and compared
    cell by cell with the bundled ones. When every cell agrees but the data's column types
    differ from the audited file's (the same rows as CSV and as Parquet: ``yes``/``no``
    read as boolean from one, kept as strings in the other), the types and the data
    fingerprint (which hashes them) differ only as a warning; any differing cell fails.
    Data that cannot be read at all (a ``.yaml`` file, an empty file) is bad input: a
    :class:`~fairmark.errors.DataError` before any step runs, not a failed step.

Sources: RFC 8032 (Ed25519); Crosby & Wallach 2009 (a hash-chain segment is proven by a
signed commitment to its end); ISO/IEC 42001:2023 clause 9.2 and ISO 19011:2018 (audit
evidence must be verifiable); EU AI Act Art. 12 and Art. 74.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fairmark.errors import DataError, FairmarkError, UsageError
from fairmark.governance.chain import canonical_json
from fairmark.governance.evidence_format import (
    AGGREGATE_FILES,
    BUNDLE_FILES,
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    SIGNED_FILES_EXCLUDED,
)
from fairmark.governance.evidence_recompute import (
    IGNORED_FIELDS,
    REL_TOL,
    Mismatch,
    compare_documents,
    compare_frames,
    show,
)
from fairmark.governance.keys import fingerprint, public_key_problem, verify_signature

__all__ = ["STEP_NAMES", "BundleVerification", "VerifyStep", "verify_bundle"]

STEP_NAMES: tuple[str, ...] = ("archive", "signature", "log", "policy", "recompute", "data")
"""The verification steps, in order."""

CARRIED: dict[str, str] = {
    "privacy": "carried from the run's artifacts, not recomputable from aggregates (it comes "
    "from a scan of sampled column values)",
    "consent": "carried from the run's artifacts, not recomputable from aggregates (it comes "
    "from a join of the data with the consent ledger)",
    "run_id, created_at, system_name, summary.data, policy.path": "carried from report.json "
    "(they name the run, the data and the policy file; no number depends on them)",
}
"""Report sections the verifier does not recompute, and why (stated in every result)."""

_MAX_SHOWN = 20


@dataclass(frozen=True)
class VerifyStep:
    """One verification step.

    Attributes
    ----------
    name : str
        One of :data:`STEP_NAMES`.
    status : {"ok", "failed", "skipped"}
    detail : str
        One line: what was checked, or the first problem.
    problems : tuple of str
        Every problem found (one line each).
    """

    name: str
    status: str
    detail: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the step did not fail (``ok`` or ``skipped``)."""
        return self.status != "failed"

    def to_dict(self) -> dict[str, Any]:
        """Return the step as a JSON-ready dict."""
        return {
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class BundleVerification:
    """The result of :func:`verify_bundle`.

    Attributes
    ----------
    path : str
        The bundle verified.
    ok : bool
        Every step ``ok`` (or ``skipped``).
    run_id : str or None
        The run the manifest names.
    key_fingerprint : str or None
        SHA-256 fingerprint of the key that signed the bundle (hex).
    steps : tuple of VerifyStep
        In :data:`STEP_NAMES` order.
    mismatches : tuple of Mismatch
        Every recomputed value that differs from the bundle (``recompute`` and ``data``).
    warnings : tuple of str
        What could not be established (an unpinned key, another fairmark version,
        approximate medians that differ).
    carried : dict
        Sections not recomputed, and why (:data:`CARRIED`).
    """

    path: str
    ok: bool
    run_id: str | None
    key_fingerprint: str | None
    steps: tuple[VerifyStep, ...]
    mismatches: tuple[Mismatch, ...] = ()
    warnings: tuple[str, ...] = ()
    carried: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when ``ok``, else 1 (verification failed)."""
        return 0 if self.ok else 1

    def step(self, name: str) -> VerifyStep:
        """Return the step called ``name``.

        Raises
        ------
        KeyError
            No such step.
        """
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return {
            "path": self.path,
            "ok": self.ok,
            "run_id": self.run_id,
            "key_fingerprint": self.key_fingerprint,
            "steps": [s.to_dict() for s in self.steps],
            "mismatches": [m.to_dict() for m in self.mismatches],
            "warnings": list(self.warnings),
            "carried": dict(self.carried),
        }


# ---------------------------------------------------------------------- the bundle


class _Bundle:
    """The members of a bundle, read into memory, and what later steps share."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.members: dict[str, bytes] = {}
        self.duplicates: list[str] = []
        self.manifest: dict[str, Any] | None = None
        self.public_key: str | None = None
        self.fingerprint: str | None = None
        self.warnings: list[str] = []
        self.mismatches: list[Mismatch] = []
        self.report: dict[str, Any] | None = None
        self.aggregates: dict[str, Any] | None = None
        self.result: Any = None

    def read(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    if info.filename in self.members:
                        self.duplicates.append(info.filename)
                    self.members[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
            raise UsageError(
                f"cannot read {self.path} as a zip archive ({exc}); expected an evidence "
                "bundle from 'fairmark evidence export'"
            ) from None

    def json(self, name: str) -> Any:
        """Parse a member as JSON; DataError naming it when absent or not JSON."""
        if name not in self.members:
            raise DataError(f"{name} is missing from the bundle")
        try:
            return json.loads(self.members[name].decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise DataError(f"{name} is not UTF-8 JSON ({exc})") from None


def _step(name: str, problems: list[str], ok_detail: str) -> VerifyStep:
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return VerifyStep(name, "failed", problems[0] + more, tuple(problems))
    return VerifyStep(name, "ok", ok_detail)


# ------------------------------------------------------------------- 1. archive


def _check_archive(b: _Bundle) -> VerifyStep:
    problems = [f"{n} occurs more than once in the zip" for n in b.duplicates]
    try:
        manifest = b.json("manifest.json")
    except DataError as exc:
        return _step("archive", [*problems, exc.message], "")
    if not isinstance(manifest, dict):
        return _step("archive", [*problems, "manifest.json is not a JSON object"], "")
    if manifest.get("format") != BUNDLE_FORMAT or manifest.get("format_version") != BUNDLE_VERSION:
        problems.append(
            f"manifest.json is format {manifest.get('format')!r} version "
            f"{manifest.get('format_version')!r}; expected {BUNDLE_FORMAT!r} version "
            f"{BUNDLE_VERSION}"
        )
    b.manifest = manifest
    files = manifest.get("files")
    if not isinstance(files, list):
        return _step("archive", [*problems, "manifest.json has no list of files"], "")
    listed = set()
    for item in files:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            problems.append("manifest.json lists a file without a path")
            continue
        name = item["path"]
        listed.add(name)
        data = b.members.get(name)
        if data is None:
            problems.append(f"{name} is listed in the manifest but missing from the zip")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != item.get("sha256"):
            problems.append(
                f"{name} has sha256 {digest[:16]}… but the manifest lists "
                f"{str(item.get('sha256'))[:16]}… (the file was changed)"
            )
        if len(data) != item.get("size"):
            problems.append(
                f"{name} has {len(data)} bytes but the manifest lists {item.get('size')}"
            )
    unlisted = set(b.members) - listed - set(SIGNED_FILES_EXCLUDED)
    for name in sorted(unlisted):
        problems.append(f"{name} is in the zip but not in the manifest (an added file)")
    for name in sorted((set(b.members) | listed) - unlisted - set(BUNDLE_FILES)):
        problems.append(
            f"{name} is not a file of the evidence bundle format (an added file); expected "
            f"only {', '.join(BUNDLE_FILES)}"
        )
    return _step(
        "archive",
        problems,
        f"{len(listed)} files listed in the manifest, all present with the listed sha256 and "
        "size; no unlisted file and none outside the bundle format",
    )


# ----------------------------------------------------------------- 2. signature


def _check_signature(b: _Bundle, trusted: frozenset[str] | None) -> VerifyStep:
    if b.manifest is None:
        return VerifyStep("signature", "failed", "no readable manifest.json to verify")
    try:
        sig = b.json("signature.json")
    except DataError as exc:
        return VerifyStep("signature", "failed", exc.message, (exc.message,))
    if not isinstance(sig, dict):
        return _step("signature", ["signature.json is not a JSON object"], "")
    public = str(sig.get("public_key", "")).lower()
    problems = []
    if sig.get("algorithm") != "Ed25519":
        problems.append(f"signature.json algorithm is {sig.get('algorithm')!r}; expected Ed25519")
    try:
        fp = fingerprint(public)
    except ValueError:
        return _step("signature", [*problems, "signature.json public_key is not hex"], "")
    b.public_key, b.fingerprint = public, fp
    if sig.get("key_fingerprint") != fp:
        problems.append(
            f"signature.json states key fingerprint {sig.get('key_fingerprint')} but its "
            f"public key has fingerprint {fp}"
        )
    message = canonical_json(b.manifest).encode("utf-8")
    unusable = public_key_problem(public)
    if unusable is not None:  # e.g. small order: anyone can forge its signatures
        problems.append(
            f"signature.json public_key {public} is not a usable Ed25519 key: {unusable}"
        )
    elif not verify_signature(public, message, str(sig.get("signature", ""))):
        problems.append(
            f"the signature over manifest.json does not verify with the bundled key {fp[:16]}… "
            "(the manifest or the signature was changed)"
        )
    if trusted is not None and public not in trusted and fp not in trusted:
        problems.append(
            f"the bundle is signed by key {fp}, which is not a pinned key (--public-key); "
            "expected a key your organisation publishes"
        )
    if trusted is None and not problems:
        b.warnings.append(
            f"signature valid; compare key fingerprint {fp} with the one your organisation "
            "publishes (or pin it with --public-key)"
        )
    pinned = "a pinned key" if trusted is not None else "a key not pinned (see warnings)"
    return _step("signature", problems, f"manifest signed with Ed25519 by {fp[:16]}…, {pinned}")


# ----------------------------------------------------------------------- 3. log


def _parse_log(b: _Bundle) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    from fairmark.governance.log import EXPORT_FORMAT, LOG_NAME

    if "log.jsonl" not in b.members:
        raise DataError("log.jsonl is missing from the bundle")
    try:
        text = b.members["log.jsonl"].decode("utf-8")
    except UnicodeDecodeError:
        raise DataError("log.jsonl is not UTF-8 text") from None
    header: dict[str, Any] | None = None
    entries: list[dict[str, Any]] = []
    checkpoints: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise DataError(f"log.jsonl line {number} is not JSON") from None
        kind = record.get("type") if isinstance(record, dict) else None
        if kind == "header" and header is None and number == 1:
            header = record
        elif kind == "entry" and not checkpoints:
            entries.append(record)
        elif kind == "checkpoint":
            checkpoints.append(record)
        else:
            raise DataError(
                f"log.jsonl line {number} is not where a header, entry or checkpoint belongs"
            )
    if header is None or header.get("log") != LOG_NAME or header.get("format") != EXPORT_FORMAT:
        raise DataError(f"log.jsonl does not start with a {LOG_NAME} export header")
    if not entries or not checkpoints:
        raise DataError(
            f"log.jsonl has {len(entries)} entries and {len(checkpoints)} checkpoints; "
            "expected a segment ending at a checkpoint"
        )
    return header, entries, checkpoints


def _check_log(b: _Bundle, pinned: frozenset[str] | None = None) -> VerifyStep:
    from fairmark.governance.log import verify_entries
    from fairmark.governance.log_trust import trust_from_records

    try:
        header, entries, checkpoints = _parse_log(b)
    except DataError as exc:
        return _step("log", [exc.message], "")
    problems: list[str] = []
    since = header.get("since_seq")
    cp = checkpoints[-1]  # the checkpoint signed at export: the segment's end
    try:
        # keys of earlier checkpoints are not pinned (a key may have been rotated); the
        # export's checkpoint must be signed by the bundle's key, checked below
        result = verify_entries(entries, checkpoints, None, since_seq=since, source="log.jsonl")
    except (DataError, UsageError) as exc:
        return _step("log", [*problems, f"log.jsonl: {exc.message}"], "")
    if result.first_bad is not None:
        problems.append(f"log.jsonl: {result.first_bad.message}")
    roots = (pinned or frozenset()) | ({b.public_key} if b.public_key else set())
    trusted = trust_from_records(roots, entries, checkpoints).allows_record
    if b.public_key is None:
        problems.append("no readable signing key to check the checkpoint's key with")
    elif not trusted(cp) and pinned is None:
        # nothing is pinned, so no key is authenticated anyway (the signature step warns):
        # an auditor's export carries the organisation's checkpoint and the auditor's own
        # manifest signature; say which keys to pin rather than fail
        b.warnings.append(
            f"the checkpoint of entry {cp.get('seq')} is signed by key "
            f"{cp.get('key_fingerprint')}, not by the key that signed the bundle "
            f"({b.fingerprint}); pin the organisation's checkpoint key with --public-key to "
            "establish who vouches for the log"
        )
    elif not trusted(cp):
        problems.append(
            f"the checkpoint of entry {cp.get('seq')} is signed by key "
            f"{cp.get('key_fingerprint')}, neither the key that signed the bundle "
            f"({b.fingerprint}) nor a pinned key nor one the log segment registers: the "
            "bundle was re-signed by someone else, or exported by someone who does not sign "
            "checkpoints (then pin the checkpoint's key too, --public-key)"
        )
    for other in checkpoints[:-1]:
        if not trusted(other):
            b.warnings.append(
                f"the checkpoint of entry {other.get('seq')} in the log segment is signed by "
                f"another key, {other.get('key_fingerprint')} (a rotated key?)"
            )
    last = entries[-1]
    if last.get("seq") != cp.get("seq") or last.get("entry_hash") != cp.get("entry_hash"):
        problems.append(
            f"the log segment ends at entry {last.get('seq')} but the checkpoint covers entry "
            f"{cp.get('seq')}; expected the segment to end at the checkpoint"
        )
    problems += _checkpoint_agrees(b, cp)
    problems += _run_entry(b, entries)
    first, last_seq = entries[0].get("seq"), last.get("seq")
    if str(cp.get("public_key", "")).lower() == b.public_key:
        signer = "the bundle's key"
    elif trusted(cp):
        signer = f"key {str(cp.get('key_fingerprint'))[:16]}… (trusted)"
    else:
        signer = f"key {str(cp.get('key_fingerprint'))[:16]}… (not pinned, see warnings)"
    return _step(
        "log",
        problems,
        f"entries {first}-{last_seq} chain correctly up to checkpoint {cp.get('seq')}, signed "
        f"by {signer}; the run's audit.record entry matches report.json and the "
        "bundled artifacts",
    )


def _checkpoint_agrees(b: _Bundle, cp: Mapping[str, Any]) -> list[str]:
    problems = []
    try:
        standalone = b.json("checkpoint.json")
    except DataError as exc:
        return [exc.message]
    fields = ("seq", "entry_hash", "created_at", "key_fingerprint", "public_key", "signature")
    if not isinstance(standalone, dict) or any(standalone.get(k) != cp.get(k) for k in fields):
        problems.append("checkpoint.json differs from the checkpoint in log.jsonl")
    manifest_cp = (b.manifest or {}).get("checkpoint") or {}
    if any(manifest_cp.get(k) != cp.get(k) for k in ("seq", "entry_hash", "key_fingerprint")):
        problems.append("the manifest's checkpoint differs from the checkpoint in log.jsonl")
    return problems


def _run_entry(b: _Bundle, entries: list[dict[str, Any]]) -> list[str]:
    from fairmark.governance.artifacts import artifacts_digest

    run_id = (b.manifest or {}).get("run_id")
    records = [
        e
        for e in entries
        if e.get("action") == "audit.record"
        and e.get("entity_type") == "run"
        and e.get("entity_id") == run_id
    ]
    if not records:
        return [f"the log segment has no audit.record entry for run {run_id}"]
    entry = records[0]
    payload = entry.get("payload") if isinstance(entry.get("payload"), dict) else {}
    problems = []
    seqs = ((b.manifest or {}).get("log") or {}).get("concerned_seqs") or []
    if entry.get("seq") not in seqs:
        problems.append(
            f"audit.record entry {entry.get('seq')} is not among the manifest's concerned_seqs"
        )
    report = _report(b)
    if report is not None:
        policy = report.get("policy") or {}
        fp = report.get("data_fingerprint") or {}
        expected = {
            "verdict": report.get("verdict"),
            "data_fingerprint": fp.get("value") if isinstance(fp, dict) else None,
            "policy_sha256": policy.get("sha256") if isinstance(policy, dict) else None,
            "system_name": report.get("system_name"),
        }
        for key, value in expected.items():
            if payload.get(key) != value:
                problems.append(
                    f"log entry {entry.get('seq')} (audit.record) records {key} "
                    f"{payload.get(key)!r} but report.json has {value!r}"
                )
        problems += _report_pinned(b, report, entry, payload)
    digest = None
    try:
        aggregates = _aggregates(b)
        policy_sha = None
        if "policy.yaml" in b.members:
            policy_sha = _policy_sha(b.members["policy.yaml"])
        environment = b.json("environment.json")
        agg_sha = hashlib.sha256(canonical_json(aggregates).encode("utf-8")).hexdigest()
        digest = artifacts_digest(agg_sha, policy_sha, environment)
    except (DataError, UsageError) as exc:
        problems.append(f"cannot compute the artifacts' sha256: {exc.message}")
    if digest is not None and payload.get("artifacts_sha256") != digest:
        problems.append(
            f"log entry {entry.get('seq')} (audit.record) records artifacts_sha256 "
            f"{str(payload.get('artifacts_sha256'))[:16]}… but the bundled aggregates, policy "
            f"and environment give {digest[:16]}… (they were changed since the run was recorded)"
        )
    return problems


def _report_pinned(
    b: _Bundle, report: Mapping[str, Any], entry: Mapping[str, Any], payload: Mapping[str, Any]
) -> list[str]:
    """Problems binding ``report.json`` to the run's ``audit.record`` entry.

    A run recorded with ``report_sha256`` (:func:`fairmark.store.runs.report_sha256`): the
    bundled document must hash to it exactly; when it does not, ``created_at`` is named as
    well if it is later than the entry's own time by more than
    :data:`fairmark.governance.gate.CLOCK_SKEW` (a run is dated before it is recorded, so
    the date was moved ahead). When it does, such a date is the auditing client's clock and
    only a warning. A run recorded without ``report_sha256`` (by an earlier fairmark) fails
    on such a date, and gets a warning that ``report.json`` itself is not pinned, and one
    when its ``created_at`` is more than the skew before the entry (recorded later than it
    ran, or the date was moved back: only the digest could tell).
    """
    from fairmark.store.runs import report_sha256

    seq = entry.get("seq")
    skew = _clock_skew()
    recorded = payload.get("report_sha256")
    pinned = False
    problems = []
    if recorded is not None:
        try:
            digest = report_sha256(report)
        except UsageError as exc:
            digest = f"(none: {exc.message})"
        pinned = digest == recorded
        if not pinned:
            problems.append(
                "report.json is not the report recorded with the run (it was changed): its "
                f"SHA-256 (canonical JSON) is {digest[:16]}… but log entry {seq} "
                f"(audit.record) records report_sha256 {str(recorded)[:16]}…"
            )
    gap = _created_gap(report.get("created_at"), entry.get("created_at"))
    if isinstance(gap, str):
        if not pinned:
            problems.append(gap)
    elif gap is not None and gap > skew:
        ahead = (
            f"report.json created_at {report.get('created_at')} is {_span(gap)} after its log "
            f"entry {seq} (audit.record) of {entry.get('created_at')}"
        )
        if pinned:
            b.warnings.append(
                f"{ahead}: the report is as recorded, so the auditing client's clock was ahead"
            )
        else:
            problems.append(
                f"{ahead}; expected at most {_span(skew)} after (a run is dated before it is "
                "recorded: the date was moved ahead)"
            )
    if recorded is None:
        b.warnings.append(
            f"log entry {seq} (audit.record) records no report_sha256 (the run was recorded "
            "by an earlier fairmark): report.json itself is not pinned; only its verdict, data "
            "fingerprint, policy SHA-256, system and created_at are checked against the log, "
            "so a changed carried field (such as summary.data) would not be found"
        )
        if isinstance(gap, timedelta) and -gap > skew:
            b.warnings.append(
                f"report.json created_at {report.get('created_at')} is {_span(-gap)} before "
                f"its log entry {seq} (audit.record) of {entry.get('created_at')}: the run "
                "was recorded later than it ran, or its date was moved back"
            )
    return problems


def _clock_skew() -> timedelta:
    """:data:`fairmark.governance.gate.CLOCK_SKEW` (imported when needed)."""
    from fairmark.governance.gate import CLOCK_SKEW

    return CLOCK_SKEW


def _created_gap(report_time: Any, entry_time: Any) -> timedelta | str | None:
    """``report_time - entry_time``; a problem line when the report's time does not parse;
    ``None`` when the entry's does not (the chain check names a malformed entry)."""
    entry_at = _instant(entry_time)
    if entry_at is None:
        return None
    report_at = _instant(report_time)
    if report_at is None:
        return (
            f"report.json created_at {show(report_time)} is not an ISO 8601 time with a time "
            "zone; expected e.g. 2026-11-30T12:49:44Z"
        )
    return report_at - entry_at


def _instant(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 text (``Z`` or an offset), else ``None``."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _span(delta: timedelta) -> str:
    """A non-negative duration in whole seconds: ``"0:05:00"``, ``"182 days, 11:10:23"``."""
    return str(timedelta(seconds=int(delta.total_seconds())))


# -------------------------------------------------------------------- 4. policy


def _policy_sha(raw: bytes) -> str:
    from fairmark.policy.source import canonical_bytes

    return hashlib.sha256(canonical_bytes(raw)).hexdigest()


def _report(b: _Bundle) -> dict[str, Any] | None:
    if b.report is None:
        try:
            doc = b.json("report.json")
        except DataError:
            return None
        b.report = doc if isinstance(doc, dict) else None
    return b.report


def _check_policy(b: _Bundle) -> VerifyStep:
    from fairmark.errors import PolicyError
    from fairmark.governance.evidence_recompute import policy_from_text

    report = _report(b)
    if report is None:
        return _step("policy", ["report.json is missing or not a JSON object"], "")
    named = report.get("policy")
    if named is None:
        return VerifyStep("policy", "skipped", "the run was judged against no policy")
    if "policy.yaml" not in b.members:
        return _step("policy", ["policy.yaml is missing from the bundle"], "")
    raw = b.members["policy.yaml"]
    problems = []
    digest = _policy_sha(raw)
    if digest != named.get("sha256"):
        problems.append(
            f"policy.yaml has sha256 {digest[:16]}… but report.json's policy.sha256 is "
            f"{str(named.get('sha256'))[:16]}… (not the policy the run was judged against)"
        )
    try:
        policy = policy_from_text(raw.decode("utf-8"), str(named.get("path")))
    except (PolicyError, UnicodeDecodeError) as exc:
        detail = exc.message if isinstance(exc, PolicyError) else "not UTF-8"
        return _step("policy", [*problems, f"policy.yaml does not load: {detail}"], "")
    loaded = policy.to_report_dict()
    for key in ("id", "version", "owner", "review_by"):
        if loaded.get(key) != named.get(key):
            problems.append(
                f"policy.yaml has {key} {loaded.get(key)!r} but report.json names "
                f"{named.get(key)!r}"
            )
    return _step(
        "policy",
        problems,
        f"policy.yaml is {named.get('id')} v{named.get('version')} (sha256 {digest[:16]}…, as "
        "report.json names) and loads",
    )


# ------------------------------------------------------------------ 5. recompute


def _aggregates(b: _Bundle) -> dict[str, Any]:
    """Join the aggregates sections again into the document recorded with the run."""
    if b.aggregates is not None:
        return b.aggregates
    manifest = b.manifest or {}
    info = manifest.get("aggregates")
    if not isinstance(info, dict) or not isinstance(info.get("files"), dict):
        raise DataError("manifest.json has no aggregates section")
    files = info["files"]
    unknown = sorted(set(files) - set(AGGREGATE_FILES))
    if unknown or any(files[s] != AGGREGATE_FILES[s] for s in files):
        raise DataError(f"manifest.json lists unknown aggregates files {files}")
    doc: dict[str, Any] = {"format": info.get("format")}
    for section in ("cube", "score", "outcome", "carried"):
        doc[section] = b.json(AGGREGATE_FILES[section]) if section in files else None
    b.aggregates = doc
    return doc


def _leaves(doc: Any) -> int:
    if isinstance(doc, dict):
        return sum(_leaves(v) for v in doc.values())
    if isinstance(doc, list):
        return sum(_leaves(v) for v in doc)
    return 1


def _check_recompute(b: _Bundle) -> VerifyStep:
    from fairmark import __version__
    from fairmark.governance.evidence import metrics_document
    from fairmark.governance.evidence_recompute import rebuild_audit, to_documents

    report = _report(b)
    if report is None:
        return _step("recompute", ["report.json is missing or not a JSON object"], "")
    problems: list[str] = []
    try:
        aggregates = _aggregates(b)
        digest = hashlib.sha256(canonical_json(aggregates).encode("utf-8")).hexdigest()
        if digest != ((b.manifest or {}).get("aggregates") or {}).get("sha256"):
            problems.append(
                "the aggregates files do not join into the aggregates recorded with the run "
                f"(sha256 {digest[:16]}… differs from the manifest's)"
            )
        policy_text = None
        if "policy.yaml" in b.members:
            policy_text = b.members["policy.yaml"].decode("utf-8", errors="replace")
        result = rebuild_audit(aggregates, report, policy_text)
        published, _ = to_documents(result)
    except FairmarkError as exc:
        return _step("recompute", [*problems, f"cannot recompute from the aggregates: {exc}"], "")
    b.result = result
    ignore = tuple(IGNORED_FIELDS)
    found = compare_documents(report, published, file="report.json", ignore=ignore)
    try:
        stored_metrics = b.json("metrics.json")
    except DataError as exc:
        problems.append(exc.message)
        stored_metrics = None
    if stored_metrics is not None:
        found += _compare_metrics(stored_metrics, metrics_document(result), report)
    for name, key in (("spec.json", "spec"), ("data_fingerprint.json", "data_fingerprint")):
        try:
            found += compare_documents(
                {key: b.json(name)}, {key: report.get(key)}, file=name, source="report.json has"
            )
        except DataError as exc:
            problems.append(exc.message)
    recomputed_fp = result.data_fingerprint["value"]
    stated = (report.get("data_fingerprint") or {}).get("value")
    if recomputed_fp != stated:
        problems.append(
            f"the data fingerprint recomputed from the cube is {recomputed_fp[:16]}… but "
            f"report.json says {str(stated)[:16]}…"
        )
    b.mismatches += found
    problems += [m.message for m in found]
    made_with, version_problems = _run_version(b, report)
    problems += version_problems
    problems += _renderings(b, report, made_with)
    if made_with is not None and made_with != __version__:
        b.warnings.append(
            f"the run was made with fairmark {made_with} and is verified with {__version__}; "
            "renderings may differ between versions"
        )
    n = _leaves({k: v for k, v in report.items() if k not in IGNORED_FIELDS})
    carried = ", ".join(_carried(b))
    return _step(
        "recompute",
        problems,
        f"all {n} values of report.json and every value of metrics.json agree with what the "
        "aggregates give; the data fingerprint recomputes from the cube; carried, not "
        f"recomputed: {carried} (see carried)",
    )


def _carried(b: _Bundle) -> dict[str, str]:
    """The entries of :data:`CARRIED` that apply to this bundle."""
    sections = ((b.aggregates or {}).get("carried")) or {}
    return {
        k: v
        for k, v in CARRIED.items()
        if k not in ("privacy", "consent") or sections.get(k) is not None
    }


CARRIED_METRICS_PATHS: tuple[str, ...] = ("summary.data",)
"""Fields of ``metrics.json`` the recomputation carries from ``report.json`` (not numbers):
a difference there is between the two files, and is named in ``report.json``."""


def _compare_metrics(
    stored: Mapping[str, Any], recomputed: Mapping[str, Any], report: Mapping[str, Any]
) -> list[Mismatch]:
    """Compare ``metrics.json`` with the recomputation; carried fields against report.json.

    A carried field (:data:`CARRIED_METRICS_PATHS`) in the recomputation is report.json's
    value, so a difference means report.json and metrics.json disagree: it is reported as
    ``report.json <path> = <report.json's value> but metrics.json has <its value>``.
    """
    found = []
    for m in compare_documents(stored, recomputed, file="metrics.json"):
        if m.path not in CARRIED_METRICS_PATHS:
            found.append(m)
            continue
        found += compare_documents(
            _nest(m.path, m.actual), _nest(m.path, m.expected), file="report.json",
            source="metrics.json has",
        )  # fmt: skip
    return found


def _nest(path: str, value: Any) -> dict[str, Any]:
    """``_nest("summary.data", v) == {"summary": {"data": v}}`` (``(absent)`` drops it)."""
    keys = path.split(".")
    inner: dict[str, Any] = {} if value == "(absent)" else {keys[-1]: value}
    for key in reversed(keys[:-1]):
        inner = {key: inner}
    return inner


def _run_version(b: _Bundle, report: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    """The fairmark version that made the run, and any problem establishing it.

    ``environment.json`` is bound to the log entry of the run (``artifacts_sha256``),
    ``report.json``'s ``tool_version`` only by the bundle's signature: they must agree.
    Returns the environment's version (``None`` when it cannot be read).
    """
    stated = report.get("tool_version")
    try:
        environment = b.json("environment.json")
    except DataError as exc:
        return None, [f"cannot check report.json tool_version: {exc.message}"]
    recorded = environment.get("fairmark") if isinstance(environment, dict) else None
    if not isinstance(recorded, str):
        return None, [
            "environment.json records no fairmark version; expected the environment "
            "recorded with the run"
        ]
    if stated != recorded:
        return recorded, [
            f"report.json tool_version is {show(stated)} but environment.json (bound to the "
            f"log through artifacts_sha256) records fairmark {recorded!r}"
        ]
    return recorded, []


def _renderings(b: _Bundle, report: Mapping[str, Any], made_with: str | None) -> list[str]:
    from fairmark import __version__
    from fairmark.report.write import FILE_NAMES, RENDERERS

    problems = []
    for fmt in ("html", "md", "junit"):
        name = FILE_NAMES[fmt]
        try:
            expected = RENDERERS[fmt](report).encode("utf-8")
        except FairmarkError as exc:
            problems.append(f"cannot render {name} from report.json: {exc.message}")
            continue
        if b.members.get(name) == expected:
            continue
        message = f"{name} is not fairmark's rendering of report.json"
        if made_with is None or made_with == __version__:
            problems.append(message + " (it was edited)")
        else:
            b.warnings.append(message + " by this version of fairmark")
    return problems


# ----------------------------------------------------------------------- 6. data


def _read_data(data: Any) -> Any:
    """Open ``--data`` (:func:`fairmark.engine.source.as_table`) before anything is verified.

    Raises
    ------
    DataError, UsageError
        The data cannot be read at all (unknown file type, empty, not CSV or Parquet, an
        unsupported object): bad input (exit 2), not a failed verification; one line
        starting ``--data:``. Data that reads but differs from the audited data fails the
        ``data`` step instead (exit 1).
    """
    from fairmark.engine.source import as_table

    try:
        return as_table(data)
    except FairmarkError as exc:
        message = f"--data: {exc.message}"
        if "expected" not in exc.message:
            message += "; expected the audited data (a CSV or Parquet file)"
        raise (UsageError if isinstance(exc, UsageError) else DataError)(message) from None


def _check_data(b: _Bundle, source: Any) -> VerifyStep:
    """The ``data`` step: ``source`` (read by :func:`_read_data`) against the aggregates."""
    from fairmark.engine.cube import build_cube
    from fairmark.fairness.metrics import compute_metrics
    from fairmark.governance.artifacts import cube_from_json

    if b.result is None:
        return _step("data", ["the bundle's metrics could not be recomputed (see recompute)"], "")
    spec = b.result.spec
    try:
        cube = build_cube(source, spec)
        metrics = compute_metrics(cube, spec)
    except FairmarkError as exc:
        return _step("data", [f"cannot aggregate the data with the bundled spec: {exc}"], "")
    bundled = cube_from_json(_aggregates(b)["cube"])
    found = compare_frames(
        bundled.frame,
        cube.frame,
        keys=list(bundled.features),
        what="cube cell",
        file="aggregates/cube.json",
        tolerance=REL_TOL,
    )
    problems = [m.message for m in found]
    for attr in ("threshold", "n_selected_target", "levels", "weighted"):
        if getattr(bundled, attr) != getattr(cube, attr):
            problems.append(
                f"cube {attr}: bundle {getattr(bundled, attr)!r}, data {getattr(cube, attr)!r}"
            )
    try:
        found += _score_against_data(b, source, spec, metrics, problems)
        found += _outcome_against_data(b, source, spec, problems)
    except FairmarkError as exc:
        problems.append(f"cannot aggregate the data's scores or outcomes: {exc}")
    b.mismatches += found
    problems += [m.message for m in found if m.message not in problems]
    # column types only: the same rows in another file format (CSV yes/no read as boolean,
    # Parquet keeping strings) give the same cells; the fingerprint hashes the types
    types_only = not problems and bundled.column_types != cube.column_types
    if bundled.column_types != cube.column_types:
        if types_only:
            b.warnings.append(
                "the data's column types differ from the audited file's ("
                + _type_differences(bundled.column_types, cube.column_types)
                + ") but every aggregate agrees"
            )
        else:
            problems.append(
                f"cube column_types: bundle {bundled.column_types!r}, data {cube.column_types!r}"
            )
    value = replace(b.result, cube=cube).data_fingerprint["value"]
    stated = ((_report(b) or {}).get("data_fingerprint") or {}).get("value")
    if value != stated:
        message = (
            f"the data's fingerprint is {value[:16]}… but report.json says {str(stated)[:16]}…"
        )
        if types_only:
            b.warnings.append(message + " (it hashes the column types, which differ)")
        else:
            problems.append(message)
    return _step(
        "data",
        problems,
        "the data gives the bundled aggregates cell by cell (cube"
        + (", score histogram" if spec.score else "")
        + (", outcome cells" if spec.outcome else "")
        + ") and the same data fingerprint",
    )


def _type_differences(bundled: Mapping[str, str], data: Mapping[str, str]) -> str:
    """``"y: string vs boolean"``: each column whose type differs, the data's type first."""
    return ", ".join(
        f"{c}: {data.get(c, '(absent)')} vs {bundled.get(c, '(absent)')}"
        for c in sorted(set(bundled) | set(data))
        if bundled.get(c) != data.get(c)
    )


def _hist_frame(hist: Any) -> Any:
    import pandas as pd

    return pd.concat([hist.cells, hist.frame], axis=1)


def _score_against_data(
    b: _Bundle, source: Any, spec: Any, metrics: Any, problems: list[str]
) -> list[Mismatch]:
    from fairmark.fairness.scores import score_aggregates
    from fairmark.governance.artifacts import score_from_json

    if spec.score is None:
        return []
    bundled = score_from_json(_aggregates(b)["score"])
    fresh = score_aggregates(source, spec, metrics)
    found = []
    pairs = [("score histogram", bundled.histogram, fresh.histogram)]
    if bundled.refined is not None or fresh.refined is not None:
        if bundled.refined is None or fresh.refined is None:
            problems.append("refined score histogram: present on one side only")
        else:
            pairs.append(("refined score histogram", bundled.refined, fresh.refined))
    for what, mine, theirs in pairs:
        for attr in ("lo", "hi", "n_bins", "score_kind", "cutoffs", "score_min", "score_max"):
            if getattr(mine, attr) != getattr(theirs, attr):
                problems.append(
                    f"{what} {attr}: bundle {getattr(mine, attr)!r}, data {getattr(theirs, attr)!r}"
                )
        keys = [*mine.features, "bin", "cal", "label"]
        found += compare_frames(
            _hist_frame(mine),
            _hist_frame(theirs),
            keys=keys,
            what=f"{what} row",
            file="aggregates/score.json",
            tolerance=REL_TOL,
        )
    return found


def _outcome_against_data(
    b: _Bundle, source: Any, spec: Any, problems: list[str]
) -> list[Mismatch]:
    from fairmark.fairness.outcomes import outcome_aggregates
    from fairmark.governance.artifacts import outcome_from_json

    if spec.outcome is None:
        return []
    bundled = outcome_from_json(_aggregates(b)["outcome"])
    fresh = outcome_aggregates(source, spec)
    found = compare_frames(
        bundled.cells,
        fresh.cells,
        keys=list(spec.feature_names),
        what="outcome cell",
        file="aggregates/outcome.json",
        tolerance=REL_TOL,
    )
    for combo, values in bundled.medians.items():
        other = fresh.medians.get(combo, {})
        for levels in sorted(set(values) | set(other)):
            x, y = values.get(levels), other.get(levels)
            same = (x is None and y is None) or (
                x is not None and y is not None and math.isclose(x, y, rel_tol=REL_TOL)
            )
            if not same:
                group = ", ".join(f"{f}={v}" for f, v in zip(combo, levels, strict=False))
                b.warnings.append(
                    f"approximate outcome median of {group}: bundle {x!r}, data {y!r} (the "
                    "engine's approx_quantile is a t-digest and need not repeat exactly)"
                )
    return found


# ---------------------------------------------------------------------------- entry


def verify_bundle(
    path: str | os.PathLike[str],
    *,
    data: Any = None,
    public_keys: Iterable[str] | None = None,
) -> BundleVerification:
    """Verify an evidence bundle offline (steps: module docstring).

    Parameters
    ----------
    path : path-like
        The zip written by :func:`fairmark.governance.evidence.export_bundle`.
    data : path or table, optional
        The audited data (anything :func:`fairmark.engine.source.as_table` reads): the
        aggregates are computed again from it and compared cell by cell.
    public_keys : iterable of str, optional
        Pinned signing keys: raw Ed25519 public keys or their SHA-256 fingerprints (64 hex
        digits each). The bundle must be signed by one of them.

    Returns
    -------
    BundleVerification
        ``ok`` only when no step failed; ``exit_code`` 0 or 1.

    Raises
    ------
    UsageError
        ``path`` does not exist or is not a zip archive; ``data`` is a path that does not
        exist; a public key is not 64 hex digits.
    DataError
        ``data`` cannot be read at all (e.g. a ``.yaml`` file, an empty file, a file that
        is not CSV or Parquet): one line starting ``--data:``, nothing verified. Data that
        reads but gives other aggregates is a failed ``data`` step, not an error.

    Notes
    -----
    Memory: the bundle's members are read into memory (aggregates, not rows). Floats are
    compared with relative tolerance :data:`~fairmark.governance.evidence_recompute.REL_TOL`.
    """
    from fairmark.governance.log import trusted_keys

    file = Path(path)
    if not file.is_file():
        raise UsageError(f"bundle {file} does not exist or is not a file; expected a zip file")
    if not zipfile.is_zipfile(file):
        raise UsageError(
            f"{file} is not a zip archive; expected an evidence bundle from "
            "'fairmark evidence export'"
        )
    if isinstance(data, str | os.PathLike) and not any(c in str(data) for c in "*?["):
        if not Path(data).exists():
            raise UsageError(f"--data {data} does not exist; expected the audited data file")
    trusted = trusted_keys(list(public_keys)) if public_keys is not None else None
    if trusted is not None and not trusted:
        trusted = None
    source = _read_data(data) if data is not None else None
    bundle = _Bundle(file)
    bundle.read()
    steps = [_check_archive(bundle), _check_signature(bundle, trusted)]
    steps += [_check_log(bundle, trusted), _check_policy(bundle), _check_recompute(bundle)]
    if source is not None:
        steps.append(_check_data(bundle, source))
    else:
        steps.append(VerifyStep("data", "skipped", "no data given (--data)"))
    run_id = (bundle.manifest or {}).get("run_id")
    return BundleVerification(
        path=str(file),
        ok=all(s.ok for s in steps),
        run_id=run_id if isinstance(run_id, str) else None,
        key_fingerprint=bundle.fingerprint,
        steps=tuple(steps),
        mismatches=tuple(bundle.mismatches),
        warnings=tuple(bundle.warnings),
        carried=_carried(bundle),
    )
