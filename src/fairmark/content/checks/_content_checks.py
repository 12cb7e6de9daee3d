"""The content checks judged by ``fairmark content scan`` (one file per check)."""

from fairmark.checks.base import Check
from fairmark.content.checks import (
    ai_disclosure,
    dark_pattern,
    gender_coded,
    special_category_wording,
    targeting_restriction,
    unsubstantiated_claim,
)

CHECKS: tuple[Check, ...] = (
    dark_pattern.CHECK,
    unsubstantiated_claim.CHECK,
    special_category_wording.CHECK,
    ai_disclosure.CHECK,
    gender_coded.CHECK,
    targeting_restriction.CHECK,
)
