"""Model cards from audit records, as Markdown, self-contained HTML and JSON.

A model card (Mitchell et al. 2019, *Model Cards for Model Reporting*, FAT* '19,
doi:10.1145/3287560.3287596) reports a model's intended use and its performance across
groups. :func:`build_model_card` builds one from the ``report.json`` document of an
audit run (:func:`fairmark.store.get_run`), plus what only the model owner knows
(:class:`~fairmark.explain.model_details.ModelDetails`). The Markdown form starts with
Hugging Face model-card metadata as YAML front matter, so it can be a model repo's
``README.md``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from fairmark.errors import UsageError
from fairmark.explain.card_sections import MITCHELL_SECTIONS, CardSection, build_sections
from fairmark.explain.hf_metadata import hf_metadata, hf_yaml
from fairmark.explain.model_details import ModelDetails, load_model_details

__all__ = ["CARD_SCHEMA", "ModelCard", "build_model_card"]

#: Identifier of the JSON form of a model card.
CARD_SCHEMA = "fairmark.model_card/1"


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("fairmark.explain", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _md_cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


@dataclass(frozen=True)
class ModelCard:
    """A model card.

    Attributes
    ----------
    title : str
        "Model card: <model name>".
    model_name : str
        From the model details, else the audit's ``system_name``.
    run_id : str
        The audit run the card is built from.
    verdict : str
        The audit's policy verdict (``pass``, ``warn``, ``fail``, ``insufficient_evidence``).
    sections : tuple of CardSection
        The nine sections of Mitchell et al. 2019, in order.
    metadata : dict
        Hugging Face model-card metadata (see :mod:`fairmark.explain.hf_metadata`).
    """

    title: str
    model_name: str
    run_id: str
    verdict: str
    sections: tuple[CardSection, ...]
    metadata: dict[str, Any]

    def section(self, key: str) -> CardSection:
        """The section with ``key`` (one of :data:`MITCHELL_SECTIONS`).

        Raises
        ------
        UsageError
            If there is no such section.
        """
        for s in self.sections:
            if s.key == key:
                return s
        raise UsageError(f"no section {key!r}; expected one of {[k for k, _ in MITCHELL_SECTIONS]}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of the card (``fairmark model-card --format json``)."""
        return {
            "schema": CARD_SCHEMA,
            "title": self.title,
            "model_name": self.model_name,
            "run_id": self.run_id,
            "verdict": self.verdict,
            "metadata": self.metadata,
            "sections": [s.to_dict() for s in self.sections],
        }

    def metadata_yaml(self) -> str:
        """The Hugging Face metadata as YAML (without the ``---`` fences)."""
        return hf_yaml(self.metadata)

    def to_markdown(self) -> str:
        """Markdown with the Hugging Face metadata as YAML front matter."""
        template = _environment().get_template("model_card.md.j2")
        return str(template.render(card=self, front_matter=self.metadata_yaml(), cell=_md_cell))

    def to_html(self) -> str:
        """A self-contained HTML page (inline CSS, no script, no external resource)."""
        template = _environment().get_template("model_card.html.j2")
        return str(template.render(card=self, front_matter=self.metadata_yaml()))


def build_model_card(
    run_doc: Mapping[str, Any],
    *,
    model_details: ModelDetails | Mapping[str, Any] | str | os.PathLike[str] | None = None,
) -> ModelCard:
    """Build a model card from an audit record.

    Parameters
    ----------
    run_doc : Mapping
        The ``report.json`` document of an audit run, as returned by
        :func:`fairmark.store.get_run` or ``fairmark.audit(...).to_dict()``.
    model_details : ModelDetails, Mapping, path or None, optional
        What the model owner documents: name, version, licence, intended use, training
        data, caveats … (:class:`~fairmark.explain.model_details.ModelDetails`; a path
        is read as YAML). A section the owner has not documented says so plainly.

    Returns
    -------
    ModelCard
        Sections: model details, intended use, factors, metrics, evaluation data,
        training data, quantitative analyses by group (from ``groups[]`` and
        ``disparities[]``, plus ``score_metrics[]`` / ``outcome_metrics[]`` when
        present), ethical considerations, caveats and recommendations. Groups below
        ``min_group_size`` never show counts or values.

    Raises
    ------
    UsageError
        If ``run_doc`` is not a valid ``report.json`` document (schema 1.x, no leaked
        suppressed counts) or the model details are malformed.

    Notes
    -----
    Sections after Mitchell et al. 2019 (Figure 1); metadata after the Hugging Face
    model card specification.
    """
    from fairmark.report._view import build_view
    from fairmark.report.disclosure_control import publishable
    from fairmark.report.validate import validate_report

    validate_report(run_doc)
    run_doc = publishable(run_doc)  # a stored run is complete; a model card is published
    details = load_model_details(model_details)
    view = build_view(run_doc)
    name = details.name or run_doc.get("system_name") or "Unnamed model"
    return ModelCard(
        title=f"Model card: {name}",
        model_name=str(name),
        run_id=str(run_doc["run_id"]),
        verdict=str(run_doc["verdict"]),
        sections=build_sections(run_doc, view, details),
        metadata=hf_metadata(run_doc, details, str(name)),
    )
