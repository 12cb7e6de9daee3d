"""Proxy detection on real data: UCI Adult (sex) and UCI Bank Marketing (age band)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from fairmark.datasets import fetch_adult
from fairmark.fairness.proxies import proxies

pytestmark = pytest.mark.slow


def _bergsma(table) -> float:
    chi2 = chi2_contingency(table, correction=False).statistic
    n = table.sum()
    r, k = table.shape
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    return math.sqrt(phi2 / min(k - (k - 1) ** 2 / (n - 1) - 1, r - (r - 1) ** 2 / (n - 1) - 1))


@pytest.fixture(scope="module")
def adult(shared_data: Path) -> pd.DataFrame:
    return fetch_adult(shared_data)


@pytest.fixture(scope="module")
def adult_sex(adult: pd.DataFrame):
    return proxies(adult, sensitive_features="sex", exclude="split", sample_size=5000)


def test_relationship_and_marital_status_are_strong_proxies_for_sex(adult_sex) -> None:
    by = {a.feature: a for a in adult_sex.proxies}
    for feature in ("relationship", "marital-status"):
        assert by[feature].flagged, by[feature]
        assert by[feature].rank <= 3
    assert by["relationship"].rank == 1
    assert by["relationship"].association > 0.6  # Husband / Wife encode sex
    assert by["marital-status"].association > 0.4
    assert by["education-num"].association < 0.1  # and schooling does not


def test_adult_numbers_agree_with_pandas(adult, adult_sex) -> None:
    by = {a.feature: a for a in adult_sex.proxies}
    for feature in ("relationship", "marital-status", "occupation"):
        labels = adult[feature].astype(object).where(adult[feature].notna(), "(missing)")
        table = pd.crosstab(labels, adult["sex"]).to_numpy()
        assert by[feature].association == pytest.approx(_bergsma(table), abs=1e-12)


def test_adult_features_together_reveal_sex(adult_sex) -> None:
    joint = adult_sex.metrics.redundant_encoding["sex"]
    assert joint.n_sample == 5000
    assert joint.value > 0.85  # far above chance (0.5): sex is redundantly encoded
    assert adult_sex.verdict == "warn"  # the default policy warns on proxies


def test_bank_marketing_job_is_a_proxy_for_age_band(bank_csv: Path) -> None:
    r = proxies(
        bank_csv,
        sensitive_features=[{"column": "age", "bins": "age"}],
        exclude=["y", "duration"],
        joint=False,
    )
    job = next(a for a in r.proxies if a.feature == "job")
    assert job.sensitive_feature == "age_band"
    assert job.rank == 1 and job.flagged  # retired and student are age-coded
    frame = pd.read_csv(bank_csv, sep=";")
    bands = pd.cut(frame["age"], [-math.inf, 25, 35, 45, 55, 65, math.inf], right=False)
    table = pd.crosstab(frame["job"], bands).to_numpy()
    assert job.association == pytest.approx(_bergsma(table), abs=1e-12)
