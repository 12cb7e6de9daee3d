"""Read a policy file: canonical bytes, SHA-256, and YAML parsed with every node's position.

YAML is read with PyYAML's safe loader, minus the implicit timestamp type: ``review_by:
2027-06-30`` stays the text ``"2027-06-30"`` so that JSON Schema (``format: date``) can
validate it and quoted and unquoted dates behave the same. The composed node tree is kept
so that any JSON path into the document can be mapped back to a line and column.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from fairmark.errors import PolicyError

__all__ = [
    "BUILTIN_NAMES",
    "Located",
    "Parsed",
    "PolicySource",
    "canonical_bytes",
    "duplicate_keys",
    "locate",
    "read_source",
    "try_parse_yaml",
]

BUILTIN_NAMES: tuple[str, ...] = ("default",)

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps dates as text (no implicit timestamp resolution)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class PolicySource:
    """The text of a policy file and where it came from.

    Attributes
    ----------
    path : str
        The path as given, or ``"builtin:<name>"`` for a built-in policy.
    text : str
        The canonical text: UTF-8 decoded, byte-order mark removed, line endings ``\\n``.
    sha256 : str
        Hex SHA-256 of ``text`` encoded as UTF-8 (the canonical file bytes).
    """

    path: str
    text: str
    sha256: str


def canonical_bytes(raw: bytes) -> bytes:
    """Return ``raw`` without a UTF-8 byte-order mark and with ``\\r\\n``/``\\r`` as ``\\n``."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def read_source(path_or_name: str | os.PathLike[str]) -> PolicySource:
    """Read a policy file, or the built-in policy when given one of :data:`BUILTIN_NAMES`.

    Parameters
    ----------
    path_or_name : str or os.PathLike
        A path to a YAML file, or the string ``"default"`` for the built-in policy.

    Returns
    -------
    PolicySource

    Raises
    ------
    PolicyError
        When the file does not exist, is not a regular file, cannot be read, or is not
        UTF-8 text.
    """
    if isinstance(path_or_name, str) and path_or_name in BUILTIN_NAMES:
        resource = resources.files("fairmark.policy").joinpath("builtin", f"{path_or_name}.yaml")
        raw = resource.read_bytes()
        shown = f"builtin:{path_or_name}"
    else:
        shown = os.fspath(path_or_name)
        if not os.path.exists(shown):
            raise PolicyError(
                f"policy file not found: {shown}; expected a path to a YAML policy file "
                f"or one of the built-in names: {', '.join(BUILTIN_NAMES)}"
            )
        if not os.path.isfile(shown):
            raise PolicyError(f"policy path is not a file: {shown}; expected a YAML policy file")
        try:
            with open(shown, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            raise PolicyError(
                f"cannot read policy file {shown}: {exc.strerror}; expected a readable file"
            ) from None
    data = canonical_bytes(raw)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(
            f"{shown}: byte {exc.start} is not valid UTF-8; expected a UTF-8 text file"
        ) from None
    return PolicySource(path=shown, text=text, sha256=hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class Located:
    """A 1-based position in the policy file."""

    line: int
    column: int


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


@dataclass(frozen=True)
class Parsed:
    """Result of :func:`try_parse_yaml`: the node tree and document, or the syntax problem.

    Attributes
    ----------
    node : yaml.Node or None
        Root node; ``None`` for an empty document or on a syntax error.
    data : object
        The plain Python document (``None`` when empty or on error).
    problem : str or None
        One-line description of the YAML syntax error, ``None`` when the text parsed.
    at : Located or None
        Where the syntax error is (1-based), when PyYAML knows.
    """

    node: yaml.Node | None
    data: Any
    problem: str | None = None
    at: Located | None = None


def try_parse_yaml(source: PolicySource) -> Parsed:
    """Parse ``source`` into its node tree and document, reporting a syntax error as data."""
    loader = _Loader(source.text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = Located(mark.line + 1, mark.column + 1) if mark else None
        problem = _one_line(exc.problem)
        context = _one_line(exc.context)
        if context and problem:
            # PyYAML puts either "while parsing …" or the expectation in the context.
            detail = (
                f"{problem} ({context})" if context.startswith("while") else f"{context}, {problem}"
            )
        else:
            detail = problem or context
        return Parsed(None, None, f"invalid YAML: {detail}", at)
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML parse error is marked
        return Parsed(None, None, f"invalid YAML: {_one_line(str(exc))}", None)
    finally:
        loader.dispose()
    return Parsed(node, data)


def _position(node: yaml.Node) -> Located:
    return Located(node.start_mark.line + 1, node.start_mark.column + 1)


def locate(root: yaml.Node | None, path: tuple[str | int, ...], *, key: bool = False) -> Located:
    """Return the position of the node at JSON ``path`` (keys and list indices).

    Walks as far as the path exists and returns the deepest node reached, so a path to a
    missing field points at the mapping that lacks it. With ``key=True`` and a path ending
    in a mapping key, the position of the key itself is returned (for unknown or repeated
    keys).
    """
    if root is None:
        return Located(1, 1)
    node = root
    for step_number, step in enumerate(path):
        last = step_number == len(path) - 1
        if isinstance(node, yaml.MappingNode):
            match = next((pair for pair in node.value if str(pair[0].value) == str(step)), None)
            if match is None:
                break
            node = match[0] if (key and last) else match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                break
            node = node.value[step]
        else:
            break
    return _position(node)


def duplicate_keys(root: yaml.Node | None) -> list[tuple[Located, str, Located]]:
    """Return ``(position, key, first position)`` for every repeated key of any mapping.

    PyYAML silently keeps the last value of a repeated key; a policy must not lose a
    bound that way, so the loader reports each repetition as an error.
    """
    found: list[tuple[Located, str, Located]] = []
    stack: list[yaml.Node] = [] if root is None else [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, Located] = {}
            for key_node, value_node in node.value:
                name = str(key_node.value)
                if name in first:
                    found.append((_position(key_node), name, first[name]))
                else:
                    first[name] = _position(key_node)
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(found, key=lambda item: (item[0].line, item[0].column))
