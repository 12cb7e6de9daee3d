"""Customer words for features and their values ("why am I seeing this offer?").

A label file is YAML::

    dataset: bank-marketing            # optional, informative
    features:
      poutcome:                        # the model's input column
        name: the result of an earlier campaign   # noun phrase, customer words
        sensitive: false               # a protected or personal characteristic
        values:                        # phrase per category (or exact number)
          success: you responded to an earlier campaign
      euribor3m:
        name: interest rates at the time
        low: interest rates were low at the time    # value below the typical level
        high: interest rates were high at the time  # value above it
        typical: interest rates were at a typical level

A feature or value with no label gets a humanised fallback (``nr.employed`` →
"nr employed", ``blue-collar`` → "blue collar"), never the raw code. The shipped
Bank Marketing labels are :func:`load_labels` ``("bank_marketing")``.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fairmark.errors import UsageError

__all__ = [
    "SHIPPED_LABELS",
    "FeatureLabel",
    "FeatureLabels",
    "Phrase",
    "humanise",
    "load_labels",
    "value_key",
]


class Phrase(NamedTuple):
    """Customer words for a feature value: ``text``, and whether it is a full clause.

    A clause ("interest rates were low at the time") follows "because"; a noun phrase
    ("interest rates at the time") follows "because of".
    """

    text: str
    is_clause: bool


#: Label sets shipped with fairmark, by name.
SHIPPED_LABELS = ("bank_marketing",)


class FeatureLabel(BaseModel):
    """Customer words for one feature.

    Attributes
    ----------
    name : str or None
        Noun phrase for the feature, e.g. "interest rates at the time".
    sensitive : bool
        A protected or personal characteristic (age, marital status …); it is reported
        honestly when it drove a decision, flagged so that it can be monitored.
    values : dict of str to str
        Phrase per category value (or exact number written as text, e.g. ``"999"``).
    low, high, typical : str or None
        Phrases for a number below, above or at the typical level of the comparison rows.
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    sensitive: bool = False
    values: dict[str, str] = Field(default_factory=dict)
    low: str | None = None
    high: str | None = None
    typical: str | None = None


class FeatureLabels(BaseModel):
    """A set of feature labels (see the module docstring for the YAML form).

    Attributes
    ----------
    dataset : str or None
        What the labels are for.
    features : dict of str to FeatureLabel
        Labels by input column name.
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str | None = None
    features: dict[str, FeatureLabel] = Field(default_factory=dict)

    def label(self, feature: str) -> FeatureLabel:
        """The label of ``feature`` (an empty label when there is none)."""
        return self.features.get(feature, FeatureLabel())

    def name(self, feature: str) -> str:
        """Customer words for ``feature``: its label name or the humanised column name."""
        label = self.label(feature)
        return label.name or humanise(feature)

    def is_sensitive(self, feature: str) -> bool:
        """Whether ``feature`` is marked sensitive."""
        return self.label(feature).sensitive

    def phrase(self, feature: str, value: Any, level: str | None = None) -> Phrase:
        """Customer words for "``feature`` has ``value``".

        Parameters
        ----------
        feature : str
            Input column.
        value : object
            The row's value.
        level : {"low", "high", "typical"} or None
            For a number: where ``value`` stands against the comparison rows; ``None``
            when it is not a number or there is nothing to compare with.

        Returns
        -------
        Phrase
            Text starting in lower case, without a final full stop: the label's phrase
            for the value or the level (a clause), else a humanised fallback.
        """
        label = self.label(feature)
        key = value_key(value)
        if key is not None and key in label.values:
            return Phrase(label.values[key], True)
        name = self.name(feature)
        if key is None:
            return Phrase(f"{name} (not recorded)", False)
        if level is None:
            if _is_number(value):
                return Phrase(name, False)
            return Phrase(f"{name}: {humanise(key)}", False)
        chosen = {"low": label.low, "high": label.high, "typical": label.typical}[level]
        if chosen:
            return Phrase(chosen, True)
        words = {"low": "lower than usual", "high": "higher than usual", "typical": "about usual"}
        return Phrase(f"{name} was {words[level]}", True)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def value_key(value: Any) -> str | None:
    """Text key of a value in ``FeatureLabel.values`` (``None`` for a missing value)."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        return value_key(value.item())
    return str(value)


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s._\-/:]+")
_LETTER_DIGIT = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z]{2,})")


def humanise(code: str) -> str:
    """Turn a column or value code into plain words.

    ``nr.employed`` → "nr employed", ``day_of_week`` → "day of week",
    ``householdIncome`` → "household income", ``unknown`` → "not known".

    Parameters
    ----------
    code : str
        A column name or a category value.

    Returns
    -------
    str
        Lower-case words separated by single spaces; ``"not known"`` for codes meaning
        missing (``unknown``, ``na``, ``n/a``, ``none``, ``null``, empty).
    """
    text = str(code).strip()
    if text.lower() in {"", "unknown", "na", "n/a", "nan", "none", "null"}:
        return "not known"
    text = _CAMEL.sub(" ", text)
    text = _LETTER_DIGIT.sub(" ", text)
    words = _SEPARATORS.sub(" ", text).strip().lower()
    return words or "not known"


def load_labels(
    source: str | os.PathLike[str] | Mapping[str, Any] | FeatureLabels | None,
) -> FeatureLabels:
    """Load feature labels.

    Parameters
    ----------
    source : str, os.PathLike, Mapping, FeatureLabels or None
        A shipped label set by name (``"bank_marketing"``), a YAML file path, a mapping of
        the YAML form, a :class:`FeatureLabels`, or ``None`` for no labels (fallback words
        only).

    Returns
    -------
    FeatureLabels

    Raises
    ------
    UsageError
        If the file does not exist, is not YAML, or does not have the label form (the
        message names the first offending field).
    """
    if source is None:
        return FeatureLabels()
    if isinstance(source, FeatureLabels):
        return source
    if isinstance(source, Mapping):
        return _validate(dict(source), "feature labels")
    name = os.fspath(source)
    if isinstance(source, str) and name in SHIPPED_LABELS:
        text = (
            resources.files("fairmark.explain")
            .joinpath("labels", f"{name}.yaml")
            .read_text("utf-8")
        )
        where = f"shipped labels {name!r}"
    else:
        path = Path(name)
        if not path.is_file():
            raise UsageError(
                f"labels {name!r} not found; expected a YAML file or one of "
                f"{', '.join(SHIPPED_LABELS)}"
            )
        text, where = path.read_text("utf-8"), name
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0]
        raise UsageError(f"labels {where} are not valid YAML: {first}") from None
    if not isinstance(data, dict):
        raise UsageError(
            f"labels {where} must be a mapping with 'features'; got {type(data).__name__}"
        )
    return _validate(data, where)


def _validate(data: dict[str, Any], where: str) -> FeatureLabels:
    features = data.get("features")
    if isinstance(features, dict):  # YAML may read a value such as 999 or yes as non-text
        data = {**data, "features": {str(k): _text_keys(v) for k, v in features.items()}}
    try:
        return FeatureLabels.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise UsageError(f"labels {where}: {loc}: {err['msg']}") from None


def _text_keys(label: Any) -> Any:
    if isinstance(label, dict) and isinstance(label.get("values"), dict):
        values = {_yaml_key(k): v for k, v in label["values"].items()}
        return {**label, "values": values}
    return label


def _yaml_key(key: Any) -> str:
    if isinstance(key, bool):  # YAML 1.1 reads yes/no as booleans
        return "yes" if key else "no"
    return value_key(key) or str(key)
