"""Gender-coded wording: the Gender Decoder's published test cases, hand-counted ads,
word-sense exceptions, offsets, the analyzer's scope and the shipped word lists."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fairmark.content.checks import gender_coded as check
from fairmark.content.context import ScanContext
from fairmark.content.gender_coded import (
    PHRASE_EXCEPTIONS,
    WORD_EXCEPTIONS,
    coding_verdict,
    gender_balance,
    gender_coded_findings,
    word_lists,
)
from fairmark.errors import UsageError

# The cases of gender-decoder's tests.py (lovedaybrooke/gender-decoder): text, masculine
# words, feminine words, verdict.
UPSTREAM = [
    ("Ambition:competition–decisiveness, empathy&kindness",
     ["ambition", "competition", "decisiveness"], ["empathy", "kindness"], "masculine-coded"),
    ("empathy irrelevant words kindness", [], ["empathy", "kindness"], "feminine-coded"),
    ("irrelevant words", [], [], "empty"),
    ("sharing versus aggression", ["aggression"], ["sharing"], "neutral"),
    ("Ambition:competition–decisiveness&leadership, other words",
     ["ambition", "competition", "decisiveness", "leadership"], [], "strongly masculine-coded"),
    ("Ambition:competition–decisiveness&leadership, decisiveness, stubborness, sharing and "
     "empathy",
     ["ambition", "competition", "decisiveness", "leadership", "decisiveness", "stubborness"],
     ["sharing", "empathy"], "strongly masculine-coded"),
    ("Ambition:competition, empathy&kindness, co-operation",
     ["ambition", "competition"], ["empathy", "kindness", "co-operation"], "feminine-coded"),
    ("empathy&kindness, co-operation, trust and other words",
     [], ["empathy", "kindness", "co-operation", "trust"], "strongly feminine-coded"),
    ("Ambition:competition, empathy&kindness and responsibility, co-operation, honesty, "
     "trust and other words",
     ["ambition", "competition"],
     ["empathy", "kindness", "responsibility", "co-operation", "honesty", "trust"],
     "strongly feminine-coded"),
    # test_process_ad: 'aggresive' (misspelt) is not coded; 'leader-supporter-follower'
    # is split on its hyphens.
    ("Sharing: ambition\tkindness&empathy(never more than frou) Who is Connect@HBS? "
     "leader-supporter-follower aggresive/responsible;understand? connect",
     ["ambition", "leader"],
     ["sharing", "kindness", "empathy", "connect", "supporter", "responsible", "understand",
      "connect"], "strongly feminine-coded"),
]


@pytest.mark.parametrize(("text", "masc", "fem", "verdict"), UPSTREAM)
def test_gender_decoder_published_cases(text, masc, fem, verdict):
    b = gender_balance(text)
    assert [w.word for w in b.masculine] == masc
    assert [w.word for w in b.feminine] == fem
    assert b.verdict == verdict
    assert b.score == len(fem) - len(masc)


def test_hand_counted_job_ad():
    ad = (
        "We are a fast-growing fintech looking for a driven, self-confident Head of Sales. "
        "You will lead an ambitious team in a competitive market, make decisions quickly "
        "and champion our product. We value honest feedback and a supportive culture."
    )
    b = gender_balance(ad)
    # masculine: driven, self-confident, lead, ambitious, competitive, decisions, champion
    assert [w.word for w in b.masculine] == [
        "driven", "self-confident", "lead", "ambitious", "competitive", "decisions", "champion",
    ]
    # feminine: honest, supportive
    assert [w.word for w in b.feminine] == ["honest", "supportive"]
    assert (b.masculine_count, b.feminine_count, b.score) == (7, 2, -5)
    assert b.verdict == "strongly masculine-coded"
    assert b.coding_strength == 5
    for w in (*b.masculine, *b.feminine):
        assert ad[w.start : w.end].lower() == w.word


def test_hyphenated_coded_word_kept_and_others_split():
    b = gender_balance("A self-reliant, co-operative, fast-paced team-player")
    assert [w.word for w in b.masculine] == ["self-reliant"]
    assert [w.word for w in b.feminine] == ["co-operative"]
    # 'fast-paced' and 'team-player' are split and neither half is coded
    text = "non-leader"
    (w,) = gender_balance(text).masculine
    assert (w.word, w.start, w.end) == ("leader", 4, 10)


def test_word_counted_once_even_when_two_stems_match():
    # gender-decoder counts 'dominant' twice (stems 'domina' and 'dominant') and
    # 'interpersonal' twice ('interpersonal', 'interpersona'); the paper counts words.
    b = gender_balance("dominant interpersonal")
    assert b.masculine_count == 1 and b.feminine_count == 1
    assert b.masculine[0].stem == "domina"


@pytest.mark.parametrize(
    ("text", "masc", "fem"),
    [
        ("Report to shareholders and the audit committee via SharePoint.", 0, 0),
        ("Share ideas; commit to quality.", 0, 2),
        ("Own web analytics; strong analytical skills.", 1, 0),
        ("All kinds of customers; be kind.", 0, 1),
        ("Run lead generation and lead scoring; lead the team.", 1, 0),
        ("Salary depending on experience; dependable.", 0, 1),
        ("The sympathetic nervous system; a sympathetic ear.", 0, 1),
        ("We offer a competitive salary and competitive benefits; a competitive team.", 1, 0),
    ],
)
def test_word_sense_exceptions(text, masc, fem):
    b = gender_balance(text)
    assert (b.masculine_count, b.feminine_count) == (masc, fem), (b.masculine, b.feminine)


def test_every_exception_is_justified_and_would_otherwise_match():
    lists = word_lists()
    stems = (*lists["masculine"], *lists["feminine"])
    for word, why in WORD_EXCEPTIONS.items():
        assert why and word.startswith(stems), word
    for (first, _), why in PHRASE_EXCEPTIONS.items():
        assert why and first.startswith(stems), first


@pytest.mark.parametrize(
    ("m", "f", "verdict"),
    [(0, 0, "empty"), (2, 2, "neutral"), (0, 3, "feminine-coded"),
     (0, 4, "strongly feminine-coded"), (3, 0, "masculine-coded"),
     (4, 0, "strongly masculine-coded"), (5, 2, "masculine-coded")],
)
def test_thresholds(m, f, verdict):
    assert coding_verdict(m, f) == verdict


def test_non_ascii_characters_separate_words():
    b = gender_balance("caf\u00e9leader\u2014ambitious")
    assert [w.word for w in b.masculine] == ["leader", "ambitious"]


def test_rejects_non_text():
    with pytest.raises(UsageError, match="expected a text"):
        gender_balance(b"leader")  # type: ignore[arg-type]


def test_analyzer_only_for_employment_ads():
    text = "A competitive, dominant, ambitious, decisive leader; supportive."
    assert gender_coded_findings(text, ScanContext(ad_category="housing")) == []
    assert gender_coded_findings(text, ScanContext()) == []
    found = gender_coded_findings(text, ScanContext(ad_category="employment"))
    assert [f.evidence for f in found] == [
        "competitive", "dominant", "ambitious", "decisive", "leader", "supportive",
    ]
    # 5 masculine vs 1 feminine: score -4, strongly masculine-coded → masculine words warn
    assert [f.severity for f in found] == ["warn"] * 5 + ["info"]
    assert found[0].rule_id == "gender_coded.masculine_word"
    assert found[-1].rule_id == "gender_coded.feminine_word"
    assert all(text[f.start : f.end] == f.evidence for f in found)
    assert "5 masculine, 1 feminine" in found[0].message


def test_mildly_coded_ad_gives_info_only():
    # 'analyst' stays coded ('analy*' in Appendix A); only 'analytics' is an exception
    found = gender_coded_findings("An ambitious analyst.", ScanContext(ad_category="employment"))
    assert [(f.evidence, f.severity) for f in found] == [("ambitious", "info"), ("analyst", "info")]


def test_check_measures_absolute_coding():
    ms = check.measure({"a": "competitive dominant leader", "b": "warm, kind, gentle"})
    assert [(m.group, m.value) for m in ms] == [("a", 3.0), ("b", 3.0)]
    assert "masculine-coded" in ms[0].detail and "feminine-coded" in ms[1].detail
    assert check.CHECK.direction == "lower_is_better"


def test_to_dict_is_versioned():
    doc = gender_balance("leader").to_dict()
    assert doc["schema_version"] == "1.0" and doc["kind"] == "gender_balance"
    assert doc["masculine"] == [
        {"word": "leader", "stem": "lead", "coding": "masculine", "start": 0, "end": 6}
    ]


def test_shipped_lists_match_the_shared_data(shared_data: Path):
    folder = shared_data / "gender-coded-words-gaucher2011"
    lists = word_lists()
    for name, key in (("masculine-coded.txt", "masculine"), ("feminine-coded.txt", "feminine")):
        raw = (folder / name).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == lists["source_files"][name]
        assert raw.decode().split() == lists[key]
    assert len(lists["masculine"]) == 52 and len(lists["feminine"]) == 50
    assert "MIT License" in lists["licence"] and "Gaucher" in lists["citation"]
