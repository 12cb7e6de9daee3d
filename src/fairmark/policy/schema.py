"""The JSON Schema (draft 2020-12) of a policy file, shipped as package data."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

__all__ = ["policy_schema", "policy_validator"]


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("fairmark.policy").joinpath("schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def policy_schema() -> dict[str, Any]:
    """Return the JSON Schema of a policy file (a fresh copy, safe to modify).

    Returns
    -------
    dict
        A JSON Schema, draft 2020-12 (https://json-schema.org/draft/2020-12). Fields that
        need a custom explanation carry an ``x-message`` annotation (ignored by validators)
        that the policy loader uses in its error messages.
    """
    return copy.deepcopy(_schema())


@cache
def policy_validator() -> Draft202012Validator:
    """Return a validator of the policy schema that also checks ``format`` (``date``).

    Returns
    -------
    jsonschema.Draft202012Validator
    """
    return Draft202012Validator(_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
