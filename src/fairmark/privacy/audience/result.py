"""Typed result of :func:`fairmark.privacy.audience.prepare.prepare_audience`.

:class:`AudienceResult` holds what was read, what was normalised, every value that could
not be (by row, field and reason, with at most a masked shape of the value, never the
value), the expected matched audience size against the platform minimum, the lint
findings on the audience's name, the policy verdict and where the upload file went.
:meth:`AudienceResult.to_dict` gives the JSON document (``kind: "audience"``, schema
``audience.schema.json`` beside this module).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fairmark.checks.base import Measurement
from fairmark.privacy.audience.lint_names import LintFinding

__all__ = [
    "SCHEMA_PATH",
    "AudienceResult",
    "ColumnMapping",
    "FieldCounts",
    "IgnoredColumn",
    "KeyField",
    "Rejection",
    "RejectionCount",
    "mask_shape",
]

SCHEMA_PATH = Path(__file__).with_name("audience.schema.json")
"""JSON Schema (draft 2020-12) of :meth:`AudienceResult.to_dict`."""

_MASK_MAX = 40


def mask_shape(value: str) -> str:
    """Return the shape of ``value`` without its content: letters ``A``, digits ``9``.

    Punctuation and spaces are kept so the format shows (``"020 7946 0958"`` →
    ``"999 9999 9999"``, ``"SW1A 1AA"`` → ``"AA9A 9AA"``); no letter or digit of the value
    survives. Longer values are cut to 40 characters and ``…``.
    """
    shape = "".join("A" if ch.isalpha() else "9" if ch.isdigit() else ch for ch in value)
    return shape if len(shape) <= _MASK_MAX else shape[:_MASK_MAX] + "…"


@dataclass(frozen=True)
class ColumnMapping:
    """A column of the list and the identifier field it was read as.

    Attributes
    ----------
    column : str
        The header in the list.
    field : str
        The identifier field (``email``, ``phone`` …).
    output_columns : tuple of str
        Headers it fills in the upload file (Meta's date of birth fills three).
    hashed : bool
        Whether its values are uploaded hashed.
    numeric_source : bool
        The column was numeric in the source (leading zeros or a ``+`` may already be lost).
    """

    column: str
    field: str
    output_columns: tuple[str, ...]
    hashed: bool
    numeric_source: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the ``columns[]`` object."""
        return {
            "column": self.column,
            "field": self.field,
            "output_columns": list(self.output_columns),
            "hashed": self.hashed,
            "numeric_source": self.numeric_source,
        }


@dataclass(frozen=True)
class IgnoredColumn:
    """A column of the list that is not uploaded, and why (data minimisation)."""

    column: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return the ``ignored_columns[]`` object."""
        return {"column": self.column, "reason": self.reason}


@dataclass(frozen=True)
class KeyField:
    """One column of the upload file: its field, hashing, rule and source."""

    field: str
    output_column: str
    hashed: bool
    normalisation: str
    source: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the ``key_fields[]`` object."""
        return {
            "field": self.field,
            "output_column": self.output_column,
            "hashed": self.hashed,
            "normalisation": self.normalisation,
            "source": self.source,
            "note": self.note or None,
        }


@dataclass(frozen=True)
class FieldCounts:
    """Counts of one output column's values.

    Attributes
    ----------
    field, output_column : str
    values : int
        Non-empty cells read for it.
    normalised : int
        Values normalised (and hashed where the platform asks).
    already_hashed : int
        Values that were already SHA-256 digests (passed through lowercased).
    rejected : int
        Values that could not be normalised (reported in ``rejections``).
    empty : int
        Empty cells.
    """

    field: str
    output_column: str
    values: int
    normalised: int
    already_hashed: int
    rejected: int
    empty: int

    def to_dict(self) -> dict[str, Any]:
        """Return the ``fields[]`` object."""
        return {
            "field": self.field,
            "output_column": self.output_column,
            "values": self.values,
            "normalised": self.normalised,
            "already_hashed": self.already_hashed,
            "rejected": self.rejected,
            "empty": self.empty,
        }


@dataclass(frozen=True)
class Rejection:
    """A value (or a whole row) left out of the upload.

    Attributes
    ----------
    row : int
        1-based number of the data row in the list (1 = the first row after the header).
    field : str
        The identifier field, or ``"row"`` when the whole row is left out.
    column : str or None
        The list's column (``None`` for a whole row).
    reason : str
        Stable reason code (``phone_needs_region``, ``invalid_email``, ``not_matchable`` …).
    message : str
        What is wrong and what was expected.
    masked : str or None
        The value's shape (:func:`mask_shape`), never the value itself.
    """

    row: int
    field: str
    column: str | None
    reason: str
    message: str
    masked: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return the ``rejections.shown[]`` object."""
        return {
            "row": self.row,
            "field": self.field,
            "column": self.column,
            "reason": self.reason,
            "message": self.message,
            "masked": self.masked,
        }


@dataclass(frozen=True)
class RejectionCount:
    """How many values of one field were rejected for one reason."""

    field: str
    reason: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        """Return the ``rejections.by_reason[]`` object."""
        return {"field": self.field, "reason": self.reason, "count": self.count}


@dataclass(frozen=True)
class AudienceResult:
    """A customer list prepared for one platform.

    Attributes
    ----------
    run_id : str
    created_at : datetime
    platform, platform_title, platform_doc : str
    region : str or None
        Default country of phone numbers, postal codes and states.
    data_description : str
    name, description : str or None
        The audience's name and description (linted, not uploaded).
    columns : tuple of ColumnMapping
    ignored_columns : tuple of IgnoredColumn
    key_fields : tuple of KeyField
        One per column of the upload file, in file order.
    n_rows : int
        Data rows read.
    n_matchable : int
        Rows with at least one usable identifier combination.
    n_rejected_rows : int
        Rows left out entirely (``n_rows - n_matchable``).
    n_duplicates : int
        Matchable rows identical to an earlier one after normalisation.
    n_unique : int
        Rows in the upload file (``n_matchable - n_duplicates``).
    fields : tuple of FieldCounts
    rejections : tuple of Rejection
        The first ``rejection_limit`` rejections in row order.
    rejection_counts : tuple of RejectionCount
        Every rejection counted by field and reason.
    n_rejections : int
        All rejections (values and rows).
    rejection_limit : int
    assumed_match_rate : float
    min_size : int
        The platform minimum used.
    expected_matched_size : float
        ``n_unique × assumed_match_rate``.
    lint : tuple of LintFinding
    warnings : tuple of str
    written : bool
        Whether the upload file was written (False when refused).
    output_path : str or None
    output_columns : tuple of str
        Headers of the upload file.
    measurements : tuple of Measurement
    outcome : fairmark.policy.PolicyOutcome or None
    policy : fairmark.policy.Policy or None
    """

    run_id: str
    created_at: datetime
    platform: str
    platform_title: str
    platform_doc: str
    region: str | None
    data_description: str
    name: str | None
    description: str | None
    columns: tuple[ColumnMapping, ...]
    ignored_columns: tuple[IgnoredColumn, ...]
    key_fields: tuple[KeyField, ...]
    n_rows: int
    n_matchable: int
    n_rejected_rows: int
    n_duplicates: int
    n_unique: int
    fields: tuple[FieldCounts, ...]
    rejections: tuple[Rejection, ...]
    rejection_counts: tuple[RejectionCount, ...]
    n_rejections: int
    rejection_limit: int
    assumed_match_rate: float
    min_size: int
    expected_matched_size: float
    lint: tuple[LintFinding, ...]
    warnings: tuple[str, ...]
    written: bool
    output_path: str | None
    output_columns: tuple[str, ...]
    measurements: tuple[Measurement, ...] = ()
    outcome: Any = None
    policy: Any = None

    @property
    def size_ratio(self) -> float:
        """Expected matched size divided by the platform minimum (the check's value)."""
        return self.expected_matched_size / self.min_size

    @property
    def verdict(self) -> str:
        """Policy verdict: ``pass``, ``warn``, ``fail`` or ``insufficient_evidence``.

        Name-lint findings (terms suggesting health or financial status) raise a ``pass``
        to ``warn``: the file is still written (exit code 0) but the run is not clean.
        """
        verdict = "pass" if self.outcome is None else str(self.outcome.verdict)
        if verdict == "pass" and self.lint:
            return "warn"
        return verdict

    @property
    def size_message(self) -> str:
        """One plain sentence comparing the expected matched audience with the minimum.

        For example ``refused: 1 valid row × assumed match rate 0.5 = 0.5 expected matched
        people, below google's minimum of 100 (privacy.min_audience_size)``. Numbers use
        up to 4 significant digits, so a non-zero size never reads as ``0``.
        """
        rows = f"{self.n_unique:,} valid row{'' if self.n_unique == 1 else 's'}"
        expected = _plain_number(self.expected_matched_size)
        below = self.expected_matched_size < self.min_size
        head = "refused" if below and self.verdict == "fail" else "audience size"
        relation = "below" if below else "against"
        return (
            f"{head}: {rows} × assumed match rate {self.assumed_match_rate:g} = {expected} "
            f"expected matched people, {relation} {self.platform}'s minimum of "
            f"{self.min_size:,} (privacy.min_audience_size)"
        )

    @property
    def exit_code(self) -> int:
        """0 for pass or warn (file written), 1 for fail or insufficient evidence (refused)."""
        from fairmark.policy import exit_code

        return exit_code(self.verdict)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document of the run (``--format json``, ``--report``).

        It never holds an identifier value: rejected values appear only as their shape.
        """
        from fairmark import __version__

        findings = self.outcome.findings if self.outcome is not None else ()
        rules = self.outcome.rules if self.outcome is not None else ()
        return {
            "kind": "audience",
            "schema_version": "1.0",
            "run_id": self.run_id,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool_version": __version__,
            "data": self.data_description,
            "platform": {
                "name": self.platform,
                "title": self.platform_title,
                "doc": self.platform_doc,
            },
            "region": self.region,
            "audience": {"name": self.name, "description": self.description},
            "columns": [c.to_dict() for c in self.columns],
            "ignored_columns": [c.to_dict() for c in self.ignored_columns],
            "key_fields": [k.to_dict() for k in self.key_fields],
            "counts": {
                "rows": self.n_rows,
                "matchable_rows": self.n_matchable,
                "rejected_rows": self.n_rejected_rows,
                "duplicates": self.n_duplicates,
                "unique_rows": self.n_unique,
                "rejections": self.n_rejections,
            },
            "fields": [f.to_dict() for f in self.fields],
            "rejections": {
                "total": self.n_rejections,
                "limit": self.rejection_limit,
                "truncated": self.n_rejections > len(self.rejections),
                "shown": [r.to_dict() for r in self.rejections],
                "by_reason": [c.to_dict() for c in self.rejection_counts],
            },
            "size": {
                "assumed_match_rate": self.assumed_match_rate,
                "expected_matched_size": self.expected_matched_size,
                "platform_minimum": self.min_size,
                "ratio": self.size_ratio,
                "message": self.size_message,
            },
            "lint": [f.to_dict() for f in self.lint],
            "warnings": list(self.warnings),
            "output": {
                "written": self.written,
                "path": self.output_path,
                "columns": list(self.output_columns),
            },
            "policy": None if self.policy is None else self.policy.to_report_dict(),
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in findings],
            "rules": [r.to_dict() for r in rules],
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as indented JSON text (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False, ensure_ascii=False)


def _plain_number(x: float) -> str:
    """Format a count-like number: integers with separators, else 4 significant digits."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.1f}" if abs(x) >= 1000 else f"{x:.4g}"
