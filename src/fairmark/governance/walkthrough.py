"""The accountability part of ``fairmark demo``: from inventory to signed evidence.

A marketing team puts its Bank Marketing call-list model through the ethics committee:

1. an admin (the local account) adds the people, each with a password: an accountable
   owner, two reviewers with a current AI-literacy training record (EU AI Act Art. 4) and
   an external auditor; each person logs in with their password and creates their own API
   token (an admin-issued token could not decide a review: separation of duties), and
   every later step acts through those tokens;
2. the admin registers the model in the inventory for its owner, with the team's campaign
   policy (only an admin chooses the policy a system is judged against: the owner is the
   party it judges), and the owner classifies it with the EU AI Act questionnaire (minimal
   risk; GDPR Art. 22 does not apply);
3. the owner audits the mitigated call list against the team's campaign policy and
   submits it for review; the reviewers are assigned by the policy's quorum rule;
4. one reviewer approves with a blocking condition, the other approves: the deployment
   gate stays closed while the condition is open, and opens once another reviewer closes it;
5. the owner deploys; the auditor exports the signed evidence bundle, and it is verified
   offline, metrics recomputed from the bundled aggregates and aggregates from the data;
6. the whole audit log is verified.

Everything happens in a fresh store of its own (``<out>/governance/fairmark.db``, signing
key beside it), so the walkthrough can be rerun and explored with the commands it prints.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

__all__ = ["GovernanceDemo", "run_governance_demo"]

OWNER = "olivia"
REVIEWERS = ("rahul", "rita")
AUDITOR = "aiden"
MODEL_VERSION = "2.0-threshold-optimizer"
BLOCKING_CONDITION = (
    "Call-centre agents can take any customer off the list; the override procedure is "
    "documented and agents are trained on it before the first call."
)
ADVISORY_CONDITION = (
    "Re-audit every month; bring the equal-opportunity gap for customers 65+ below 10 "
    "points before the next campaign wave."
)


@dataclass(frozen=True)
class GovernanceDemo:
    """What the walkthrough did.

    Attributes
    ----------
    store_url : str
        The walkthrough's own SQLite store.
    folder : Path
        ``<out>/governance``: store, signing key, policy, answers, audited data, bundle.
    system : SystemInfo
        The registered system (after deployment).
    classification : RiskClassification
    run_id : str
        The audit submitted for review.
    verdict : str
        Its policy verdict.
    review : ReviewInfo
        The review after the condition was closed.
    gate_before, gate_after : GateResult
        The gate with the condition open, and after it was closed.
    bundle : BundleInfo
    bundle_check : BundleVerification
    log_check : LogVerification
    steps : list of str
        One line per step, in order (what the demo prints).
    """

    store_url: str
    folder: Path
    system: Any
    classification: Any
    run_id: str
    verdict: str
    review: Any
    gate_before: Any
    gate_after: Any
    bundle: Any
    bundle_check: Any
    log_check: Any
    steps: list[str]


def _demo_file(name: str) -> str:
    return resources.files("fairmark.governance").joinpath("demo_data", name).read_text("utf-8")


def run_governance_demo(
    out_dir: str | os.PathLike[str],
    *,
    call_list: Any,
    frame: Any,
    mitigation: Any,
    echo: Callable[[str], None] | None = None,
) -> GovernanceDemo:
    """Run the accountability walkthrough on the demo's mitigated call list.

    Parameters
    ----------
    out_dir : path
        The demo's output folder; the walkthrough uses ``out_dir/governance`` (emptied
        first: it belongs to the demo).
    call_list : fairmark.demo_model.CallList
        The demo's call list (model, held-out calls).
    frame : pandas.DataFrame
        The Bank Marketing data (:func:`fairmark.datasets.fetch_bank_marketing`).
    mitigation : fairmark.mitigate.MitigationResult
        The demo's mitigation by age band (ThresholdOptimizer, demographic parity): its
        decisions on the evaluated half of the held-out calls are the list submitted.
    echo : callable, optional
        Called with each step's one-line description as it happens.

    Returns
    -------
    GovernanceDemo

    Raises
    ------
    FairmarkError
        If a step is refused: the walkthrough is deterministic, so this means a bug.

    Notes
    -----
    EU AI Act (Regulation (EU) 2024/1689) Art. 4 (AI literacy), Art. 5, 6, 50 and Annex III
    (risk tiers), Art. 12 (record-keeping); GDPR Art. 22; ISO/IEC 42001:2023 clause 5.3.
    """
    from fairmark import audit
    from fairmark.governance.artifacts import build_artifacts
    from fairmark.governance.evidence import export_bundle
    from fairmark.governance.evidence_verify import verify_bundle
    from fairmark.governance.gate import evaluate_gate
    from fairmark.governance.identity import login, resolve_principal
    from fairmark.governance.inventory import get_system, register_system, set_status
    from fairmark.governance.keys import load_signing_key
    from fairmark.governance.log import create_checkpoint, verify_log
    from fairmark.governance.review import close_condition, comment, decide, submit_review
    from fairmark.governance.risk import classify_system
    from fairmark.governance.tokens import create_token
    from fairmark.governance.training import record_training
    from fairmark.governance.users import add_user, set_password
    from fairmark.report import write_reports
    from fairmark.store import RunStore

    steps: list[str] = []

    def step(text: str) -> None:
        steps.append(text)
        if echo is not None:
            echo(text)

    folder = Path(out_dir) / "governance"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    policy_path = folder / "bank-campaign-policy.yaml"
    policy_path.write_text(_demo_file("bank-campaign-policy.yaml"), encoding="utf-8")
    answers_path = folder / "bank-marketing-answers.yaml"
    answers_path.write_text(_demo_file("bank-marketing-answers.yaml"), encoding="utf-8")
    url = URL.create("sqlite", database=str((folder / "fairmark.db").resolve())).render_as_string(
        hide_password=False
    )
    key = load_signing_key(folder / "signing_key.pem")

    # The audited decisions: the mitigated call list on the evaluated half of the held-out
    # calls (the calls the mitigation demo audits), with the model's input columns.
    from fairmark.demo import DEMO_DATA_CATEGORIES, DEMO_PURPOSE, DEMO_SYSTEM

    held_out = frame.loc[call_list.scored.index]
    evaluated = held_out.iloc[1::2]
    features = list(call_list.feature_names)
    data = evaluated[[*features, "y"]].copy()
    data["selected"] = mitigation.runs[0].decisions.astype(int)
    data_path = folder / "mitigated_call_list.csv"
    data.to_csv(data_path, index=False)

    with RunStore(url) as store:
        engine = store.engine
        admin = resolve_principal(engine)
        # Each person's password: random, kept in memory only (the demo's people exist for
        # the length of the walkthrough); in a team, each person sets their own.
        passwords = {name: secrets.token_urlsafe(18) for name in (OWNER, *REVIEWERS, AUDITOR)}
        for name, role in ((OWNER, "owner"), *((r, "reviewer") for r in REVIEWERS),
                           (AUDITOR, "auditor")):  # fmt: skip
            add_user(engine, name=name, role=role, password=passwords[name], principal=admin)
        completed = date.today() - timedelta(days=60)
        for name in REVIEWERS:
            record_training(
                engine,
                user=name,
                course="AI literacy for marketing AI reviewers (EU AI Act Art. 4)",
                completed_on=completed,
                evidence="LMS certificate",
                principal=admin,
                policy=str(policy_path),
            )
        people = {}
        for name in (OWNER, *REVIEWERS, AUDITOR):
            # the admin set the first password: each person replaces it with their own
            # (else their tokens count as admin-issued and cannot decide)
            own = secrets.token_urlsafe(18)
            set_password(engine, name, own, principal=login(engine, name, passwords.pop(name)))
            _, token = create_token(
                engine,
                user=name,
                expires_in_days=30,
                label="demo",
                principal=login(engine, name, own),
            )
            people[name] = resolve_principal(engine, token=token)
        step(
            f"admin {admin.name} added owner {OWNER}, reviewers {' and '.join(REVIEWERS)} "
            f"(AI-literacy training recorded) and auditor {AUDITOR}; each replaced the "
            "password the admin gave them and created their own token"
        )
        owner = people[OWNER]
        categories = sorted(
            {c for c in DEMO_DATA_CATEGORIES.values() if c != "none"}
            | {"user.demographic.age_range", "user.demographic.marital_status",
               "user.job_title"}
        )  # fmt: skip
        register_system(
            engine,
            name=DEMO_SYSTEM,
            owner=OWNER,
            team="Marketing Analytics",
            description="Chooses which customers the call centre phones about a term deposit.",
            purpose=DEMO_PURPOSE,
            use_case="lead_scoring",
            model_version=MODEL_VERSION,
            data_categories=categories,
            model_type="logistic regression + ThresholdOptimizer by age band",
            vendor="in-house (scikit-learn, fairlearn)",
            policy=str(policy_path.resolve()),
            principal=admin,  # only an admin chooses the policy a system is judged against
        )
        step(
            f"admin {admin.name} registered {DEMO_SYSTEM} for owner {OWNER} (model "
            f"{MODEL_VERSION}, judged against policy {policy_path.name}): status proposed"
        )
        classification = classify_system(engine, DEMO_SYSTEM, answers_path, principal=owner)
        step(
            f"classified with the EU AI Act questionnaire: {classification.tier}; "
            f"GDPR Art. 22 applies: {'yes' if classification.gdpr_art22 else 'no'}"
        )

        result = audit(
            str(data_path),
            y_true="y",
            positive_label="yes",
            y_pred="selected",
            pred_positive_label=1,
            sensitive_features=[{"column": "age", "bins": "age", "name": "age_band"}],
            policy=str(policy_path.resolve()),
            system_name=DEMO_SYSTEM,
            features=features,
            purpose=DEMO_PURPOSE,
            data_categories=DEMO_DATA_CATEGORIES,
            store_url=url,
            data_name="UCI Bank Marketing: mitigated call list (ThresholdOptimizer by age band)",
        )
        document = result.to_dict()
        store.record_run(document, artifacts=build_artifacts(result), actor=OWNER)
        write_reports(document, folder / "audit")
        step(
            f"{OWNER} audited the mitigated call list against {result.policy.id} "
            f"v{result.policy.version}: verdict {result.verdict} (run {result.run_id})"
        )

        review = submit_review(engine, DEMO_SYSTEM, principal=owner, run_id=result.run_id)
        assigned = ", ".join(a.reviewer for a in review.reviewers)
        step(f"{OWNER} submitted it for review {review.review_id}; assigned by quorum: {assigned}")
        first, second = (people[r] for r in REVIEWERS)
        comment(
            engine,
            review.review_id,
            "The 65+ band is reached less often among customers who would subscribe "
            "(equal-opportunity gap 22 points); agents must be able to override the list.",
            principal=first,
        )
        decide(
            engine,
            review.review_id,
            "approve_with_conditions",
            "Four-fifths rule met after mitigation; the equal-opportunity gap needs a human "
            "override and monthly monitoring.",
            principal=first,
            conditions=[BLOCKING_CONDITION],
            advisory=[ADVISORY_CONDITION],
        )
        review = decide(
            engine,
            review.review_id,
            "approve",
            "Agree with the conditions.",
            principal=second,
        )
        step(f"{first.name} approved with conditions, {second.name} approved: {review.status}")
        gate_before = evaluate_gate(engine, DEMO_SYSTEM, principal=owner)
        step("gate: " + ("PASS" if gate_before.passed else "FAIL — " + "; ".join(
            r.message for r in gate_before.reasons)))  # fmt: skip
        blocking = [c for c in review.conditions if c.blocking]
        for condition in blocking:
            close_condition(
                engine,
                condition.condition_id,
                "Override procedure CC-17 published; all 42 agents trained (LMS report).",
                principal=second,
            )
        step(f"{second.name} closed the blocking condition after checking the procedure")
        gate_after = evaluate_gate(engine, DEMO_SYSTEM, principal=owner)
        step("gate: " + ("PASS" if gate_after.passed else "FAIL — " + "; ".join(
            r.message for r in gate_after.reasons)))  # fmt: skip
        if gate_after.passed:
            set_status(engine, DEMO_SYSTEM, "deployed", principal=owner, reason="campaign wave 1")
            step(f"{OWNER} deployed {DEMO_SYSTEM}")
        bundle_path = folder / f"evidence-{result.run_id[:8]}.zip"
        create_checkpoint(engine, key=key, principal=admin)  # an auditor's export signs none
        bundle = export_bundle(
            engine, result.run_id, bundle_path, principal=people[AUDITOR], key=key
        )
        step(f"{AUDITOR} exported the signed evidence bundle {bundle_path}")
        bundle_check = verify_bundle(
            bundle_path, data=str(data_path), public_keys=[key.fingerprint]
        )
        step(
            "bundle verified offline: "
            + ("OK" if bundle_check.ok else "FAILED")
            + " (signature, log segment, metrics recomputed from the aggregates, aggregates "
            "recomputed from the data)"
        )
        log_check = verify_log(engine, public_keys=[key.public_hex])
        step(
            f"audit log verified: {'OK' if log_check.ok else 'FAILED'} "
            f"({log_check.n_entries} entries, hash-chained, signed checkpoints)"
        )
        system = get_system(engine, DEMO_SYSTEM, principal=owner)
        review_now = review
    return GovernanceDemo(
        store_url=url,
        folder=folder,
        system=system,
        classification=classification,
        run_id=result.run_id,
        verdict=result.verdict,
        review=review_now,
        gate_before=gate_before,
        gate_after=gate_after,
        bundle=bundle,
        bundle_check=bundle_check,
        log_check=log_check,
        steps=steps,
    )
