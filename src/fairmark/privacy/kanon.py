"""Re-identification risk: k-anonymity and l-diversity of a table (``fairmark privacy kanon``).

A record can be re-identified without a name when its combination of *quasi-identifiers*
(age, sex, postcode, birth date …) is rare: someone who knows those facts about a person
finds their record, and everything else in it. :func:`k_anonymity` measures, in the data
engine, how many records share each combination (the equivalence classes), the share of
records in classes smaller than the policy's ``k``, how varied a sensitive column is inside
the classes (l-diversity), suggests generalisations that reach ``k``, and judges the
result with check ``privacy.k_anonymity``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fairmark.checks.base import Check
from fairmark.engine.source import as_table, missing_column_message
from fairmark.errors import DataError, UsageError
from fairmark.policy.model import DEFAULT_K_ANONYMITY
from fairmark.privacy.checks import k_anonymity as k_anonymity_check
from fairmark.privacy.equivalence_classes import class_size_profile
from fairmark.privacy.kanon_result import KAnonymityMetrics, KAnonymityResult, LDiversity

__all__ = ["IMPLICIT_RULE_ID", "RUN_KIND", "k_anonymity"]

RUN_KIND = "kanon"
IMPLICIT_RULE_ID = "k-anonymity"
CHECK_ID = k_anonymity_check.CHECK_ID


def _column_list(name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        raise UsageError(f"{name} must be column names (a list or 'a,b'), got {value!r}")
    items = [v for v in items if v]
    if not items:
        raise UsageError(f"{name} is empty; expected at least one column name, e.g. age,sex")
    repeated = sorted({v for v in items if items.count(v) > 1})
    if repeated:
        raise UsageError(f"{name} names {', '.join(repeated)} more than once; give each once")
    return items


def _resolve_k(k: Any, policy: Any) -> tuple[int, str]:
    if k is not None:
        if isinstance(k, bool) or not isinstance(k, int) or k < 2:
            raise UsageError(f"k must be a whole number >= 2, got {k!r}")
        return k, "argument"
    if policy.settings.k_anonymity is not None:
        return int(policy.settings.k_anonymity), "policy"
    return DEFAULT_K_ANONYMITY, "default"


def _load_policy(policy: Any) -> Any:
    from fairmark.policy import Policy, load_policy

    if isinstance(policy, Policy):
        return policy
    return load_policy(policy if policy is not None else "default")


def _judging_policy(policy: Any, k: int, *, explicit_k: bool) -> tuple[Any, bool]:
    """The policy that judges the run, and whether its k-anonymity rule is the implicit one.

    A policy without a ``privacy.k_anonymity`` rule gets an implicit blocking rule
    ``min = k`` (principle privacy). With an explicit ``k`` (argument / ``--k``) every
    ``privacy.k_anonymity`` rule of the policy is judged with ``min = k`` for this run:
    the explicit k overrides the policy's bound, and the document records both
    (``settings.k`` and ``settings.policy_bounds``).
    """
    from fairmark.policy.model import Rule

    if any(rule.check == CHECK_ID for rule in policy.rules):
        if not explicit_k:
            return policy, False
        rules = tuple(
            rule.model_copy(
                update={
                    "min": float(k),
                    "rationale": f"{rule.rationale} [min {rule.min} of the policy overridden "
                    f"by the explicit k = {k} of this run]",
                }
            )
            if rule.check == CHECK_ID
            else rule
            for rule in policy.rules
        )
        return policy.model_copy(update={"rules": rules}), False
    rule = Rule(
        id=IMPLICIT_RULE_ID,
        check=CHECK_ID,
        min=float(k),
        severity="block",
        principle="privacy",
        rationale=(
            f"Every combination of quasi-identifiers must be shared by at least k = {k} "
            "records (Sweeney 2002, IJUFKS 10(5)); implicit rule: the policy has no "
            "privacy.k_anonymity rule, k from the argument, its settings.k_anonymity or the "
            "default."
        ),
    )
    return policy.model_copy(update={"rules": (*policy.rules, rule)}), True


def _kanon_checks() -> list[Check]:
    from fairmark.checks import get_registry

    checks = [c for c in get_registry().values() if c.input == RUN_KIND]
    if all(c.id != CHECK_ID for c in checks):
        checks.append(k_anonymity_check.CHECK)
    return checks


def k_anonymity(
    data: Any,
    *,
    quasi_identifiers: str | Sequence[str],
    k: int | None = None,
    sensitive: str | None = None,
    policy: Any = None,
    suggest: bool = True,
) -> KAnonymityResult:
    """Measure the re-identification risk of ``data`` through its quasi-identifiers.

    Parameters
    ----------
    data : path, pandas/polars/pyarrow table, ibis.Table or Spark DataFrame
        One row per person (see :func:`fairmark.engine.source.as_table`).
    quasi_identifiers : str or sequence of str
        The columns an attacker may know from elsewhere (``"age,sex,postcode"`` or a
        list); at least one, each once.
    k : int, optional
        The required k (>= 2). Default: the policy's ``settings.k_anonymity``, else
        :data:`fairmark.policy.model.DEFAULT_K_ANONYMITY` (10). When given, it is the
        bound of the verdict: every ``privacy.k_anonymity`` rule of the policy is judged
        with ``min = k`` for this run (the explicit k overrides the policy's bound; the
        document records both, ``settings.k`` and ``settings.policy_bounds``).
    sensitive : str, optional
        A sensitive column (diagnosis, income band …) for l-diversity; not a
        quasi-identifier.
    policy : str, path or Policy, optional
        Default: the built-in policy. Its ``privacy.k_anonymity`` rules judge the k
        achieved (with ``min = k`` when ``k`` is given); without one, an implicit blocking
        rule requires ``k_achieved >= k``.
    suggest : bool, default True
        Suggest generalisations (:mod:`fairmark.privacy.generalise`) when ``k`` is not
        met.

    Returns
    -------
    KAnonymityResult
        ``to_dict()`` gives the ``kanon`` document (``kanon.schema.json``).

    Raises
    ------
    UsageError
        No or repeated quasi-identifiers, ``k`` not a whole number >= 2, the sensitive
        column also a quasi-identifier, ``suggest`` not a bool.
    DataError
        A missing column (the available ones are listed), a table without rows, an
        unreadable file.
    PolicyError
        An unreadable or invalid policy.

    Notes
    -----
    k-anonymity: Samarati & Sweeney 1998 (SRI-CSL-98-04); Sweeney 2002, IJUFKS
    10(5):557-570. The data are k-anonymous when every equivalence class (records with
    the same quasi-identifier values) has at least k records; the k *achieved* is the
    size of the smallest class. A missing value is a value of its own: records with a
    missing postcode form classes of their own (SQL ``GROUP BY`` semantics).

    l-diversity (Machanavajjhala et al., ICDE 2006; ACM TKDD 1(1), 2007): distinct
    l-diversity is the fewest distinct sensitive values in any class, entropy
    l-diversity ``exp(min_class H)`` with ``H = -Σ p ln p`` over the class's values; a
    missing sensitive value counts as a value.

    Engine work: one query groups by the quasi-identifiers and folds the classes into the
    class-size histogram (nested aggregates); with ``sensitive`` the classes come from an
    inner ``GROUP BY quasi-identifiers, sensitive`` (the per-value counts that entropy
    needs), still one statement. Only the histogram leaves the engine. Suggestions run
    one query per evaluated generalisation.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age": [30, 30, 30, 41, 41], "sex": list("ffmmm")})
    >>> r = k_anonymity(df, quasi_identifiers=["age", "sex"], k=2, suggest=False)
    >>> r.metrics.k_achieved, r.metrics.records_below_k, r.verdict
    (1, 1, 'fail')
    """
    from fairmark.policy import evaluate

    qis = _column_list("quasi_identifiers", quasi_identifiers)
    if sensitive is not None:
        if not isinstance(sensitive, str) or not sensitive.strip():
            raise UsageError(f"sensitive must be a column name, got {sensitive!r}")
        if sensitive in qis:
            raise UsageError(
                f"sensitive column {sensitive!r} is also a quasi-identifier; a column is one "
                "or the other"
            )
    if not isinstance(suggest, bool):
        raise UsageError(f"suggest must be true or false, got {suggest!r}")
    pol = _load_policy(policy)
    k_value, k_source = _resolve_k(k, pol)

    source = as_table(data)
    table = source.table
    available = list(table.columns)
    for column in [*qis, *([sensitive] if sensitive else [])]:
        if column not in available:
            raise DataError(missing_column_message(column, available))
    profile = class_size_profile(
        table, {q: table[q] for q in qis}, table[sensitive] if sensitive else None
    )
    if profile.n_records == 0:
        raise DataError("the data have no rows; expected at least one record")
    l_div = None
    if sensitive is not None:
        assert profile.distinct_l is not None and profile.entropy_l is not None
        l_div = LDiversity(
            sensitive=sensitive,
            distinct_l=profile.distinct_l,
            entropy_l=profile.entropy_l,
            homogeneous_classes=profile.homogeneous_classes,
            records_in_homogeneous_classes=profile.records_in_homogeneous_classes,
        )
    metrics = KAnonymityMetrics(
        quasi_identifiers=tuple(qis),
        k=k_value,
        n_records=profile.n_records,
        n_classes=profile.n_classes,
        k_achieved=profile.k_achieved,
        records_below_k=profile.records_below(k_value),
        classes_below_k=profile.classes_below(k_value),
        records_with_missing_qi=profile.records_with_missing_qi,
        histogram=profile.histogram,
        l_diversity=l_div,
    )
    suggestions: tuple[Any, ...] = ()
    if suggest and not metrics.meets_k:
        from fairmark.privacy.generalise import suggest_generalisations

        suggestions = suggest_generalisations(table, quasi_identifiers=qis, k=k_value)
    measurements = tuple(m for check in _kanon_checks() for m in check.measure(metrics))
    judging, implicit = _judging_policy(pol, k_value, explicit_k=k_source == "argument")
    outcome = evaluate(judging, measurements, run_kind=RUN_KIND)
    description = str(data) if isinstance(data, str | Path) else source.description
    return KAnonymityResult(
        run_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        metrics=metrics,
        k_source=k_source,  # type: ignore[arg-type]
        suggestions=suggestions,
        measurements=measurements,
        outcome=outcome,
        policy=pol,
        data_description=description,
        implicit_rule=implicit,
    )
