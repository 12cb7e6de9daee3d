"""Hugging Face model-card metadata (the YAML front matter of a model repo's README.md).

Format: the Hub's model card specification (``huggingface/hub-docs``, ``modelcard.md``):
``license``, ``tags``, ``datasets`` and ``model-index``, a list of
``{name, results: [{task: {type, name}, dataset: {type, name}, metrics: [{type, value,
name, args, verified}]}]}``; ``task.type``, ``dataset.type``, ``dataset.name``,
``metrics[].type`` and ``metrics[].value`` are required. ``verified`` is ``false``:
the results are self-reported (``true`` means Hugging Face computed them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from fairmark.explain.model_details import ModelDetails
from fairmark.report.glossary import glossary

__all__ = ["BASE_TAGS", "hf_metadata", "hf_yaml"]

#: Tags every fairmark model card carries.
BASE_TAGS = ("fairmark", "fairness-audit", "model-card")
_FEATURE_LEVEL = frozenset(
    {
        "demographic_parity_difference",
        "demographic_parity_ratio",
        "equal_opportunity_difference",
        "equalized_odds_difference",
        "predictive_parity_difference",
    }
)
_TASK_NAMES = {
    "tabular-classification": "Tabular Classification",
    "tabular-regression": "Tabular Regression",
}


def _name(key: str) -> str:
    entry = glossary().get(key)
    return entry.name if entry is not None else key.replace("_", " ")


def _results(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    hidden = {(g["feature"], g["group"]) for g in doc["groups"] if g["suppressed"]}
    metrics: list[dict[str, Any]] = []
    for d in doc["disparities"]:
        value = d["value"]
        if d["metric"] not in _FEATURE_LEVEL or not isinstance(value, int | float):
            continue
        if (d["feature"], d["group"]) in hidden or (d["feature"], d["reference"]) in hidden:
            continue
        metrics.append(
            {
                "type": d["metric"],
                "value": float(value),
                "name": f"{_name(d['metric'])} ({d['feature']})",
                "args": {"feature": d["feature"], "group": d["group"], "reference": d["reference"]},
                "verified": False,
            }
        )
    for g in doc["groups"]:
        rate = g.get("selection_rate") or {}
        if g["suppressed"] or not isinstance(rate.get("value"), int | float):
            continue
        metrics.append(
            {
                "type": "selection_rate",
                "value": float(rate["value"]),
                "name": f"Selection rate ({g['feature']} = {g['group']})",
                "args": {"feature": g["feature"], "group": g["group"]},
                "verified": False,
            }
        )
    return metrics


def hf_metadata(doc: Mapping[str, Any], details: ModelDetails, model_name: str) -> dict[str, Any]:
    """Build the metadata mapping of a Hugging Face model card.

    Parameters
    ----------
    doc : Mapping
        A validated ``report.json`` document.
    details : ModelDetails
        Owner-supplied facts (``license``, ``tags``, ``datasets``, ``task``,
        ``dataset_name``).
    model_name : str
        ``model-index[0].name``.

    Returns
    -------
    dict
        ``license`` (only when documented), ``tags``, ``datasets`` (only when given) and
        ``model-index`` with self-reported fairness results: the feature-level
        disparities and each shown group's selection rate (suppressed groups never
        appear).
    """
    meta: dict[str, Any] = {}
    if details.license:
        meta["license"] = details.license
    meta["tags"] = list(dict.fromkeys([*BASE_TAGS, details.task, *details.tags]))
    if details.datasets:
        meta["datasets"] = list(details.datasets)
    metrics = _results(doc)
    if metrics:
        summary = doc.get("summary", {})
        dataset_type = details.datasets[0] if details.datasets else "audit-data"
        dataset_name = details.dataset_name or str(
            summary.get("data") or f"Audited data ({doc['data_fingerprint']['value'][:12]})"
        )
        meta["model-index"] = [
            {
                "name": model_name,
                "results": [
                    {
                        "task": {
                            "type": details.task,
                            "name": _TASK_NAMES.get(details.task, details.task),
                        },
                        "dataset": {"type": dataset_type, "name": dataset_name},
                        "metrics": metrics,
                    }
                ],
            }
        ]
    return meta


def hf_yaml(meta: Mapping[str, Any]) -> str:
    """Dump metadata as the YAML block of a model card (without the ``---`` fences)."""
    return yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True, width=100)
