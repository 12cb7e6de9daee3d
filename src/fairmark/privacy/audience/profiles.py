"""What each ad platform asks for in a customer-list upload: one frozen profile per platform.

A :class:`PlatformProfile` lists the identifier fields the platform accepts, how each is
normalised (the options passed to :mod:`fairmark.privacy.audience.normalise`), whether it
is hashed (unsalted SHA-256, lowercase hex) or uploaded as it is, the column header the
platform's upload template uses, how many columns of one field the template allows, which
field combinations can match a person, and the page each rule comes from.

Where a platform publishes no rule for something, the conservative choice is named in the
field's ``note`` (for example X publishes no phone rule on its user-data page; fairmark
writes digits with the country code, as X's own hashing tool does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from fairmark.errors import UsageError

__all__ = [
    "FIELDS",
    "PLATFORMS",
    "PROFILES",
    "FieldRule",
    "PlatformProfile",
    "get_profile",
]

Field = Literal[
    "email",
    "phone",
    "first_name",
    "last_name",
    "city",
    "state",
    "postal_code",
    "country",
    "date_of_birth",
    "birth_year",
    "birth_month",
    "birth_day",
    "gender",
    "job_title",
    "company",
]

FIELDS: tuple[str, ...] = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "city",
    "state",
    "postal_code",
    "country",
    "date_of_birth",
    "birth_year",
    "birth_month",
    "birth_day",
    "gender",
    "job_title",
    "company",
)
"""Every identifier field fairmark knows, in output order."""

PRIMARY_FIELDS: frozenset[str] = frozenset({"email", "phone"})
"""Fields that can match a person on their own on every platform that accepts them."""

# --- where the rules come from ------------------------------------------------------------
META_HASHING = (
    "Meta Marketing API, Customer File Custom Audiences, 'Hashing and Normalization' table "
    "(developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences)"
)
META_HEADERS = (
    "Meta Business Help Centre, 'How to format a customer list' "
    "(facebook.com/business/help/2082575038703844)"
)
META_EXAMPLES = (
    "Meta Conversions API, customer information parameters, published examples "
    "(developers.facebook.com/docs/marketing-api/conversions-api/parameters/"
    "customer-information-parameters)"
)
GOOGLE_FORMAT = (
    "Google Data Manager API, 'Format user data' "
    "(developers.google.com/data-manager/api/devguides/concepts/formatting)"
)
GOOGLE_HASHED_FILE = (
    "Google Ads Help, 'Formatting guidelines for uploading hashed data' "
    "(support.google.com/google-ads/answer/7476159)"
)
TIKTOK_FORMAT = (
    "TikTok Ads Help, 'List of supported IDs and formats for a customer file', August 2025 "
    "(ads.tiktok.com/help/article/list-of-supported-ids-and-formats-for-a-customer-file)"
)
X_USER_DATA = (
    "X Ads API, 'Custom Audiences User Data' "
    "(developer.x.com/en/docs/x-ads-api/audiences/overview/user-data)"
)
X_LISTS = (
    "X Business Help, 'List Custom Audiences' "
    "(business.x.com/en/help/campaign-setup/campaign-targeting/custom-audiences/lists)"
)
X_TOOL = (
    "twitterdev/ads-platform-tools, hash_tailored_audience_file.py (PHONE: digits only, "
    "leading zeros dropped)"
)
LINKEDIN_LIST = (
    "LinkedIn Help, 'Requirements for contact targeting lists in Campaign Manager' "
    "(linkedin.com/help/lms/answer/a1489764) and its contact template "
    "LinkedIn_Ads_Contact_Match_Template.csv"
)
LINKEDIN_API = (
    "LinkedIn Marketing API, 'DMP Segment Users' (learn.microsoft.com/en-us/linkedin/"
    "marketing/matched-audiences/create-and-manage-segment-users)"
)


@dataclass(frozen=True)
class FieldRule:
    """How one platform wants one identifier field.

    Parameters
    ----------
    field : str
        One of :data:`FIELDS`.
    column : str
        Header of the field's column in the platform's upload template.
    hashed : bool
        ``True``: uploaded as unsalted SHA-256, lowercase hex; ``False``: uploaded as the
        normalised text (Google's country and zip, LinkedIn's names).
    rule : str
        The normalisation in words.
    source : str
        The page (and section) the rule and the header come from.
    max_columns : int
        How many columns of this field the template allows (Meta: up to three e-mails).
    max_length : int or None
        Longest normalised value the platform takes (LinkedIn: 35 for names).
    note : str
        The conservative choice made where the platform publishes no rule.
    """

    field: str
    column: str
    hashed: bool
    rule: str
    source: str
    max_columns: int = 1
    max_length: int | None = None
    note: str = ""


@dataclass(frozen=True)
class PlatformProfile:
    """One platform's customer-list upload: accepted fields, normalisation, layout.

    Parameters
    ----------
    platform : str
        ``meta``, ``google``, ``tiktok``, ``x`` or ``linkedin``.
    title : str
        Name of the product, e.g. ``"Meta custom audience (customer list)"``.
    rules : tuple of FieldRule
        The accepted fields, in the template's column order.
    email_plus_tag : {"never", "gmail", "always"}
        Where ``+tag`` is removed from e-mail local parts.
    email_gmail_dots : bool
        Whether dots are removed from gmail.com/googlemail.com local parts.
    phone_style : {"e164", "digits"}
        ``+CC…`` or digits only.
    name_style : {"letters", "no_punctuation"} or None
        Punctuation rule of hashed names (``None``: names are uploaded unhashed).
    country_case : {"lower", "upper"}
    postal_style : {"meta", "trim"}
    expands : mapping
        A source field written as several platform fields (Meta: a date of birth is
        uploaded as birth year, month and day).
    combinations : tuple of frozenset
        Field sets that can match a person without an e-mail or phone (Google: first
        name, last name, country and zip together).
    template_columns : tuple of str
        Every header of the platform's template, when the template must be kept whole
        (LinkedIn: "Don't change or remove the headers"); empty when any subset works.
    doc : str
        Where the layout and the minimum audience size come from.
    """

    platform: str
    title: str
    rules: tuple[FieldRule, ...]
    email_plus_tag: Literal["never", "gmail", "always"]
    email_gmail_dots: bool
    phone_style: Literal["e164", "digits"]
    name_style: Literal["letters", "no_punctuation"] | None
    country_case: Literal["lower", "upper"]
    postal_style: Literal["meta", "trim"]
    doc: str
    expands: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    combinations: tuple[frozenset[str], ...] = ()
    template_columns: tuple[str, ...] = ()

    def rule(self, name: str) -> FieldRule:
        """Return the rule of field ``name``.

        Raises
        ------
        UsageError
            When the platform does not accept the field (the message lists those it does).
        """
        for r in self.rules:
            if r.field == name:
                return r
        raise UsageError(
            f"{self.platform} does not take {name!r}; its fields are "
            f"{', '.join(r.field for r in self.rules)}"
        )

    def accepts(self, name: str) -> bool:
        """Return whether the platform takes field ``name`` (directly or expanded)."""
        return name in self.expands or any(r.field == name for r in self.rules)

    def targets(self, name: str) -> tuple[str, ...]:
        """Return the platform fields a source field becomes (itself, or its expansion)."""
        return self.expands.get(name, (name,))

    @property
    def fields(self) -> tuple[str, ...]:
        """The accepted fields in template order (expansions excluded)."""
        return tuple(r.field for r in self.rules)

    def can_match(self, present: set[str]) -> bool:
        """Return whether a row with normalised values in ``present`` can match a person."""
        if present & PRIMARY_FIELDS:
            return True
        return any(combo <= present for combo in self.combinations)

    def match_requirement(self) -> str:
        """Describe in words what a row needs to be matchable on this platform."""
        parts = [f for f in ("email", "phone") if self.accepts(f)]
        text = " or ".join(parts)
        for combo in self.combinations:
            ordered = [f for f in self.fields if f in combo]
            text += f", or {' + '.join(ordered)}"
        return text


_EMAIL_TRIM = "trim spaces, lowercase"

META = PlatformProfile(
    platform="meta",
    title="Meta custom audience (customer list)",
    rules=(
        FieldRule("email", "email", True, _EMAIL_TRIM, f"{META_HASHING}; {META_HEADERS}", 3),
        FieldRule(
            "phone",
            "phone",
            True,
            "E.164 digits: country code and number, no '+', no symbols, no leading zeros",
            f"{META_HASHING}; {META_EXAMPLES}",
            3,
        ),
        FieldRule(
            "first_name",
            "fn",
            True,
            "lowercase letters only (UTF-8 letters kept), no punctuation or spaces",
            f"{META_HASHING}; {META_EXAMPLES}",
        ),
        FieldRule(
            "last_name",
            "ln",
            True,
            "lowercase letters only (UTF-8 letters kept), no punctuation or spaces",
            META_HASHING,
        ),
        FieldRule(
            "city",
            "ct",
            True,
            "lowercase letters only, no punctuation, special characters or spaces",
            META_HASHING,
        ),
        FieldRule(
            "state",
            "st",
            True,
            "US: 2-letter ANSI code, lowercase; elsewhere lowercase letters only",
            META_HASHING,
        ),
        FieldRule(
            "postal_code",
            "zip",
            True,
            "lowercase, no spaces; US: first 5 digits; UK: area, district and sector",
            META_HASHING,
        ),
        FieldRule(
            "country",
            "country",
            True,
            "ISO 3166-1 alpha-2 code, lowercase",
            f"{META_HASHING}; {META_EXAMPLES}",
        ),
        FieldRule("birth_year", "doby", True, "YYYY, 1900 to this year", META_HASHING),
        FieldRule("birth_month", "dobm", True, "MM, 01 to 12", META_HASHING),
        FieldRule("birth_day", "dobd", True, "DD, 01 to 31", META_HASHING),
        FieldRule("gender", "gen", True, "m or f", META_HASHING),
    ),
    email_plus_tag="never",
    email_gmail_dots=False,
    phone_style="digits",
    name_style="letters",
    country_case="lower",
    postal_style="meta",
    doc=f"{META_HEADERS} (lists of fewer than 100 people are not used); {META_HASHING}",
    expands={"date_of_birth": ("birth_year", "birth_month", "birth_day")},
    combinations=(
        frozenset({"first_name", "last_name", "postal_code"}),
        frozenset({"first_name", "last_name", "city", "state"}),
        frozenset({"first_name", "last_name", "birth_year", "birth_month", "birth_day"}),
    ),
)

GOOGLE = PlatformProfile(
    platform="google",
    title="Google Ads Customer Match (hashed file upload)",
    rules=(
        FieldRule(
            "email",
            "Email",
            True,
            "trim spaces, lowercase; gmail.com/googlemail.com: remove dots and +tag before @",
            f"{GOOGLE_FORMAT}; {GOOGLE_HASHED_FILE}",
            3,
        ),
        FieldRule(
            "phone",
            "Phone",
            True,
            "E.164 with '+': +<country code><number>",
            f"{GOOGLE_FORMAT}; {GOOGLE_HASHED_FILE}",
            3,
        ),
        FieldRule(
            "first_name",
            "First Name",
            True,
            "lowercase, no punctuation, no leading or trailing spaces",
            f"{GOOGLE_FORMAT}; {GOOGLE_HASHED_FILE}",
            note="Google asks to leave out prefixes such as Mrs.; fairmark does not remove "
            "words from names (it cannot tell a title from a name).",
        ),
        FieldRule(
            "last_name",
            "Last Name",
            True,
            "lowercase, no punctuation, no leading or trailing spaces",
            f"{GOOGLE_FORMAT}; {GOOGLE_HASHED_FILE}",
            note="Google asks to leave out suffixes such as Jr.; fairmark does not remove "
            "words from names.",
        ),
        FieldRule(
            "country",
            "Country",
            False,
            "ISO 3166-1 alpha-2 code, not hashed",
            f"{GOOGLE_FORMAT}; {GOOGLE_HASHED_FILE}",
        ),
        FieldRule(
            "postal_code",
            "Zip",
            False,
            "postal code as written, trimmed, not hashed",
            f"{GOOGLE_FORMAT}; {GOOGLE_HASHED_FILE}",
            3,
        ),
    ),
    email_plus_tag="gmail",
    email_gmail_dots=True,
    phone_style="e164",
    name_style="no_punctuation",
    country_case="upper",
    postal_style="trim",
    doc=f"{GOOGLE_HASHED_FILE}; {GOOGLE_FORMAT}",
    combinations=(frozenset({"first_name", "last_name", "country", "postal_code"}),),
)

TIKTOK = PlatformProfile(
    platform="tiktok",
    title="TikTok custom audience (customer file)",
    rules=(
        FieldRule(
            "email",
            "Email_SHA256",
            True,
            "trim spaces, lowercase, remove '+' and what follows it before @ (every domain)",
            TIKTOK_FORMAT,
            3,
            note="TikTok's July 2024 version of the page also asked to remove dots before @; "
            "the August 2025 version (followed here) does not, so dots are kept.",
        ),
        FieldRule(
            "phone",
            "Phone_SHA256",
            True,
            "country code and number as digits: no '+', symbols, letters or leading zeros",
            TIKTOK_FORMAT,
            3,
            note="TikTok's July 2024 version of the page asked for E.164 with '+'; the "
            "August 2025 version (followed here) asks for digits only.",
        ),
    ),
    email_plus_tag="always",
    email_gmail_dots=False,
    phone_style="digits",
    name_style=None,
    country_case="lower",
    postal_style="meta",
    doc=TIKTOK_FORMAT,
)

X = PlatformProfile(
    platform="x",
    title="X custom audience (list)",
    rules=(
        FieldRule("email", "email", True, _EMAIL_TRIM, f"{X_USER_DATA}; {X_LISTS}"),
        FieldRule(
            "phone",
            "phone_number",
            True,
            "country code and number as digits, no '+' or leading zeros",
            f"{X_LISTS}; {X_TOOL}",
            note="X's user-data page gives no phone rule; fairmark follows X's own hashing "
            "tool (digits, leading zeros dropped) on an E.164 number, so no national "
            "leading zero is ever dropped.",
        ),
    ),
    email_plus_tag="never",
    email_gmail_dots=False,
    phone_style="digits",
    name_style=None,
    country_case="lower",
    postal_style="meta",
    doc=f"{X_LISTS} (audiences under 100 matched users cannot be targeted); {X_USER_DATA}",
)

LINKEDIN = PlatformProfile(
    platform="linkedin",
    title="LinkedIn matched audience (contact list)",
    rules=(
        FieldRule(
            "email",
            "email",
            True,
            _EMAIL_TRIM,
            f"{LINKEDIN_LIST}; {LINKEDIN_API}",
            note="LinkedIn accepts SHA-256 e-mails but publishes no normalisation; fairmark "
            "trims and lowercases, the rule every other platform uses.",
        ),
        FieldRule(
            "first_name",
            "firstname",
            False,
            "plain text, trimmed, at most 35 characters",
            LINKEDIN_API,
            max_length=35,
        ),
        FieldRule(
            "last_name",
            "lastname",
            False,
            "plain text, trimmed, at most 35 characters",
            LINKEDIN_API,
            max_length=35,
        ),
        FieldRule(
            "job_title",
            "jobtitle",
            False,
            "plain text, trimmed, at most 50 characters",
            LINKEDIN_API,
            max_length=50,
        ),
        FieldRule(
            "company",
            "employeecompany",
            False,
            "plain text, trimmed, at most 50 characters",
            LINKEDIN_API,
            max_length=50,
        ),
        FieldRule("country", "country", False, "ISO 3166-1 alpha-2 code, upper case", LINKEDIN_API),
    ),
    email_plus_tag="never",
    email_gmail_dots=False,
    phone_style="digits",
    name_style=None,
    country_case="upper",
    postal_style="trim",
    doc=f"{LINKEDIN_LIST} (at least 300 matched members); {LINKEDIN_API}",
    combinations=(frozenset({"first_name", "last_name"}),),
    template_columns=(
        "email",
        "firstname",
        "lastname",
        "jobtitle",
        "employeecompany",
        "country",
        "googleaid",
    ),
)

PROFILES: Mapping[str, PlatformProfile] = MappingProxyType(
    {p.platform: p for p in (META, GOOGLE, TIKTOK, X, LINKEDIN)}
)
"""Every platform profile by name."""

PLATFORMS: tuple[str, ...] = tuple(PROFILES)
"""Platform names: ``meta, google, tiktok, x, linkedin``."""


def get_profile(platform: str) -> PlatformProfile:
    """Return the profile of ``platform`` (case and surrounding spaces ignored).

    Raises
    ------
    UsageError
        For an unknown platform; the message lists the known ones.
    """
    key = platform.strip().lower() if isinstance(platform, str) else platform
    if key not in PROFILES:
        raise UsageError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    return PROFILES[key]
