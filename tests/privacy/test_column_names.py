"""Column-name rules: identifiers, ordinary personal data, Art. 9 flags, non-personal names."""

from __future__ import annotations

import pytest

from fairmark.privacy.column_names import (
    NAME_RULES,
    NameHint,
    classify_name,
    name_tokens,
    normalise_name,
)
from fairmark.privacy.entities import DATA_CATEGORY, DIRECT_IDENTIFIERS, EntityType


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("FirstName", "first_name"),
        ("first-name", "first_name"),
        ("IPAddress", "ip_address"),
        ("customerID", "customer_id"),
        ("emp.var.rate", "emp_var_rate"),
        ("  Date Of Birth ", "date_of_birth"),
        ("E-Mail", "e_mail"),
        ("Straße", "straße"),
        ("---", ""),
    ],
)
def test_normalise_name(raw: str, normal: str) -> None:
    assert normalise_name(raw) == normal


def test_name_tokens() -> None:
    assert name_tokens("Date-Of-Birth") == ("date", "of", "birth")
    assert name_tokens("__") == ()


@pytest.mark.parametrize(
    ("column", "entity"),
    [
        ("email", EntityType.EMAIL_ADDRESS),
        ("E-Mail", EntityType.EMAIL_ADDRESS),
        ("contact_email_address", EntityType.EMAIL_ADDRESS),
        ("phone", EntityType.PHONE_NUMBER),
        ("mobile", EntityType.PHONE_NUMBER),
        ("tel", EntityType.PHONE_NUMBER),
        ("card_number", EntityType.CREDIT_CARD),
        ("CreditCard", EntityType.CREDIT_CARD),
        ("iban", EntityType.IBAN_CODE),
        ("ssn", EntityType.NATIONAL_ID),
        ("national_id", EntityType.NATIONAL_ID),
        ("NINO", EntityType.NATIONAL_ID),
        ("ip", EntityType.IP_ADDRESS),
        ("client_ip", EntityType.IP_ADDRESS),
        ("dob", EntityType.DATE_OF_BIRTH),
        ("DateOfBirth", EntityType.DATE_OF_BIRTH),
        ("birthday", EntityType.DATE_OF_BIRTH),
        ("postcode", EntityType.POSTAL_CODE),
        ("Zip", EntityType.POSTAL_CODE),
        ("first_name", EntityType.PERSON),
        ("Surname", EntityType.PERSON),
        ("customer_name", EntityType.PERSON),
        ("name", EntityType.PERSON),
        ("street", EntityType.STREET_ADDRESS),
        ("address_line_1", EntityType.STREET_ADDRESS),
        ("notes", EntityType.FREE_TEXT),
        ("email_body", EntityType.FREE_TEXT),
    ],
)
def test_identifier_names(column: str, entity: EntityType) -> None:
    hint = classify_name(column)
    assert hint is not None and hint.entity_type == entity
    assert hint.data_category == DATA_CATEGORY[entity]
    assert hint.direct_identifier == (entity in DIRECT_IDENTIFIERS)


@pytest.mark.parametrize(
    ("column", "category", "special"),
    [
        ("age", "user.demographic.age_range", None),
        ("age_band", "user.demographic.age_range", None),
        ("sex", "user.demographic.gender", None),
        ("Gender", "user.demographic.gender", None),
        ("marital", "user.demographic.marital_status", None),
        ("marital-status", "user.demographic.marital_status", None),
        ("race", "user.demographic.race_ethnicity", "racial or ethnic origin (GDPR Art. 9(1))"),
        ("ethnicity", "user.demographic.race_ethnicity",
         "racial or ethnic origin (GDPR Art. 9(1))"),
        ("religion", "user.demographic.religious_belief",
         "religious or philosophical beliefs (GDPR Art. 9(1))"),
        ("political_party", "user.demographic.political_opinion",
         "political opinions (GDPR Art. 9(1))"),
        ("sexual_orientation", "user.demographic.sexual_orientation",
         "sex life or sexual orientation (GDPR Art. 9(1))"),
        ("health_condition", "user.health_and_medical", "health (GDPR Art. 9(1))"),
        ("diagnosis", "user.health_and_medical", "health (GDPR Art. 9(1))"),
        ("fingerprint", "user.biometric", "biometric data (GDPR Art. 9(1))"),
        ("dna_sample", "user.genetic", "genetic data (GDPR Art. 9(1))"),
        ("trade_union_member", "user.workplace.trade_union_membership",
         "trade-union membership (GDPR Art. 9(1))"),
        ("income", "user.financial", None),
        ("balance", "user.financial", None),
        ("loan", "user.financial", None),
        ("capital-gain", "user.financial", None),
        ("job", "user.job_title", None),
        ("occupation", "user.job_title", None),
        ("workclass", "user.workplace", None),
        ("education-num", "user.demographic", None),
        ("native-country", "user.demographic", None),
        ("city", "user.contact.address.city", None),
        ("country", "user.contact.address.country", None),
        ("customer_id", "user.unique_id", None),
        ("marketing_opt_in", "user.privacy_preferences", None),
        ("email_sha256", "user.unique_id", None),
    ],
)  # fmt: skip
def test_personal_names(column: str, category: str, special: str | None) -> None:
    hint = classify_name(column)
    assert hint is not None, column
    assert hint.data_category == category
    assert hint.special_category == special


@pytest.mark.parametrize(
    "column",
    [
        # UCI Bank Marketing's non-personal columns
        "default", "housing", "contact", "month", "day_of_week", "duration", "campaign",
        "pdays", "previous", "poutcome", "emp.var.rate", "cons.price.idx", "cons.conf.idx",
        "euribor3m", "nr.employed", "y",
        # Adult's
        "fnlwgt", "hours-per-week", "relationship",
        # names that contain a personal word inside another word or as a qualifier
        "page_views", "usage", "mileage", "trace_id", "hotel", "email_verified",
        "phone_count", "is_mobile", "customer_segment", "lifetime_value", "signup_date",
        "genre", "",
    ],
)  # fmt: skip
def test_non_personal_names(column: str) -> None:
    assert classify_name(column) is None


def test_qualifier_keeps_ordinary_rules() -> None:
    # "status" is a qualifier for identifiers only: marital_status still matches
    hint = classify_name("marital_status")
    assert hint is not None and hint.data_category == "user.demographic.marital_status"


def test_vague_names_are_weaker_than_specific_ones() -> None:
    name, first = classify_name("name"), classify_name("first_name")
    assert name is not None and first is not None
    assert name.strength < first.strength


def test_every_rule_category_is_a_fideslang_key_shape() -> None:
    for _, hint in NAME_RULES:
        parts = hint.data_category.split(".")
        assert parts[0] == "user" and all(p and p.replace("_", "").isalnum() for p in parts)
        assert 0 < hint.strength <= 1


def test_name_hint_rejects_bad_strength() -> None:
    with pytest.raises(ValueError, match="strength"):
        NameHint("x", "user.name", strength=0.0)
