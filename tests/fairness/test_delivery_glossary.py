"""Every number the outcome, delivery and representation documents carry has a glossary
entry, with the unit its values are shown in."""

from __future__ import annotations

import pytest

from fairmark.fairness.delivery_result import GLOSSARY_KEYS
from fairmark.fairness.outcome_result import OUTCOME_METRICS
from fairmark.report import glossary_entry

UNITS = {
    "outcome_n": "count", "outcome_n_missing": "count", "outcome_mean": "none",
    "outcome_median": "none", "outcome_total": "none", "population_share": "rate",
    "value_share": "rate", "value_share_gap": "difference",
    "mean_outcome_difference": "none", "mean_outcome_ratio": "ratio",
    "delivery_skew": "rate", "eligible_share": "rate", "delivered_share": "rate",
    "delivery_share_difference": "difference", "delivery_share_ratio": "ratio",
    "paired_ad_share_difference": "difference", "representation_ratio": "ratio",
    "observed_share": "rate", "reference_share": "rate",
}  # fmt: skip
METHODS = ["student_t", "welch", "delta_log", "wilson", "agresti_coull", "chi_square", "holm"]


@pytest.mark.parametrize("key", [*OUTCOME_METRICS, *GLOSSARY_KEYS.values(), *UNITS, *METHODS])
def test_entry_exists(key):
    entry = glossary_entry(key)
    assert entry.what_it_means and entry.why_it_matters and entry.what_to_do


@pytest.mark.parametrize(("key", "unit"), sorted(UNITS.items()))
def test_units(key, unit):
    assert glossary_entry(key).unit == unit
