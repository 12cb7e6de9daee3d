"""The privacy checks judged by ``fairmark audience prepare``, listed explicitly."""

from fairmark.checks.base import Check
from fairmark.privacy.checks import min_audience_size

CHECKS: tuple[Check, ...] = (min_audience_size.CHECK,)
