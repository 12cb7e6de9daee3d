"""scan_table: classification of every column, the share estimator, evidence, bad input."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import ibis
import jsonschema
import numpy as np
import pandas as pd
import phonenumbers
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from fairmark.engine.source import transcode_to_utf8
from fairmark.errors import DataError, DataWarning, UsageError
from fairmark.privacy.detectors import DETECTORS
from fairmark.privacy.entities import DIRECT_IDENTIFIERS
from fairmark.privacy.scan_result import SCHEMA_PATH, PiiScanResult
from fairmark.privacy.synthetic_crm import CRM_NOTES_ENTITIES, CRM_TRUTH, make_crm_table
from fairmark.privacy.table_profile import GATE, GATED
from fairmark.privacy.table_scan import (
    header_looks_like_data,
    name_value_confidence,
    scan_table,
)
from fairmark.privacy.value_evidence import vocabulary_hint

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
_DEFAULT = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")


def _cards(n: int, seed: int = 0, valid: bool = True) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        body = "4" + "".join(str(x) for x in rng.integers(0, 10, 14))
        check = int(luhn.calc_check_digit(body))
        out.append(body + str(check if valid else (check + 1) % 10))
    return out


@pytest.fixture(scope="module")
def crm() -> pa.Table:
    return make_crm_table(800, seed=7)


@pytest.fixture(scope="module")
def crm_result(crm: pa.Table) -> PiiScanResult:
    return scan_table(crm, sample_size=150, presidio=False, data_name="crm")


# --- the generated CRM table -----------------------------------------------------------


def test_every_crm_column_gets_its_true_entity_type(crm_result: PiiScanResult) -> None:
    assert [c.column for c in crm_result.columns] == list(CRM_TRUTH)
    for column, truth in CRM_TRUTH.items():
        finding = crm_result.column(column)
        assert finding.entity_type == (None if truth is None else truth.value), column
        if truth is not None:
            assert finding.confidence >= 0.6, (column, finding.evidence)
            assert finding.match_share >= 0.8, (column, finding.evidence)


def test_crm_categories_and_identifier_flags(crm_result: PiiScanResult) -> None:
    expected = {
        "email": "user.contact.email", "phone": "user.contact.phone_number",
        "iban": "user.financial.bank_account", "card_number": "user.financial.credit_card",
        "national_id": "user.government_id.national_identification_number",
        "ip": "user.device.ip_address", "dob": "user.demographic.date_of_birth",
        "postcode": "user.contact.address.postal_code", "first_name": "user.name",
        "street": "user.contact.address.street", "city": "user.contact.address.city",
        "customer_id": "user.unique_id", "consent_sms": "user.privacy_preferences",
        "field_7": "user.contact.email", "notes": "user.content", "segment": None,
        "lifetime_value": None, "signup_date": None,
    }  # fmt: skip
    for column, category in expected.items():
        assert crm_result.column(column).data_category == category, column
    direct = set(crm_result.direct_identifiers)
    truth_direct = {c for c, e in CRM_TRUTH.items() if e in DIRECT_IDENTIFIERS}
    assert truth_direct | {"customer_id", "notes"} == direct
    assert crm_result.special_categories == ()


def test_notes_list_the_identifiers_typed_into_them(crm_result: PiiScanResult) -> None:
    notes = crm_result.column("notes")
    found = {e.entity_type: e for e in notes.contains}
    for entity in CRM_NOTES_ENTITIES:
        assert entity.value in found, (entity, notes.evidence)
        assert found[entity.value].found_by == ("fairmark",)
        assert 0 < found[entity.value].fairmark_share < 0.2
        assert found[entity.value].presidio_share is None
    assert notes.direct_identifier
    assert crm_result.text_engine["used"] is True
    assert crm_result.text_engine["presidio"] is None


def test_document_is_schema_valid_and_holds_no_raw_value(
    crm: pa.Table, crm_result: PiiScanResult
) -> None:
    doc = crm_result.to_dict()
    jsonschema.validate(doc, SCHEMA)
    assert doc["kind"] == "pii_scan" and doc["schema_version"] == "1.0"
    text = crm_result.to_json()
    assert json.loads(text) == doc
    identifiers = [c for c, e in CRM_TRUTH.items() if e is not None and c != "dob"]
    raw = {
        str(v).strip()
        for c in identifiers
        for v in crm.column(c).to_pylist()
        if v is not None and len(str(v).strip()) >= 4
    }
    leaked = [v for v in raw if v in text]
    assert not leaked, leaked[:5]
    assert all(c["examples_masked"] for c in doc["columns"] if c["entity_type"])


def test_result_lookup_and_summary(crm_result: PiiScanResult) -> None:
    assert crm_result.column("email").column == "email"
    with pytest.raises(UsageError, match="'nope' was not scanned"):
        crm_result.column("nope")
    summary = crm_result.to_dict()["summary"]
    assert "segment" not in summary["personal_columns"]
    assert "email" in summary["direct_identifiers"]


# --- the share estimator and the confidence -----------------------------------------------


def test_share_is_engine_candidates_times_validated_fraction() -> None:
    # 500 Luhn-valid and 300 Luhn-invalid 15-digit card numbers, 200 missing: every
    # non-null value is a candidate, so the share is 500 / 800 exactly with a full sample.
    values = _cards(500, seed=1) + _cards(300, seed=2, valid=False) + [None] * 200
    frame = pd.DataFrame({"card_number": values})
    full = scan_table(frame, sample_size=1000, presidio=False).column("card_number")
    assert full.entity_type == "CREDIT_CARD"
    assert full.n_non_null == 800 and full.n_sampled == 800
    assert full.match_share == pytest.approx(500 / 800)
    assert "500 of 800 sampled candidates validate" in " ".join(full.evidence)
    part = scan_table(frame, sample_size=200, presidio=False).column("card_number")
    assert part.n_sampled == 200
    # binomial standard error of 200 draws at p = 0.625 is 0.034: allow 4 of them
    assert part.match_share == pytest.approx(500 / 800, abs=0.14)


def test_name_value_confidence_formula() -> None:
    assert name_value_confidence(0.9, 0.0) == pytest.approx(0.225)
    assert name_value_confidence(0.9, 0.5) == pytest.approx(1 - 0.1 * 0.5)
    assert name_value_confidence(0.9, 1.0) == pytest.approx(1.0)
    assert name_value_confidence(0.6, 0.2) == pytest.approx(1 - (1 - 0.6 * 0.55) * 0.8)


def test_name_says_email_but_values_are_not_emails() -> None:
    frame = pd.DataFrame({"email": ["n/a", "unknown", "none", "-"] * 50})
    finding = scan_table(frame, presidio=False).column("email")
    assert finding.entity_type == "EMAIL_ADDRESS"
    assert finding.confidence == pytest.approx(0.9 * 0.25)
    assert finding.match_share == 0
    text = " ".join(finding.evidence)
    assert "name 'email' suggests email address" in text
    assert "only 0% of the values are" in text


def test_values_win_over_a_contradicting_name() -> None:
    frame = pd.DataFrame({"mail": [f"+44 20 7946 {i:04d}" for i in range(200)]})
    finding = scan_table(frame, presidio=False).column("mail")
    assert finding.entity_type == "PHONE_NUMBER"
    assert finding.data_category == "user.contact.phone_number"
    assert "not email address values" in " ".join(finding.evidence)


def test_values_alone_classify_an_unnamed_column() -> None:
    ibans = ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"] * 100
    finding = scan_table(pd.DataFrame({"x": ibans}), presidio=False).column("x")
    assert finding.entity_type == "IBAN_CODE" and finding.confidence > 0.9
    assert finding.data_category == "user.financial.bank_account"
    assert finding.examples_masked == ("DE** **** **** **** **30 00", "GB****************5432")


def test_weak_values_alone_do_not_classify() -> None:
    rng = np.random.default_rng(3)
    codes = [str(x) for x in rng.integers(10_000, 99_999, 300)]
    finding = scan_table(pd.DataFrame({"code": codes}), presidio=False).column("code")
    assert finding.entity_type is None and finding.data_category is None
    assert "too weak to classify" in " ".join(finding.evidence)
    named = scan_table(pd.DataFrame({"zip": codes}), presidio=False).column("zip")
    assert named.entity_type == "POSTAL_CODE" and named.confidence > 0.9


def test_integer_card_numbers_are_validated_in_decimal_form() -> None:
    frame = pd.DataFrame({"ref": [int(c) for c in _cards(200, seed=5)]})
    finding = scan_table(frame, presidio=False).column("ref")
    assert finding.entity_type == "CREDIT_CARD" and finding.dtype == "int64"
    assert finding.match_share == 1.0


def test_person_name_columns_by_name_and_shape() -> None:
    names = ["Emma", "Oliver", "Mary-Jane", "Jürgen", "O'Neil"] * 40
    good = scan_table(pd.DataFrame({"first_name": names}), presidio=False).column("first_name")
    assert good.entity_type == "PERSON" and good.confidence > 0.9
    assert "shaped like names" in " ".join(good.evidence)
    bad = scan_table(pd.DataFrame({"name": ["12", "7", "31"] * 40}), presidio=False)
    assert bad.column("name").confidence < 0.2
    cities = scan_table(pd.DataFrame({"town_col": names}), presidio=False).column("town_col")
    assert cities.entity_type is None


def test_identifier_names_on_numbers_or_flags_are_not_identifiers() -> None:
    frame = pd.DataFrame({"phone": [True, False] * 20, "email": [0.5, 1.5] * 20,
                          "income": [1000.0, 2500.0] * 20})  # fmt: skip
    result = scan_table(frame, presidio=False)
    for column in ("phone", "email"):
        finding = result.column(column)
        assert finding.data_category is None and not finding.direct_identifier
        assert "cannot be one" in " ".join(finding.evidence)
    assert result.column("income").data_category == "user.financial"


_NO_GATE = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="0123456789@:",
                                          exclude_categories=("Cs", "Nd")),
                   max_size=60)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(text=_NO_GATE)
def test_gated_patterns_need_a_gate_character(text: str) -> None:
    # the engine runs a gated detector's pattern only where GATE matches: no gated pattern
    # may match a text without a digit, "@" or ":"
    for detector in DETECTORS:
        if detector.entity_type in GATED:
            assert re.search(detector.candidate_pattern, text, re.ASCII) is None, detector


def test_gated_patterns_on_real_values(crm: pa.Table) -> None:
    gate = re.compile(GATE)
    for column in crm.column_names:
        if not pa.types.is_string(crm.schema.field(column).type):
            continue
        for value in crm.column(column).to_pylist()[:300]:
            if value is None or gate.search(value):
                continue
            for detector in DETECTORS:
                if detector.entity_type in GATED:
                    assert re.search(detector.candidate_pattern, value, re.ASCII) is None


# --- dates -------------------------------------------------------------------------------


def test_dates_of_birth_by_name_and_by_plausibility() -> None:
    rng = np.random.default_rng(0)
    births = [dt.date(1950, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 15_000, 300)]
    recent = [dt.date(2023, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 300, 300)]
    frame = pd.DataFrame({
        "dob": births, "d": births, "created": recent, "future_dob": [dt.date(2300, 1, 1)] * 300,
        "birthdate": [d.isoformat() for d in births],
    })  # fmt: skip
    result = scan_table(frame, presidio=False)
    assert result.column("dob").entity_type == "DATE_OF_BIRTH"
    assert result.column("dob").confidence > 0.95
    assert result.column("birthdate").entity_type == "DATE_OF_BIRTH"
    weak = result.column("d")
    assert weak.entity_type == "DATE_OF_BIRTH" and 0.4 <= weak.confidence < 0.5
    assert result.column("created").entity_type is None
    wrong = result.column("future_dob")
    assert wrong.match_share == 0 and wrong.confidence < 0.25
    assert result.column("dob").examples_masked[0].endswith("**-**-**")


# --- phone regions -----------------------------------------------------------------------


def _swedish_mobiles() -> list[str]:
    numbers = [f"070-{100 + i:03d} 45 67" for i in range(200)]
    only_se = [
        n for n in numbers
        if phonenumbers.is_valid_number(phonenumbers.parse(n, "SE"))
        and not any(phonenumbers.is_valid_number(phonenumbers.parse(n, r)) for r in _DEFAULT)
    ]  # fmt: skip
    assert len(only_se) >= 50
    return only_se


def test_national_numbers_need_their_region() -> None:
    numbers = _swedish_mobiles()
    frame = pd.DataFrame({"phone": numbers})
    without = scan_table(frame, presidio=False).column("phone")
    assert without.match_share == 0 and without.confidence < 0.25
    given = scan_table(frame, region="se", presidio=False)
    assert given.region == "SE"
    assert given.column("phone").match_share == 1 and given.column("phone").confidence > 0.95
    per_row = scan_table(frame.assign(country="SE"), presidio=False).column("phone")
    assert per_row.match_share == 1


# --- messy input -------------------------------------------------------------------------


def test_all_null_column_is_a_warning_not_a_crash() -> None:
    frame = pd.DataFrame({"email": [None] * 10, "x": ["a b"] * 10})
    result = scan_table(frame, presidio=False)
    empty = result.column("email")
    assert empty.entity_type is None and empty.n_non_null == 0
    assert empty.data_category == "user.contact.email"
    assert empty.confidence == pytest.approx(0.45)
    assert any("'email' is empty" in w for w in result.warnings)


def test_bytes_are_decoded_with_replacement_and_counted() -> None:
    values = [b"caf\xe9" if i % 10 == 0 else f"user{i}@example.com".encode() for i in range(200)]
    result = scan_table(pd.DataFrame({"blob": values}), presidio=False)
    finding = result.column("blob")
    assert finding.entity_type == "EMAIL_ADDRESS" and finding.dtype == "binary"
    assert finding.match_share == pytest.approx(0.9)
    warning = next(w for w in result.warnings if "'blob'" in w)
    assert "20 of 200 values are not valid UTF-8" in warning


def test_csv_that_is_not_utf8_is_decoded_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    rows = "".join(f"Jos\xe9 {i},jose{i}@example.com\n" for i in range(50))
    path.write_bytes(("name,email\n" + rows).encode("latin-1"))
    result = scan_table(path, presidio=False)
    assert result.column("email").entity_type == "EMAIL_ADDRESS"
    assert result.data_name == str(path)
    assert f"{path} is not valid UTF-8: 50 bytes replaced with U+FFFD" in result.warnings
    assert result.column("name").n_non_null == 50


def test_errors_past_the_csv_sniffing_sample(tmp_path: Path) -> None:
    # DuckDB sniffs the first 20,480 rows; a bad row after them fails during the scan.
    rows = "".join(f"{i},a{i}@example.com\n" for i in range(25_000))
    late_text = tmp_path / "late_text.csv"
    late_text.write_text("n,email\n" + rows + "abc,x@example.com\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"could not profile .*Could not convert string "
                                        r"\"abc\" to 'BIGINT'"):  # fmt: skip
        scan_table(late_text, presidio=False)
    late_byte = tmp_path / "late_byte.csv"
    late_byte.write_bytes(("n,email\n" + rows).encode() + b"1,x\xff@example.com\n")
    result = scan_table(late_byte, columns=["email"], presidio=False)
    assert result.column("email").entity_type == "EMAIL_ADDRESS"
    assert "not valid UTF-8: 1 bytes replaced with U+FFFD" in result.warnings[0]


def test_transcode_counts_replacements(tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    src.write_bytes(b"a\n\xff\xfe ok \xef\xbf\xbd caf\xc3\xa9\n")
    out = tmp_path / "y.csv"
    assert transcode_to_utf8(src, out) == 2  # the existing U+FFFD is not counted
    assert out.read_text(encoding="utf-8") == "a\n\ufffd\ufffd ok \ufffd café\n"


def test_mixed_types_in_a_data_frame_are_bad_input() -> None:
    with pytest.raises(DataError, match="cannot load the DataFrame"):
        scan_table(pd.DataFrame({"x": [1, "a", 2.5, b"z"]}), presidio=False)


# --- sources -----------------------------------------------------------------------------


def test_every_source_kind_gives_the_same_classification(tmp_path: Path) -> None:
    table = make_crm_table(120, seed=2).select(["email", "phone", "iban", "segment"])
    csv, parquet = tmp_path / "crm.csv", tmp_path / "crm.parquet"
    table.to_pandas().to_csv(csv, index=False)
    pq.write_table(table, parquet)
    sources = [table, table.to_pandas(), pl.from_arrow(table), ibis.memtable(table), csv,
               str(parquet)]  # fmt: skip
    kinds = []
    for source in sources:
        result = scan_table(source, sample_size=60, presidio=False)
        kinds.append([c.entity_type for c in result.columns])
    assert all(k == ["EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", None] for k in kinds)


def test_columns_subset_in_the_given_order(crm: pa.Table) -> None:
    result = scan_table(crm, columns=["iban", "email", "iban"], sample_size=50,
                        presidio=False)  # fmt: skip
    assert [c.column for c in result.columns] == ["iban", "email"]


def test_progress_bar_does_not_change_the_result(crm: pa.Table) -> None:
    a = scan_table(crm, columns=["email"], sample_size=50, presidio=False, progress=True)
    b = scan_table(crm, columns=["email"], sample_size=50, presidio=False)
    assert a.to_dict() == b.to_dict()


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sample_size": 0}, UsageError, "sample_size must be between 1 and 1,000,000, got 0"),
        ({"sample_size": 2.5}, UsageError, "sample_size must be a whole number"),
        ({"region": "XX"}, UsageError, "unknown region 'XX'; expected an ISO 3166-1"),
        ({"columns": []}, UsageError, "columns is empty"),
        ({"columns": ["emial"]}, DataError, "column 'emial' not found; available columns"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, match: str) -> None:
    frame = pd.DataFrame({"email": ["a@example.com"]})
    with pytest.raises(error, match=match):
        scan_table(frame, presidio=False, **kwargs)


def test_empty_table_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="has no rows; expected at least one"):
        scan_table(pd.DataFrame({"email": pd.Series([], dtype="string")}), presidio=False)
    with pytest.raises(DataError, match="no such file"):
        scan_table(tmp_path / "missing.csv", presidio=False)


# --- real data ---------------------------------------------------------------------------


def test_bank_marketing_has_personal_columns_but_no_identifiers(bank_csv: Path) -> None:
    result = scan_table(bank_csv, sample_size=200, presidio=False)
    assert result.n_rows == 41_188
    assert result.direct_identifiers == () and result.special_categories == ()
    assert all(c.entity_type is None for c in result.columns)
    categories = {c.column: c.data_category for c in result.columns if c.data_category}
    assert categories == {
        "age": "user.demographic.age_range",
        "job": "user.job_title",
        "marital": "user.demographic.marital_status",
        "education": "user.demographic",
        "loan": "user.financial",
    }
    age = result.column("age")
    assert age.confidence == pytest.approx(1 - (1 - 0.9) * 0.5)
    assert "plausible ages" in " ".join(age.evidence)


def test_adult_has_art9_race_sex_and_age(shared_data: Path) -> None:
    from fairmark.datasets import fetch_adult

    result = scan_table(fetch_adult(shared_data), sample_size=200, presidio=False)
    assert result.n_rows == 48_842
    assert result.special_categories == ("race",)
    assert result.column("race").special_category == "racial or ethnic origin (GDPR Art. 9(1))"
    assert result.column("sex").data_category == "user.demographic.gender"
    assert result.column("age").data_category == "user.demographic.age_range"
    assert result.direct_identifiers == ()
    assert all(c.entity_type is None for c in result.columns)
    assert result.column("fnlwgt").data_category is None


# --- Presidio (slow: loads Presidio's analyzer) -------------------------------------------------


@pytest.mark.slow
def test_free_text_goes_through_fairmark_and_presidio() -> None:
    notes = [
        "Customer asked us to write to jane.doe@example.com about the renewal.",
        "Card 4111 1111 1111 1111 was declined yesterday, will call back.",
        "Interested in the premium plan, follow up next quarter please.",
        "Prefers contact in the evening after work, no weekend calls at all.",
    ] * 10
    result = scan_table(pd.DataFrame({"notes": notes}), sample_size=40)
    finding = result.column("notes")
    assert finding.entity_type == "FREE_TEXT" and finding.direct_identifier
    found = {e.entity_type: e for e in finding.contains}
    assert found["EMAIL_ADDRESS"].found_by == ("fairmark", "presidio")
    assert found["EMAIL_ADDRESS"].fairmark_share == pytest.approx(0.25)
    assert found["EMAIL_ADDRESS"].presidio_share == pytest.approx(0.25)
    assert found["CREDIT_CARD"].fairmark_share == pytest.approx(0.25)
    engine = result.text_engine
    assert engine["used"] and engine["presidio"] and engine["recognizers"] in {
        "pattern", "pattern+ner"}
    assert engine["presidio_texts"] == 40 and engine["fairmark_texts"] == 40
    jsonschema.validate(result.to_dict(), SCHEMA)
    assert "jane.doe" not in result.to_json() and "4111 1111" not in result.to_json()


def test_latin1_csv_warning_is_also_emitted_as_a_data_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,city\nJos\xe9,M\xfcnchen\nAnna,Berlin\n".encode("latin-1"))
    with pytest.warns(DataWarning, match=r"is not valid UTF-8: 2 bytes replaced with U\+FFFD"):
        result = scan_table(path, presidio=False)
    assert any("2 bytes replaced" in w for w in result.warnings)


def test_headerless_adult_data_warns_and_finds_race_from_values(shared_data: Path) -> None:
    # QA #6: UCI adult.data has no header row; DuckDB takes the first data row as names.
    path = shared_data / "uci-adult" / "adult.data"
    with pytest.warns(DataWarning, match="the first row looks like data, not a header"):
        result = scan_table(path, sample_size=400, presidio=False)
    assert any(w.startswith("the first row looks like data, not a header: 15 of 15")
               for w in result.warnings)  # fmt: skip
    race = result.column("White")  # the race column, named by its first value
    assert race.data_category == "user.demographic.race_ethnicity"
    assert race.special_category is not None
    assert "White" in result.to_dict()["summary"]["special_categories"]
    assert result.column("Male").data_category == "user.demographic.gender"
    assert result.column("Never-married").data_category == "user.demographic.marital_status"


def test_a_header_row_is_not_taken_for_data() -> None:
    values = {"email": ["a@example.com"], "age": [39, 50], "race": ["White", "Black"]}
    assert header_looks_like_data(["email", "age", "race"], values) is None
    # one numeric name of three is not enough (wide tables have year columns)
    assert header_looks_like_data(["email", "2019", "race"], values) is None
    message = header_looks_like_data(["39", "White"], {"39": [50], "White": ["white", "x"]})
    assert message is not None and "2 of 2 column names" in message


@pytest.mark.parametrize(
    ("values", "category"),
    [
        ([" White", " Black", " White", " Asian-Pac-Islander", " Amer-Indian-Eskimo", " Other"],
         "user.demographic.race_ethnicity"),
        (["Male", "Female", "female", "M"], "user.demographic.gender"),
        (["married", "single", "divorced", "unknown"], "user.demographic.marital_status"),
        (["Muslim", "Christian", "No religion", "Hindu"], "user.demographic.religious_belief"),
    ],
)  # fmt: skip
def test_demographic_columns_recognised_from_their_values(values: list[str],
                                                          category: str) -> None:  # fmt: skip
    found = vocabulary_hint(values)
    assert found is not None
    hint, share, _ = found
    assert hint.data_category == category and share == 1.0


def test_vocabulary_needs_two_words_and_near_full_coverage() -> None:
    assert vocabulary_hint(["White"] * 10) is None  # one word: could be anything (a colour)
    assert vocabulary_hint(["White", "Black", "Red", "Green", "Blue"]) is None  # 40% off-list
    assert vocabulary_hint([f"v{i}" for i in range(40)] + ["Male", "Female"]) is None
    frame = pd.DataFrame({"c1": ["White", "Black", "Asian"] * 20, "c2": ["x"] * 60})
    finding = scan_table(frame, presidio=False).column("c1")
    assert finding.data_category == "user.demographic.race_ethnicity"
    assert finding.special_category is not None and finding.confidence == pytest.approx(0.9)


def test_package_exports_scan_text_and_match_key() -> None:
    import hashlib

    import fairmark.privacy
    from fairmark.privacy import scan_text
    from fairmark.privacy.scan_text import CONTEXT_BOOST  # the submodule still imports

    assert CONTEXT_BOOST > 0
    found = fairmark.privacy.scan_text("write to jane@example.com")
    assert [(f.entity_type, f.start, f.end) for f in found] == [("EMAIL_ADDRESS", 9, 25)]
    assert scan_text is fairmark.privacy.scan_text
    expected = hashlib.sha256(b"jane@example.com").hexdigest()
    assert fairmark.privacy.match_key(" Jane@Example.com ", "email", "meta") == expected
    assert callable(fairmark.privacy.scan_table) and callable(fairmark.privacy.k_anonymity)
