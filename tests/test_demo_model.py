"""fairmark.demo_model: time-ordered propensity model and top-fraction call list."""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu
from sklearn.exceptions import ConvergenceWarning

from fairmark.datasets import fetch_bank_marketing
from fairmark.demo_model import (
    AGE_BANDS,
    CallList,
    age_band,
    build_call_list,
    make_propensity_model,
    select_top,
)
from fairmark.errors import DataError, UsageError

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
N_ROWS, N_TRAIN, N_TEST = 41_188, 32_950, 8_238  # floor(0.8 · 41188) = 32950
N_SELECTED = 1_648  # ceil(0.2 · 8238) = ceil(1647.6)


@pytest.fixture(scope="module")
def bank() -> pd.DataFrame:
    csv = SHARED_DATA / "uci-bank-marketing" / "bank-additional" / "bank-additional-full.csv"
    if not csv.is_file():
        message = f"shared data not found: {csv}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so the data must be present)")
        pytest.skip(message)
    return fetch_bank_marketing(SHARED_DATA, download_if_missing=False)


@pytest.fixture(scope="module")
def calls(bank: pd.DataFrame) -> CallList:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return build_call_list(bank)


def _hand_band(age: float) -> str:
    if age < 25:
        return "<25"
    if age < 35:
        return "25-34"
    if age < 45:
        return "35-44"
    if age < 55:
        return "45-54"
    if age < 65:
        return "55-64"
    return "65+"


# --- features and split -------------------------------------------------------------------


def test_duration_is_not_a_feature_but_age_and_marital_are(calls: CallList) -> None:
    assert "duration" not in calls.feature_names and "y" not in calls.feature_names
    assert "age" in calls.feature_names and "marital" in calls.feature_names
    assert list(calls.model.feature_names_in_) == list(calls.feature_names)
    encoded = calls.model[:-1].get_feature_names_out()
    assert not any("duration" in name for name in encoded)
    assert len(calls.feature_names) == 19  # 21 columns minus duration and y


def test_train_rows_strictly_precede_test_rows(calls: CallList, bank: pd.DataFrame) -> None:
    assert (calls.n_train, calls.n_test) == (N_TRAIN, N_TEST)
    assert list(calls.scored.index) == list(range(N_TRAIN, N_ROWS))
    # Refit independently on exactly the first N_TRAIN rows: same scores, so the model
    # saw those rows and no later (or shuffled) ones.
    features = list(calls.feature_names)
    ref = make_propensity_model(0).fit(bank[features].iloc[:N_TRAIN], bank["y"].iloc[:N_TRAIN])
    expected = ref.predict_proba(bank[features].iloc[N_TRAIN:])[:, list(ref.classes_).index("yes")]
    np.testing.assert_allclose(calls.scored["score"].to_numpy(), expected, rtol=1e-10)


def test_scored_columns(calls: CallList, bank: pd.DataFrame) -> None:
    expected = [c for c in bank.columns if c != "duration"] + ["score", "selected", "age_band"]
    assert list(calls.scored.columns) == expected
    assert calls.scored["score"].dtype == np.float64
    assert calls.scored["score"].between(0, 1).all()
    assert calls.scored["selected"].dtype == bool
    assert set(calls.scored["y"].unique()) == {"yes", "no"}
    pd.testing.assert_frame_equal(
        calls.scored[[c for c in bank.columns if c != "duration"]],
        bank.iloc[N_TRAIN:].drop(columns="duration"),
    )


# --- selection ------------------------------------------------------------------------------


def test_exactly_ceil_top_fraction_selected(calls: CallList) -> None:
    assert int(calls.scored["selected"].sum()) == N_SELECTED == math.ceil(0.2 * N_TEST)


def test_selected_rows_have_the_highest_scores(calls: CallList) -> None:
    s = calls.scored
    chosen, rest = s.loc[s["selected"], "score"], s.loc[~s["selected"], "score"]
    assert chosen.min() >= rest.max()
    assert calls.threshold == chosen.min()
    # independent ranking with Python's sort: score descending, then position ascending
    scores = s["score"].tolist()
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:N_SELECTED]
    assert sorted(ranked) == list(np.flatnonzero(s["selected"].to_numpy()))


def _tie_frame(bank: pd.DataFrame) -> pd.DataFrame:
    """40 training rows (20 yes, 20 no) then 10 held-out rows: copies of two calls, A and B."""
    yes = bank[bank["y"] == "yes"].head(21)
    no = bank[bank["y"] == "no"].head(21)
    a, b = yes.iloc[[20]], no.iloc[[20]]
    yes, no = yes.head(20), no.head(20)
    held = [a, b, a, b, a, b, a, b, a, b]
    frame = pd.concat([yes, no, *held], ignore_index=True)
    frame.loc[40:, "y"] = ["yes", "no"] * 5
    return frame


def test_select_top_breaks_exact_ties_by_earlier_position() -> None:
    scores = np.array([0.5, 0.9, 0.7, 0.9, 0.1, 0.9, 0.7, 0.9])
    # k = ceil(0.25 · 8) = 2: two of the four 0.9s, the earliest ones (positions 1, 3)
    assert list(np.flatnonzero(select_top(scores, 0.25))) == [1, 3]
    # k = ceil(0.3 · 8) = ceil(2.4) = 3
    assert list(np.flatnonzero(select_top(scores, 0.3))) == [1, 3, 5]
    # k = ceil(0.6 · 8) = ceil(4.8) = 5: all 0.9s, then the earlier 0.7
    assert list(np.flatnonzero(select_top(scores, 0.6))) == [1, 2, 3, 5, 7]
    assert select_top(scores, 1.0).all()


def test_select_top_uses_decimal_products() -> None:
    assert math.ceil(0.07 * 100) == 8  # binary floating point: 7.000000000000001
    assert int(select_top(np.arange(100.0), 0.07).sum()) == 7
    assert int(select_top(np.arange(100.0), 0.55).sum()) == 55  # float: 55.00000000000001
    assert int(select_top(np.arange(10.0), 0.3).sum()) == 3
    assert int(select_top(np.arange(1000.0), 0.2).sum()) == 200
    assert int(select_top(np.arange(7.0), 0.2).sum()) == 2  # ceil(1.4)
    assert int(select_top(np.arange(1.0), 0.01).sum()) == 1  # ceil(0.01)


def test_select_top_matches_python_sorting_on_random_ties() -> None:
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 60))
        scores = rng.integers(0, 5, size=n).astype(float) / 4  # many exact ties
        fraction = float(rng.choice([0.1, 0.2, 0.25, 0.5, 0.9, 1.0]))
        k = math.ceil(round(fraction * n, 9))
        ranked = sorted(range(n), key=lambda i: (-scores[i], i))[:k]
        assert sorted(ranked) == list(np.flatnonzero(select_top(scores, fraction)))


@pytest.mark.parametrize(
    ("scores", "fraction", "error"),
    [
        (np.array([0.1, np.nan]), 0.5, DataError),
        (np.array([]), 0.5, DataError),
        (np.ones((2, 2)), 0.5, DataError),
        (np.array([0.1, 0.2]), 0.0, UsageError),
    ],
)
def test_select_top_rejects_bad_input(
    scores: np.ndarray, fraction: float, error: type[Exception]
) -> None:
    with pytest.raises(error):
        select_top(scores, fraction)


def test_call_list_tie_at_the_cut_goes_to_earlier_rows(bank: pd.DataFrame) -> None:
    frame = _tie_frame(bank)
    result = build_call_list(frame, train_fraction=0.8, top_fraction=0.3)
    scores = result.scored["score"].to_numpy()
    assert (result.n_train, result.n_test) == (40, 10)
    # k = ceil(0.3 · 10) = 3
    assert int(result.scored["selected"].sum()) == 3
    high_positions = np.flatnonzero(scores == scores.max())
    assert len(high_positions) == 5  # the five copies of call A tie, across the cut
    assert list(np.flatnonzero(result.scored["selected"].to_numpy())) == list(high_positions[:3])
    assert result.threshold == scores.max()


def test_top_fraction_one_selects_everyone(bank: pd.DataFrame) -> None:
    result = build_call_list(_tie_frame(bank), top_fraction=1.0)
    assert result.scored["selected"].all()
    assert result.threshold == result.scored["score"].min()


# --- quality and determinism -------------------------------------------------------------


def test_held_out_auc_is_sound_and_matches_mann_whitney(calls: CallList) -> None:
    print(f"held-out ROC AUC = {calls.roc_auc:.4f}")
    assert 0.70 < calls.roc_auc < 0.95
    s = calls.scored
    pos, neg = s.loc[s["y"] == "yes", "score"], s.loc[s["y"] == "no", "score"]
    u = mannwhitneyu(pos, neg, alternative="two-sided").statistic
    assert calls.roc_auc == pytest.approx(u / (len(pos) * len(neg)), abs=1e-12)


def test_deterministic(calls: CallList, bank: pd.DataFrame) -> None:
    again = build_call_list(bank, random_state=0)
    pd.testing.assert_frame_equal(again.scored, calls.scored)
    assert again.roc_auc == calls.roc_auc


# --- age bands ------------------------------------------------------------------------------


def test_age_band_boundaries() -> None:
    ages = pd.Series([0, 17, 24, 24.9, 25, 34, 35, 44, 45, 54, 55, 64, 64.9, 65, 98])
    expected = [
        "<25", "<25", "<25", "<25", "25-34", "25-34", "35-44", "35-44", "45-54", "45-54",
        "55-64", "55-64", "55-64", "65+", "65+",
    ]  # fmt: skip
    result = age_band(ages)
    assert result.tolist() == expected
    assert isinstance(result.dtype, pd.StringDtype) and result.name == "age_band"


def test_scored_age_bands_match_hand_rule(calls: CallList) -> None:
    s = calls.scored
    assert s["age_band"].tolist() == [_hand_band(a) for a in s["age"]]
    assert set(s["age_band"]) == set(AGE_BANDS)


@pytest.mark.parametrize(
    ("ages", "match"),
    [
        (pd.Series([30, None], dtype="Float64"), "missing"),
        (pd.Series(["30", "40"]), "numeric"),
        (pd.Series([30, -1]), "negative"),
        (pd.Series([True, False]), "numeric"),
    ],
)
def test_age_band_rejects_bad_input(ages: pd.Series, match: str) -> None:
    with pytest.raises(DataError, match=match):
        age_band(ages)


# --- input validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"train_fraction": 0}, "train_fraction"),
        ({"train_fraction": 1.0}, "train_fraction"),
        ({"train_fraction": "0.8"}, "train_fraction"),
        ({"top_fraction": 0}, "top_fraction"),
        ({"top_fraction": 1.5}, "top_fraction"),
        ({"top_fraction": True}, "top_fraction"),
        ({"random_state": 1.5}, "random_state"),
    ],
)
def test_bad_parameters_raise_usage_error(
    bank: pd.DataFrame, kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(UsageError, match=match):
        build_call_list(bank.head(50), **kwargs)  # type: ignore[arg-type]


def test_not_a_dataframe() -> None:
    with pytest.raises(UsageError, match="DataFrame"):
        build_call_list([[1, 2]])  # type: ignore[arg-type]


def test_missing_column(bank: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="marital"):
        build_call_list(bank.drop(columns="marital"))


def test_bad_target_values(bank: pd.DataFrame) -> None:
    frame = _tie_frame(bank)
    frame.loc[3, "y"] = "maybe"
    with pytest.raises(DataError, match="'maybe'"):
        build_call_list(frame)


def test_missing_feature_values(bank: pd.DataFrame) -> None:
    frame = _tie_frame(bank)
    frame["job"] = frame["job"].astype(object)
    frame.loc[3, "job"] = None
    with pytest.raises(DataError, match="job"):
        build_call_list(frame)


def test_one_class_in_held_out_part(bank: pd.DataFrame) -> None:
    frame = _tie_frame(bank)
    frame.loc[40:, "y"] = "no"
    with pytest.raises(DataError, match="held-out rows have 0 'yes'"):
        build_call_list(frame)


def test_too_few_rows_for_a_split(bank: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="at least one of each"):
        build_call_list(bank.head(1))
