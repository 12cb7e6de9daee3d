"""Helpers of the evidence-bundle tests: a small audit with score and outcome, and a zip
rewriter that plays the attacker (edit, add or remove members, re-list, re-sign)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import fairmark
from fairmark.governance.chain import canonical_json
from fairmark.governance.keys import SigningKey

SYSTEM = "bank-propensity"
BINS = [35, 50]  # bands <35, 35-49, 50+


def make_frame(seed: int = 3, n: int = 400) -> pd.DataFrame:
    """Decisions with a score, a 0/1 label, an offer value, an age and a region."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "region": rng.choice(["north", "south"], n),
            "y": rng.choice([1, 0], n, p=[0.35, 0.65]),
            "score": rng.random(n).round(3),
            "offer": rng.gamma(2.0, 50.0, n).round(2),
        }
    )


def run_audit(frame: pd.DataFrame, system_name: str | None = SYSTEM) -> Any:
    """The audit every evidence test records: top 25% by score, an outcome, two features."""
    return fairmark.audit(
        frame,
        y_true="y",
        score="score",
        top_k=0.25,
        sensitive_features=[{"column": "age", "name": "age_band", "bins": BINS}, "region"],
        outcome="offer",
        min_group_size=10,
        system_name=system_name,
    )


def age_band(age: int) -> str:
    """The band label fairmark gives ``age`` with :data:`BINS`."""
    if age < 35:
        return "<35"
    return "35-49" if age < 50 else "50+"


def read_members(path: Path) -> dict[str, bytes]:
    """Every member of a zip, in order."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rewrite(
    source: Path,
    target: Path,
    *,
    change: Mapping[str, bytes | Callable[[bytes], bytes]] | None = None,
    add: Mapping[str, bytes] | None = None,
    remove: tuple[str, ...] = (),
    relist: bool = True,
    sign_with: SigningKey | None = None,
) -> Path:
    """Write a tampered copy of a bundle.

    ``change`` replaces members (bytes, or a function of the old bytes); ``add`` adds
    members, ``remove`` drops them; ``relist`` updates the manifest's sha256 and sizes of
    the listed files; ``sign_with`` re-signs the manifest with that key (else the old
    signature is kept).
    """
    members = read_members(source)
    for name, new in (change or {}).items():
        members[name] = new(members[name]) if callable(new) else new
    for name in remove:
        del members[name]
    members.update(add or {})
    manifest = json.loads(members["manifest.json"])
    if relist:
        for item in manifest["files"]:
            data = members.get(item["path"])
            if data is not None:
                item["sha256"] = hashlib.sha256(data).hexdigest()
                item["size"] = len(data)
        members["manifest.json"] = json.dumps(manifest, indent=2).encode()
    if sign_with is not None:
        signature = json.loads(members["signature.json"])
        signature["public_key"] = sign_with.public_hex
        signature["key_fingerprint"] = sign_with.fingerprint
        signature["signature"] = sign_with.sign(canonical_json(manifest).encode("utf-8"))
        members["signature.json"] = json.dumps(signature, indent=2).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def edit_json(edit: Callable[[Any], None]) -> Callable[[bytes], bytes]:
    """A ``change`` function: parse JSON, apply ``edit`` in place, write it back."""

    def apply(raw: bytes) -> bytes:
        doc = json.loads(raw)
        edit(doc)
        return json.dumps(doc, indent=2, ensure_ascii=False).encode()

    return apply


def report_digest_problem(genuine: Path, forged: Path) -> str:
    """The ``log`` problem of a bundle whose ``report.json`` was changed after recording.

    ``genuine`` is the bundle as exported (its ``report.json`` hashes to the logged
    ``report_sha256``), ``forged`` the changed copy; the digests are computed here with the
    standard library only (SHA-256 of the canonical JSON).
    """

    def sha(path: Path) -> str:
        doc = json.loads(read_members(path)["report.json"])
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    lines = read_members(genuine)["log.jsonl"].decode().splitlines()
    entry = next(r for r in map(json.loads, lines) if r.get("action") == "audit.record")
    assert entry["payload"]["report_sha256"] == sha(genuine)
    return (
        "report.json is not the report recorded with the run (it was changed): its SHA-256 "
        f"(canonical JSON) is {sha(forged)[:16]}… but log entry {entry['seq']} (audit.record) "
        f"records report_sha256 {sha(genuine)[:16]}…"
    )
