"""The representation checks, listed explicitly (one file per check in this package)."""

from fairmark.checks.base import Check
from fairmark.fairness.checks import representation_ratio

CHECKS: tuple[Check, ...] = (representation_ratio.CHECK,)
