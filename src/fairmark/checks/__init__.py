"""The one registry of checks.

A check has a stable id (``fairness.disparate_impact``), the principle it serves and a
``measure`` function that turns computed metrics into :class:`Measurement` rows. Policies
refer to checks by id; the policy engine judges measurements against the rule's bounds.
Checks are listed explicitly in :mod:`fairmark.checks.registry` (never registered by
import side effect); a duplicate id is an error at import time.
"""

from fairmark.checks.base import Check, Measurement
from fairmark.checks.registry import get_check, get_registry

__all__ = ["Check", "Measurement", "get_check", "get_registry"]
