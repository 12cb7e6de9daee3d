"""The EU AI Act questionnaire and its classification (no store)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from fairmark.errors import UsageError
from fairmark.governance.risk import (
    RISK_TIERS,
    answers_sha256,
    available_versions,
    classify,
    load_answers,
    load_questionnaire,
    template_answers,
)
from fairmark.policy import load_policy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "governance"
Q = load_questionnaire()
NO = dict.fromkeys(Q.ids, False)


def answers(**true: bool) -> dict[str, bool]:
    return {**NO, **true}


def test_questionnaire_is_package_data_and_versioned() -> None:
    files = {p.name for p in resources.files("fairmark.governance.questionnaires").iterdir()}
    assert "eu_ai_act.v1.yaml" in files
    assert available_versions() == (1,)
    assert load_questionnaire(1) is load_questionnaire("v1") is Q
    assert (Q.id, Q.version, Q.label) == ("eu-ai-act", 1, "eu-ai-act v1")
    assert len(Q.ids) == len(set(Q.ids)) == 20
    assert Q.tiers == RISK_TIERS
    assert any("2024/1689" in s for s in Q.sources)
    assert any("WP251rev.01" in s for s in Q.sources)
    for question in Q.questions:
        assert question.type == "boolean" and question.text
        if question.implies is not None:
            assert question.implies.articles
            assert question.implies.rationale


def test_unknown_version_or_questionnaire_names_the_available_ones() -> None:
    with pytest.raises(UsageError) as err:
        load_questionnaire(2)
    assert err.value.message == "questionnaire eu-ai-act has no version 2; available: 1"
    with pytest.raises(UsageError, match="has no version 'one'; available: 1"):
        load_questionnaire("one")
    with pytest.raises(UsageError) as err:
        load_questionnaire(questionnaire_id="nist-rmf")
    assert err.value.message == "unknown questionnaire 'nist-rmf'; expected one of eu-ai-act"


ARTICLES = {
    "manipulative_techniques": ("prohibited", "AI Act Art. 5(1)(a)"),
    "exploits_vulnerabilities": ("prohibited", "AI Act Art. 5(1)(b)"),
    "social_scoring": ("prohibited", "AI Act Art. 5(1)(c)"),
    "emotion_recognition_work_education": ("prohibited", "AI Act Art. 5(1)(f)"),
    "biometric_sensitive_inference": ("prohibited", "AI Act Art. 5(1)(g)"),
    "creditworthiness": ("high_risk", "AI Act Annex III point 5(b)"),
    "life_health_insurance_pricing": ("high_risk", "AI Act Annex III point 5(c)"),
    "essential_public_assistance": ("high_risk", "AI Act Annex III point 5(a)"),
    "recruitment_job_ads": ("high_risk", "AI Act Annex III point 4(a)"),
    "education_access": ("high_risk", "AI Act Annex III point 3(a)"),
    "biometric_categorisation": ("high_risk", "AI Act Annex III point 1(b)"),
    "emotion_recognition": ("high_risk", "AI Act Annex III point 1(c)"),
    "interacts_with_people": ("limited_risk", "AI Act Art. 50(1)"),
    "generates_synthetic_content": ("limited_risk", "AI Act Art. 50(2)"),
    "emotion_or_biometric_exposure": ("limited_risk", "AI Act Art. 50(3)"),
    "deep_fake_or_public_interest_text": ("limited_risk", "AI Act Art. 50(4)"),
}


def test_every_implying_question_is_covered_here() -> None:
    assert {q.id for q in Q.questions if q.implies is not None} == set(ARTICLES)


@pytest.mark.parametrize(("qid", "expected"), sorted(ARTICLES.items()))
def test_each_question_reaches_its_tier_and_cites_its_article(
    qid: str, expected: tuple[str, str]
) -> None:
    tier, article = expected
    result = classify(answers(**{qid: True}))
    assert result.tier == tier
    assert article in result.articles
    assert result.triggered == (qid,)
    assert result.rationale[0].startswith(f"{qid} -> {tier}: ")
    assert result.obligations == (tier,)
    assert result.gdpr_art22 is False
    if tier == "high_risk":
        assert "AI Act Art. 6(2)" in result.articles
        assert result.rationale[1] == (
            "the Art. 6(3) derogation does not apply: the system does not only perform a "
            "narrow procedural or preparatory task"
        )


def test_nothing_true_is_minimal_risk() -> None:
    result = classify(NO)
    assert result.tier == "minimal_risk"
    assert result.articles == ()
    assert result.triggered == () and result.obligations == ()
    assert result.rationale == (
        "no prohibited practice, high-risk use or Art. 50 transparency case applies: minimal "
        "risk (AI literacy duties of Art. 4 still apply; voluntary codes of conduct, Art. 95)",
    )


def test_most_severe_tier_wins_and_all_obligations_are_kept() -> None:
    result = classify(
        answers(interacts_with_people=True, creditworthiness=True, social_scoring=True,
                profiles_natural_persons=True)
    )
    assert result.tier == "prohibited"
    assert result.obligations == ("prohibited", "high_risk", "limited_risk")
    assert [line.split(" ->")[0] for line in result.rationale[:3]] == [
        "social_scoring", "creditworthiness", "the Art. 6(3) derogation cannot apply because "
        "the system profiles natural persons (Art. 6(3), last subparagraph)",
    ]
    assert result.rationale[3].startswith("interacts_with_people -> limited_risk")
    assert list(result.articles) == sorted(set(result.articles))
    assert result.articles == (
        "AI Act Annex III point 5(b)", "AI Act Art. 5(1)(c)", "AI Act Art. 50(1)",
        "AI Act Art. 6(2)", "AI Act Art. 6(3)",
    )


def test_art_6_3_derogation_applies_only_without_profiling() -> None:
    lifted = classify(answers(creditworthiness=True, narrow_procedural_task=True))
    assert lifted.tier == "minimal_risk"
    assert lifted.obligations == ()
    assert lifted.triggered == ("creditworthiness",)
    assert lifted.rationale[0].startswith(
        "creditworthiness -> not high_risk: evaluates creditworthiness"
    )
    assert "the Art. 6(3) derogation applies" in lifted.rationale[0]
    assert lifted.articles == (
        "AI Act Annex III point 5(b)", "AI Act Art. 49(2)", "AI Act Art. 6(3)", "AI Act Art. 6(4)"
    )
    # profiling excludes the derogation (Art. 6(3), last subparagraph)
    kept = classify(
        answers(creditworthiness=True, narrow_procedural_task=True, profiles_natural_persons=True)
    )
    assert kept.tier == "high_risk"
    assert "the system profiles natural persons (Art. 6(3), last subparagraph)" in kept.rationale[1]
    # the derogation is irrelevant without an Annex III use
    plain = classify(answers(narrow_procedural_task=True, profiles_natural_persons=True))
    assert plain.tier == "minimal_risk" and plain.articles == ()
    # and it never lifts a prohibited practice or a transparency duty
    other = classify(answers(social_scoring=True, interacts_with_people=True,
                             narrow_procedural_task=True))
    assert other.tier == "prohibited"


@pytest.mark.parametrize(
    ("solely", "significant", "flag"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_gdpr_art22_needs_both_conditions_and_never_changes_the_tier(
    solely: bool, significant: bool, flag: bool
) -> None:
    result = classify(answers(solely_automated_decision=solely,
                              legal_or_similarly_significant_effect=significant))
    assert result.gdpr_art22 is flag
    assert result.tier == "minimal_risk"
    assert ("GDPR Art. 22(1)" in result.articles) is flag
    assert any(line.startswith("GDPR: decisions based solely") for line in result.rationale) is flag


def test_missing_answers_are_all_listed() -> None:
    partial = {k: v for k, v in NO.items() if k not in ("social_scoring", "creditworthiness",
                                                         "interacts_with_people")}
    with pytest.raises(UsageError) as err:
        classify(partial)
    assert err.value.message == (
        "questionnaire eu-ai-act v1: 3 answers missing: social_scoring, creditworthiness, "
        "interacts_with_people; expected true or false for each"
    )
    one = dict(NO)
    del one["emotion_recognition"]
    with pytest.raises(UsageError, match="1 answer missing: emotion_recognition;"):
        classify(one)


def test_unknown_ids_are_refused_with_a_hint() -> None:
    with pytest.raises(UsageError) as err:
        classify({**NO, "chatbot": True})
    assert err.value.message.startswith(
        "questionnaire eu-ai-act v1: 1 unknown question id: chatbot; expected the ids of"
    )
    typo = dict(NO)
    typo["social_scorin"] = typo.pop("social_scoring")
    with pytest.raises(UsageError) as err:
        classify(typo)
    assert err.value.message.startswith(
        "questionnaire eu-ai-act v1: 1 unknown question id: social_scorin (did you mean "
        "social_scoring?) and 1 missing: social_scoring;"
    )


@pytest.mark.parametrize("value", [1, 0, "y", "", "maybe", [True]])
def test_non_boolean_answers_are_refused_naming_id_and_value(value: Any) -> None:
    with pytest.raises(UsageError) as err:
        classify({**NO, "creditworthiness": value})
    assert err.value.message == (
        f"questionnaire eu-ai-act v1: answer to 'creditworthiness' is {value!r}; "
        "expected true or false (or yes/no)"
    )


def test_null_answers_are_missing_answers() -> None:
    """An answer left null (as the template leaves it) is missing, never a silent "no"."""
    with pytest.raises(UsageError) as err:
        classify({**NO, "creditworthiness": None, "social_scoring": None})
    assert err.value.message == (
        "questionnaire eu-ai-act v1: 2 answers missing: social_scoring, creditworthiness; "
        "expected true or false for each"
    )


@pytest.mark.parametrize(("value", "tier"), [("yes", "high_risk"), ("TRUE", "high_risk"),
                                              (" No ", "minimal_risk"), ("false", "minimal_risk")])
def test_yes_no_true_false_strings_are_accepted(value: str, tier: str) -> None:
    result = classify({**NO, "creditworthiness": value, "profiles_natural_persons": "yes"})
    assert result.tier == tier
    assert isinstance(result.answers["creditworthiness"], bool)


def test_answers_are_not_a_mapping() -> None:
    with pytest.raises(UsageError, match="answers are a list; expected a mapping"):
        classify([("creditworthiness", True)])  # type: ignore[arg-type]


def test_policy_sets_required_checks_and_deployability() -> None:
    policy = load_policy("default")
    high = classify(answers(creditworthiness=True), policy=policy)
    assert high.required_checks == tuple(
        policy.settings.governance.tier("high_risk").required_checks
    )
    assert high.required_checks == (
        "fairness.disparate_impact", "fairness.equal_opportunity_difference",
        "fairness.small_groups", "privacy.pii_in_features", "privacy.data_minimisation",
    )
    assert high.deployable is True
    assert high.policy == f"{policy.id} {policy.version}"
    banned = classify(answers(social_scoring=True), policy="default")
    assert banned.deployable is False
    minimal = classify(NO, policy="default")
    assert minimal.required_checks == ("fairness.disparate_impact",)
    assert classify(NO).required_checks is None and classify(NO).deployable is None


def test_to_dict_is_json_and_hash_is_format_independent() -> None:
    result = classify(answers(interacts_with_people=True))
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["tier"] == "limited_risk"
    assert doc["questionnaire"] == "eu-ai-act" and doc["questionnaire_version"] == 1
    assert doc["answers"]["interacts_with_people"] is True
    assert doc["answers_sha256"] == answers_sha256(result.answers)
    reordered = dict(reversed(list(result.answers.items())))
    assert answers_sha256(reordered) == doc["answers_sha256"]
    assert classify({**answers(interacts_with_people="yes")}).answers_sha256 == doc[
        "answers_sha256"
    ]


# --------------------------------------------------------------------------- answers files


@pytest.mark.parametrize(
    ("example", "tier", "art22", "articles"),
    [
        ("bank-marketing-answers.yaml", "minimal_risk", False, ()),
        ("credit-preapproval-answers.yaml", "high_risk", True,
         ("AI Act Annex III point 5(b)", "AI Act Art. 6(2)", "AI Act Art. 6(3)",
          "GDPR Art. 22(1)")),
        ("marketing-chatbot-answers.yaml", "limited_risk", False,
         ("AI Act Art. 50(1)", "AI Act Art. 50(2)")),
    ],
)
def test_example_answer_files(example: str, tier: str, art22: bool, articles: tuple[str, ...]
                              ) -> None:
    parsed = load_answers(EXAMPLES / example)
    assert parsed.questionnaire is Q
    result = classify(parsed.answers, questionnaire=parsed.questionnaire)
    assert (result.tier, result.gdpr_art22, result.articles) == (tier, art22, articles)


def test_bank_marketing_example_is_profiling_but_not_art22() -> None:
    parsed = load_answers(EXAMPLES / "bank-marketing-answers.yaml")
    assert parsed.system is None  # the example serves any system name
    assert parsed.answers["profiles_natural_persons"] is True
    assert parsed.answers["legal_or_similarly_significant_effect"] is False


def test_json_answers_file(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"questionnaire": "eu-ai-act", "version": 1,
                                "answers": answers(generates_synthetic_content=True)}))
    assert classify(load_answers(path).answers).tier == "limited_risk"


def test_template_lists_every_id_and_round_trips(tmp_path: Path) -> None:
    text = template_answers()
    document = yaml.safe_load(text)
    assert document["questionnaire"] == "eu-ai-act" and document["version"] == 1
    assert list(document["answers"]) == list(Q.ids)
    assert set(document["answers"].values()) == {None}  # nothing pre-answered
    assert "# true -> prohibited (AI Act Art. 5(1)(a))" in text
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as err:
        load_answers(path)
    assert err.value.message == (
        f"questionnaire eu-ai-act v1: {len(Q.ids)} answers missing: {', '.join(Q.ids)}; "
        "expected true or false for each"
    )
    one_left = text.replace(": null", ": false").replace(
        "  creditworthiness: false", "  creditworthiness: null"
    )
    path.write_text(one_left)
    with pytest.raises(UsageError, match=r"1 answer missing: creditworthiness; expected"):
        load_answers(path)
    path.write_text(text.replace(": null", ": false"))
    assert classify(load_answers(path).answers).tier == "minimal_risk"


def _write(tmp_path: Path, body: str, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_answers_file_problems(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(UsageError) as err:
        load_answers(missing)
    assert err.value.message == (
        f"answers file {missing} does not exist; expected a YAML or JSON file"
    )
    cases = [
        ("- a\n- b\n", "is a list; expected a mapping with keys questionnaire, version and "
                       "answers"),
        ("questionnaire: eu-ai-act\nversion: 1\nanswers: {}\nextra: 1\n",
         "unknown key extra; expected questionnaire, version, answers, system, notes"),
        ("questionnaire: eu-ai-act\nversion: 1\n", "no 'answers' mapping"),
        ("questionnaire: eu-ai-act\nanswers: {}\n",
         "no 'version'; expected the questionnaire version the answers are for (available: 1)"),
        ("questionnaire: eu-ai-act\nversion: 2\nanswers: {}\n",
         "questionnaire eu-ai-act has no version 2; available: 1"),
        ("questionnaire: eu-ai-act\nversion: true\nanswers: {}\n",
         "questionnaire eu-ai-act has no version True; available: 1"),
        ("questionnaire: gdpr-dpia\nversion: 1\nanswers: {}\n",
         "unknown questionnaire 'gdpr-dpia'; expected one of eu-ai-act"),
        ("questionnaire: eu-ai-act\nversion: 1\nanswers: [1]\n",
         "answers are a list; expected a mapping of question id to true or false"),
        ("questionnaire: eu-ai-act\nversion: 1\nanswers: {creditworthiness: true}\n",
         "19 answers missing: manipulative_techniques, exploits_vulnerabilities"),
        ("answers: [unclosed\n", "is not valid YAML/JSON"),
    ]
    for body, message in cases:
        with pytest.raises(UsageError) as err:
            load_answers(_write(tmp_path, body))
        assert message in err.value.message, body
        assert "\n" not in err.value.message
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(UsageError, match=r"cannot read answers file .*expected UTF-8 YAML or JSON"):
        load_answers(binary)


def test_quoted_yes_in_yaml_is_accepted(tmp_path: Path) -> None:
    body = template_answers().replace(": null", ": false")
    body = body.replace("  creditworthiness: false", '  creditworthiness: "yes"')
    body = body.replace("  profiles_natural_persons: false", "  profiles_natural_persons: yes")
    result = classify(load_answers(_write(tmp_path, body)).answers)
    assert result.tier == "high_risk"


def test_version_1_question_set_is_frozen() -> None:
    """A released version is never edited: change the questions in eu_ai_act.v2.yaml."""
    assert Q.ids == (
        "manipulative_techniques",
        "exploits_vulnerabilities",
        "social_scoring",
        "emotion_recognition_work_education",
        "biometric_sensitive_inference",
        "creditworthiness",
        "life_health_insurance_pricing",
        "essential_public_assistance",
        "recruitment_job_ads",
        "education_access",
        "biometric_categorisation",
        "emotion_recognition",
        "profiles_natural_persons",
        "narrow_procedural_task",
        "interacts_with_people",
        "generates_synthetic_content",
        "emotion_or_biometric_exposure",
        "deep_fake_or_public_interest_text",
        "solely_automated_decision",
        "legal_or_similarly_significant_effect",
    )
    assert {q.id: (q.implies.tier, q.implies.articles[0]) for q in Q.questions if q.implies} == (
        ARTICLES
    )
    assert Q.derogation is not None
    assert Q.derogation.applies_when == {"narrow_procedural_task": True,
                                         "profiles_natural_persons": False}
    assert Q.flags["gdpr_art22"].all_of == ("solely_automated_decision",
                                            "legal_or_similarly_significant_effect")


def test_duplicate_keys_are_refused_naming_the_key_and_both_lines(tmp_path: Path) -> None:
    """QA HI 2: a hidden later ``creditworthiness: false`` used to win (minimal_risk)."""
    body = template_answers().replace(": null", ": false")
    body = body.replace("  creditworthiness: false", "  creditworthiness: true")
    lines = body.splitlines()
    first = lines.index("  creditworthiness: true") + 1
    hidden = body + "  # (many lines later)\n  creditworthiness: false\n"
    again = len(hidden.splitlines())
    path = _write(tmp_path, hidden)
    with pytest.raises(UsageError) as err:
        load_answers(path)
    assert err.value.message == (
        f"answers file {path}: key 'creditworthiness' is given twice (lines {first} and "
        f"{again}); expected each key once in a mapping (the last value would silently win)"
    )
    assert classify(load_answers(_write(tmp_path, body, "ok.yaml")).answers).tier == "high_risk"


@pytest.mark.parametrize(
    ("body", "key", "lines"),
    [
        ("questionnaire: eu-ai-act\nversion: 1\nversion: 1\nanswers: {}\n", "version", (2, 3)),
        ("questionnaire: eu-ai-act\nversion: 1\nanswers: {}\nanswers: {}\n", "answers", (3, 4)),
        ("version: 1\nanswers:\n  a: {x: 1,\n      x: 2}\n", "x", (3, 4)),
    ],
)
def test_duplicate_keys_at_any_level(tmp_path: Path, body: str, key: str, lines: tuple) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(UsageError) as err:
        load_answers(path)
    assert err.value.message.startswith(
        f"answers file {path}: key {key!r} is given twice (lines {lines[0]} and {lines[1]})"
    )


def test_duplicate_names_in_a_json_answers_file(tmp_path: Path) -> None:
    rest = ", ".join(f'"{i}": false' for i in Q.ids if i != "creditworthiness")
    text = (
        '{"questionnaire": "eu-ai-act", "version": 1, "answers": {\n'
        f'"creditworthiness": true,\n{rest},\n"creditworthiness": false\n}}}}\n'
    )
    path = _write(tmp_path, text, "a.json")
    with pytest.raises(UsageError) as err:
        load_answers(path)
    assert err.value.message.startswith(
        f"answers file {path}: key 'creditworthiness' is given twice (lines 2 and 4)"
    )
    # JSON that YAML cannot read (a tab before a value) is still checked, without lines
    tabbed = _write(tmp_path, '{"version":\t1, "version": 1}', "t.json")
    with pytest.raises(UsageError) as err:
        load_answers(tabbed)
    assert err.value.message == (
        f"answers file {tabbed}: key 'version' is given twice in one object; expected each "
        "key once in a mapping (the last value would silently win)"
    )


def test_a_yaml_merge_key_is_refused(tmp_path: Path) -> None:
    """QA round 4: ``<<: *b`` merged ``social_scoring: true`` and a later explicit
    ``social_scoring: false`` silently won; every answer must be written out."""
    body = template_answers().replace(": null", ": false")
    body = "notes: &b {social_scoring: true}\n" + body.replace(
        "answers:\n", "answers:\n  <<: *b\n", 1
    )
    merge_line = body.splitlines().index("  <<: *b") + 1
    path = _write(tmp_path, body)
    with pytest.raises(UsageError) as err:
        load_answers(path)
    assert err.value.message == (
        f"answers file {path}: line {merge_line} uses a YAML merge key ('<<'); expected each "
        "answer written out (a merged value and an explicit one would silently override "
        "each other)"
    )
