"""The synthetic CRM table: deterministic, and its identifiers check out independently.

Validity is checked with libraries other than fairmark's detectors: python-stdnum (Luhn,
IBAN mod-97, US SSN), phonenumbers, the standard library's ``ipaddress`` and HMRC's
National Insurance number rules written out here. About 3 % of the phones, IBANs, cards
and national ids are mistyped on purpose; the tests check that share too.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re

import phonenumbers
import pyarrow as pa
import pytest
from stdnum import iban, luhn
from stdnum.us import ssn

from fairmark.errors import UsageError
from fairmark.privacy.entities import EntityType
from fairmark.privacy.synthetic_crm import (
    COUNTRIES,
    CRM_NOTES_ENTITIES,
    CRM_TRUTH,
    CRM_TYPO_SHARE,
    REFERENCE_DATE,
    make_crm_table,
)

N = 4000


@pytest.fixture(scope="module")
def crm() -> pa.Table:
    return make_crm_table(N, seed=11)


def _typo_share(valid: list[bool]) -> bool:
    """Whether the share of invalid values is the mistyped share, within sampling error."""
    bad = 1 - sum(valid) / len(valid)
    return 0.3 * CRM_TYPO_SHARE < bad < 2 * CRM_TYPO_SHARE


def _values(table: pa.Table, column: str) -> list:
    return [v for v in table.column(column).to_pylist() if v is not None]


def test_layout_matches_the_truth_and_is_deterministic(crm: pa.Table) -> None:
    assert crm.num_rows == N
    assert crm.column_names == list(CRM_TRUTH)
    assert make_crm_table(500, seed=11).equals(make_crm_table(500, seed=11))
    assert not make_crm_table(500, seed=11).equals(make_crm_table(500, seed=12))
    assert crm.schema.field("dob").type == pa.date32()
    assert crm.schema.field("consent_email").type == pa.bool_()
    assert crm.schema.field("lifetime_value").type == pa.float64()


def test_countries_and_customer_ids(crm: pa.Table) -> None:
    assert set(_values(crm, "country")) == set(COUNTRIES)
    ids = _values(crm, "customer_id")
    assert len(set(ids)) == N and ids[0] == "C00000001"


def test_emails_use_reserved_domains(crm: pa.Table) -> None:
    pattern = re.compile(r"[a-z0-9._]+@(?:[a-z]+\.)?example\.(?:com|net|org)")
    for column in ("email", "field_7"):
        values = _values(crm, column)
        assert values and all(pattern.fullmatch(v.lower()) for v in values)
    share_null = 1 - len(_values(crm, "email")) / N
    assert 0.02 < share_null < 0.09


def test_phones_are_valid_for_their_country(crm: pa.Table) -> None:
    rows = [(p, c) for p, c in zip(crm.column("phone").to_pylist(),
                                   crm.column("country").to_pylist(), strict=True) if p]
    assert len(rows) > 0.85 * N
    valid = 0
    for number, country in rows:
        parsed = phonenumbers.parse(number, country)
        if phonenumbers.is_valid_number(parsed):
            valid += 1
            assert phonenumbers.region_code_for_number(parsed) == country
    # the mistyped ones (two digits lost) are invalid, except a few that still fit a plan
    assert 1 - 1.8 * CRM_TYPO_SHARE < valid / len(rows) < 1 - 0.4 * CRM_TYPO_SHARE
    assert any(p.startswith("+") for p, _ in rows) and any(not p.startswith("+") for p, _ in rows)


def test_cards_pass_luhn_with_real_issuer_prefixes(crm: pa.Table) -> None:
    cards = [re.sub(r"[ -]", "", c) for c in _values(crm, "card_number")]
    assert 0.2 * N < len(cards) < 0.4 * N
    assert _typo_share([luhn.is_valid(c) for c in cards])
    for card in cards:
        visa = card[0] == "4" and len(card) == 16
        mastercard = len(card) == 16 and (51 <= int(card[:2]) <= 55
                                          or 2221 <= int(card[:4]) <= 2720)
        amex = card[:2] in {"34", "37"} and len(card) == 15
        assert visa or mastercard or amex, card


def test_ibans_pass_mod97_for_gb_de_fr_only(crm: pa.Table) -> None:
    rows = [(i, c) for i, c in zip(crm.column("iban").to_pylist(),
                                   crm.column("country").to_pylist(), strict=True) if i]
    assert rows
    assert _typo_share([iban.is_valid(v) for v, _ in rows])
    for value, country in rows:
        assert value[:2] == country and country in {"GB", "DE", "FR"}


def test_national_ids_follow_ssa_and_hmrc_rules(crm: pa.Table) -> None:
    nino = re.compile(r"(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
                      r"[0-9]{6}[A-D]")
    rows = [(v, c) for v, c in zip(crm.column("national_id").to_pylist(),
                                   crm.column("country").to_pylist(), strict=True) if v]
    assert {c for _, c in rows} == {"GB", "US"}
    valid = [ssn.is_valid(v) if c == "US" else bool(nino.fullmatch(v.replace(" ", "")))
             for v, c in rows]  # fmt: skip
    assert _typo_share(valid)
    for value, country in rows:  # mistyped ones keep the shape
        shape = r"[0-9]{3}-[0-9]{2}-[0-9]{4}" if country == "US" else r"[A-Z]{2}[0-9]{6}[A-D]"
        assert re.fullmatch(shape, value.replace(" ", "")), value


def test_ips_are_documentation_addresses(crm: pa.Table) -> None:
    nets = [ipaddress.ip_network(n) for n in
            ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
    for value in _values(crm, "ip"):
        address = ipaddress.ip_address(value)
        assert any(address in net for net in nets), value


def test_dates_of_birth_are_adult_ages(crm: pa.Table) -> None:
    ages = [(REFERENCE_DATE - d).days / 365.25 for d in _values(crm, "dob")]
    assert min(ages) >= 18 and max(ages) <= 90
    assert all(dt.date(2015, 1, 1) <= d <= REFERENCE_DATE for d in _values(crm, "signup_date"))


def test_notes_hold_some_identifiers(crm: pa.Table) -> None:
    notes = _values(crm, "notes")
    assert 0.7 * N < len(notes) < 0.9 * N
    with_email = [n for n in notes if "@" in n]
    with_card = [n for n in notes if re.search(r"Card [0-9]|card [0-9]", n)]
    with_phone = [n for n in notes if n.startswith(("Call back on", "Second number"))]
    for group in (with_email, with_phone, with_card):
        assert 0.01 * len(notes) < len(group) < 0.15 * len(notes)
    assert CRM_NOTES_ENTITIES == (EntityType.EMAIL_ADDRESS, EntityType.PHONE_NUMBER,
                                  EntityType.CREDIT_CARD)


@pytest.mark.parametrize(("n_rows", "seed"), [(0, 0), (-3, 0), (1.5, 0), (True, 0), (10, -1)])
def test_bad_arguments(n_rows: object, seed: object) -> None:
    with pytest.raises(UsageError):
        make_crm_table(n_rows, seed=seed)  # type: ignore[arg-type]
