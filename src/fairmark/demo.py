"""The main job: audit a propensity model's call list on the UCI Bank Marketing campaign.

Moro, Cortez & Rita (2014), *A Data-Driven Approach to Predict the Success of Bank
Telemarketing*, Decision Support Systems 62:22-31 (UCI dataset 222, CC BY 4.0).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fairmark.pipeline import AuditJob, run_audit_job

__all__ = ["DEMO_DATA_CATEGORIES", "DEMO_PURPOSE", "DEMO_SYSTEM", "DemoRun", "run_demo"]

DEMO_SYSTEM = "bank-marketing-propensity"

DEMO_PURPOSE = "marketing.communications"
"""fideslang data use of the campaign: marketing to existing customers by phone (fideslang
has no separate key for telemarketing; ``marketing.communications`` is "uses combined
channels to message and market to a customer")."""

DEMO_DATA_CATEGORIES: dict[str, str] = {
    "default": "user.financial",
    "housing": "user.financial",
    "contact": "user.device",
    "month": "user.behavior",
    "day_of_week": "user.behavior",
    "campaign": "user.behavior",
    "pdays": "user.behavior",
    "previous": "user.behavior",
    "poutcome": "user.behavior",
    "emp.var.rate": "none",
    "cons.price.idx": "none",
    "cons.conf.idx": "none",
    "euribor3m": "none",
    "nr.employed": "none",
}
"""The bank's data inventory for the columns whose names do not say what they hold
(UCI ``bank-additional-names.txt``): credit default and housing loan are financial
situation; the contact channel (cellular or landline) describes the customer's device; the
month and weekday of the last call and the contact history (calls this campaign, days
since the last campaign, earlier calls, earlier outcome) are observed behaviour; the five
quarterly and monthly economic indicators are the same for everybody called on a day and
are not personal data. Age, job, marital status, education and loan are recognised by
their names (:mod:`fairmark.privacy.table_scan`)."""


@dataclass(frozen=True)
class DemoRun:
    """What the demo produced.

    Attributes
    ----------
    call_list : fairmark.demo_model.CallList
        The model, its held-out AUC and the scored calls.
    job : AuditJob
        The audit of the call list (reports written, run recorded).
    model_path, call_list_path : Path
        The fitted model (joblib) and the scored call list (CSV) written beside the
        reports, so that ``fairmark explain`` can be tried on them.
    mitigation : fairmark.mitigate.MitigationResult or None
        Before/after mitigation by age band (ThresholdOptimizer, demographic parity);
        ``None`` with ``mitigation_note`` saying why when fairlearn is not installed.
    governance : fairmark.governance.walkthrough.GovernanceDemo or None
        The accountability walkthrough on the mitigated list (inventory, risk tier,
        review with a condition, deployment gate, signed evidence bundle); ``None`` when
        there is no mitigation to submit.
    frame : pandas.DataFrame or None
        The Bank Marketing data the call list was built from.
    """

    call_list: Any
    job: AuditJob
    model_path: Path
    call_list_path: Path
    mitigation: Any = None
    mitigation_note: str | None = None
    governance: Any = None
    frame: Any = None


def run_demo(
    out_dir: str | os.PathLike[str] = "out/bank-marketing",
    *,
    data_home: str | os.PathLike[str] | None = None,
    store_url: str | None = None,
    policy: str = "default",
    governance: bool = True,
    echo: Any = None,
    principal: Any = None,
) -> DemoRun:
    """Train the propensity model, pick the top 20% as the call list, audit and record it.

    The model (scikit-learn, without the leaking ``duration`` column) is trained on the
    first 80% of calls in date order and scores the last 20%; the 20% highest scores form
    the call list. The audit covers age band (<25, 25-34, 35-44, 45-54, 55-64, 65+),
    marital status and their intersection against ``policy``, and checks the model's
    input columns for identifiers and special-category data and the call list for data the
    model does not need, for the purpose :data:`DEMO_PURPOSE` (when ``policy`` declares
    it) with the categories of :data:`DEMO_DATA_CATEGORIES`.

    Parameters
    ----------
    out_dir : path
        Where ``report.json``, ``report.html``, ``report.md`` and ``junit.xml`` go.
    data_home : path, optional
        Folder holding ``uci-bank-marketing/`` (default ``FAIRMARK_DATA_HOME``).
    store_url : str, optional
        Run store URL.
    policy : str
        Policy file or ``"default"``.
    governance : bool, default True
        Also run the accountability walkthrough
        (:func:`fairmark.governance.walkthrough.run_governance_demo`) in a store of its own
        under ``out_dir/governance``.
    echo : callable, optional
        Receives one line per walkthrough step as it happens.
    principal : fairmark.governance.access.Principal, optional
        Who records the audit run (checked for ``run.write``, see
        :meth:`fairmark.store.RunStore.record_run`); ``None`` records without a check.

    Raises
    ------
    DataError
        If the Bank Marketing data cannot be found or fails its checksum.
    PolicyError
        If ``policy`` cannot be read or is invalid.
    """
    from fairmark.datasets import fetch_bank_marketing
    from fairmark.demo_model import build_call_list
    from fairmark.policy import load_policy

    declared = load_policy(policy).settings.purposes
    frame = fetch_bank_marketing(data_home)
    call_list = build_call_list(frame)
    # the audit bins `age` itself (ordered bands) and selects the top 20% by score itself:
    # drop the model's own band and selection columns, which the model does not use
    scored = call_list.scored.drop(columns=["age_band", "selected"], errors="ignore")
    job = run_audit_job(
        scored,
        out_dir=Path(out_dir),
        store_url=store_url,
        y_true="y",
        positive_label="yes",
        score="score",
        top_k=0.2,  # the call list: the 20% highest scores (same k as build_call_list)
        sensitive_features=[{"column": "age", "bins": "age", "name": "age_band"}, "marital"],
        policy=policy,
        system_name=DEMO_SYSTEM,
        principal=principal,
        features=list(call_list.feature_names),
        purpose=DEMO_PURPOSE if DEMO_PURPOSE in declared else None,
        data_categories=DEMO_DATA_CATEGORIES,
        data_name=(
            "UCI Bank Marketing (Moro, Cortez & Rita 2014): the last 20% of calls, "
            "scored by the propensity model"
        ),
    )
    from fairmark.explain import save_model

    model_path = Path(out_dir) / "model.joblib"
    call_list_path = Path(out_dir) / "call_list.csv"
    save_model(call_list.model, model_path)
    call_list.scored.to_csv(call_list_path, index=False)
    mitigation, note = None, None
    try:
        from fairmark.mitigate.demo import run_mitigation_demo

        mitigation = run_mitigation_demo(call_list, frame)
    except ImportError as exc:  # fairlearn is the [mitigate] extra
        note = f"mitigation skipped: {exc} (pip install 'fairmark[mitigate]')"
    walkthrough = None
    if governance and mitigation is not None:
        from fairmark.governance.walkthrough import run_governance_demo

        walkthrough = run_governance_demo(
            out_dir, call_list=call_list, frame=frame, mitigation=mitigation, echo=echo
        )
    return DemoRun(
        call_list=call_list,
        job=job,
        model_path=model_path,
        call_list_path=call_list_path,
        mitigation=mitigation,
        mitigation_note=note,
        governance=walkthrough,
        frame=frame,
    )
