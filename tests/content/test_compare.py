"""Persona comparison: offer extraction, Flesch-Kincaid, Holm, and flagged groups."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from scipy import stats

from fairmark.content.compare import (
    _holm,
    compare_personas,
    flesch_kincaid_grade,
    text_features,
)
from fairmark.errors import DataError, UsageError


def test_offer_terms():
    f = text_features("Save 20% today, or 35% off for members! Now $1,249.99, was €30 "
                      "(30 EUR). Free shipping.", scan=False)
    assert f.discount_pct == 35.0
    assert f.min_price == 30.0
    assert f.free_shipping
    g = text_features("Our 2024 report: 95% of users agree. Delivery is not free.", scan=False)
    assert g.discount_pct == 0.0 and g.min_price is None and not g.free_shipping


def test_flesch_kincaid_hand_computed():
    # 2 sentences, 8 words; pyphen syllables: the(1) cat(1) sat(1) down(1) / it(1) was(1)
    # hap-py(2) to-day(2) → 10 syllables: 0.39·4 + 11.8·10/8 − 15.59 = 0.72
    assert flesch_kincaid_grade("The cat sat down. It was happy today.") == pytest.approx(
        0.39 * 4 + 11.8 * 10 / 8 - 15.59
    )
    assert flesch_kincaid_grade("123 !!!") is None


def test_sentiment_is_vader_compound():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    text = "We love our customers and this great deal!"
    expected = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert text_features(text, scan=False).sentiment == expected > 0.5


def test_holm_matches_the_definition():
    p = [0.01, 0.04, 0.03, None, 0.005]
    # sorted: 0.005·4=0.02, 0.01·3=0.03, 0.03·2=0.06, 0.04·1=0.04 → monotone 0.06
    out = _holm(p)
    assert out[3] is None
    assert out[0] == pytest.approx(0.03) and out[4] == pytest.approx(0.02)
    assert out[1] == pytest.approx(0.06) and out[2] == pytest.approx(0.06)


def _frame() -> pd.DataFrame:
    rows = []
    for i in range(25):
        rows.append({"persona": "under_30", "copy": f"Get {25 + i % 5}% off now, from ${40 + i}."})
        rows.append({"persona": "over_60", "copy": f"Enjoy {10 + i % 5}% off, from ${40 + i}."})
        rows.append({"persona": "30_to_60", "copy": f"Take {24 + i % 5}% off, from ${40 + i}."})
    return pd.DataFrame(rows)


def test_flags_group_with_smaller_discounts():
    r = compare_personas(_frame(), text="copy", group="persona", scan=False)
    assert r.n_texts == 75 and [g.group for g in r.groups] == ["30_to_60", "over_60", "under_30"]
    means = {g.group: g.means["discount_pct"] for g in r.groups}
    assert means == {"30_to_60": 26.0, "over_60": 12.0, "under_30": 27.0}
    flagged = {(c.group, c.feature) for c in r.flagged}
    assert ("over_60", "discount_pct") in flagged
    older = next(c for c in r.comparisons if c.group == "over_60" and c.feature == "discount_pct")
    rest = [24 + i % 5 for i in range(25)] + [25 + i % 5 for i in range(25)]
    mine = [10 + i % 5 for i in range(25)]
    assert older.p_value == pytest.approx(stats.ttest_ind(mine, rest, equal_var=False).pvalue)
    assert older.difference == pytest.approx(12.0 - 26.5)
    # price is the same for every group: not flagged
    assert not any(c.feature == "min_price" for c in r.flagged)
    doc = r.to_dict()
    assert doc["kind"] == "persona_comparison" and json.dumps(doc, allow_nan=False)


def test_under_30_gap_is_below_threshold_only_when_small():
    # 27 vs the pooled rest (26 and 12) = 19: 8 points ≥ 5 → flagged in fact
    r = compare_personas(_frame(), text="copy", group="persona", scan=False)
    c = next(c for c in r.comparisons if c.group == "under_30" and c.feature == "discount_pct")
    assert c.difference == pytest.approx(27.0 - 19.0) and c.flagged


def test_no_difference_no_flag():
    rows = [{"g": g, "t": f"Save {10 + i % 3}% today on item {i}."}
            for g in ("a", "b") for i in range(20)]
    r = compare_personas(pd.DataFrame(rows), text="t", group="g", scan=False)
    assert r.flagged == ()


def test_scanner_findings_are_counted(monkeypatch):
    import fairmark.content as content
    from fairmark.content.finding import ContentFinding

    def fake_scan(text, **_):
        n = text.count("Hurry")
        return [ContentFinding("dark_patterns.x", "urgency", "warn", 0, 1, "H", "m", "s")] * n

    monkeypatch.setattr(content, "scan", fake_scan)
    rows = [{"g": "a", "t": "Hurry! Hurry! Only today."} for _ in range(10)]
    rows += [{"g": "b", "t": "A calm offer for you."} for _ in range(9)] + [
        {"g": "b", "t": "Hurry, please."}]
    r = compare_personas(pd.DataFrame(rows), text="t", group="g", scan=True)
    c = next(c for c in r.comparisons if c.group == "a" and c.feature == "n_findings")
    assert (c.mean_group, c.mean_rest, c.test) == (2.0, 0.1, "mann_whitney_u")
    assert c.flagged


def test_bad_input(tmp_path):
    frame = _frame()
    with pytest.raises(DataError, match="column 'text' not found"):
        compare_personas(frame, text="text", group="persona", scan=False)
    with pytest.raises(DataError, match="one group only"):
        compare_personas(frame.assign(persona="x"), text="copy", group="persona", scan=False)
    with pytest.raises(DataError, match="no text"):
        compare_personas(frame.assign(copy=""), text="copy", group="persona", scan=False)
    with pytest.raises(UsageError, match="alpha"):
        compare_personas(frame, text="copy", group="persona", alpha=1.5, scan=False)


def test_reads_a_csv_file(tmp_path):
    path = tmp_path / "copy.csv"
    _frame().to_csv(path, index=False)
    r = compare_personas(str(path), text="copy", group="persona", scan=False)
    assert r.n_texts == 75
