"""Which column of a customer list holds which identifier field.

Headers are matched case-, space- and punctuation-insensitively against synonyms
(``E-mail``, ``email_address`` and ``EMAIL`` are all ``email``; ``Mobile``, ``tel`` and
``ph`` are ``phone``, and so are common German, French, Spanish, Italian and Dutch
headers (``Telefon``, ``Téléphone``, ``Handy``, ``Courriel`` …); ``fn``, ``First Name``
and ``given_name`` are ``first_name`` …); a numeric suffix is ignored (``email_2``).
Columns that are no identifier, or an identifier the platform does not take, are left
out of the upload and listed with the reason (GDPR Art. 5(1)(c), data minimisation).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from fairmark.errors import UsageError
from fairmark.privacy.audience.profiles import PlatformProfile
from fairmark.privacy.audience.result import IgnoredColumn, mask_shape

__all__ = ["SYNONYMS", "Slot", "SourceColumn", "field_of", "header_key", "map_columns"]

SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email", "e_mail", "email_address", "emailaddress", "e_mail_address", "mail", "em",
        "email_sha256", "sha256_email", "hashed_email", "email_hash",
        # German, French, Spanish, Italian, Portuguese, Dutch
        "emailadresse", "e_mail_adresse", "mailadresse", "mail_adresse", "courriel",
        "adresse_email", "adresse_mail", "adresse_e_mail", "correo", "correo_electronico",
        "posta_elettronica", "indirizzo_email",
    ),
    "phone": (
        "phone", "phone_number", "phonenumber", "telephone", "telephone_number", "tel",
        "mobile", "mobile_number", "mobile_phone", "cell", "cellphone", "cell_phone", "ph",
        "msisdn", "phone_sha256", "sha256_phone", "hashed_phone", "phone_hash",
        # German, French, Spanish, Italian, Portuguese, Dutch, Nordic (accents are dropped)
        "telefon", "telefonnummer", "tel_nr", "telnr", "handy", "handynummer", "mobil",
        "mobilnummer", "mobiltelefon", "telephone_portable", "portable", "numero_de_telephone",
        "telefono", "numero_de_telefono", "movil", "celular", "cellulare", "telefone",
        "telefoon", "telefoonnummer", "mobiel",
    ),
    "first_name": (
        "first_name", "firstname", "fn", "given_name", "givenname", "forename", "first",
    ),
    "last_name": (
        "last_name", "lastname", "ln", "surname", "family_name", "familyname", "last",
    ),
    "city": ("city", "ct", "town", "locality"),
    "state": ("state", "st", "province", "state_province", "county_state"),
    "postal_code": (
        "zip", "zip_code", "zipcode", "postal_code", "postalcode", "postcode", "post_code",
        "zp", "postal",
    ),
    "country": ("country", "country_code", "countrycode", "cou", "region_code"),
    "date_of_birth": ("dob", "date_of_birth", "dateofbirth", "birth_date", "birthdate",
                      "birthday", "db"),
    "birth_year": ("doby", "birth_year", "year_of_birth", "yob"),
    "birth_month": ("dobm", "birth_month", "month_of_birth"),
    "birth_day": ("dobd", "birth_day", "day_of_birth"),
    "gender": ("gender", "gen", "ge", "sex"),
    "job_title": ("job_title", "jobtitle", "title", "position", "role"),
    "company": ("company", "employeecompany", "employee_company", "employer", "company_name",
                "organisation", "organization"),
}  # fmt: skip
"""Header synonyms (as :func:`header_key` writes them) of each field."""

_BY_KEY = {key: field for field, keys in SYNONYMS.items() for key in keys}
_FULL_NAME = frozenset({"name", "full_name", "fullname", "customer_name", "contact_name"})


def header_key(header: str) -> str:
    """Return a header as a lookup key: NFKC, accents dropped, lowercase, runs of
    non-alphanumerics as ``_``, no leading or trailing ``_`` (``" E-Mail Address "`` →
    ``"e_mail_address"``, ``"Téléphone"`` → ``"telephone"``)."""
    text = unicodedata.normalize("NFKC", header).strip().lower()
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def field_of(header: str) -> str | None:
    """Return the identifier field a header names, or ``None``.

    A trailing number is ignored (``email_2``, ``Phone1``).
    """
    key = header_key(header)
    if key in _BY_KEY:
        return _BY_KEY[key]
    stripped = re.sub(r"_?\d+$", "", key)
    return _BY_KEY.get(stripped)


@dataclass(frozen=True)
class Slot:
    """One column of the upload file: the platform field it holds and its header."""

    field: str
    header: str


@dataclass(frozen=True)
class SourceColumn:
    """A list column read as ``field``, filling the upload columns ``slots``.

    ``targets[i]`` is the platform field written to upload column ``slots[i]`` (Meta's
    date of birth fills three).
    """

    position: int
    column: str
    field: str
    targets: tuple[str, ...]
    slots: tuple[int, ...]


def map_columns(
    headers: list[str], profile: PlatformProfile, description: str
) -> tuple[list[SourceColumn], list[Slot], list[IgnoredColumn]]:
    """Map a list's headers onto the platform's fields and lay out the upload columns.

    Parameters
    ----------
    headers : list of str
        The list's column names, in order.
    profile : PlatformProfile
    description : str
        The list (for messages), e.g. its path.

    Returns
    -------
    sources : list of SourceColumn
        The columns read, in list order.
    slots : list of Slot
        The upload file's columns in the platform's template order (for LinkedIn every
        template column, unused ones left empty).
    ignored : list of IgnoredColumn
        Columns left out, with the reason.

    Raises
    ------
    UsageError
        When no header names a field the platform takes (the message lists the headers
        found and those expected), when a field has more columns than the platform's
        template allows, or when the mapped fields cannot identify a person on the
        platform (only a country, say).
    """
    chosen: list[tuple[int, str, str]] = []
    ignored: list[IgnoredColumn] = []
    for position, header in enumerate(headers):
        name = field_of(header)
        if name is None:
            reason = (
                "a full name; split it into first and last name columns"
                if header_key(header) in _FULL_NAME
                else "not an identifier field"
            )
            ignored.append(IgnoredColumn(header, reason))
        elif not profile.accepts(name):
            ignored.append(IgnoredColumn(header, f"{profile.platform} does not take {name}"))
        else:
            chosen.append((position, header, name))
    if not chosen:
        expected = ", ".join(r.column for r in profile.rules)
        shown = [_shown(h) for h in headers[:30]]
        found = ", ".join(shown) + (" …" if len(headers) > 30 else "")
        hint = (
            " (masked: they look like data values; does the list lack a header row?)"
            if any(s != repr(h) for s, h in zip(shown, headers, strict=False))
            else ""
        )
        raise UsageError(
            f"no identifier column in {description}: found headers {found}{hint}; expected "
            f"{profile.platform} identifier headers such as {expected} (or email, phone, "
            "first_name, last_name …)"
        )
    per_target: dict[str, int] = {}
    for _, header, name in chosen:
        for target in profile.targets(name):
            per_target[target] = per_target.get(target, 0) + 1
            allowed = profile.rule(target).max_columns
            if per_target[target] > allowed:
                raise UsageError(
                    f"{description} has {per_target[target]} columns read as {target} "
                    f"(latest {header!r}); {profile.platform} takes at most {allowed}"
                )
    if not profile.can_match(set(per_target)):
        fields = ", ".join(sorted(per_target))
        raise UsageError(
            f"the identifier columns of {description} give only {fields}, which cannot "
            f"identify a person on {profile.platform}; expected "
            f"{profile.match_requirement()}"
        )
    slots = _layout(profile, per_target)
    sources = []
    used: dict[str, int] = {}
    for position, header, name in chosen:
        targets = profile.targets(name)
        indices = []
        for target in targets:
            k = used.get(target, 0)
            used[target] = k + 1
            indices.append([i for i, s in enumerate(slots) if s.field == target][k])
        sources.append(SourceColumn(position, header, name, targets, tuple(indices)))
    return sources, slots, ignored


def _shown(header: str) -> str:
    """A header for a message; one that looks like an e-mail or a number is masked, as it is
    probably a person's data in a list without a header row."""
    if "@" in header or sum(ch.isdigit() for ch in header) >= 5:
        return repr(mask_shape(header))
    return repr(header)


def _layout(profile: PlatformProfile, per_target: dict[str, int]) -> list[Slot]:
    """Upload columns: each used field as many times as it has columns, template order."""
    slots: list[Slot] = []
    for rule in profile.rules:
        slots += [Slot(rule.field, rule.column)] * per_target.get(rule.field, 0)
    if profile.template_columns:
        by_header = {s.header: s for s in slots}
        slots = [by_header.get(h, Slot("", h)) for h in profile.template_columns]
    return slots
