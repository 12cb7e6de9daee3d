"""Give categorical columns back the spelling the model was fitted on.

A CSV read by DuckDB turns a column holding only ``yes``/``no`` into booleans and a
column of digit codes into integers. A one-hot encoder fitted on the text ``"yes"`` would
then see ``True``, treat it as an unknown category and silently encode it as all zeros.
This module maps such values back to the encoder's text categories, or refuses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairmark.errors import DataError

__all__ = ["align_categories", "encoder_categories"]

_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}


def encoder_categories(preprocessor: Any) -> dict[str, list[Any]]:
    """Categories each input column's encoder was fitted on (one-hot or ordinal encoders).

    Parameters
    ----------
    preprocessor : fitted transformer or None
        A Pipeline, ColumnTransformer or encoder.

    Returns
    -------
    dict
        ``input column -> categories`` for every column that an encoder reads directly.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    found: dict[str, list[Any]] = {}

    def first_encoder(step: Any) -> Any:
        if isinstance(step, Pipeline):
            for _, sub in step.steps:
                enc = first_encoder(sub)
                if enc is not None:
                    return enc
            return None
        return step if isinstance(step, OneHotEncoder | OrdinalEncoder) else None

    def visit(step: Any) -> None:
        if isinstance(step, Pipeline):
            if step.steps:
                visit(step.steps[0][1])
            return
        if isinstance(step, ColumnTransformer):
            for _, trans, _cols in step.transformers_:
                enc = first_encoder(trans) if trans not in ("drop", "passthrough") else None
                names = getattr(enc, "feature_names_in_", None) if enc is not None else None
                if enc is not None and names is not None:
                    for name, cats in zip(names, enc.categories_, strict=True):
                        found[str(name)] = list(np.asarray(cats).tolist())
            return
        enc = first_encoder(step)
        names = getattr(enc, "feature_names_in_", None) if enc is not None else None
        if enc is not None and names is not None:
            for name, cats in zip(names, enc.categories_, strict=True):
                found[str(name)] = list(np.asarray(cats).tolist())

    if preprocessor is not None:
        visit(preprocessor)
    return found


def _bool_spelling(column: str, categories: list[str]) -> dict[bool, str]:
    truthy = [c for c in categories if c.strip().lower() in _TRUE]
    falsy = [c for c in categories if c.strip().lower() in _FALSE]
    if len(truthy) != 1 or len(falsy) != 1:
        raise DataError(
            f"column {column!r} was read as true/false but the model was fitted on the text "
            f"values {categories[:6]}; expected the same text values (save the data as "
            "Parquet, or quote the column)"
        )
    return {True: truthy[0], False: falsy[0]}


def align_categories(frame: pd.DataFrame, categories: dict[str, list[Any]]) -> pd.DataFrame:
    """Return ``frame`` with categorical columns spelled as the encoder's categories.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with the model's input columns.
    categories : dict
        From :func:`encoder_categories`.

    Returns
    -------
    pandas.DataFrame
        A copy where a boolean column whose encoder knows text categories is mapped to
        the one true-like and one false-like category (``yes``/``no``, ``true``/``false``
        …), and a numeric column whose encoder knows text categories is turned into text
        (integers without ``.0``). Other columns are unchanged. Missing values stay missing.

    Raises
    ------
    DataError
        If a boolean column's encoder does not have exactly one true-like and one
        false-like text category.
    """
    out = frame.copy()
    for column, cats in categories.items():
        if column not in out.columns or not cats or not all(isinstance(c, str) for c in cats):
            continue
        series = out[column]
        if pd.api.types.is_bool_dtype(series.dtype):
            spelling = _bool_spelling(column, cats)
            out[column] = series.map(lambda v, s=spelling: s[bool(v)] if pd.notna(v) else v)
        elif pd.api.types.is_numeric_dtype(series.dtype):
            out[column] = series.map(_number_text).astype(object)
    return out


def _number_text(value: Any) -> Any:
    if pd.isna(value):
        return value
    if float(value).is_integer():
        return str(int(value))
    return str(value)
