"""The delivery checks, listed explicitly (one file per check in this package)."""

from fairmark.checks.base import Check
from fairmark.fairness.checks import delivery_skew

CHECKS: tuple[Check, ...] = (delivery_skew.CHECK,)
