"""Microsoft Presidio's analyzer as a second opinion on free text, offline.

:func:`presidio_engine` builds a Presidio ``AnalyzerEngine`` that never downloads anything:

- Without an English spaCy model installed, the NLP engine is a *blank* spaCy English
  pipeline (``spacy.blank("en")``: the rule-based tokenizer only, no weights) and Presidio's
  predefined PATTERN recognizers run (credit card, e-mail, IBAN, IP, phone, US SSN, date …).
  Presidio reads context words from token lemmas; a blank pipeline has no lemmatizer, so
  each token's lower-cased text stands in for its lemma (``"cards"`` then does not match
  the context word ``"card"``, which a real lemmatizer would allow).
- When one of ``en_core_web_lg``, ``en_core_web_md``, ``en_core_web_sm`` or
  ``en_core_web_trf`` is importable, it is loaded instead and Presidio's ``SpacyRecognizer``
  adds named entities (PERSON, LOCATION, ORGANIZATION, NRP, DATE_TIME).

:func:`presidio_engine_info` says which of the two ran, for reports. Presidio's own
default would call ``spacy.cli.download`` for a missing model; this module never takes
that path (it only loads a model that ``spacy.util.is_package`` finds), and it stops
tldextract, which Presidio's e-mail recognizer uses, from fetching the Public Suffix List.

Source: Presidio analyzer documentation, "Customizing the NLP engine" and "Supported
entities" (microsoft.github.io/presidio); presidio-analyzer 2.2 source
(``SpacyNlpEngine``, ``RecognizerRegistry.load_predefined_recognizers``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fairmark.errors import UsageError
from fairmark.privacy.entities import EntityType
from fairmark.privacy.masking import mask

__all__ = [
    "ENGLISH_MODELS",
    "PRESIDIO_TO_ENTITY",
    "presidio_engine",
    "presidio_engine_info",
    "scan_texts_presidio",
]

ENGLISH_MODELS: tuple[str, ...] = (
    "en_core_web_lg",
    "en_core_web_md",
    "en_core_web_sm",
    "en_core_web_trf",
)
"""spaCy English pipelines used for NER when installed, in order of preference."""

PRESIDIO_TO_ENTITY: dict[str, EntityType] = {
    "EMAIL_ADDRESS": EntityType.EMAIL_ADDRESS,
    "PHONE_NUMBER": EntityType.PHONE_NUMBER,
    "CREDIT_CARD": EntityType.CREDIT_CARD,
    "IBAN_CODE": EntityType.IBAN_CODE,
    "IP_ADDRESS": EntityType.IP_ADDRESS,
    "US_SSN": EntityType.NATIONAL_ID,
    "UK_NHS": EntityType.NATIONAL_ID,
    "UK_NINO": EntityType.NATIONAL_ID,
    "ES_NIF": EntityType.NATIONAL_ID,
    "ES_NIE": EntityType.NATIONAL_ID,
    "IT_FISCAL_CODE": EntityType.NATIONAL_ID,
    "PERSON": EntityType.PERSON,
    "LOCATION": EntityType.STREET_ADDRESS,
}
"""Presidio entity names mapped to fairmark's; other Presidio entities keep their own name
(``DATE_TIME``, ``URL``, ``US_DRIVER_LICENSE`` …). ``LOCATION`` (spaCy GPE/LOC/FAC) is the
nearest Presidio has to a street address."""


def _presidio_version() -> str:
    try:
        return version("presidio-analyzer")
    except PackageNotFoundError:  # pragma: no cover - declared dependency
        return "not installed"


def _installed_english_model() -> str | None:
    """The first English spaCy pipeline that is both importable and an installed package.

    Presidio's ``SpacyNlpEngine.load`` downloads a model that ``spacy.util.is_package``
    does not find, so a model importable only from a path is not used.
    """
    for name in ENGLISH_MODELS:
        if importlib.util.find_spec(name) is not None:
            import spacy.util

            if spacy.util.is_package(name):
                return name
    return None


def _blank_engine() -> Any:
    """A Presidio SpacyNlpEngine around ``spacy.blank("en")`` with lower-case lemmas."""
    import spacy
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from spacy.language import Language

    if not Language.has_factory("fairmark_lower_lemma"):

        @Language.component("fairmark_lower_lemma")
        def _lower_lemma(doc: Any) -> Any:
            for token in doc:
                token.lemma_ = token.lower_
            return doc

    class _BlankSpacyNlpEngine(SpacyNlpEngine):  # type: ignore[misc]
        """Tokenizer-only English pipeline; loads nothing from disk or network."""

        def load(self) -> None:
            nlp = spacy.blank("en")
            nlp.add_pipe("fairmark_lower_lemma")
            self.nlp = {"en": nlp}

    engine = _BlankSpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank:en"}])
    engine.load()
    return engine


def _no_suffix_list_download() -> None:
    """Keep tldextract (Presidio's e-mail recognizer calls it) off the network.

    Its shared extractor would fetch the Public Suffix List on first use; with no URLs it
    reads its cache or the snapshot bundled with the package (tldextract ``TLDExtract``
    docstring: "To disable HTTP requests, set this to an empty sequence").
    """
    import tldextract.tldextract as tld

    tld.TLD_EXTRACTOR.suffix_list_urls = ()


@cache
def presidio_engine() -> Any:
    """The shared, offline Presidio ``AnalyzerEngine`` (built once per process).

    Returns
    -------
    presidio_analyzer.AnalyzerEngine
        Pattern recognizers always; the spaCy NER recognizer too when an English model of
        :data:`ENGLISH_MODELS` is installed.

    Raises
    ------
    UsageError
        When presidio-analyzer or spaCy cannot be imported.
    """
    try:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise UsageError(f"Presidio is not available ({exc}); install presidio-analyzer") from None
    _no_suffix_list_download()
    model = _installed_english_model()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"])
    if model is None:
        nlp_engine = _blank_engine()
        registry.recognizers = [
            r for r in registry.recognizers if type(r).__name__ != "SpacyRecognizer"
        ]
    else:
        nlp_engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
        nlp_engine.load()
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


def presidio_engine_info() -> dict[str, Any]:
    """Which Presidio ran and with which recognizers, for reports.

    Returns
    -------
    dict
        ``{"presidio": "<version>", "recognizers": "pattern" | "pattern+ner",
        "ner_model": "<spaCy package>" | None}``; ``ner_model`` is ``None`` and
        ``recognizers`` is ``"pattern"`` when no English spaCy model is installed.
    """
    model = _installed_english_model()
    return {
        "presidio": _presidio_version(),
        "recognizers": "pattern" if model is None else "pattern+ner",
        "ner_model": model,
    }


def scan_texts_presidio(texts: Sequence[str], *, score_threshold: float = 0.0) -> list[list[Any]]:
    """Run Presidio's analyzer over texts and return fairmark findings.

    Parameters
    ----------
    texts : sequence of str
        English texts; ``None`` elements give no findings.
    score_threshold : float, default 0.0
        Presidio's ``score_threshold`` (its default, 0, keeps every result).

    Returns
    -------
    list of list of TextFinding
        One list per text. Entity types are mapped by :data:`PRESIDIO_TO_ENTITY`; others keep
        Presidio's name. Overlapping results are kept as Presidio returns them. Offsets are
        Presidio's (code points of the text as given).

    Raises
    ------
    UsageError
        When an element is not a str (or None), or ``score_threshold`` is outside [0, 1].
    """
    from fairmark.privacy.scan_text import TextFinding

    if not 0.0 <= score_threshold <= 1.0:
        raise UsageError(f"score_threshold must be in [0, 1], got {score_threshold!r}")
    engine = presidio_engine()
    results: list[list[Any]] = []
    for i, text in enumerate(texts):
        if text is None:
            results.append([])
            continue
        if not isinstance(text, str):
            raise UsageError(f"texts[{i}] must be str, got {type(text).__name__}")
        found = engine.analyze(text=text, language="en", score_threshold=score_threshold)
        findings = []
        for r in sorted(found, key=lambda r: (r.start, r.end)):
            kind = PRESIDIO_TO_ENTITY.get(r.entity_type)
            name = kind.value if kind is not None else r.entity_type
            findings.append(
                TextFinding(
                    entity_type=name,
                    start=r.start,
                    end=r.end,
                    score=round(float(r.score), 3),
                    text_masked=mask(text[r.start : r.end], name),
                )
            )
        results.append(findings)
    return results
