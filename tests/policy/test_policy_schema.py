"""The JSON Schema of policy files, checked with jsonschema directly (independent of the loader)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from fairmark.policy import policy_schema

REPO = Path(__file__).resolve().parents[2]
BUILTIN = REPO / "src" / "fairmark" / "policy" / "builtin" / "default.yaml"


def _validator() -> Draft202012Validator:
    return Draft202012Validator(policy_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _plain(path: Path) -> dict:
    """Read YAML with the stock safe loader; dates become ISO text as the schema expects."""
    data = yaml.safe_load(path.read_text("utf-8"))
    if isinstance(data.get("review_by"), date):
        data["review_by"] = data["review_by"].isoformat()
    return data


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = policy_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_policy_schema_returns_an_independent_copy() -> None:
    first = policy_schema()
    first["required"].append("something")
    assert "something" not in policy_schema()["required"]


def test_default_policy_validates_against_the_schema() -> None:
    errors = list(_validator().iter_errors(_plain(BUILTIN)))
    assert errors == []


def test_default_policy_content() -> None:
    data = _plain(BUILTIN)
    assert data["id"] == "fairmark-default"
    assert data["version"] == "1.0.0"
    assert data["owner"] == "fairmark maintainers"
    assert data["review_by"] == "2027-11-30"
    assert (data["settings"]["min_group_size"], data["settings"]["k_anonymity"]) == (30, 10)
    by_check = {rule["check"]: rule for rule in data["rules"]}
    assert set(by_check) == {
        "fairness.disparate_impact",
        "fairness.equal_opportunity_difference",
        "fairness.small_groups",
        "fairness.proxy_association",
        "fairness.delivery_skew",
        "fairness.representation_ratio",
        "privacy.pii_in_features",
        "privacy.data_minimisation",
        "privacy.k_anonymity",
        "privacy.min_audience_size",
        "content.dark_pattern",
        "content.unsubstantiated_claim",
        "content.special_category_wording",
        "content.ai_disclosure",
        "content.gender_coded",
        "content.targeting_restriction",
    }
    for check in ("privacy.pii_in_features", "content.special_category_wording"):
        assert (by_check[check]["max"], by_check[check]["severity"]) == (0, "block")
    for purpose in data["settings"]["purposes"].values():
        assert not any(c.startswith("user.health") for c in purpose["data_categories"])
    for check in ("fairness.proxy_association", "fairness.delivery_skew"):
        assert (by_check[check].get("min"), by_check[check]["severity"]) == (None, "warn")
    rep = by_check["fairness.representation_ratio"]
    assert (rep["min"], rep.get("max"), rep["severity"]) == (0.8, None, "warn")
    di = by_check["fairness.disparate_impact"]
    assert (di["min"], di.get("max"), di["severity"], di["judge"]) == (
        0.8,
        None,
        "block",
        "estimate",
    )
    eo = by_check["fairness.equal_opportunity_difference"]
    assert (eo.get("min"), eo["max"], eo["severity"]) == (None, 0.10, "block")
    small = by_check["fairness.small_groups"]
    assert (small.get("min"), small["max"], small["severity"]) == (None, 0, "warn")
    for rule in data["rules"]:
        assert rule["rationale"].strip()
        assert rule["principle"]


def test_repo_policies_default_is_a_relative_symlink_to_the_builtin() -> None:
    link = REPO / "policies" / "default.yaml"
    assert link.is_symlink()
    target = os.readlink(link)
    assert not os.path.isabs(target)
    assert target == "../src/fairmark/policy/builtin/default.yaml"
    assert link.resolve() == BUILTIN.resolve()


BASE = {
    "id": "acme-marketing-fairness",
    "version": "1.2.0",
    "owner": "Analytics <analytics@acme.example>",
    "review_by": "2027-06-30",
    "rules": [
        {
            "id": "four-fifths-rule",
            "check": "fairness.disparate_impact",
            "min": 0.8,
            "severity": "block",
            "principle": "fairness",
            "rationale": "EEOC",
        }
    ],
}


def _with(path: tuple, value: object) -> dict:
    import copy

    data = copy.deepcopy(BASE)
    node = data
    for step in path[:-1]:
        node = node[step]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "keyword"),
    [
        (("version",), 1.2, "type"),
        (("id",), "Acme Policy", "pattern"),
        (("review_by",), "2027-02-30", "format"),
        (("review_by",), "30/06/2027", "format pattern"),
        (("rules",), [], "minItems"),
        (("owner",), _DELETE, "required"),
        (("colour",), "blue", "additionalProperties"),
        (("rules", 0, "min"), _DELETE, "anyOf"),
        (("rules", 0, "severity"), "blocker", "enum"),
        (("rules", 0, "judge"), "bayes", "enum"),
        (("rules", 0, "principle"), "profit", "enum"),
        (("rules", 0, "rationale"), _DELETE, "required"),
        (("rules", 0, "scope"), {"features": "everything"}, "anyOf"),
        (("rules", 0, "scope"), {"features": ["a", "a"]}, "anyOf"),
        (("settings",), {"confidence_level": 1.0}, "exclusiveMaximum"),
        (("settings",), {"min_group_size": 0}, "minimum"),
    ],
)
def test_schema_rejects(path: tuple, value: object, keyword: str) -> None:
    assert list(_validator().iter_errors(BASE)) == []
    errors = list(_validator().iter_errors(_with(path, value)))
    assert sorted(e.validator for e in errors) == keyword.split()


def test_schema_accepts_optional_fields() -> None:
    data = _with(("description",), "text")
    data["settings"] = {"min_group_size": 30, "confidence_level": 0.9}
    data["rules"][0].update(
        max=1.25,
        judge="ci",
        scope={"features": ["age_band", "age_band & marital"], "include_intersections": False},
    )
    assert list(_validator().iter_errors(data)) == []
