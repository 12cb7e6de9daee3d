"""The mitigation half of the demo: the Bank Marketing call list before and after.

The demo's propensity model (:func:`fairmark.demo_model.build_call_list`) calls the top
20% of later calls by score, and its audit finds that the list's selection rates differ
by age band. Here fairlearn's ``ThresholdOptimizer`` sets age-band thresholds on the same
model's score so that every band is selected at the same rate (demographic parity) while
the list keeps about 20% of the calls; both lists are audited side by side.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from fairmark.errors import DataError, UsageError
from fairmark.mitigate.core import mitigate
from fairmark.mitigate.result import MitigationResult

__all__ = ["DEMO_TOP_FRACTION", "run_mitigation_demo"]

#: Share of the evaluated calls on the list, before and after.
DEMO_TOP_FRACTION: Final = 0.2


def run_mitigation_demo(call_list: Any, frame: pd.DataFrame) -> MitigationResult:
    """Mitigate the demo call list by age band with ThresholdOptimizer (demographic parity).

    The held-out calls of ``call_list`` are split in two interleaved halves in date order:
    the calls at even positions fit the group thresholds, the calls at odd positions are
    the list to select from and are audited before and after. Interleaving keeps both
    halves from the same weeks: the Bank Marketing campaign's success rate changes
    sharply over time (about 6% of the earliest training calls subscribed, about 31% of
    the held-out ones), so thresholds fitted on earlier calls would not transfer.

    * Before: the top 20% of the evaluated calls by the demo model's score (the demo's
      own selection rule, :func:`fairmark.demo_model.select_top`).
    * After: fairlearn ``ThresholdOptimizer`` on the same fitted model with
      ``constraints="demographic_parity"`` at a common selection rate of 20% on the
      fitting half, decisions drawn with seed 0.

    Both are audited by age band (<25 … 65+) against the built-in policy.

    Parameters
    ----------
    call_list : fairmark.demo_model.CallList
        The demo's call list, from ``build_call_list(frame)``.
    frame : pandas.DataFrame
        The Bank Marketing data the call list was built from
        (:func:`fairmark.datasets.fetch_bank_marketing`); the features of the held-out
        calls are taken from it.

    Returns
    -------
    MitigationResult
        ``table()`` is the before/after table; ``tradeoff_chart_svg()`` the chart.

    Raises
    ------
    UsageError
        If ``call_list`` is not a :class:`~fairmark.demo_model.CallList` or ``frame``
        not a DataFrame.
    DataError
        If ``frame`` does not contain the call list's held-out rows and features.

    Notes
    -----
    Hardt, Price & Srebro (2016), *Equality of Opportunity in Supervised Learning*,
    NeurIPS; data: Moro, Cortez & Rita (2014), Decision Support Systems 62:22-31.
    """
    from fairmark.demo_model import CallList, age_band

    if not isinstance(call_list, CallList):
        raise UsageError(
            f"call_list must be a fairmark.demo_model.CallList, got {type(call_list).__name__}"
        )
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    scored = call_list.scored
    features = list(call_list.feature_names)
    missing = [c for c in (*features, "y") if c not in frame.columns]
    if missing or not scored.index.isin(frame.index).all():
        raise DataError(
            "frame does not hold the call list's held-out calls "
            f"(missing columns {missing}); expected the data build_call_list was given"
        )
    held_out = frame.loc[scored.index]
    if not held_out["y"].equals(scored["y"]):
        raise DataError("frame's labels differ from the call list's; expected the same data")
    fit_part, eval_part = held_out.iloc[::2], held_out.iloc[1::2]
    return mitigate(
        call_list.model,
        fit_part[features],
        fit_part["y"],
        eval_part[features],
        eval_part["y"],
        sensitive_train=age_band(fit_part["age"]),
        sensitive_test=age_band(eval_part["age"]),
        method="threshold",
        constraint="demographic_parity",
        top_fraction=DEMO_TOP_FRACTION,
        positive_label="yes",
        audit_kwargs={"system_name": "bank-marketing-propensity"},
        random_state=0,
    )
