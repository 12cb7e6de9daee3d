"""Audience names and descriptions that suggest a sensitive status of the people in them.

An audience called "Diabetes patients" or "Debt consolidation leads" tells the platform,
and anyone who sees the audience, something sensitive about every person on the list.
Meta flags and blocks custom audiences whose names suggest specific health conditions or
financial status (from 2 September 2025), its advertising standards forbid asserting or
implying personal attributes, and Google's personalised-advertising policy treats health,
financial hardship, identity and belief and sexual interests as sensitive categories.
Several of these are GDPR Art. 9(1) special categories.

:func:`lint_audience_text` finds such terms with word-boundary matching (a term marked as
a stem also matches its endings: ``diabet`` matches "diabetes" and "diabetic"); each
finding names the term, its category, the text span and the policy it comes from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from fairmark.privacy.entities import is_special_category

__all__ = ["TERMS", "LintFinding", "SensitiveTerm", "lint_audience_text"]

META_PERSONAL_ATTRIBUTES = (
    "Meta Advertising Standards, 'Personal Attributes' (transparency.meta.com/policies/"
    "ad-standards/objectionable-content/personal-attributes)"
)
META_CA_RESTRICTIONS = (
    "Meta Marketing API, Customer File Custom Audiences: audiences suggesting specific "
    "health conditions (e.g. 'arthritis', 'diabetes') or financial status (e.g. 'credit "
    "score', 'high income') are flagged from 2 September 2025"
)
GOOGLE_SENSITIVE = (
    "Google Ads policy, 'Personalized advertising' sensitive interest categories "
    "(support.google.com/adspolicy/answer/143465)"
)

_CATEGORY_FIDES: dict[str, str | None] = {
    "health": "user.health_and_medical",
    "financial_status": "user.financial",
    "sexual_orientation": "user.demographic.sexual_orientation",
    "gender_identity": "user.demographic.gender",
    "religion": "user.demographic.religious_belief",
    "race_ethnicity": "user.demographic.race_ethnicity",
    "political_opinion": "user.demographic.political_opinion",
    "trade_union": "user.workplace.trade_union_membership",
    "criminal_record": "user.criminal_history",
}
"""fideslang data category each lint category speaks about."""


@dataclass(frozen=True)
class SensitiveTerm:
    """One term that suggests a sensitive status.

    Parameters
    ----------
    term : str
        Lower-case word or phrase; spaces match any run of spaces, hyphens or
        underscores.
    category : str
        ``health``, ``financial_status``, ``sexual_orientation``, ``gender_identity``,
        ``religion``, ``race_ethnicity``, ``political_opinion``, ``trade_union`` or
        ``criminal_record``.
    source : str
        The platform policy that names the category.
    stem : bool
        Also match words that start with the term (``pregnan`` → "pregnant",
        "pregnancy").
    """

    term: str
    category: str
    source: str
    stem: bool = False


def _terms(category: str, source: str, words: str) -> tuple[SensitiveTerm, ...]:
    """Build terms from ``"word, stem*, two words"`` (``*`` marks a stem)."""
    out = []
    for raw in words.split(","):
        word = raw.strip()
        if word:
            out.append(SensitiveTerm(word.rstrip("*"), category, source, word.endswith("*")))
    return tuple(out)


_HEALTH = f"{META_PERSONAL_ATTRIBUTES}; {META_CA_RESTRICTIONS}; {GOOGLE_SENSITIVE}"
_MONEY = f"{META_PERSONAL_ATTRIBUTES} (vulnerable financial status); {META_CA_RESTRICTIONS}; "
_MONEY += f"{GOOGLE_SENSITIVE} (personal hardships: financial)"
_IDENTITY = f"{META_PERSONAL_ATTRIBUTES}; {GOOGLE_SENSITIVE} (identity and belief)"

TERMS: tuple[SensitiveTerm, ...] = (
    *_terms(
        "health",
        _HEALTH,
        "diabet*, cancer*, oncolog*, tumour*, tumor*, chemotherap*, leukaemi*, leukemi*, "
        "hiv, aids patient*, hepatitis, herpes, sexually transmitted, "
        "depressi*, depressed, anxiety, bipolar, schizophren*, adhd, autis*, dementia, "
        "alzheimer*, parkinson*, arthriti*, asthma*, copd, obes*, overweight, weight loss, "
        "pregnan*, fertility, infertil*, ivf, miscarriage*, abortion*, menopaus*, "
        "erectile dysfunction, incontinen*, addict*, alcoholi*, rehab, substance abuse, "
        "eating disorder*, anorexi*, bulimi*, mental health, mental illness, psychiatric, "
        "disabilit*, disabled, wheelchair*, hearing loss, deaf, visually impaired, migraine*, "
        "chronic pain, chronic illness, heart disease, hypertension, high blood pressure, "
        "cholesterol, insulin, psoriasis, eczema, epilep*, multiple sclerosis, "
        "crohn*, ostomy, dialysis, patient*, diagnos*, medical condition*",
    ),
    *_terms(
        "financial_status",
        _MONEY,
        "debt*, bankrupt*, insolven*, payday loan*, low income, "
        "high income, high net worth, credit score*, bad credit, poor credit, "
        "credit repair, overdraft*, overdrawn, arrears, foreclos*, evict*, repossess*, "
        "unemploy*, jobless, on welfare, welfare recipient*, food stamp*, food bank*, "
        "benefit claimant*, on benefits, financial hardship, financial difficult*, "
        "struggling to pay, cash advance*, pawnbroker*, pawnshop*, loan default*, defaulted",
    ),
    *_terms(
        "sexual_orientation",
        _IDENTITY,
        "gay, gays, lesbian*, bisexual*, lgbt*, queer, homosexual*, heterosexual*",
    ),
    *_terms("gender_identity", _IDENTITY, "transgender*, nonbinary, non-binary"),
    *_terms(
        "religion",
        _IDENTITY,
        "muslim*, islam*, christian*, catholic*, protestant*, jewish, jew, jews, judais*, "
        "hindu*, buddhis*, sikh*, mormon*, atheist*, evangelical*",
    ),
    *_terms(
        "race_ethnicity",
        _IDENTITY,
        "african american*, hispanic*, latino*, latina*, latinx, asian american*, ethnic*, racial*",
    ),
    *_terms(
        "political_opinion",
        f"{META_PERSONAL_ATTRIBUTES} (voting status); {GOOGLE_SENSITIVE}",
        "democrat*, republican*, political*, voter*, trump supporter*, labour voter*, tory voter*",
    ),
    *_terms("trade_union", _IDENTITY, "trade union*, union member*"),
    *_terms(
        "criminal_record",
        f"{META_PERSONAL_ATTRIBUTES} (criminal record)",
        "criminal record*, convict*, felon*, ex-offender*, arrest*, inmate*, parolee*",
    ),
)
"""Terms that suggest a sensitive status, by category, with the policy naming it."""


@dataclass(frozen=True)
class LintFinding:
    """One sensitive term found in an audience name or description.

    Attributes
    ----------
    field : {"name", "description"}
    term : str
        The listed term that matched (``diabet``).
    matched : str
        The text that matched (``Diabetic``).
    start, end : int
        Character span of ``matched`` in the field's text.
    category : str
    data_category : str or None
        fideslang data category the term speaks about.
    special_category : str or None
        GDPR Art. 9(1) wording when it is a special category, else ``None``.
    source : str
        The policy naming the category.
    """

    field: str
    term: str
    matched: str
    start: int
    end: int
    category: str
    data_category: str | None
    special_category: str | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Return the ``lint[]`` object of the audience document."""
        return {
            "field": self.field,
            "term": self.term,
            "matched": self.matched,
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "data_category": self.data_category,
            "special_category": self.special_category,
            "source": self.source,
        }


@cache
def _patterns() -> tuple[tuple[SensitiveTerm, re.Pattern[str]], ...]:
    compiled = []
    for t in TERMS:
        words = [re.escape(w) for w in re.split(r"[\s\-_]+", t.term)]
        body = r"[\s\-_]+".join(words)
        tail = r"\w*" if t.stem else ""
        compiled.append((t, re.compile(rf"(?<!\w){body}{tail}(?!\w)", re.IGNORECASE)))
    return tuple(compiled)


def lint_audience_text(
    name: str | None = None, description: str | None = None
) -> tuple[LintFinding, ...]:
    """Return the sensitive terms found in an audience's name and description.

    Parameters
    ----------
    name, description : str, optional
        The audience's name and description as they will be shown on the platform.

    Returns
    -------
    tuple of LintFinding
        In field order (name first), then by position; overlapping matches of one
        category are reported once (the longest). Empty when nothing is found.

    Notes
    -----
    Matching is case-insensitive on Unicode NFKC text with word boundaries, so "aids" in
    "hearing aids" is not a finding while "AIDS patients" is; stems match their endings.
    A lint finding does not block the upload: it asks a person to rename the audience.
    Sources: Meta Advertising Standards, Personal Attributes; Meta custom-audience
    restrictions of 2 September 2025; Google personalised-advertising policy; GDPR Art.
    9(1) for the special categories.
    """
    findings: list[LintFinding] = []
    for field_name, text in (("name", name), ("description", description)):
        if not text:
            continue
        normal = unicodedata.normalize("NFKC", text)
        found: list[LintFinding] = []
        for term, pattern in _patterns():
            for m in pattern.finditer(normal):
                data_category = _CATEGORY_FIDES.get(term.category)
                special = is_special_category(data_category) if data_category else None
                found.append(
                    LintFinding(
                        field=field_name,
                        term=term.term,
                        matched=m.group(0),
                        start=m.start(),
                        end=m.end(),
                        category=term.category,
                        data_category=data_category,
                        special_category=special,
                        source=term.source,
                    )
                )
        findings.extend(_longest(found))
    return tuple(findings)


def _longest(found: list[LintFinding]) -> list[LintFinding]:
    """Keep, per category, the longest of overlapping matches; sort by position."""
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[LintFinding] = []
    for f in found:
        if any(k.category == f.category and f.start < k.end and k.start < f.end for k in kept):
            continue
        kept.append(f)
    return kept
