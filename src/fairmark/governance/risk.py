"""EU AI Act risk classification of an AI system from a versioned questionnaire.

A questionnaire (package data ``questionnaires/<id>.v<N>.yaml``) asks yes/no questions; a
question answered ``true`` may *imply* a tier with the articles that make it so. The most
severe tier implied wins (``prohibited`` > ``high_risk`` > ``limited_risk`` >
``minimal_risk``; nothing implied: ``minimal_risk``). Annex III uses are high-risk unless
the Art. 6(3) derogation applies, which it never does when the system profiles natural
persons. The GDPR Art. 22 flag (a solely automated decision with legal or similarly
significant effects) is reported beside the tier and never changes it.

Answers, in Python or in an answers file (YAML or JSON)::

    questionnaire: eu-ai-act
    version: 1
    answers:
      manipulative_techniques: false
      ...

Each answer must be a boolean; the strings ``yes``/``no``/``true``/``false`` (any case)
are accepted too, because YAML 1.2 readers and spreadsheets write them as text. Anything
else (``1``, ``y``, an empty string) is refused, naming the question and the value. Every
question must be answered: a missing answer, or one left ``null`` (as the template
leaves every answer), is an error listing all the missing ids, not a silent "no".

Sources: Regulation (EU) 2024/1689 (AI Act) Art. 5, 6, 50 and Annex III; Regulation (EU)
2016/679 (GDPR) Art. 22 and Recital 71; Article 29 Working Party WP251rev.01 (endorsed by
the EDPB). The questionnaire file cites each question's articles.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import Engine, update

from fairmark.errors import UsageError
from fairmark.governance.access import Principal, authorize
from fairmark.governance.chain import append_entry, canonical_json
from fairmark.governance.clock import db_now

__all__ = [
    "DEFAULT_QUESTIONNAIRE",
    "RISK_TIERS",
    "AnswersFile",
    "Question",
    "Questionnaire",
    "RiskClassification",
    "SystemClassification",
    "answers_sha256",
    "available_versions",
    "classify",
    "classify_system",
    "load_answers",
    "load_questionnaire",
    "template_answers",
]

RISK_TIERS: tuple[str, ...] = ("prohibited", "high_risk", "limited_risk", "minimal_risk")
"""EU AI Act risk tiers, most to least severe."""

DEFAULT_QUESTIONNAIRE = "eu-ai-act"
"""The id of the built-in questionnaire."""

_PACKAGE = "fairmark.governance.questionnaires"
_FILE = re.compile(r"^(?P<stem>[a-z0-9_]+)\.v(?P<version>[1-9][0-9]*)\.yaml$")
_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})
_ANSWER_FILE_KEYS = ("questionnaire", "version", "answers", "system", "notes")

Tier = Literal["prohibited", "high_risk", "limited_risk", "minimal_risk"]


# --------------------------------------------------------------------------- the questionnaire


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Implication(_Frozen):
    """What a ``true`` answer implies: a tier, the articles, one line of rationale.

    ``derogable`` marks an Annex III use that the Art. 6(3) derogation may lift.
    """

    tier: Tier
    articles: tuple[str, ...] = Field(min_length=1)
    rationale: str
    derogable: bool = False


class Question(_Frozen):
    """One yes/no question of a questionnaire.

    Attributes
    ----------
    id : str
        Stable id (``[a-z][a-z0-9_]*``), the key in an answers file.
    text : str
        The question.
    help : str or None
        An example or a clarification.
    type : "boolean"
    implies : Implication or None
        What answering ``true`` implies; ``None`` for questions that only qualify others
        (profiling, the Art. 6(3) conditions, the Art. 22 conditions).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str
    help: str | None = None
    type: Literal["boolean"] = "boolean"
    implies: Implication | None = None


class Derogation(_Frozen):
    """The Art. 6(3) derogation for Annex III (``derogable``) implications.

    It applies when every answer in ``applies_when`` is as given and none of
    ``excluded_when`` holds; then the derogable implications do not raise the tier.
    """

    id: str
    articles: tuple[str, ...]
    applies_when: dict[str, bool]
    excluded_when: dict[str, bool] = Field(default_factory=dict)
    applies_rationale: str
    applies_articles: tuple[str, ...] = ()
    not_applicable_rationale: str
    excluded_rationale: str


class Flag(_Frozen):
    """A flag raised when every question in ``all_of`` is answered ``true``."""

    all_of: tuple[str, ...] = Field(min_length=1)
    articles: tuple[str, ...]
    sources: tuple[str, ...] = ()
    rationale: str


class Questionnaire(_Frozen):
    """A versioned risk-classification questionnaire (a YAML file of package data).

    Attributes
    ----------
    id : str
        E.g. ``eu-ai-act``.
    version : int
        >= 1; a released version is never edited.
    title : str
    sources : tuple of str
        The legal texts and guidance the questions cite.
    tiers : tuple of str
        Most to least severe (:data:`RISK_TIERS`).
    questions : tuple of Question
        Ids unique.
    derogation : Derogation or None
    flags : dict
        ``flag name -> Flag`` (``gdpr_art22``).
    minimal_rationale : str
        The rationale line when nothing is implied.

    Raises
    ------
    pydantic.ValidationError
        Duplicate question ids, or a derogation or flag naming an unknown question.
    """

    id: str
    version: int = Field(ge=1)
    title: str
    sources: tuple[str, ...] = ()
    tiers: tuple[Tier, ...] = RISK_TIERS  # type: ignore[assignment]
    questions: tuple[Question, ...] = Field(min_length=1)
    derogation: Derogation | None = None
    flags: dict[str, Flag] = Field(default_factory=dict)
    minimal_rationale: str

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate question ids: {', '.join(dupes)}")
        if tuple(self.tiers) != RISK_TIERS:
            raise ValueError(f"tiers must be {', '.join(RISK_TIERS)}")
        known = set(ids)
        named: list[str] = []
        if self.derogation is not None:
            named += [*self.derogation.applies_when, *self.derogation.excluded_when]
        for flag in self.flags.values():
            named += list(flag.all_of)
        unknown = sorted(set(named) - known)
        if unknown:
            raise ValueError(f"derogation or flag names unknown questions: {', '.join(unknown)}")
        return self

    @property
    def label(self) -> str:
        """``eu-ai-act v1``."""
        return f"{self.id} v{self.version}"

    @property
    def ids(self) -> tuple[str, ...]:
        """Question ids in questionnaire order."""
        return tuple(q.id for q in self.questions)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the whole questionnaire."""
        return self.model_dump(mode="json")


def _files() -> dict[tuple[str, int], str]:
    found: dict[tuple[str, int], str] = {}
    for entry in resources.files(_PACKAGE).iterdir():
        match = _FILE.match(entry.name)
        if match:
            found[(match["stem"].replace("_", "-"), int(match["version"]))] = entry.name
    return found


def available_versions(questionnaire_id: str = DEFAULT_QUESTIONNAIRE) -> tuple[int, ...]:
    """Return the versions of a built-in questionnaire, ascending.

    Parameters
    ----------
    questionnaire_id : str
        E.g. ``eu-ai-act``.

    Returns
    -------
    tuple of int
        Empty when no such questionnaire is packaged.
    """
    return tuple(sorted(v for (qid, v) in _files() if qid == questionnaire_id))


@lru_cache(maxsize=8)
def _load(questionnaire_id: str, version: int) -> Questionnaire:
    name = _files()[(questionnaire_id, version)]
    text = resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    try:
        parsed = Questionnaire.model_validate(yaml.safe_load(text))
    except ValidationError as exc:  # pragma: no cover - the packaged files are tested
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(
            f"questionnaire file {name} is invalid at {where}: {first['msg']}"
        ) from None
    if (parsed.id, parsed.version) != (questionnaire_id, version):  # pragma: no cover
        raise UsageError(
            f"questionnaire file {name} declares {parsed.label}; expected "
            f"{questionnaire_id} v{version}"
        )
    return parsed


def _check_version(value: Any, questionnaire_id: str) -> int:
    versions = available_versions(questionnaire_id)
    if not versions:
        known = sorted({qid for (qid, _) in _files()})
        raise UsageError(
            f"unknown questionnaire {questionnaire_id!r}; expected one of {', '.join(known)}"
        )
    if value is None:
        return versions[-1]
    text = str(value).strip().lower().removeprefix("v")
    version = int(text) if text.isdigit() and not isinstance(value, bool) else None
    if version not in versions:
        raise UsageError(
            f"questionnaire {questionnaire_id} has no version {value!r}; available: "
            f"{', '.join(str(v) for v in versions)}"
        )
    return version


def load_questionnaire(
    version: int | str | None = None, *, questionnaire_id: str = DEFAULT_QUESTIONNAIRE
) -> Questionnaire:
    """Load a packaged questionnaire.

    Parameters
    ----------
    version : int or str, optional
        The version (``1``, ``"1"`` or ``"v1"``); default: the latest.
    questionnaire_id : str
        Default ``eu-ai-act``.

    Returns
    -------
    Questionnaire

    Raises
    ------
    UsageError
        Unknown questionnaire, or no such version (naming the available ones).

    Notes
    -----
    Files are read with :mod:`importlib.resources`, so they work from a wheel or a zip.
    Source of the questions: Regulation (EU) 2024/1689 Art. 5, 6, 50, Annex III; GDPR Art. 22.
    """
    return _load(questionnaire_id, _check_version(version, questionnaire_id))


# --------------------------------------------------------------------------- answers


def _boolean(qid: str, value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise UsageError(
        f"{label}: answer to {qid!r} is {value!r}; expected true or false (or yes/no)"
    )


def _check_answers(answers: Any, questionnaire: Questionnaire) -> dict[str, bool]:
    label = f"questionnaire {questionnaire.label}"
    if not isinstance(answers, Mapping):
        raise UsageError(
            f"{label}: answers are a {type(answers).__name__}; expected a mapping of "
            "question id to true or false"
        )
    ids = questionnaire.ids
    unknown = [str(k) for k in answers if k not in ids]
    missing = [q for q in ids if answers.get(q) is None]  # absent, or left null
    if unknown:
        hints = []
        for key in unknown:
            near = difflib.get_close_matches(key, missing or ids, n=1, cutoff=0.6)
            hints.append(f"{key} (did you mean {near[0]}?)" if near else key)
        also = f" and {len(missing)} missing: {', '.join(missing)}" if missing else ""
        raise UsageError(
            f"{label}: {len(unknown)} unknown question "
            f"{'id' if len(unknown) == 1 else 'ids'}: {', '.join(hints)}{also}; expected "
            f"the ids of 'fairmark system questionnaire --version {questionnaire.version}'"
        )
    if missing:
        raise UsageError(
            f"{label}: {len(missing)} {'answer' if len(missing) == 1 else 'answers'} "
            f"missing: {', '.join(missing)}; expected true or false for each"
        )
    return {q: _boolean(q, answers[q], label) for q in ids}


def answers_sha256(answers: Mapping[str, bool]) -> str:
    """Return the hex SHA-256 of the canonical JSON of ``answers`` (sorted keys).

    The same answers hash the same whether they came from YAML, JSON or Python.
    Source: RFC 8785 canonical JSON (:func:`fairmark.governance.chain.canonical_json`).
    """
    return hashlib.sha256(canonical_json(dict(answers)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AnswersFile:
    """A parsed answers file.

    Attributes
    ----------
    questionnaire : Questionnaire
        The questionnaire (and version) the file answers.
    answers : dict
        ``question id -> bool``, every question answered.
    path : str or None
        Where it was read from.
    system : str or None
        The ``system`` the file says it is for (informational).
    """

    questionnaire: Questionnaire
    answers: dict[str, bool]
    path: str | None = None
    system: str | None = None


def _parse_document(document: Any, where: str) -> AnswersFile:
    if not isinstance(document, Mapping):
        raise UsageError(
            f"{where}: is a {type(document).__name__}; expected a mapping with keys "
            "questionnaire, version and answers"
        )
    extra = [str(k) for k in document if k not in _ANSWER_FILE_KEYS]
    if extra:
        raise UsageError(
            f"{where}: unknown {'key' if len(extra) == 1 else 'keys'} {', '.join(extra)}; "
            f"expected {', '.join(_ANSWER_FILE_KEYS)}"
        )
    if "answers" not in document:
        raise UsageError(f"{where}: no 'answers' mapping; expected answers: {{id: true|false}}")
    qid = str(document.get("questionnaire", DEFAULT_QUESTIONNAIRE)).strip()
    if "version" not in document:
        raise UsageError(
            f"{where}: no 'version'; expected the questionnaire version the answers are for "
            f"(available: {', '.join(str(v) for v in available_versions(qid)) or 'none'})"
        )
    questionnaire = load_questionnaire(document["version"], questionnaire_id=qid)
    answers = _check_answers(document["answers"], questionnaire)
    system = document.get("system")
    return AnswersFile(
        questionnaire=questionnaire,
        answers=answers,
        path=None if where == "answers" else where,
        system=None if system is None else str(system),
    )


def load_answers(source: str | Path | Mapping[str, Any]) -> AnswersFile:
    """Read and check an answers file (YAML or JSON), or an answers document.

    Parameters
    ----------
    source : str, Path or Mapping
        A path to a ``.yaml``/``.yml``/``.json`` file, or the parsed document
        ``{questionnaire, version, answers}`` (``system`` and ``notes`` optional).

    Returns
    -------
    AnswersFile

    Raises
    ------
    UsageError
        The file is missing, unreadable or not a mapping; unknown top-level keys; no
        ``version``; an unknown questionnaire or version (naming the available ones);
        unknown question ids; missing answers (all listed); a value that is not a
        boolean (naming the question and the value); a key given twice in one mapping at
        any level (naming the key and both line numbers, :func:`_refuse_duplicate_keys`).
    """
    if isinstance(source, Mapping):
        return _parse_document(source, "answers")
    path = Path(source)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"answers file {where} does not exist; expected a YAML or JSON file"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        detail = " ".join(str(exc).split())
        raise UsageError(
            f"cannot read answers file {where}: {detail}; expected UTF-8 YAML or JSON"
        ) from None
    _refuse_duplicate_keys(text, where)
    try:
        if path.suffix.lower() == ".json":
            document = json.loads(text, object_pairs_hook=_json_pairs(where))
        else:
            document = yaml.safe_load(text)
    except UsageError:
        raise  # a repeated JSON name (_json_pairs)
    except (ValueError, yaml.YAMLError) as exc:
        first = " ".join(str(exc).split())
        raise UsageError(f"answers file {where} is not valid YAML/JSON ({first})") from None
    if document is None:
        raise UsageError(
            f"answers file {where} is empty; expected questionnaire, version and answers "
            "(print a template with 'fairmark system questionnaire --format yaml-template')"
        )
    return _parse_document(document, where)


DUPLICATE_ANSWER_KEY = (
    "answers file {where}: key {key!r} is given twice (lines {first} and {again}); expected "
    "each key once in a mapping (the last value would silently win)"
)
"""The refusal of a key repeated in one mapping of an answers file."""


def _refuse_duplicate_keys(text: str, where: str) -> None:
    """Refuse an answers text that repeats a key in one mapping, at any level.

    Parameters
    ----------
    text : str
        The answers file's text (YAML, or JSON, which YAML reads too). Text YAML cannot
        compose passes: the parser that follows names its syntax error.
    where : str
        The file, for the message.

    Raises
    ------
    UsageError
        :data:`DUPLICATE_ANSWER_KEY` for the first repeated key (by line): the key and the
        lines of its first and its repeated occurrence.

    Notes
    -----
    PyYAML and :func:`json.loads` keep the last value of a repeated key, so a hidden
    ``creditworthiness: false`` below ``creditworthiness: true`` would turn a high-risk
    system (Regulation (EU) 2024/1689 Annex III 5(b)) into a minimal-risk one. YAML 1.2
    section 3.2.1.1 requires mapping keys to be unique; RFC 8259 section 4 says names
    SHOULD be unique. The repetitions are found by the policy loader's
    :func:`fairmark.policy.source.duplicate_keys`.
    """
    from fairmark.policy.source import duplicate_keys

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # the parser names the error; JSON's repeated names: _json_pairs
    found = duplicate_keys(root)
    if found:
        again, key, first = found[0]
        raise UsageError(
            DUPLICATE_ANSWER_KEY.format(where=where, key=key, first=first.line, again=again.line)
        )
    merge = _merge_key_line(root, set())
    if merge is not None:
        raise UsageError(
            f"answers file {where}: line {merge} uses a YAML merge key ('<<'); expected each "
            "answer written out (a merged value and an explicit one would silently override "
            "each other)"
        )


def _merge_key_line(node: Any, seen: set[int]) -> int | None:
    """Return the 1-based line of the first YAML merge key (``<<``, YAML 1.1 merge type)
    under ``node``, or ``None``; ``seen`` guards against alias cycles."""
    if node is None or id(node) in seen:
        return None
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                return int(key.start_mark.line) + 1
            for child in (key, value):
                line = _merge_key_line(child, seen)
                if line is not None:
                    return line
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            line = _merge_key_line(child, seen)
            if line is not None:
                return line
    return None


def _json_pairs(where: str) -> Any:
    """A :func:`json.loads` ``object_pairs_hook`` refusing a repeated name (no line known)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise UsageError(
                    f"answers file {where}: key {key!r} is given twice in one object; "
                    "expected each key once in a mapping (the last value would silently win)"
                )
            out[key] = value
        return out

    return pairs


def template_answers(questionnaire: Questionnaire | None = None) -> str:
    """Return an answers file in YAML with every answer left ``null``, commented.

    Parameters
    ----------
    questionnaire : Questionnaire, optional
        Default: the latest built-in.

    Returns
    -------
    str
        YAML text: ``questionnaire``, ``version`` and ``answers`` with one ``id: null``
        line per question, each preceded by the question as a comment.

    Notes
    -----
    No answer is pre-filled: an answer the user forgets stays ``null`` and
    :func:`load_answers` refuses it as missing, instead of it silently meaning "no" (a
    wrong "no" to an Art. 5 or Annex III question hides a prohibited or high-risk use;
    Regulation (EU) 2024/1689 Art. 6(4) asks the provider to document the assessment).
    """
    q = questionnaire if questionnaire is not None else load_questionnaire()
    lines = [
        f"# Answers to {q.title} ({q.label}).",
        "# Replace every null with true or false; an answer left null is refused as missing.",
        f"questionnaire: {q.id}",
        f"version: {q.version}",
        "answers:",
    ]
    for question in q.questions:
        words = " ".join(question.text.split()).split(" ")
        line = "  #"
        for word in words:
            if len(line) + len(word) + 1 > 92:
                lines.append(line)
                line = "  #"
            line += " " + word
        lines.append(line)
        if question.implies is not None:
            lines.append(
                f"  # true -> {question.implies.tier} ({', '.join(question.implies.articles)})"
            )
        lines.append(f"  {question.id}: null")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- classification


@dataclass(frozen=True)
class RiskClassification:
    """The EU AI Act tier of a system, with its reasons.

    Attributes
    ----------
    tier : str
        ``prohibited``, ``high_risk``, ``limited_risk`` or ``minimal_risk``.
    rationale : tuple of str
        One line per triggered answer (and per derogation or flag decision), most severe
        first; one line for minimal risk when nothing is triggered.
    articles : tuple of str
        Every article cited, sorted and unique (``AI Act Art. 5(1)(a)``,
        ``AI Act Annex III point 5(b)``, ``GDPR Art. 22(1)``).
    gdpr_art22 : bool
        A solely automated decision with legal or similarly significant effects
        (GDPR Art. 22(1)); does not change the tier.
    obligations : tuple of str
        Every tier triggered, most severe first (a high-risk chatbot also carries the
        Art. 50 transparency duties of ``limited_risk``).
    triggered : tuple of str
        Ids of the questions answered ``true`` that imply a tier.
    questionnaire : str
        Questionnaire id.
    questionnaire_version : int
    answers : dict
        ``question id -> bool`` as given (normalised to booleans).
    answers_sha256 : str
        :func:`answers_sha256` of ``answers``.
    required_checks : tuple of str or None
        The checks the policy requires for the tier (``None`` when no policy was given).
    deployable : bool or None
        Whether the policy lets a system of this tier be deployed (``None`` without a
        policy); a prohibited practice is never deployable.
    policy : str or None
        ``<policy id> <version>`` of the policy used.
    """

    tier: str
    rationale: tuple[str, ...]
    articles: tuple[str, ...]
    gdpr_art22: bool
    obligations: tuple[str, ...]
    triggered: tuple[str, ...]
    questionnaire: str
    questionnaire_version: int
    answers: dict[str, bool] = field(default_factory=dict)
    answers_sha256: str = ""
    required_checks: tuple[str, ...] | None = None
    deployable: bool | None = None
    policy: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (what ``gov_systems.risk`` stores, with the classification time)."""
        return {
            "tier": self.tier,
            "rationale": list(self.rationale),
            "articles": list(self.articles),
            "gdpr_art22": self.gdpr_art22,
            "obligations": list(self.obligations),
            "triggered": list(self.triggered),
            "questionnaire": self.questionnaire,
            "questionnaire_version": self.questionnaire_version,
            "answers": dict(self.answers),
            "answers_sha256": self.answers_sha256,
            "required_checks": (
                None if self.required_checks is None else list(self.required_checks)
            ),
            "deployable": self.deployable,
            "policy": self.policy,
        }


def _resolve_policy(policy: Any) -> Any:
    if policy is None or hasattr(policy, "settings"):
        return policy
    from fairmark.policy import load_policy

    return load_policy(policy)


def classify(
    answers: Mapping[str, Any],
    *,
    questionnaire: Questionnaire | None = None,
    policy: Any = None,
) -> RiskClassification:
    """Classify an AI system from its answers.

    Parameters
    ----------
    answers : Mapping[str, bool]
        ``question id -> bool`` for every question (strings yes/no/true/false accepted).
    questionnaire : Questionnaire, optional
        Default: the latest built-in ``eu-ai-act``.
    policy : fairmark.policy.Policy or str, optional
        A loaded policy, a path or ``default``; when given, ``required_checks`` and
        ``deployable`` come from ``policy.settings.governance.tier(tier)``.

    Returns
    -------
    RiskClassification

    Raises
    ------
    UsageError
        Answers not a mapping; unknown ids; missing answers (all listed); a non-boolean
        answer (naming the question and the value).
    PolicyError
        ``policy`` is a path that cannot be loaded.

    Notes
    -----
    The tier is the most severe one implied by a ``true`` answer (AI Act Art. 5, then
    Art. 6(2) with Annex III, then Art. 50), else ``minimal_risk``. An Annex III
    implication (``derogable``) does not count when the Art. 6(3) derogation applies (a
    narrow procedural or preparatory task, no profiling); profiling always excludes the
    derogation (Art. 6(3), last subparagraph). ``gdpr_art22`` is true when every answer
    of the flag's ``all_of`` is true (GDPR Art. 22(1); Recital 71; WP251rev.01).

    Examples
    --------
    >>> q = load_questionnaire(1)
    >>> answers = dict.fromkeys(q.ids, False)
    >>> classify({**answers, "interacts_with_people": True}).tier
    'limited_risk'
    """
    q = questionnaire if questionnaire is not None else load_questionnaire()
    checked = _check_answers(answers, q)
    severity = {tier: i for i, tier in enumerate(RISK_TIERS)}
    lines: list[tuple[int, str]] = []
    articles: set[str] = set()
    tiers: set[str] = set()
    triggered: list[str] = []

    derogation = q.derogation
    derogation_applies = derogation is not None and (
        all(checked[k] == v for k, v in derogation.applies_when.items())
        and not any(checked[k] == v for k, v in derogation.excluded_when.items())
    )
    derogation_excluded = derogation is not None and any(
        checked[k] == v for k, v in derogation.excluded_when.items()
    )
    derogable_seen = False
    for question in q.questions:
        implied = question.implies
        if implied is None or not checked[question.id]:
            continue
        triggered.append(question.id)
        articles.update(implied.articles)
        rationale = " ".join(implied.rationale.split())
        if implied.derogable and derogation is not None:
            derogable_seen = True
            if derogation_applies:
                articles.difference_update(a for a in implied.articles if "Art. 6(2)" in a)
                lines.append(
                    (
                        severity["minimal_risk"],
                        f"{question.id} -> not {implied.tier}: {rationale}, but "
                        + " ".join(derogation.applies_rationale.split()),
                    )
                )
                continue
        tiers.add(implied.tier)
        lines.append((severity[implied.tier], f"{question.id} -> {implied.tier}: {rationale}"))
    if derogable_seen and derogation is not None:
        articles.update(derogation.articles)
        if derogation_applies:
            articles.update(derogation.applies_articles)
        else:
            text = (
                derogation.excluded_rationale
                if derogation_excluded
                else derogation.not_applicable_rationale
            )
            lines.append((severity["high_risk"], " ".join(text.split())))
    tier = min(tiers, key=severity.__getitem__) if tiers else "minimal_risk"
    if not tiers:
        lines.append((severity["minimal_risk"], " ".join(q.minimal_rationale.split())))
    ordered = [text for _, text in sorted(lines, key=lambda item: item[0])]

    gdpr_art22 = False
    flag = q.flags.get("gdpr_art22")
    if flag is not None and all(checked[k] for k in flag.all_of):
        gdpr_art22 = True
        articles.update(flag.articles)
        ordered.append("GDPR: " + " ".join(flag.rationale.split()))

    loaded = _resolve_policy(policy)
    required: tuple[str, ...] | None = None
    deployable: bool | None = None
    policy_label: str | None = None
    if loaded is not None:
        settings = loaded.settings.governance.tier(tier)
        required = tuple(settings.required_checks)
        deployable = bool(settings.deployable) and tier != "prohibited"
        policy_label = f"{loaded.id} {loaded.version}"
    return RiskClassification(
        tier=tier,
        rationale=tuple(ordered),
        articles=tuple(sorted(articles)),
        gdpr_art22=gdpr_art22,
        obligations=tuple(sorted(tiers, key=severity.__getitem__)),
        triggered=tuple(triggered),
        questionnaire=q.id,
        questionnaire_version=q.version,
        answers=checked,
        answers_sha256=answers_sha256(checked),
        required_checks=required,
        deployable=deployable,
        policy=policy_label,
    )


@dataclass(frozen=True)
class SystemClassification(RiskClassification):
    """A classification stored for an inventory system, with what it did to the system.

    Every attribute of :class:`RiskClassification` (:meth:`classification_dict` is what
    ``gov_systems.risk`` stores), plus the consequences of a tier change, reported as
    ``fairmark system update`` reports a material change. Returned by
    :func:`classify_system`.

    Attributes
    ----------
    system : str
        The system classified.
    previous_tier : str or None
        Its tier before (``None``: it was not classified).
    material : tuple of str
        Why the classification is a material change (``risk tier changed from
        minimal_risk to prohibited``); empty when the tier did not change, and for a
        first classification that changed nothing else.
    status_from, status_to : str
        The system's status before and after (``deployed`` -> ``proposed`` when it is now
        a prohibited practice).
    reopened_reviews : tuple of int
        Reviews marked ``reopened`` by the change, ascending.

    Notes
    -----
    Source: EU AI Act Art. 43(4) (a substantial modification needs a new conformity
    assessment) and Art. 5 (a prohibited practice is never placed on the market).
    """

    system: str = ""
    previous_tier: str | None = None
    material: tuple[str, ...] = ()
    status_from: str = ""
    status_to: str = ""
    reopened_reviews: tuple[int, ...] = ()

    def classification_dict(self) -> dict[str, Any]:
        """The classification alone, as ``gov_systems.risk`` stores it (without the
        ``classified_at`` and ``classified_by`` the store adds)."""
        return RiskClassification.to_dict(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: :meth:`classification_dict` plus ``system``,
        ``previous_tier``, ``material``, ``status_from``, ``status_to`` and
        ``reopened_reviews`` (``fairmark system classify --format json``)."""
        return {
            **self.classification_dict(),
            "system": self.system,
            "previous_tier": self.previous_tier,
            "material": list(self.material),
            "status_from": self.status_from,
            "status_to": self.status_to,
            "reopened_reviews": list(self.reopened_reviews),
        }


def classify_system(
    engine: Engine,
    name: str,
    answers: str | Path | Mapping[str, Any],
    *,
    principal: Principal,
) -> RiskClassification:
    """Classify an AI system of the inventory and store the classification.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
        The system.
    answers : str, Path or Mapping
        An answers file path; an answers document ``{questionnaire, version, answers}``;
        or a plain ``{question id: bool}`` mapping (the latest questionnaire).
    principal : Principal
        Needs ``system.write`` on the system (its owner or an admin).

    Returns
    -------
    SystemClassification
        The classification, with ``required_checks`` and ``deployable`` from the
        system's policy, and what it did: ``previous_tier``, ``material``,
        ``status_from`` / ``status_to`` and ``reopened_reviews``.

    Raises
    ------
    AccessError
        No ``system.write`` on the system (reviewer, auditor, viewer, another owner).
    UsageError
        Unknown or retired system; any answers problem (:func:`load_answers`).
    PolicyError
        The system's policy cannot be loaded.
    StoreError
        The store cannot be written. Nothing is written on any error.

    Notes
    -----
    Stores :meth:`RiskClassification.to_dict` plus ``classified_at`` and
    ``classified_by`` in ``gov_systems.risk`` and logs ``system.classify`` (tier,
    articles, gdpr_art22, questionnaire and version, answers' SHA-256). A change of tier
    of a system under review, approved or deployed is a material change: its reviews are
    reopened and it goes back to ``in_review`` (``proposed`` when now prohibited;
    :func:`fairmark.governance.inventory.apply_material_change`). Source: EU AI Act
    Art. 6(4) (document the assessment), Art. 9 (risk management), Art. 43(4).
    """
    from fairmark.governance import inventory

    authorize(principal, "system.write")
    if isinstance(answers, Mapping) and "answers" not in answers:
        latest = load_questionnaire()
        parsed = AnswersFile(questionnaire=latest, answers=_check_answers(answers, latest))
    else:
        parsed = load_answers(answers)
    if parsed.system is not None and parsed.system != name:
        raise UsageError(
            f"the answers file is for AI system {parsed.system!r}, not {name!r}; expected "
            f"answers written for {name!r} (or no 'system' field)"
        )
    with inventory._writing(engine, principal) as conn:
        row = inventory._row(conn, name, lock=True)
        authorize(principal, "system.write", owner=row.owner)
        if row.status == "retired":
            raise UsageError(f"AI system {name!r} is retired; a retired system cannot be changed")
        result = classify(
            parsed.answers,
            questionnaire=parsed.questionnaire,
            policy=inventory._load_policy(row.policy),
        )
        now = db_now(conn)  # the store's clock, after the log lock
        stored = {
            **result.to_dict(),
            "classified_at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "classified_by": principal.name,
        }
        previous = inventory._tier(row.risk)
        conn.execute(
            update(inventory.SystemRow)
            .where(inventory.SystemRow.name == name)
            .values(risk=stored, updated_at=now)
        )
        append_entry(
            conn,
            actor=principal.name,
            action="system.classify",
            entity_type="system",
            entity_id=name,
            payload={
                "tier": result.tier,
                "previous_tier": previous,
                "articles": list(result.articles),
                "gdpr_art22": result.gdpr_art22,
                "questionnaire": result.questionnaire,
                "questionnaire_version": result.questionnaire_version,
                "answers_sha256": result.answers_sha256,
            },
            at=now,
        )
        material: tuple[str, ...] = ()
        status_to, reopened = row.status, []
        if previous != result.tier:
            reason = f"risk tier changed from {previous or 'unclassified'} to {result.tier}"
            status_to, reopened = inventory.apply_material_change(
                conn, row, [reason], principal.name, prohibited=result.tier == "prohibited"
            )
            if previous is not None or reopened or status_to != row.status:
                material = (reason,)
        return SystemClassification(
            **{f.name: getattr(result, f.name) for f in fields(RiskClassification)},
            system=name,
            previous_tier=previous,
            material=material,
            status_from=row.status,
            status_to=status_to,
            reopened_reviews=tuple(reopened),
        )
