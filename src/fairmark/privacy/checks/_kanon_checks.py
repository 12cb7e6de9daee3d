"""The re-identification risk checks (``fairmark privacy kanon``), listed explicitly."""

from fairmark.checks.base import Check
from fairmark.privacy.checks import k_anonymity

CHECKS: tuple[Check, ...] = (k_anonymity.CHECK,)
