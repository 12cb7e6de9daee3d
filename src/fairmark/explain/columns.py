"""Map the columns a preprocessor produces back to the input features they came from.

A one-hot encoder turns ``poutcome`` into ``poutcome_failure``, ``poutcome_nonexistent``
and ``poutcome_success``; a model explained in that transformed space gives one SHAP
value per column, and a person asks about ``poutcome``. Because SHAP values are additive
(Lundberg & Lee 2017, property 1 "local accuracy"), the contribution of an input feature
is the sum of the values of the columns derived from it; the SHAP documentation does the
same for one-hot encoded features ("sum the SHAP values of the one-hot columns").

Mapping rules, applied step by step through a Pipeline and per transformer of a
:class:`~sklearn.compose.ColumnTransformer`:

* ``OneHotEncoder``: the columns of input ``j`` are ``len(categories_[j])`` minus a
  dropped category (``drop_idx_``) minus the infrequent categories merged into one
  (``infrequent_categories_``), in input order;
* a transformer of one input column: every output comes from that column;
* a one-to-one transformer (:class:`~sklearn.base.OneToOneFeatureMixin`, e.g.
  ``StandardScaler``; ``SimpleImputer`` without indicator; ``"passthrough"`` and a
  ``FunctionTransformer(feature_names_out="one-to-one")``, which is how scikit-learn
  passes the remainder through): output ``j`` comes from input ``j``;
* anything else (e.g. PCA over several columns): every output comes from all of its
  inputs jointly, reported as one feature ``"a + b"``; it cannot honestly be split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fairmark.errors import DataError, UsageError

__all__ = ["aggregate_columns", "column_sources", "source_name"]

Sources = list[tuple[str, ...]]


def source_name(source: tuple[str, ...]) -> str:
    """Name of the input feature (or joint features) behind a transformed column."""
    return " + ".join(source)


def _n_out(step: Any, n_in: int) -> int | None:
    if step == "passthrough":
        return n_in
    try:
        return len(step.get_feature_names_out())
    except Exception:  # not every transformer implements it
        return None


def _onehot_counts(encoder: Any) -> list[int]:
    counts = []
    drop_idx = getattr(encoder, "drop_idx_", None)
    infrequent = getattr(encoder, "infrequent_categories_", None)
    for j, cats in enumerate(encoder.categories_):
        n = len(cats)
        if infrequent is not None and infrequent[j] is not None:
            n -= len(infrequent[j]) - 1
        if drop_idx is not None and drop_idx[j] is not None:
            n -= 1
        counts.append(n)
    return counts


def _map_step(step: Any, sources: Sources, n_out: int | None) -> Sources:
    """Sources of the outputs of one fitted step, given the sources of its inputs."""
    from sklearn.base import OneToOneFeatureMixin
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    if isinstance(step, Pipeline):
        for _, sub in step.steps:
            if sub is None or sub == "passthrough":
                continue
            sources = _map_step(sub, sources, _n_out(sub, len(sources)))
        return sources
    if isinstance(step, ColumnTransformer):
        return _map_column_transformer(step, sources)
    if n_out is None:
        raise UsageError(
            f"cannot tell how many columns {type(step).__name__} produces "
            "(no get_feature_names_out); expected scikit-learn transformers"
        )
    if isinstance(step, OneHotEncoder):
        counts = _onehot_counts(step)
        if len(counts) == len(sources) and sum(counts) == n_out:
            return [src for src, k in zip(sources, counts, strict=True) for _ in range(k)]
    one_to_one = (
        step == "passthrough"
        or isinstance(step, OneToOneFeatureMixin)
        or getattr(step, "feature_names_out", None) == "one-to-one"  # FunctionTransformer
    )
    if isinstance(step, SimpleImputer) and not step.add_indicator:
        one_to_one = True
    if one_to_one and n_out == len(sources):
        return list(sources)
    if len(sources) == 1:
        return [sources[0]] * n_out
    joint = tuple(dict.fromkeys(name for src in sources for name in src))
    return [joint] * n_out


def _resolve_columns(columns: Any, sources: Sources, names: Sequence[str] | None) -> list[int]:
    """Positions (into the step's input) selected by a ColumnTransformer column spec."""
    n = len(sources)
    if isinstance(columns, str | int):
        columns = [columns]
    if isinstance(columns, slice):
        if names is not None and isinstance(columns.start or columns.stop, str):
            lo = names.index(columns.start) if columns.start is not None else 0
            hi = names.index(columns.stop) + 1 if columns.stop is not None else n
            return list(range(lo, hi))
        return list(range(n))[columns]
    items = list(np.asarray(columns).tolist()) if not isinstance(columns, list) else columns
    if items and all(isinstance(x, bool) for x in items):
        return [i for i, keep in enumerate(items) if keep]
    out = []
    for item in items:
        if isinstance(item, str):
            if names is None or item not in names:
                raise UsageError(f"column {item!r} of the ColumnTransformer is not an input column")
            out.append(list(names).index(item))
        else:
            out.append(int(item))
    return out


def _map_column_transformer(ct: Any, sources: Sources) -> Sources:
    names_in = getattr(ct, "feature_names_in_", None)
    names = [str(x) for x in names_in] if names_in is not None else None
    result: Sources = []
    for _, trans, columns in ct.transformers_:
        if trans == "drop":
            continue
        idx = _resolve_columns(columns, sources, names)
        if not idx:
            continue
        sub = [sources[i] for i in idx]
        result.extend(_map_step(trans, sub, _n_out(trans, len(sub))))
    return result


def column_sources(
    preprocessor: Any | None, input_columns: Sequence[str], n_columns: int
) -> list[tuple[str, ...]]:
    """Return, for each transformed column, the input feature(s) it is derived from.

    Parameters
    ----------
    preprocessor : fitted transformer or None
        ``pipeline[:-1]`` of a fitted Pipeline (a Pipeline, a ColumnTransformer or a
        single transformer); ``None`` when the model takes its inputs unchanged.
    input_columns : sequence of str
        The model's input columns, shape ``(m,)``.
    n_columns : int
        Number of columns the preprocessor actually produces (checked).

    Returns
    -------
    list of tuple of str
        Length ``n_columns``; entry ``k`` names the input feature of column ``k`` (one
        name) or the input features it mixes (several names).

    Raises
    ------
    UsageError
        If the mapping cannot be derived or does not account for exactly ``n_columns``
        columns (explain with permutation importance instead).
    """
    sources: Sources = [(str(c),) for c in input_columns]
    if preprocessor is not None:
        sources = _map_step(preprocessor, sources, _n_out(preprocessor, len(sources)))
    if len(sources) != n_columns:
        raise UsageError(
            f"mapped {len(sources)} transformed columns back to input features but the "
            f"preprocessor produced {n_columns}; expected them to match (use "
            "method='permutation' for this model)"
        )
    return sources


def aggregate_columns(
    values: np.ndarray, sources: Sequence[tuple[str, ...]]
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Sum per-column values (e.g. SHAP values) into one value per input feature.

    Parameters
    ----------
    values : numpy.ndarray, shape (n, k)
        One value per row and transformed column, in the model's output units.
    sources : sequence of tuple of str, length k
        The input feature(s) of each transformed column (:func:`column_sources`).

    Returns
    -------
    totals : numpy.ndarray, shape (n, m)
        ``totals[:, f]`` is the sum of ``values[:, k]`` over the columns ``k`` whose
        source is feature ``f``; rows sum to the same totals as ``values``.
    features : tuple of str, length m
        Feature names (joint sources as ``"a + b"``), in order of first appearance.

    Raises
    ------
    DataError
        If ``values`` is not 2-D with ``len(sources)`` columns.

    Notes
    -----
    Additivity of Shapley values over a partition of the players (Lundberg & Lee 2017).
    """
    matrix = np.asarray(values, dtype="float64")
    if matrix.ndim != 2 or matrix.shape[1] != len(sources):
        raise DataError(
            f"values have shape {matrix.shape}; expected (n, {len(sources)}), one column per source"
        )
    features = tuple(dict.fromkeys(source_name(s) for s in sources))
    index = {name: i for i, name in enumerate(features)}
    member = np.zeros((len(sources), len(features)))
    for k, src in enumerate(sources):
        member[k, index[source_name(src)]] = 1.0
    return matrix @ member, features
