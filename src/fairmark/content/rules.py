"""Rule packs as data: load YAML packs, validate them against ``rulepack.schema.json``.

A pack file holds ``pack`` (name), ``version``, ``locale`` and ``rules``; each rule has
``id``, ``category``, ``severity``, ``patterns`` (words or phrases, matched on tokens —
stemmed with the Snowball English stemmer when ``match: stem``, the default, or on
lower-cased tokens when ``match: lower``; ``*`` stands for any one token and ``{num}`` for
a number), ``regex`` (Python regular expressions, matched case-insensitively on the
original text), ``context`` (``ad_category``, ``ai_generated``, ``channel``, ``near``),
``exceptions`` (phrases that, when they cover a match, cancel it), ``substantiable``
(claims excused by a substantiation reference), ``message``, ``source`` and
``rewrite_hint``. Errors name the file, the rule id and the field, on one line.

``category`` must be one the ``content.*`` policy checks count (:func:`rule_categories`:
the dark-pattern categories of Mathur et al. 2019, ``unsubstantiated_claim``,
``fake_review``, ``special_category_wording``, ``vulnerability``, ``ai_disclosure``,
``gender_coded``); custom categories are rejected, because no policy could judge their
findings. Rule ids must be unique across all packs of one scan.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from fairmark.errors import UsageError

SHIPPED_PACKS: tuple[str, ...] = (
    "dark_patterns",
    "claims",
    "reviews",
    "special_categories",
    "vulnerability",
    "ai_disclosure",
)
"""Packs shipped in ``fairmark/content/packs/`` and loaded by default (listed explicitly)."""


@dataclass(frozen=True)
class NearCondition:
    """The match counts only when one of ``words`` (stems) is within ``window`` tokens."""

    words: tuple[str, ...]
    window: int = 8


@dataclass(frozen=True)
class Rule:
    """One validated rule of a pack (see the module docstring for the fields)."""

    id: str
    pack: str
    category: str
    severity: str
    message: str
    source: str
    match: str = "stem"
    patterns: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    substantiable: bool = False
    ad_category: tuple[str, ...] = ()
    ai_generated: bool | None = None
    channel: tuple[str, ...] = ()
    near: NearCondition | None = None
    rewrite_hint: str | None = None
    locale: str = "en"


@dataclass(frozen=True)
class RulePack:
    """A validated pack: its name, version, locale, file and rules."""

    name: str
    version: str
    locale: str
    path: str
    rules: tuple[Rule, ...]


@cache
def rule_categories() -> dict[str, str]:
    """Every finding category a rule may use, mapped to the policy check that counts it.

    A rule's ``category`` must be one of these: a finding of any other category would be
    counted by no ``content.*`` check, so no policy could ever judge it. The map is read
    from the checks' own ``CATEGORIES`` lists (:mod:`fairmark.content.checks`), so it
    cannot drift from what the checks count.

    Returns
    -------
    dict of str to str
        ``category -> check id``, e.g. ``"urgency" -> "content.dark_pattern"``.
    """
    from fairmark.content.checks import (
        ai_disclosure,
        dark_pattern,
        special_category_wording,
        unsubstantiated_claim,
    )

    out: dict[str, str] = {}
    for check_id, cats in (
        ("content.dark_pattern", dark_pattern.CATEGORIES),
        ("content.unsubstantiated_claim", unsubstantiated_claim.CATEGORIES),
        ("content.special_category_wording", special_category_wording.CATEGORIES),
        ("content.ai_disclosure", ai_disclosure.CATEGORIES),
        ("content.gender_coded", ("gender_coded",)),
    ):
        for c in cats:
            out.setdefault(c, check_id)
    return out


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("fairmark.content").joinpath("rulepack.schema.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


def _where(data: dict[str, Any], path: list[Any]) -> tuple[str, str]:
    """(rule id or '-', field path) of a schema error at ``path``."""
    rule_id = "-"
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = data.get("rules") or []
        if path[1] < len(rules) and isinstance(rules[path[1]], dict):
            rule_id = str(rules[path[1]].get("id", f"rules[{path[1]}]"))
        else:
            rule_id = f"rules[{path[1]}]"
        path = path[2:]
    field = ".".join(str(p) for p in path) or "(rule)"
    return rule_id, field


def parse_pack(data: Any, path: str) -> RulePack:
    """Validate a parsed pack document and build its :class:`RulePack`.

    Parameters
    ----------
    data : Any
        The parsed YAML document.
    path : str
        File name used in error messages.

    Returns
    -------
    RulePack

    Raises
    ------
    UsageError
        One line naming the file, the rule id and the field that is wrong, e.g.
        ``rule pack packs/x.yaml: rule x.y: field severity: 'high' is not one of …``.
    """
    import jsonschema

    if not isinstance(data, dict):
        raise UsageError(f"rule pack {path}: expected a mapping with pack, version, rules")
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = jsonschema.exceptions.best_match(errors) or errors[0]
        rule_id, field = _where(data, list(err.absolute_path))
        msg = err.message if len(err.message) < 160 else err.message[:157] + "..."
        if err.validator == "anyOf" and field == "(rule)":
            msg = "needs patterns or regex"
        raise UsageError(f"rule pack {path}: rule {rule_id}: field {field}: {msg}")
    name = data["pack"]
    locale = data.get("locale", "en")
    rules: list[Rule] = []
    seen: set[str] = set()
    for raw in data["rules"]:
        rid = raw["id"]
        if rid in seen:
            raise UsageError(f"rule pack {path}: rule {rid}: field id: duplicate rule id")
        seen.add(rid)
        known = rule_categories()
        if raw["category"] not in known:
            raise UsageError(
                f"rule pack {path}: rule {rid}: field category: {raw['category']!r} is not "
                f"a category any content check counts; expected one of {', '.join(known)}"
            )
        for i, rx in enumerate(raw.get("regex", [])):
            try:
                re.compile(rx)
            except re.error as exc:
                raise UsageError(
                    f"rule pack {path}: rule {rid}: field regex.{i}: invalid regular "
                    f"expression ({exc})"
                ) from None
        for i, pat in enumerate(raw.get("patterns", [])):
            first = pat.split()[0] if pat.split() else ""
            if first == "*" or not first:
                raise UsageError(
                    f"rule pack {path}: rule {rid}: field patterns.{i}: a pattern must start "
                    f"with a word or {{num}}, got {pat!r}"
                )
        ctx = raw.get("context", {})
        near = ctx.get("near")
        rules.append(
            Rule(
                id=rid,
                pack=name,
                category=raw["category"],
                severity=raw["severity"],
                message=" ".join(raw["message"].split()),
                source=" ".join(raw["source"].split()),
                match=raw.get("match", "stem"),
                patterns=tuple(raw.get("patterns", ())),
                regex=tuple(raw.get("regex", ())),
                exceptions=tuple(raw.get("exceptions", ())),
                substantiable=bool(raw.get("substantiable", False)),
                ad_category=tuple(ctx.get("ad_category", ())),
                ai_generated=ctx.get("ai_generated"),
                channel=tuple(c.lower() for c in ctx.get("channel", ())),
                near=NearCondition(tuple(near["words"]), int(near.get("window", 8)))
                if near
                else None,
                rewrite_hint=(
                    " ".join(raw["rewrite_hint"].split()) if raw.get("rewrite_hint") else None
                ),
                locale=locale,
            )
        )
    return RulePack(name, str(data["version"]), locale, path, tuple(rules))


def load_pack(path: str | Path) -> RulePack:
    """Read and validate one pack file.

    Raises
    ------
    UsageError
        The file is missing, is not valid YAML, or breaks the schema (file, rule, field).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"rule pack {p}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"rule pack {p}: cannot be read as UTF-8 text ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise UsageError(f"rule pack {p}: not valid YAML{line}") from None
    return parse_pack(data, str(p))


@cache
def shipped_pack(name: str) -> RulePack:
    """The shipped pack ``name`` (one of :data:`SHIPPED_PACKS` or another file in packs/)."""
    ref = resources.files("fairmark.content").joinpath("packs", f"{name}.yaml")
    if not ref.is_file():
        raise UsageError(f"unknown rule pack {name!r}; shipped packs: {', '.join(SHIPPED_PACKS)}")
    with resources.as_file(ref) as real:
        return load_pack(real)


def resolve_packs(packs: Any = None) -> tuple[RulePack, ...]:
    """Turn a ``packs`` argument into validated packs.

    Parameters
    ----------
    packs : None, or an iterable of str / Path / RulePack
        ``None``: every shipped pack (plus any registered analyzers' packs). A string
        without a path separator and ``.yaml`` suffix names a shipped pack; a path to a
        ``.yaml``/``.yml`` file loads it; a folder loads every ``*.yaml``/``*.yml`` in it.

    Raises
    ------
    UsageError
        A name is unknown, a folder holds no pack, or a pack is malformed.
    """
    if packs is None:
        return tuple(shipped_pack(n) for n in SHIPPED_PACKS)
    if isinstance(packs, (str, Path, RulePack)):
        packs = [packs]
    out: list[RulePack] = []
    for item in packs:
        if isinstance(item, RulePack):
            out.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            files = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            if not files:
                raise UsageError(f"--packs: folder {p} holds no .yaml rule pack")
            out.extend(load_pack(f) for f in files)
        elif p.suffix.lower() in {".yaml", ".yml"} or p.exists():
            out.append(load_pack(p))
        else:
            out.append(shipped_pack(str(item)))
    names = [pk.name for pk in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise UsageError(f"rule pack {', '.join(dup)} given twice; give each pack once")
    owner: dict[str, RulePack] = {}
    for pk in out:
        for rule in pk.rules:
            first = owner.setdefault(rule.id, pk)
            if first is not pk:
                raise UsageError(
                    f"rule pack {pk.path}: rule {rule.id}: field id: duplicate rule id, "
                    f"also defined in {first.path}; rule ids must be unique across packs"
                )
    return tuple(out)
