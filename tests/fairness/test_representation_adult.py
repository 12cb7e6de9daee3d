"""Representation of ``sex`` and ``race`` in UCI Adult against 1990 US Census shares.

Adult (Kohavi 1996; a 1994 CPS extract) is known to hold about two men for every woman;
against the census (51.3% women) women come out under-represented. The counts are checked
against pandas' value counts of the same frame, the intervals against statsmodels.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from fairmark.datasets import fetch_adult
from fairmark.fairness.representation import representation

REFS = Path(__file__).with_name("representation_refs")


@pytest.fixture(scope="module")
def adult(shared_data: Path) -> pd.DataFrame:
    return fetch_adult(shared_data)


def test_adult_sex_against_the_census(adult):
    r = representation(adult, sensitive_feature="sex", reference=REFS / "us_census_1990_sex.yaml")
    counts = adult["sex"].value_counts()
    n = len(adult)
    g = {x.group: x for x in r.groups}
    for label, share in (("Male", 0.48747), ("Female", 0.51253)):
        assert g[label].n == counts[label]
        expected = counts[label] / n / share
        assert math.isclose(g[label].representation_ratio.value, expected, rel_tol=1e-9)
        lo, hi = proportion_confint(counts[label], n, method="wilson")
        assert math.isclose(g[label].representation_ratio.ci_low, lo / share, rel_tol=1e-9)
        assert math.isclose(g[label].representation_ratio.ci_high, hi / share, rel_tol=1e-9)
    assert r.under_represented == ["Female"]
    assert 0.64 < g["Female"].representation_ratio.value < 0.65
    assert r.n_rows == r.n_used == 48_842 and not r.has_missing


def test_adult_race_against_the_census(adult, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "id: data\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\nrules:\n"
        "  - id: diverse-data\n    check: fairness.representation_ratio\n    min: 0.8\n"
        "    severity: block\n    principle: inclusiveness\n    rationale: diverse data\n"
    )
    ref = REFS / "us_census_1990_race.csv"
    r = representation(adult, sensitive_feature="race", reference=ref, policy=policy)
    counts = adult["race"].value_counts()
    shares = pd.read_csv(ref).set_index("group")["share"]
    shares = shares / shares.sum()
    expected = (counts / len(adult) / shares).to_dict()
    got = {g.group: g.representation_ratio.value for g in r.groups}
    assert set(got) == set(expected)
    for label, value in expected.items():
        assert math.isclose(got[label], value, rel_tol=1e-9), label
    flagged = {label for label, v in expected.items() if v < 0.8}
    assert set(r.under_represented) == flagged and "Other" in flagged
    assert r.verdict == "fail"
