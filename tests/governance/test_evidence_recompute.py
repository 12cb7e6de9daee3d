"""Recomputing an audit from its recorded aggregates gives the very same report.

No store: ``build_artifacts`` → JSON → ``rebuild_audit`` must reproduce ``to_dict()``
exactly, for weighted audits, binary decisions, refined score histograms; malformed
aggregates are refused with one line naming what is wrong; differences are worded
precisely.
"""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.governance._evidence_support import make_frame

import fairmark
from fairmark.errors import DataError
from fairmark.fairness import scores as scores_module
from fairmark.fairness.scores import ScoreMetricRows
from fairmark.governance.artifacts import (
    build_artifacts,
    consent_from_dict,
    frame_from_json,
    frame_to_json,
)
from fairmark.governance.evidence_recompute import (
    compare_documents,
    compare_frames,
    rebuild_audit,
    spec_from_dict,
    to_documents,
)
from fairmark.privacy.consent.coverage import ConsentCoverage


def _roundtrip(result: Any) -> Any:
    artifacts = build_artifacts(result)
    return rebuild_audit(json.loads(artifacts.aggregates_text), result.to_dict(),
                         artifacts.policy_text)  # fmt: skip


def _same(result: Any, rebuilt: Any) -> None:
    published, complete = to_documents(rebuilt)
    assert compare_documents(result.to_dict(), published, file="report.json") == []
    full = result.to_dict(disclosure_control=False)
    assert compare_documents(full, complete, file="metrics.json") == []
    assert published == result.to_dict()  # not merely close: the same numbers


def test_a_weighted_binary_decision_audit_recomputes_exactly() -> None:
    rng = np.random.default_rng(21)
    frame = make_frame(seed=21, n=500)
    frame["selected"] = (frame["score"] > 0.6).astype(int)
    frame["w"] = rng.uniform(0.5, 3.0, len(frame)).round(3)
    result = fairmark.audit(
        frame,
        y_true="y",
        y_pred="selected",
        sample_weight="w",
        sensitive_features=["region", {"column": "age", "name": "age_band", "bins": [40]}],
        outcome="offer",
        intersections="none",
        min_group_size=5,
    )
    rebuilt = _roundtrip(result)
    _same(result, rebuilt)
    assert rebuilt.data_fingerprint == result.data_fingerprint


def test_a_refined_score_histogram_is_recorded_and_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1,000 bins (as for data beyond the row budget) put scores packed into [0.5, 0.503)
    # into three bins: the AUC bound is too wide, so the groups are binned again finely,
    # and both histograms must be recorded
    monkeypatch.setattr(scores_module, "choose_n_bins", lambda n_cells, n_rows=None: 1000)
    frame = make_frame(seed=8, n=300)
    frame["score"] = (0.5 + frame["score"] * 0.002 + frame["y"] * 0.0009).round(7)
    result = fairmark.audit(frame, y_true="y", score="score", threshold=0.501,
                            sensitive_features=["region"], min_group_size=5)  # fmt: skip
    aggregates = result.metrics.score_metrics.aggregates
    assert aggregates.histogram.n_bins == 1000 and aggregates.refined is not None
    assert aggregates.refined_groups
    doc = json.loads(build_artifacts(result).aggregates_text)
    assert doc["score"]["refined"]["n_bins"] == 1_000_000
    assert [tuple(g) for g in doc["score"]["refined_groups"]] == list(aggregates.refined_groups)
    _same(result, _roundtrip(result))


def test_score_metric_rows_are_a_tuple_carrying_their_aggregates() -> None:
    result = fairmark.audit(make_frame(seed=2, n=200), y_true="y", score="score", top_k=0.3,
                            sensitive_features=["region"], min_group_size=5)  # fmt: skip
    rows = result.metrics.score_metrics
    assert isinstance(rows, ScoreMetricRows) and rows == tuple(rows)
    copy = pickle.loads(pickle.dumps(rows))
    assert copy == rows and copy.aggregates.histogram.n_bins == rows.aggregates.histogram.n_bins


def test_consent_coverage_round_trips() -> None:
    coverage = ConsentCoverage(
        purpose="marketing.communications",
        vendor=None,
        as_of=datetime(2026, 11, 30, 6, 0, tzinfo=UTC),
        subject_column="customer_id",
        n_rows=120,
        n_subjects=100,
        n_subjects_without=7,
        by_reason={"no_record": 5, "withdrawn": 2},
        n_ledger_events=240,
    )
    assert consent_from_dict(coverage.to_dict()).to_dict() == coverage.to_dict()


def test_frames_round_trip_with_their_types() -> None:
    frame = pd.DataFrame({"g": ["a", "b"], "n": [1, 2], "x": [0.1 + 0.2, float("nan")]})
    back = frame_from_json(json.loads(json.dumps(frame_to_json(frame))), "t")
    assert back["n"].dtype == "int64" and back["x"].dtype == "float64"
    assert back["x"].iloc[0] == 0.30000000000000004 and np.isnan(back["x"].iloc[1])
    assert list(back["g"]) == ["a", "b"]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"columns": ["a"]},
            "aggregates table 't' is malformed; expected columns, dtypes and rows",
        ),
        (
            {"columns": ["a"], "dtypes": ["int32"], "rows": []},
            "aggregates table 't' has dtypes ['int32']; expected one of int64, float64, str per "
            "column (1 columns)",
        ),
        (
            {"columns": ["a", "b"], "dtypes": ["int64", "str"], "rows": [[1]]},
            "aggregates table 't' has a row that is not a list of 2 values",
        ),
        (
            {"columns": ["a"], "dtypes": ["int64"], "rows": [[1.5]]},
            "aggregates table 't' column 'a' holds a value that is not int64",
        ),
    ],
)
def test_malformed_frames_are_refused(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(DataError) as info:
        frame_from_json(doc, "t")
    assert str(info.value) == message


def test_a_malformed_spec_is_refused() -> None:
    with pytest.raises(DataError, match="spec has unknown field\\(s\\) colour; missing field"):
        spec_from_dict({"colour": "red"})
    with pytest.raises(DataError, match="spec is not a valid audit spec: give exactly one"):
        spec_from_dict({"y_true": "y", "positive_label": 1, "sensitive_features": []})


def test_rebuild_refuses_an_unknown_aggregates_format() -> None:
    with pytest.raises(DataError) as info:
        rebuild_audit({"format": "other/9"}, {}, None)
    assert str(info.value) == ("aggregates format is 'other/9'; expected 'fairmark.aggregates/1'")


def test_differences_are_worded_precisely() -> None:
    stored = {
        "verdict": "pass",
        "disparities": [
            {
                "metric": "disparate_impact",
                "feature": "age",
                "group": "25-34",
                "reference": "35-44",
                "value": 0.8123,
            },
        ],
        "groups": [{"feature": "age", "group": "a", "n": 41}],
    }
    recomputed = {
        "verdict": "fail",
        "disparities": [dict(stored["disparities"][0], value=0.7969)],
        "groups": [{"feature": "age", "group": "a", "n": 41}, {"feature": "age", "group": "b"}],
    }
    messages = [m.message for m in compare_documents(stored, recomputed, file="report.json")]
    assert messages == [
        "report.json verdict = 'pass' but the aggregates give 'fail'",
        "report.json disparities[0].value (disparate_impact age 25-34 vs 35-44) = 0.8123 but "
        "the aggregates give 0.7969",
        "report.json groups has 1 items but the aggregates give 2",
    ]
    # within 1e-9 relative: equal; counts exactly
    close = {"x": 1.0, "n": 3}
    assert compare_documents(close, {"x": 1.0 + 1e-12, "n": 3}, file="f") == []
    assert len(compare_documents(close, {"x": 1.0, "n": 3.0000001}, file="f")) == 1


def test_cells_are_compared_by_their_levels() -> None:
    bundled = pd.DataFrame({"age": ["<25", "25-34"], "tp": [4, 41], "tp_w": [4.0, 41.0]})
    data = pd.DataFrame({"age": ["25-34", "65+"], "tp": [40, 1], "tp_w": [40.0, 1.0]})
    messages = [
        m.message for m in compare_frames(bundled, data, keys=["age"], what="cube cell", file="c")
    ]
    assert messages == [
        "cube cell age=25-34: tp bundle 41, data 40",
        "cube cell age=25-34: tp_w bundle 41, data 40",
        "cube cell age=65+: the data has it but the bundle has no such cube cell",
        "cube cell age=<25: in the bundle but the data has no such cube cell",
    ]
