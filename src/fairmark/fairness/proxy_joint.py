"""The joint proxy test: how well all features together predict a sensitive attribute.

A feature can be harmless alone and revealing in combination (postcode and first name
and shopping basket). This test fits a scikit-learn model predicting the sensitive
attribute from every candidate feature, on the bounded sample the engine drew, and
reports its cross-validated ROC AUC: the *redundant encoding* of the attribute in the
data (Dwork et al., "Fairness through awareness", ITCS 2012: leaving the attribute out
does not remove it when other features encode it; Feldman et al., "Certifying and
removing disparate impact", KDD 2015, who measure it by how well the attribute can be
predicted from the other attributes, there with the balanced error rate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fairmark.errors import Reason
from fairmark.fairness.proxy_result import RedundantEncoding
from fairmark.fairness.proxy_tables import CandidateFeature

__all__ = ["MAX_CATEGORIES", "MODEL_NAME", "redundant_encoding_auc"]

MODEL_NAME = "HistGradientBoostingClassifier"
MAX_CATEGORIES = 255
"""Most categories a feature may have in the model (scikit-learn's ``max_bins``)."""
OTHER_LABEL = "(other)"


def _design(sample: Any, features: Sequence[CandidateFeature]) -> Any:
    """Return the model's feature frame: categoricals as pandas categories, floats."""
    import pandas as pd

    columns = {}
    for i, f in enumerate(features):
        col = sample[f"f{i}"]
        if f.kind == "categorical":
            text = col.astype(str)
            keep = text.value_counts().index[: MAX_CATEGORIES - 1]
            text = text.where(text.isin(keep), OTHER_LABEL)
            columns[f.column] = pd.Categorical(text)
        else:
            columns[f.column] = pd.to_numeric(col, errors="coerce").astype("float64")
    return pd.DataFrame(columns)


def redundant_encoding_auc(
    sample: Any,
    features: Sequence[CandidateFeature],
    target: str,
    sensitive_name: str,
    *,
    cv_folds: int = 5,
    random_state: int = 0,
    min_group_size: int = 30,
) -> RedundantEncoding:
    """Cross-validated ROC AUC of predicting a sensitive attribute from all features.

    Parameters
    ----------
    sample : pandas.DataFrame
        The bounded sample from :func:`fairmark.fairness.proxy_tables.draw_sample`
        (columns ``f0 …`` for the features, ``target`` for the sensitive labels).
    features : sequence of CandidateFeature
        The candidate features, in the order of the sample's ``f`` columns.
    target : str
        Sample column holding the sensitive feature's labels (``(missing)`` included as a
        group of its own).
    sensitive_name : str
        Name reported.
    cv_folds : int, default 5
        Stratified folds (>= 2).
    random_state : int, default 0
        Seed of the fold split and of the model.
    min_group_size : int, default 30
        Groups with fewer rows in the sample (or fewer than ``cv_folds``) are left out
        of the test: they cannot be cross-validated reliably.

    Returns
    -------
    RedundantEncoding
        ``value`` is the mean over folds of ROC AUC (binary) or of the macro-averaged
        one-vs-rest ROC AUC (more than two groups; Hand & Till's alternative is not
        used): scikit-learn's ``roc_auc`` and ``roc_auc_ovr`` scorers. ``None`` with
        reason ``single_group`` when fewer than two groups are large enough.

    Notes
    -----
    Model: ``HistGradientBoostingClassifier`` with native categorical support
    (categories beyond the 254 most frequent in the sample are merged into ``(other)``)
    and native handling of missing numbers, fitted with one OpenMP thread; folds:
    ``StratifiedKFold(shuffle=True)``.
    ROC AUC: Hanley & McNeil, *Radiology* 143 (1982) 29; one-vs-rest macro average:
    Fawcett, *Pattern Recognit. Lett.* 27 (2006) 861 (multi-class AUC).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from threadpoolctl import threadpool_limits

    n_sample = len(sample)
    labels = sample[target].astype(str)
    counts = labels.value_counts()
    big = counts[counts >= max(min_group_size, cv_folds)].index
    left_out = int(len(counts) - len(big))
    if len(big) < 2:
        return RedundantEncoding(
            sensitive_name, None, None, n_sample, len(big), left_out, MODEL_NAME,
            cv_folds, Reason.SINGLE_GROUP.value,
        )  # fmt: skip
    keep = labels.isin(big).to_numpy()
    x = _design(sample.loc[keep].reset_index(drop=True), features)
    y = labels[keep].to_numpy()
    model = HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=random_state
    )
    folds = StratifiedKFold(n_splits=cv_folds, shuffle=True, random_state=random_state)
    scoring = "roc_auc" if len(big) == 2 else "roc_auc_ovr"
    # One OpenMP thread: on a sample this small, thread start-up costs more than it saves
    # (ten times more on a busy machine), and the result does not depend on the core count.
    with threadpool_limits(limits=1, user_api="openmp"):
        scores = np.asarray(
            cross_val_score(model, x, y, cv=folds, scoring=scoring, error_score="raise")
        )
    return RedundantEncoding(
        sensitive_feature=sensitive_name,
        value=float(scores.mean()),
        std=float(scores.std(ddof=1)) if len(scores) > 1 else None,
        n_sample=n_sample,
        n_classes=len(big),
        groups_left_out=left_out,
        model=MODEL_NAME,
        cv_folds=cv_folds,
    )
