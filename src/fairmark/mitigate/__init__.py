"""Fairness mitigation with a before/after audit (``pip install 'fairmark[mitigate]'``).

:func:`mitigate` wraps fairlearn's ``ThresholdOptimizer`` (post-processing) and
``ExponentiatedGradient`` (in-processing) and Kamiran–Calders reweighing
(pre-processing) behind one function, and audits the decisions before and after with
:func:`fairmark.audit`: fairness, accuracy and the list's conversions side by side, plus
a trade-off chart.
"""

from __future__ import annotations

from fairmark.mitigate.core import mitigate
from fairmark.mitigate.inputs import CONSTRAINTS, METHODS
from fairmark.mitigate.result import MethodRun, MitigationResult
from fairmark.mitigate.reweighing import reweighing_weights
from fairmark.mitigate.summary import DecisionSummary, FairnessValue

__all__ = [
    "CONSTRAINTS",
    "METHODS",
    "DecisionSummary",
    "FairnessValue",
    "MethodRun",
    "MitigationResult",
    "mitigate",
    "reweighing_weights",
]
