"""The consent ledger on SQLite and PostgreSQL: append-only, imports, the state at any instant.

Expected states are worked out by hand from the rule of ``fairmark.privacy.consent.decide``
(GDPR Art. 7(3), 8, 21; Cal. Civ. Code §1798.120) or, for consent strings, from the
independent decoder ``fairmark.consent.ledger_entries``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from fairmark.consent import ledger_entries
from fairmark.errors import DataError, UsageError
from fairmark.privacy.consent import ConsentEvent, ConsentLedger
from fairmark.privacy.consent.purposes import purpose_chain

EMAIL = "marketing.communications.email"
TCF = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA"  # consent purposes 2, 10; LI 2, 9


def at(text_: str) -> datetime:
    return datetime.fromisoformat(text_.replace("Z", "+00:00"))


def ev(subject: str, state: str, when: str, basis: str | None = "consent", **kw) -> ConsentEvent:
    return ConsentEvent(
        subject_id=subject,
        purpose=kw.pop("purpose", EMAIL),
        state=state,
        occurred_at=at(when),
        lawful_basis=basis,
        **kw,
    )


@pytest.fixture
def ledger(store_url: str):
    with ConsentLedger(store_url) as opened:
        yield opened


@pytest.fixture
def sqlite_ledger(tmp_path: Path):
    """A ledger on SQLite only: for rules checked before the store is touched."""
    with ConsentLedger(f"sqlite:///{tmp_path / 'ledger.db'}") as opened:
        yield opened


def state(ledger: ConsentLedger, subject: str, when: str, purpose: str = EMAIL, **kw):
    status = ledger.state_at(subject, purpose, as_of=when, **kw)
    return status.reason if not status.permitted else "permitted"


def test_state_at_any_past_instant(ledger: ConsentLedger):
    ledger.append(
        [
            ev("s1", "granted", "2025-01-01T10:00:00+01:00"),
            ev("s1", "withdrawn", "2025-02-01T00:00:00Z"),
            ev("s1", "granted", "2025-03-01T00:00:00Z", expires_at=at("2025-06-01T00:00:00Z")),
        ]
    )
    assert state(ledger, "s1", "2025-01-01T08:59:59Z") == "no_record"  # 10:00+01 = 09:00Z
    assert state(ledger, "s1", "2025-01-01T09:00:00Z") == "permitted"
    assert state(ledger, "s1", "2025-02-15T00:00:00Z") == "withdrawn"
    assert state(ledger, "s1", "2025-03-01T00:00:00Z") == "permitted"
    assert state(ledger, "s1", "2025-06-01T00:00:00Z") == "expired"  # expiry is exclusive
    assert state(ledger, "nobody", "2025-06-01T00:00:00Z") == "no_record"
    status = ledger.state_at("s1", EMAIL, as_of="2025-02-15T00:00:00Z")
    assert status.deciding_event is not None
    assert status.deciding_event.event.occurred_at == at("2025-02-01T00:00:00Z")
    doc = status.to_dict()
    assert doc["kind"] == "consent_status" and doc["reason"] == "withdrawn"
    assert json.loads(json.dumps(doc)) == doc


def test_history_keeps_every_event_in_time_order(ledger: ConsentLedger):
    first = ledger.append([ev("s1", "granted", "2025-03-01T00:00:00Z")])
    second = ledger.append(
        [ev("s1", "denied", "2025-01-01T00:00:00Z"), ev("s2", "granted", "2025-01-01T00:00:00Z")]
    )
    history = ledger.history("s1")
    assert [h.event.state.value for h in history] == ["denied", "granted"]
    assert [h.import_id for h in history] == [second.import_id, first.import_id]
    assert history[0].event_id > history[1].event_id  # recorded later, happened earlier
    assert all(h.recorded_at.tzinfo is not None for h in history)


def test_the_database_refuses_update_and_delete(ledger: ConsentLedger):
    ledger.append([ev("s1", "granted", "2025-03-01T00:00:00Z")])
    for statement in (
        "UPDATE consent_events SET state = 'denied'",
        "DELETE FROM consent_events",
    ):
        with pytest.raises(DBAPIError, match="append-only"), ledger.engine.begin() as conn:
            conn.execute(text(statement))
    assert [h.event.state.value for h in ledger.history("s1")] == ["granted"]


def test_objection_to_direct_marketing_is_absolute_until_explicit_consent(
    ledger: ConsentLedger,
):
    li = "legitimate_interests"
    ledger.append(
        [
            ev("dm", "objected", "2025-01-01T00:00:00Z", li, purpose="marketing"),
            ev("dm", "granted", "2025-02-01T00:00:00Z", li),  # later LI: still excluded
            ev("dm", "granted", "2025-03-01T00:00:00Z", "contract"),  # any non-consent basis
            ev("dm", "granted", "2025-04-01T00:00:00Z", "consent"),  # explicit consent counts
            ev("an", "objected", "2025-01-01T00:00:00Z", li, purpose="analytics.reporting"),
            ev("an", "granted", "2025-02-01T00:00:00Z", li, purpose="analytics.reporting"),
        ]
    )
    assert state(ledger, "dm", "2025-01-15T00:00:00Z") == "objected"
    assert state(ledger, "dm", "2025-02-15T00:00:00Z") == "objected"
    assert state(ledger, "dm", "2025-03-15T00:00:00Z") == "objected"
    assert state(ledger, "dm", "2025-04-15T00:00:00Z") == "permitted"
    # not direct marketing: the later legitimate-interest record decides (Art. 21(1))
    purpose = "analytics.reporting.ad_performance"
    assert state(ledger, "an", "2025-01-15T00:00:00Z", purpose) == "objected"
    assert state(ledger, "an", "2025-02-15T00:00:00Z", purpose) == "permitted"


def test_us_opt_out_minor_and_basis_rules(ledger: ConsentLedger):
    ads = "marketing.advertising.third_party.targeted"
    ledger.append(
        [
            ev("us", "objected", "2025-01-01T00:00:00Z", None, purpose=ads,
               jurisdiction="us-ca", source="gpc"),
            ev("us", "granted", "2025-02-01T00:00:00Z", None, purpose=ads, jurisdiction="US-CA"),
            ev("kid", "granted", "2025-01-01T00:00:00Z", "legitimate_interests", is_minor=True),
            ev("kid", "granted", "2025-02-01T00:00:00Z", "consent"),  # minor flag carried
            ev("kid2", "granted", "2025-01-01T00:00:00Z", None, purpose=ads, jurisdiction="US",
               is_minor=True),
        ]
    )
    assert state(ledger, "us", "2025-01-15T00:00:00Z", ads) == "opted_out"
    assert state(ledger, "us", "2025-02-15T00:00:00Z", ads) == "permitted"  # opted back in
    assert state(ledger, "kid", "2025-01-15T00:00:00Z") == "minor_without_opt_in"
    assert state(ledger, "kid", "2025-02-15T00:00:00Z") == "permitted"
    assert ledger.state_at("kid", EMAIL, as_of="2025-02-15T00:00:00Z").is_minor is True
    assert state(ledger, "kid2", "2025-01-15T00:00:00Z", ads) == "minor_without_opt_in"


def test_a_grant_without_basis_written_behind_the_api_is_not_trusted(ledger: ConsentLedger):
    with ledger.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO consent_events (import_id, subject_id, purpose, state, source, "
                "occurred_at, recorded_at, jurisdiction) VALUES ('x', 's', :p, 'granted', 'sql', "
                ":t, :t, 'DE')"
            ),
            {"p": EMAIL, "t": "2025-01-01 00:00:00.000000"
             if ledger.engine.dialect.name == "sqlite" else at("2025-01-01T00:00:00Z")},
        )
    assert state(ledger, "s", "2025-02-01T00:00:00Z") == "no_lawful_basis"


def test_parent_purposes_decide_children_and_the_specific_one_wins_ties(
    ledger: ConsentLedger,
):
    ledger.append(
        [
            ev("p", "granted", "2025-01-01T00:00:00Z", purpose="marketing.communications"),
            ev("p", "denied", "2025-02-01T00:00:00Z", purpose="marketing.communications.sms"),
            ev("t", "granted", "2025-01-01T00:00:00Z"),
            ev("t", "denied", "2025-01-01T00:00:00Z", purpose="marketing"),  # later, parent
        ]
    )
    assert state(ledger, "p", "2025-03-01T00:00:00Z") == "permitted"  # email from the parent
    assert state(ledger, "p", "2025-03-01T00:00:00Z", "marketing.communications.sms") == "denied"
    assert state(ledger, "p", "2025-03-01T00:00:00Z", "marketing") == "no_record"
    assert state(ledger, "t", "2025-03-01T00:00:00Z") == "permitted"
    assert purpose_chain(EMAIL) == (EMAIL, "marketing.communications", "marketing")


def test_vendor_consent_and_purpose_level_refusals(ledger: ConsentLedger):
    ledger.append(
        [
            ev("v", "granted", "2025-01-01T00:00:00Z"),
            ev("v", "granted", "2025-01-01T00:00:00Z", vendor="755"),
            ev("w", "granted", "2025-01-01T00:00:00Z"),  # purpose-level grant only
            ev("x", "granted", "2025-01-01T00:00:00Z", vendor="755"),
            ev("x", "withdrawn", "2025-02-01T00:00:00Z"),  # purpose-level withdrawal
        ]
    )
    assert state(ledger, "v", "2025-03-01T00:00:00Z", vendor="755") == "permitted"
    assert state(ledger, "w", "2025-03-01T00:00:00Z", vendor="755") == "no_record"
    assert state(ledger, "w", "2025-03-01T00:00:00Z") == "permitted"
    assert state(ledger, "x", "2025-01-15T00:00:00Z", vendor="755") == "permitted"
    assert state(ledger, "x", "2025-03-01T00:00:00Z", vendor="755") == "withdrawn"
    with pytest.raises(UsageError, match=r"vendor '9' has no event .* vendors in the ledger: 755"):
        ledger.state_at("v", EMAIL, vendor="9")


def test_bad_questions_are_one_line_errors(ledger: ConsentLedger):
    with pytest.raises(UsageError, match="has no UTC offset"):
        ledger.state_at("s", EMAIL, as_of="2025-01-01T00:00:00")
    with pytest.raises(UsageError, match=r"did you mean marketing\.communications\.email"):
        ledger.state_at("s", "marketing.comunications.email")
    with pytest.raises(UsageError, match="blank"):
        ledger.state_at(" ", EMAIL)
    with pytest.raises(UsageError, match="at least one"):
        ledger.append([])


def test_events_are_checked_when_built():
    with pytest.raises(DataError, match="no time zone"):
        ConsentEvent("s", EMAIL, "granted", datetime(2025, 1, 1), "consent")
    with pytest.raises(DataError, match="without a lawful_basis"):
        ev("s", "granted", "2025-01-01T00:00:00Z", None, jurisdiction="DE")
    with pytest.raises(DataError, match="one of the six GDPR"):
        ev("s", "granted", "2025-01-01T00:00:00Z", "vibes")
    with pytest.raises(DataError, match="not after"):
        ev("s", "granted", "2025-01-01T00:00:00Z", expires_at=at("2024-01-01T00:00:00Z"))
    with pytest.raises(DataError, match="unknown; expected one of granted"):
        ev("s", "maybe", "2025-01-01T00:00:00Z")
    assert ev("s", "GRANTED ", "2025-01-01T00:00:00Z", None, jurisdiction="us-va").jurisdiction \
        == "US-VA"


CSV = """subject_id,purpose,state,lawful_basis,timestamp,expiry,jurisdiction,age,is_minor
007,marketing.communications.email,granted,consent,2025-01-01T10:00:00+01:00,,DE,,
007,marketing.communications.email,withdrawn,Consent,2025-02-01T10:00:00Z,,de,,
008,marketing.communications.email,granted,consent,2025-01-01T00:00:00Z,2025-02-01T00:00Z,FR,15,
009,marketing.communications.email,granted,consent,2025-01-01T00:00:00Z,,FR,,no
"""


def test_import_csv_keeps_ids_converts_offsets_and_reports(ledger: ConsentLedger, tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_text(CSV)
    result = ledger.import_file(path, source="cmp")
    assert (result.n_rows, result.n_events, result.n_signal_rows) == (4, 4, 0)
    assert result.duplicates.n_duplicates == result.duplicates.n_contradictions == 0
    assert result.ignored_columns == ()
    [first, second] = ledger.history("007")  # leading zeros kept: ids are text
    assert first.event.occurred_at == at("2025-01-01T09:00:00Z")
    assert (first.source_row, second.source_row) == (1, 2)
    assert second.event.lawful_basis.value == "consent" and second.event.jurisdiction == "DE"
    assert first.event.source == "cmp" and first.import_id == result.import_id
    [minor] = ledger.history("008")
    assert minor.event.is_minor is True and minor.event.expires_at == at("2025-02-01T00:00:00Z")
    assert ledger.history("009")[0].event.is_minor is False
    assert ledger.history("7") == ()
    assert state(ledger, "008", "2025-01-15T00:00:00Z") == "permitted"  # a minor's opt-in
    assert state(ledger, "008", "2025-02-15T00:00:00Z") == "expired"
    doc = result.to_dict()
    assert doc["kind"] == "consent_import" and doc["n_events"] == 4


def test_import_reports_duplicates_and_contradictions_and_keeps_both(
    ledger: ConsentLedger, tmp_path: Path
):
    path = tmp_path / "dups.csv"
    path.write_text(
        "subject_id,purpose,state,lawful_basis,timestamp\n"
        f"a,{EMAIL},granted,consent,2025-01-01T00:00:00Z\n"
        f"a,{EMAIL},denied,consent,2025-01-01T00:00:00Z\n"  # contradiction: later row wins
        f"b,{EMAIL},granted,consent,2025-01-01T00:00:00Z\n"
        f"b,{EMAIL},granted,consent,2025-01-01T00:00:00Z\n"  # exact duplicate
        f"c,{EMAIL},denied,consent,2025-01-01T00:00:00Z\n"
        f"c,{EMAIL},granted,legitimate_interests,2025-01-01T00:00:00Z\n"  # other basis: fine
    )
    result = ledger.import_file(path)
    assert (result.duplicates.n_contradictions, result.duplicates.n_duplicates) == (1, 1)
    sample = result.duplicates.samples[0]
    assert (sample.row, sample.earlier_row, sample.state, sample.earlier_state) == (
        2, 1, "denied", "granted"
    )
    assert sample.earlier_import == result.import_id
    assert len(result.warnings) == 2 and "later" in result.warnings[0]
    assert len(ledger.history("a")) == 2
    assert state(ledger, "a", "2025-02-01T00:00:00Z") == "denied"
    again = ledger.import_file(path)  # every row now repeats an earlier import
    # every row repeats its first-import twin; rows of a also contradict the other a row
    assert (again.duplicates.n_duplicates, again.duplicates.n_contradictions) == (6, 2)
    assert {s.earlier_import for s in again.duplicates.samples} >= {result.import_id}


def test_naive_timestamps_need_an_explicit_time_zone(ledger: ConsentLedger, tmp_path: Path):
    path = tmp_path / "naive.csv"
    path.write_text(
        "subject_id,purpose,state,lawful_basis,timestamp\n"
        f"a,{EMAIL},granted,consent,2025-01-01T00:00:00Z\n"
        f"b,{EMAIL},granted,consent,2025-07-01 12:00:00\n"
        f"c,{EMAIL},granted,consent,2025-07-01\n"
    )
    with pytest.raises(DataError) as exc:
        ledger.import_file(path)
    message = exc.value.message
    assert message.startswith("row 2 of naive.csv: timestamp '2025-07-01 12:00:00' has no UTC")
    assert "(and 1 more row" in message and "nothing was imported" in message
    assert ledger.history("a") == ()  # all or nothing
    ledger.import_file(path, timezone="Europe/Berlin")
    assert ledger.history("b")[0].event.occurred_at == at("2025-07-01T10:00:00Z")  # CEST
    assert ledger.history("c")[0].event.occurred_at == at("2025-06-30T22:00:00Z")
    with pytest.raises(UsageError, match="IANA"):
        ledger.import_file(path, timezone="Mars/Olympus")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (f",{EMAIL},granted,consent,2025-01-01T00:00:00Z", "row 1 of bad.csv: subject_id is empty"),
        ("a,marketing.emails,granted,consent,2025-01-01T00:00:00Z",
         "purpose 'marketing.emails' is not a fideslang data use; did you mean"),
        (f"a,{EMAIL},maybe,consent,2025-01-01T00:00:00Z", "state 'maybe' is unknown"),
        (f"a,{EMAIL},granted,vibes,2025-01-01T00:00:00Z", "lawful_basis 'vibes' is unknown"),
        (f"a,{EMAIL},granted,,2025-01-01T00:00:00Z", "granted without a lawful_basis"),
        (f"a,{EMAIL},granted,consent,2025-13-01T00:00:00Z", "is not an ISO 8601 timestamp"),
        (f"a,{EMAIL},granted,consent,soon", "timestamp 'soon' has no UTC offset"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_imported(
    sqlite_ledger: ConsentLedger, tmp_path: Path, row: str, expected: str
):
    ledger = sqlite_ledger
    path = tmp_path / "bad.csv"
    path.write_text(
        f"subject_id,purpose,state,lawful_basis,timestamp\n{row}\n"
        f"z,{EMAIL},granted,consent,2025-01-01T00:00:00Z\n"
    )
    with pytest.raises(DataError) as exc:
        ledger.import_file(path)
    assert expected in exc.value.message and "\n" not in exc.value.message
    assert ledger.history("z") == ()


def test_missing_columns_and_column_mapping(ledger: ConsentLedger, tmp_path: Path):
    path = tmp_path / "cmp.csv"
    path.write_text(
        "CustomerID,Use,Choice,Basis,When,Extra\n"
        f"a,{EMAIL},granted,consent,2025-01-01T00:00:00Z,x\n"
    )
    with pytest.raises(DataError, match="no subject_id, timestamp, purpose, state column"):
        ledger.import_file(path)
    result = ledger.import_file(
        path,
        columns={"subject_id": "CustomerID", "purpose": "Use", "state": "Choice",
                 "lawful_basis": "Basis", "timestamp": "When"},
    )
    assert result.ignored_columns == ("Extra",) and result.n_events == 1
    with pytest.raises(UsageError, match="unknown ledger field"):
        ledger.import_file(path, columns={"customer": "CustomerID"})


def test_json_and_json_lines_exports(ledger: ConsentLedger, tmp_path: Path):
    records = [
        {"subject_id": "j1", "purpose": EMAIL, "state": "granted", "lawful_basis": "consent",
         "timestamp": "2025-01-01T00:00:00+02:00", "age": 40},
        {"subject_id": "j2", "purpose": EMAIL, "state": "denied", "lawful_basis": None,
         "timestamp": "2025-01-01T00:00:00Z", "age": 12},
    ]
    (tmp_path / "e.json").write_text(json.dumps(records))
    (tmp_path / "e.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    assert ledger.import_file(tmp_path / "e.json").n_events == 2
    assert ledger.import_file(tmp_path / "e.jsonl").n_events == 2
    [a, b] = ledger.history("j1")
    assert a.event.occurred_at == b.event.occurred_at == at("2024-12-31T22:00:00Z")
    assert a.event.is_minor is False and ledger.history("j2")[0].event.is_minor is True


def test_consent_strings_are_decoded_into_events(ledger: ConsentLedger, tmp_path: Path):
    path = tmp_path / "signals.csv"
    path.write_text(
        "subject_id,timestamp,consent_string\n"
        f"t1,2025-01-01T00:00:00Z,{TCF}\n"
        "g1,2025-01-01T00:00:00Z,Sec-GPC: 1\n"
        "u1,2025-01-01T00:00:00Z,1YYN\n"
    )
    result = ledger.import_file(path, vendors=False)
    expected = ledger_entries(TCF, vendors=False)
    assert result.n_signal_rows == 3
    assert result.n_events == len(expected) + 2 + 1  # GPC: sale + sharing uses; 1YYN: sale
    assert result.duplicates.n_contradictions == 0  # consent and LI of a purpose differ in basis
    stored = {(h.event.purpose, h.event.lawful_basis and h.event.lawful_basis.value): h
              for h in ledger.history("t1")}
    for e in expected:
        got = stored[(e["purpose"], e["lawful_basis"])].event
        assert (got.state.value, got.raw_signal, got.signal) == (
            e["state"], TCF, e["signal"]
        )
    when = "2025-02-01T00:00:00Z"
    # purpose 2 (consent and LI) granted; 3 not; 9 by legitimate interest only
    assert state(ledger, "t1", when, "marketing.advertising.frequency_capping") == "permitted"
    assert state(ledger, "t1", when, "marketing.advertising.profiling") == "denied"
    assert state(ledger, "t1", when, "analytics.reporting.campaign_insights") == "permitted"
    assert state(ledger, "t1", when, "analytics.reporting.ad_performance") == "objected"
    assert state(ledger, "g1", when, "third_party_sharing") == "opted_out"
    assert state(ledger, "g1", when, "marketing.advertising.third_party.targeted") == "opted_out"
    assert state(ledger, "u1", when, "third_party_sharing") == "opted_out"
    bad = tmp_path / "bad_signal.csv"
    bad.write_text("subject_id,timestamp,consent_string\nx,2025-01-01T00:00:00Z,Cnope\n")
    with pytest.raises(DataError, match="row 1: consent_string cannot be decoded"):
        ledger.import_file(bad)


def test_status_lists_every_purpose_of_the_subject(ledger: ConsentLedger):
    ledger.append(
        [
            ev("s", "granted", "2025-01-01T00:00:00Z"),
            ev("s", "denied", "2025-01-01T00:00:00Z", purpose="marketing.advertising.profiling"),
            ev("s", "granted", "2026-01-01T00:00:00Z", purpose="analytics"),
        ]
    )
    statuses = ledger.status("s", as_of="2025-06-01T00:00:00Z")
    assert [(s.purpose, s.permitted, s.reason) for s in statuses] == [
        ("marketing.advertising.profiling", False, "denied"),
        (EMAIL, True, None),
    ]
    assert ledger.status("nobody") == ()
    assert statuses[1].as_of == datetime(2025, 6, 1, tzinfo=UTC)


def test_json_subject_ids_of_mixed_types_are_stored_as_plain_text(
    sqlite_ledger: ConsentLedger, tmp_path: Path
):
    """QA #5 bug 1: strings as written (trimmed), integers and whole floats as digits."""
    ledger = sqlite_ledger
    row = {"purpose": EMAIL, "lawful_basis": "consent", "timestamp": "2025-01-01T00:00:00Z"}
    mixed = [
        {"CustomerID": "J1", "state": "granted", **row},
        {"CustomerID": " S1 ", "state": "denied", **row},
        {"CustomerID": 3, "state": "granted", **row},
        {"CustomerID": 1003.0, "state": "granted", **row},
    ]
    (tmp_path / "mixed.json").write_text(json.dumps(mixed))
    result = ledger.import_file(tmp_path / "mixed.json", columns={"subject_id": "CustomerID"})
    assert result.n_events == 4
    for subject, expected in (("J1", "granted"), ("S1", "denied"), ("3", "granted"),
                              ("1003", "granted")):
        [stored] = ledger.history(subject)
        assert stored.event.subject_id == subject and stored.event.state.value == expected
    assert state(ledger, "S1", "2025-02-01T00:00:00Z") == "denied"
    # JSON Lines whose ids are all numbers (DuckDB reads the column as DOUBLE)
    lines = [{"subject_id": 1002.0, "state": "granted", **row},
             {"subject_id": 77, "state": "granted", **row}]
    (tmp_path / "n.jsonl").write_text("\n".join(json.dumps(r) for r in lines))
    assert ledger.import_file(tmp_path / "n.jsonl").n_events == 2
    assert [s.event.subject_id for s in ledger.history("1002")] == ["1002"]
    assert [s.event.subject_id for s in ledger.history("77")] == ["77"]


@pytest.mark.parametrize(
    ("bad", "shown"),
    [([1, 2], "[1,2]"), ({"id": 1}, '{"id":1}'), (1.5, "1.5"), (True, "true")],
)
def test_json_subject_ids_that_are_not_text_or_whole_numbers_are_refused(
    sqlite_ledger: ConsentLedger, tmp_path: Path, bad: object, shown: str
):
    row = {"purpose": EMAIL, "state": "granted", "lawful_basis": "consent",
           "timestamp": "2025-01-01T00:00:00Z"}
    (tmp_path / "bad.json").write_text(
        json.dumps([{"subject_id": "ok", **row}, {"subject_id": bad, **row}])
    )
    with pytest.raises(DataError) as exc:
        sqlite_ledger.import_file(tmp_path / "bad.json")
    message = exc.value.message
    assert message.startswith("row 2 of bad.json: subject_id ") and "\n" not in message
    assert shown in message.replace(" ", "") and "not a string or a whole number" in message
    assert sqlite_ledger.history("ok") == ()


@pytest.mark.parametrize("offset", ["+25:00", "+99:00", "-12:61", "+2400"])
def test_impossible_utc_offsets_are_refused_at_import_and_as_of(
    sqlite_ledger: ConsentLedger, tmp_path: Path, offset: str
):
    """QA #5 bug 2: one rule (hours 00-23, minutes 00-59) for import and ``as_of``."""
    value = f"2025-03-01T10:00:00{offset}"
    path = tmp_path / "off.csv"
    path.write_text(
        "subject_id,purpose,state,lawful_basis,timestamp\n"
        f"z,{EMAIL},granted,consent,2025-01-01T00:00:00Z\n"
        f"y,{EMAIL},granted,consent,{value}\n"
    )
    with pytest.raises(DataError) as exc:
        sqlite_ledger.import_file(path)
    assert exc.value.message.startswith(
        f"row 2 of off.csv: timestamp {value!r} has an invalid UTC offset"
    )
    assert sqlite_ledger.history("z") == ()
    with pytest.raises(UsageError, match="has an invalid UTC offset"):
        sqlite_ledger.state_at("z", EMAIL, as_of=value)
    path.write_text(
        "subject_id,purpose,state,lawful_basis,timestamp,expiry\n"
        f"z,{EMAIL},granted,consent,2025-01-01T00:00:00Z,{value}\n"
    )
    with pytest.raises(DataError, match=r"row 1 of off\.csv: expiry .* invalid UTC offset"):
        sqlite_ledger.import_file(path)


def test_the_largest_valid_offsets_still_import(sqlite_ledger: ConsentLedger, tmp_path: Path):
    path = tmp_path / "ok.csv"
    path.write_text(
        "subject_id,purpose,state,lawful_basis,timestamp\n"
        f"a,{EMAIL},granted,consent,2025-03-01T10:00:00+23:59\n"
        f"b,{EMAIL},granted,consent,2025-03-01T10:00:00-23:59\n"
    )
    assert sqlite_ledger.import_file(path).n_events == 2
    assert sqlite_ledger.history("a")[0].event.occurred_at == at("2025-02-28T10:01:00Z")
    assert sqlite_ledger.history("b")[0].event.occurred_at == at("2025-03-02T09:59:00Z")
