"""The demo's call list on UCI Bank Marketing, before and after ThresholdOptimizer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fairmark.errors import DataError, UsageError
from fairmark.mitigate import MitigationResult
from fairmark.mitigate.demo import DEMO_TOP_FRACTION, run_mitigation_demo


@pytest.fixture(scope="module")
def demo(shared_data: Path) -> tuple[object, object, MitigationResult]:
    from fairmark.datasets import fetch_bank_marketing
    from fairmark.demo_model import build_call_list

    frame = fetch_bank_marketing(shared_data)
    call_list = build_call_list(frame)
    return call_list, frame, run_mitigation_demo(call_list, frame)


def test_demographic_parity_difference_shrinks(demo: tuple) -> None:
    _, _, result = demo
    before = result.before.fairness_value("demographic_parity_difference", "age_band").value
    after = result.after.fairness_value("demographic_parity_difference", "age_band").value
    print(f"demographic parity difference by age band: before {before:.4f}, after {after:.4f}")
    assert before is not None and after is not None
    assert after < before
    di_before = result.before.fairness_value("disparate_impact_min", "age_band").value
    di_after = result.after.fairness_value("disparate_impact_min", "age_band").value
    print(f"lowest disparate impact: before {di_before:.3f}, after {di_after:.3f}")
    assert di_after > di_before


def test_list_keeps_about_a_fifth_of_the_calls(demo: tuple) -> None:
    call_list, _, result = demo
    n_eval = call_list.n_test // 2  # the odd positions of the held-out calls
    assert result.n_test == n_eval
    assert result.before.n_selected == int(np.ceil(DEMO_TOP_FRACTION * n_eval))
    assert abs(result.after.selection_rate - DEMO_TOP_FRACTION) < 0.03
    print(
        f"list: before {result.before.n_selected} ({result.before.expected_conversions} "
        f"conversions), after {result.after.n_selected} ({result.after.expected_conversions})"
    )


def test_business_metric_recomputed_from_the_labels(demo: tuple) -> None:
    call_list, frame, result = demo
    held = frame.loc[call_list.scored.index]
    y = (held["y"].iloc[1::2] == "yes").to_numpy()
    for decisions, summary in (
        (result.before_decisions, result.before),
        (result.after_decisions, result.after),
    ):
        assert summary.expected_conversions == int(y[decisions].sum())
        assert summary.list_conversion_rate == pytest.approx(y[decisions].mean())
        assert summary.accuracy == pytest.approx((y == decisions).mean())


def test_before_is_the_demo_rule_on_the_evaluated_calls(demo: tuple) -> None:
    from fairmark.demo_model import select_top

    call_list, _, result = demo
    scores = call_list.scored["score"].to_numpy()[1::2]
    assert np.array_equal(result.before_decisions, select_top(scores, DEMO_TOP_FRACTION))


def test_table_and_chart(demo: tuple) -> None:
    _, _, result = demo
    keys = [r["key"] for r in result.table()]
    assert keys[:4] == ["list_size", "expected_conversions", "list_conversion_rate", "accuracy"]
    assert keys[-1] == "verdict"
    svg = result.tradeoff_chart_svg()
    assert svg.startswith("<svg") and "Unmitigated" in svg and "ThresholdOptimizer" in svg


def test_bad_arguments(demo: tuple) -> None:
    call_list, frame, _ = demo
    with pytest.raises(UsageError, match="call_list must be"):
        run_mitigation_demo(frame, frame)
    with pytest.raises(DataError, match="does not hold the call list"):
        run_mitigation_demo(call_list, frame.iloc[:100])
