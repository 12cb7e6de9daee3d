"""Small-cell suppression holds in every format, even against a document that leaks."""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace
from typing import Any

import pytest

from fairmark.errors import UsageError
from fairmark.report import render_html, render_json, render_junit, render_markdown
from fairmark.report._format import fmt_number

RENDERERS = [render_json, render_html, render_markdown, render_junit]
# The package re-exports functions under the names of their modules, so fetch the modules.
html_module = importlib.import_module("fairmark.report.render_html")
md_module = importlib.import_module("fairmark.report.render_markdown")


def _leak_strings(rh: SimpleNamespace) -> list[str]:
    """How the planted numbers would look in a report, were they ever shown."""
    out = [f">{rh.LEAK_N}<", f"| {rh.LEAK_N} |"]
    for key, (value, low, _high) in rh.LEAK_RATES.items():
        if key == "share":
            continue  # 0.3 % also appears as a real interval bound elsewhere
        out += [f"{fmt_number(value, 'rate')} ", f"{fmt_number(low, 'rate')} to"]
        out.append(f"{value:g}")  # the raw value, as in an SVG aria-label
    return out


def _one_feature(doc: dict[str, Any]) -> dict[str, Any]:
    feature = "age_band & marital"
    doc["groups"] = [g for g in doc["groups"] if g["feature"] == feature]
    doc["disparities"] = [d for d in doc["disparities"] if d["feature"] == feature]
    return doc


def test_json_keeps_suppressed_counts_null(sample_doc: dict[str, Any]) -> None:
    back = json.loads(render_json(sample_doc))
    hidden = [g for g in back["groups"] if g["suppressed"]]
    assert len(hidden) == 1
    assert all(hidden[0][k] is None for k in ("n", "n_weighted", "n_pos", "n_pred_pos"))
    assert all(hidden[0][m]["value"] is None for m in ("share", "selection_rate", "tpr"))


@pytest.mark.parametrize("render", RENDERERS, ids=lambda f: f.__name__)
def test_every_renderer_refuses_a_leaking_document(
    leaky_doc: dict[str, Any], rh: SimpleNamespace, render: Any
) -> None:
    with pytest.raises(UsageError, match="is suppressed") as info:
        render(leaky_doc)
    assert str(rh.LEAK_N) not in str(info.value)


@pytest.mark.parametrize(
    ("module", "render"),
    [(html_module, render_html), (md_module, render_markdown)],
    ids=["html", "markdown"],
)
def test_display_rules_hide_numbers_even_without_validation(
    rh: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, module: Any, render: Any
) -> None:
    monkeypatch.setattr(module, "validate_report", lambda doc: None)
    # The display rules alone: disclosure control would also hide the planted group.
    monkeypatch.setattr(module, "publishable", lambda doc: doc)
    leaky = _one_feature(rh.plant_leak(rh.load_sample()))
    clean = render(_one_feature(rh.load_sample()))
    shown = render(leaky)
    # The same document with the group not suppressed shows the numbers: the search works.
    unmasked = _one_feature(rh.plant_leak(rh.load_sample()))
    unmasked["groups"][rh.suppressed_index(unmasked)]["suppressed"] = False
    revealed = render(unmasked)
    found = [s for s in _leak_strings(rh) if s in revealed]
    assert len(found) >= 5
    for s in found:
        assert s not in clean, f"{s!r} is not distinctive"
        assert s not in shown, f"suppressed number {s!r} leaked"
    assert "fewer than 30 — not shown" in shown
