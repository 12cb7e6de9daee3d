"""Typed result of :func:`fairmark.fairness.representation.representation`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairmark.checks.base import Measurement
from fairmark.fairness.reference_shares import ReferenceShares
from fairmark.fairness.result import Estimate, json_number

__all__ = ["RepresentationGroup", "RepresentationResult"]


@dataclass(frozen=True)
class RepresentationGroup:
    """One group of the training data compared with the reference population.

    Attributes
    ----------
    group : str
        The group's label (as the engine labels the data's values).
    in_data, in_reference : bool
        Whether the group occurs in the data / is listed in the reference.
    suppressed : bool
        ``0 < n < min_group_size``: no count and no share are shown.
    n : int or None
        Rows of the group (``None`` when suppressed).
    observed_share : Estimate
        ``n / n_used`` with a Wilson interval (Wilson 1927).
    reference_share : float or None
        The reference population's share (``None`` when not listed).
    representation_ratio : Estimate
        ``observed_share / reference_share``; the interval is the Wilson interval of the
        observed share divided by the reference share (taken as known exactly). Reasons:
        ``not_in_reference``, ``below_min_group_size``.
    flagged : bool
        Under-represented: the ratio is below the flag bound, or the group is listed in the
        reference but has fewer rows than ``min_group_size``.
    """

    group: str
    in_data: bool
    in_reference: bool
    suppressed: bool
    n: int | None
    observed_share: Estimate
    reference_share: float | None
    representation_ratio: Estimate
    flagged: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the ``groups[]`` object of the representation document."""
        return {
            "group": self.group,
            "in_data": self.in_data,
            "in_reference": self.in_reference,
            "suppressed": self.suppressed,
            "n": self.n,
            "observed_share": self.observed_share.to_dict(),
            "reference_share": json_number(self.reference_share),
            "representation_ratio": self.representation_ratio.to_dict(),
            "flagged": self.flagged,
        }


@dataclass(frozen=True)
class RepresentationResult:
    """Group composition of a training set against a reference population.

    Attributes
    ----------
    run_id : str
        UUID4 of the run.
    created_at : datetime
        UTC time the comparison finished.
    data_description : str
        Where the data came from.
    feature : str
        Name of the compared feature (``<column>_band`` when binned).
    column : str
        The data column.
    bins : tuple of float or None
        Cut points when the column was binned.
    reference : ReferenceShares
    groups : tuple of RepresentationGroup
        Reference groups in the reference's order, then groups found only in the data.
    n_rows : int
        Rows of the data.
    n_used : int
        Rows with a value of the column (the denominator of every observed share).
    n_missing : int or None
        Rows without a value (not a group of the population; ``None`` when fewer than
        ``min_group_size``: the count is suppressed).
    has_missing : bool
        Whether any row has no value (true even when ``n_missing`` is suppressed).
    min_group_size : int
    confidence_level : float
    flag_bound : float
        Representation ratio below which a group is flagged.
    flag_bound_source : str
        ``argument``, ``policy rule <id>`` or ``default``.
    measurements : tuple of Measurement
        What the ``representation`` checks measured (filled in by ``representation``).
    outcome : fairmark.policy.PolicyOutcome or None
        The policy's verdict on the measurements.
    policy : fairmark.policy.Policy or None
    """

    run_id: str
    created_at: datetime
    data_description: str
    feature: str
    column: str
    bins: tuple[float, ...] | None
    reference: ReferenceShares
    groups: tuple[RepresentationGroup, ...]
    n_rows: int
    n_used: int
    n_missing: int | None
    has_missing: bool
    min_group_size: int
    confidence_level: float
    flag_bound: float
    flag_bound_source: str
    measurements: tuple[Measurement, ...] = ()
    outcome: Any = None
    policy: Any = None

    @property
    def under_represented(self) -> list[str]:
        """Labels of the flagged groups."""
        return [g.group for g in self.groups if g.flagged]

    @property
    def not_in_reference(self) -> list[str]:
        """Groups found in the data that the reference does not list."""
        return [g.group for g in self.groups if g.in_data and not g.in_reference]

    @property
    def not_in_data(self) -> list[str]:
        """Groups the reference lists that have no row in the data."""
        return [g.group for g in self.groups if g.in_reference and not g.in_data]

    @property
    def verdict(self) -> str:
        """Policy verdict: ``pass``, ``warn``, ``fail`` or ``insufficient_evidence``."""
        return "pass" if self.outcome is None else str(self.outcome.verdict)

    @property
    def exit_code(self) -> int:
        """0 for pass/warn, 1 for fail or insufficient evidence."""
        from fairmark.policy import exit_code

        return exit_code(self.verdict)  # type: ignore[arg-type]

    def to_dict(self, *, disclosure_control: bool = True) -> dict[str, Any]:
        """Return the JSON document of the comparison (what ``--format json`` prints).

        Parameters
        ----------
        disclosure_control : bool, default True
            Apply small-cell suppression and differencing protection with the policy's
            ``settings.k_anonymity`` (default 10;
            :func:`fairmark.report.disclosure_control.protect_document`): the published
            document. ``False`` gives the complete document (internal use).
        """
        doc = self._complete_dict()
        if not disclosure_control:
            return doc
        from fairmark.report.disclosure_control import policy_k, protect_document

        return protect_document(doc, k=policy_k(self.policy))

    def _complete_dict(self) -> dict[str, Any]:
        """The document before disclosure control (see :meth:`to_dict`)."""
        from fairmark import __version__

        return {
            "kind": "representation",
            "schema_version": "1.0",
            "run_id": self.run_id,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool_version": __version__,
            "data": self.data_description,
            "feature": self.feature,
            "column": self.column,
            "bins": None if self.bins is None else list(self.bins),
            "reference": self.reference.to_dict(),
            "summary": {
                "n_rows": self.n_rows,
                "n_used": self.n_used,
                "n_missing": self.n_missing,
                "has_missing": self.has_missing,
                "min_group_size": self.min_group_size,
                "confidence_level": self.confidence_level,
                "flag_bound": self.flag_bound,
                "flag_bound_source": self.flag_bound_source,
                "under_represented": self.under_represented,
                "not_in_reference": self.not_in_reference,
                "not_in_data": self.not_in_data,
            },
            "groups": [g.to_dict() for g in self.groups],
            "policy": None if self.policy is None else self.policy.to_report_dict(),
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in (self.outcome.findings if self.outcome else ())],
            "rules": [r.to_dict() for r in (self.outcome.rules if self.outcome else ())],
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as JSON text (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)
