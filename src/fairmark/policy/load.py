"""Load and lint policy files: :func:`load_policy`, :func:`lint_policy`."""

from __future__ import annotations

import os
from datetime import date

from pydantic import ValidationError

from fairmark.errors import PolicyError
from fairmark.policy.lint import LintMessage, lint_document
from fairmark.policy.model import Policy
from fairmark.policy.source import read_source, try_parse_yaml

__all__ = ["lint_policy", "load_policy"]


def lint_policy(path: str | os.PathLike[str], *, today: date | None = None) -> list[LintMessage]:
    """Return every error and warning of a policy file (``fairmark policy lint FILE``).

    Parameters
    ----------
    path : str or os.PathLike
        A YAML policy file, or ``"default"`` for the built-in policy.
    today : datetime.date, optional
        Reference date for the "review date is past" warning (default: today).

    Returns
    -------
    list of LintMessage
        In file order; empty when the policy is clean. A YAML syntax error is returned as
        the only message. The format is defined by ``schema.json``
        (:func:`fairmark.policy.policy_schema`).

    Raises
    ------
    PolicyError
        When the file cannot be read at all (missing, a directory, not UTF-8).
    """
    source = read_source(path)
    parsed = try_parse_yaml(source)
    if parsed.problem is not None:
        return [
            LintMessage(
                level="error",
                line=parsed.at.line if parsed.at else None,
                column=parsed.at.column if parsed.at else None,
                message=parsed.problem,
                file=source.path,
            )
        ]
    return lint_document(source.path, parsed.node, parsed.data, today=today)


def load_policy(path_or_name: str | os.PathLike[str]) -> Policy:
    """Read, validate and return a policy.

    Parameters
    ----------
    path_or_name : str or os.PathLike
        A path to a YAML policy file, or ``"default"`` for the built-in policy
        (``fairmark/policy/builtin/default.yaml``).

    Returns
    -------
    Policy
        With ``sha256`` of the canonical file bytes and ``path`` as given (or
        ``"builtin:default"``).

    Raises
    ------
    PolicyError
        One line ``file:line:column: <field path>: <what is wrong>; expected …`` for the
        first error in file order: YAML syntax, a JSON Schema violation (wrong type,
        missing or unknown field…), a repeated key, an unknown check id (with the
        nearest ids), a duplicate rule id, a NaN bound or ``min > max``. Also when the
        file is missing or unreadable. Lint *warnings* never raise
        (see :func:`lint_policy`).
    """
    source = read_source(path_or_name)
    parsed = try_parse_yaml(source)
    if parsed.problem is not None:
        where = f"{source.path}:{parsed.at.line}:{parsed.at.column}" if parsed.at else source.path
        raise PolicyError(f"{where}: {parsed.problem}")
    errors = [
        message
        for message in lint_document(source.path, parsed.node, parsed.data)
        if message.level == "error"
    ]
    if errors:
        first = errors[0]
        raise PolicyError(f"{first.location()}: {first.message}")
    try:
        return Policy.model_validate({**parsed.data, "sha256": source.sha256, "path": source.path})
    except ValidationError as exc:  # pragma: no cover - the schema and lint catch these first
        detail = " ".join(str(exc.errors()[0]["msg"]).split())
        raise PolicyError(f"{source.path}: invalid policy: {detail}") from None
