"""The score checks, listed explicitly (one file per check in this package)."""

from fairmark.checks.base import Check
from fairmark.fairness.checks import auc_difference, calibration_difference

CHECKS: tuple[Check, ...] = (auc_difference.CHECK, calibration_difference.CHECK)
