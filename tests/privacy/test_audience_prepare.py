"""``prepare_audience``: a whole list normalised, hashed, checked and written (or refused)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from datetime import date
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from fairmark.errors import DataError, UsageError
from fairmark.policy.model import AudienceSettings, Policy, Rule, Settings
from fairmark.privacy.audience import match_key
from fairmark.privacy.audience.lint_names import lint_audience_text
from fairmark.privacy.audience.prepare import FLOOR_RULE_ID, prepare_audience
from fairmark.privacy.audience.result import SCHEMA_PATH, mask_shape
from fairmark.privacy.checks import min_audience_size

SCHEMA = json.loads(SCHEMA_PATH.read_text())


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def valid_document(result) -> dict:
    doc = result.to_dict()
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    return json.loads(json.dumps(doc, allow_nan=False))


def policy(*rules: Rule, audience: AudienceSettings | None = None) -> Policy:
    return Policy(
        id="test",
        version="1",
        owner="tests",
        review_by=date(2099, 1, 1),
        settings=Settings(audience=audience or AudienceSettings()),
        rules=rules,
        sha256="0" * 64,
        path="test.yaml",
    )


def size_rule(minimum: float, severity: str = "block") -> Rule:
    return Rule(
        id="size",
        check="privacy.min_audience_size",
        min=minimum,
        severity=severity,
        principle="privacy",
        rationale="test",
    )


@pytest.fixture
def messy_csv(tmp_path: Path) -> Path:
    """Seven customers: duplicates by case, a bad e-mail, national phones, an empty row."""
    path = tmp_path / "customers.csv"
    path.write_text(
        "Email,Phone,First Name,Last Name,Zip,Country,customer_id\n"
        "John_Smith@gmail.com,020 7946 0958,Mary-Jane,O'Brien,SW1A 1AA,UK,c1\n"
        " JOHN_SMITH@GMAIL.COM ,+44 20 7946 0958,mary-jane,obrien,sw1a 1aa,gb,c2\n"
        "not-an-email,(650)555-1212,,,,,c3\n"
        ",,,,,,c4\n"
        "alex@example.org,07700 900123,,,,,c5\n"
        "jo@example.org,02079460999,Jo,Lee,,,c6\n"
        ",,Sam,Fox,EC1A 1BB,GB,c7\n",
        encoding="utf-8",
    )
    return path


def test_google_upload_file_holds_the_expected_keys(messy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "google.csv"
    result = prepare_audience(messy_csv, platform="google", region="GB", out=out, min_size=1)
    assert result.written and result.exit_code == 0 and Path(result.output_path) == out
    rows = read_rows(out)
    assert rows[0] == ["Email", "Phone", "First Name", "Last Name", "Country", "Zip"]
    expected = {
        (
            sha("john_smith@gmail.com"),
            sha("+442079460958"),
            sha("maryjane"),
            sha("obrien"),
            "GB",
            "SW1A 1AA",
        ),
        (sha("alex@example.org"), "", "", "", "", ""),
        (sha("jo@example.org"), sha("+442079460999"), sha("jo"), sha("lee"), "", ""),
        ("", "", sha("sam"), sha("fox"), "GB", "EC1A 1BB"),
    }
    assert {tuple(r) for r in rows[1:]} == expected
    assert len(rows) == 1 + 4
    assert rows[1:] == sorted(rows[1:])  # deterministic order
    assert (result.n_rows, result.n_matchable, result.n_duplicates, result.n_unique) == (7, 5, 1, 4)
    assert result.n_rejected_rows == 2
    assert result.expected_matched_size == pytest.approx(2.0)
    assert [c.column for c in result.ignored_columns] == ["customer_id"]


def test_rejections_by_row_and_reason_never_hold_the_value(messy_csv: Path, tmp_path: Path) -> None:
    result = prepare_audience(
        messy_csv, platform="meta", region="GB", out=tmp_path / "meta.csv", min_size=1
    )
    got = [(r.row, r.field, r.reason) for r in result.rejections]
    assert got == [
        (3, "email", "invalid_email"),
        (3, "phone", "phone_invalid"),
        (3, "row", "no_valid_identifier"),
        (4, "row", "no_identifier"),
        (5, "phone", "phone_invalid"),
        # row 7 (Sam Fox, EC1A 1BB) is matchable on Meta by first + last name + zip
    ]
    assert result.rejections[0].masked == "AAA-AA-AAAAA"
    assert result.rejections[1].masked == "(999)999-9999"
    text = result.to_json()
    for raw in ("not-an-email", "(650)555-1212", "07700 900123", "John_Smith", "O'Brien"):
        assert raw not in text
    counts = {(c.field, c.reason): c.count for c in result.rejection_counts}
    assert counts == {
        ("email", "invalid_email"): 1,
        ("phone", "phone_invalid"): 2,
        ("row", "no_identifier"): 1,
        ("row", "no_valid_identifier"): 1,
    }
    phone = next(f for f in result.fields if f.field == "phone")
    assert (phone.values, phone.normalised, phone.rejected, phone.empty) == (5, 3, 2, 2)
    valid_document(result)


def test_national_phones_without_region_are_reported_not_guessed(
    messy_csv: Path, tmp_path: Path
) -> None:
    result = prepare_audience(messy_csv, platform="meta", out=tmp_path / "m.csv", min_size=1)
    needs = [r.row for r in result.rejections if r.reason == "phone_needs_region"]
    assert needs == [1, 3, 5, 6]  # row 2 is written +44…, so it needs no region
    rows = read_rows(tmp_path / "m.csv")
    phones = {r[1] for r in rows[1:]}
    assert phones == {"", sha("442079460958")}


def test_csv_is_read_as_text_so_leading_zeros_survive(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("phone,zip\n02079460958,02134\n02079460959,02135\n", encoding="utf-8")
    out = tmp_path / "meta.csv"
    result = prepare_audience(path, platform="meta", region="GB", out=out, min_size=1)
    assert result.warnings == ()
    rows = read_rows(out)[1:]
    assert {r[0] for r in rows} == {sha("442079460958"), sha("442079460959")}
    zips = {r[1] for r in rows}
    assert zips == {sha("02134"), sha("02135")}


def test_common_non_english_headers_are_identifier_fields(tmp_path: Path) -> None:
    """QA #17: German/French/Spanish phone and e-mail headers are read, not ignored."""
    path = tmp_path / "de.csv"
    path.write_text(
        "Telefon,Courriel,Téléphone,Handy,E_Mail,Kundennummer\n"
        "020 7946 0958,Ann@Example.com,020 7946 0959,07700 900 123,bo@example.com,K1\n",
        encoding="utf-8",
    )
    result = prepare_audience(path, platform="google", region="GB", out=tmp_path / "g.csv")
    fields = {c.column: c.field for c in result.columns}
    assert fields == {
        "Telefon": "phone",
        "Courriel": "email",
        "Téléphone": "phone",
        "Handy": "phone",
        "E_Mail": "email",
    }
    assert [c.column for c in result.ignored_columns] == ["Kundennummer"]


def test_numeric_columns_of_a_frame_are_flagged(tmp_path: Path) -> None:
    frame = pd.DataFrame({"phone": [2079460958, 2079460959], "email": ["a@b.co", "c@d.co"]})
    result = prepare_audience(
        frame, platform="meta", region="GB", out=tmp_path / "o.csv", min_size=1
    )
    assert result.columns[0].numeric_source
    assert any("numeric in the source" in w for w in result.warnings)
    assert read_rows(tmp_path / "o.csv")[0] == ["email", "phone"]
    assert {r[1] for r in read_rows(tmp_path / "o.csv")[1:]} == {
        sha("442079460958"),
        sha("442079460959"),
    }


def test_float_column_with_gaps_keeps_whole_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"phone": [442079460958.0, None, float("inf")], "email": ["a@b.co", "c@d.co", "e@f.co"]}
    )
    result = prepare_audience(
        frame, platform="meta", region="GB", out=tmp_path / "o.csv", min_size=1
    )
    assert {r[1] for r in read_rows(tmp_path / "o.csv")[1:]} == {sha("442079460958"), ""}
    assert next(f for f in result.fields if f.field == "phone").empty == 1
    assert [(r.row, r.reason) for r in result.rejections] == [(3, "phone_letters")]  # "inf"


def test_unreadable_line_deep_in_the_list_is_a_data_error(tmp_path: Path) -> None:
    # DuckDB's CSV sniffer samples the first 20,480 lines; a bad line after them fails
    # while streaming, and must still be one DataError with nothing left behind.
    lines = ["email,phone", *(f"u{i}@example.com," for i in range(21_000))]
    lines.insert(20_900, "a,b,c,d,e")
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="CSV Error on Line: 20901"):
        prepare_audience(path, platform="x", out=tmp_path / "x.csv", batch_rows=4096)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ragged.csv"]


def test_record_batches_keep_row_numbers(tmp_path: Path) -> None:
    emails = [f"user{i}@example.com" if i % 9 else f"broken{i}" for i in range(1, 51)]
    frame = pd.DataFrame({"email": emails})
    result = prepare_audience(frame, platform="x", out=tmp_path / "x.csv", min_size=1, batch_rows=7)
    bad = [r.row for r in result.rejections if r.field == "email"]
    assert bad == [9, 18, 27, 36, 45]
    assert result.n_rows == 50 and result.n_unique == 45


def test_rejection_limit_counts_everything(tmp_path: Path) -> None:
    frame = pd.DataFrame({"email": [f"bad{i}" for i in range(30)] + ["ok@example.com"]})
    result = prepare_audience(
        frame, platform="x", out=tmp_path / "x.csv", min_size=1, rejection_limit=5
    )
    assert len(result.rejections) == 5
    assert result.n_rejections == 60  # 30 values + 30 rows
    doc = valid_document(result)
    assert doc["rejections"]["truncated"] is True
    assert any("only the first 5" in w for w in result.warnings)


def test_refused_below_minimum_writes_nothing(messy_csv: Path, tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    folder.mkdir()
    out = folder / "meta.csv"
    result = prepare_audience(messy_csv, platform="meta", region="GB", out=out)
    assert result.min_size == 100 and result.assumed_match_rate == 0.5
    assert result.verdict == "fail" and result.exit_code == 1
    assert not result.written and result.output_path is None
    assert os.listdir(folder) == []
    (finding,) = [f for f in result.outcome.findings if f.check == "privacy.min_audience_size"]
    assert finding.rule_id == "audience-minimum-size"  # the built-in policy's own rule
    assert finding.value == pytest.approx(result.n_unique * 0.5 / 100)
    valid_document(result)


def test_refusal_leaves_an_earlier_file_untouched(messy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "meta.csv"
    out.write_text("previous upload\n")
    prepare_audience(messy_csv, platform="meta", region="GB", out=out)
    assert out.read_text() == "previous upload\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.csv", "meta.csv"]


def test_policy_settings_and_rules(messy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "meta.csv"
    lenient = policy(audience=AudienceSettings(assumed_match_rate=1.0, min_size={"meta": 4}))
    result = prepare_audience(messy_csv, platform="meta", region="GB", out=out, policy=lenient)
    assert (result.assumed_match_rate, result.min_size) == (1.0, 4)
    assert result.expected_matched_size == 4.0 and result.written
    # a warn-only policy rule does not lift the floor
    warn_only = policy(size_rule(1.0, "warn"), audience=lenient.settings.audience)
    small = prepare_audience(
        messy_csv, platform="meta", region="GB", out=out, policy=warn_only, min_size=6
    )
    assert small.verdict == "fail"
    assert {f.rule_id for f in small.outcome.findings} == {"size", FLOOR_RULE_ID}
    # a stricter blocking rule replaces the floor: 4 expected / 4 minimum < 1.5
    strict = policy(size_rule(1.5), audience=lenient.settings.audience)
    judged = prepare_audience(messy_csv, platform="meta", region="GB", out=out, policy=strict)
    assert judged.verdict == "fail"
    assert [f.rule_id for f in judged.outcome.findings] == ["size"]


def test_match_rate_and_minimum_arguments_override_the_policy(
    messy_csv: Path, tmp_path: Path
) -> None:
    result = prepare_audience(
        messy_csv, platform="linkedin", out=tmp_path / "l.csv", assumed_match_rate=0.2, min_size=1
    )
    assert result.expected_matched_size == pytest.approx(result.n_unique * 0.2)
    assert result.size_ratio == pytest.approx(result.n_unique * 0.2)
    (m,) = min_audience_size.measure(result)
    assert (m.check_id, m.group, m.feature) == ("privacy.min_audience_size", "linkedin", None)
    assert m.value == pytest.approx(result.size_ratio)
    with pytest.raises(UsageError, match=r"\(0, 1\]"):
        prepare_audience(messy_csv, platform="meta", out=tmp_path / "m.csv", assumed_match_rate=1.5)
    with pytest.raises(UsageError, match="whole number >= 1"):
        prepare_audience(messy_csv, platform="meta", out=tmp_path / "m.csv", min_size=0)


def test_linkedin_keeps_its_whole_template(messy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "linkedin.csv"
    result = prepare_audience(messy_csv, platform="linkedin", out=out, min_size=1)
    rows = read_rows(out)
    assert rows[0] == [
        "email",
        "firstname",
        "lastname",
        "jobtitle",
        "employeecompany",
        "country",
        "googleaid",
    ]
    assert ["", "Sam", "Fox", "", "", "GB", ""] in rows
    assert {c.column: c.reason for c in result.ignored_columns}["Phone"] == (
        "linkedin does not take phone"
    )


def test_meta_date_of_birth_fills_three_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"email": ["a@b.co", "c@d.co", "e@f.co"], "dob": ["1997-02-16", "03/04/1990", None]}
    )
    out = tmp_path / "meta.csv"
    result = prepare_audience(frame, platform="meta", out=out, min_size=1)
    rows = read_rows(out)
    assert rows[0] == ["email", "doby", "dobm", "dobd"]
    assert [sha("a@b.co"), sha("1997"), sha("02"), sha("16")] in rows
    assert [(r.row, r.field, r.reason) for r in result.rejections] == [
        (2, "date_of_birth", "date_ambiguous")
    ]
    year = next(f for f in result.fields if f.field == "birth_year")
    assert (year.values, year.rejected, year.empty) == (2, 1, 1)


def test_several_email_columns_and_prehashed_values(tmp_path: Path) -> None:
    digest = sha("kept@example.com")
    frame = pd.DataFrame({"Email 1": ["a@b.co", "x@y.co"], "email_2": [digest.upper(), None]})
    out = tmp_path / "meta.csv"
    result = prepare_audience(frame, platform="meta", out=out, min_size=1)
    rows = read_rows(out)
    assert rows[0] == ["email", "email"]
    assert [sha("a@b.co"), digest] in rows
    assert any("already SHA-256" in w for w in result.warnings)
    assert sum(f.already_hashed for f in result.fields) == 1


def test_header_without_identifier_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("customer_id,segment\n1,a\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        prepare_audience(path, platform="google", out=tmp_path / "o.csv")
    message = str(err.value)
    assert "'customer_id', 'segment'" in message
    assert "Email, Phone, First Name" in message
    assert not (tmp_path / "o.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ids.csv"]


def test_columns_that_cannot_identify_anyone(tmp_path: Path) -> None:
    frame = pd.DataFrame({"country": ["GB"], "zip": ["SW1A 1AA"]})
    with pytest.raises(UsageError, match="cannot identify a person on google"):
        prepare_audience(frame, platform="google", out=tmp_path / "o.csv")
    frame = pd.DataFrame({"email": ["a@b.co"], "e-mail": ["c@d.co"]})
    with pytest.raises(UsageError, match="takes at most 1"):
        prepare_audience(frame, platform="x", out=tmp_path / "o.csv")


def test_bad_arguments(messy_csv: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown platform 'snapchat'"):
        prepare_audience(messy_csv, platform="snapchat", out=tmp_path / "o.csv")
    with pytest.raises(UsageError, match="does not exist"):
        prepare_audience(messy_csv, platform="meta", out=tmp_path / "missing" / "o.csv")
    with pytest.raises(UsageError, match="is a folder"):
        prepare_audience(messy_csv, platform="meta", out=tmp_path)
    with pytest.raises(UsageError, match="input list itself"):
        prepare_audience(messy_csv, platform="meta", out=messy_csv)
    with pytest.raises(UsageError, match="unknown region"):
        prepare_audience(messy_csv, platform="meta", out=tmp_path / "o.csv", region="Atlantis")


def test_lint_findings_in_the_result(messy_csv: Path, tmp_path: Path) -> None:
    result = prepare_audience(
        messy_csv,
        platform="meta",
        region="GB",
        out=tmp_path / "m.csv",
        min_size=1,
        name="Diabetic customers",
        description="People with debts; hearing aids buyers",
    )
    got = [(f.field, f.matched, f.category) for f in result.lint]
    assert got == [
        ("name", "Diabetic", "health"),
        ("description", "debts", "financial_status"),
    ]
    assert result.lint[0].special_category == "health (GDPR Art. 9(1))"
    assert result.written  # lint findings warn, they do not block


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pregnancy app users", [("pregnan", "health")]),
        ("Payday-loan leads", [("payday loan", "financial_status")]),
        ("LOW INCOME families", [("low income", "financial_status")]),
        ("Gay pride newsletter", [("gay", "sexual_orientation")]),
        ("Muslim community", [("muslim", "religion")]),
        ("Bankruptcy advice", [("bankrupt", "financial_status")]),
        ("Cancer survivors", [("cancer", "health")]),
        ("Depression support", [("depressi", "health")]),
        ("Hearing aids buyers", []),
        ("Gayle's fan club", []),
        ("Spring newsletter", []),
        ("Summer collections", []),
    ],
)
def test_lint_terms_match_on_word_boundaries(text: str, expected: list) -> None:
    assert [(f.term, f.category) for f in lint_audience_text(name=text)] == expected


def test_mask_shape_keeps_format_not_content() -> None:
    assert mask_shape("020 7946 0958") == "999 9999 9999"
    assert mask_shape("SW1A 1AA") == "AA9A 9AA"
    assert mask_shape("Zoë@ex.com") == "AAA@AA.AAA"
    assert mask_shape("9" * 50) == "9" * 40 + "…"


def test_presidio_synthetic_contacts(shared_data: Path, tmp_path: Path) -> None:
    """Real-world-shaped messy values (presidio-research synthetic PII): every value is
    either a correct match key or a reported rejection, never uploaded raw."""
    samples = json.loads(
        (shared_data / "pii-presidio-synth" / "synth_dataset_v2.json").read_text(encoding="utf-8")
    )
    spans = [s for sample in samples for s in sample["spans"]]
    emails = [s["entity_value"] for s in spans if s["entity_type"] == "EMAIL_ADDRESS"]
    phones = [s["entity_value"] for s in spans if s["entity_type"] == "PHONE_NUMBER"]
    n = max(len(emails), len(phones))
    frame = pd.DataFrame(
        {
            "email": emails + [None] * (n - len(emails)),
            "phone": phones + [None] * (n - len(phones)),
        }
    )
    out = tmp_path / "meta.csv"
    result = prepare_audience(frame, platform="meta", region="US", out=out, min_size=1)
    rows = read_rows(out)[1:]
    written_emails = {r[0] for r in rows} - {""}
    written_phones = {r[1] for r in rows} - {""}
    assert written_emails == {match_key(e, "email", "meta") for e in emails}
    expected_phones = set()
    rejected = 0
    for p in phones:
        try:
            expected_phones.add(match_key(p, "phone", "meta", region="US"))
        except Exception:
            rejected += 1
    assert written_phones == expected_phones
    phone = next(f for f in result.fields if f.field == "phone")
    assert phone.rejected == rejected > 0 and phone.normalised == len(phones) - rejected
    assert all(len(v) == 64 for r in rows for v in r if v)
    body = out.read_text(encoding="utf-8") + result.to_json()
    assert not any(p in body for p in phones) and not any(e in body for e in emails)
    assert result.n_rows == result.n_matchable + result.n_rejected_rows
