"""k-anonymity and l-diversity (fairmark.privacy.kanon): hand-computed tables, UCI Adult
against an independent pandas group-by, the policy verdict, the document and its schema."""

from __future__ import annotations

import json
import math

import ibis
import jsonschema
import numpy as np
import pandas as pd
import pytest
from referencing import Registry, Resource

from fairmark.errors import DataError, UsageError
from fairmark.policy import load_policy
from fairmark.policy.model import DEFAULT_K_ANONYMITY, Rule, Settings
from fairmark.privacy.checks import k_anonymity as check_module
from fairmark.privacy.equivalence_classes import class_size_profile
from fairmark.privacy.kanon import k_anonymity
from fairmark.privacy.kanon_result import ClassSizeBin, kanon_schema
from fairmark.report.validate import report_schema

# Ten records, four equivalence classes on (age, sex, zip):
#   (30, f, A): flu flu flu            size 3, one value (homogeneous)
#   (30, m, A): flu cold               size 2, H = ln 2
#   (40, f, B): flu cold hiv flu       size 4, H = -(.5 ln .5 + 2 * .25 ln .25) = 1.5 ln 2
#   (NA, f, B): cold                   size 1, missing age, one value
HAND = pd.DataFrame(
    {
        "age": [30, 30, 30, 30, 30, 40, 40, 40, 40, None],
        "sex": ["f", "f", "f", "m", "m", "f", "f", "f", "f", "f"],
        "zip": ["A", "A", "A", "A", "A", "B", "B", "B", "B", "B"],
        "disease": ["flu", "flu", "flu", "flu", "cold", "flu", "cold", "hiv", "flu", "cold"],
    }
)
QIS = ["age", "sex", "zip"]


def _validate(doc: dict) -> None:
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in (report_schema(), kanon_schema())
    )
    jsonschema.Draft202012Validator(kanon_schema(), registry=registry).validate(doc)


def test_hand_computed_table():
    r = k_anonymity(HAND, quasi_identifiers=QIS, k=3, sensitive="disease", suggest=False)
    m = r.metrics
    assert m.n_records == 10
    assert m.n_classes == 4
    assert m.k_achieved == 1
    assert m.histogram == tuple(ClassSizeBin(size=s, classes=1) for s in (1, 2, 3, 4))
    assert m.records_below_k == 3  # the classes of size 1 and 2
    assert m.classes_below_k == 2
    assert m.share_below_k == pytest.approx(0.3)
    assert m.records_with_missing_qi == 1
    ld = m.l_diversity
    assert ld is not None
    assert ld.distinct_l == 1
    assert ld.entropy_l == pytest.approx(1.0)
    assert ld.homogeneous_classes == 2  # (30, f, A) and the missing-age class
    assert ld.records_in_homogeneous_classes == 4
    assert r.verdict == "fail"
    assert r.exit_code == 1


def test_entropy_l_diversity_by_hand():
    # Keep only the two mixed classes: H = ln 2 (size 2) and 1.5 ln 2 (size 4).
    mixed = HAND[(HAND["sex"] == "m") | (HAND["age"] == 40)]
    r = k_anonymity(mixed, quasi_identifiers=QIS, k=2, sensitive="disease", suggest=False)
    ld = r.metrics.l_diversity
    assert ld.distinct_l == 2
    assert ld.entropy_l == pytest.approx(2.0)  # exp(min(ln 2, 1.5 ln 2))
    assert ld.homogeneous_classes == 0
    assert r.metrics.k_achieved == 2
    assert r.metrics.records_below_k == 0
    assert r.verdict == "pass"
    assert r.exit_code == 0


def test_missing_values_form_their_own_class():
    frame = pd.DataFrame({"age": [None, None, 30, 30], "sex": ["f", "f", "f", "f"]})
    r = k_anonymity(frame, quasi_identifiers=["age", "sex"], k=2, suggest=False)
    assert r.metrics.n_classes == 2
    assert r.metrics.k_achieved == 2
    assert r.metrics.records_with_missing_qi == 2


def test_missing_sensitive_value_counts_as_a_value():
    frame = pd.DataFrame({"g": ["a", "a", "a"], "s": ["x", None, "x"]})
    r = k_anonymity(frame, quasi_identifiers="g", k=2, sensitive="s", suggest=False)
    assert r.metrics.l_diversity.distinct_l == 2
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert r.metrics.l_diversity.entropy_l == pytest.approx(math.exp(h))


def test_one_engine_query(monkeypatch):
    calls = []
    original = ibis.expr.types.Table.execute

    def counting(self, *args, **kwargs):
        calls.append(ibis.to_sql(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ibis.expr.types.Table, "execute", counting)
    table = ibis.memtable(HAND)
    profile = class_size_profile(table, {q: table[q] for q in QIS}, table["disease"])
    assert len(calls) == 1
    assert profile.n_classes == 4
    sql = calls[0].upper()
    assert sql.count("GROUP BY") == 3  # (qi, sensitive) → qi → class size


def test_k_from_policy_settings_and_default():
    default = load_policy("default")
    no_k = default.model_copy(update={"settings": Settings()})
    r = k_anonymity(HAND, quasi_identifiers=QIS, policy=no_k, suggest=False)
    assert (r.metrics.k, r.k_source) == (DEFAULT_K_ANONYMITY, "default")
    with_k = default.model_copy(update={"settings": Settings(k_anonymity=4)})
    r = k_anonymity(HAND, quasi_identifiers=QIS, policy=with_k, suggest=False)
    assert (r.metrics.k, r.k_source) == (4, "policy")
    assert r.metrics.records_below_k == 6
    r = k_anonymity(HAND, quasi_identifiers=QIS, policy=with_k, k=2, suggest=False)
    assert (r.metrics.k, r.k_source) == (2, "argument")


def _without_k_rules():
    default = load_policy("default")
    rules = tuple(r for r in default.rules if r.check != "privacy.k_anonymity")
    return default.model_copy(update={"rules": rules})


def test_implicit_rule_judges_k_against_the_required_k():
    policy = _without_k_rules()
    r = k_anonymity(HAND, quasi_identifiers=["zip"], k=5, policy=policy, suggest=False)
    assert r.implicit_rule  # classes 5 and 5
    (finding,) = [f for f in r.outcome.findings if f.check == "privacy.k_anonymity"]
    assert (finding.value, finding.bound_min, finding.verdict) == (5.0, 5.0, "pass")
    r = k_anonymity(HAND, quasi_identifiers=["zip"], k=6, policy=policy, suggest=False)
    (finding,) = [f for f in r.outcome.findings if f.check == "privacy.k_anonymity"]
    assert (finding.value, finding.bound_min, finding.verdict) == (5.0, 6.0, "fail")


def test_explicit_k_is_the_bound_of_the_policy_rules():
    # QA #3: the built-in policy has a k-anonymity rule with min 10; --k 2 must judge with 2.
    default = load_policy("default")
    (own,) = [r for r in default.rules if r.check == "privacy.k_anonymity"]
    assert own.min == 10.0
    r = k_anonymity(HAND, quasi_identifiers=["zip"], k=2, suggest=False)  # classes 5 and 5
    assert not r.implicit_rule
    (finding,) = [f for f in r.outcome.findings if f.check == "privacy.k_anonymity"]
    assert (finding.value, finding.bound_min, finding.verdict) == (5.0, 2.0, "pass")
    assert r.verdict == "pass" and r.exit_code == 0
    doc = r.to_dict()
    assert (doc["settings"]["k"], doc["settings"]["k_source"]) == (2, "argument")
    assert doc["settings"]["policy_bounds"] == {own.id: 10.0}  # the policy's own bound, too
    _validate(doc)
    r = k_anonymity(HAND, quasi_identifiers=["zip"], k=6, suggest=False)
    (finding,) = [f for f in r.outcome.findings if f.check == "privacy.k_anonymity"]
    assert (finding.bound_min, finding.verdict) == (6.0, "fail")
    # without an explicit k the policy's rule keeps its own bound
    r = k_anonymity(HAND, quasi_identifiers=["zip"], suggest=False)
    (finding,) = [f for f in r.outcome.findings if f.check == "privacy.k_anonymity"]
    assert (finding.bound_min, finding.verdict, r.k_source) == (10.0, "fail", "policy")


def test_policy_rule_replaces_the_implicit_one():
    rule = Rule(
        id="kanon-warn",
        check="privacy.k_anonymity",
        min=3,
        severity="warn",
        principle="privacy",
        rationale="test",
    )
    policy = load_policy("default").model_copy(update={"rules": (rule,)})
    r = k_anonymity(HAND, quasi_identifiers=QIS, k=2, policy=policy, suggest=False)
    assert not r.implicit_rule
    assert [x.rule_id for x in r.outcome.rules] == ["kanon-warn"]
    assert r.verdict == "warn"  # k achieved 1 < 3, severity warn
    assert r.exit_code == 0


def test_check_measurement():
    r = k_anonymity(HAND, quasi_identifiers=QIS, k=3, suggest=False)
    (m,) = check_module.measure(r.metrics)
    assert m.check_id == "privacy.k_anonymity"
    assert m.value == 1.0
    assert m.feature is None
    assert "age, sex, zip" in m.detail and "2 of 4 equivalence classes below k = 3" in m.detail
    assert r.measurements == (m,)
    assert check_module.CHECK.input == "kanon"
    assert check_module.CHECK.direction == "higher_is_better"


def test_document_and_schema():
    r = k_anonymity(HAND, quasi_identifiers=QIS, k=3, sensitive="disease")
    doc = json.loads(r.to_json())
    _validate(doc)
    assert doc["kind"] == "kanon" and doc["schema_version"] == "1.0"
    assert doc["summary"]["k_achieved"] == 1
    assert doc["histogram"] == [{"size": s, "classes": 1, "records": s} for s in (1, 2, 3, 4)]
    assert doc["suggestions"], "k not met: suggestions expected"
    text = json.dumps(doc)
    assert "flu" not in text and "hiv" not in text  # no sensitive value leaves the engine
    bad = {**doc, "summary": {**doc["summary"], "k_achieved": 0}}
    with pytest.raises(jsonschema.ValidationError):
        _validate(bad)


def test_no_suggestions_when_k_is_met():
    r = k_anonymity(HAND, quasi_identifiers=["zip"], k=5)
    assert r.metrics.meets_k and r.suggestions == ()


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"quasi_identifiers": []}, UsageError, "quasi_identifiers is empty"),
        ({"quasi_identifiers": " , "}, UsageError, "quasi_identifiers is empty"),
        ({"quasi_identifiers": ["age", "age"]}, UsageError, "more than once"),
        ({"quasi_identifiers": 3}, UsageError, "column names"),
        ({"quasi_identifiers": QIS, "k": 1}, UsageError, "k must be a whole number >= 2"),
        ({"quasi_identifiers": QIS, "k": 2.5}, UsageError, "k must be a whole number >= 2"),
        ({"quasi_identifiers": QIS, "k": True}, UsageError, "k must be a whole number >= 2"),
        ({"quasi_identifiers": QIS, "sensitive": "age"}, UsageError, "also a quasi-identifier"),
        ({"quasi_identifiers": QIS, "suggest": "yes"}, UsageError, "suggest must be"),
        ({"quasi_identifiers": ["age", "postcode"]}, DataError, "'postcode' not found"),
        ({"quasi_identifiers": QIS, "sensitive": "income"}, DataError, "'income' not found"),
    ],
)
def test_bad_input(kwargs, error, text):
    with pytest.raises(error) as info:
        k_anonymity(HAND, **kwargs)
    assert text in str(info.value)
    assert "\n" not in str(info.value)


def test_empty_table():
    with pytest.raises(DataError, match="no rows"):
        k_anonymity(HAND.iloc[:0], quasi_identifiers=QIS, k=2)


# --- UCI Adult, compared with an independent pandas computation -------------------------

ADULT_QIS = ["age", "sex", "race", "native-country"]


@pytest.fixture(scope="module")
def adult(shared_data):
    from fairmark.datasets import fetch_adult

    return fetch_adult(shared_data)


@pytest.fixture(scope="module")
def adult_table(adult):
    from fairmark.engine.source import as_table

    return as_table(adult).table


def test_adult_against_pandas(adult, adult_table):
    r = k_anonymity(
        adult_table, quasi_identifiers=ADULT_QIS, k=10, sensitive="income", suggest=False
    )
    m = r.metrics
    sizes = adult.groupby(ADULT_QIS, dropna=False).size()
    assert m.n_records == len(adult) == 48_842
    assert m.n_classes == len(sizes)
    assert m.k_achieved == int(sizes.min())
    assert m.records_below_k == int(sizes[sizes < 10].sum())
    assert m.classes_below_k == int((sizes < 10).sum())
    expected_hist = sizes.value_counts().sort_index()
    assert [(b.size, b.classes) for b in m.histogram] == list(expected_hist.items())
    missing = adult[ADULT_QIS].isna().any(axis=1).sum()
    assert m.records_with_missing_qi == int(missing) > 0  # '?' in native-country
    # l-diversity of income per class, computed with pandas
    counts = adult.groupby([*ADULT_QIS, "income"], dropna=False).size().rename("c").reset_index()
    n = counts.groupby(ADULT_QIS, dropna=False)["c"].transform("sum")
    counts["plogp"] = -(counts["c"] / n) * np.log(counts["c"] / n)
    per_class = counts.groupby(ADULT_QIS, dropna=False)
    distinct = per_class.size()
    entropy = per_class["plogp"].sum()
    ld = m.l_diversity
    assert ld.distinct_l == int(distinct.min())
    assert ld.entropy_l == pytest.approx(math.exp(max(0.0, float(entropy.min()))))
    assert ld.homogeneous_classes == int((distinct == 1).sum())
    assert ld.records_in_homogeneous_classes == int(sizes[(distinct == 1).to_numpy()].sum())
    # more than a thousand Adult records are unique on these four attributes alone
    assert m.k_achieved == 1 and m.histogram[0].size == 1 and m.histogram[0].classes > 1000
    assert r.verdict == "fail"
