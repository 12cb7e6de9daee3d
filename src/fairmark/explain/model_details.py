"""What the model owner says about a model: the parts of a model card an audit cannot know."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fairmark.errors import UsageError

__all__ = ["ModelDetails", "load_model_details"]


class ModelDetails(BaseModel):
    """Owner-supplied facts for a model card (Mitchell et al. 2019, FAT* '19).

    Every field is optional; a card section without them says plainly that the model
    owner has not documented it.

    Attributes
    ----------
    name, version, model_type, owner, contact, date, description, citation : str or None
        Model details (section 1). ``date`` is free text, e.g. ``2026-11-30``.
    license : str or None
        Licence identifier as on the Hugging Face Hub (lower case, e.g. ``apache-2.0``,
        ``other``).
    intended_use : list of str
        Primary intended uses (section 2).
    intended_users : list of str
        Primary intended users.
    out_of_scope : list of str
        Uses the model is not meant for.
    factors : list of str
        Further relevant factors beyond the audited groups (section 3).
    training_data : str or None
        Training data description (section 6).
    evaluation_data : str or None
        More about the evaluation data (section 5).
    ethical_considerations : list of str
        Owner's ethical considerations (section 8).
    caveats : list of str
        Owner's caveats and recommendations (section 9).
    tags : list of str
        Extra Hugging Face tags.
    datasets : list of str
        Hugging Face dataset ids of the training/evaluation data.
    task : str
        Hugging Face task type of the model-index results (default
        ``tabular-classification``).
    dataset_name : str or None
        Pretty name of the evaluation dataset in the model-index.
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    version: str | None = None
    model_type: str | None = None
    owner: str | None = None
    contact: str | None = None
    date: str | None = None
    description: str | None = None
    citation: str | None = None
    license: str | None = None
    intended_use: list[str] = Field(default_factory=list)
    intended_users: list[str] = Field(default_factory=list)
    out_of_scope: list[str] = Field(default_factory=list)
    factors: list[str] = Field(default_factory=list)
    training_data: str | None = None
    evaluation_data: str | None = None
    ethical_considerations: list[str] = Field(default_factory=list)
    caveats: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    datasets: list[str] = Field(default_factory=list)
    task: str = "tabular-classification"
    dataset_name: str | None = None

    @field_validator(
        "intended_use", "intended_users", "out_of_scope", "factors",
        "ethical_considerations", "caveats", "tags", "datasets", mode="before",
    )  # fmt: skip
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("date", "version", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:  # YAML reads 2026-11-30 as a date, 1.0 as a float
        return None if value is None else str(value)


def load_model_details(
    source: ModelDetails | Mapping[str, Any] | str | os.PathLike[str] | None,
) -> ModelDetails:
    """Read model details from a mapping, a YAML file, or ``None`` (nothing documented).

    Parameters
    ----------
    source : ModelDetails, Mapping, str, os.PathLike or None
        The details, or the path of a YAML file holding them.

    Returns
    -------
    ModelDetails

    Raises
    ------
    UsageError
        If the file is missing or not YAML, or a field is unknown or of the wrong type
        (the message names the field).
    """
    if source is None:
        return ModelDetails()
    if isinstance(source, ModelDetails):
        return source
    where = "model details"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"model details file {str(path)!r} not found; expected a YAML file")
        try:
            source = yaml.safe_load(path.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            first = str(exc).strip().splitlines()[0]
            raise UsageError(f"model details {str(path)!r} are not valid YAML: {first}") from None
        where = f"model details {str(path)!r}"
    if not isinstance(source, Mapping):
        raise UsageError(f"{where} must be a mapping; got {type(source).__name__}")
    try:
        return ModelDetails.model_validate(dict(source))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or "(top)"
        raise UsageError(f"{where}: {loc}: {err['msg']}") from None
