"""Masked examples: the documented shapes, and never the raw value."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fairmark.privacy.entities import EntityType
from fairmark.privacy.masking import MAX_TEXT_CHARS, mask


@pytest.mark.parametrize(
    ("value", "entity", "masked"),
    [
        ("john@example.com", EntityType.EMAIL_ADDRESS, "j***@e******.com"),
        ("a@b.co", EntityType.EMAIL_ADDRESS, "*@*.co"),
        ("j.doe@mail.example.co.uk", EntityType.EMAIL_ADDRESS, "j****@m***.e******.c*.uk"),
        ("4111 1111 1111 1234", EntityType.CREDIT_CARD, "**** **** **** 1234"),
        ("4111-1111-1111-1234", EntityType.CREDIT_CARD, "****-****-****-1234"),
        ("378282246310005", EntityType.CREDIT_CARD, "***********0005"),
        ("+44 20 7946 0958", EntityType.PHONE_NUMBER, "+44 ** **** *958"),
        ("020 7946 0958", EntityType.PHONE_NUMBER, "0** **** *958"),
        ("(212) 555-0123", EntityType.PHONE_NUMBER, "(***) ***-*123"),
        ("+1 212-555-0123", EntityType.PHONE_NUMBER, "+1 ***-***-*123"),
        ("DE89 3704 0044 0532 0130 00", EntityType.IBAN_CODE, "DE** **** **** **** **30 00"),
        ("GB82WEST12345698765432", EntityType.IBAN_CODE, "GB****************5432"),
        ("123-45-6789", EntityType.NATIONAL_ID, "***-**-**89"),
        ("AB 12 34 56 C", EntityType.NATIONAL_ID, "** ** ** *6 C"),
        ("203.0.113.7", EntityType.IP_ADDRESS, "203.*.***.*"),
        ("2001:db8::1", EntityType.IP_ADDRESS, "2001:***::*"),
        ("1985-03-12", EntityType.DATE_OF_BIRTH, "19**-**-**"),
        ("12/03/1985", EntityType.DATE_OF_BIRTH, "**/**/19**"),
        ("12 March 1985", EntityType.DATE_OF_BIRTH, "** M**** 19**"),
        ("SW1A 1AA", EntityType.POSTAL_CODE, "SW** ***"),
        ("90210", EntityType.POSTAL_CODE, "90***"),
        ("Mary O'Neil", EntityType.PERSON, "M*** O'N***"),
        ("Jürgen Müller", EntityType.PERSON, "J***** M*****"),
        ("221B Baker Street", EntityType.STREET_ADDRESS, "**** B**** S*****"),
        ("Call 020 7946 0958 today", EntityType.FREE_TEXT, "C*** *** **** **** t****"),
        ("Call 020 7946 0958 today", None, "C*** *** **** **** t****"),
        ("Call 020 7946 0958 today", "NOT_A_TYPE", "C*** *** **** **** t****"),
    ],
)
def test_documented_shapes(value: str, entity: str | None, masked: str) -> None:
    assert mask(value, entity) == masked


def test_string_entity_names_work_like_enum_members() -> None:
    assert mask("john@example.com", "EMAIL_ADDRESS") == mask(
        "john@example.com", EntityType.EMAIL_ADDRESS
    )


def test_values_a_rule_would_leave_unchanged_become_stars() -> None:
    assert mask("a", EntityType.PERSON) == "*"
    assert mask("I", None) == "*"
    assert mask("---", None) == "***"
    assert mask("", EntityType.EMAIL_ADDRESS) == ""


def test_long_free_text_is_cut() -> None:
    text = "word " * 40
    out = mask(text, EntityType.FREE_TEXT)
    assert out.endswith("…") and len(out) == MAX_TEXT_CHARS + 1


def test_non_text_is_refused() -> None:
    with pytest.raises(TypeError, match="str"):
        mask(12345, EntityType.POSTAL_CODE)  # type: ignore[arg-type]


_ENTITIES = [None, *EntityType]


@settings(max_examples=200, deadline=None)
@given(value=st.text(min_size=1, max_size=80), entity=st.sampled_from(_ENTITIES))
def test_mask_never_returns_a_value_with_letters_or_digits(value: str, entity: object) -> None:
    assume(any(ch.isalnum() for ch in value))
    out = mask(value, entity)  # type: ignore[arg-type]
    assert out != value


@settings(max_examples=200, deadline=None)
@given(
    value=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=30),
    entity=st.sampled_from(_ENTITIES),
)
def test_most_characters_of_an_identifier_are_hidden(value: str, entity: object) -> None:
    out = mask(value, entity)  # type: ignore[arg-type]
    visible = sum(1 for a, b in zip(value, out, strict=False) if a == b)
    # at most 4 (card's last four) or the first two + last four (IBAN), never the rest
    assert visible <= 6
