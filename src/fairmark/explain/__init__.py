"""Explanations and model cards (extra ``[explain]``: SHAP).

* :func:`global_importance`: which features a fitted model relies on (SHAP for tree and
  linear models, permutation importance otherwise), on a bounded sample;
* :func:`explain_decision`: "why am I seeing this offer?" for one person, in customer
  words (:func:`load_labels`, shipped ``"bank_marketing"`` labels);
* :func:`build_model_card`: a model card (Mitchell et al. 2019) from an audit record, as
  Markdown, self-contained HTML and Hugging Face metadata;
* :func:`save_model` / :func:`load_model`: joblib persistence (loading a pickle runs code:
  only load trusted files).

SHAP is imported only when a SHAP explanation is computed; without it a clear
:class:`fairmark.errors.UsageError` says how to install it, and permutation importance
still works.
"""

from fairmark.explain.columns import aggregate_columns, column_sources
from fairmark.explain.decision import DecisionExplanation, Driver, explain_decision
from fairmark.explain.feature_labels import FeatureLabel, FeatureLabels, humanise, load_labels
from fairmark.explain.importance import FeatureImportance, GlobalImportance, global_importance
from fairmark.explain.model_card import ModelCard, build_model_card
from fairmark.explain.model_io import load_model, save_model
from fairmark.explain.sample import bounded_sample, select_row
from fairmark.explain.shap_values import ShapValues, shap_values

__all__ = [
    "DecisionExplanation",
    "Driver",
    "FeatureImportance",
    "FeatureLabel",
    "FeatureLabels",
    "GlobalImportance",
    "ModelCard",
    "ShapValues",
    "aggregate_columns",
    "bounded_sample",
    "build_model_card",
    "column_sources",
    "explain_decision",
    "global_importance",
    "humanise",
    "load_labels",
    "load_model",
    "save_model",
    "select_row",
    "shap_values",
]
