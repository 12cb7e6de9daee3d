"""Compliance rules on hand-built TC strings (TCF v2.2/v2.3) and on GPP / US Privacy vectors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fairmark.consent import decode
from fairmark.consent.rules import gpp_us_findings, tcf_findings
from fairmark.consent.tcf import decode_tcf_v2
from fairmark.consent.us_sections import decode_us_section


def _rules(doc: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    found = [(f["rule"], f["severity"], f["purpose"]) for f in doc["compliance"]]
    return sorted(found, key=lambda t: (t[0], t[1], -1 if t[2] is None else t[2]))


def test_builder_string_round_trips(tc_string: Callable[..., str]) -> None:
    """The test builder and the decoder agree on every field the rules use."""
    s = tc_string(purposes_consent=[1, 3], purposes_li=[2, 7], vendor_consents=[5, 9],
                  vendor_li=[9], restrictions=[(2, 0, [5])], disclosed=[5, 9, 12])
    f = decode(s)["fields"]
    assert (f["purposeConsents"], f["purposeLegitimateInterests"]) == ([1, 3], [2, 7])
    assert (f["vendorConsents"], f["vendorLegitimateInterests"]) == ([5, 9], [9])
    assert f["publisherRestrictions"] == [
        {"purposeId": 2, "restrictionType": 0, "restriction": "not_allowed", "vendorIds": [5]}
    ]
    assert f["vendorsDisclosed"] == [5, 9, 12] and f["created"] == "2024-05-01T00:00:00.000Z"
    assert f["segments"] == ["core", "vendorsDisclosed"]


def test_clean_tcf22_string_has_no_finding(tc_string: Callable[..., str]) -> None:
    s = tc_string(purposes_consent=[1, 2, 3, 4], purposes_li=[2, 7], disclosed=[1])
    assert decode(s)["compliance"] == []


def test_legitimate_interest_only_for_purposes_3_to_6(tc_string: Callable[..., str]) -> None:
    s = tc_string(purposes_consent=[1, 4], purposes_li=[2, 3, 4, 5, 6, 7])
    found = _rules(decode(s))
    assert found == [
        ("tcf.legitimate_interest_for_consent_purpose", "non_compliant", 3),
        ("tcf.legitimate_interest_for_consent_purpose", "non_compliant", 5),
        ("tcf.legitimate_interest_for_consent_purpose", "non_compliant", 6),
        ("tcf.legitimate_interest_for_consent_purpose", "warning", 4),
    ]


def test_publisher_legitimate_interest_for_purpose_3(tc_string: Callable[..., str]) -> None:
    s = tc_string(publisher=([1], [3]))
    doc = decode(s)
    [finding] = doc["compliance"]
    assert (finding["rule"], finding["purpose"]) == (
        "tcf.legitimate_interest_for_consent_purpose", 3)
    assert "PubPurposesLITransparency" in finding["message"]


def test_disclosed_vendors_mandatory_after_2026_02_28(tc_string: Callable[..., str]) -> None:
    after = datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC)
    last_day = datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC)
    without = _rules(decode(tc_string(created=after)))
    assert without == [("tcf.disclosed_vendors_missing", "non_compliant", None)]
    assert decode(tc_string(created=after, disclosed=[1, 2]))["compliance"] == []
    assert decode(tc_string(created=last_day))["compliance"] == []


def test_outdated_policy_version_and_unassigned_cmp(tc_string: Callable[..., str]) -> None:
    found = _rules(decode(tc_string(policy_version=2, cmp_id=1)))
    assert found == [("tcf.outdated_policy_version", "non_compliant", None),
                     ("tcf.unassigned_cmp_id", "warning", None)]
    assert decode(tc_string(policy_version=4, cmp_id=2))["compliance"] == []


def test_undefined_purposes_and_special_features(tc_string: Callable[..., str]) -> None:
    s = tc_string(purposes_consent=[1, 12], special_features=[3], restrictions=[(0, 1, [4])])
    found = _rules(decode(s))
    assert found == [("tcf.undefined_purpose", "non_compliant", None),
                     ("tcf.undefined_purpose", "non_compliant", 0),
                     ("tcf.undefined_purpose", "non_compliant", 12)]


def test_tcf_findings_inside_gpp_are_labelled(tc_string: Callable[..., str]) -> None:
    doc = decode("DBABMA~" + tc_string(purposes_li=[3]))
    [finding] = doc["compliance"]
    assert finding["section"] == "gpp.tcfeuv2" and finding["purpose"] == 3


def test_v1_strings_are_retired(tcf_vectors: dict[str, dict[str, Any]]) -> None:
    doc = decode(tcf_vectors["tcf-009"]["string"])
    assert _rules(doc) == [("tcf.v1_retired", "non_compliant", None)]


def test_reference_strings_from_the_gpp_encoder(tcf_vectors: dict[str, Any]) -> None:
    """tcf-026: policy version 5, LI for purpose 2 only, publisher LI 2 and 7: compliant."""
    tc = decode_tcf_v2(tcf_vectors["tcf-026"]["string"])
    assert tc.policy_version == 5
    assert tcf_findings(tc) == []
    # tcf-001 (policy 2, LI for purposes 2 and 9) is only outdated
    old = decode_tcf_v2(tcf_vectors["tcf-001"]["string"])
    assert [f.rule for f in tcf_findings(old)] == ["tcf.outdated_policy_version"]


def test_gpp_us_values_and_notice_rules(gpp_vectors: dict[str, dict[str, Any]]) -> None:
    # gpp-076: UsCa BbYbGwXY.YA has SharingOptOutNotice 2, SensitiveDataLimitUseNotice 3,
    # SharingOptOut 2, SensitiveDataProcessing with 3s and MspaCoveredTransaction 3.
    fields = decode_us_section("usca", gpp_vectors["gpp-076"]["string"])
    found = gpp_us_findings("usca", fields)
    messages = [f.message for f in found]
    assert {f.rule for f in found} == {"gpp.invalid_value", "gpp.opt_out_without_notice"}
    assert any("SensitiveDataLimitUseNotice holds 3" in m for m in messages)
    assert any("MspaCoveredTransaction holds 3" in m for m in messages)
    assert any("SensitiveDataProcessing holds 3" in m for m in messages)
    assert any("SharingOptOutNotice = 2 with SharingOptOut = 2" in m for m in messages)
    # gpp-073: the well-formed counterpart (notice 1, opted out 1) has no finding
    clean = decode_us_section("usca", gpp_vectors["gpp-073"]["string"])
    assert gpp_us_findings("usca", clean) == []


def test_usprivacy_versions() -> None:
    assert _rules(decode("1YNN")) == [("usprivacy.deprecated", "info", None)]
    assert ("usprivacy.unknown_version", "warning", None) in _rules(decode("2NYY"))
