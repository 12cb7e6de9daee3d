"""What a column's name says about the personal data it holds.

A name is split into lower-case tokens (``"FirstName"``, ``"first-name"`` and
``"first_name"`` all become ``first_name``) and matched against an ordered list of rules;
the first rule that matches gives a :class:`NameHint`: a label, a fideslang data category
(Ethyca fideslang 2.x taxonomy, ``data_categories``), the :class:`EntityType` the values
should show when the category is an identifier, whether such a column identifies a person
on its own (ISO/IEC 20889:2018 §3.14, "direct identifier"; online identifiers per GDPR
Recital 30) and how much the name alone is worth as evidence (``strength``).

Ordinary personal columns are covered as well as identifiers: age, sex/gender, marital
status, race/ethnicity, religion, politics, sexual orientation, health, biometric and
genetic data, trade-union membership (the GDPR Art. 9(1) ones are flagged through
:func:`fairmark.privacy.entities.is_special_category`), income and other financial
columns, job, employer, education, language, nationality and household.

fideslang 2.x has no key for age as a number, education, nationality or household: age
maps to ``user.demographic.age_range`` ("non specific age or age-range of data subject"),
the others to their parent ``user.demographic``.

Names only suggest; :mod:`fairmark.privacy.table_scan` weighs them against the values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fairmark.privacy.entities import DATA_CATEGORY, EntityType, is_special_category

__all__ = [
    "NAME_RULES",
    "NameHint",
    "classify_name",
    "name_tokens",
    "normalise_name",
]

#: fideslang keys used below that are not an entity type's category.
AGE = "user.demographic.age_range"
GENDER = "user.demographic.gender"
MARITAL = "user.demographic.marital_status"
RACE = "user.demographic.race_ethnicity"
RELIGION = "user.demographic.religious_belief"
POLITICS = "user.demographic.political_opinion"
SEXUAL_ORIENTATION = "user.demographic.sexual_orientation"
LANGUAGE = "user.demographic.language"
DEMOGRAPHIC = "user.demographic"
HEALTH = "user.health_and_medical"
BIOMETRIC = "user.biometric"
GENETIC = "user.genetic"
TRADE_UNION = "user.workplace.trade_union_membership"
FINANCIAL = "user.financial"
BANK_ACCOUNT = "user.financial.bank_account"
JOB_TITLE = "user.job_title"
WORKPLACE = "user.workplace"
UNIQUE_ID = "user.unique_id"
USERNAME = "user.account.username"
PASSPORT = "user.government_id.passport_number"
DRIVERS_LICENSE = "user.government_id.drivers_license_number"
DEVICE_ID = "user.device.device_id"
COOKIE_ID = "user.device.cookie_id"
CITY = "user.contact.address.city"
STATE = "user.contact.address.state"
COUNTRY = "user.contact.address.country"
URL = "user.contact.url"
LOCATION = "user.location"
CREDENTIALS = "user.authorization.credentials"
PRIVACY_PREFERENCES = "user.privacy_preferences"


@dataclass(frozen=True)
class NameHint:
    """What a column name says about its content.

    Parameters
    ----------
    label : str
        Plain words for the kind of data (``"email address"``, ``"age"``).
    data_category : str
        fideslang data category key.
    entity_type : EntityType or None
        The entity the values should show (an email column's values are email
        addresses); ``None`` for data that values cannot confirm (age, marital status).
    direct_identifier : bool
        Whether such a column identifies a person on its own (ISO/IEC 20889:2018 §3.14).
    strength : float
        Evidence of the name alone, in (0, 1]: 0.9 for an unambiguous name (``email``),
        about 0.6 for a vague one (``name``, ``address``).
    special_category : str or None
        GDPR Art. 9(1) wording when the category is a special category (filled from
        ``data_category``).
    """

    label: str
    data_category: str
    entity_type: EntityType | None = None
    direct_identifier: bool = False
    strength: float = 0.8
    special_category: str | None = field(default=None)

    def __post_init__(self) -> None:
        if not 0 < self.strength <= 1:
            raise ValueError(f"strength must be in (0, 1], got {self.strength}")
        object.__setattr__(self, "special_category", is_special_category(self.data_category))


def normalise_name(column: str) -> str:
    """Return ``column`` as lower-case tokens joined by ``_``.

    camelCase and acronym boundaries split (``"IPAddress"`` → ``ip_address``,
    ``"customerID"`` → ``customer_id``), every run of characters other than letters and
    digits becomes one ``_`` (``"marital-status"`` → ``marital_status``,
    ``"emp.var.rate"`` → ``emp_var_rate``).

    Parameters
    ----------
    column : str

    Returns
    -------
    str
        Possibly empty (a name of punctuation only).
    """
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", column)
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    text = re.sub(r"[^0-9a-zA-Z\u00c0-\u024f]+", "_", text.lower())
    return text.strip("_")


def name_tokens(column: str) -> tuple[str, ...]:
    """Tokens of :func:`normalise_name` (``"Date-Of-Birth"`` → ``("date", "of", "birth")``)."""
    normal = normalise_name(column)
    return tuple(normal.split("_")) if normal else ()


def _t(alternatives: str) -> str:
    """Regex matching one of ``alternatives`` as whole tokens of a normalised name."""
    return rf"(?:^|_)(?:{alternatives})(?:_|$)"


def _id(label: str, entity: EntityType, strength: float) -> NameHint:
    return NameHint(
        label, DATA_CATEGORY[entity], entity, direct_identifier=True, strength=strength
    )


# Names of flags and measurements *about* an identifier (email_verified, phone_count):
# the identifier rules do not apply to them.
_QUALIFIER_TOKENS = frozenset(
    "is has verified valid validated flag flags count cnt sent opens open opened click "
    "clicks clicked bounce bounced bounces status type domain provider format length len "
    "missing exists present changed updated rate score share pct".split()
)

_CONSENT = NameHint("consent or communication preference", PRIVACY_PREFERENCES, strength=0.7)
_HASHED = NameHint("hashed (pseudonymised) identifier", UNIQUE_ID, strength=0.7)
_FREE_TEXT = NameHint(
    "free text", DATA_CATEGORY[EntityType.FREE_TEXT], EntityType.FREE_TEXT, strength=0.6
)

#: Ordered ``(regex over the normalised name, hint)`` rules for identifiers; first match
#: wins. Not applied to names with a qualifier token (``email_verified``).
_IDENTIFIER_RULES: tuple[tuple[str, NameHint], ...] = (
    (_t(r"e_?mails?|e_?mail_?addr(?:ess)?(?:es)?|emailaddress|mail|courriel"),
     _id("email address", EntityType.EMAIL_ADDRESS, 0.9)),
    (_t(r"phones?|phone_?(?:no|num|number)|telephone|tel|telefon|telefono|mobile|mobil|"
        r"cell|cellphone|cell_?phone|msisdn|fax|handy|contact_?(?:no|num|number)"),
     _id("phone number", EntityType.PHONE_NUMBER, 0.85)),
    (_t(r"credit_?card|creditcard|debit_?card|card_?(?:no|num|number|pan)|cardnumber|"
        r"cc_?(?:no|num|number)|pan"),
     _id("payment card number", EntityType.CREDIT_CARD, 0.85)),
    (_t(r"iban|iban_?code"), _id("IBAN", EntityType.IBAN_CODE, 0.9)),
    (_t(r"bank_?account|bank_?acct|account_?(?:no|num|number)|acct_?(?:no|num|number)"),
     NameHint("bank account number", BANK_ACCOUNT, EntityType.IBAN_CODE,
              direct_identifier=True, strength=0.7)),
    (_t(r"ssn|social_?security(?:_?(?:no|num|number))?|national_?id|national_?insurance|"
        r"national_?number|nino|tax_?id|taxpayer_?id|steuer_?id|steuerid|idnr|insee|nir|"
        r"dni|nie|bsn|codice_?fiscale|personnummer|pesel|nif|curp|aadhaar|id_?card"),
     _id("national identification number", EntityType.NATIONAL_ID, 0.9)),
    (_t(r"passport|passport_?(?:no|num|number)"),
     NameHint("passport number", PASSPORT, direct_identifier=True, strength=0.85)),
    (_t(r"drivers?_?licen[cs]e|driving_?licen[cs]e|licen[cs]e_?(?:no|num|number)"),
     NameHint("driver's licence number", DRIVERS_LICENSE, direct_identifier=True,
              strength=0.85)),
    (_t(r"ip|ips|ip_?addr(?:ess)?|ipaddress|ipv4|ipv6|client_?ip|remote_?addr|"
        r"remote_?ip|source_?ip|src_?ip|user_?ip"),
     _id("IP address", EntityType.IP_ADDRESS, 0.8)),
    (_t(r"mac|mac_?addr(?:ess)?"),
     NameHint("MAC address", DEVICE_ID, direct_identifier=True, strength=0.7)),
    (_t(r"device_?id|idfa|idfv|gaid|aaid|adid|advertising_?id|maid|udid"),
     NameHint("device identifier", DEVICE_ID, direct_identifier=True, strength=0.85)),
    (_t(r"cookies?|cookie_?id|fbp|fbc|gclid|client_?id_?ga|ga_?client_?id"),
     NameHint("cookie identifier", COOKIE_ID, direct_identifier=True, strength=0.8)),
    (_t(r"dob|d_o_b|date_?of_?birth|birth_?date|birthdate|birth_?day|birthday|born|"
        r"date_?born|geburtsdatum|fecha_?(?:de_?)?nacimiento|date_?(?:de_?)?naissance"),
     NameHint("date of birth", DATA_CATEGORY[EntityType.DATE_OF_BIRTH],
              EntityType.DATE_OF_BIRTH, strength=0.9)),
    (_t(r"post_?code|postal_?code|postcode|postalcode|zip|zip_?code|zipcode|plz|"
        r"postleitzahl|code_?postal"),
     NameHint("postal code", DATA_CATEGORY[EntityType.POSTAL_CODE], EntityType.POSTAL_CODE,
              strength=0.85)),
    (_t(r"user_?name|username|login|login_?name|screen_?name|nickname|handle"),
     NameHint("username", USERNAME, direct_identifier=True, strength=0.75)),
    (r"^names?$", _id("person name", EntityType.PERSON, 0.6)),
    (r"^(?:full_?name|fullname|first_?name|firstname|last_?name|lastname|"
     r"given_?names?|family_?name|surname|sur_?name|forename|fore_?name|middle_?name|"
     r"maiden_?name|vorname|nachname|prenom|nom|nombre|apellidos?)$",
     _id("person name", EntityType.PERSON, 0.85)),
    (_t(r"(?:customer|client|contact|person|account_?holder|holder|cardholder|"
        r"recipient|patient|employee|member|subscriber|guest|buyer)_?(?:full_?|first_?|"
        r"last_?)?name|(?:first|last|full|given|family|middle)_?name|firstname|lastname|"
        r"fullname|surname|forename"),
     _id("person name", EntityType.PERSON, 0.85)),
    (_t(r"street|street_?(?:address|name|line)|address|addresses|addr|address_?line_?\d*|"
        r"address\d|addr\d|adresse|direccion|strasse|straße|house_?(?:no|number)|"
        r"(?:mailing|billing|shipping|home|postal|delivery)_?address"),
     _id("street address", EntityType.STREET_ADDRESS, 0.7)),
    (_t(r"(?:customer|client|user|member|account|person|contact|subscriber|patient|"
        r"employee|visitor|cust|crm|lead|guest|buyer)_?(?:id|no|num|number|key|ref|uuid|"
        r"guid)|custid|userid|uid|guid|uuid"),
     NameHint("customer or user identifier", UNIQUE_ID, direct_identifier=True,
              strength=0.75)),
    (_t(r"linkedin|twitter|facebook|instagram|tiktok|social_?(?:url|profile|handle)|"
        r"profile_?url"),
     NameHint("social media profile", URL, direct_identifier=True, strength=0.75)),
    (_t(r"url|website|homepage|web_?site"), NameHint("web address", URL, strength=0.5)),
    (_t(r"password|passwd|pwd|pin|pin_?code|secret|security_?answer"),
     NameHint("password or secret", CREDENTIALS, strength=0.8)),
)

#: Ordered rules for location and ordinary personal columns; first match wins.
_PERSONAL_RULES: tuple[tuple[str, NameHint], ...] = (
    (_t(r"nationality|citizenship|native_?country|country_?of_?(?:birth|origin)|"
        r"birth_?country|immigration_?status"),
     NameHint("nationality or country of birth", DEMOGRAPHIC, strength=0.8)),
    (_t(r"city|town|ort|ville|ciudad|municipality"),
     NameHint("city", CITY, strength=0.7)),
    (_t(r"state|province|county|bundesland"), NameHint("state or province", STATE,
                                                       strength=0.5)),
    (_t(r"country|country_?code|pays|pais"), NameHint("country", COUNTRY,
                                                         strength=0.6)),
    (_t(r"lat|lng|lon|latitude|longitude|geo|geo_?location|geolocation|gps|"
        r"coordinates?|location"),
     NameHint("location", LOCATION, strength=0.6)),
    (_t(r"age|ages|age_?(?:band|group|range|bucket|years|yrs|cat|category|bin|class)|"
        r"agegroup|ageband|agerange|years_?old|yob|birth_?year|year_?of_?birth|alter|edad"),
     NameHint("age", AGE, strength=0.9)),
    (_t(r"race|races|ethnicity|ethnic|ethnic_?(?:group|origin|background)|racial\w*"),
     NameHint("race or ethnicity", RACE, strength=0.9)),
    (_t(r"sexual_?orientation|sexuality|lgbt\w*"),
     NameHint("sexual orientation", SEXUAL_ORIENTATION, strength=0.9)),
    (_t(r"gender|genders|gender_?identity|sex|sexe|geschlecht|sexo|female|male|is_?female|"
        r"is_?male"),
     NameHint("sex or gender", GENDER, strength=0.9)),
    (_t(r"marital\w*|married|marriage|civil_?status|relationship_?status|family_?status"),
     NameHint("marital status", MARITAL, strength=0.9)),
    (_t(r"religion|religions|religious\w*|faith|denomination|confession"),
     NameHint("religion or belief", RELIGION, strength=0.9)),
    (_t(r"political\w*|politics|party_?affiliation|voting_?intention|voter_?intent\w*"),
     NameHint("political opinion", POLITICS, strength=0.85)),
    (_t(r"health\w*|medical\w*|diagnosis|diagnoses|disease\w*|illness\w*|disabilit\w*|"
        r"disabled|pregnan\w*|medication\w*|prescription\w*|allerg\w*|icd\d*|bmi|"
        r"blood_?type|symptoms?|treatment"),
     NameHint("health", HEALTH, strength=0.85)),
    (_t(r"biometric\w*|fingerprints?|face_?(?:id|template|embedding|print)|faceprint|"
        r"retina\w*|iris_?scan|voice_?print|voiceprint"),
     NameHint("biometric data", BIOMETRIC, strength=0.9)),
    (_t(r"genetic\w*|dna|genome|genotype"), NameHint("genetic data", GENETIC, strength=0.9)),
    (_t(r"trade_?union\w*|union_?member\w*"),
     NameHint("trade-union membership", TRADE_UNION, strength=0.9)),
    (_t(r"language|languages|lang|locale|mother_?tongue|preferred_?language"),
     NameHint("language", LANGUAGE, strength=0.7)),
    (_t(r"education\w*|edu|degree|schooling|school|qualification\w*"),
     NameHint("education", DEMOGRAPHIC, strength=0.8)),
    (_t(r"children|num_?children|kids|dependents|dependants|household\w*|family_?size"),
     NameHint("household or children", DEMOGRAPHIC, strength=0.7)),
    (_t(r"income\w*|salary|salaries|wages?|earnings|balance|balances|loans?|"
        r"housing_?loan|personal_?loan|mortgage\w*|debts?|credit|credit_?(?:score|limit|"
        r"rating|history)|capital_?(?:gain|loss)|net_?worth|wealth|savings|overdraft"),
     NameHint("financial situation", FINANCIAL, strength=0.8)),
    (_t(r"job|jobs|job_?title|jobtitle|occupation\w*|profession\w*|position_?title"),
     NameHint("job", JOB_TITLE, strength=0.85)),
    (_t(r"employer\w*|workplace|company|company_?name|organi[sz]ation|workclass|"
        r"work_?class|employment|employment_?(?:status|type)"),
     NameHint("employer or workplace", WORKPLACE, strength=0.7)),
)

_CONSENT_RE = re.compile(
    _t(r"consent\w*|opt_?in|optin|opt_?out|optout|opted_?(?:in|out)|gdpr|subscribed|"
       r"unsubscribed|permission\w*|do_?not_?(?:call|email|contact)|dnc")
)
_HASHED_RE = re.compile(_t(r"hash|hashed|sha\d*|md5|digest"))
_FREE_TEXT_RE = re.compile(
    _t(r"notes?|comments?|remarks?|description|descr|message|messages|msg|body|subject|"
       r"text|texts|free_?text|freetext|content|memo|feedback|review|reviews|bio|about|"
       r"transcript|chat|complaint\w*|narrative|summary|details")
)

#: Every rule, compiled, in the order :func:`classify_name` tries them.
NAME_RULES: tuple[tuple[re.Pattern[str], NameHint], ...] = tuple(
    (re.compile(pattern), hint) for pattern, hint in (*_IDENTIFIER_RULES, *_PERSONAL_RULES)
)
_N_IDENTIFIER_RULES = len(_IDENTIFIER_RULES)


def classify_name(column: str) -> NameHint | None:
    """Return what the name ``column`` says about its data, or ``None``.

    Order of the rules: consent flags (``marketing_opt_in`` → privacy preferences),
    hashed identifiers (``email_sha256``), free-text fields (``notes``,
    ``email_body``), identifiers (skipped when the name has a qualifier token such as
    ``verified``, ``count`` or ``domain``: ``email_verified`` is not an email address),
    then location and ordinary personal data. The first matching rule wins.

    Parameters
    ----------
    column : str
        Column name as in the data.

    Returns
    -------
    NameHint or None
        ``None`` when the name says nothing about personal data (``duration``,
        ``euribor3m``).

    Examples
    --------
    >>> classify_name("E-Mail").entity_type
    <EntityType.EMAIL_ADDRESS: 'EMAIL_ADDRESS'>
    >>> classify_name("marital-status").data_category
    'user.demographic.marital_status'
    >>> classify_name("race").special_category
    'racial or ethnic origin (GDPR Art. 9(1))'
    >>> classify_name("emp.var.rate") is None
    True
    """
    normal = normalise_name(column)
    if not normal:
        return None
    tokens = set(normal.split("_"))
    if _CONSENT_RE.search(normal):
        return _CONSENT
    if _HASHED_RE.search(normal):
        return _HASHED
    if _FREE_TEXT_RE.search(normal):
        return _FREE_TEXT
    qualified = bool(tokens & _QUALIFIER_TOKENS)
    for i, (pattern, hint) in enumerate(NAME_RULES):
        if qualified and i < _N_IDENTIFIER_RULES:
            continue
        if pattern.search(normal):
            return hint
    return None
