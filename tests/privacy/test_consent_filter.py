"""The enforcement filter and the audit coverage: exact small cases, then 1e6 subjects vs pandas.

Small cases are worked out by hand from the rule of ``fairmark.privacy.consent.decide``; the
large case compares the filter (CSV import → store → Arrow slice → DuckDB join → Parquet)
with an independent pandas computation of the same rule (``benchmarks/consent_synth.py``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import stat
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from fairmark.checks.base import Measurement
from fairmark.errors import DataError, UsageError
from fairmark.privacy.checks import consent_coverage as check
from fairmark.privacy.consent import (
    ConsentEvent,
    ConsentLedger,
    ExclusionReason,
    consent_coverage,
    filter_audience,
)
from fairmark.privacy.consent.coverage import audit_consent_coverage

EMAIL = "marketing.communications.email"
AS_OF = "2025-06-01T00:00:00Z"
BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _synth():
    spec = importlib.util.spec_from_file_location("consent_synth", BENCH / "consent_synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def at(text_: str) -> datetime:
    return datetime.fromisoformat(text_.replace("Z", "+00:00"))


def ev(subject: str, state: str, when: str, basis: str | None = "consent", **kw) -> ConsentEvent:
    return ConsentEvent(subject, kw.pop("purpose", EMAIL), state, at(when), basis, **kw)


@pytest.fixture
def ledger(store_url: str):
    with ConsentLedger(store_url) as opened:
        opened.append(
            [
                ev("001", "granted", "2025-01-01T00:00:00Z"),                       # permitted
                ev("002", "granted", "2025-01-01T00:00:00Z"),
                ev("002", "withdrawn", "2025-02-01T00:00:00Z"),                     # withdrawn
                ev("003", "denied", "2025-01-01T00:00:00Z"),                        # denied
                ev("004", "objected", "2025-01-01T00:00:00Z", "legitimate_interests",
                   purpose="marketing"),
                ev("004", "granted", "2025-03-01T00:00:00Z", "legitimate_interests"),  # objected
                ev("005", "granted", "2025-01-01T00:00:00Z",
                   expires_at=at("2025-05-01T00:00:00Z")),                          # expired
                ev("006", "granted", "2025-01-01T00:00:00Z", "legitimate_interests",
                   is_minor=True),                                                  # minor
                ev("007", "objected", "2025-01-01T00:00:00Z", None, jurisdiction="US-CA",
                   source="gpc"),                                                   # opted_out
                ev("008", "granted", "2025-07-01T00:00:00Z"),                       # future
                ev("009", "granted", "2025-01-01T00:00:00Z", purpose="marketing"),  # parent
                ev("010", "granted", "2025-01-01T00:00:00Z", vendor="755"),
            ]
        )
        yield opened


@pytest.fixture
def audience(tmp_path: Path) -> Path:
    path = tmp_path / "audience.csv"
    ids = ["001", "002", "003", "004", "005", "006", "007", "008", "009", "010", "011", "", "001"]
    lines = ["subject_id,zip,amount"] + [f"{s},0{i:04d},1.50" for i, s in enumerate(ids)]
    path.write_text("\n".join(lines) + "\n")
    return path


EXPECTED = {
    "missing_subject_id": 1,
    "no_record": 3,  # 008 (after the instant), 010 (vendor events only), 011
    "denied": 1,
    "withdrawn": 1,
    "objected": 1,
    "opted_out": 1,
    "minor_without_opt_in": 1,
    "expired": 1,
    "no_lawful_basis": 0,
}


def test_filter_writes_the_permitted_rows_verbatim(
    ledger: ConsentLedger, audience: Path, tmp_path: Path
):
    out = tmp_path / "permitted.csv"
    result = filter_audience(audience, purpose=EMAIL, out=out, as_of=AS_OF, ledger=ledger)
    written = out.read_text().splitlines()
    assert written[0] == "subject_id,zip,amount"
    assert sorted(written[1:]) == ["001,00000,1.50", "001,00012,1.50", "009,00008,1.50"]
    assert result.excluded == EXPECTED
    assert (result.n_rows, result.n_permitted_rows, result.n_excluded_rows) == (13, 3, 10)
    assert (result.n_subjects, result.n_permitted_subjects) == (12, 2)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    doc = result.to_dict()
    assert doc["kind"] == "consent_filter" and doc["schema_version"] == "1.0"
    assert doc["counts"]["excluded_rows"] == 10 and doc["verdict"] == "pass"
    assert [e["reason"] for e in doc["exclusions"]] == [r.value for r in ExclusionReason]
    assert "001" not in json.dumps(doc)  # no subject id in the run document
    [m] = result.measurements
    assert m.check_id == "privacy.consent_coverage" and m.value == pytest.approx(10 / 12)


def test_filter_for_a_vendor_and_to_parquet(ledger: ConsentLedger, audience: Path, tmp_path: Path):
    out = tmp_path / "vendor.parquet"
    result = filter_audience(
        audience, purpose=EMAIL, vendor="755", out=out, as_of=AS_OF, ledger=ledger
    )
    table = pq.read_table(out)
    assert table.column("subject_id").to_pylist() == ["010"]
    assert table.column("zip").to_pylist() == ["00009"]  # text stays text
    # purpose-level refusals still count for the vendor, purpose-level grants do not
    assert result.excluded["withdrawn"] == 1 and result.excluded["denied"] == 1
    assert result.excluded["no_record"] == 7


def test_filter_of_a_dataframe_with_integer_ids(ledger: ConsentLedger, tmp_path: Path):
    ledger.append([ev("42", "granted", "2025-01-01T00:00:00Z")])
    frame = pd.DataFrame({"customer": [42, 43, 42], "x": [1, 2, 3]})
    out = tmp_path / "ints.parquet"
    result = filter_audience(
        frame, purpose=EMAIL, out=out, as_of=AS_OF, subject_column="customer", ledger=ledger
    )
    assert sorted(pq.read_table(out).column("x").to_pylist()) == [1, 3]
    assert result.excluded["no_record"] == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "text_"),
    [
        ({"purpose": "marketing.e-mail"}, UsageError, "not a fideslang data use"),
        ({"vendor": "999"}, UsageError, "vendor '999' has no event"),
        ({"subject_column": "customer"}, DataError, "subject column 'customer' not found"),
        ({"as_of": "2025-06-01"}, UsageError, "has no UTC offset"),
        ({"out": "permitted.xlsx"}, UsageError, "expected .csv or .parquet"),
        ({"out": "missing/permitted.csv"}, UsageError, "does not exist"),
    ],
)
def test_bad_input_writes_nothing(
    ledger: ConsentLedger, audience: Path, tmp_path: Path, kwargs, error, text_
):
    args = {"purpose": EMAIL, "out": "permitted.csv", "as_of": AS_OF, **kwargs}
    args["out"] = tmp_path / args["out"]
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(error, match=text_.replace("(", r"\(")):
        filter_audience(audience, ledger=ledger, **args)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_audience_file_is_never_its_own_output(ledger: ConsentLedger, audience: Path):
    with pytest.raises(UsageError, match="is the audience file"):
        filter_audience(audience, purpose=EMAIL, out=audience, ledger=ledger)


def test_coverage_and_the_check(ledger: ConsentLedger, audience: Path):
    coverage = consent_coverage(
        audience, subject_column="subject_id", purpose=EMAIL, as_of=AS_OF, ledger=ledger
    )
    assert (coverage.n_rows, coverage.n_subjects, coverage.n_subjects_without) == (13, 12, 10)
    assert coverage.by_reason["no_record"] == 3 and coverage.share_without == pytest.approx(10 / 12)
    assert coverage.to_dict()["kind"] == "consent_coverage"

    class Metrics:  # what the audit hands the check: AuditMetrics with a ``consent`` field
        consent = coverage

    [m] = check.measure(Metrics())
    assert (m.check_id, m.group, m.reason) == ("privacy.consent_coverage", EMAIL, None)
    assert m.value == pytest.approx(10 / 12)
    assert "83.3% of subjects without valid consent" in m.detail
    # Every reason here concerns fewer than k = 10 subjects: none is broken out.
    assert "no_record" not in m.detail
    assert "reasons with fewer than 10 subjects each not shown" in m.detail
    [undeclared] = check.measure(object())
    assert undeclared == Measurement(
        "privacy.consent_coverage", None, None, None, None, reason="not_declared",
        detail=undeclared.detail,
    )
    assert check.CHECK.input == "audit" and check.CHECK.direction == "lower_is_better"
    assert audit_consent_coverage(audience, subject_column=None, purpose=EMAIL) is None


@pytest.mark.slow
def test_one_million_subjects_match_pandas(tmp_path: Path):
    synth = _synth()
    n = 1_000_000
    ledger_csv, audience_csv = tmp_path / "ledger.csv", tmp_path / "audience.csv"
    n_events = synth.make_ledger(ledger_csv, n)
    synth.make_audience(audience_csv, n)
    out = tmp_path / "permitted.parquet"
    with ConsentLedger(f"sqlite:///{tmp_path / 'store.db'}") as ledger:
        imported = ledger.import_file(ledger_csv)
        assert imported.n_events == n_events > n
        result = filter_audience(
            audience_csv, purpose=synth.PURPOSE, out=out, as_of=synth.AS_OF.isoformat(),
            ledger=ledger,
        )
    expected_rows, expected_counts = synth.reference_filter(ledger_csv, audience_csv)
    got = pq.read_table(out).to_pandas()
    assert result.n_rows == n and result.n_permitted_rows == len(expected_rows) == len(got)
    assert {k: v for k, v in result.excluded.items() if v} == expected_counts
    assert set(expected_counts) == set(ExclusionReason) - {"no_lawful_basis"}  # import forbids it
    key = ["subject_id", "email", "zip"]
    pd.testing.assert_frame_equal(
        got[key].sort_values("email").reset_index(drop=True),
        expected_rows[key].sort_values("email").reset_index(drop=True),
    )
