"""The proxy checks, listed explicitly (one file per check in this package)."""

from fairmark.checks.base import Check

CHECKS: tuple[Check, ...] = ()
