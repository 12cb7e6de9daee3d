"""Ledger entries from decoded signals: TCF purposes and vendors, US opt-outs, GPC."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fairmark.consent import decode, gpc_from_header, gpc_from_navigator, ledger_entries
from fairmark.consent.mapping import TCF_PURPOSES, US_OPT_OUT_USES
from fairmark.errors import DataError, UsageError

KEYS = {"purpose", "state", "lawful_basis", "vendor", "source", "jurisdiction", "raw_signal",
        "signal"}


def _index(entries: list[dict[str, Any]]) -> dict[tuple[Any, ...], str]:
    return {(e["purpose"], e["lawful_basis"], e["vendor"]): e["state"] for e in entries}


def test_purpose_table_follows_fideslang_gvl_mapping() -> None:
    """Spot values of fideslang's gvl_data_use_mapping.json (commit 7371ff7f)."""
    assert TCF_PURPOSES[2][1] == ("marketing.advertising.first_party.contextual",
                                  "marketing.advertising.frequency_capping",
                                  "marketing.advertising.negative_targeting")
    assert TCF_PURPOSES[3] == ("Create profiles for personalised advertising",
                               ("marketing.advertising.profiling",))
    assert TCF_PURPOSES[4][1] == ("marketing.advertising.first_party.targeted",
                                  "marketing.advertising.third_party.targeted")
    assert TCF_PURPOSES[11][1] == ("personalize.content.limited",)
    assert sorted(TCF_PURPOSES) == list(range(1, 12))


def test_tcf_purpose_level_entries(tcf_vectors: dict[str, dict[str, Any]]) -> None:
    """tcf-001: consent for purposes 2 and 10, legitimate interest for 2 and 9."""
    raw = tcf_vectors["tcf-001"]["string"]
    entries = ledger_entries(raw, vendors=False)
    assert all(set(e) == KEYS for e in entries)
    # 14 data uses with a consent entry; LI entries for purposes 2, 7-11 (8 data uses)
    assert len(entries) == 14 + 8
    got = _index(entries)
    assert got[("marketing.advertising.frequency_capping", "consent", None)] == "granted"
    assert got[("marketing.advertising.profiling", "consent", None)] == "denied"
    assert got[("functional.service.improve", "consent", None)] == "granted"
    assert got[("analytics.reporting.campaign_insights", "legitimate_interests", None)] \
        == "granted"
    assert got[("analytics.reporting.ad_performance", "legitimate_interests", None)] \
        == "objected"
    assert ("marketing.advertising.profiling", "legitimate_interests", None) not in got
    assert ("functional.storage", "legitimate_interests", None) not in got
    assert {e["source"] for e in entries} == {"tcf"}
    assert {e["jurisdiction"] for e in entries} == {"EU"}
    assert {e["raw_signal"] for e in entries} == {raw}


def test_tcf_vendor_entries_and_restrictions(tc_string: Callable[..., str]) -> None:
    s = tc_string(purposes_consent=[2, 3], purposes_li=[7], vendor_consents=[5, 9],
                  vendor_li=[9], restrictions=[(2, 0, [9]), (7, 1, [9])], disclosed=[5, 9, 12])
    got = _index(ledger_entries(s))
    use2, use3, use7 = ("marketing.advertising.negative_targeting",
                        "marketing.advertising.profiling", "analytics.reporting.ad_performance")
    assert got[(use3, "consent", 5)] == "granted"        # purpose 3 consent & vendor 5
    assert got[(use3, "consent", 12)] == "denied"        # disclosed, no vendor consent
    assert got[(use2, "consent", 5)] == "granted"
    assert got[(use2, "consent", 9)] == "denied"         # restriction type 0 for vendor 9
    assert got[(use7, "legitimate_interests", 5)] == "objected"   # vendor 5 has no LI
    assert (use7, "legitimate_interests", 9) not in got  # type 1: consent only
    assert got[(use7, "consent", 9)] == "denied"
    vendors = {k[2] for k in got if k[2] is not None}
    assert vendors == {5, 9, 12}


def test_mapping_accepts_decode_documents_and_refuses_other_types() -> None:
    assert ledger_entries(decode("1YYN")) == ledger_entries("1YYN")
    with pytest.raises(UsageError):
        ledger_entries({"kind": "tcf"})
    with pytest.raises(UsageError):
        ledger_entries(42)  # type: ignore[arg-type]


def test_usprivacy_and_uspv1_opt_out_of_sale() -> None:
    [entry] = ledger_entries("1YYN")
    assert entry == {"purpose": "third_party_sharing", "state": "objected",
                     "lawful_basis": None, "vendor": None, "source": "usprivacy",
                     "jurisdiction": "US-CA", "raw_signal": "1YYN", "signal": "OptOutSale=Y"}
    assert ledger_entries("1YNN")[0]["state"] == "granted"
    assert ledger_entries("1---") == []
    [gpp] = ledger_entries("DBABTA~1YYN")
    assert (gpp["source"], gpp["state"]) == ("gpp.uspv1", "objected")


def test_usnat_opt_outs_and_gpc(gpp_vectors: dict[str, dict[str, Any]]) -> None:
    """gpp-134 usnat: sale, sharing and targeted ads opted out (1), GPC set."""
    entries = ledger_entries("DBABLA~" + gpp_vectors["gpp-134"]["string"])
    assert {e["jurisdiction"] for e in entries} == {"US"}
    assert {e["state"] for e in entries} == {"objected"}
    signals = {e["signal"] for e in entries}
    assert signals == {"SaleOptOut=1", "SharingOptOut=1", "TargetedAdvertisingOptOut=1",
                       "Gpc=true"}
    n = sum(len(v) for v in US_OPT_OUT_USES.values()) + 2  # GPC: sale + sharing
    assert len(entries) == n


def test_state_section_entries_carry_the_state_code(gpp_vectors: dict[str, Any]) -> None:
    # usva BVWSSVY (gpp-193): SaleOptOut 1, TargetedAdvertisingOptOut 1, section 9 = US-VA
    entries = ledger_entries("DBABRg~" + gpp_vectors["gpp-193"]["string"])
    assert {(e["jurisdiction"], e["state"]) for e in entries} == {("US-VA", "objected")}


def test_gpc_signal() -> None:
    entries = ledger_entries(gpc_from_header("Sec-GPC: 1"))
    assert {e["purpose"] for e in entries} == {"third_party_sharing",
                                               "marketing.advertising.third_party.targeted"}
    assert {(e["state"], e["source"], e["jurisdiction"]) for e in entries} == {
        ("objected", "gpc", "US-CA")}
    assert ledger_entries(gpc_from_header(None)) == []
    assert ledger_entries(gpc_from_navigator("false")) == []
    assert gpc_from_navigator(True).enabled
    with pytest.raises(DataError, match="only '1'"):
        gpc_from_header("0")
    with pytest.raises(DataError, match="true, false or undefined"):
        gpc_from_navigator("yes")


def test_unmappable_signals_are_data_errors(tc_string: Callable[..., str],
                                            tcf_vectors: dict[str, Any]) -> None:
    with pytest.raises(DataError, match="retired"):
        ledger_entries(tcf_vectors["tcf-009"]["string"])
    with pytest.raises(DataError, match="PurposesConsent sets purpose 13"):
        ledger_entries(tc_string(purposes_consent=[1, 13]))
    # usva (section 9) with SaleOptOut = 3: Version 1, notices 1/1/1, SaleOptOut 3, TA 1,
    # eight sensitive-data zeros, known child 0, MSPA 1/0/0
    bits = "000001" + "01" * 3 + "11" + "01" + "00" * 8 + "00" + "01" + "0000"
    bits += "0" * (-len(bits) % 6)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    usva = "".join(alphabet[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))
    assert decode("DBABRg~" + usva)["fields"]["sections"]["usva"]["SaleOptOut"] == 3
    with pytest.raises(DataError, match="SaleOptOut is 3; expected 0, 1 or 2"):
        ledger_entries("DBABRg~" + usva)


def test_tcf_canada_section(gpp_vectors: dict[str, dict[str, Any]]) -> None:
    """gpp-014 carries a default tcfcav1 section: every purpose denied, jurisdiction CA."""
    entries = [e for e in ledger_entries(gpp_vectors["gpp-014"]["string"])
               if e["source"] == "gpp.tcfcav1"]
    assert len(entries) == 2 * 13  # express and implied consent, purposes 2-11 (13 uses)
    assert {(e["state"], e["lawful_basis"], e["jurisdiction"]) for e in entries} == {
        ("denied", "consent", "CA")}
    # gpp-012's tcfcav1 sets express consent for purposes 13-18, which have no data use
    with pytest.raises(DataError, match="PurposesExpressConsent sets purpose 13"):
        ledger_entries(gpp_vectors["gpp-012"]["string"])
