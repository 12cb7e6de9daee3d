"""The result of :func:`fairmark.mitigate.mitigate`: mitigated models and a before/after audit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from fairmark.fairness.result import json_number
from fairmark.mitigate.summary import FAIRNESS_KEYS, DecisionSummary

__all__ = ["TRADEOFF_METRIC", "MethodRun", "MitigationResult"]

#: Fairness axis of the trade-off (lower is fairer), reported for the first feature.
TRADEOFF_METRIC = "demographic_parity_difference"

_LABELS = {
    "threshold": "ThresholdOptimizer",
    "exponentiated_gradient": "ExponentiatedGradient",
    "reweighing": "Reweighing",
}


@dataclass(frozen=True, eq=False)
class MethodRun:
    """One mitigation method applied and audited.

    Attributes
    ----------
    method : str
        ``threshold``, ``exponentiated_gradient`` or ``reweighing``.
    constraint : str
        The constraint enforced (``reweighing`` always targets independence of label and
        group, i.e. ``demographic_parity`` in the training data).
    model : object
        The mitigated model (see :class:`fairmark.mitigate.methods.MethodOutput`).
    decisions : numpy.ndarray of bool, shape (n_test,)
        Who the mitigated model selects among the test rows.
    audit : fairmark.AuditResult
        The audit of ``decisions`` (same spec and policy as the ``before`` audit).
    summary : DecisionSummary
    operating_point : float or None
        ``threshold`` with a list size: common selection rate on the training rows.
    """

    method: str
    constraint: str
    model: Any
    decisions: np.ndarray
    audit: Any
    summary: DecisionSummary
    operating_point: float | None = None

    @property
    def label(self) -> str:
        """Display name, e.g. ``ThresholdOptimizer (demographic parity)``."""
        return f"{_LABELS[self.method]} ({self.constraint.replace('_', ' ')})"


@dataclass(frozen=True, eq=False)
class MitigationResult:
    """Mitigated model(s) with the before/after audit on the test rows.

    Attributes
    ----------
    method : str
        The primary method (the first one requested): :attr:`model` and :attr:`after`
        belong to it.
    constraint : str
        The requested constraint.
    top_fraction : float or None
        List size as a share of the test rows, or ``None`` for the models' own decisions.
    base_model : object
        The fitted unmitigated model.
    before_decisions : numpy.ndarray of bool, shape (n_test,)
    before_audit : fairmark.AuditResult
    before : DecisionSummary
    runs : tuple of MethodRun
        One per method tried, primary first.
    n_train, n_test : int
        Rows used to fit and to evaluate.
    random_state : int
    """

    method: str
    constraint: str
    top_fraction: float | None
    base_model: Any
    before_decisions: np.ndarray
    before_audit: Any
    before: DecisionSummary
    runs: tuple[MethodRun, ...]
    n_train: int
    n_test: int
    random_state: int

    @property
    def model(self) -> Any:
        """The mitigated model of the primary method."""
        return self.runs[0].model

    @property
    def after(self) -> DecisionSummary:
        """Summary of the primary method's decisions."""
        return self.runs[0].summary

    @property
    def after_audit(self) -> Any:
        """Audit of the primary method's decisions."""
        return self.runs[0].audit

    @property
    def after_decisions(self) -> np.ndarray:
        """The primary method's decisions on the test rows."""
        return self.runs[0].decisions

    @property
    def tradeoff_feature(self) -> str:
        """Feature whose demographic parity difference is the trade-off's fairness axis."""
        return self.before.fairness[0].feature

    def tradeoff(self) -> list[dict[str, Any]]:
        """Points of the fairness-vs-conversions trade-off: the unmitigated model, then each run.

        Returns
        -------
        list of dict
            ``{label, method, constraint, feature, fairness_metric, fairness_value,
            fairness_reason, expected_conversions, list_conversion_rate, accuracy,
            n_selected, verdict}``; ``method`` is ``"none"`` for the unmitigated model.
        """
        feature = self.tradeoff_feature

        def point(
            label: str, method: str, constraint: str | None, s: DecisionSummary
        ) -> dict[str, Any]:
            fv = s.fairness_value(TRADEOFF_METRIC, feature)
            return {
                "label": label,
                "method": method,
                "constraint": constraint,
                "feature": feature,
                "fairness_metric": TRADEOFF_METRIC,
                "fairness_value": json_number(fv.value),
                "fairness_reason": fv.reason,
                "expected_conversions": s.expected_conversions,
                "list_conversion_rate": json_number(s.list_conversion_rate),
                "accuracy": json_number(s.accuracy),
                "n_selected": s.n_selected,
                "verdict": s.verdict,
            }

        out = [point("Unmitigated", "none", None, self.before)]
        out += [point(r.label, r.method, r.constraint, r.summary) for r in self.runs]
        return out

    def table(self) -> list[dict[str, Any]]:
        """The before/after table of the primary method, one row per number.

        Returns
        -------
        list of dict
            ``{key, feature, before, after, change}``; ``key`` is a glossary key
            (``n_selected``/``list_size``, ``expected_conversions``,
            ``list_conversion_rate``, ``accuracy``, the :data:`FAIRNESS_KEYS`,
            ``verdict``); ``feature`` is ``None`` for the overall numbers; ``change`` is
            ``after - before`` for numbers defined on both sides, else ``None``.
        """
        b, a = self.before, self.after
        rows: list[dict[str, Any]] = []

        def add(key: str, feature: str | None, before: Any, after: Any) -> None:
            change = None
            if isinstance(before, int | float) and isinstance(after, int | float):
                change = after - before
            rows.append(
                {"key": key, "feature": feature, "before": before, "after": after, "change": change}
            )

        add("list_size", None, b.n_selected, a.n_selected)
        add("expected_conversions", None, b.expected_conversions, a.expected_conversions)
        add("list_conversion_rate", None, b.list_conversion_rate, a.list_conversion_rate)
        add("accuracy", None, b.accuracy, a.accuracy)
        for fb in b.fairness:
            if fb.metric not in FAIRNESS_KEYS:
                continue
            fa = a.fairness_value(fb.metric, fb.feature)
            add(fb.metric, fb.feature, fb.value, fa.value)
        rows.append(
            {
                "key": "verdict",
                "feature": None,
                "before": b.verdict,
                "after": a.verdict,
                "change": None,
            }
        )
        return rows

    def tradeoff_chart_svg(self) -> str:
        """Render the trade-off chart as inline SVG (see :mod:`fairmark.mitigate.chart`)."""
        from fairmark.mitigate.chart import tradeoff_chart_svg

        return tradeoff_chart_svg(self.tradeoff(), "Fairness against conversions, by method")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (what ``fairmark mitigate --format json`` writes).

        Keys: ``method``, ``constraint``, ``methods`` (every method tried),
        ``top_fraction``, ``n_train``, ``n_test``, ``random_state``, ``before`` and
        ``after`` (:meth:`DecisionSummary.to_dict`, primary method), ``runs[]`` (every
        method: ``method``, ``constraint``, ``operating_point``, ``summary``),
        ``tradeoff[]`` (:meth:`tradeoff`) and ``table[]`` (:meth:`table`).
        """
        table = [
            {
                **row,
                "before": _num(row["before"]),
                "after": _num(row["after"]),
                "change": _num(row["change"]),
            }
            for row in self.table()
        ]
        return {
            "method": self.method,
            "constraint": self.constraint,
            "methods": [r.method for r in self.runs],
            "top_fraction": self.top_fraction,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "random_state": self.random_state,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "runs": [
                {
                    "method": r.method,
                    "constraint": r.constraint,
                    "operating_point": r.operating_point,
                    "summary": r.summary.to_dict(),
                }
                for r in self.runs
            ],
            "tradeoff": self.tradeoff(),
            "table": table,
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as JSON text (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)


def _num(x: Any) -> Any:
    return json_number(x) if isinstance(x, float) else x
