"""Fairness checks, one file each, listed explicitly."""

from fairmark.fairness.checks import (
    _delivery_checks,
    _outcome_checks,
    _proxy_checks,
    _representation_checks,
    _score_checks,
    demographic_parity_difference,
    demographic_parity_ratio,
    disparate_impact,
    equal_opportunity_difference,
    equalized_odds_difference,
    false_positive_rate_difference,
    predictive_parity_difference,
    small_groups,
    statistical_parity_difference,
    true_positive_rate_difference,
)

FAIRNESS_CHECKS = (
    disparate_impact.CHECK,
    statistical_parity_difference.CHECK,
    demographic_parity_difference.CHECK,
    demographic_parity_ratio.CHECK,
    equal_opportunity_difference.CHECK,
    equalized_odds_difference.CHECK,
    predictive_parity_difference.CHECK,
    true_positive_rate_difference.CHECK,
    false_positive_rate_difference.CHECK,
    small_groups.CHECK,
    *_score_checks.CHECKS,
    *_outcome_checks.CHECKS,
    *_delivery_checks.CHECKS,
    *_representation_checks.CHECKS,
    *_proxy_checks.CHECKS,
)

__all__ = ["FAIRNESS_CHECKS"]
