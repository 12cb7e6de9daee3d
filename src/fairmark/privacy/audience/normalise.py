"""Pure normalisation functions, one per identifier field, for audience match keys.

Each function takes one raw value (a ``str``) and the options of a platform profile
(:mod:`fairmark.privacy.audience.profiles`) and returns the normalised text that is
hashed, or uploaded as it is for fields a platform wants unhashed. A value that cannot be
normalised raises :class:`NormalisationError` with a stable reason ``code``; nothing is
ever guessed (a national phone number without a region is an error, never a number with
its leading zero dropped) and an empty result is an error, never an empty string.

Sources of each rule are given in the profiles; the functions here implement them:

* e-mail: trim, lowercase (Meta, Google, TikTok, X, LinkedIn); Gmail/Googlemail dots and
  ``+tag`` removed for Google (Google Data Manager API "Format user data"), ``+tag`` for
  every domain for TikTok ("List of supported IDs and formats for a customer file");
* phone: ITU-T E.164 via ``phonenumbers`` (Google's libphonenumber metadata), written
  ``+CC…`` (Google) or as digits only (Meta, TikTok, X);
* names, city, state, postal code, country, date of birth, gender: Meta's "Hashing and
  normalization" table of the Customer File Custom Audiences guide and Google's
  AddressInfo rules.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache
from typing import Literal

from fairmark.errors import DataError

__all__ = [
    "SHA256_HEX",
    "NormalisationError",
    "country_code",
    "is_sha256_hex",
    "normalise_birth_part",
    "normalise_city",
    "normalise_country",
    "normalise_email",
    "normalise_gender",
    "normalise_name",
    "normalise_phone",
    "normalise_plain_text",
    "normalise_postal_code",
    "normalise_state",
]

SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
"""A SHA-256 digest written in hexadecimal (64 characters, either case)."""

NameStyle = Literal["letters", "no_punctuation"]
PhoneStyle = Literal["e164", "digits"]
PlusTag = Literal["never", "gmail", "always"]
CountryCase = Literal["lower", "upper"]
PostalStyle = Literal["meta", "trim"]
BirthPart = Literal["year", "month", "day"]

_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_EMAIL_LOCAL = re.compile(r"^[^\s@\"(),:;<>\[\]\\]+$")
_EMAIL_DOMAIN = re.compile(r"^[^\s@\"(),:;<>\[\]\\.]+(\.[^\s@\"(),:;<>\[\]\\.]+)+$")
_EXTENSION = re.compile(r"(?i)\s*(?:ext\.?|extension|x|#)\s*\d{1,7}\s*$")
_US_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")
_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d)([A-Z]{2})$")
_ISO_DATE = re.compile(r"^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})$")
_DMY_OR_MDY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_MIN_BIRTH_YEAR = 1900


class NormalisationError(DataError):
    """A value cannot be normalised for a platform; it is reported, never uploaded.

    Parameters
    ----------
    code : str
        Stable reason code (``invalid_email``, ``phone_needs_region`` …) for reports.
    message : str
        One line saying what is wrong and what was expected. Never contains the value.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def is_sha256_hex(value: str) -> bool:
    """Return whether ``value`` (trimmed) is a hexadecimal SHA-256 digest (64 hex chars)."""
    return bool(SHA256_HEX.match(value.strip()))


def _text(value: str, what: str) -> str:
    """Trim ``value`` (Unicode NFC) and refuse an empty result."""
    if not isinstance(value, str):
        raise NormalisationError("not_text", f"{what} is a {type(value).__name__}; expected text")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise NormalisationError("empty", f"{what} is empty")
    return text


def normalise_email(value: str, *, plus_tag: PlusTag = "never", gmail_dots: bool = False) -> str:
    """Return an e-mail address trimmed and lowercased, with the platform's extra rules.

    Parameters
    ----------
    value : str
        The address as written, e.g. ``" John.Smith+news@Gmail.com "``.
    plus_tag : {"never", "gmail", "always"}
        Remove ``+`` and what follows it in the local part: never (Meta, X, LinkedIn), for
        gmail.com/googlemail.com only (Google), or for every domain (TikTok).
    gmail_dots : bool
        Remove every ``.`` of the local part of gmail.com/googlemail.com addresses
        (Google).

    Returns
    -------
    str
        E.g. ``"johnsmith@gmail.com"`` under Google's rules.

    Raises
    ------
    NormalisationError
        ``empty``; ``email_whitespace`` (a space inside the address); ``invalid_email``
        (not ``local@domain.tld``); ``empty_after_normalisation``.

    Notes
    -----
    Sources: Meta "Customer File Custom Audiences", hashing table (EMAIL: trim, lowercase);
    Google Data Manager API "Format user data" (lowercase; for gmail.com and
    googlemail.com remove periods and ``+`` suffix; example
    ``cloudy.sanfrancisco+shopping@gmail.com`` → ``cloudysanfrancisco@gmail.com``);
    TikTok "List of supported IDs and formats for a customer file" (lowercase, remove
    ``+`` and following characters until ``@``).
    """
    text = _text(value, "e-mail address")
    if re.search(r"\s", text):
        raise NormalisationError(
            "email_whitespace", "e-mail address contains a space; expected one address"
        )
    text = text.lower()
    if text.count("@") != 1:
        raise NormalisationError(
            "invalid_email", "e-mail address does not have exactly one @; expected local@domain"
        )
    local, domain = text.split("@")
    if (
        not _EMAIL_LOCAL.match(local)
        or local.startswith(".")
        or local.endswith(".")
        or not _EMAIL_DOMAIN.match(domain)
    ):
        raise NormalisationError(
            "invalid_email", "not a valid e-mail address; expected local@domain.tld"
        )
    is_gmail = domain in _GMAIL_DOMAINS
    if plus_tag == "always" or (plus_tag == "gmail" and is_gmail):
        local = local.split("+", 1)[0]
    if gmail_dots and is_gmail:
        local = local.replace(".", "")
    if not local:
        raise NormalisationError(
            "empty_after_normalisation",
            "e-mail address has nothing before @ once the platform's rules are applied",
        )
    return f"{local}@{domain}"


def normalise_phone(value: str, *, region: str | None = None, style: PhoneStyle = "e164") -> str:
    """Return a phone number in ITU-T E.164 form (``+442079460958``) or its digits.

    Parameters
    ----------
    value : str
        The number as written: international (``+44 20 7946 0958``, ``0044 …``) or
        national (``020 7946 0958``, ``(650) 555-1212``). An extension (``ext. 12``) is
        dropped: E.164 has none.
    region : str, optional
        ISO 3166-1 alpha-2 region of numbers written without a country code (``GB``);
        its national trunk prefix is removed by the numbering plan, never by dropping
        a leading zero (Italian numbers keep theirs: ``06 6982 3148`` → ``+390669823148``).
    style : {"e164", "digits"}
        ``e164`` keeps the ``+`` (Google); ``digits`` writes country code and number
        without it (Meta, TikTok, X).

    Returns
    -------
    str
        ``"+442079460958"`` or ``"442079460958"``.

    Raises
    ------
    NormalisationError
        ``empty``; ``phone_letters`` (letters other than an extension);
        ``phone_needs_region`` (no country code and no region);
        ``phone_unparseable``; ``phone_invalid`` (not a valid number of its country's
        numbering plan in libphonenumber's metadata).

    Notes
    -----
    Sources: ITU-T Recommendation E.164 (number format); libphonenumber metadata (the
    ``phonenumbers`` package) for national trunk prefixes and validity; Google Data
    Manager API "Format user data" (E.164 with ``+``); Meta customer information
    parameters (digits with country code, no ``+``, no leading zeros; example
    ``(650)555-1212`` → ``16505551212``); TikTok customer file formats (``(657)777-0000``
    → ``16577770000``).
    """
    import phonenumbers

    text = _text(value, "phone number")
    main = _EXTENSION.sub("", text)
    if re.search(r"[^\W\d_]", main):
        raise NormalisationError("phone_letters", "phone number contains letters; expected digits")
    digits_only = re.sub(r"[^\d+]", "", main)
    international = digits_only.startswith("+") or (region is None and digits_only.startswith("00"))
    if not international and region is None:
        raise NormalisationError(
            "phone_needs_region",
            "phone number has no country code; give a default region (--region, e.g. GB) "
            "or write it as +<country code>",
        )
    candidate = "+" + digits_only[2:] if region is None and digits_only.startswith("00") else main
    try:
        number = phonenumbers.parse(candidate, None if international else region)
    except phonenumbers.NumberParseException:
        raise NormalisationError(
            "phone_unparseable", "not a phone number the numbering plan can read"
        ) from None
    if not phonenumbers.is_valid_number(number):
        where = phonenumbers.region_code_for_country_code(number.country_code)
        if where in (None, "ZZ", "001"):
            where = f"+{number.country_code}"
        raise NormalisationError(
            "phone_invalid", f"not a valid phone number in the {where} numbering plan"
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164 if style == "e164" else e164[1:]


def normalise_name(value: str, *, style: NameStyle) -> str:
    """Return a first or last name lowercased under the platform's punctuation rule.

    Parameters
    ----------
    value : str
        E.g. ``"Mary-Jane"``, ``"O'Brien"``, ``"Valéry"``, ``"정"``.
    style : {"letters", "no_punctuation"}
        ``letters`` (Meta: "a-z only, lowercase, no punctuation, special characters in
        UTF-8"): keep Unicode letters and combining marks only, so spaces, hyphens and
        apostrophes go (``"Mary-Jane"`` → ``"maryjane"``). ``no_punctuation`` (Google:
        "all lowercase, with no punctuation, no leading or trailing whitespace"): remove
        punctuation and symbols, collapse inner spaces (``"Mary Ann"`` → ``"mary ann"``).

    Returns
    -------
    str
        Unicode NFC, lowercase.

    Raises
    ------
    NormalisationError
        ``empty``; ``name_digits`` (a name with digits); ``empty_after_normalisation``.
    """
    text = _text(value, "name").lower()
    if any(ch.isdigit() for ch in text):
        raise NormalisationError("name_digits", "name contains digits; expected a name")
    if style == "letters":
        out = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LM")
    else:
        kept = [
            " " if ch.isspace() else ch
            for ch in text
            if ch.isspace() or unicodedata.category(ch)[0] in "LM"
        ]
        out = " ".join("".join(kept).split())
    if not out:
        raise NormalisationError(
            "empty_after_normalisation", "name has no letters once punctuation is removed"
        )
    return unicodedata.normalize("NFC", out)


def normalise_city(value: str) -> str:
    """Return a city name in Meta's form: lowercase letters only, no spaces or punctuation.

    ``"Menlo Park"`` → ``"menlopark"``; ``"São Paulo"`` → ``"sãopaulo"`` (UTF-8 letters
    kept).

    Raises
    ------
    NormalisationError
        ``empty``; ``city_digits``; ``empty_after_normalisation``.

    Notes
    -----
    Source: Meta Customer File Custom Audiences hashing table, CT: "a-z only, lowercase,
    no punctuation, no special characters, no white space".
    """
    text = _text(value, "city").lower()
    if any(ch.isdigit() for ch in text):
        raise NormalisationError("city_digits", "city contains digits; expected a city name")
    out = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LM")
    if not out:
        raise NormalisationError("empty_after_normalisation", "city has no letters")
    return out


_US_STATES: dict[str, str] = {
    "alabama": "al", "alaska": "ak", "arizona": "az", "arkansas": "ar", "california": "ca",
    "colorado": "co", "connecticut": "ct", "delaware": "de", "districtofcolumbia": "dc",
    "florida": "fl", "georgia": "ga", "hawaii": "hi", "idaho": "id", "illinois": "il",
    "indiana": "in", "iowa": "ia", "kansas": "ks", "kentucky": "ky", "louisiana": "la",
    "maine": "me", "maryland": "md", "massachusetts": "ma", "michigan": "mi",
    "minnesota": "mn", "mississippi": "ms", "missouri": "mo", "montana": "mt",
    "nebraska": "ne", "nevada": "nv", "newhampshire": "nh", "newjersey": "nj",
    "newmexico": "nm", "newyork": "ny", "northcarolina": "nc", "northdakota": "nd",
    "ohio": "oh", "oklahoma": "ok", "oregon": "or", "pennsylvania": "pa",
    "rhodeisland": "ri", "southcarolina": "sc", "southdakota": "sd", "tennessee": "tn",
    "texas": "tx", "utah": "ut", "vermont": "vt", "virginia": "va", "washington": "wa",
    "westvirginia": "wv", "wisconsin": "wi", "wyoming": "wy", "americansamoa": "as",
    "guam": "gu", "northernmarianaislands": "mp", "puertorico": "pr",
    "usvirginislands": "vi", "virginislands": "vi",
}  # fmt: skip
"""US states, DC and territories: name (letters only, lowercase) → ANSI/USPS code."""


def normalise_state(value: str, *, region: str | None = None) -> str:
    """Return a state or province in Meta's form.

    US states (named or coded, when ``region`` is ``None`` or ``US``) become their
    two-letter ANSI code in lowercase (``"California"`` → ``"ca"``, ``"CA"`` → ``"ca"``);
    other states and provinces are lowercase letters only, no punctuation or spaces.

    Raises
    ------
    NormalisationError
        ``empty``; ``state_digits``; ``empty_after_normalisation``.

    Notes
    -----
    Source: Meta Customer File Custom Audiences hashing table, ST: "Use the 2-character
    ANSI abbreviation code, lowercase. Normalize states outside U.S. in lowercase, no
    punctuation, no special characters, no white space." Codes: ANSI INCITS 38:2009
    (formerly FIPS 5-2).
    """
    text = _text(value, "state").lower()
    if any(ch.isdigit() for ch in text):
        raise NormalisationError("state_digits", "state contains digits; expected a state")
    letters = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LM")
    if not letters:
        raise NormalisationError("empty_after_normalisation", "state has no letters")
    if region in (None, "US") and letters in _US_STATES:
        return _US_STATES[letters]
    return letters


def normalise_postal_code(value: str, *, style: PostalStyle, region: str | None = None) -> str:
    """Return a postal code in the platform's form.

    Parameters
    ----------
    value : str
        E.g. ``"94035-1234"``, ``"SW1A 1AA"``, ``"75008"``.
    style : {"meta", "trim"}
        ``meta``: lowercase, no spaces; US ZIP codes (``region`` US, or written
        ``12345-6789``) cut to their first five digits; UK postcodes (``region`` GB, or
        in the UK format) cut to area, district and sector (``"SW1A 1AA"`` →
        ``"sw1a1"``). ``trim``: surrounding spaces removed, inner spaces collapsed,
        letters uppercased (Google, which uploads the code unhashed).
    region : str, optional
        Default country of the list (ISO 3166-1 alpha-2).

    Raises
    ------
    NormalisationError
        ``empty``; ``postal_code_invalid`` (characters other than letters, digits,
        spaces and hyphens; or a US region with a code that is not a ZIP code).

    Notes
    -----
    Sources: Meta hashing table, ZIP: "Use lowercase with no white space. Use only the
    first 5 digits for U.S. zip codes. Use the area, district, and sector format for the
    UK."; Google Data Manager API "Format user data", postal_code: US 5 digits or 5+4,
    no extended codes elsewhere, not hashed.
    """
    text = _text(value, "postal code")
    if re.search(r"[^0-9A-Za-z \-]", text):
        raise NormalisationError(
            "postal_code_invalid",
            "postal code has characters other than letters, digits, spaces and hyphens",
        )
    if style == "trim":
        return " ".join(text.upper().split())
    compact = re.sub(r"\s+", "", text)
    zip_match = _US_ZIP.match(compact)
    if region == "US":
        if not zip_match:
            raise NormalisationError(
                "postal_code_invalid", "not a US ZIP code; expected 5 digits or ZIP+4"
            )
        return zip_match.group(1)
    if zip_match and "-" in compact:
        return zip_match.group(1)
    uk = _UK_POSTCODE.match(" ".join(text.upper().split()))
    if uk and region in (None, "GB"):
        return (uk.group(1) + uk.group(2)).lower()
    return compact.lower()


@cache
def _country_table() -> dict[str, str]:
    """Country names and aliases (letters only, lowercase) → ISO 3166-1 alpha-2 code."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    table: dict[str, str] = {}
    for code, names in LOCALE_DATA.items():
        if code == "AN":  # Netherlands Antilles: withdrawn from ISO 3166-1 in 2010
            continue
        table[code.lower()] = code
        name = names.get("en")
        while name is not None and name.startswith("*"):
            name = names.get(name[1:])
        if name:
            table[_letters(name)] = code
    table.update(_COUNTRY_ALIASES)
    return table


_COUNTRY_ALIASES = {
    "uk": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northernireland": "GB", "unitedkingdomofgreatbritainandnorthernireland": "GB",
    "usa": "US", "unitedstatesofamerica": "US", "america": "US",
    "holland": "NL", "thenetherlands": "NL", "czechia": "CZ", "northmacedonia": "MK",
    "turkiye": "TR", "ivorycoast": "CI", "southkorea": "KR", "republicofkorea": "KR",
}  # fmt: skip
"""Common names of countries that are not their English CLDR name."""


def _letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


@cache
def _alpha2() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes: libphonenumber's regions plus those without a phone plan."""
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS) | _NO_PHONE_PLAN


_NO_PHONE_PLAN = frozenset({"AQ", "BV", "GS", "HM", "PN", "TF", "UM"})


def country_code(value: str) -> str:
    """Return the ISO 3166-1 alpha-2 code (upper case) of a country code or English name.

    ``"gb"``, ``"GB"``, ``"United Kingdom"``, ``"UK"`` → ``"GB"``. Codes come from
    libphonenumber's regions (plus the seven ISO regions without a numbering plan), names
    from the English region names shipped with ``phonenumbers`` (Unicode CLDR), plus a
    few common aliases (UK, USA, England …).

    Raises
    ------
    NormalisationError
        ``empty``; ``country_unknown``.
    """
    text = _text(value, "country")
    key = _letters(text)
    if len(text) == 2 and text.upper() in _alpha2():
        return text.upper()
    if len(key) <= 3:  # a code or short alias: no need to load the country names
        code = _COUNTRY_ALIASES.get(key)
    else:
        code = _country_table().get(key)
    if code is None:
        raise NormalisationError(
            "country_unknown",
            "not a country fairmark recognises; expected an ISO 3166-1 alpha-2 code such as GB",
        )
    return code


def normalise_country(value: str, *, case: CountryCase) -> str:
    """Return the ISO 3166-1 alpha-2 code of a country, in the platform's letter case.

    Meta hashes it in lower case (``"us"``); Google and LinkedIn upload it unhashed in
    upper case (``"US"``).

    Raises
    ------
    NormalisationError
        ``empty``; ``country_unknown``.
    """
    code = country_code(value)
    return code.lower() if case == "lower" else code


def _parse_date(text: str) -> date:
    """Parse an unambiguous date: ``YYYY-MM-DD``, ``YYYYMMDD``, ``YYYY/MM/DD`` or a
    day/month/year with a day above 12 (either order)."""
    iso = _ISO_DATE.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        other = _DMY_OR_MDY.match(text)
        if not other:
            raise NormalisationError(
                "date_invalid", "not a date; expected YYYY-MM-DD (for example 1997-02-16)"
            )
        first, second, year = (int(g) for g in other.groups())
        if first > 12 >= second:
            day, month = first, second
        elif second > 12 >= first:
            month, day = first, second
        elif first == second:
            month = day = first
        else:
            raise NormalisationError(
                "date_ambiguous",
                "date could be day/month or month/day; write it as YYYY-MM-DD",
            )
    try:
        return date(year, month, day)
    except ValueError:
        raise NormalisationError("date_invalid", "not a calendar date") from None


def normalise_birth_part(value: str, *, part: BirthPart, today: date | None = None) -> str:
    """Return the year (``YYYY``), month (``MM``) or day (``DD``) of a date of birth.

    Parameters
    ----------
    value : str
        A full date (``1997-02-16``, ``19970216``, ``16/02/1997``) or the part alone
        (``1997``, ``2``, ``02``).
    part : {"year", "month", "day"}
    today : datetime.date, optional
        Reference for "not in the future" (default: today).

    Raises
    ------
    NormalisationError
        ``empty``; ``date_invalid``; ``date_ambiguous``; ``date_out_of_range`` (before
        1900 or in the future).

    Notes
    -----
    Source: Meta hashing table: DOBY "YYYY format from 1900 to current year", DOBM "MM
    format: 01 to 12", DOBD "DD format: 01 to 31".
    """
    text = _text(value, "date of birth")
    today = today or date.today()
    if re.fullmatch(r"\d{1,2}|\d{4}", text):
        number = int(text)
        if part == "year" and len(text) == 4:
            if not _MIN_BIRTH_YEAR <= number <= today.year:
                raise NormalisationError(
                    "date_out_of_range", f"birth year is outside {_MIN_BIRTH_YEAR}–{today.year}"
                )
            return f"{number:04d}"
        if part == "month" and len(text) <= 2 and 1 <= number <= 12:
            return f"{number:02d}"
        if part == "day" and len(text) <= 2 and 1 <= number <= 31:
            return f"{number:02d}"
        raise NormalisationError("date_invalid", f"not a birth {part}")
    born = _parse_date(text)
    if born.year < _MIN_BIRTH_YEAR or born > today:
        raise NormalisationError(
            "date_out_of_range", f"date of birth is before {_MIN_BIRTH_YEAR} or in the future"
        )
    return {"year": f"{born.year:04d}", "month": f"{born.month:02d}", "day": f"{born.day:02d}"}[
        part
    ]


_GENDER = {"m": "m", "male": "m", "man": "m", "f": "f", "female": "f", "woman": "f"}


def normalise_gender(value: str) -> str:
    """Return ``"m"`` or ``"f"``, the only values Meta's ``gen`` field takes.

    Raises
    ------
    NormalisationError
        ``empty``; ``gender_unsupported`` for any other value (left out of the upload;
        the rest of the row is kept).

    Notes
    -----
    Source: Meta hashing table, GEN: "m for male and f for female".
    """
    text = _text(value, "gender").lower().rstrip(".")
    if text not in _GENDER:
        raise NormalisationError(
            "gender_unsupported", "the platform's gender field takes only m or f"
        )
    return _GENDER[text]


def normalise_plain_text(value: str, *, max_length: int) -> str:
    """Return text that a platform uploads unhashed (LinkedIn names, job title, company).

    Surrounding spaces removed and inner runs of whitespace collapsed; letter case kept.

    Raises
    ------
    NormalisationError
        ``empty``; ``too_long`` (over the platform's ``max_length`` characters).

    Notes
    -----
    Source: LinkedIn Marketing API, DMP Segment Users: ``firstName``/``lastName`` at most
    35 characters, ``title``/``company`` at most 50.
    """
    text = " ".join(_text(value, "text").split())
    if len(text) > max_length:
        raise NormalisationError(
            "too_long", f"longer than the platform's limit of {max_length} characters"
        )
    return text
