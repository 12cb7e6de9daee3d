"""Categorical columns read as booleans or numbers get the encoder's spelling back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from fairmark.errors import DataError
from fairmark.explain._align import align_categories, encoder_categories


def test_bool_and_number_columns_are_respelled() -> None:
    fitted = pd.DataFrame({"member": ["yes", "no"], "code": ["1", "20"], "flag": ["on", "off"]})
    pre = Pipeline(
        [("ct", ColumnTransformer([("oh", OneHotEncoder(), ["member", "code", "flag"])]))]
    ).fit(fitted)
    cats = encoder_categories(pre)
    assert cats == {"member": ["no", "yes"], "code": ["1", "20"], "flag": ["off", "on"]}
    read = pd.DataFrame({"member": [True, False], "code": [20, 1], "flag": ["on", "off"]})
    out = align_categories(read, cats)
    assert out["member"].tolist() == ["yes", "no"] and out["code"].tolist() == ["20", "1"]
    text = pd.DataFrame({"member": ["yes", "no"], "code": ["20", "1"], "flag": ["on", "off"]})
    np.testing.assert_array_equal(pre.transform(out), pre.transform(text))
    with pytest.raises(DataError, match="read as true/false"):
        align_categories(pd.DataFrame({"flag": [True]}), cats)
