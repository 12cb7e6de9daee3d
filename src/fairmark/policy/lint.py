"""Every problem of a policy document, with its line: schema errors, semantic errors, warnings.

Errors make the policy unusable (:func:`fairmark.policy.load_policy` raises the first);
warnings point at rules that are valid but probably not what the author meant (a bound on
the wrong side of a check's direction, an intersection named but excluded, a review date
already past).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import yaml
from jsonschema import ValidationError

from fairmark.checks.registry import get_registry
from fairmark.policy.model import INTERSECTION_SEPARATOR
from fairmark.policy.schema import policy_validator
from fairmark.policy.source import Located, duplicate_keys, locate

__all__ = ["LintMessage", "lint_document"]

Level = Literal["error", "warning"]

_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "object": "a mapping of fields",
    "array": "a list",
    "boolean": "true or false",
    "null": "nothing",
}


@dataclass(frozen=True)
class LintMessage:
    """One problem found in a policy file.

    Parameters
    ----------
    level : {"error", "warning"}
        ``error``: the policy cannot be used; ``warning``: valid but suspicious.
    line : int or None
        1-based line of the offending YAML node (``None`` when it has no position).
    message : str
        One line: the field path, what is wrong and what was expected.
    column : int or None
        1-based column of the offending node.
    file : str
        The policy path as given (``"builtin:<name>"`` for a built-in policy).
    """

    level: Level
    line: int | None
    message: str
    column: int | None = None
    file: str = ""

    def location(self) -> str:
        """Return ``file:line:column`` (as much of it as is known)."""
        parts = [self.file or "<policy>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{level, file, line, column, message}`` (JSON-serialisable)."""
        return {
            "level": self.level,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.location()}: {self.level}: {self.message}"


def _path_text(path: Iterable[str | int]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if value is None:
        return "nothing (null)"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - YAML safe loading yields no other types


def _expected_type(expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_TYPE_WORDS.get(name, name) for name in names)


class _Collector:
    """Accumulates lint messages with positions resolved from the YAML node tree."""

    def __init__(self, file: str, root: yaml.Node | None) -> None:
        self.file = file
        self.root = root
        self.messages: list[LintMessage] = []

    def add(self, level: Level, at: Located | None, message: str) -> None:
        self.messages.append(
            LintMessage(
                level=level,
                line=at.line if at else None,
                column=at.column if at else None,
                message=message,
                file=self.file,
            )
        )

    def at_path(
        self, level: Level, path: tuple[str | int, ...], message: str, *, key: bool = False
    ) -> None:
        prefix = _path_text(path)
        self.add(
            level, locate(self.root, path, key=key), f"{prefix}: {message}" if prefix else message
        )


def _schema_error(collector: _Collector, error: ValidationError) -> None:
    path = tuple(error.absolute_path)
    instance = error.instance
    kind = error.validator
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    custom = schema.get("x-message")
    if kind in ("anyOf", "oneOf"):
        deeper = [e for e in error.context or () if len(e.absolute_path) > len(path)]
        if deeper:
            for sub in deeper:
                _schema_error(collector, sub)
            return
        got = "" if isinstance(instance, Mapping) else f", got {_describe(instance)}"
        collector.at_path("error", path, f"{custom or 'invalid value'}{got}")
    elif kind == "required":
        missing = [name for name in error.validator_value if name not in instance]
        for name in missing:
            collector.at_path("error", path, f"missing required field {name!r}")
    elif kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for name in instance:
            if name in allowed:
                continue
            near = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {near[0]!r}? " if near else ""
            collector.at_path(
                "error",
                (*path, name),
                f"unknown field {name!r}; {hint}expected one of: {', '.join(allowed)}",
                key=True,
            )
    elif kind == "type":
        expected = _expected_type(error.validator_value)
        hint = ""
        if error.validator_value == "string" and not isinstance(instance, list | dict):
            hint = " (put it in quotes to make it text)"
        collector.at_path("error", path, f"expected {expected}, got {_describe(instance)}{hint}")
    elif kind == "enum":
        options = ", ".join(str(option) for option in error.validator_value)
        collector.at_path("error", path, f"expected one of: {options}; got {_describe(instance)}")
    elif kind in ("pattern", "format"):
        message = custom or f"expected {kind} {error.validator_value}"
        collector.at_path("error", path, f"{message}, got {_describe(instance)}")
    elif kind == "minItems":
        collector.at_path("error", path, f"expected at least {error.validator_value} item(s)")
    elif kind == "minLength":
        collector.at_path("error", path, "expected non-empty text")
    elif kind == "uniqueItems":
        collector.at_path("error", path, "expected no repeated entries")
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {
            "minimum": ">=",
            "maximum": "<=",
            "exclusiveMinimum": ">",
            "exclusiveMaximum": "<",
        }[kind]
        collector.at_path(
            "error",
            path,
            f"expected a value {relation} {error.validator_value}, got {_describe(instance)}",
        )
    else:  # pragma: no cover - every keyword of schema.json is handled above
        collector.at_path("error", path, error.message)


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _check_range(
    collector: _Collector,
    path: tuple[str | int, ...],
    check: Any,
    low: float | None,
    high: float | None,
) -> None:
    """Refuse bounds outside what the check can measure (e.g. ``min: 80`` for 0.8)."""
    from fairmark.report.glossary import glossary_entry

    unit = glossary_entry(check.metric).unit
    for name, bound in (("min", low), ("max", high)):
        if bound is None or math.isnan(bound):
            continue
        if unit in {"rate", "difference"} and abs(bound) > 1:
            collector.at_path(
                "error",
                (*path, name),
                f"{name} {bound:.15g} is outside [-1, 1], the range of {check.id} (a share "
                f"or a difference of shares); did you mean {bound / 100:.15g}?",
            )
        elif unit == "ratio" and bound > 10:
            collector.at_path(
                "error",
                (*path, name),
                f"{name} {bound:.15g} is implausible for the ratio {check.id}; "
                f"did you mean {bound / 100:.15g}?",
            )


def _check_rule(collector: _Collector, index: int, rule: Mapping[str, Any]) -> None:
    path: tuple[str | int, ...] = ("rules", index)
    registry = get_registry()
    check_id = rule.get("check")
    check = registry.get(check_id) if isinstance(check_id, str) else None
    if isinstance(check_id, str) and check is None:
        near = difflib.get_close_matches(check_id, list(registry), n=3, cutoff=0.5)
        hint = (
            f"did you mean {' or '.join(near)}?"
            if near
            else f"expected one of: {', '.join(sorted(registry))}"
        )
        collector.at_path("error", (*path, "check"), f"unknown check id {check_id!r}; {hint}")
    low, high = _number(rule.get("min")), _number(rule.get("max"))
    for name, bound in (("min", low), ("max", high)):
        if bound is not None and math.isnan(bound):
            collector.at_path("error", (*path, name), "bound is NaN; expected a number")
    if low is not None and high is not None and low > high:
        collector.at_path(
            "error",
            (*path, "min"),
            f"min {low:.15g} is greater than max {high:.15g}; expected min <= max",
        )
    if check is not None:
        _check_range(collector, path, check, low, high)
        one_sided = {"min"} if high is None and low is not None else set()
        one_sided |= {"max"} if low is None and high is not None else set()
        if check.direction == "lower_is_better" and one_sided == {"min"}:
            collector.at_path(
                "warning",
                (*path, "min"),
                f"only a min bound for {check.id}, where lower is better: larger (worse) "
                "values always pass; expected a max bound",
            )
        if check.direction == "higher_is_better" and one_sided == {"max"}:
            collector.at_path(
                "warning",
                (*path, "max"),
                f"only a max bound for {check.id}, where higher is better: smaller (worse) "
                "values always pass; expected a min bound",
            )
    scope = rule.get("scope")
    if isinstance(scope, Mapping) and scope.get("include_intersections") is False:
        features = scope.get("features")
        if isinstance(features, list):
            for position, feature in enumerate(features):
                if isinstance(feature, str) and INTERSECTION_SEPARATOR in feature:
                    collector.at_path(
                        "warning",
                        (*path, "scope", "features", position),
                        f"intersection {feature!r} is listed but include_intersections is "
                        "false, so it is never judged; expected one or the other",
                    )


def _check_rules(collector: _Collector, rules: list[Any]) -> None:
    first_seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        rule_id = rule.get("id")
        if isinstance(rule_id, str):
            if rule_id in first_seen:
                first_line = locate(collector.root, ("rules", first_seen[rule_id], "id")).line
                collector.at_path(
                    "error",
                    ("rules", index, "id"),
                    f"duplicate rule id {rule_id!r} (first used on line {first_line}); "
                    "expected unique rule ids",
                )
            else:
                first_seen[rule_id] = index
        _check_rule(collector, index, rule)


def _check_governance(collector: _Collector, data: Mapping[str, Any]) -> None:
    """Unknown check ids in ``settings.governance.tiers.*.required_checks`` are errors, and
    so is ``tiers.prohibited.deployable: true``: a prohibited practice (EU AI Act Art. 5)
    is never deployable, whatever the policy says (fairmark refuses it regardless)."""
    settings = data.get("settings")
    governance = settings.get("governance") if isinstance(settings, Mapping) else None
    tiers = governance.get("tiers") if isinstance(governance, Mapping) else None
    if not isinstance(tiers, Mapping):
        return
    prohibited = tiers.get("prohibited")
    if isinstance(prohibited, Mapping) and prohibited.get("deployable") is True:
        collector.at_path(
            "error",
            ("settings", "governance", "tiers", "prohibited", "deployable"),
            "tier prohibited cannot be deployable: a prohibited practice (EU AI Act Art. 5) "
            "is never deployed; expected 'deployable: false' or no 'deployable' key",
        )
    registry = get_registry()
    for tier, body in tiers.items():
        checks = body.get("required_checks") if isinstance(body, Mapping) else None
        if not isinstance(checks, list):
            continue
        for position, check_id in enumerate(checks):
            if isinstance(check_id, str) and check_id not in registry:
                near = difflib.get_close_matches(check_id, list(registry), n=3, cutoff=0.5)
                hint = (
                    f"did you mean {' or '.join(near)}?"
                    if near
                    else f"expected one of: {', '.join(sorted(registry))}"
                )
                collector.at_path(
                    "error",
                    ("settings", "governance", "tiers", tier, "required_checks", position),
                    f"unknown check id {check_id!r}; {hint}",
                )


def _check_review_by(collector: _Collector, data: Mapping[str, Any], today: date) -> None:
    text = data.get("review_by")
    if not isinstance(text, str):
        return
    try:
        due = date.fromisoformat(text)
    except ValueError:
        return  # already reported by the schema
    if due < today:
        collector.at_path(
            "warning",
            ("review_by",),
            f"the policy was due for review on {due.isoformat()}; every evaluation will add "
            "a warn finding until review_by is moved forward",
        )


def _check_k_anonymity(collector: _Collector, data: Mapping[str, Any]) -> None:
    """Warn when groups big enough to estimate may still be too small to publish."""
    from fairmark.fairness.spec import DEFAULT_MIN_GROUP_SIZE
    from fairmark.policy.model import DEFAULT_K_ANONYMITY

    settings = data.get("settings")
    if not isinstance(settings, Mapping):
        return
    mgs, k = settings.get("min_group_size"), settings.get("k_anonymity")
    if mgs is None and k is None:
        return
    if any(v is not None and (isinstance(v, bool) or not isinstance(v, int)) for v in (mgs, k)):
        return  # already reported by the schema
    mgs_value = DEFAULT_MIN_GROUP_SIZE if mgs is None else mgs
    k_value = DEFAULT_K_ANONYMITY if k is None else k
    if mgs_value >= k_value:
        return
    field = "min_group_size" if mgs is not None else "k_anonymity"
    mgs_text = f"min_group_size {mgs_value}" + ("" if mgs is not None else " (the default)")
    k_text = f"k_anonymity {k_value}" + ("" if k is not None else " (the default)")
    collector.at_path(
        "warning",
        ("settings", field),
        f"{mgs_text} is below {k_text}: groups of {mgs_value} to {k_value - 1} people are "
        "estimated, but every report suppresses their counts and rates (small-cell "
        "suppression); expected min_group_size >= k_anonymity",
    )


def lint_document(
    file: str, root: yaml.Node | None, data: Any, *, today: date | None = None
) -> list[LintMessage]:
    """Return every error and warning of a parsed policy document, in file order.

    Parameters
    ----------
    file : str
        Path shown in the messages.
    root : yaml.Node or None
        The composed node tree (positions); ``None`` for an empty document.
    data : object
        The document as plain Python data (dates kept as text).
    today : datetime.date, optional
        Reference date for the review-date warning (default: today).

    Returns
    -------
    list of LintMessage
        Sorted by line, then column. Errors: JSON Schema violations (``schema.json``),
        repeated YAML keys, duplicate rule ids, unknown check ids (with the nearest ids
        by :func:`difflib.get_close_matches`), NaN bounds, ``min > max``. Warnings: a
        single bound on the wrong side of the check's ``direction``, an intersection
        listed while ``include_intersections`` is false, ``review_by`` in the past,
        ``settings.min_group_size`` below ``settings.k_anonymity`` (defaults 30 and 10
        when only one is set: groups that are estimated but can never be published).
    """
    collector = _Collector(file, root)
    if data is None:
        collector.add(
            "error",
            Located(1, 1),
            "the policy file is empty; expected a mapping with id, version, owner, "
            "review_by and rules",
        )
        return collector.messages
    for position, name, first in duplicate_keys(root):
        collector.add(
            "error",
            position,
            f"duplicate key {name!r} (first given on line {first.line}); expected each key "
            "once in a mapping (YAML would silently keep only the last value)",
        )
    for error in policy_validator().iter_errors(data):
        _schema_error(collector, error)
    if isinstance(data, Mapping):
        rules = data.get("rules")
        if isinstance(rules, list):
            _check_rules(collector, rules)
        _check_review_by(collector, data, today or date.today())
        _check_k_anonymity(collector, data)
        _check_governance(collector, data)
    return sorted(
        collector.messages,
        key=lambda m: (m.line or 0, m.column or 0, m.level != "error"),
    )
