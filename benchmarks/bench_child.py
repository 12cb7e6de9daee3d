"""The work of one benchmark contender, run in its own process.

Usage (by ``bench_audit.py``; ``python`` may be another venv's)::

    python benchmarks/bench_child.py CONTENDER DATA.parquet OUT.json

The child times what it does with ``time.perf_counter`` after its imports (``load_s``:
reading the Parquet file into memory, where the contender needs that; ``compute_s``: the
metric computation) and writes ``OUT.json``::

    {"contender": ..., "load_s": ..., "compute_s": ...,
     "groups": {KEY: [selection_rate, tpr, fpr], ...}}

``KEY`` names a group as ``feature=level`` terms joined by ``&``; one term may list
alternatives joined by ``|`` (``gender=male|non-binary`` for AIF360's "rest" group).
Undefined rates are ``null``. Peak memory and the process's wall time are measured by the
parent. Only the standard library is imported at module level, so the Aequitas venv (which
has no fairmark) can run this file too.

Metric definitions (all contenders): selection rate = (tp + fp) / n, TPR = tp / (tp + fn),
FPR = fp / (fp + tn), with y_true = 1 and y_pred = 1 the positive classes (fairlearn
``selection_rate``, ``true_positive_rate``, ``false_positive_rate``; Hardt et al. 2016).
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = ["CONTENDERS", "FEATURES", "group_key", "main", "rates_from_counts"]

FEATURES: tuple[str, ...] = ("age_band", "gender", "region")
AIF360_BINARY = ("gender", "female")
"""AIF360 ``ClassificationMetric``: protected attribute ``gender == "female"`` (1) vs rest."""


def group_key(terms: Iterable[tuple[str, str | Sequence[str]]]) -> str:
    """Return the canonical key of a group: ``"a=x&b=y|z"``, terms sorted by feature.

    Parameters
    ----------
    terms : iterable of (feature, level or levels)
        One term per feature; a sequence of levels means "any of these".

    Returns
    -------
    str
    """
    parts = []
    for feature, level in sorted(terms, key=lambda t: t[0]):
        levels = [level] if isinstance(level, str) else sorted(str(v) for v in level)
        parts.append(f"{feature}={'|'.join(levels)}")
    return "&".join(parts)


def _num(x: Any) -> float | None:
    """A finite float, or None for NaN/None (undefined rate)."""
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) else f


def rates_from_counts(tp: float, fp: float, fn: float, tn: float) -> list[float | None]:
    """Return ``[selection_rate, tpr, fpr]`` from confusion counts; None where 0/0.

    Parameters
    ----------
    tp, fp, fn, tn : float
        Confusion-matrix counts of one group (non-negative).

    Returns
    -------
    list of (float or None)
        Selection rate (tp+fp)/n, TPR tp/(tp+fn), FPR fp/(fp+tn).
    """

    def div(a: float, b: float) -> float | None:
        return None if b == 0 else a / b

    return [div(tp + fp, tp + fp + fn + tn), div(tp, tp + fn), div(fp, fp + tn)]


# --------------------------------------------------------------------------- contenders
# Each takes the Parquet path and returns (load_s, compute_s, groups).

Result = tuple[float | None, float, dict[str, list[float | None]]]


def run_duckdb(path: str) -> Result:
    """Bare DuckDB: one GROUP BY over the three features (900 intersectional cells)."""
    import duckdb

    con = duckdb.connect()
    sql = (
        "SELECT age_band, gender, region, count(*) AS n, sum(y_true) AS pos, "
        "sum(y_pred) AS sel, sum(y_true * y_pred) AS tp "
        f"FROM read_parquet('{path}') GROUP BY ALL"
    )
    t0 = time.perf_counter()
    rows = con.sql(sql).fetchall()
    compute = time.perf_counter() - t0
    groups = {}
    for age, gender, region, n, pos, sel, tp in rows:
        fp, fn = sel - tp, pos - tp
        tn = n - tp - fp - fn
        key = group_key([("age_band", age), ("gender", gender), ("region", region)])
        groups[key] = rates_from_counts(tp, fp, fn, tn)
    return None, compute, groups


def _fairmark_kwargs(intersections: str) -> dict[str, Any]:
    return {
        "y_true": "y_true",
        "positive_label": 1,
        "y_pred": "y_pred",
        "sensitive_features": list(FEATURES),
        "intersections": intersections,
    }


def fairmark_groups(groups: Iterable[dict[str, Any]]) -> dict[str, list[float | None]]:
    """Convert ``report.json`` ``groups[]`` objects to ``{key: [sr, tpr, fpr]}``.

    Suppressed groups (``n < min_group_size``) carry no values and are left out.

    Parameters
    ----------
    groups : iterable of dict
        Objects with ``features``, ``levels``, ``suppressed`` and ``selection_rate``,
        ``tpr``, ``fpr`` (each ``{"value": ...}``).

    Returns
    -------
    dict
    """
    out = {}
    for g in groups:
        if g["suppressed"]:
            continue
        key = group_key(zip(g["features"], g["levels"], strict=True))
        out[key] = [_num(g[m]["value"]) for m in ("selection_rate", "tpr", "fpr")]
    return out


def _run_fairmark(path: str, intersections: str) -> Result:
    # Everything the call would import lazily is imported before the clock starts.
    import duckdb  # noqa: F401
    import ibis.backends.duckdb  # noqa: F401

    import fairmark
    import fairmark.engine.cube
    import fairmark.fairness.audit
    import fairmark.policy

    t0 = time.perf_counter()
    result = fairmark.audit(path, **_fairmark_kwargs(intersections))
    compute = time.perf_counter() - t0
    return None, compute, fairmark_groups(g.to_dict() for g in result.metrics.groups)


def run_fairmark(path: str) -> Result:
    """fairmark in-process, default ``intersections="pairs"``: features and their pairs."""
    return _run_fairmark(path, "pairs")


def run_fairmark_all(path: str) -> Result:
    """fairmark in-process, ``intersections="all"``: features, pairs and the triple."""
    return _run_fairmark(path, "all")


def _read_pandas(path: str, columns: Sequence[str]) -> Any:
    import pandas as pd

    return pd.read_parquet(path, columns=list(columns))


def run_fairlearn(path: str) -> Result:
    """fairlearn ``MetricFrame`` over the 3-feature intersection (900 groups)."""
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    t0 = time.perf_counter()
    df = _read_pandas(path, [*FEATURES, "y_true", "y_pred"])
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    mf = MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "tpr": true_positive_rate,
            "fpr": false_positive_rate,
        },
        y_true=df["y_true"],
        y_pred=df["y_pred"],
        sensitive_features=df[list(FEATURES)],
    )
    by_group = mf.by_group
    compute = time.perf_counter() - t0
    groups = {}
    for idx, row in by_group.iterrows():
        key = group_key(zip(FEATURES, [str(v) for v in idx], strict=True))
        groups[key] = [_num(row["selection_rate"]), _num(row["tpr"]), _num(row["fpr"])]
    return load, compute, groups


def run_aif360_sklearn(path: str) -> Result:
    """AIF360 ``aif360.sklearn.metrics.intersection`` per group of each feature (59 groups)."""
    from aif360.sklearn.metrics import (
        false_positive_rate_error,
        intersection,
        selection_rate,
        sensitivity_score,
    )

    t0 = time.perf_counter()
    df = _read_pandas(path, [*FEATURES, "y_true", "y_pred"])
    y_true = df.set_index(list(FEATURES))["y_true"]
    y_pred = df["y_pred"].to_numpy()
    load = time.perf_counter() - t0
    funcs: list[Callable[..., Any]] = [
        selection_rate,
        sensitivity_score,
        false_positive_rate_error,
    ]
    t0 = time.perf_counter()
    per_feature = {}
    for feature in FEATURES:
        values = []
        names: Any = None
        for func in funcs:
            vals, names = intersection(
                func, y_true, y_pred, prot_attr=feature, return_groups=True
            )
            values.append(vals)
        per_feature[feature] = (names, values)
    compute = time.perf_counter() - t0
    groups = {}
    for feature, (names, values) in per_feature.items():
        for i, name in enumerate(names):
            level = name[0] if isinstance(name, tuple) else name
            groups[group_key([(feature, str(level))])] = [_num(v[i]) for v in values]
    return load, compute, groups


def run_aif360_binary(path: str) -> Result:
    """AIF360 ``ClassificationMetric`` with one binary attribute (female vs rest) + overall."""
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric

    feature, level = AIF360_BINARY
    t0 = time.perf_counter()
    df = _read_pandas(path, [feature, "y_true", "y_pred"])
    frame = df[["y_true"]].astype("float64")
    frame["prot"] = (df[feature] == level).to_numpy().astype("float64")
    y_pred = df["y_pred"].to_numpy().astype("float64")
    del df
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    truth = BinaryLabelDataset(
        df=frame,
        label_names=["y_true"],
        protected_attribute_names=["prot"],
        favorable_label=1.0,
        unfavorable_label=0.0,
    )
    pred = truth.copy()
    pred.labels = y_pred.reshape(-1, 1)
    metric = ClassificationMetric(
        truth, pred, unprivileged_groups=[{"prot": 1.0}], privileged_groups=[{"prot": 0.0}]
    )
    res = {}
    for privileged in (None, False, True):
        res[privileged] = [
            metric.selection_rate(privileged=privileged),
            metric.true_positive_rate(privileged=privileged),
            metric.false_positive_rate(privileged=privileged),
        ]
    compute = time.perf_counter() - t0
    from synth_data import GENDERS

    rest = [g for g in GENDERS if g != level]
    groups = {
        "": [_num(v) for v in res[None]],
        group_key([(feature, level)]): [_num(v) for v in res[False]],
        group_key([(feature, rest)]): [_num(v) for v in res[True]],
    }
    return load, compute, groups


def run_aequitas(path: str) -> Result:
    """Aequitas ``Group().get_crosstabs`` per group of each feature (59 groups)."""
    from aequitas.group import Group

    t0 = time.perf_counter()
    df = _read_pandas(path, [*FEATURES, "y_true", "y_pred"])
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    xtab, _ = Group().get_crosstabs(
        df, attr_cols=list(FEATURES), score_col="y_pred", label_col="y_true"
    )
    compute = time.perf_counter() - t0
    groups = {}
    for row in xtab.itertuples(index=False):
        key = group_key([(str(row.attribute_name), str(row.attribute_value))])
        groups[key] = [_num(row.pprev), _num(row.tpr), _num(row.fpr)]
    return load, compute, groups


CONTENDERS: dict[str, Callable[[str], Result]] = {
    "fairmark": run_fairmark,
    "fairmark-all": run_fairmark_all,
    "duckdb": run_duckdb,
    "fairlearn": run_fairlearn,
    "aif360-sklearn": run_aif360_sklearn,
    "aif360-binary": run_aif360_binary,
    "aequitas": run_aequitas,
}


def main(argv: Sequence[str]) -> int:
    """Run one contender: ``bench_child.py CONTENDER DATA OUT``; return the exit code.

    Parameters
    ----------
    argv : sequence of str
        ``[CONTENDER, DATA, OUT]``.

    Returns
    -------
    int
        0 on success, 2 on a bad command line (message on stderr).
    """
    if len(argv) != 3 or argv[0] not in CONTENDERS:
        print(
            f"usage: bench_child.py {{{','.join(CONTENDERS)}}} DATA.parquet OUT.json",
            file=sys.stderr,
        )
        return 2
    name, data, out = argv
    load, compute, groups = CONTENDERS[name](data)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(
            {"contender": name, "load_s": load, "compute_s": compute, "groups": groups}, fh
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
