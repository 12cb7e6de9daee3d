"""The outcome checks, listed explicitly (one file per check in this package)."""

from fairmark.checks.base import Check
from fairmark.fairness.checks import mean_outcome_ratio, value_share_gap

CHECKS: tuple[Check, ...] = (mean_outcome_ratio.CHECK, value_share_gap.CHECK)
