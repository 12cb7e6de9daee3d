""" "Why am I seeing this offer?" on the Bank Marketing demo model: customer words only."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fairmark.datasets import fetch_bank_marketing
from fairmark.demo_model import CallList, build_call_list
from fairmark.explain import bounded_sample, explain_decision, load_labels

RAW_CODES = ("poutcome_", "nr.employed", "emp.var.rate", "cons.", "euribor3m", "_unknown")


@pytest.fixture(scope="module")
def calls(bank_csv: Path) -> CallList:
    return build_call_list(fetch_bank_marketing(bank_csv.parents[2], download_if_missing=False))


@pytest.fixture(scope="module")
def background(calls: CallList) -> pd.DataFrame:
    return bounded_sample(calls.scored, max_rows=500, random_state=0)


def _no_codes(text: str, features: tuple[str, ...]) -> None:
    for code in RAW_CODES:
        assert code not in text, (code, text)
    for feature in features:  # no column name with a code-like spelling either
        if re.search(r"[._]", feature):
            assert feature not in text, (feature, text)


def test_explanations_use_customer_words(calls: CallList, background: pd.DataFrame) -> None:
    labels = load_labels("bank_marketing")
    picked = list(range(0, 40)) + list(np.flatnonzero(calls.scored["selected"].to_numpy())[:20])
    for i in picked:
        row = calls.scored.iloc[[i]]
        offered = bool(row["selected"].iloc[0])
        exp = explain_decision(
            calls.model,
            row,
            background=background,
            feature_labels="bank_marketing",
            offered=offered,
        )
        _no_codes(exp.text, calls.feature_names)
        top = exp.drivers[0]
        # the top driver is named in the words of the label file
        assert top.phrase in exp.text
        label = labels.features[top.feature]
        assert top.phrase in {*label.values.values(), label.low, label.high, label.typical}
        assert exp.text.startswith("You were offered this" if offered else "You were not offered")
        # additivity of the document's numbers (log-odds of "yes")
        total = exp.base_value + sum(d.contribution for d in exp.contributions)
        assert total == pytest.approx(exp.prediction, abs=1e-9)
        p = calls.model.predict_proba(row[list(calls.feature_names)])[0, 1]
        assert exp.prediction == pytest.approx(np.log(p / (1 - p)), abs=1e-9)


def test_every_feature_in_words(calls: CallList, background: pd.DataFrame) -> None:
    exp = explain_decision(
        calls.model, calls.scored.iloc[[7]], background=background,
        feature_labels="bank_marketing", top=len(calls.feature_names),
    )  # fmt: skip
    _no_codes(exp.text, calls.feature_names)
    assert {d.feature for d in exp.contributions} == set(calls.feature_names)
    shown = {d.feature for d in exp.drivers}
    if "age" in shown:  # sensitive attributes appear honestly, flagged, in neutral words
        assert "your age" in exp.text and "we tell you because" in exp.text
    assert [d.sensitive for d in exp.contributions if d.feature in ("age", "marital")] == [
        True,
        True,
    ]
