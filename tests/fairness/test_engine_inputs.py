"""What goes into an audit: input types, label forms, decisions, groups and bad inputs.

* pandas, polars, pyarrow, CSV (``;`` and ``,``), a Parquet file, a glob of Parquet files,
  a folder of Parquet files and an Ibis memtable give the identical sufficient-statistics
  cube and identical numbers; so does the Bank Marketing CSV read by DuckDB versus pandas.
* Positive labels may be given as text: ``"yes"``, ``"1"`` for an integer column,
  ``"true"`` for a boolean one.
* ``threshold`` and ``top_k`` (fraction and count, ties all selected) are checked against
  hand-computed selections.
* Missing group values form the group ``(missing)``; declared categorical levels without
  rows are listed with n = 0.
* Each bad input raises the documented fairmark error with a one-line message.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from tests.fairness._audit_helpers import (
    BANK_CSV,
    disparity,
    group_row,
    groups_of,
    load_bank,
    require_bank,
    run_audit,
)

from fairmark.errors import DataError, FairmarkError, UsageError
from fairmark.fairness.audit import AuditResult

SEGMENTS = "north south - north east south north - east south north east"  # "-": missing
# Weights are dyadic fractions, so weighted sums are exact in any summation order.
BASE = pd.DataFrame(
    {
        "segment": [None if s == "-" else s for s in SEGMENTS.split()],
        "region": pd.array([1, 2, 2, None, 1, 1, 2, 2, 1, None, 1, 2], dtype="Int64"),
        "y": ["yes", "no", "yes", "no", "no", "yes", "no", "yes", "yes", "no", "no", "yes"],
        "sel": [1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1],
        "score": [0.75, 0.5, 0.75, 0.25, 0.875, 0.5, 0.125, 0.75, 0.375, 0.5, 0.625, 0.25],
        "w": [0.5, 1.0, 1.25, 2.0, 0.75, 1.5, 1.0, 0.25, 2.5, 1.0, 0.5, 1.75],
    }
)
SPEC: dict[str, Any] = {
    "y_true": "y",
    "positive_label": "yes",
    "y_pred": "sel",
    "sensitive_features": ["segment", "region"],
    "sample_weight": "w",
}


def _comparable(result: AuditResult) -> dict[str, Any]:
    doc = result.to_dict()
    return {"groups": doc["groups"], "disparities": doc["disparities"], "rules": doc["rules"]}


def _write_inputs(tmp: Path) -> dict[str, Any]:
    """BASE in every supported input form."""
    BASE.to_csv(tmp / "comma.csv", index=False)
    BASE.to_csv(tmp / "semicolon.csv", index=False, sep=";")
    BASE.to_parquet(tmp / "one.parquet", index=False)
    parts = tmp / "parts"
    parts.mkdir()
    for i, chunk in enumerate((BASE.iloc[:5], BASE.iloc[5:9], BASE.iloc[9:])):
        chunk.to_parquet(parts / f"part-{i}.parquet", index=False)
    return {
        "pandas": BASE,
        "polars": pl.from_pandas(BASE),
        "pyarrow": pa.Table.from_pandas(BASE, preserve_index=False),
        "csv_comma": str(tmp / "comma.csv"),
        "csv_semicolon": tmp / "semicolon.csv",  # a Path works as well as a str
        "parquet": str(tmp / "one.parquet"),
        "parquet_glob": str(parts / "part-*.parquet"),
        "parquet_folder": str(parts),
        "ibis_memtable": ibis.memtable(BASE),
    }


def test_every_input_type_gives_the_same_cube(tmp_path: Path) -> None:
    reference = run_audit(BASE, **SPEC)
    assert len(reference.cube.frame) > 0
    for name, data in _write_inputs(tmp_path).items():
        result = run_audit(data, **SPEC)
        pd.testing.assert_frame_equal(result.cube.frame, reference.cube.frame, obj=name)
        assert _comparable(result) == _comparable(reference), name
    # the missing values are their own groups in every input form
    segments = {g.group for g in groups_of(reference, "segment")}
    assert segments == {"east", "north", "south", "(missing)"}
    assert {g.group for g in groups_of(reference, "region")} == {"1", "2", "(missing)"}


def test_every_input_type_gives_the_same_top_k(tmp_path: Path) -> None:
    spec = {**SPEC, "y_pred": None, "score": "score", "top_k": 0.25}
    reference = run_audit(BASE, **spec)
    for name, data in _write_inputs(tmp_path).items():
        result = run_audit(data, **spec)
        assert result.cube.threshold == reference.cube.threshold == 0.75, name
        pd.testing.assert_frame_equal(result.cube.frame, reference.cube.frame, obj=name)


def test_bank_csv_read_by_duckdb_equals_pandas() -> None:
    """Bank Marketing: ``;``-separated, quoted, dotted column names; top 30% by nr.employed.

    k = ceil(0.3 x 41,188) = 12,357; the threshold is the k-th highest ``nr.employed`` and
    every row tied with it is selected.
    """
    require_bank()
    bank = load_bank()
    spec: dict[str, Any] = {
        "y_true": "y",
        "positive_label": "yes",
        "score": "nr.employed",
        "score_kind": "score",  # a ranking score, not a probability
        "top_k": 0.3,
        "sensitive_features": ["marital", {"column": "age", "bins": "age"}],
    }
    from_file = run_audit(str(BANK_CSV), **spec)
    from_pandas = run_audit(bank.drop(columns=["yi", "sel", "age_band", "w"]), **spec)
    pd.testing.assert_frame_equal(from_file.cube.frame, from_pandas.cube.frame)

    k = math.ceil(0.3 * len(bank))
    kth = np.sort(bank["nr.employed"].to_numpy())[::-1][k - 1]
    assert from_file.cube.threshold == kth
    summary = from_file.to_dict()["summary"]
    assert summary["n_selected_target"] == k
    assert summary["n_selected"] == int((bank["nr.employed"] >= kth).sum()) >= k
    hand = (bank["nr.employed"] >= kth).groupby(bank["marital"]).mean()
    for level, rate in hand.items():
        assert (
            abs(group_row(from_file, "marital", level).metrics["selection_rate"].value - rate)
            < 1e-12
        )


# --- positive labels given as text -------------------------------------------------------


def _rates(result: AuditResult) -> list[Any]:
    return [
        (g.feature, g.group, g.metrics["tpr"].value, g.metrics["ppv"].value)
        for g in result.metrics.groups
    ]


def test_positive_label_yes_for_a_text_column() -> None:
    as_text = run_audit(BASE, **SPEC)
    as_int = run_audit(
        BASE.assign(y=(BASE["y"] == "yes").astype(int)), **{**SPEC, "positive_label": 1}
    )
    pd.testing.assert_frame_equal(as_text.cube.frame, as_int.cube.frame)


def test_positive_label_text_one_for_an_integer_column() -> None:
    df = BASE.assign(y=(BASE["y"] == "yes").astype(int))
    as_text = run_audit(df, **{**SPEC, "positive_label": "1"})
    as_int = run_audit(df, **{**SPEC, "positive_label": 1})
    pd.testing.assert_frame_equal(as_text.cube.frame, as_int.cube.frame)
    assert _rates(as_text) == _rates(as_int)
    assert int(as_text.cube.frame["tp"].sum() + as_text.cube.frame["fn"].sum()) == 6


@pytest.mark.parametrize("decision", ["int", "bool"])
@pytest.mark.parametrize("label", ["true", "True", "yes", True])
def test_positive_label_true_for_a_boolean_column(label: Any, decision: str) -> None:
    df = BASE.assign(y=BASE["y"] == "yes")
    if decision == "bool":
        df = df.assign(sel=df["sel"].astype(bool))
    as_text = run_audit(df, **{**SPEC, "positive_label": label})
    reference = run_audit(BASE, **SPEC)
    pd.testing.assert_frame_equal(as_text.cube.frame, reference.cube.frame)


def test_positive_label_of_the_wrong_kind_is_a_usage_error() -> None:
    df = BASE.assign(y=(BASE["y"] == "yes").astype(int))
    with pytest.raises(UsageError, match=r"'yes' is not a number; column 'y' holds integers"):
        run_audit(df, **SPEC)


# --- decisions from a score -----------------------------------------------------------------

SCORES = pd.DataFrame(
    {
        "g": list("abababab"),
        "y": [1, 0, 1, 1, 0, 0, 1, 0],
        "s": [0.9, 0.8, 0.8, 0.8, 0.5, 0.3, 0.3, 0.1],
    }
)


@pytest.mark.parametrize(
    ("kwargs", "threshold", "selected", "target"),
    [
        ({"threshold": 0.5}, 0.5, 5, None),
        ({"threshold": 0.85}, 0.85, 1, None),
        ({"top_k": 1}, 0.9, 1, 1),
        ({"top_k": 2}, 0.8, 4, 2),  # the 2nd score is tied with two more: all 3 selected
        ({"top_k": 0.25}, 0.8, 4, 2),  # ceil(0.25 x 8) = 2
        ({"top_k": 0.3}, 0.8, 4, 3),  # ceil(2.4) = 3
        ({"top_k": 5}, 0.5, 5, 5),
        ({"top_k": 0.75}, 0.3, 7, 6),  # 6th score 0.3 is tied with the 7th
        ({"top_k": 100}, 0.1, 8, 8),  # more than there are rows: everybody
    ],
)
def test_threshold_and_top_k_select_by_hand(
    kwargs: dict[str, float], threshold: float, selected: int, target: int | None
) -> None:
    hand = SCORES["s"] >= threshold
    for order in (SCORES, SCORES.sample(frac=1, random_state=3)):
        r = run_audit(order, y_true="y", score="s", sensitive_features="g", **kwargs)
        summary = r.to_dict(disclosure_control=False)["summary"]  # 8 rows: counts below k
        assert summary["selected_threshold"] == threshold
        assert summary["n_selected"] == selected == int(hand.sum())
        assert summary["n_selected_target"] == target
        for level in "ab":
            rows = SCORES["g"] == level
            expected = hand[rows].mean()
            assert group_row(r, "g", level).metrics["selection_rate"].value == expected
            positives = rows & (SCORES["y"] == 1)
            assert group_row(r, "g", level).metrics["tpr"].value == hand[positives].mean()


def test_missing_scores_are_excluded_and_top_k_counts_scored_rows() -> None:
    df = SCORES.assign(s=[0.9, 0.8, np.nan, 0.8, 0.5, 0.3, 0.3, 0.1])
    r = run_audit(df, y_true="y", score="s", top_k=0.7, sensitive_features="g")
    summary = r.to_dict(disclosure_control=False)["summary"]  # 8 rows: counts below k
    # 7 scored rows: k = ceil(0.7 x 7) = 5; the 5th highest is 0.3, tied with the 6th
    assert summary["n_excluded"] == 1 and summary["excluded_reasons"]["missing_decision"] == 1
    assert summary["n_selected_target"] == 5 and summary["selected_threshold"] == 0.3
    assert summary["n_selected"] == 6
    assert group_row(r, "g", "a").n == 3 and group_row(r, "g", "b").n == 4


# --- groups --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["u", None, "v", "u", "v", None]),
        pd.Series([1.0, np.nan, 2.0, 1.0, 2.0, np.nan]),
        pd.Series([1, None, 2, 1, 2, None], dtype="Int64"),
        pd.Series([True, None, False, True, False, None], dtype=object),
        pd.Categorical(["u", None, "v", "u", "v", None]),
    ],
    ids=["text", "float", "Int64", "bool-object", "categorical"],
)
def test_missing_values_form_the_group_missing(column: Any) -> None:
    df = pd.DataFrame({"g": column, "y": [1, 0, 1, 0, 1, 0], "p": [1, 1, 0, 1, 0, 0]})
    r = run_audit(df, y_true="y", y_pred="p", sensitive_features="g")
    missing = group_row(r, "g", "(missing)")
    assert missing.n == 2
    assert missing.metrics["selection_rate"].value == 0.5
    assert missing.metrics["share"].value == 2 / 6
    assert [g.group for g in groups_of(r, "g")][-1] == "(missing)"  # listed last
    assert "(missing)" in r.by_group.index


@pytest.mark.parametrize(
    ("values", "categories", "empty", "observed"),
    [
        (["lo", "hi", "hi", "lo"], ["lo", "mid", "hi"], "mid", ["lo", "hi"]),
        ([1, 3, 3, 1], [1, 2, 3], "2", ["1", "3"]),
        ([1.0, 3.0, 3.0, 1.0], [1.0, 2.0, 3.0], "2", ["1", "3"]),
        ([1.5, 3.0, 3.0, 1.5], [1.5, 2.5, 3.0], "2.5", ["1.5", "3"]),
    ],
    ids=["text", "int", "float", "float-fraction"],
)
def test_declared_levels_without_rows_are_listed_with_n_zero(
    values: list[Any], categories: list[Any], empty: str, observed: list[str]
) -> None:
    df = pd.DataFrame(
        {"g": pd.Categorical(values, categories=categories), "y": [1, 0, 1, 0], "p": [1, 0, 0, 1]}
    )
    r = run_audit(df, y_true="y", y_pred="p", sensitive_features="g")
    listed = [(g.group, g.n) for g in groups_of(r, "g")]
    # declared order is kept; the empty level is listed once, with n = 0, and no other
    # spelling of a level (such as "1.0" next to "1") appears
    expected_order = [str(c) if not isinstance(c, float) else f"{c:g}" for c in categories]
    assert [name for name, _ in listed] == expected_order
    assert dict(listed)[empty] == 0
    assert all(dict(listed)[level] == 2 for level in observed)
    row = group_row(r, "g", empty)
    assert row.metrics["selection_rate"].value is None
    assert row.metrics["selection_rate"].reason == "empty_group"
    assert all(d.group != empty and d.reference != empty for d in r.metrics.disparities)


def test_boolean_categorical_equals_boolean_column() -> None:
    flags = [True, False, True, True, False, False]
    base = pd.DataFrame({"y": [1, 0, 1, 0, 1, 0], "p": [1, 1, 0, 1, 0, 0]})
    plain = run_audit(base.assign(g=flags), y_true="y", y_pred="p", sensitive_features="g")
    categorical = run_audit(
        base.assign(g=pd.Categorical(flags)), y_true="y", y_pred="p", sensitive_features="g"
    )
    assert [(g.group, g.n) for g in groups_of(categorical, "g")] == [("false", 3), ("true", 3)]
    assert _comparable(plain) == _comparable(categorical)


# --- weights ---------------------------------------------------------------------------------


def test_a_group_whose_weights_are_all_zero_is_undefined_not_an_error() -> None:
    """a: w 1,1 ; b: w 0,0 ; c: w 1,1 (a and c hold all the weight).

    b has rows but no weight: its rates are 0/0, undefined (``empty_group``), so are its
    comparisons and every spread over the feature; a and c compare normally:
    sr(a) = 1/2, sr(c) = 0/2, DI(c vs a) = 0, SPD = -0.5. (scikit-learn refuses all-zero
    weights outright, so fairlearn has no value to compare with.)
    """
    df = pd.DataFrame(
        {
            "g": list("aabbcc"),
            "y": [1, 0, 1, 0, 1, 0],
            "p": [1, 0, 1, 1, 0, 0],
            "w": [1.0, 1.0, 0.0, 0.0, 1.0, 1.0],
        }
    )
    r = run_audit(
        df,
        y_true="y",
        y_pred="p",
        sensitive_features="g",
        sample_weight="w",
        reference_groups={"g": "a"},
    )
    b = group_row(r, "g", "b")
    assert b.n == 2 and b.n_weighted == 0.0
    assert b.metrics["selection_rate"].value is None
    assert b.metrics["selection_rate"].reason == "empty_group"
    di_b = disparity(r, "disparate_impact", "g", "b")
    assert di_b.value is None and di_b.reason == "empty_group"
    dpd = disparity(r, "demographic_parity_difference", "g")
    assert dpd.value is None and dpd.reason == "empty_group"
    assert disparity(r, "disparate_impact", "g", "c").value == 0.0
    assert disparity(r, "statistical_parity_difference", "g", "c").value == -0.5
    findings = {(f.rule_id, f.group): f.verdict for f in r.outcome.findings}
    assert findings[("four-fifths-rule", "b")] == "insufficient_evidence"
    assert findings[("four-fifths-rule", "c")] == "fail"
    assert r.verdict == "fail"


# --- bad inputs ------------------------------------------------------------------------------

GOOD = pd.DataFrame({"g": list("aabb"), "y": [1, 0, 1, 0], "p": [1, 1, 0, 0], "w": [1.0] * 4})
ARGS: dict[str, Any] = {"y_true": "y", "y_pred": "p", "sensitive_features": "g"}


def _bad_inputs(tmp: Path) -> list[tuple[str, Any, dict[str, Any], type[FairmarkError], str]]:
    (tmp / "header_only.csv").write_text("g,y,p\n")
    (tmp / "garbage.parquet").write_bytes(b"this is not parquet")
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "table.xlsx").write_bytes(b"PK\x03\x04")
    (tmp / "no_parquet_here").mkdir()
    return [
        (
            "missing column",
            GOOD,
            {**ARGS, "y_true": "outcome"},
            DataError,
            "column 'outcome' not found; available columns: g, y, p, w",
        ),
        (
            "non-binary labels",
            GOOD.assign(y=[0, 1, 2, 1]),
            ARGS,
            DataError,
            "y_true column 'y' is not binary: values found 0, 1, 2",
        ),
        (
            "non-binary decision",
            GOOD.assign(p=[0, 1, 2, 1]),
            ARGS,
            DataError,
            "y_pred column 'p' is not binary: values found 0, 1, 2",
        ),
        (
            "unknown positive label",
            GOOD,
            {**ARGS, "positive_label": 5},
            DataError,
            "positive label 5 does not occur in y_true column 'y'; values found: 0, 1",
        ),
        (
            "unknown text label",
            GOOD.assign(y=["yes", "no"] * 2),
            {**ARGS, "positive_label": "oui"},
            DataError,
            "positive label 'oui' does not occur in y_true column 'y'; values found: 'no', 'yes'",
        ),
        ("empty data", GOOD.iloc[:0], ARGS, DataError, "has no rows"),
        ("header-only csv", str(tmp / "header_only.csv"), ARGS, DataError, "has no rows"),
        (
            "single group",
            GOOD.assign(g="a"),
            ARGS,
            DataError,
            "sensitive feature 'g' has a single group ('a')",
        ),
        (
            "too many groups",
            GOOD.assign(g=list("abcd")),
            {**ARGS, "max_groups": 3},
            DataError,
            "sensitive feature 'g' has 4 levels, more than max_groups=3",
        ),
        ("no such file", str(tmp / "nope.csv"), ARGS, DataError, "no such file"),
        ("corrupt parquet", str(tmp / "garbage.parquet"), ARGS, DataError, "as parquet"),
        ("empty file", str(tmp / "empty.csv"), ARGS, DataError, "the file is empty"),
        (
            "unknown file type",
            str(tmp / "table.xlsx"),
            ARGS,
            DataError,
            "unknown file type '.xlsx'",
        ),
        (
            "folder without parquet",
            str(tmp / "no_parquet_here"),
            ARGS,
            DataError,
            "a folder must hold *.parquet files",
        ),
        (
            "glob matching nothing",
            str(tmp / "*.parquet.nothing"),
            ARGS,
            DataError,
            "no file matches",
        ),
        (
            "negative weights",
            GOOD.assign(w=[1.0, -0.5, 1.0, 1.0]),
            {**ARGS, "sample_weight": "w"},
            DataError,
            "sample_weight column 'w' has negative weights; expected weights >= 0",
        ),
        (
            "missing weights",
            GOOD.assign(w=[1.0, np.nan, 1.0, 1.0]),
            {**ARGS, "sample_weight": "w"},
            DataError,
            "sample_weight column 'w' has 1 missing values",
        ),
        (
            "zero weights",
            GOOD.assign(w=0.0),
            {**ARGS, "sample_weight": "w"},
            DataError,
            "sample_weight column 'w' sums to zero",
        ),
        (
            "score without cut-off",
            GOOD,
            {**ARGS, "y_pred": None, "score": "w"},
            UsageError,
            "score column 'w' needs exactly one of threshold or top_k",
        ),
        (
            "text score",
            GOOD.assign(t=list("uvuv")),
            {**ARGS, "y_pred": None, "score": "t", "threshold": 0.5},
            DataError,
            "score column 't' has type string; expected numbers",
        ),
        ("unsupported data type", [[1, 0, "a"]], ARGS, UsageError, "cannot audit a list"),
        (
            "unknown reference group",
            GOOD,
            {**ARGS, "reference_groups": {"g": "z"}},
            UsageError,
            "reference group 'z' not found in feature 'g'",
        ),
    ]


def test_bad_inputs_raise_one_line_fairmark_errors(tmp_path: Path) -> None:
    for name, data, kwargs, error, fragment in _bad_inputs(tmp_path):
        with pytest.raises(FairmarkError) as info:
            run_audit(data, **kwargs)
        assert type(info.value) is error, (name, info.value)
        message = str(info.value)
        assert "\n" not in message and message.strip() == message, name
        assert fragment in message, (name, message)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without read permission")
def test_unreadable_file_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.csv"
    BASE.to_csv(path, index=False)
    path.chmod(0)
    with pytest.raises(DataError, match="permission denied"):
        run_audit(str(path), **SPEC)


def test_a_weighted_number_from_a_semicolon_csv_by_hand(tmp_path: Path) -> None:
    # one concrete number, to be sure the cube comparisons above compared real audits
    path = _write_inputs(tmp_path)["csv_semicolon"]
    r = run_audit(path, **SPEC, reference_groups={"segment": "north"})
    sel, w = BASE["sel"] == 1, BASE["w"]
    north, south = BASE["segment"] == "north", BASE["segment"] == "south"
    sr_north = (w * sel)[north].sum() / w[north].sum()  # (0.5 + 2 + 1) / 4 = 0.875
    sr_south = (w * sel)[south].sum() / w[south].sum()  # 1 / 3.5
    spd = disparity(r, "statistical_parity_difference", "segment", "south")
    assert spd.reference == "north"
    assert abs(spd.value - (sr_south - sr_north)) < 1e-12
    assert abs(spd.value - (1 / 3.5 - 0.875)) < 1e-12


def test_all_missing_object_column_is_text_not_a_crash():
    import pandas as pd

    import fairmark
    from fairmark.errors import DataError

    df = pd.DataFrame({"y": [1, 0] * 30, "p": [1, 1, 0] * 20, "g": ["a", "b", "c"] * 20})
    df["empty"] = [None] * 60
    result = fairmark.audit(df, y_true="y", y_pred="p", sensitive_features="g", min_group_size=1)
    assert result.by_group["count"].tolist() == [20, 20, 20]
    with pytest.raises(DataError, match=r"single group \('\(missing\)'\)"):
        fairmark.audit(df, y_true="y", y_pred="p", sensitive_features="empty")


def test_missing_column_in_a_headerless_file_suggests_the_header(tmp_path):
    import fairmark
    from fairmark.errors import DataError

    path = tmp_path / "no_header.csv"
    path.write_text("39,a,1\n50,b,0\n41,a,1\n")
    with pytest.raises(DataError, match="does the file lack a header row"):
        fairmark.audit(path, y_true="y", y_pred="p", sensitive_features="g")
