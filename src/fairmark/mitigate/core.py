"""``fairmark.mitigate.mitigate``: apply a fairness mitigation and audit before and after."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fairmark.demo_model import select_top
from fairmark.errors import UsageError
from fairmark.mitigate import methods as m
from fairmark.mitigate.inputs import (
    DECISION_COLUMN,
    Y_COLUMN,
    MitigationInputs,
    parse_methods,
    validate_inputs,
)
from fairmark.mitigate.result import MethodRun, MitigationResult
from fairmark.mitigate.summary import summarize

__all__ = ["audit_decisions", "mitigate"]


def mitigate(
    estimator: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    sensitive_train: Any,
    sensitive_test: Any,
    method: str | Sequence[str] = "threshold",
    constraint: str = "demographic_parity",
    top_fraction: float | None = None,
    positive_label: Any = 1,
    audit_kwargs: Mapping[str, Any] | None = None,
    random_state: int = 0,
) -> MitigationResult:
    """Mitigate unfair selection by a classifier and audit the decisions before and after.

    The unmitigated model (``estimator``, fitted on the training rows if it is not yet
    fitted) and each mitigated model select people among the test rows; both sets of
    decisions are audited with :func:`fairmark.audit` under the same spec and policy, and
    summarised side by side: fairness (lowest disparate impact, demographic parity,
    equal opportunity and equalized odds differences), accuracy, the business value of
    the list (conversions among the selected, the list's conversion rate) and the
    policy verdict.

    Parameters
    ----------
    estimator : scikit-learn compatible binary classifier
        Fitted or not. ``threshold`` post-processes the fitted model; ``reweighing`` and
        ``exponentiated_gradient`` refit clones, so their ``fit`` must take
        ``sample_weight`` (a ``Pipeline`` passes it to its last step).
    X_train : pandas.DataFrame or array, shape (n_train, p)
        Training features (what the estimator takes).
    y_train : array-like, shape (n_train,)
        Training labels; binary, no missing values, both classes present.
    X_test : pandas.DataFrame or array, shape (n_test, p)
        The people to select from (same columns as ``X_train``).
    y_test : array-like, shape (n_test,)
        Their actual outcomes (did they convert), binary.
    sensitive_train, sensitive_test : array-like or pandas.Series/DataFrame
        Group of each row, shape ``(n,)`` for one feature or ``(n, k)`` for several
        (named by the Series name or DataFrame columns; default ``sensitive_feature``).
        Values are compared as strings; no missing values; at least two groups. pandas
        inputs must carry the same index as the matching ``X``.
    method : str or sequence of str, default "threshold"
        ``"threshold"`` (fairlearn ``ThresholdOptimizer``), ``"exponentiated_gradient"``
        (fairlearn ``ExponentiatedGradient``), ``"reweighing"`` (Kamiran & Calders), or
        several of them to compare; the first is the primary method (:attr:`model`,
        :attr:`after`).
    constraint : str, default "demographic_parity"
        ``"demographic_parity"``, ``"equalized_odds"`` or ``"true_positive_rate_parity"``
        (equal opportunity) for ``threshold`` and ``exponentiated_gradient``;
        ``reweighing`` always targets independence of label and group.
    top_fraction : float in (0, 1], optional
        A fixed list size: the share of test rows to select. Before: the top
        ``ceil(top_fraction · n_test)`` rows by the unmitigated score (ties by row
        order). After: see :func:`fairmark.mitigate.methods.run_threshold` (demographic
        parity at that common selection rate on the training rows; needs
        ``constraint="demographic_parity"``), ``run_exponentiated_gradient`` (top rows by
        probability of selection) and ``run_reweighing`` (top rows by the retrained
        score). ``None`` (default): every model's own ``predict``.
    positive_label : object, default 1
        The label value that counts as a conversion.
    audit_kwargs : mapping, optional
        Extra :func:`fairmark.audit` options for both audits (``policy``,
        ``min_group_size``, ``reference_groups``, ``intersections``,
        ``confidence_level``, ``system_name`` …); not the data, label or decision.
    random_state : int, default 0
        Seed of the randomised decisions (fairlearn ``predict``) and of tie-breaking.

    Returns
    -------
    MitigationResult
        ``model`` (the mitigated model), ``before`` / ``after`` summaries, ``runs`` (one
        per method), ``tradeoff()``, ``table()``, ``tradeoff_chart_svg()`` and
        ``to_dict()``.

    Raises
    ------
    UsageError
        Unknown method or constraint, ``top_fraction`` out of range or combined with a
        constraint it cannot serve, an estimator that is not a binary classifier or
        cannot take sample weights when the method needs them, forbidden
        ``audit_kwargs``.
    DataError
        Misaligned or empty inputs, missing values, non-binary or single-class labels, a
        sensitive feature with a single group, an estimator that rejects the columns.

    Notes
    -----
    Hardt, Price & Srebro (2016), NeurIPS (post-processing); Agarwal et al. (2018), ICML
    (exponentiated gradient); Kamiran & Calders (2012), Knowledge and Information Systems
    33:1-33 (reweighing). Metric definitions as in :func:`fairmark.audit`.
    """
    methods = parse_methods(method)
    inp = validate_inputs(
        estimator,
        X_train,
        y_train,
        X_test,
        y_test,
        sensitive_train=sensitive_train,
        sensitive_test=sensitive_test,
        methods=methods,
        constraint=constraint,
        top_fraction=top_fraction,
        positive_label=positive_label,
        audit_kwargs=audit_kwargs,
        random_state=random_state,
    )
    kwargs = dict(audit_kwargs or {})
    base = m.fit_base(estimator, inp)
    index = m.positive_class_index(base, positive_label)
    if top_fraction is None:
        before = m.predicted_positive(base, inp.X_test, index)
    else:
        before = select_top(m.positive_scores(base, inp.X_test, index), top_fraction)
    before_audit = audit_decisions(inp, before, kwargs)

    runs = []
    for name in methods:
        if name == "threshold":
            if index != 1:
                raise UsageError(
                    "ThresholdOptimizer scores with the estimator's second class; the positive "
                    f"label {positive_label!r} is its first: refit the estimator on 0/1 labels"
                )
            out = m.run_threshold(base, inp, constraint, top_fraction, random_state)
            used = constraint
        elif name == "exponentiated_gradient":
            out = m.run_exponentiated_gradient(
                estimator, inp, constraint, top_fraction, random_state
            )
            used = constraint
        else:
            out = m.run_reweighing(estimator, inp, top_fraction, positive_label)
            used = "demographic_parity"
        result = audit_decisions(inp, out.decisions, kwargs)
        runs.append(
            MethodRun(
                method=name,
                constraint=used,
                model=out.model,
                decisions=out.decisions,
                audit=result,
                summary=summarize(result),
                operating_point=out.operating_point,
            )
        )
    return MitigationResult(
        method=methods[0],
        constraint=constraint,
        top_fraction=None if top_fraction is None else float(top_fraction),
        base_model=base,
        before_decisions=before,
        before_audit=before_audit,
        before=summarize(before_audit),
        runs=tuple(runs),
        n_train=len(inp.y_train),
        n_test=len(inp.y_test),
        random_state=int(random_state),
    )


def audit_decisions(
    inp: MitigationInputs, decisions: np.ndarray, audit_kwargs: Mapping[str, Any]
) -> Any:
    """Audit binary decisions on the test rows with :func:`fairmark.audit`.

    The audited table has the sensitive features (as strings), ``y_true`` (1 where the
    test label equals the positive label, else 0; positive label 1) and ``selected``
    (bool). One engine pass builds the sufficient statistics.

    Parameters
    ----------
    inp : MitigationInputs
    decisions : numpy.ndarray of bool, shape (n_test,)
    audit_kwargs : mapping
        Extra :func:`fairmark.audit` options.

    Returns
    -------
    fairmark.AuditResult

    Raises
    ------
    UsageError, DataError, PolicyError
        From :func:`fairmark.audit` (e.g. an unknown policy file).
    """
    import fairmark

    frame = inp.sensitive_test.copy()
    frame[Y_COLUMN] = inp.y_test
    frame[DECISION_COLUMN] = np.asarray(decisions, dtype=bool)
    return fairmark.audit(
        frame,
        y_true=Y_COLUMN,
        y_pred=DECISION_COLUMN,
        positive_label=1,
        sensitive_features=list(inp.feature_names),
        **audit_kwargs,
    )
