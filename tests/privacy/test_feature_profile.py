"""The privacy profile of an audited table: roles, categories, flags and the minimisation rule.

Most cases declare the category of every candidate column (``data_categories``), so the
expected counts follow from the rule in ``fairmark.privacy.feature_profile`` alone and
can be written out by hand; the last cases run the real table scan on recognisable
columns (an e-mail column, a race column).
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from fairmark.engine.source import as_table
from fairmark.errors import DataError, UsageError
from fairmark.fairness.spec import AuditSpec
from fairmark.policy import load_policy
from fairmark.privacy.declarations import check_declarations
from fairmark.privacy.feature_profile import (
    IDENTIFIER_CATEGORIES,
    is_identifier_category,
    profile_columns,
)
from fairmark.report.validate import report_schema

PURPOSE = "marketing.communications"

POLICY = f"""\
id: privacy-test
version: "1"
owner: tests
review_by: 2099-01-01
settings:
  purposes:
    {PURPOSE}:
      data_categories: [user.demographic.age_range, user.financial]
    marketing.advertising.first_party.targeted:
      data_categories: [user.contact]
rules:
  - id: four-fifths
    check: fairness.disparate_impact
    min: 0.8
    severity: block
    principle: fairness
    rationale: test
"""

#: Every candidate column of FRAME declared, so no scan runs and nothing is guessed.
CATEGORIES = {
    "age": "user.demographic.age_range",
    "income": "user.financial",
    "email": "user.contact.email",
    "religion": "user.demographic.religious_belief",
    "euribor3m": "none",
}


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(POLICY)
    return load_policy(path)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    n = 40
    return pd.DataFrame(
        {
            "y": [i % 2 for i in range(n)],
            "sel": [(i // 2) % 2 for i in range(n)],
            "g": ["a" if i < n // 2 else "b" for i in range(n)],
            "age": [20 + i for i in range(n)],
            "income": [1000.0 + 10 * i for i in range(n)],
            "email": [f"person{i}@example.org" for i in range(n)],
            "religion": ["none" if i % 3 else "catholic" for i in range(n)],
            "euribor3m": [4.857] * n,
        }
    )


SPEC = AuditSpec.build(y_true="y", y_pred="sel", positive_label=1, sensitive_features="g")


def _profile(frame, policy, **kwargs):
    kwargs.setdefault("data_categories", CATEGORIES)
    return profile_columns(as_table(frame), SPEC, policy=policy, **kwargs)


def test_roles_with_declared_features(frame, policy) -> None:
    p = _profile(frame, policy, features=["age", "income"])
    roles = {c.column: c.role for c in p.columns}
    assert roles == {
        "y": "audit",
        "sel": "audit",
        "g": "sensitive_feature",
        "age": "feature",
        "income": "feature",
        "email": "unused",
        "religion": "unused",
        "euribor3m": "unused",
    }
    assert p.examined == ("age", "income")
    assert p.sensitive_features == ("g",)
    assert p.audit_columns == ("y", "sel")
    assert p.pii_features == ()  # email and religion are present but not model inputs
    # features declared, no purpose: every unused column counts, personal or not
    assert [c.column for c in p.minimisation_issues] == ["email", "religion", "euribor3m"]
    assert p.column("email").declared_for_purpose is None


def test_declared_purpose_covers_unused_columns_of_its_categories(frame, policy) -> None:
    p = _profile(frame, policy, features=["age"], purpose=PURPOSE)
    # income is unused but user.financial is declared for the purpose: not an issue
    assert p.column("income").declared_for_purpose is True
    assert [c.column for c in p.minimisation_issues] == ["email", "religion", "euribor3m"]
    assert p.purpose_categories == ("user.demographic.age_range", "user.financial")
    ads = "marketing.advertising.first_party.targeted"
    other = _profile(frame, policy, features=["age"], purpose=ads)
    # user.contact covers user.contact.email; age_range is not declared but age is a feature
    assert [c.column for c in other.minimisation_issues] == ["income", "religion", "euribor3m"]
    assert other.column("age").declared_for_purpose is False
    assert not other.column("age").minimisation_issue


def test_purpose_without_features_counts_only_recognised_personal_data(frame, policy) -> None:
    p = _profile(frame, policy, purpose=PURPOSE)
    assert p.examined == ("age", "income", "email", "religion", "euribor3m")
    # euribor3m is declared not personal; age and income are of declared categories
    assert [c.column for c in p.minimisation_issues] == ["email", "religion"]
    assert [c.column for c in p.pii_features] == ["email", "religion"]
    assert p.column("email").direct_identifier
    assert p.column("religion").special_category == (
        "religious or philosophical beliefs (GDPR Art. 9(1))"
    )


def test_nothing_declared_is_not_judged(frame, policy) -> None:
    p = _profile(frame, policy)
    assert not p.minimisation_judged
    assert p.minimisation_issues == ()
    doc = p.to_dict()
    assert doc["data_minimisation"] == {"value": None, "reason": "not_declared", "columns": []}
    assert doc["pii_in_features"] == {"value": 2, "columns": ["email", "religion"]}
    assert doc["features_declared"] is False and doc["purpose"] is None


def test_without_candidate_columns_nothing_can_be_unneeded(frame, policy) -> None:
    p = _profile(frame[["y", "sel", "g"]], policy, data_categories=None)
    assert p.minimisation_judged and p.examined == ()
    assert p.to_dict()["data_minimisation"] == {"value": 0, "reason": None, "columns": []}
    assert p.to_dict()["scan"]["text_engine"] == {}  # no column was scanned


def test_a_sensitive_feature_declared_as_input_is_examined(frame, policy) -> None:
    declared = {**CATEGORIES, "g": "user.demographic.gender"}
    p = _profile(frame, policy, features=["g", "religion"], data_categories=declared)
    assert p.column("g").role == "feature" and p.column("g").examined
    assert [c.column for c in p.pii_features] == ["religion"]


def test_declared_categories_override_and_set_the_flags(frame, policy) -> None:
    declared = {**CATEGORIES, "email": "none", "income": "user.contact.phone_number"}
    p = _profile(frame, policy, features=["email", "income"], data_categories=declared)
    email, income = p.column("email"), p.column("income")
    assert (email.category, email.category_source, email.direct_identifier) == (
        None,
        "declared",
        False,
    )
    assert income.direct_identifier and income.category_source == "declared"
    assert [c.column for c in p.pii_features] == ["income"]
    assert income.describe() == "'income' (user.contact.phone_number: a direct identifier)"


def test_known_categories_are_accepted() -> None:
    declared = {"a": "user.contact.email", "b": "system.operations", "c": "user", "d": "none"}
    decl = check_declarations(features=None, purpose=None, data_categories=declared, policy=None)
    assert decl.data_categories == {**declared, "d": None}


def test_declaring_identifiers_not_personal_is_kept_with_a_warning(frame, policy) -> None:
    """QA #14: email=none on a column of e-mail addresses warns; the declaration stands."""
    declared = {**CATEGORIES, "email": "none"}
    p = _profile(frame, policy, features=["email"], data_categories=declared)
    assert p.column("email").category is None and p.pii_features == ()
    (note,) = [w for w in p.scan_warnings if "'email'" in w]
    assert note == (
        "column 'email' is declared 'none' (not personal) but 100% of its scanned values look "
        "like EMAIL_ADDRESS (user.contact.email), a direct identifier; the declaration is "
        "kept — check it"
    )
    assert not any("euribor3m" in w for w in p.scan_warnings)  # 'none' and no identifier


def test_identifier_categories() -> None:
    assert is_identifier_category("user.contact.email")
    assert is_identifier_category("user.name.first")  # a sub-category of user.name
    assert is_identifier_category("user.government_id.passport_number")
    assert is_identifier_category("user.id.pseudonymous")  # a pseudonym still singles out
    assert not is_identifier_category("user.demographic.age_range")
    assert not is_identifier_category("user.contact.address.city")
    assert not is_identifier_category(None)
    assert "user.contact.email" in IDENTIFIER_CATEGORIES


def test_to_dict_is_valid_against_the_report_schema(frame, policy) -> None:
    p = _profile(frame, policy, features=["age", "income"], purpose=PURPOSE)
    schema = {"$defs": report_schema()["$defs"], "$ref": "#/$defs/privacy"}
    jsonschema.Draft202012Validator(schema).validate(p.to_dict())
    doc = p.to_dict()
    assert doc["data_minimisation"]["value"] == 3
    assert doc["columns"][3] == {
        "column": "age",
        "role": "feature",
        "examined": True,
        "needed": True,
        "category": "user.demographic.age_range",
        "category_source": "declared",
        "entity_type": None,
        "direct_identifier": False,
        "special_category": None,
        "declared_for_purpose": True,
        "minimisation_issue": False,
        "evidence": ["declared in data_categories"],
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "expected"),
    [
        ({"purpose": "sales"}, UsageError, "declared purposes: marketing.advertising"),
        ({"features": []}, UsageError, "features is empty"),
        ({"features": ["age", "age"]}, UsageError, "names age more than once"),
        ({"features": ["age", 3]}, UsageError, "features holds 3"),
        ({"data_categories": {"age": "User Age"}}, UsageError, "is not a fideslang key"),
        ({"data_categories": {"a": "user.bogus"}}, UsageError, "'user.bogus' of column 'a'"),
        ({"data_categories": {"a": "bogus.email"}}, UsageError, "under user., system. or"),
        ({"data_categories": {"a": "users"}}, UsageError, "e.g. user.financial"),
        ({"data_categories": ["age"]}, UsageError, "expected a mapping"),
        ({"features": {"age": 1}}, UsageError, "features is a dict; expected a list"),
    ],
)
def test_bad_declarations_are_one_line_usage_errors(policy, kwargs, error, expected) -> None:
    args = {"features": None, "purpose": None, "data_categories": None, **kwargs}
    with pytest.raises(error) as info:
        check_declarations(policy=policy, **args)
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_a_policy_without_purposes_says_so(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(POLICY.split("settings:")[0] + "rules:" + POLICY.split("rules:")[1])
    empty = load_policy(path)
    with pytest.raises(UsageError, match=r"declares no purposes; expected settings\.purposes"):
        check_declarations(features=None, purpose=PURPOSE, data_categories=None, policy=empty)


@pytest.mark.parametrize(
    ("kwargs", "error", "expected"),
    [
        ({"features": ["age", "salary"]}, DataError, "features: column 'salary' not found"),
        ({"data_categories": {"salary": "user.financial"}}, DataError, "available columns: y"),
        ({"features": ["age", "y"]}, UsageError, "the audit's y_true column"),
        ({"features": ["sel"]}, UsageError, "the audit's y_pred column"),
    ],
)
def test_columns_are_checked_against_the_data(frame, policy, kwargs, error, expected) -> None:
    with pytest.raises(error, match=expected.replace("(", r"\(")):
        profile_columns(as_table(frame), SPEC, policy=policy, **kwargs)


def test_the_scan_recognises_identifiers_and_special_categories(policy) -> None:
    n = 40
    frame = pd.DataFrame(
        {
            "y": [i % 2 for i in range(n)],
            "sel": [(i // 3) % 2 for i in range(n)],
            "g": ["a", "b"] * (n // 2),
            "email": [f"customer.{i}@example.com" for i in range(n)],
            "race": ["white", "black", "asian", "other"] * (n // 4),
            "visits": list(range(n)),
        }
    )
    p = profile_columns(as_table(frame), SPEC, policy=policy, features=["email", "race", "visits"])
    email, race, visits = p.column("email"), p.column("race"), p.column("visits")
    assert email.category == "user.contact.email" and email.direct_identifier
    assert email.entity_type == "EMAIL_ADDRESS" and email.category_source == "scan"
    assert race.category == "user.demographic.race_ethnicity"
    assert race.special_category == "racial or ethnic origin (GDPR Art. 9(1))"
    assert not race.direct_identifier
    assert visits.category is None and visits.category_source == "none"
    assert [c.column for c in p.pii_features] == ["email", "race"]
    assert p.scan_sample_size == 200


def test_the_scan_reads_only_the_first_scan_rows(policy, monkeypatch) -> None:
    import fairmark.privacy.feature_profile as fp

    frame = pd.DataFrame(
        {
            "y": [i % 2 for i in range(40)],
            "sel": [(i // 3) % 2 for i in range(40)],
            "g": ["a", "b"] * 20,
            "ref": [f"batch{i}" for i in range(10)] + [f"p{i}@example.com" for i in range(30)],
        }
    )
    whole = profile_columns(as_table(frame), SPEC, policy=policy, features=["ref"])
    assert whole.column("ref").category == "user.contact.email"  # 75% of the values
    monkeypatch.setattr(fp, "SCAN_ROWS", 10)
    head = profile_columns(as_table(frame), SPEC, policy=policy, features=["ref"])
    assert head.column("ref").category is None  # the first ten values hold no address


def test_features_may_be_an_index_or_an_array(frame, policy) -> None:
    import numpy as np

    for given in (frame.columns[3:5], np.array(["age", "income"]), ("age", "income")):
        decl = check_declarations(features=given, purpose=None, data_categories=None,
                                  policy=policy)  # fmt: skip
        assert decl.features == ("age", "income")
    assert check_declarations(features="age", purpose=None, data_categories=None,
                              policy=policy).features == ("age",)  # fmt: skip
