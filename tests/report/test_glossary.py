"""The plain-language glossary covers every check, group metric, reason, verdict and method."""

from __future__ import annotations

import dataclasses

import pytest

from fairmark.checks import get_registry
from fairmark.errors import Reason, UsageError
from fairmark.fairness.result import GROUP_METRICS
from fairmark.report.glossary import (
    GROUP_METRIC_KEYS,
    METHOD_KEYS,
    VERDICT_KEYS,
    GlossaryEntry,
    glossary,
    glossary_entry,
)

# The keys the task brief lists, written out independently of the module.
BRIEF_METRICS = [
    "share", "base_rate", "selection_rate", "tpr", "fpr", "fnr", "tnr", "ppv", "npv",
    "accuracy", "disparate_impact", "statistical_parity_difference",
    "demographic_parity_difference", "demographic_parity_ratio",
    "equal_opportunity_difference", "equalized_odds_difference",
    "predictive_parity_difference", "true_positive_rate_difference",
    "false_positive_rate_difference", "small_groups",
]  # fmt: skip


def test_every_registered_check_metric_has_an_entry() -> None:
    missing = [c.id for c in get_registry().values() if c.metric not in glossary()]
    assert missing == []


def test_every_reason_code_has_an_entry() -> None:
    missing = [r.value for r in Reason if r.value not in glossary()]
    assert missing == []


@pytest.mark.parametrize("key", [*BRIEF_METRICS, "pass", "warn", "fail", "insufficient_evidence"])
def test_brief_keys_have_entries(key: str) -> None:
    assert isinstance(glossary_entry(key), GlossaryEntry)


def test_group_metric_keys_match_the_report_schema() -> None:
    assert GROUP_METRIC_KEYS == GROUP_METRICS
    assert VERDICT_KEYS == ("pass", "warn", "fail", "insufficient_evidence")
    assert set(METHOD_KEYS) == {"wilson", "newcombe", "katz_log", "z", "fisher", "holm"}


@pytest.mark.parametrize("key", sorted(glossary()))
def test_every_entry_is_complete(key: str) -> None:
    entry = glossary_entry(key)
    assert len(entry.name.strip()) >= 3
    for name in ("what_it_means", "why_it_matters", "what_to_do", "source"):
        text = getattr(entry, name)
        assert isinstance(text, str) and len(text.strip()) >= 15, (key, name)
    assert entry.name != key  # a human name, not the code


def test_units_follow_the_kind_of_metric() -> None:
    for key in GROUP_METRIC_KEYS:
        assert glossary_entry(key).unit == "rate"
    for key in BRIEF_METRICS:
        if key.endswith("_difference"):
            assert glossary_entry(key).unit == "difference", key
    assert glossary_entry("disparate_impact").unit == "ratio"
    assert glossary_entry("demographic_parity_ratio").unit == "ratio"
    assert glossary_entry("small_groups").unit == "count"
    assert glossary_entry("no_positives").unit == "none"


def test_registered_check_sources_are_cited() -> None:
    # The glossary cites the same primary source as the check definition.
    for check in get_registry().values():
        first = check.source.split(";")[0].split(",")[0].strip()
        assert first in glossary_entry(check.metric).source, check.id


def test_unknown_key_is_a_usage_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match=r"'selection_rat'.*selection_rate"):
        glossary_entry("selection_rat")
    with pytest.raises(UsageError, match="expected a metric key"):
        glossary_entry("zzzz")


def test_entries_and_mapping_are_read_only() -> None:
    entry = glossary_entry("tpr")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        glossary()["tpr"] = entry  # type: ignore[index]
