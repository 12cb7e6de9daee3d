"""Targeting-spec linter: Meta, Google and TikTok special-ad-category restrictions."""

from __future__ import annotations

import json

import pytest

from fairmark.content.checks import targeting_restriction as check
from fairmark.content.targeting import lint_targeting
from fairmark.errors import DataError, UsageError


def _rules(result) -> list[tuple[str, str, str]]:
    return sorted((f.rule_id, f.severity, f.field) for f in result.findings)


def test_meta_housing_spec_with_every_restricted_option():
    spec = {
        "age_min": 25, "age_max": 45, "genders": [2],
        "geo_locations": {
            "countries": ["US"],
            "zips": [{"key": "US:10001"}],
            "custom_locations": [
                {"latitude": 40.7, "longitude": -74.0, "radius": 10, "distance_unit": "mile"},
                {"latitude": 40.7, "longitude": -74.0, "radius": 25, "distance_unit": "kilometer"},
            ],
        },
        "excluded_geo_locations": {"regions": [{"key": "3847"}]},
        "custom_audiences": [{"id": "11", "subtype": "LOOKALIKE"}, {"id": "12"}],
        "excluded_custom_audiences": [{"id": "13"}],
        "flexible_spec": [{"interests": [{"id": "6003", "name": "Parenting"}],
                           "family_statuses": [{"id": "6002", "name": "Parents"}]}],
        "exclusions": {"relationship_statuses": [3]},
        "publisher_platforms": ["facebook"],
    }
    r = lint_targeting(spec, platform="meta", ad_category="housing")
    assert _rules(r) == [
        ("targeting.meta.age", "block", "age_min/age_max"),
        ("targeting.meta.audience_exclusion", "block", "excluded_custom_audiences[0]"),
        ("targeting.meta.detailed", "info", "flexible_spec[0].interests[0]"),
        ("targeting.meta.detailed_exclusion", "block", "exclusions.relationship_statuses[0]"),
        ("targeting.meta.gender", "block", "genders[0]"),
        ("targeting.meta.location_exclusion", "block", "excluded_geo_locations.regions[0]"),
        ("targeting.meta.lookalike", "block", "custom_audiences[0]"),
        ("targeting.meta.marital_status", "block", "exclusions.relationship_statuses[0]"),
        ("targeting.meta.min_radius", "block", "geo_locations.custom_locations[0]"),
        ("targeting.meta.parental_status", "block", "flexible_spec[0].family_statuses[0]"),
        ("targeting.meta.postal_code", "block", "geo_locations.zips[0]"),
    ]
    # 10 miles = 16.09 km < 24.14 km; 25 km passes
    assert r.verdict == "fail" and r.n_blocking == 10
    assert r.unchecked_fields == ("publisher_platforms",)
    assert all("facebook.com/business/help/2220749868045706" in f.source for f in r.findings)
    doc = r.to_dict()
    assert doc["schema_version"] == "1.0" and doc["kind"] == "targeting_lint"
    json.dumps(doc, allow_nan=False)


def test_meta_compliant_spec_passes_and_general_ads_are_not_restricted():
    ok = {"age_min": 18, "age_max": 65, "genders": [1, 2],
          "geo_locations": {"countries": ["US"], "cities": [
              {"key": "2420379", "radius": 15, "distance_unit": "mile"}]}}
    assert lint_targeting(ok, platform="meta", ad_category="employment").verdict == "pass"
    bad = {"age_min": 30, "genders": [1], "geo_locations": {"zips": [{"key": "US:10001"}]}}
    r = lint_targeting(bad, platform="meta", ad_category="general")
    assert r.findings == () and not r.special_category and r.verdict == "pass"


def test_google_criteria():
    spec = {"criteria": [
        {"age_range": {"type": "AGE_RANGE_25_34"}},
        {"gender": {"type": "FEMALE"}, "negative": True},
        {"parental_status": {"type": "PARENT"}},
        {"location": {"target_type": "Country", "country_code": "US", "name": "United States"}},
        {"location": {"target_type": "Postal Code", "name": "94103", "country_code": "US"}},
        {"location": {"target_type": "Postal Code", "name": "M5V", "country_code": "CA"}},
        {"proximity": {"radius": 0.5, "radius_units": "MILES"}},
        {"proximity": {"radius": 2, "radius_units": "KILOMETERS"}},
    ]}
    r = lint_targeting(spec, platform="google", ad_category="credit")
    assert _rules(r) == [
        ("targeting.google.age", "block", "criteria[0].age_range"),
        ("targeting.google.gender", "block", "criteria[1].gender"),
        ("targeting.google.min_radius", "block", "criteria[6].proximity"),
        ("targeting.google.parental_status", "block", "criteria[2].parental_status"),
        ("targeting.google.postal_code", "block", "criteria[4].location"),
    ]  # Canadian FSA M5V and the 2 km radius are allowed; 0.5 mile = 0.80 km < 1 km


def test_google_all_age_ranges_is_no_restriction():
    ages = ["18_24", "25_34", "35_44", "45_54", "55_64", "65_UP", "UNDETERMINED"]
    spec = {"criteria": [{"age_range": {"type": f"AGE_RANGE_{a}"}} for a in ages]}
    assert lint_targeting(spec, platform="google", ad_category="housing").findings == ()


def test_google_outside_us_canada_is_info():
    spec = {"criteria": [
        {"location": {"target_type": "Country", "country_code": "DE"}},
        {"gender": {"type": "MALE"}},
    ]}
    (f,) = lint_targeting(spec, platform="google", ad_category="employment").findings
    assert f.severity == "info" and "US and Canada" in f.message


def test_tiktok_adgroup():
    spec = {"age_groups": ["AGE_25_34", "AGE_35_44"], "gender": "GENDER_MALE",
            "location_ids": ["6252001"], "zipcode_ids": ["z1"], "household_income": ["TOP10"],
            "audience_ids": ["a1"], "placements": ["PLACEMENT_TIKTOK"]}
    r = lint_targeting(spec, platform="tiktok", ad_category="employment")
    assert _rules(r) == [
        ("targeting.tiktok.age", "block", "age_groups"),
        ("targeting.tiktok.custom_audience", "info", "audience_ids[0]"),
        ("targeting.tiktok.gender", "block", "gender"),
        ("targeting.tiktok.postal_code", "block", "zipcode_ids[0]"),
        ("targeting.tiktok.protected_proxy", "warn", "household_income"),
    ]
    every_age = ["AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100"]
    ok = {"age_groups": every_age, "gender": "GENDER_UNLIMITED"}
    assert lint_targeting(ok, platform="tiktok", ad_category="housing").verdict == "pass"


def test_neutral_shape():
    spec = {"format": "fairmark", "age_min": 18, "genders": ["all"],
            "marital_status": ["single"],
            "locations": [{"kind": "radius", "value": "office", "radius": 5, "unit": "km"},
                          {"kind": "postal_code", "value": "SW1A", "country": "GB"}],
            "audiences": [{"kind": "lookalike", "id": "L1"}]}
    r = lint_targeting(spec, platform="meta", ad_category="financial_products")
    assert r.spec_format == "fairmark"
    assert sorted(f.rule_id for f in r.findings) == [
        "targeting.meta.lookalike", "targeting.meta.marital_status",
        "targeting.meta.min_radius", "targeting.meta.postal_code",
    ]
    both = {"format": "fairmark", "genders": ["female", "male"]}
    assert lint_targeting(both, platform="meta", ad_category="housing").findings == ()


def test_measurement():
    r = lint_targeting({"genders": [2]}, platform="meta", ad_category="housing")
    (m,) = check.measure(r)
    assert (m.group, m.value) == ("meta", 1.0) and "targeting.meta.gender" in m.detail
    assert check.CHECK.input == "targeting"


@pytest.mark.parametrize(
    ("spec", "kwargs", "error", "text"),
    [
        ({}, {"platform": "snapchat", "ad_category": "housing"}, UsageError, "unknown platform"),
        ({}, {"platform": "meta", "ad_category": "cars"}, UsageError, "unknown ad category"),
        ({"genders": [3]}, {}, UsageError, "'genders[0]'"),
        ({"geo_locations": []}, {}, UsageError, "'geo_locations'"),
        ({"geo_locations": {"custom_locations": [{"radius": 5, "distance_unit": "furlong"}]}},
         {}, UsageError, "'geo_locations.custom_locations[0].unit'"),
        ({"age_min": "twenty"}, {}, UsageError, "'age_min'"),
        ({"format": "fairmark", "gender": ["m"]}, {}, UsageError, "'gender': unknown field"),
        ({"format": "fairmark", "locations": [{"kind": "planet"}]}, {}, UsageError,
         "'locations[0].kind'"),
        ({"criteria": [{"foo": 1}]}, {"platform": "google"}, UsageError, "'criteria[0]'"),
    ],
)
def test_bad_specs_name_the_field(spec, kwargs, error, text):
    args = {"platform": "meta", "ad_category": "housing", **kwargs}
    with pytest.raises(error) as info:
        lint_targeting(spec, **args)
    assert text in str(info.value) and "\n" not in str(info.value)


def test_spec_files(tmp_path):
    good = tmp_path / "spec.json"
    good.write_text(json.dumps({"genders": [1]}))
    assert lint_targeting(good, platform="meta", ad_category="housing").n_blocking == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"genders": [1],}')
    with pytest.raises(DataError, match="not valid JSON"):
        lint_targeting(bad, platform="meta", ad_category="housing")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        lint_targeting(empty, platform="meta", ad_category="housing")
    with pytest.raises(DataError, match=r"(?i)no such file"):
        lint_targeting(tmp_path / "missing.json", platform="meta", ad_category="housing")
    arr = tmp_path / "arr.json"
    arr.write_text("[]")
    with pytest.raises(UsageError, match="JSON object"):
        lint_targeting(arr, platform="meta", ad_category="housing")
