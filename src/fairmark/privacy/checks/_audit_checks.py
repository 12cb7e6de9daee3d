"""The privacy checks judged by ``fairmark audit``, listed explicitly (one file per check)."""

from fairmark.checks.base import Check
from fairmark.privacy.checks import data_minimisation, pii_in_features

CHECKS: tuple[Check, ...] = (pii_in_features.CHECK, data_minimisation.CHECK)
