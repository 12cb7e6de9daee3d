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

__all__ = ["DEMO_SYSTEM", "DemoRun", "run_demo"]

DEMO_SYSTEM = "bank-marketing-propensity"


@dataclass(frozen=True)
class DemoRun:
    """What the demo produced: the call list (model, AUC) and the audit job."""

    call_list: Any
    job: AuditJob


def run_demo(
    out_dir: str | os.PathLike[str] = "out/bank-marketing",
    *,
    data_home: str | os.PathLike[str] | None = None,
    store_url: str | None = None,
    policy: str = "default",
) -> DemoRun:
    """Train the propensity model, pick the top 20% as the call list, audit and record it.

    The model (scikit-learn, without the leaking ``duration`` column) is trained on the
    first 80% of calls in date order and scores the last 20%; the 20% highest scores form
    the call list. The audit covers age band (<25, 25-34, 35-44, 45-54, 55-64, 65+),
    marital status and their intersection against ``policy``.

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

    Raises
    ------
    DataError
        If the Bank Marketing data cannot be found or fails its checksum.
    """
    from fairmark.datasets import fetch_bank_marketing
    from fairmark.demo_model import build_call_list

    frame = fetch_bank_marketing(data_home)
    call_list = build_call_list(frame)
    # the audit bins `age` itself (ordered bands); drop the model's own band column
    scored = call_list.scored.drop(columns=["age_band"], errors="ignore")
    job = run_audit_job(
        scored,
        out_dir=Path(out_dir),
        store_url=store_url,
        y_true="y",
        positive_label="yes",
        y_pred="selected",
        sensitive_features=[{"column": "age", "bins": "age", "name": "age_band"}, "marital"],
        policy=policy,
        system_name=DEMO_SYSTEM,
    )
    return DemoRun(call_list=call_list, job=job)
