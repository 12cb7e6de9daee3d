"""``fairmark system``: exit codes 0/2, JSON output, role refusals through tokens with the
store unchanged, the questionnaire and its template. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine
from tests.governance._inventory_support import (
    PEOPLE,
    log,
    register,
    set_row,
    snapshot,
    status_of,
)
from typer.testing import CliRunner

from fairmark.cli.system import app
from fairmark.governance.access import Principal
from fairmark.governance.risk import load_questionnaire
from fairmark.governance.tokens import create_token

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "governance"
BANK = str(EXAMPLES / "bank-marketing-answers.yaml")


@pytest.fixture
def as_os_user(
    monkeypatch: pytest.MonkeyPatch, set_os_account: Callable[[str], None]
) -> Callable[[str], None]:
    """Act as the operating-system account ``name`` (the real user id's login name)."""
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    set_os_account("first")
    return set_os_account


def run(url: str | None, *args: str, token: str | None = None) -> Any:
    extra = ["--db-url", url] if url is not None else []
    if token is not None:
        extra += ["--token", token]
    return CliRunner().invoke(app, [*args, *extra])


def ok_json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refused(result: Any, phrase: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert phrase in lines[0], lines[0]
    assert "Traceback" not in result.output


@pytest.fixture
def tokens(
    gov_engine: Engine, seed_people: Callable[..., dict[str, Principal]]
) -> dict[str, str]:
    """The cast of the inventory tests, each with an API token."""
    people = seed_people(PEOPLE)
    out = {}
    for name in PEOPLE:
        _info, secret = create_token(gov_engine, user=name, principal=people["ada"])
        out[name] = secret
    return out


REGISTER = (
    "register", "bank-propensity", "--owner", "olivia", "--purpose",
    "marketing.communications", "--use-case", "lead-scoring", "--model-version", "1.0",
    "--data-category", "user.financial", "--data-category", "user.contact",
    "--team", "CRM analytics", "--model-type", "gradient boosting",
)


def test_first_local_user_registers_and_classifies_without_ceremony(
    store_url: str, gov_engine: Engine, as_os_user: Callable[[str], None]
) -> None:
    doc = ok_json(run(store_url, "register", "bank-propensity", "--owner", "first",
                      "--purpose", "marketing.communications", "--use-case", "Lead Scoring",
                      "--model-version", "1.0", "--format", "json"))
    assert doc["name"] == "bank-propensity" and doc["owner"] == "first"
    assert doc["use_case"] == "lead_scoring" and doc["status"] == "proposed"
    result = run(store_url, "classify", "bank-propensity", "--answers", BANK)
    if gov_engine.dialect.name == "postgresql":
        # on a shared server an account name is no proof of identity: a token is needed now
        refused(result, "this PostgreSQL store has users: set FAIRMARK_TOKEN or --token")
        assert [e[0] for e in log(gov_engine)] == ["user.bootstrap", "system.register"]
        return
    assert result.exit_code == 0, result.output
    assert "tier             minimal_risk" in result.stdout
    assert "GDPR Art. 22     does not apply" in result.stdout
    assert "required checks  fairness.disparate_impact" in result.stdout
    shown = run(store_url, "show", "bank-propensity")
    assert shown.exit_code == 0
    assert "risk tier        minimal_risk" in shown.stdout
    assert "reviews: none" in shown.stdout
    assert [e[0] for e in log(gov_engine)] == [
        "user.bootstrap", "system.register", "system.classify"
    ]


def test_register_list_show_update_retire_json(
    store_url: str, gov_engine: Engine, tokens: dict[str, str]
) -> None:
    doc = ok_json(run(store_url, *REGISTER, "--format", "json", token=tokens["olivia"]))
    assert doc["data_categories"] == ["user.financial", "user.contact"]
    assert doc["team"] == "CRM analytics"
    listed = ok_json(run(store_url, "list", "--format", "json", token=tokens["vic"]))
    assert [s["name"] for s in listed] == ["bank-propensity"]
    assert ok_json(run(store_url, "list", "--status", "approved", "--format", "json",
                       token=tokens["vic"])) == []
    shown = ok_json(run(store_url, "show", "bank-propensity", "--format", "json",
                        token=tokens["aud"]))
    assert shown == {**doc, "audit_runs": [], "reviews": []}
    classified = ok_json(run(store_url, "classify", "bank-propensity", "--answers",
                             str(EXAMPLES / "credit-preapproval-answers.yaml"), "--format",
                             "json", token=tokens["olivia"]))
    assert classified["tier"] == "high_risk" and classified["gdpr_art22"] is True
    assert "AI Act Annex III point 5(b)" in classified["articles"]
    set_row(gov_engine, status="approved")
    changed = ok_json(run(store_url, "update", "bank-propensity", "--model-version", "1.1",
                          "--add-data-category", "user.behavior", "--remove-data-category",
                          "user.contact", "--format", "json", token=tokens["olivia"]))
    assert changed["material"] == ["new model version 1.1 (was 1.0)",
                                   "new data category user.behavior"]
    assert changed["status_from"] == "approved" and changed["status_to"] == "in_review"
    assert changed["system"]["data_categories"] == ["user.financial", "user.behavior"]
    text = run(store_url, "update", "bank-propensity", "--team", "Growth",
               token=tokens["olivia"])
    assert text.exit_code == 0
    assert "team: 'CRM analytics' -> 'Growth'" in text.stdout
    retired = ok_json(run(store_url, "retire", "bank-propensity", "--reason", "replaced",
                          "--format", "json", token=tokens["ada"]))
    assert retired["status_to"] == "retired"
    assert status_of(gov_engine) == "retired"


def test_refusals_exit_2_with_one_line_and_change_nothing(
    store_url: str, gov_engine: Engine, tokens: dict[str, str], tmp_path: Path
) -> None:
    register(gov_engine, Principal("olivia", "owner"))
    before = snapshot(gov_engine)
    cases: list[tuple[tuple[str, ...], str, str]] = [
        (("register", "x", *REGISTER[2:]), "vic",
         "user 'vic' (role viewer) may not system.write; it needs role admin or owner"),
        (("update", "bank-propensity", "--model-version", "2"), "rita",
         "user 'rita' (role reviewer) may not system.write"),
        (("update", "bank-propensity", "--model-version", "2"), "oscar",
         "may not system.write for a system owned by 'olivia'"),
        (("retire", "bank-propensity", "--reason", "x"), "aud",
         "user 'aud' (role auditor) may not system.write"),
        (("classify", "bank-propensity", "--answers", BANK), "vic", "may not system.write"),
        (("show", "bank-propensty"), "vic",
         "no AI system 'bank-propensty'; did you mean 'bank-propensity'?"),
        (("update", "bank-propensity", "--status", "deployed"), "olivia",
         "cannot move 'bank-propensity' from proposed to deployed; allowed from proposed: "
         "in_review (by 'fairmark review submit'), retired"),
        (("update", "bank-propensity"), "olivia", "nothing to change for 'bank-propensity'"),
        (("update", "bank-propensity", "--team", "x", "--format", "xml"), "olivia",
         "--format: unknown value 'xml'; expected one of text, json"),
        (("list", "--status", "live"), "vic", "unknown status 'live'"),
        (("register", "other", "--owner", "olivia", "--purpose", "marketing.communications",
          "--use-case", "horoscopes", "--model-version", "1"), "olivia",
         "unknown use case 'horoscopes'"),
        (("classify", "bank-propensity", "--answers", str(tmp_path / "none.yaml")), "olivia",
         "does not exist; expected a YAML or JSON file"),
        (("update", "bank-propensity", "--team", "x"), "bad",
         "token"),
    ]
    for args, who, phrase in cases:
        token = tokens.get(who, "fmk_0000000000000000_" + "A" * 43)
        refused(run(store_url, *args, token=token), phrase)
    assert snapshot(gov_engine) == before


def test_classify_missing_answers_lists_them(
    store_url: str, gov_engine: Engine, tokens: dict[str, str], tmp_path: Path
) -> None:
    register(gov_engine, Principal("olivia", "owner"))
    document = yaml.safe_load(Path(BANK).read_text())
    for key in ("social_scoring", "creditworthiness"):
        del document["answers"][key]
    path = tmp_path / "partial.yaml"
    path.write_text(yaml.safe_dump(document))
    before = snapshot(gov_engine)
    refused(
        run(store_url, "classify", "bank-propensity", "--answers", str(path),
            token=tokens["olivia"]),
        "questionnaire eu-ai-act v1: 2 answers missing: social_scoring, creditworthiness; "
        "expected true or false for each",
    )
    assert snapshot(gov_engine) == before


def test_questionnaire_text_json_and_template() -> None:
    q = load_questionnaire()
    text = run(None, "questionnaire")
    assert text.exit_code == 0, text.output
    for question in q.questions:
        assert question.id in text.stdout
    assert "true -> prohibited (AI Act Art. 5(1)(a))" in text.stdout
    doc = ok_json(run(None, "questionnaire", "--format", "json", "--version", "1"))
    assert doc["id"] == "eu-ai-act" and doc["version"] == 1
    assert [x["id"] for x in doc["questions"]] == list(q.ids)
    template = run(None, "questionnaire", "--format", "yaml-template")
    assert template.exit_code == 0
    parsed = yaml.safe_load(template.stdout)
    assert list(parsed["answers"]) == list(q.ids)
    refused(run(None, "questionnaire", "--version", "2"),
            "questionnaire eu-ai-act has no version 2; available: 1")
    refused(run(None, "questionnaire", "--format", "pdf"), "--format: unknown value 'pdf'")


def test_only_an_admin_chooses_a_systems_policy_on_the_command_line(
    store_url: str, gov_engine: Engine, tokens: dict[str, str], tmp_path: Path
) -> None:
    """An owner naming a policy file is refused (exit 2, one line, nothing written); an
    admin sets it, which is a material change once the system is approved."""
    text = Path("policies/default.yaml").read_text(encoding="utf-8")
    lax = tmp_path / "lax.yaml"
    lax.write_text(text.replace("audit_max_age_days: 90", "audit_max_age_days: 3650"), "utf-8")
    register(gov_engine, Principal("olivia", "owner"))
    before = snapshot(gov_engine)
    refused(run(store_url, "register", "other", *REGISTER[2:], "--policy", str(lax),
                token=tokens["olivia"]),
            "error: only an admin chooses the policy a system is judged against; user 'olivia' "
            "(role owner) may not set the policy of 'other': register it without --policy and "
            f"ask an admin to run 'fairmark system update other --policy {lax}'")  # fmt: skip
    refused(run(store_url, "update", "bank-propensity", "--policy", str(lax),
                token=tokens["olivia"]),
            "only an admin chooses the policy a system is judged against")  # fmt: skip
    assert snapshot(gov_engine) == before
    set_row(gov_engine, status="approved")
    changed = ok_json(run(store_url, "update", "bank-propensity", "--policy", str(lax),
                          "--format", "json", token=tokens["ada"]))  # fmt: skip
    assert changed["material"] == [f"judged against another policy (default -> {lax})"]
    assert (changed["status_from"], changed["status_to"]) == ("approved", "in_review")
    assert changed["system"]["policy"] == str(lax)
    assert status_of(gov_engine) == "in_review"


@pytest.mark.parametrize(
    ("version", "phrase"),
    [
        (
            "1.0 beta",
            "model version '1.0 beta' is not valid: character 4 is ' ' (U+0020 SPACE); "
            "expected 1-100 printable ASCII characters ('!' to '~', no spaces or control "
            "characters)",
        ),
        ("1.0\n", "model version '1.0\\n' is not valid"),
        (
            "\uff11.\uff10",
            "model version '\uff11.\uff10' is not valid: character 1 is "
            "'\uff11' (U+FF11 FULLWIDTH DIGIT ONE); expected 1-100 printable ASCII characters",
        ),
        ("", "model version is empty"),
    ],
)
def test_a_bad_model_version_exits_2_on_register_and_update(
    store_url: str, gov_engine: Engine, tokens: dict[str, str], version: str, phrase: str
) -> None:
    register(gov_engine, Principal("olivia", "owner"))
    before = snapshot(gov_engine)
    args = [a if a != "1.0" else version for a in REGISTER]
    refused(run(store_url, *("register", "other", *args[2:]), token=tokens["olivia"]), phrase)
    refused(run(store_url, "update", "bank-propensity", "--model-version", version,
                token=tokens["olivia"]), phrase)  # fmt: skip
    assert snapshot(gov_engine) == before


# --------------------------------------------------------------------------- QA findings (HF)


def test_handing_a_system_over_names_the_real_owner_and_unknown_users(
    store_url: str, gov_engine: Engine, tokens: dict[str, str]
) -> None:
    """QA: 'update --owner rita' by owner olivia named rita as the owner, and an unknown
    user got the same permission error. The user is checked first, then the hand-over."""
    register(gov_engine, Principal("olivia", "owner"))
    before = snapshot(gov_engine)
    refused(run(store_url, "update", "bank-propensity", "--owner", "oscar",
                token=tokens["olivia"]),
            "error: user 'olivia' (role owner) may not hand AI system 'bank-propensity' "
            "(owned by 'olivia') to 'oscar': only an admin reassigns a system to another "
            "owner; ask an admin to run 'fairmark system update bank-propensity --owner "
            "oscar'")  # fmt: skip
    refused(run(store_url, "update", "bank-propensity", "--owner", "nobody",
                token=tokens["olivia"]),
            "error: owner 'nobody' is not a registered user; expected a user with role owner "
            "or admin (add one with 'fairmark user add')")  # fmt: skip
    refused(run(store_url, "update", "bank-propensity", "--owner", "rita",
                token=tokens["olivia"]),
            "error: owner 'rita' has role reviewer; expected a user with role owner or "
            "admin")  # fmt: skip
    assert snapshot(gov_engine) == before
    # the command the message suggests works for the admin
    changed = ok_json(run(store_url, "update", "bank-propensity", "--owner", "oscar",
                          "--format", "json", token=tokens["ada"]))  # fmt: skip
    assert changed["changes"] == {"owner": {"from": "olivia", "to": "oscar"}}
    assert changed["material"] == []


def test_the_policy_command_suggested_to_an_owner_is_valid(
    store_url: str, gov_engine: Engine, tokens: dict[str, str], tmp_path: Path
) -> None:
    """QA: going back to the built-in policy, the refusal suggested "--policy ''"."""
    lax = tmp_path / "lax.yaml"
    lax.write_text(Path("policies/default.yaml").read_text(encoding="utf-8"), "utf-8")
    register(gov_engine, Principal("olivia", "owner"))
    ok_json(run(store_url, "update", "bank-propensity", "--policy", str(lax), "--format",
                "json", token=tokens["ada"]))  # fmt: skip
    before = snapshot(gov_engine)
    suggested = "fairmark system update bank-propensity --policy default"
    refused(
        run(store_url, "update", "bank-propensity", "--policy", "default", token=tokens["olivia"]),
        f"may not set the policy of 'bank-propensity': ask an admin to run '{suggested}'",
    )
    assert snapshot(gov_engine) == before
    args = suggested.split()[2:]
    changed = ok_json(run(store_url, *args, "--format", "json", token=tokens["ada"]))
    assert changed["changes"]["policy"] == {"from": str(lax), "to": "default"}
    assert changed["system"]["policy"] == "default"


def test_classify_reports_what_its_material_change_did(
    store_url: str,
    gov_engine: Engine,
    tokens: dict[str, str],
    make_report: Callable[..., dict[str, Any]],
    tmp_path: Path,
) -> None:
    """QA: reclassifying a deployed system as prohibited moved it to proposed and reopened
    its reviews silently. classify now reports it, in JSON and text, as update does."""
    from tests.governance._inventory_support import add_review, review_states

    register(gov_engine, Principal("olivia", "owner"))
    first = ok_json(run(store_url, "classify", "bank-propensity", "--answers", BANK,
                        "--format", "json", token=tokens["olivia"]))  # fmt: skip
    # a first classification of a proposed system changes nothing else
    assert (first["previous_tier"], first["material"], first["reopened_reviews"]) == (None, [], [])
    assert (first["status_from"], first["status_to"]) == ("proposed", "proposed")
    set_row(gov_engine, status="deployed")
    review = add_review(gov_engine, store_url, make_report, "approved")
    prohibited = tmp_path / "prohibited.yaml"
    answers = {**dict.fromkeys(load_questionnaire().ids, False), "social_scoring": True}
    prohibited.write_text(
        yaml.safe_dump({"questionnaire": "eu-ai-act", "version": 1, "answers": answers}),
        "utf-8",
    )
    doc = ok_json(run(store_url, "classify", "bank-propensity", "--answers", str(prohibited),
                      "--format", "json", token=tokens["olivia"]))  # fmt: skip
    assert doc["tier"] == "prohibited"
    assert doc["system"] == "bank-propensity"
    assert doc["previous_tier"] == "minimal_risk"
    assert doc["material"] == ["risk tier changed from minimal_risk to prohibited"]
    assert doc["reopened_reviews"] == [review]
    assert (doc["status_from"], doc["status_to"]) == ("deployed", "proposed")
    assert status_of(gov_engine) == "proposed"
    assert review_states(gov_engine)[review] == (
        "reopened",
        "material change: risk tier changed from minimal_risk to prohibited",
    )
    # text: the same facts, in the words of 'system update'
    set_row(gov_engine, status="approved")
    second = add_review(gov_engine, store_url, make_report, "approved")
    text = run(store_url, "classify", "bank-propensity", "--answers", BANK,
               token=tokens["olivia"])  # fmt: skip
    assert text.exit_code == 0, text.output
    tail = text.stdout.splitlines()[-3:]
    assert tail == [
        "material change: risk tier changed from prohibited to minimal_risk",
        f"reviews reopened: #{second}",
        "status: approved -> in_review",
    ]
    # the same tier again: nothing material, nothing reported
    before = snapshot(gov_engine)
    again = run(store_url, "classify", "bank-propensity", "--answers", BANK,
                token=tokens["olivia"])  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "material change" not in again.stdout and "status:" not in again.stdout
    assert snapshot(gov_engine)["gov_reviews"] == before["gov_reviews"]
