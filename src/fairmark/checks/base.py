"""Types shared by every check: :class:`Check` (the definition) and :class:`Measurement`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Principle = Literal[
    "fairness",
    "privacy",
    "transparency",
    "accountability",
    "reliability_and_safety",
    "inclusiveness",
]


@dataclass(frozen=True)
class Measurement:
    """One value a check measured, ready to be judged against a policy rule's bounds.

    Parameters
    ----------
    check_id : str
        Id of the check that produced it, e.g. ``"fairness.disparate_impact"``.
    feature : str or None
        Sensitive feature (intersections joined by ``" & "``); ``None`` for checks that are
        not about a feature.
    group, reference : str or None
        The group measured and the group it is compared with, when the check compares two.
    value : float or None
        The point estimate; ``math.inf`` is allowed; ``None`` means undefined (then
        ``reason`` says why) and is never judged a pass.
    ci_low, ci_high : float or None
        Confidence interval of ``value`` (same units), when one exists.
    reason : str or None
        A :class:`fairmark.errors.Reason` value when ``value`` is undefined or infinite.
    detail : str or None
        Extra plain-language context for the finding message.
    """

    check_id: str
    feature: str | None
    group: str | None
    reference: str | None
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    reason: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Check:
    """Definition of one check.

    Parameters
    ----------
    id : str
        Stable dotted id, ``<pillar>.<name>``; never renamed once released.
    title : str
        Short human title.
    principle : Principle
        The principle of the organisation's guidelines this check serves.
    scope : {"feature", "group", "run"}
        ``feature``: one measurement per sensitive feature; ``group``: one per group
        compared with its feature's reference group; ``run``: one per audit run.
    direction : {"higher_is_better", "lower_is_better"}
        Which way is fairer/safer; tells the policy lint which bound (``min``/``max``)
        makes sense.
    metric : str
        Key of the plain-language glossary entry (:mod:`fairmark.report.glossary`).
    source : str
        Where the definition comes from (paper, standard, regulation article).
    measure : callable
        ``measure(result) -> list[Measurement]`` where ``result`` is the computed result of
        the run kind named by ``input`` (for ``"audit"``:
        :class:`fairmark.fairness.result.AuditMetrics`).
    input : str
        The kind of run whose result the check measures: ``"audit"`` (default; run by
        ``fairmark audit``), or another command's result (``"delivery"``,
        ``"representation"``, ``"proxies"``, ``"content"`` …). A policy rule is judged only
        by runs of its check's kind.
    """

    id: str
    title: str
    principle: Principle
    scope: Literal["feature", "group", "run"]
    direction: Literal["higher_is_better", "lower_is_better"]
    metric: str
    source: str
    measure: Callable[[Any], list[Measurement]]
    input: str = "audit"
