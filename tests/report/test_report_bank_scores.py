"""A real Bank Marketing audit with a score, rendered: the score section on real data.

``euribor3m`` (the 3-month Euribor rate on the day of the call) stands in for a ranking
score (``score_kind="score"``): it is not a probability, so the report has no calibration
column and no reliability chart, and every AUC shown must agree with scikit-learn within the
banding error the document states.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import fairmark
from fairmark.report import render_html, render_markdown


@pytest.fixture(scope="module")
def bank_doc(bank_csv: Path) -> dict[str, object]:
    result = fairmark.audit(
        bank_csv, y_true="y", positive_label="yes", score="euribor3m", top_k=0.2,
        score_kind="score", sensitive_features=[{"column": "age", "bins": "age"}, "marital"],
        intersections=[],
    )  # fmt: skip
    return result.to_dict()


def test_bank_score_section(
    bank_csv: Path, bank_doc: dict[str, object], rh: SimpleNamespace
) -> None:
    frame = pd.read_csv(bank_csv, sep=";")
    html = render_html(bank_doc)
    assert "How well the score (column euribor3m) works for each group" in html
    assert "Calibration error" not in html.split('<section id="scores">', 1)[1]
    section = html.split('<section id="scores">', 1)[1]
    assert "<svg" not in section  # no reliability chart for a non-probability score
    tables = [t for t in rh.html_tables(section) if t[0][:2] == ["Group", "Scored rows"]]
    assert len(tables) == 2  # age_band and marital
    marital = {r[0].removesuffix(" reference"): r for r in tables[1][1:]}
    items = {m["group"]: m for m in bank_doc["score_metrics"]  # type: ignore[attr-defined]
             if m["feature"] == "marital" and m["metric"] == "roc_auc"}  # fmt: skip
    for group in ("married", "single", "divorced"):
        part = frame[frame["marital"] == group]
        exact = roc_auc_score(part["y"] == "yes", part["euribor3m"])
        shown = float(marital[group][2].split(" ")[0])
        bound = items[group]["error_bound"]
        assert abs(shown - exact) <= bound + 0.005, group
        assert marital[group][1] == f"{len(part):,}"
    md = render_markdown(bank_doc)
    assert "#### Score by marital" in md and "Top 20% of scores (audited)" in md
