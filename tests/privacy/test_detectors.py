"""Each detector on published valid examples, near misses, and independent libraries."""

from __future__ import annotations

import datetime as dt
import random
import re

import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from stdnum import luhn

from fairmark.errors import UsageError
from fairmark.privacy.detectors import DETECTORS, detector_for
from fairmark.privacy.detectors.credit_card import card_scheme, luhn_ok, validate_card
from fairmark.privacy.detectors.date_of_birth import parse_date, validate_dob
from fairmark.privacy.detectors.email import validate_email
from fairmark.privacy.detectors.iban import find_ibans, validate_iban
from fairmark.privacy.detectors.ip_address import validate_ip
from fairmark.privacy.detectors.national_id import national_id_scheme, validate_national_id
from fairmark.privacy.detectors.person import find_person, validate_person
from fairmark.privacy.detectors.phone import DEFAULT_REGIONS, find_phones, validate_phone
from fairmark.privacy.detectors.postal_code import validate_postal_code
from fairmark.privacy.detectors.street_address import validate_street_address
from fairmark.privacy.entities import EntityType

# ----------------------------------------------------------------------------- registry


def test_registry_has_one_detector_per_span_type() -> None:
    kinds = [d.entity_type for d in DETECTORS]
    assert len(kinds) == len(set(kinds))
    assert set(kinds) == set(EntityType) - {EntityType.FREE_TEXT}
    assert detector_for("email_address") is detector_for(EntityType.EMAIL_ADDRESS)
    assert detector_for(EntityType.IBAN_CODE).data_category == "user.financial.bank_account"


def test_detector_for_rejects_unknown_and_free_text() -> None:
    with pytest.raises(UsageError, match="unknown entity type 'SHOE_SIZE'"):
        detector_for("SHOE_SIZE")
    with pytest.raises(UsageError, match="FREE_TEXT has no span detector"):
        detector_for(EntityType.FREE_TEXT)


@pytest.mark.parametrize("detector", DETECTORS, ids=lambda d: d.entity_type.value)
def test_patterns_compile_in_python_and_re2(detector) -> None:
    re.compile(detector.candidate_pattern, re.ASCII)
    for hint in detector.column_name_hints:
        re.compile(hint)
    # RE2 (Arrow's kernel, the same engine as DuckDB's regexp_matches) accepts them too.
    array = pa.array(["x"])
    pc.match_substring_regex(array, detector.candidate_pattern)
    if detector.text_prefilter:
        pc.match_substring_regex(array, detector.text_prefilter)


# ----------------------------------------------------------------------------- cards

# Test PANs published by the schemes / payment processors (Stripe, Adyen test cards).
VALID_CARDS = {
    "4111111111111111": "Visa",
    "4222222222222": "Visa",
    "5555555555554444": "Mastercard",
    "2223000048400011": "Mastercard",
    "378282246310005": "American Express",
    "6011111111111117": "Discover",
    "3530111333300000": "JCB",
    "30569309025904": "Diners Club",
    "6200000000000005": "UnionPay",
    "6759649826438453": "Maestro",
}


@pytest.mark.parametrize(("pan", "scheme"), VALID_CARDS.items())
def test_published_test_cards_are_found(pan: str, scheme: str) -> None:
    assert card_scheme(pan) == scheme
    assert validate_card(pan) == 0.9
    grouped = " ".join(pan[i : i + 4] for i in range(0, len(pan), 4))
    assert validate_card(grouped) == 0.95
    assert validate_card(grouped.replace(" ", "-")) >= 0.9


def test_luhn_agrees_with_python_stdnum() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        digits = "".join(str(rng.randrange(10)) for _ in range(rng.randrange(12, 20)))
        assert luhn_ok(digits) == luhn.is_valid(digits)


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("4111111111111112", 0.0),  # Luhn digit wrong
        ("0000000000000000", 0.0),  # passes Luhn, one digit repeated
        ("4444444444444448", 0.9),  # Visa, Luhn right, not all one digit
        ("9111111111111110", 0.3),  # Luhn right, no scheme issues 9…: needs context
        ("2720999999999996", 0.9),  # top of the Mastercard 2-series
        ("2721000000000004", 0.3),  # just above it
        ("41111111111", 0.0),  # 11 digits: too short for a PAN here
        ("4111 1111 1111 1111 1", 0.0),  # 17 digits: not a Visa length, Luhn wrong
    ],
)
def test_card_near_misses(candidate: str, expected: float) -> None:
    assert validate_card(candidate) == expected


# ----------------------------------------------------------------------------- IBAN


def test_iban_valid_forms() -> None:
    assert validate_iban("GB82 WEST 1234 5698 7654 32") == 0.95
    assert validate_iban("GB82WEST12345698765432") == 0.95
    assert validate_iban("de89370400440532013000") == 0.95


@pytest.mark.parametrize(
    "candidate",
    [
        "GB83 WEST 1234 5698 7654 32",  # check digits wrong
        "GB82 WEST 1234 5698 7654 3",  # too short for GB
        "XX82 WEST 1234 5698 7654 32",  # no such country
        "DE89 3704 0044 0532 0130 00 12",  # too long for DE
    ],
)
def test_iban_rejects(candidate: str) -> None:
    assert validate_iban(candidate) == 0.0


def test_iban_refine_trims_a_following_word() -> None:
    candidate = "GB82 WEST 1234 5698 7654 32 and"
    assert find_ibans(candidate) == [(0, 27, 0.95)]
    assert find_ibans("GB00 WEST 1234") == []


# ----------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("candidate", "region", "expected"),
    [
        ("+44 20 7946 0958", None, 0.75),
        ("0044 20 7946 0958", None, 0.75),
        ("020 7946 0958", None, 0.6),
        ("020 7946 0958", "GB", 0.6),
        ("(212) 555-0199", "US", 0.6),
        ("0490 75 40 81", None, 0.6),  # French mobile
        ("2079460958", "GB", 0.45),  # bare digits: needs a context word in text
        ("+1 984 182 0190", None, 0.5),
        ("259.735.7502x459", None, 0.6),  # extension not counted
        ("463-612-6138 ext. 36", "US", 0.6),  # possible length, exchange 182 not allocated
        ("12.05.2024", None, 0.0),  # a date
        ("2024-05-12", None, 0.0),
        ("106.31.73.20", None, 0.0),  # an IPv4 address
        ("123-45-6789", None, 0.0),  # SSN grouping
        ("123456", None, 0.0),  # too short
        ("+1234567890123456", None, 0.0),  # over 15 digits
    ],
)
def test_phone_examples(candidate: str, region: str | None, expected: float) -> None:
    assert validate_phone(candidate, region) == expected


def test_phone_validation_agrees_with_libphonenumber_parse() -> None:
    """The fast national-number check against ``is_valid_number(parse(...))``."""
    rng = random.Random(11)
    regions = [*DEFAULT_REGIONS, "IT", "NL", "ES", "AU", "CH", "SE", "PL"]
    disagree = []
    n = 0
    while n < 1500:
        region = rng.choice(regions)
        kind = rng.choice(
            [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
        )
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        text = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
        text = re.sub(
            r"[0-9]", lambda m: m.group(0) if rng.random() < 0.7 else str(rng.randrange(10)), text
        )
        digits = re.sub(r"[^0-9]", "", text)
        if not 7 <= len(digits) <= 15 or digits.startswith("00"):
            continue
        n += 1
        try:
            expected = phonenumbers.is_valid_number(phonenumbers.parse(text, region))
        except phonenumbers.NumberParseException:
            expected = False
        if (validate_phone(text, region) > 0) != expected:
            disagree.append((region, text, expected))
    assert len(disagree) <= 3, disagree


def test_find_phones_splits_two_numbers_side_by_side() -> None:
    candidate = "020 7946 0958  0490 75 40 81"
    assert find_phones(candidate) == [(0, 13, 0.6), (15, 28, 0.6)]


# ----------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("jane.doe@example.com", 0.95),
        ("j.o'neil+crm@mail.example.co.uk", 0.95),
        ("josé@exämple.de", 0.95),  # UTF-8 local part, IDN domain
        ("user@xn--bcher-kva.example", 0.95),
        ("jane..doe@example.com", 0.0),  # empty atom
        (".jane@example.com", 0.0),
        ("jane@example", 0.0),  # no top-level label
        ("jane@example.123", 0.0),  # numeric top-level label
        ("jane@-example.com", 0.0),  # label starts with a hyphen
        ("a@b@c.com", 0.0),
        (("x" * 65) + "@example.com", 0.0),  # local part over 64 octets
    ],
)
def test_email(candidate: str, expected: float) -> None:
    assert validate_email(candidate) == expected


# ----------------------------------------------------------------------------- national ids


@pytest.mark.parametrize(
    ("candidate", "scheme", "score"),
    [
        ("460-89-9847", "US SSN", 0.6),
        ("AB 12 34 56 C", "UK NINO", 0.7),
        ("2 95 10 99 126 111 93", "FR NIR", 0.75),  # python-stdnum's documented example
        ("54362315K", "ES DNI", 0.7),
        ("X2482300W", "ES NIE", 0.75),
        ("RCCMNL83S18D969H", "IT codice fiscale", 0.9),
        ("36574261809", "DE IdNr", 0.35),
        ("900001008", "NL BSN", 0.3),  # a 9xx area is no SSN, so only the BSN fits
        ("111222333", "US SSN", 0.3),  # fits both; bare 9 digits stay below 0.5 anyway
    ],
)
def test_national_ids(candidate: str, scheme: str, score: float) -> None:
    assert national_id_scheme(candidate) == (scheme, score)


@pytest.mark.parametrize(
    "candidate",
    [
        "000-12-3456",  # area 000 never issued
        "666-12-3456",
        "912-34-5678",  # 9xx areas are ITINs, not SSNs
        "123-00-4567",
        "123-45-0000",
        "078-05-1120",  # the Woolworth wallet card number
        "GB 12 34 56 A",  # NINO prefix GB is not allocated
        "DA 12 34 56 A",  # D is never a first letter
        "AB 12 34 56 E",  # suffix only A-D
        "54362315J",  # DNI check letter wrong
        "000000011",  # BSN 11-proef fails, and area 000 is no SSN
    ],
)
def test_national_id_rejects(candidate: str) -> None:
    assert validate_national_id(candidate) == 0.0


# ----------------------------------------------------------------------------- IP


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("192.0.2.17", 0.6),
        ("1.2.3.4", 0.4),
        ("2001:db8::1", 0.8),
        ("::ffff:192.0.2.1", 0.8),
        ("6e40:4041:c617:e898:c11:40d2:c669:2eb4", 0.8),
        ("256.1.1.1", 0.0),
        ("192.168.01.1", 0.0),  # leading zero is ambiguous (octal), rejected
        ("12:20:39", 0.0),  # a time
        ("::", 0.0),
    ],
)
def test_ip(candidate: str, expected: float) -> None:
    assert validate_ip(candidate) == expected


# ----------------------------------------------------------------------------- date of birth

TODAY = dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("1985-03-12", dt.date(1985, 3, 12)),
        ("1978-04-13 12:20:39", dt.date(1978, 4, 13)),
        ("12/03/1985", dt.date(1985, 3, 12)),  # day first when both fit
        ("6/24/1991", dt.date(1991, 6, 24)),  # month first when day-first is impossible
        ("3-12-85", dt.date(1985, 12, 3)),
        ("1.2.24", dt.date(2024, 2, 1)),
        ("12 March 1985", dt.date(1985, 3, 12)),
        ("March 12th, 1985", dt.date(1985, 3, 12)),
        ("31/02/1990", None),
        ("12 Smarch 1985", None),
    ],
)
def test_parse_date(candidate: str, expected: dt.date | None) -> None:
    assert parse_date(candidate, today=TODAY) == expected


def test_dob_plausibility() -> None:
    assert validate_dob("2/8/1935", today=TODAY) == 0.4
    assert validate_dob("2030-01-01", today=TODAY) == 0.0  # in the future
    assert validate_dob("1890-01-01", today=TODAY) == 0.0  # over 120 years ago
    assert detector_for("DATE_OF_BIRTH").needs_context


# ----------------------------------------------------------------------------- postal codes


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("SW1A 1AA", 0.65),
        ("EC1A1BB", 0.65),
        ("K1A 0B1", 0.65),
        ("20500-0003", 0.45),
        ("90210", 0.3),
        ("1012 AB", 0.2),
        ("53-320", 0.2),
        ("QW1 1AA", 0.0),  # Q is never a first letter of a UK postcode
        ("SW1A 1AI", 0.0),  # I is not an inward-code letter
        ("00000", 0.0),
    ],
)
def test_postal_code(candidate: str, expected: float) -> None:
    assert validate_postal_code(candidate) == expected


# ----------------------------------------------------------------------------- street


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1668 Glyn St", 0.7),
        ("14 Crown Street, Apt. 4", 0.7),
        ("12 rue de la Paix", 0.7),
        ("Via Franscini 71", 0.7),
        ("Rua do Arenque 1634", 0.7),
        ("Hauptstraße 5", 0.7),
        ("Præstevænget 15", 0.7),
        ("Erzsébet tér 19.", 0.7),
        ("Suite 501", 0.55),
        ("PO Box 1234", 0.55),
        ("During 1971 we grew", 0.0),
        ("answering at 780", 0.0),
        ("see you at 5", 0.0),
    ],
)
def test_street_address(value: str, expected: float) -> None:
    assert validate_street_address(value) == expected


# ----------------------------------------------------------------------------- person


@pytest.mark.parametrize(
    ("candidate", "name", "score"),
    [
        ("Dr. Cettina Fanucci", "Cettina Fanucci", 0.85),
        ("Dear Mr Smith", "Smith", 0.85),
        ("my name is Faina D. Yefremova", "Faina D. Yefremova", 0.75),
        ("Regards,\nŠárka Ottová", "Šárka Ottová", 0.75),
        ("Hi Anna", "Anna", 0.65),
    ],
)
def test_person_after_cue(candidate: str, name: str, score: float) -> None:
    [(start, end, got)] = find_person(candidate)
    assert candidate[start:end] == name
    assert got == score


@pytest.mark.parametrize("candidate", ["Dear Customer", "Hi Team", "this is Monday", "Hi All"])
def test_person_cue_without_a_name(candidate: str) -> None:
    assert find_person(candidate) == []


def test_person_value_alone() -> None:
    assert validate_person("Jane Doe") == 0.3
    assert validate_person("Jane") == 0.0  # one word is too weak
    assert validate_person("Dear Customer") == 0.0
    assert validate_person("jane doe") == 0.0
