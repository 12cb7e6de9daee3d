"""Golden vectors of audience match keys, per platform.

Where a platform publishes an example (input, normalised form and/or SHA-256 digest) the
test uses it verbatim and names the page; the other cases are derived by hand from the
platform's written rule and hashed independently with :mod:`hashlib`.
"""

from __future__ import annotations

import hashlib

import pytest

from fairmark.errors import DataError, UsageError
from fairmark.privacy.audience import NormalisationError, match_key, normalise
from fairmark.privacy.audience.match_key import check_region, hash_key
from fairmark.privacy.audience.normalise import normalise_birth_part


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- published vectors -------------------------------------------------------------------

# Meta Conversions API, customer information parameters (same normalisation as customer
# lists): developers.facebook.com/docs/marketing-api/conversions-api/parameters/
# customer-information-parameters
META_PUBLISHED = [
    ("John_Smith@gmail.com", "email", None,
     "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"),
    ("(650)555-1212", "phone", "US",
     "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"),
    ("Mary", "first_name", None,
     "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec"),
    ("Valéry", "first_name", None,
     "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c"),
    ("정", "first_name", None,
     "8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14"),
    ("US", "country", None,
     "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"),
]  # fmt: skip


@pytest.mark.parametrize(("value", "field", "region", "digest"), META_PUBLISHED)
def test_meta_published_examples(value: str, field: str, region: str | None, digest: str) -> None:
    assert match_key(value, field, "meta", region=region) == digest


def test_meta_phone_normalised_form_is_digits_with_country_code() -> None:
    # Meta's example: US phone number (650)555-1212 -> normalized format 16505551212.
    assert normalise("(650)555-1212", "phone", "meta", region="US") == "16505551212"
    # Meta Business Help "How to format a customer list" example input +44 844 412 4653;
    # Snap's Conversions API page (same digits-only rule) publishes 448444124653 and this
    # digest for it.
    assert normalise("+44 844 412 4653", "phone", "meta") == "448444124653"
    assert match_key("+44 844 412 4653", "phone", "meta") == (
        "dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383"
    )


# Google Data Manager API quickstart (developers.google.com/data-manager/api/get-started/
# quickstart): sample e-mails and their hex-encoded SHA-256.
GOOGLE_QUICKSTART = [
    ("dana@example.com", "07e2f1394b0ea80e2adca010ea8318df697001a005ba7452720edda4b0ce57b3"),
    ("DanaM@example.com", "1df6b43bc68dd38eca94e6a65b4f466ae537b796c81a526918b40ac4a7b906c7"),
    ("ALEXJ@example.com", "2ef46c4214c3fc1b277a2d976d55194e12b899aa50d721f28da858c7689756e3"),
]


@pytest.mark.parametrize(("value", "digest"), GOOGLE_QUICKSTART)
def test_google_quickstart_emails(value: str, digest: str) -> None:
    assert match_key(value, "email", "google") == digest


# Google's Data Manager utility tests (github.com/googleads/data-manager-python,
# tests/formatter_test.py).
@pytest.mark.parametrize(
    "variant",
    [
        "alexz@example.com",
        "  alexz@example.com",
        "  ALEXZ@example.com   ",
        "  alexz@EXAMPLE.com   ",
    ],
)
def test_google_email_variants_share_one_digest(variant: str) -> None:
    assert match_key(variant, "email", "google") == (
        "509e933019bb285a134a9334b8bb679dff79d0ce023d529af4bd744d47b4fd8a"
    )


@pytest.mark.parametrize(
    ("value", "region"),
    [("+18005550100", None), ("   +1-800-555-0100", None), ("1-800-555-0100   ", "US")],
)
def test_google_phone_digest(value: str, region: str | None) -> None:
    assert normalise(value, "phone", "google", region=region) == "+18005550100"
    assert match_key(value, "phone", "google", region=region) == (
        "fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30"
    )


def test_google_name_digests() -> None:
    given = "128a07bfe2df877c52076e60d7774cf5baaa046c5a6c48daf30ff43ecca2f814"
    family = "77762c287e61ce065bee5c15464012c6fbe088398b8057627d5577249430d574"
    assert match_key("Givenname", "first_name", "google") == given
    assert match_key("  GivenName  ", "first_name", "google") == given
    assert match_key("  FamilyName ", "last_name", "google") == family


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jefferson.Loves.hiking@gmail.com", "jeffersonloveshiking@gmail.com"),
        ("Jefferson.LOVES.Hiking@googlemail.com", "jeffersonloveshiking@googlemail.com"),
        ("Cloudy.SanFrancisco+shopping@googlemail.com", "cloudysanfrancisco@googlemail.com"),
        ("Cloudy.SanFrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com"),
        ("user.name+NYC@Example.com", "user.name+nyc@example.com"),
        ("QuinnY@EXAMPLE.com", "quinny@example.com"),
    ],
)
def test_google_gmail_rules_only_for_google_domains(value: str, expected: str) -> None:
    # Google Data Manager API "Format user data" and data-manager-python formatter tests.
    assert normalise(value, "email", "google") == expected


def test_google_country_and_zip_are_not_hashed() -> None:
    assert normalise(" us", "country", "google") == "US"
    assert normalise(" 1229-076  ", "postal_code", "google") == "1229-076"
    with pytest.raises(UsageError, match="unhashed"):
        match_key("US", "country", "google")


# TikTok Ads Help, "List of supported IDs and formats for a customer file" (Aug 2025).
def test_tiktok_phone_examples() -> None:
    assert normalise("(657)777-0000", "phone", "tiktok", region="US") == "16577770000"
    # Written with its country code but no '+': fairmark needs the region to know that.
    assert normalise("374-93-828222", "phone", "tiktok", region="AM") == "37493828222"
    assert match_key("(657)777-0000", "phone", "tiktok", region="US") == sha("16577770000")


def test_tiktok_strips_plus_tag_on_every_domain() -> None:
    assert normalise("Name+Promo@Example.com", "email", "tiktok") == "name@example.com"
    assert normalise("firstname-lastname@gmail.com", "email", "tiktok") == (
        "firstname-lastname@gmail.com"
    )
    # ...while Meta, X and LinkedIn keep the tag (no published rule asks to remove it).
    for platform in ("meta", "x", "linkedin"):
        assert normalise("Name+Promo@Example.com", "email", platform) == "name+promo@example.com"
        assert normalise("first.last@gmail.com", "email", platform) == "first.last@gmail.com"


def test_x_email_lowercase_trimmed_and_digest_lowercase() -> None:
    # X Ads API "Custom Audiences User Data": lowercase, trim; hash must be lower case.
    key = match_key("  Jack@Example.COM ", "email", "x")
    assert key == sha("jack@example.com")
    assert key == key.lower() and len(key) == 64


def test_x_phone_is_digits_with_country_code() -> None:
    assert normalise("020 7946 0958", "phone", "x", region="GB") == "442079460958"


def test_linkedin_fields() -> None:
    assert match_key(" Mike@Example.com", "email", "linkedin") == sha("mike@example.com")
    assert normalise("  Mike   O'Neil ", "last_name", "linkedin") == "Mike O'Neil"
    assert normalise("united states", "country", "linkedin") == "US"
    with pytest.raises(NormalisationError) as err:
        normalise("A" * 36, "first_name", "linkedin")
    assert err.value.code == "too_long"
    with pytest.raises(UsageError, match="linkedin does not take 'phone'"):
        normalise("+442079460958", "phone", "linkedin")


# --- the phone rules of the issue ---------------------------------------------------------


@pytest.mark.parametrize("platform", ["meta", "google", "tiktok", "x"])
def test_uk_national_number_with_region(platform: str) -> None:
    e164 = normalise("020 7946 0958", "phone", "google", region="GB")
    assert e164 == "+442079460958"
    expected = e164 if platform == "google" else e164[1:]
    assert normalise("020 7946 0958", "phone", platform, region="GB") == expected
    assert match_key("020 7946 0958", "phone", platform, region="GB") == sha(expected)


@pytest.mark.parametrize("platform", ["meta", "google", "tiktok", "x"])
def test_uk_national_number_without_region_is_an_error(platform: str) -> None:
    with pytest.raises(NormalisationError) as err:
        match_key("020 7946 0958", "phone", platform)
    assert err.value.code == "phone_needs_region"
    assert "--region" in err.value.message
    assert isinstance(err.value, DataError)


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("+44 20 7946 0958", None),
        ("+44 (0) 20 7946 0958", None),
        ("0044 20 7946 0958", None),
        ("0044 20 7946 0958", "GB"),
        ("020-7946-0958", "GB"),
        ("020 7946 0958 ext. 12", "GB"),
        ("2079460958", "GB"),
    ],
)
def test_uk_number_written_many_ways(value: str, region: str | None) -> None:
    assert normalise(value, "phone", "google", region=region) == "+442079460958"


def test_leading_zero_of_the_national_number_is_never_dropped() -> None:
    # Italian numbers keep their 0 after the country code (libphonenumber metadata):
    # dropping "leading zeros" naively would give 39669823148, another number.
    assert normalise("06 6982 3148", "phone", "google", region="IT") == "+390669823148"
    assert normalise("06 6982 3148", "phone", "meta", region="IT") == "390669823148"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0800 FLOWERS", "phone_letters"),
        ("+44 20 7946 095", "phone_invalid"),
        ("+", "phone_unparseable"),
        ("   ", "empty"),
    ],
)
def test_bad_phones_are_rejected_with_a_reason(value: str, code: str) -> None:
    with pytest.raises(NormalisationError) as err:
        normalise(value, "phone", "meta", region="GB")
    assert err.value.code == code


# --- e-mail, names and the rest (hand-derived from the written rules) ------------------------


def test_same_email_hashed_twice_gives_the_same_digest() -> None:
    first = match_key("Jane.Doe@Example.org", "email", "meta")
    second = match_key("Jane.Doe@Example.org", "email", "meta")
    assert first == second == sha("jane.doe@example.org")
    assert match_key(" JANE.DOE@EXAMPLE.ORG ", "email", "meta") == first


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("jane doe@example.org", "email_whitespace"),
        ("jane.example.org", "invalid_email"),
        ("jane@@example.org", "invalid_email"),
        ("jane@localhost", "invalid_email"),
        (".jane@example.org", "invalid_email"),
        ("", "empty"),
    ],
)
def test_bad_emails(value: str, code: str) -> None:
    with pytest.raises(NormalisationError) as err:
        match_key(value, "email", "meta")
    assert err.value.code == code


def test_gmail_address_empty_after_google_rules() -> None:
    with pytest.raises(NormalisationError) as err:
        normalise("...@gmail.com", "email", "google")
    assert err.value.code in {"invalid_email", "empty_after_normalisation"}
    with pytest.raises(NormalisationError) as err:
        normalise("+tag@gmail.com", "email", "google")
    assert err.value.code == "empty_after_normalisation"


def test_meta_names_keep_letters_only() -> None:
    assert normalise("Mary-Jane", "first_name", "meta") == "maryjane"
    assert normalise(" O'Brien ", "last_name", "meta") == "obrien"
    assert normalise("Mary Ann", "first_name", "meta") == "maryann"
    # Combining marks stay (Devanagari), the text is NFC.
    assert normalise("महाराष्ट्र", "state", "meta") == "महाराष्ट्र"
    with pytest.raises(NormalisationError) as err:
        normalise("R2D2", "first_name", "meta")
    assert err.value.code == "name_digits"
    with pytest.raises(NormalisationError) as err:
        normalise("--", "first_name", "meta")
    assert err.value.code == "empty_after_normalisation"


def test_google_names_drop_punctuation_keep_inner_space() -> None:
    assert normalise("Mary Ann", "first_name", "google") == "mary ann"
    assert normalise("O'Brien-Smith", "last_name", "google") == "obriensmith"


def test_meta_city_state_zip_country() -> None:
    assert match_key("Menlo Park", "city", "meta") == sha("menlopark")
    assert normalise("São Paulo", "city", "meta") == "sãopaulo"
    assert match_key("CA", "state", "meta") == sha("ca")
    assert normalise("California", "state", "meta") == "ca"
    assert normalise("New York", "state", "meta", region="US") == "ny"
    assert normalise("Bavaria", "state", "meta", region="DE") == "bavaria"
    assert normalise("94035-1234", "postal_code", "meta") == "94035"
    assert normalise("02134", "postal_code", "meta", region="US") == "02134"
    assert normalise("SW1A 1AA", "postal_code", "meta") == "sw1a1"
    assert normalise("sw1a1aa", "postal_code", "meta", region="GB") == "sw1a1"
    assert normalise("75008", "postal_code", "meta", region="FR") == "75008"
    assert normalise("United Kingdom", "country", "meta") == "gb"
    assert normalise("UK", "country", "meta") == "gb"
    with pytest.raises(NormalisationError) as err:
        normalise("Narnia", "country", "meta")
    assert err.value.code == "country_unknown"
    with pytest.raises(NormalisationError) as err:
        normalise("ABCDE", "postal_code", "meta", region="US")
    assert err.value.code == "postal_code_invalid"


def test_meta_birth_date_parts_and_gender() -> None:
    assert match_key("1997-02-16", "birth_year", "meta") == sha("1997")
    assert normalise("16/02/1997", "birth_month", "meta") == "02"
    assert normalise("02/16/1997", "birth_day", "meta") == "16"
    assert normalise("7", "birth_day", "meta") == "07"
    assert match_key("Female", "gender", "meta") == sha("f")
    assert normalise("M", "gender", "meta") == "m"
    for value, code in [
        ("03/04/1997", "date_ambiguous"),
        ("1899-12-31", "date_out_of_range"),
        ("1997-02-30", "date_invalid"),
        ("13", "date_invalid"),
    ]:
        with pytest.raises(NormalisationError) as err:
            normalise(value, "birth_month", "meta")
        assert err.value.code == code, value
    with pytest.raises(NormalisationError) as err:
        normalise("non-binary", "gender", "meta")
    assert err.value.code == "gender_unsupported"
    from datetime import date

    with pytest.raises(NormalisationError) as err:
        normalise_birth_part("2031-01-01", part="year", today=date(2030, 6, 1))
    assert err.value.code == "date_out_of_range"


def test_already_hashed_values_pass_only_where_hashing_is_asked() -> None:
    digest = sha("jane.doe@example.org")
    assert match_key(digest.upper(), "email", "meta") == digest
    assert match_key(f"  {digest} ", "email", "google") == digest
    with pytest.raises(NormalisationError) as err:
        normalise(digest, "country", "google")
    assert err.value.code == "hash_not_allowed"
    with pytest.raises(NormalisationError) as err:
        normalise(digest, "first_name", "linkedin")
    assert err.value.code == "hash_not_allowed"


def test_empty_string_is_never_hashed() -> None:
    with pytest.raises(UsageError):
        hash_key("")
    with pytest.raises(UsageError):
        hash_key("   ")


def test_usage_errors_name_what_is_expected() -> None:
    with pytest.raises(UsageError, match="expected one of meta, google, tiktok, x, linkedin"):
        match_key("a@b.com", "email", "facebook")
    with pytest.raises(UsageError, match="unknown field 'mail'"):
        match_key("a@b.com", "mail", "meta")
    with pytest.raises(UsageError, match="birth_year, birth_month, birth_day"):
        match_key("1997-02-16", "date_of_birth", "meta")
    with pytest.raises(UsageError, match="unknown region 'XX'"):
        match_key("020 7946 0958", "phone", "meta", region="XX")
    assert check_region("uk") == "GB"
    assert check_region(" gb ") == "GB"
