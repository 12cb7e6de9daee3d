"""The privacy checks, one file per check, listed explicitly per area."""

from fairmark.checks.base import Check

PRIVACY_CHECKS: tuple[Check, ...] = ()
