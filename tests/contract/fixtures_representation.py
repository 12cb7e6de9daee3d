"""Contract fixture of the representation check: a training set against reference shares."""

from __future__ import annotations

import pandas as pd

from fairmark.fairness.representation import representation
from fairmark.fairness.representation_result import RepresentationResult


def _training_set() -> RepresentationResult:
    """Women are 30% of the rows against 51% of the population; 'x' is not in the reference."""
    df = pd.DataFrame({"sex": ["F"] * 300 + ["M"] * 650 + ["x"] * 50})
    return representation(df, sensitive_feature="sex", reference={"F": 0.51, "M": 0.49})


FIXTURES = {"fairness.representation_ratio": _training_set}
