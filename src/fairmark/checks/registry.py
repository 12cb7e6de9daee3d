"""The explicit list of every check fairmark ships (one file per check)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from fairmark.checks.base import Check
from fairmark.errors import PolicyError


def _all_checks() -> tuple[Check, ...]:
    # Imported here, not at module level: the pillars' check modules import
    # fairmark.checks.base, so importing them while fairmark.checks initialises would be
    # circular when a check module is the first thing imported.
    from fairmark.content.checks._content_checks import CHECKS as CONTENT_CHECKS
    from fairmark.fairness.checks import FAIRNESS_CHECKS
    from fairmark.privacy.checks import PRIVACY_CHECKS

    return (*FAIRNESS_CHECKS, *PRIVACY_CHECKS, *CONTENT_CHECKS)


def _build(checks: tuple[Check, ...]) -> Mapping[str, Check]:
    seen: dict[str, Check] = {}
    for check in checks:
        if check.id in seen:
            raise RuntimeError(f"duplicate check id {check.id!r} in the registry")
        seen[check.id] = check
    return MappingProxyType(seen)


@cache
def get_registry() -> Mapping[str, Check]:
    """Return the read-only mapping ``check id -> Check`` of every registered check.

    Built on first use from the explicit lists of each pillar (fairness, privacy, content).

    Raises
    ------
    RuntimeError
        If two checks share an id.
    """
    return _build(_all_checks())


def get_check(check_id: str) -> Check:
    """Return the check with id ``check_id``.

    Raises
    ------
    PolicyError
        If no check has that id; the message suggests the nearest ids.
    """
    registry = get_registry()
    try:
        return registry[check_id]
    except KeyError:
        import difflib

        near = difflib.get_close_matches(check_id, list(registry), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise PolicyError(f"unknown check id {check_id!r}{hint}") from None
