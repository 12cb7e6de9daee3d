"""The consent checks judged by ``fairmark audit``, listed explicitly (one file per check)."""

from fairmark.checks.base import Check
from fairmark.privacy.checks import consent_coverage

CHECKS: tuple[Check, ...] = (consent_coverage.CHECK,)
