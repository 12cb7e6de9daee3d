"""Check a ``report.json`` document before it is stored, and extract its indexed fields.

The store keeps the whole document and returns it unchanged, so it accepts only plain JSON
(the format of ``docs/report-schema.md``) and refuses, with the path of the offending
value, anything that would not read back identically.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from fairmark.errors import DataError
from fairmark.store.models import VERDICTS

__all__ = [
    "MAX_DEPTH",
    "SUPPORTED_SCHEMA_MAJOR",
    "Difference",
    "check_plain_json",
    "first_difference",
    "run_columns",
    "show_value",
]

SUPPORTED_SCHEMA_MAJOR = 1
"""Major version of ``report.json`` this store understands (``docs/report-schema.md``)."""

MAX_DEPTH = 100
"""Deepest nesting of lists and objects accepted (report.json nests about 4 levels; the
JSON encoder and decoder recurse, so a limit keeps them far from Python's stack limit)."""

_SCHEMA_VERSION = re.compile(r"(\d+)\.(\d+)")


def _kind(value: object) -> str | None:
    """JSON kind of ``value`` (``bool`` before ``int``: bool subclasses int), or None."""
    if value is None:
        return "null"
    for kind, types in (
        ("bool", bool),
        ("int", int),
        ("float", float),
        ("str", str),
        ("list", list),
        ("dict", dict),
    ):
        if isinstance(value, types):
            return kind
    return None


def _type_name(value: object) -> str:
    """``int64`` -> ``numpy.int64``: builtins bare, other types with their module."""
    kind = type(value)
    module = kind.__module__.split(".")[0]
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _child(path: str, key: str | int) -> str:
    """Path of a child value, e.g. ``groups[0].n``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def check_plain_json(document: Any, name: str = "report") -> None:
    """Check that ``document`` is plain JSON that any backend stores without change.

    Parameters
    ----------
    document : Any
        The value to check, typically a ``report.json`` dict.
    name : str
        How to call the document in error messages.

    Raises
    ------
    DataError
        On the first value that is not ``None``, ``bool``, ``int``, a finite ``float``,
        ``str``, ``list`` or ``dict`` with ``str`` keys (a tuple, a NumPy scalar other
        than ``float64``, NaN, an infinity, a datetime...), a string holding a NUL
        character (PostgreSQL text cannot hold it), or nesting deeper than
        :data:`MAX_DEPTH`. The message gives the path.

    Notes
    -----
    Source: RFC 8259 (JSON has no NaN or infinity; ``docs/report-schema.md`` writes +inf
    as the string ``"inf"``); PostgreSQL "JSON Types" (no ``\\u0000`` in ``jsonb``).
    """
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        path, value, depth = stack.pop()
        where = f"{name} field {path!r}" if path else name
        kind = _kind(value)
        if kind is None:
            raise DataError(
                f"{where} is a {_type_name(value)}; expected plain JSON "
                "(dict, list, str, int, float, bool or None)"
            )
        if kind == "float" and not math.isfinite(value):
            raise DataError(f"{where} is {value!r}; expected a finite number or the string 'inf'")
        if kind == "str" and "\x00" in value:
            raise DataError(f"{where} contains a NUL character; expected text without NUL")
        if kind in ("list", "dict") and depth >= MAX_DEPTH:
            raise DataError(f"{where} is nested deeper than {MAX_DEPTH} levels; expected less")
        if kind == "list":
            stack.extend((_child(path, i), item, depth + 1) for i, item in enumerate(value))
        elif kind == "dict":
            for key, item in value.items():
                if not isinstance(key, str):
                    raise DataError(
                        f"{where} has the key {key!r} of type {_type_name(key)}; "
                        "expected string keys"
                    )
                if "\x00" in key:
                    raise DataError(f"{where} has a key with a NUL character; expected none")
                stack.append((_child(path, key), item, depth + 1))


class Difference(NamedTuple):
    """Where two documents differ: the path and the two values found there."""

    path: str
    expected: Any
    actual: Any


def first_difference(expected: Any, actual: Any) -> Difference | None:
    """The first place where two plain JSON documents differ, or ``None``.

    Parameters
    ----------
    expected, actual : Any
        Plain JSON documents (see :func:`check_plain_json`).

    Returns
    -------
    Difference or None
        ``None`` when equal; else the path (``"<document>"`` for the top level) and the
        two values there. Stricter than ``==``: an ``int`` never equals a ``float``
        (PostgreSQL ``jsonb`` reads ``1e+20`` back as the integer ``100000000000000000000``)
        and ``True`` never equals ``1``. Floats compare with ``==`` (so ``-0.0`` equals
        ``0.0``).
    """
    stack: list[tuple[str, Any, Any]] = [("", expected, actual)]
    while stack:
        where, a, b = stack.pop()
        if _kind(a) != _kind(b):
            differs = True
        elif isinstance(a, dict):
            differs = a.keys() != b.keys()
            if not differs:
                stack.extend((_child(where, key), a[key], b[key]) for key in a)
        elif isinstance(a, list):
            differs = len(a) != len(b)
            if not differs:
                stack.extend(
                    (_child(where, i), x, y) for i, (x, y) in enumerate(zip(a, b, strict=True))
                )
        else:
            differs = a != b
        if differs:
            return Difference(where or "<document>", a, b)
    return None


def show_value(value: Any, limit: int = 60) -> str:
    """``repr`` of a value, cut to ``limit`` characters for a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _field(report: Mapping[str, Any], field: str) -> Any:
    """The value of a required top-level field."""
    if field not in report:
        raise DataError(f"report has no field {field!r}; expected it per report.json 1.x")
    return report[field]


def _required_text(report: Mapping[str, Any], field: str) -> str:
    """A required, non-empty string field."""
    value = _field(report, field)
    if not isinstance(value, str) or not value.strip():
        raise DataError(
            f"report field {field!r} is {show_value(value)}; expected a non-empty string"
        )
    return value


def _optional_text(report: Mapping[str, Any], field: str) -> str | None:
    """A required field holding a non-empty string or null."""
    value = _field(report, field)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise DataError(
            f"report field {field!r} is {show_value(value)}; expected a non-empty string or null"
        )
    return value


def _run_id(report: Mapping[str, Any]) -> str:
    value = _required_text(report, "run_id")
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        canonical = None
    if canonical != value:
        raise DataError(
            f"report field 'run_id' is {show_value(value)}; expected a UUID in canonical lowercase "
            "form, e.g. 0b8e7a52-3c1d-4f6e-9a27-5d4c3b2a1f00"
        )
    return value


def _created_at(report: Mapping[str, Any]) -> datetime:
    value = _required_text(report, "created_at")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise DataError(
            f"report field 'created_at' is {show_value(value)}; expected an ISO 8601 timestamp "
            "with a time zone, e.g. 2026-11-30T06:00:00Z"
        )
    return parsed.astimezone(UTC)


def _schema_version(report: Mapping[str, Any]) -> str:
    value = _required_text(report, "schema_version")
    match = _SCHEMA_VERSION.fullmatch(value)
    if match is None or int(match.group(1)) != SUPPORTED_SCHEMA_MAJOR:
        raise DataError(
            f"report field 'schema_version' is {show_value(value)}; expected "
            f"{SUPPORTED_SCHEMA_MAJOR}.x (the report.json versions this fairmark stores)"
        )
    return value


def _verdict(report: Mapping[str, Any]) -> str:
    value = _field(report, "verdict")
    if value not in VERDICTS:
        raise DataError(
            f"report field 'verdict' is {show_value(value)}; expected one of {', '.join(VERDICTS)}"
        )
    return str(value)


def _spec(report: Mapping[str, Any]) -> dict[str, Any]:
    value = _field(report, "spec")
    if not isinstance(value, dict):
        raise DataError(f"report field 'spec' is {show_value(value)}; expected an object")
    return value


def _policy(report: Mapping[str, Any]) -> tuple[str | None, str | None]:
    policy = _field(report, "policy")
    if policy is None:
        return None, None
    if not isinstance(policy, dict):
        raise DataError(
            f"report field 'policy' is {show_value(policy)}; expected an object or null"
        )
    policy_id = policy.get("id")
    if not isinstance(policy_id, str) or not policy_id.strip():
        raise DataError(
            f"report field 'policy.id' is {show_value(policy_id)}; expected a non-empty string"
        )
    version = policy.get("version")
    if isinstance(version, bool) or not isinstance(version, str | int) or version == "":
        raise DataError(
            f"report field 'policy.version' is {show_value(version)}; expected a non-empty string "
            "or an integer"
        )
    return policy_id, str(version)


def _fingerprint(report: Mapping[str, Any]) -> str:
    fingerprint = _field(report, "data_fingerprint")
    value = fingerprint.get("value") if isinstance(fingerprint, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise DataError(
            f"report field 'data_fingerprint.value' is {show_value(value)}; expected a non-empty "
            "string (the SHA-256 hex digest)"
        )
    return value


def run_columns(report: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a ``report.json`` document and extract the ``audit_runs`` columns.

    Parameters
    ----------
    report : Mapping[str, Any]
        A ``report.json`` 1.x document (``docs/report-schema.md``): ``run_id`` (canonical
        UUID), ``created_at`` (ISO 8601 with time zone), ``system_name`` (str or null),
        ``tool_version``, ``policy`` (``{id, version, ...}`` or null),
        ``data_fingerprint`` (``{value, ...}``), ``verdict``, ``spec`` (object),
        ``schema_version`` (``"1.x"``). Other fields are kept, not checked here.

    Returns
    -------
    dict
        Keyword arguments for :class:`fairmark.store.models.AuditRun`: the fields above,
        ``created_at`` as an aware UTC datetime, ``policy_version`` as a string, and
        ``report`` the document itself (a plain ``dict``).

    Raises
    ------
    DataError
        A field is missing or malformed, or the document is not plain JSON
        (:func:`check_plain_json`); one line naming the field and what was expected.
    """
    if not isinstance(report, Mapping):
        raise DataError(
            f"report is a {type(report).__name__}; expected a dict (a report.json document)"
        )
    document = dict(report)
    check_plain_json(document)
    schema_version = _schema_version(document)
    policy_id, policy_version = _policy(document)
    return {
        "run_id": _run_id(document),
        "created_at": _created_at(document),
        "system_name": _optional_text(document, "system_name"),
        "tool_version": _required_text(document, "tool_version"),
        "policy_id": policy_id,
        "policy_version": policy_version,
        "data_fingerprint": _fingerprint(document),
        "verdict": _verdict(document),
        "spec": _spec(document),
        "report": document,
        "schema_version": schema_version,
    }
