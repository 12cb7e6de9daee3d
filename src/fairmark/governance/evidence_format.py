"""Constants of the evidence bundle format, shared by export and verification.

See :mod:`fairmark.governance.evidence` for the layout.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "AGGREGATE_FILES",
    "BUNDLE_FILES",
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "SIGNED_FILES_EXCLUDED",
    "ZIP_TIME",
    "log_line",
]

BUNDLE_FORMAT = "fairmark.evidence-bundle"
"""The ``format`` field of ``manifest.json``."""

BUNDLE_VERSION = 1
"""The ``format_version`` field of ``manifest.json``."""

SIGNED_FILES_EXCLUDED: tuple[str, ...] = ("manifest.json", "signature.json")
"""Files not listed in the manifest: the manifest itself and its signature."""

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Timestamp of every zip member (the earliest a zip can hold), so equal inputs give equal
bytes (the reproducible-builds practice, https://reproducible-builds.org/docs/archives/)."""

AGGREGATE_FILES: dict[str, str] = {
    "cube": "aggregates/cube.json",
    "score": "aggregates/score.json",
    "outcome": "aggregates/outcome.json",
    "carried": "aggregates/carried.json",
}
"""``aggregates section -> file`` in the bundle (each the section's canonical JSON)."""


BUNDLE_FILES: tuple[str, ...] = (
    "manifest.json",
    "signature.json",
    "report.json",
    "report.html",
    "report.md",
    "junit.xml",
    "spec.json",
    "policy.yaml",
    *AGGREGATE_FILES.values(),
    "metrics.json",
    "environment.json",
    "data_fingerprint.json",
    "log.jsonl",
    "checkpoint.json",
)
"""Every file name the bundle format knows (the layout of
:mod:`fairmark.governance.evidence`); a member by any other name is not part of a bundle,
even when a re-signed manifest lists it."""


def log_line(record: dict[str, Any]) -> str:
    """One line of ``log.jsonl``: the line format of ``fairmark log export``.

    Compact JSON (no spaces), keys in the record's order, non-ASCII kept, ending in
    ``\\n`` (:func:`fairmark.governance.log.export_log`).
    """
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
