"""Feature labels: shipped Bank Marketing words, fallbacks, and malformed label files."""

from __future__ import annotations

from pathlib import Path

import pytest

from fairmark.datasets.bank_marketing import BANK_CATEGORICAL_COLUMNS, BANK_COLUMNS
from fairmark.errors import UsageError
from fairmark.explain import humanise, load_labels

# every category value of bank-additional-full.csv (UCI bank-additional-names.txt)
BANK_VALUES = {
    "job": ["admin.", "blue-collar", "entrepreneur", "housemaid", "management", "retired",
            "self-employed", "services", "student", "technician", "unemployed", "unknown"],
    "marital": ["divorced", "married", "single", "unknown"],
    "education": ["basic.4y", "basic.6y", "basic.9y", "high.school", "illiterate",
                  "professional.course", "university.degree", "unknown"],
    "default": ["no", "yes", "unknown"],
    "housing": ["no", "yes", "unknown"],
    "loan": ["no", "yes", "unknown"],
    "contact": ["cellular", "telephone"],
    "month": ["mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    "day_of_week": ["mon", "tue", "wed", "thu", "fri"],
    "poutcome": ["failure", "nonexistent", "success"],
}  # fmt: skip
RAW_CODES = ("poutcome_", "nr.employed", "emp.var.rate", "cons.", "euribor3m", "_unknown")


def test_shipped_bank_labels_cover_every_column_and_value() -> None:
    labels = load_labels("bank_marketing")
    assert set(BANK_COLUMNS) - {"y"} <= set(labels.features)
    for column in BANK_CATEGORICAL_COLUMNS:
        if column == "y":
            continue
        for value in BANK_VALUES[column]:
            phrase = labels.phrase(column, value)
            assert value in labels.features[column].values, (column, value)
            assert phrase.text == labels.features[column].values[value] and phrase.is_clause
            if any(ch in value for ch in "._"):  # a code, not a word
                assert value not in phrase.text, (column, value, phrase)
    assert labels.phrase("poutcome", "success").text == "you responded to an earlier campaign"
    assert labels.name("euribor3m") == "interest rates at the time"
    assert labels.phrase("euribor3m", 1.2, "low").text == "interest rates were low at the time"
    assert labels.phrase("pdays", 999, "high").text.startswith("we had not contacted you")
    assert labels.is_sensitive("age") and labels.is_sensitive("marital")
    every_text = [
        t
        for f in labels.features.values()
        for t in [f.name or "", f.low or "", f.high or "", f.typical or "", *f.values.values()]
    ]
    for text in every_text:
        assert not any(code in text for code in RAW_CODES), text


def test_fallback_words_never_show_raw_codes() -> None:
    labels = load_labels(None)
    assert humanise("nr.employed") == "nr employed"
    assert humanise("day_of_week") == "day of week"
    assert humanise("householdIncome") == "household income"
    assert humanise("euribor3m") == "euribor 3m"
    assert humanise("unknown") == "not known"
    phrase = labels.phrase("poutcome", "unknown")
    assert phrase.text == "poutcome: not known" and not phrase.is_clause
    assert labels.phrase("cust_seg_code", "gold_tier").text == "cust seg code: gold tier"
    assert labels.phrase("emp.var.rate", 1.1, "high").text == "emp var rate was higher than usual"
    assert labels.phrase("emp.var.rate", None).text == "emp var rate (not recorded)"
    for text in (labels.phrase("nr.employed", 5000.0, None).text, labels.name("poutcome_success")):
        assert not any(code in text for code in RAW_CODES)


def test_label_files(tmp_path: Path) -> None:
    good = tmp_path / "labels.yaml"
    good.write_text(
        "features:\n  flag:\n    name: the flag\n    values:\n      yes: you have the flag\n"
        "      2: two\n",
        "utf-8",
    )
    labels = load_labels(good)
    assert labels.phrase("flag", "yes").text == "you have the flag"  # YAML 1.1 `yes` key
    assert labels.phrase("flag", 2).text == "two"
    assert load_labels({"features": {"a": {"name": "A"}}}).name("a") == "A"
    bad = tmp_path / "bad.yaml"
    bad.write_text("features:\n  flag:\n    colour: red\n", "utf-8")
    with pytest.raises(UsageError, match=r"flag\.colour"):
        load_labels(bad)
    with pytest.raises(UsageError, match="not found"):
        load_labels(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- a\n", "utf-8")
    with pytest.raises(UsageError, match="must be a mapping"):
        load_labels(tmp_path / "list.yaml")
    (tmp_path / "broken.yaml").write_text("features: [\n", "utf-8")
    with pytest.raises(UsageError, match="not valid YAML"):
        load_labels(tmp_path / "broken.yaml")
