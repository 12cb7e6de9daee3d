"""``fairmark.fairness.representation``: shares, ratios and flags against hand computation
and statsmodels' Wilson interval; every group reported, none dropped."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from fairmark.errors import DataError, UsageError
from fairmark.fairness.representation import representation


def by_group(result):
    return {g.group: g for g in result.groups}


@pytest.fixture
def training() -> pd.DataFrame:
    # 600 a, 300 b, 60 c, 20 d (small), 15 missing; the reference lists a, b, c and e
    sex = ["a"] * 600 + ["b"] * 300 + ["c"] * 60 + ["d"] * 20 + [None] * 15
    return pd.DataFrame({"grp": sex, "x": np.arange(len(sex))})


REF = {"a": 0.4, "b": 0.4, "c": 0.1, "e": 0.1}


def test_ratios_and_intervals_by_hand(training):
    r = representation(training, sensitive_feature="grp", reference=REF, confidence_level=0.9)
    g = by_group(r)
    n_used = 980  # rows with a value
    assert (r.n_rows, r.n_used, r.n_missing, r.has_missing) == (995, 980, None, True)
    for label, n in (("a", 600), ("b", 300), ("c", 60)):
        lo, hi = proportion_confint(n, n_used, alpha=0.1, method="wilson")
        assert g[label].n == n
        assert math.isclose(g[label].observed_share.value, n / n_used, rel_tol=1e-12)
        assert math.isclose(g[label].observed_share.ci_low, lo, rel_tol=1e-9)
        ratio = g[label].representation_ratio
        assert math.isclose(ratio.value, n / n_used / REF[label], rel_tol=1e-12)
        assert math.isclose(ratio.ci_low, lo / REF[label], rel_tol=1e-9)
        assert math.isclose(ratio.ci_high, hi / REF[label], rel_tol=1e-9)
    assert g["a"].flagged is False  # 1.53
    assert g["b"].flagged is True  # 0.765 < 0.8
    assert g["c"].flagged is True  # 0.612


def test_groups_absent_on_either_side_and_small_groups(training):
    r = representation(training, sensitive_feature="grp", reference=REF)
    g = by_group(r)
    assert [x.group for x in r.groups] == ["a", "b", "c", "e", "d"]  # reference order first
    assert g["e"].in_data is False and g["e"].n == 0
    assert g["e"].representation_ratio.value == 0.0 and g["e"].flagged
    assert g["d"].suppressed and g["d"].n is None  # 20 < 30: no count shown
    assert g["d"].representation_ratio.reason == "below_min_group_size"
    assert r.not_in_data == ["e"] and r.not_in_reference == ["d"]
    r = representation(training, sensitive_feature="grp", reference=REF, min_group_size=10)
    d = by_group(r)["d"]
    assert d.n == 20 and d.representation_ratio.reason == "not_in_reference"
    assert d.flagged is False and r.n_missing == 15


def test_document_is_json_and_measurements_follow_the_groups(training):
    r = representation(training, sensitive_feature="grp", reference=REF)
    doc = json.loads(r.to_json())
    assert doc["kind"] == "representation"
    assert doc["summary"]["under_represented"] == ["b", "c", "e"]
    assert [m.group for m in r.measurements] == ["a", "b", "c", "e", "d"]
    assert {m.reason for m in r.measurements if m.value is None} == {"below_min_group_size"}
    # the built-in policy warns (never blocks) on under-represented groups
    assert r.verdict == "warn"


def test_policy_bound_flags_and_judges(tmp_path, training):
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "id: data\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\nrules:\n"
        "  - id: diverse-data\n    check: fairness.representation_ratio\n    min: 0.7\n"
        "    severity: block\n    principle: inclusiveness\n    rationale: diverse data\n"
    )
    r = representation(training, sensitive_feature="grp", reference=REF, policy=policy)
    assert (r.flag_bound, r.flag_bound_source) == (0.7, "policy rule diverse-data")
    assert by_group(r)["b"].flagged is False  # 0.765 >= 0.7
    assert r.verdict == "fail" and r.exit_code == 1
    failing = {f.group for f in r.outcome.findings if f.verdict == "fail"}
    assert failing == {"c", "e"}
    r = representation(
        training, sensitive_feature="grp", reference=REF, policy=policy, min_ratio=0.9
    )
    assert (r.flag_bound, r.flag_bound_source) == (0.9, "argument")


def test_binning_a_numeric_column():
    df = pd.DataFrame({"age": [20] * 40 + [30] * 40 + [70] * 20})
    ref = {"<25": 0.2, "25-64": 0.6, "65+": 0.2}
    r = representation(df, sensitive_feature="age", reference=ref, bins=[25, 65], min_group_size=1)
    g = by_group(r)
    assert r.feature == "age_band" and r.bins == (25.0, 65.0)
    assert math.isclose(g["<25"].representation_ratio.value, 0.4 / 0.2)
    assert math.isclose(g["25-64"].representation_ratio.value, 0.4 / 0.6)


def test_a_file_reference_gives_the_same_numbers(tmp_path, training):
    path = tmp_path / "ref.csv"
    path.write_text("group,share\n" + "".join(f"{k},{v}\n" for k, v in REF.items()))
    a = representation(training, sensitive_feature="grp", reference=path)
    b = representation(training, sensitive_feature="grp", reference=REF)
    assert [x.representation_ratio for x in a.groups] == [x.representation_ratio for x in b.groups]
    assert a.reference.location == str(path)


def test_bad_inputs_are_one_line_errors(training):
    with pytest.raises(DataError, match=r"column 'sexx' not found; available columns: grp, x"):
        representation(training, sensitive_feature="sexx", reference=REF)
    with pytest.raises(UsageError, match=r"sum to 0\.8; expected 1"):
        representation(training, sensitive_feature="grp", reference={"a": 0.4, "b": 0.4})
    with pytest.raises(UsageError, match="differ only in case or spaces"):
        representation(training, sensitive_feature="grp", reference={"A": 0.5, "b": 0.5})
    with pytest.raises(UsageError, match=r"min_ratio \(--min-ratio\) must be a number in"):
        representation(training, sensitive_feature="grp", reference=REF, min_ratio=2)
    with pytest.raises(DataError, match="binning needs a numeric column"):
        representation(training, sensitive_feature="grp", reference=REF, bins=[1, 2])
    empty = pd.DataFrame({"grp": [None, None]}, dtype="string")
    with pytest.raises(DataError, match="has no values: every row is missing"):
        representation(empty, sensitive_feature="grp", reference=REF)


def test_a_reference_for_another_column_is_refused(training):
    with pytest.raises(UsageError, match=r"no group of the reference occurs in column 'grp'"):
        representation(training, sensitive_feature="grp", reference={"x": 0.5, "y": 0.5})
