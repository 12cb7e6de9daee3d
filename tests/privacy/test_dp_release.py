"""Differentially private group counts (fairmark.privacy.dp_release): calibration against the
closed forms, empirical noise variance and interval coverage on simulated releases, keys,
bad input and the document."""

from __future__ import annotations

import functools
import json
import math

import jsonschema
import numpy as np
import pandas as pd
import pytest
from referencing import Registry, Resource

from fairmark.errors import DataError, UsageError
from fairmark.privacy.dp_release import calibrate_noise, dp_group_counts
from fairmark.privacy.kanon_result import kanon_schema
from fairmark.report.validate import report_schema

N_SIM = 20_000  # simulated noise draws per check, one OpenDP call each


def _discrete_laplace_pmf(scale: float, reach: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(-reach, reach + 1)
    w = np.exp(-np.abs(x) / scale)
    return x, w / w.sum()


def _discrete_gaussian_pmf(sigma: float, reach: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(-reach, reach + 1)
    w = np.exp(-(x.astype(float) ** 2) / (2 * sigma**2))
    return x, w / w.sum()


@functools.cache
def _noise(mechanism: str, epsilon: float, delta: float | None):
    """One calibration per parameter set for the whole module (the Gaussian search is slow)."""
    return calibrate_noise(epsilon=epsilon, mechanism=mechanism, delta=delta)


def _pmf(noise) -> tuple[np.ndarray, np.ndarray]:
    reach = int(60 * noise.scale) + 20
    if noise.mechanism == "laplace":
        return _discrete_laplace_pmf(noise.scale, reach)
    return _discrete_gaussian_pmf(noise.scale, reach)


@pytest.mark.parametrize(
    ("epsilon", "contributions", "scale"), [(1.0, 1, 1.0), (0.5, 1, 2.0), (1.5, 3, 2.0)]
)
def test_laplace_scale_is_sensitivity_over_epsilon(epsilon, contributions, scale):
    noise = calibrate_noise(epsilon=epsilon, max_contributions=contributions)
    assert noise.scale == pytest.approx(scale, rel=1e-9)
    assert noise.epsilon == pytest.approx(epsilon, rel=1e-9)
    assert noise.epsilon <= epsilon
    assert noise.delta is None and noise.rho is None


def test_gaussian_calibration():
    noise = calibrate_noise(epsilon=1.0, mechanism="gaussian", delta=1e-6)
    # zCDP of the (discrete) Gaussian with L2 sensitivity 1: rho = 1 / (2 sigma^2)
    assert noise.rho == pytest.approx(1 / (2 * noise.scale**2), rel=1e-6)
    assert noise.epsilon <= 1.0 + 1e-12
    # OpenDP's zCDP → (ε, δ) conversion is at least as tight as the classical bound
    # ε = ρ + 2 sqrt(ρ ln(1/δ)) (Bun & Steinke 2016, Prop. 1.3), so the noise is no larger
    # than that bound would need.
    classical = noise.rho + 2 * math.sqrt(noise.rho * math.log(1 / 1e-6))
    assert noise.epsilon <= classical
    sigma_classical = math.sqrt(2 * math.log(1.25 / 1e-6)) / 1.0  # Dwork & Roth Thm A.1
    assert noise.scale < sigma_classical
    two = calibrate_noise(epsilon=1.0, mechanism="gaussian", delta=1e-6, max_contributions=2)
    assert two.scale == pytest.approx(2 * noise.scale, rel=1e-3)


@pytest.mark.parametrize(
    ("mechanism", "epsilon", "delta"),
    [("laplace", 0.5, None), ("laplace", 2.0, None), ("gaussian", 0.5, 1e-6)],
)
def test_empirical_variance_matches_the_noise_distribution(mechanism, epsilon, delta):
    noise = _noise(mechanism, epsilon, delta)
    draws = np.array(noise.release([0] * N_SIM), dtype=float)
    x, p = _pmf(noise)
    exact_var = float((p * x.astype(float) ** 2).sum())
    assert noise.noise_std**2 == pytest.approx(exact_var, rel=1e-9)
    if mechanism == "laplace":  # closed form 2q / (1 - q)², q = exp(-1/b); ≈ 2 b² for large b
        q = math.exp(-1 / noise.scale)
        assert exact_var == pytest.approx(2 * q / (1 - q) ** 2, rel=1e-9)
        if noise.scale >= 2:
            assert exact_var == pytest.approx(2 * noise.scale**2, rel=0.1)
    # the sample variance of 20,000 draws is within 8% (≥ 5 standard errors for a
    # distribution with excess kurtosis 3)
    assert draws.var() == pytest.approx(exact_var, rel=0.08)
    assert abs(draws.mean()) < 5 * math.sqrt(exact_var / N_SIM)


@pytest.mark.parametrize(
    ("mechanism", "epsilon", "delta", "level"),
    [
        ("laplace", 0.5, None, 0.95),
        ("laplace", 0.1, None, 0.9),
        ("gaussian", 0.5, 1e-6, 0.95),
    ],
)
def test_interval_coverage_is_at_least_nominal(mechanism, epsilon, delta, level):
    noise = _noise(mechanism, epsilon, delta)
    h = noise.half_width(level)
    x, p = _pmf(noise)
    exact = float(p[np.abs(x) <= h].sum())
    assert exact >= level  # the interval covers at least at the nominal level …
    assert float(p[np.abs(x) <= h - 1].sum()) < level  # … and is the narrowest that does
    draws = np.array(noise.release([0] * N_SIM))
    covered = float(np.mean(np.abs(draws) <= h))
    assert covered == pytest.approx(exact, abs=0.01)  # SE ≈ 0.002


def _frame() -> pd.DataFrame:
    region = ["north"] * 40 + ["south"] * 25 + ["east"] * 7 + [None] * 3
    segment = (["a", "b"] * 40)[: len(region)]
    return pd.DataFrame({"region": region, "segment": segment})


NEAR_EXACT = 100.0  # scale 0.01: P(noise != 0) ≈ 7e-44, so the release equals the counts


def test_counts_from_the_data_with_negligible_noise():
    frame = _frame()
    table = dp_group_counts(frame, by="region", epsilon=NEAR_EXACT)
    expected = frame["region"].value_counts(dropna=False)
    got = {c.key: c.noisy_count for c in table.counts}
    assert got == {(k if isinstance(k, str) else None,): int(v) for k, v in expected.items()}
    assert [c.key for c in table.counts] == [("east",), ("north",), ("south",), (None,)]
    assert not table.keys_protected and table.outside_keys is None
    assert any("not protected" in w for w in table.warnings())
    assert table.ci_half_width == 0
    assert all(c.ci_low == c.ci_high == c.noisy_count for c in table.counts)


def _policy_k(k: int):
    from fairmark.policy import load_policy
    from fairmark.policy.model import Settings

    return load_policy("default").model_copy(update={"settings": Settings(k_anonymity=k)})


def test_two_grouping_columns():
    frame = _frame()  # 75 records in 8 groups: allowed for k <= 9 (8 x 9 = 72 <= 75)
    table = dp_group_counts(frame, by=["region", "segment"], epsilon=NEAR_EXACT,
                            policy=_policy_k(9))  # fmt: skip
    expected = frame.groupby(["region", "segment"], dropna=False).size()
    got = {c.key: c.noisy_count for c in table.counts}
    want = {
        tuple(None if isinstance(v, float) else v for v in k): int(n) for k, n in expected.items()
    }
    assert got == want


@pytest.mark.parametrize("form", ["list", "frame", "csv"])
def test_public_keys(form, tmp_path):
    frame = _frame()
    public = ["north", "south", "west"]  # west: nobody; east and missing: outside the keys
    if form == "list":
        keys = public
    elif form == "frame":
        keys = pd.DataFrame({"region": public})
    else:
        keys = tmp_path / "keys.csv"
        pd.DataFrame({"region": public}).to_csv(keys, index=False)
    table = dp_group_counts(frame, by="region", epsilon=NEAR_EXACT, keys=keys)
    assert [(c.key, c.noisy_count) for c in table.counts] == [
        (("north",), 40), (("south",), 25), (("west",), 0),
    ]  # fmt: skip
    assert table.outside_keys.noisy_count == 10  # east 7 + missing 3
    assert table.keys_protected
    assert not any("not protected" in w for w in table.warnings())


def test_numeric_keys_match_by_text():
    frame = pd.DataFrame({"store": [1, 1, 2, 3]})
    table = dp_group_counts(frame, by="store", epsilon=NEAR_EXACT, keys=[1, "2", 4])
    assert [(c.key, c.noisy_count) for c in table.counts] == [
        (("1",), 2), (("2",), 1), (("4",), 0),
    ]  # fmt: skip
    assert table.outside_keys.noisy_count == 1


def test_noisy_release_intervals():
    frame = _frame()
    table = dp_group_counts(frame, by="region", epsilon=0.5, confidence_level=0.9)
    noise = calibrate_noise(epsilon=0.5)
    assert table.scale == pytest.approx(noise.scale)
    assert table.ci_half_width == noise.half_width(0.9) > 0
    for c in table.counts:
        assert c.ci_low == max(0, c.noisy_count - table.ci_half_width)
        assert c.ci_high == max(0, c.noisy_count + table.ci_half_width)


def test_document_and_schema():
    table = dp_group_counts(
        _frame(), by="region", epsilon=1.0, mechanism="gaussian", delta=1e-6, keys=["north"]
    )
    doc = json.loads(table.to_json())
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in (report_schema(), kanon_schema())
    )
    jsonschema.Draft202012Validator(kanon_schema(), registry=registry).validate(doc)
    assert doc["kind"] == "dp_release" and doc["schema_version"] == "1.0"
    assert doc["privacy"]["mechanism"] == "gaussian"
    assert doc["privacy"]["delta"] == 1e-6 and doc["privacy"]["rho"] > 0
    assert doc["privacy"]["epsilon"] <= 1.0
    assert set(doc["counts"][0]) == {"key", "noisy_count", "ci_low", "ci_high"}
    assert doc["counts"][0]["key"] == {"region": "north"}
    assert doc["outside_keys"] is not None
    laplace = json.loads(dp_group_counts(_frame(), by="region", epsilon=1.0).to_json())
    jsonschema.Draft202012Validator(kanon_schema(), registry=registry).validate(laplace)
    broken = {**laplace, "privacy": {**laplace["privacy"], "delta": 1e-6}}  # laplace + delta
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(kanon_schema(), registry=registry).validate(broken)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"epsilon": 0}, "epsilon must be > 0"),
        ({"epsilon": -1.0}, "epsilon must be > 0"),
        ({"epsilon": math.inf}, "finite number > 0"),
        ({"epsilon": math.nan}, "finite number > 0"),
        ({"epsilon": True}, "finite number > 0"),
        ({"epsilon": 100.5}, "expected 0 < epsilon <= 100"),
        ({"epsilon": 1e9}, "epsilon this large gives no privacy"),
        ({"epsilon": "1"}, "finite number > 0"),
        ({"epsilon": 1, "mechanism": "exponential"}, "expected laplace or gaussian"),
        ({"epsilon": 1, "mechanism": "gaussian"}, "needs delta"),
        ({"epsilon": 1, "delta": 1e-6}, "only for the gaussian"),
        ({"epsilon": 1, "mechanism": "gaussian", "delta": 0}, "delta must be"),
        ({"epsilon": 1, "mechanism": "gaussian", "delta": 1.0}, "delta must be"),
        ({"epsilon": 1, "confidence_level": 1}, "confidence_level"),
        ({"epsilon": 1, "confidence_level": 0}, "confidence_level"),
        ({"epsilon": 1, "max_contributions": 0}, "max_contributions"),
        ({"epsilon": 1, "by": []}, "by is empty"),
        ({"epsilon": 1, "by": "region,region"}, "more than once"),
        ({"epsilon": 1, "keys": []}, "keys is empty"),
        ({"epsilon": 1, "keys": ["north", "north"]}, "more than once"),
        ({"epsilon": 1, "keys": [("north", "a")]}, "expected 1"),
        ({"epsilon": 1, "keys": 7}, "keys must be"),
    ],
)
def test_bad_input(kwargs, text):
    args = {"by": "region", **kwargs}
    with pytest.raises(UsageError) as info:
        dp_group_counts(_frame(), **args)
    assert text in str(info.value)


def test_missing_columns(tmp_path):
    with pytest.raises(DataError, match="'town' not found"):
        dp_group_counts(_frame(), by="town", epsilon=1)
    keys = tmp_path / "keys.csv"
    pd.DataFrame({"town": ["x"]}).to_csv(keys, index=False)
    with pytest.raises(UsageError, match="missing region"):
        dp_group_counts(_frame(), by="region", epsilon=1, keys=keys)
    pd.DataFrame({"region": ["x", "x"]}).to_csv(keys, index=False)
    with pytest.raises(UsageError, match="more than once"):
        dp_group_counts(_frame(), by="region", epsilon=1, keys=keys)


def test_largest_epsilon_is_accepted():
    table = dp_group_counts(_frame(), by="region", epsilon=100)
    assert table.epsilon <= 100 and table.ci_half_width == 0


@pytest.mark.parametrize("column", ["email", "E-Mail", "customer_id", "phone"])
def test_identifier_groups_refused_without_keys(column):
    # QA #2: grouping by an identifier would publish every value; refused by name.
    frame = pd.DataFrame({column: [f"p{i}@example.com" for i in range(3)] * 40})
    with pytest.raises(UsageError) as info:
        dp_group_counts(frame, by=column, epsilon=1)
    text = str(info.value)
    assert "direct identifier" in text and "expected --keys" in text and "coarser --by" in text
    assert "\n" not in text
    # with a public list of groups nothing from the data is published as a key: allowed
    table = dp_group_counts(frame, by=column, epsilon=NEAR_EXACT, keys=["p0@example.com"])
    assert [(c.key, c.noisy_count) for c in table.counts] == [(("p0@example.com",), 40)]
    assert table.outside_keys.noisy_count == 80


def test_fine_groups_refused_without_keys():
    # 30 records: 3 groups x k 10 = 30 <= 30 is allowed, 4 groups (40 > 30) are not
    ok = pd.DataFrame({"band": ["a", "b", "c"] * 10})
    table = dp_group_counts(ok, by="band", epsilon=NEAR_EXACT)
    assert [c.noisy_count for c in table.counts] == [10, 10, 10]
    fine = pd.DataFrame({"band": ["a", "b", "c"] * 7 + ["d"] * 9})
    with pytest.raises(UsageError, match=r"splits 30 records into 4 groups, fewer than k = 10"):
        dp_group_counts(fine, by="band", epsilon=1)
    # k comes from the policy: with k = 7 the same 4 groups (28 <= 30) are allowed
    table = dp_group_counts(fine, by="band", epsilon=NEAR_EXACT, policy=_policy_k(7))
    assert [c.noisy_count for c in table.counts] == [7, 7, 7, 9]
    # a near-unique numeric column (QA: Adult fnlwgt) is refused the same way
    weights = pd.DataFrame({"fnlwgt": range(100)})
    with pytest.raises(UsageError, match="100 groups"):
        dp_group_counts(weights, by="fnlwgt", epsilon=1)


def test_no_rows(tmp_path):
    # QA #8: a header-only file says it has no rows, as kanon does
    path = tmp_path / "header_only.csv"
    path.write_text("region,segment\n")
    with pytest.raises(DataError, match="no rows"):
        dp_group_counts(path, by="region", epsilon=1)
    with pytest.raises(DataError, match="no rows"):
        dp_group_counts(_frame().iloc[:0], by="region", epsilon=1, keys=["north"])
