"""The privacy checks, one file per check, listed explicitly per area."""

from fairmark.checks.base import Check
from fairmark.privacy.checks import (
    _audience_checks,
    _audit_checks,
    _consent_checks,
    _kanon_checks,
)

PRIVACY_CHECKS: tuple[Check, ...] = (
    *_audit_checks.CHECKS,
    *_consent_checks.CHECKS,
    *_audience_checks.CHECKS,
    *_kanon_checks.CHECKS,
)
