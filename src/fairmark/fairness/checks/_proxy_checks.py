"""The proxy checks, listed explicitly (one file per check in this package)."""

from fairmark.checks.base import Check
from fairmark.fairness.checks import proxy_association

CHECKS: tuple[Check, ...] = (proxy_association.CHECK,)
