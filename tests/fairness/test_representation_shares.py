"""Reading reference population shares: good files, and bad ones as one-line UsageErrors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from fairmark.errors import UsageError
from fairmark.fairness.reference_shares import load_reference_shares

REFS = Path(__file__).with_name("representation_refs")


def test_yaml_with_source_and_csv_are_read():
    sex = load_reference_shares(REFS / "us_census_1990_sex.yaml")
    assert list(sex.shares) == ["Male", "Female"]
    assert sex.source.startswith("US Census Bureau, 1990")
    assert math.isclose(sex.given_sum, 1.0, abs_tol=1e-12)
    race = load_reference_shares(REFS / "us_census_1990_race.csv")
    assert list(race.shares) == [
        "White",
        "Black",
        "Amer-Indian-Eskimo",
        "Asian-Pac-Islander",
        "Other",
    ]
    assert math.isclose(race.shares["Other"], 0.03942 / 1.00001, rel_tol=1e-12)
    assert race.location.endswith("us_census_1990_race.csv")


def test_shares_within_tolerance_are_rescaled(tmp_path):
    path = tmp_path / "ref.yaml"
    path.write_text("a: 0.3\nb: 0.695\n")  # sums to 0.995 (rounded margins)
    ref = load_reference_shares(path)
    assert ref.given_sum == pytest.approx(0.995, abs=1e-15)
    assert math.isclose(ref.shares["a"], 0.3 / 0.995, rel_tol=1e-15)
    assert math.fsum(ref.shares.values()) == pytest.approx(1.0, abs=1e-15)


def test_yaml_keys_are_labelled_like_the_engine(tmp_path):
    path = tmp_path / "ref.yaml"
    path.write_text("true: 0.4\nfalse: 0.6\n")
    assert list(load_reference_shares(path).shares) == ["true", "false"]
    assert list(load_reference_shares({1.0: 0.5, 2: 0.5}).shares) == ["1", "2"]


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("a.yaml", "a: 0.5\nb: 0.4\n", "reference shares sum to 0.9; expected 1 (± 0.01)"),
        ("a.csv", "group,share\na,0.6\nb,0.6\n", "reference shares sum to 1.2; expected 1"),
        ("a.yaml", "a: 51.3\nb: 48.7\n", "is 51.3; expected a number in (0, 1] (a percentage?"),
        ("a.yaml", "a: 0\nb: 1\n", "leave out groups absent from the population"),
        ("a.yaml", "a: lots\nb: 1\n", "share of group 'a' is 'lots'"),
        ("a.yaml", "a: 1\n", "only one group ('a'); expected at least two"),
        ("a.yaml", "shares: {a: 0.5, b: 0.5}\nsorce: census\n", "unknown key(s) ['sorce']"),
        ("a.yaml", "a: 0.5\n  b: [0.5\n", "a.yaml:2:"),
        ("a.yaml", "- a\n- b\n", "expected a mapping of group: share, got list"),
        ("a.csv", "grp,share\na,0.5\nb,0.5\n", "expected exactly the two columns group,share"),
        ("a.csv", "group,share\na,0.5,x\nb,0.5\n", "a.csv:2: expected two fields"),
        ("a.csv", "group,share\na,0.5\na,0.5\n", "group 'a' is listed twice"),
        ("a.csv", "", "the file is empty"),
        ("a.json", "{}", "has suffix '.json'; expected .csv, .tsv, .yaml or .yml"),
    ],
)
def test_bad_reference_files(tmp_path, name, text, needle):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(UsageError) as err:
        load_reference_shares(path)
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file_and_wrong_type():
    with pytest.raises(UsageError, match=r"cannot read reference file 'nope\.csv'"):
        load_reference_shares("nope.csv")
    with pytest.raises(UsageError, match="got list"):
        load_reference_shares([("a", 0.5)])  # type: ignore[arg-type]
