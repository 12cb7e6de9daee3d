"""Fixtures and helpers of the report tests.

The suite runs with ``--import-mode=importlib``, so test modules cannot import a helper
module; the helpers are handed to tests by the ``rh`` fixture instead.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "sample_report.json"
# Distinctive numbers planted in a suppressed group by `leaky_doc`: none of them is
# shown anywhere for the real groups of the sample (checked in the tests).
LEAK_N = 27
LEAK_RATES = {
    "share": (0.002714, 0.001864, 0.003950),
    "base_rate": (0.2222, 0.0807, 0.4160),
    "selection_rate": (0.8571, 0.6330, 0.9500),
    "tpr": (0.7778, 0.4869, 0.9500),
    "fpr": (0.7143, 0.5131, 0.9000),
    "fnr": (0.2153, 0.0807, 0.5000),
    "tnr": (0.3182, 0.2153, 0.5000),
    "ppv": (0.5840, 0.3755, 0.8000),
    "npv": (0.9182, 0.6667, 0.9900),
    "accuracy": (0.4815, 0.3333, 0.6500),
}


@cache
def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text("utf-8"))
    return data


def load_sample() -> dict[str, Any]:
    """A fresh deep copy of the sample report document."""
    return copy.deepcopy(_sample())


def suppressed_index(doc: dict[str, Any]) -> int:
    """Index in ``groups[]`` of the sample's suppressed group."""
    return next(i for i, g in enumerate(doc["groups"]) if g["suppressed"])


def plant_leak(doc: dict[str, Any]) -> dict[str, Any]:
    """Plant counts and rates in the suppressed group of ``doc`` (a producer bug)."""
    g = doc["groups"][suppressed_index(doc)]
    g.update({"n": LEAK_N, "n_weighted": float(LEAK_N), "n_pos": 7.0, "n_pred_pos": 22.0})
    for key, (value, low, high) in LEAK_RATES.items():
        g[key] = {"value": value, "ci_low": low, "ci_high": high, "reason": None}
    return doc


class _Tables(HTMLParser):
    """Collect the text of every table cell: tables -> rows -> cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    """Parse every ``<table>`` of an HTML page into rows of cell texts."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def md_rows(markdown: str) -> list[list[str]]:
    """Split every Markdown table row into cells (an escaped ``\\|`` stays in its cell)."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells, current, i = [], "", 1
            body = line[1:-1]
            while i <= len(body):
                ch = body[i - 1]
                if ch == "\\" and i < len(body):
                    current += ch + body[i]
                    i += 2
                    continue
                if ch == "|":
                    cells.append(current.strip())
                    current = ""
                else:
                    current += ch
                i += 1
            cells.append(current.strip())
            rows.append(cells)
    return rows


def rename_group(doc: dict[str, Any], feature: str, old: str, new: str) -> None:
    """Rename a group everywhere in a document (groups, disparities, findings, references)."""
    for g in doc["groups"]:
        if g["feature"] == feature and g["group"] == old:
            g["group"] = new
    for d in doc["disparities"]:
        if d["feature"] == feature:
            for key in ("group", "reference"):
                if d[key] == old:
                    d[key] = new
    for f in doc["findings"]:
        if f["feature"] == feature and f["group"] == old:
            f["group"] = new
    ref = doc["summary"]["reference_groups"].get(feature)
    if ref and ref["group"] == old:
        ref["group"] = new


@pytest.fixture
def sample_doc() -> dict[str, Any]:
    """A fresh deep copy of the sample report document."""
    return load_sample()


@pytest.fixture
def leaky_doc() -> dict[str, Any]:
    """The sample with counts and rates planted in its suppressed group."""
    return plant_leak(load_sample())


@pytest.fixture
def rh() -> SimpleNamespace:
    """The helpers of this folder: parsers, constants and document edits."""
    return SimpleNamespace(
        LEAK_N=LEAK_N,
        LEAK_RATES=LEAK_RATES,
        load_sample=load_sample,
        plant_leak=plant_leak,
        suppressed_index=suppressed_index,
        html_tables=html_tables,
        md_rows=md_rows,
        rename_group=rename_group,
    )


@pytest.fixture(scope="session")
def sample_html() -> str:
    """The sample rendered to HTML once per session (charts take a moment)."""
    from fairmark.report import render_html

    return render_html(load_sample())


@pytest.fixture(scope="session")
def sample_md() -> str:
    """The sample rendered to Markdown."""
    from fairmark.report import render_markdown

    return render_markdown(load_sample())


# --- documents of issue 3: an audit with a score and a numeric outcome, and the documents
# of the delivery, representation and proxies runs, all produced by the real functions ---

ISSUE3_POLICY = Path(__file__).parent / "fixtures" / "issue3_policy.yaml"
EVIL = '<b>east</b> & "co"'  # a group label with markup, quotes and an ampersand


def issue3_frame() -> Any:
    """Synthetic campaign data: a probability score, a response and an offer amount.

    Scores take the ten values 0.05, 0.15, ... 0.95, so binning by the audit is exact for
    ranks. Groups: ``north`` (900 rows), ``south`` (700, 5% of offers missing), the
    markup-named group (400), ``west`` (40 rows, nobody responded: its AUC is undefined)
    and ``tiny`` (10 rows: suppressed; its offers are near 98,765).
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    rows = []

    def add(group: str, n: int, base: float, shift: float, mean: float, missing: float,
            nobody: bool = False) -> None:  # fmt: skip
        for _ in range(n):
            y = 0 if nobody else int(rng.random() < base)
            raw = (0.35 + shift + (0.25 if y else 0) + rng.normal(0, 0.2)) * 10 - 0.5
            p = float(np.clip(0.05 + 0.1 * np.round(raw), 0.05, 0.95))
            offer = np.nan if rng.random() < missing else round(float(rng.gamma(4, mean / 4)), 2)
            rows.append({"region": group, "y": "yes" if y else "no", "score": round(p, 2),
                         "offer": offer})  # fmt: skip

    add("north", 900, 0.3, 0.05, 100.0, 0.0)
    add("south", 700, 0.25, -0.05, 80.0, 0.05)
    add(EVIL, 400, 0.3, 0.0, 90.0, 0.0)
    add("west", 40, 0.3, 0.0, 70.0, 0.0, nobody=True)
    add("tiny", 10, 0.5, 0.1, 98765.4321, 0.0)
    return pd.DataFrame(rows)


@cache
def _issue3_docs() -> dict[str, dict[str, Any]]:
    import numpy as np
    import pandas as pd

    import fairmark
    from fairmark.fairness.delivery import delivery_skew
    from fairmark.fairness.proxies import proxies
    from fairmark.fairness.representation import representation

    audit = fairmark.audit(
        issue3_frame(), y_true="y", positive_label="yes", score="score", top_k=0.2,
        outcome="offer", cutoffs=[0.5], sensitive_features=["region"], policy=ISSUE3_POLICY,
        system_name="Issue 3 <test> system",
    ).to_dict()  # fmt: skip

    rng = np.random.default_rng(0)
    rows = []
    for ad in ("A", "B"):
        for group, n, p in (("women", 400, 0.3 if ad == "A" else 0.5), ("men", 500, 0.6),
                            ("<i>x</i>", 20, 0.5)):  # fmt: skip
            rows += [{"ad": ad, "gender": group, "eligible": True,
                      "delivered": int(rng.random() < p)} for _ in range(n)]  # fmt: skip
    delivery = delivery_skew(
        pd.DataFrame(rows), group="gender", eligible="eligible", delivered="delivered",
        ad="ad", pairs=[("A", "B")], policy=ISSUE3_POLICY,
    ).to_dict()  # fmt: skip

    people = pd.DataFrame({"sex": ["F"] * 300 + ["M"] * 680 + ["X"] * 20 + ["Q"] * 40})
    repr_doc = representation(
        people, sensitive_feature="sex", reference={"F": 0.5, "M": 0.46, "X": 0.02, "Z": 0.02},
        policy=ISSUE3_POLICY,
    ).to_dict()  # fmt: skip

    n = 2000
    sex = rng.choice(["F", "M"], n)
    proxy_frame = pd.DataFrame(
        {
            "sex": sex,
            "title": np.where(
                sex == "F",
                rng.choice(["Ms", "Mrs", "Dr"], n, p=[0.5, 0.4, 0.1]),
                rng.choice(["Mr", "Dr"], n, p=[0.9, 0.1]),
            ),
            "income": rng.normal(50, 10, n) + (sex == "M") * 5,
            "region": rng.choice(list("abcd"), n),
        }
    )
    proxies_doc = proxies(proxy_frame, sensitive_features="sex", policy=ISSUE3_POLICY).to_dict()
    return {
        "audit": audit,
        "delivery": delivery,
        "representation": repr_doc,
        "proxies": proxies_doc,
        "frames": {"proxies": proxy_frame, "people": people, "delivery": pd.DataFrame(rows)},
    }


def issue3_doc(kind: str) -> dict[str, Any]:
    """A fresh deep copy of the issue-3 document of ``kind`` (audit, delivery, ...)."""
    return copy.deepcopy(_issue3_docs()[kind])


def issue3_input(name: str) -> Any:
    """The input table a run document was computed from (``proxies``, ``people``, ...)."""
    return _issue3_docs()["frames"][name]


@cache
def _rendered(kind: str, fmt: str) -> str:
    from fairmark.report import render_html, render_junit, render_markdown

    render = {"html": render_html, "md": render_markdown, "junit": render_junit}[fmt]
    return render(issue3_doc(kind))


@pytest.fixture
def i3() -> SimpleNamespace:
    """Issue-3 documents, their inputs and their renderings (each rendered once)."""
    return SimpleNamespace(
        EVIL=EVIL,
        POLICY=ISSUE3_POLICY,
        frame=issue3_frame,
        doc=issue3_doc,
        input=issue3_input,
        rendered=_rendered,
    )
