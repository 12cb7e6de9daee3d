"""Every report applies small-cell suppression and blocks differencing (issue #4).

The audit below has a 4-person intersection cell (``f & east``) and two differencing
pairs: the marginal ``east`` (44) minus the published ``m & east`` (40) would give the 4
back, and the 97 people selected of the 100 in ``m & north`` would reveal the 3 who were
not. The tests read what each format shows (JSON, HTML tables, Markdown tables), rebuild the
reader's linear system from the shown numbers alone and solve it with NumPy: no count
below ``k`` may be shown, and none may be recoverable. True counts come from pandas.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

import fairmark
from fairmark.errors import UsageError
from fairmark.report import render_html, render_json, render_markdown, validate_report
from fairmark.report.disclosure_control import protect_document

K = 10
LAYOUT = {
    ("f", "north"): 120, ("f", "south"): 90, ("f", "east"): 4,
    ("m", "north"): 100, ("m", "south"): 110, ("m", "east"): 40,
}  # fmt: skip
SEXES, REGIONS = ("f", "m"), ("north", "south", "east")


def _campaign() -> pd.DataFrame:
    rows = []
    for (sex, region), n in LAYOUT.items():
        for i in range(n):
            selected = int(i >= 3) if (sex, region) == ("m", "north") else int(i % 5 < 2)
            rows.append((sex, region, int(i % 2 == 0), selected))
    return pd.DataFrame(rows, columns=["sex", "region", "responded", "selected"])


def _audit(**kwargs: Any) -> Any:
    return fairmark.audit(
        _campaign(), y_true="responded", y_pred="selected", sensitive_features=["sex", "region"],
        min_group_size=1, **kwargs,
    )  # fmt: skip


@pytest.fixture(scope="module")
def result() -> Any:
    """One audit of the campaign (an AuditResult), shared by the tests of this module."""
    return _audit()


@pytest.fixture
def doc(result: Any) -> dict[str, Any]:
    out: dict[str, Any] = result.to_dict()
    return out


def _true_counts() -> dict[Hashable, int]:
    df = _campaign()
    out: dict[Hashable, int] = {"all": len(df), "sel": int(df["selected"].sum())}
    for col in ("sex", "region"):
        for level, part in df.groupby(col):
            out[("n", str(level))] = len(part)
            out[("p", str(level))] = int(part["selected"].sum())
    for (sex, region), part in df.groupby(["sex", "region"]):
        label = f"{sex} & {region}"
        out[("n", label)] = len(part)
        out[("p", label)] = int(part["selected"].sum())
        out[("not", label)] = len(part) - int(part["selected"].sum())
    return out


def _relations(with_selected: bool) -> list[tuple[Hashable, list[Hashable]]]:
    """What every reader knows: the groups add up, marginals are sums of intersections."""
    rels: list[tuple[Hashable, list[Hashable]]] = []
    fields = [("n", "all"), ("p", "sel")] if with_selected else [("n", "all")]
    for f, total in fields:
        rels.append((total, [(f, s) for s in SEXES]))
        rels.append((total, [(f, r) for r in REGIONS]))
        for s in SEXES:
            rels.append(((f, s), [(f, f"{s} & {r}") for r in REGIONS]))
        for r in REGIONS:
            rels.append(((f, r), [(f, f"{s} & {r}") for s in SEXES]))
    if with_selected:
        for s in SEXES:
            for r in REGIONS:
                label = f"{s} & {r}"
                rels.append((("n", label), [("p", label), ("not", label)]))
    return rels


def _disclosed(
    shown: Mapping[Hashable, int | None], rels: Sequence[tuple[Hashable, list[Hashable]]]
) -> set[Hashable]:
    """Cells not shown whose true count is in (0, K) and that the shown numbers determine."""
    true = _true_counts()
    unknown = sorted(
        {m for total, parts in rels for m in (total, *parts) if shown.get(m) is None}, key=str
    )
    col = {m: j for j, m in enumerate(unknown)}
    rows = []
    for total, parts in rels:
        row = np.zeros(len(unknown))
        for m, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
            if m in col:
                row[col[m]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    out = set()
    for m, j in col.items():
        unit = np.zeros(len(unknown))
        unit[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank and 0 < true[m] < K:
            out.add(m)
    return out


def _shown_from_json(doc: Mapping[str, Any]) -> dict[Hashable, int | None]:
    shown: dict[Hashable, int | None] = {
        "all": doc["summary"]["n_used"], "sel": doc["summary"]["n_selected"],
    }  # fmt: skip
    for g in doc["groups"]:
        shown[("n", g["group"])] = g["n"]
        shown[("p", g["group"])] = None if g["n_pred_pos"] is None else int(g["n_pred_pos"])
    return shown


def _json_counts(doc: Mapping[str, Any]) -> list[int]:
    s = doc["summary"]
    values = [s["n_rows"], s["n_used"], s["n_excluded"], s["n_selected"]]
    values += [*s["excluded_reasons"].values(), doc["data_fingerprint"]["n_rows"]]
    for g in doc["groups"]:
        values += [g["n"], g["n_pos"], g["n_pred_pos"]]
    return [int(v) for v in values if v is not None]


def test_the_layout_really_has_the_small_cells(result: Any) -> None:
    true = _true_counts()
    assert true[("n", "f & east")] == 4
    assert true[("n", "east")] - true[("n", "m & east")] == 4
    assert true[("not", "m & north")] == 3
    # without disclosure control the complete document shows them
    complete = result.to_dict(disclosure_control=False)
    by = {g["group"]: g for g in complete["groups"]}
    assert by["f & east"]["n"] == 4 and by["m & north"]["n_pred_pos"] == 97


def test_json_shows_no_count_below_k_and_none_is_recoverable(doc: dict[str, Any]) -> None:
    back = json.loads(render_json(doc))
    assert back == doc  # to_dict() is already the published document
    assert not [v for v in _json_counts(back) if 0 < v < K]
    by = {g["group"]: g for g in back["groups"]}
    small = by["f & east"]
    assert small["suppressed"] and small["suppressed_reason"] == "below_k"
    assert all(small[f] is None for f in ("n", "n_weighted", "n_pos", "n_pred_pos"))
    assert all(small[m]["value"] is None for m in ("share", "selection_rate", "tpr"))
    assert small["selection_rate"]["reason"] == "below_k"
    pair = by["m & east"]  # 44 − 40 would give the 4 back
    assert pair["suppressed"] and pair["suppressed_reason"] == "differencing"
    # the 3 not selected of m & north (the reference group): its selected count is withheld,
    # its row stays, and so does every comparison with it
    assert by["m & north"]["n"] == 100 and by["m & north"]["n_pred_pos"] is None
    assert by["m & north"]["suppressed_counts"] == {"n_pred_pos": "differencing"}
    assert back["summary"]["reference_groups"]["sex & region"]["group"] == "m & north"
    # the rectangle of suppressed cells closes through south, sparing the reference group
    hidden = {g for g, r in by.items() if r["suppressed"]}
    assert hidden == {"f & east", "m & east", "f & south", "m & south"}
    control = back["disclosure_control"]
    assert control["k"] == K and control["method"] == "threshold_rule+secondary_suppression"
    assert control["n_suppressed_primary"] >= 1 and control["n_suppressed_secondary"] >= 3
    assert _disclosed(_shown_from_json(back), _relations(with_selected=True)) == set()
    assert validate_report(back) == "audit"


def test_a_selected_count_next_to_its_group_size_is_withheld_not_the_group() -> None:
    # One feature: 97 of the 100 in north selected, so 100 − 97 = 3 people not selected.
    rows = []
    for region, n, chosen in (("north", 100, 97), ("south", 200, 80), ("west", 150, 60)):
        rows += [(region, int(i % 2 == 0), int(i < chosen)) for i in range(n)]
    df = pd.DataFrame(rows, columns=["region", "responded", "selected"])
    out = fairmark.audit(
        df, y_true="responded", y_pred="selected", sensitive_features="region",
        min_group_size=1,
    ).to_dict()  # fmt: skip
    by = {g["group"]: g for g in out["groups"]}
    assert by["north"]["suppressed"] is False and by["north"]["n"] == 100  # the group stays
    assert by["north"]["selection_rate"]["value"] == 0.97  # its rates too (residual risk)
    assert by["north"]["n_pred_pos"] is None
    assert by["north"]["suppressed_counts"] == {"n_pred_pos": "differencing"}
    # n_selected minus the other groups' selections would give the 97 back: one more goes
    shown = [out["summary"]["n_selected"], by["south"]["n_pred_pos"], by["west"]["n_pred_pos"]]
    assert shown.count(None) >= 1


def test_hidden_groups_take_their_comparisons_and_findings_with_them(
    doc: dict[str, Any],
) -> None:
    hidden = {g["group"]: g["suppressed_reason"] for g in doc["groups"] if g["suppressed"]}
    assert hidden["f & east"] == "below_k"
    for d in doc["disparities"]:
        if d["group"] in hidden or d["reference"] in hidden:
            assert d["value"] is None and d["ci_low"] is None and d["p_value"] is None
            assert d["reason"] in ("below_k", "differencing")
    for f in doc["findings"]:
        if f["group"] in hidden:
            assert f["value"] is None
            assert "not shown" in f["message"]


def _html_group_rows(html: str, rh: SimpleNamespace) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for table in rh.html_tables(html):
        if table and table[0][:2] == ["Group", "Rows"]:
            for row in table[1:]:
                rows[row[0].removesuffix(" reference").strip()] = row
    return rows


def _as_count(text: str) -> int | None:
    digits = text.replace(",", "")
    return int(digits) if digits.isdigit() else None


def test_html_shows_no_count_below_k_and_none_is_recoverable(
    doc: dict[str, Any], rh: SimpleNamespace
) -> None:
    html = render_html(doc)
    rows = _html_group_rows(html, rh)
    assert set(rows) >= {"f", "m", "north", "south", "east", "f & east", "m & east"}
    assert rows["f & east"][1] == f"fewer than {K} — not shown"
    assert rows["m & east"][1] == "not shown — would reveal a small group by subtraction"
    shown: dict[Hashable, int | None] = {("n", g): _as_count(r[1]) for g, r in rows.items()}
    assert not [v for v in shown.values() if v is not None and 0 < v < K]
    audited = html.split("<dt>Rows audited</dt><dd>", 1)[1].split("</dd>", 1)[0]
    shown["all"] = _as_count(audited)
    assert shown["all"] == 464
    assert _disclosed(shown, _relations(with_selected=False)) == set()
    assert "listed but not shown by disclosure control" in html


def test_markdown_shows_no_count_below_k_and_none_is_recoverable(
    doc: dict[str, Any], rh: SimpleNamespace
) -> None:
    md = render_markdown(doc)
    groups = {"f", "m", "north", "south", "east"} | {f"{s} & {r}" for s in SEXES for r in REGIONS}
    rows = {}
    for row in rh.md_rows(md):
        name = row[0].removesuffix(" (reference)").replace("&amp;", "&").replace("\\&", "&")
        if name in groups and len(row) > 3 and name not in rows:
            rows[name] = row
    assert set(rows) == groups
    assert rows["f & east"][1] == f"fewer than {K} — not shown"
    assert rows["m & east"][1] == "not shown — would reveal a small group by subtraction"
    shown: dict[Hashable, int | None] = {("n", g): _as_count(r[1]) for g, r in rows.items()}
    assert not [v for v in shown.values() if v is not None and 0 < v < K]
    shown["all"] = 464
    assert _disclosed(shown, _relations(with_selected=False)) == set()


def test_k_comes_from_the_policy(tmp_path: Path) -> None:
    policy = tmp_path / "strict.yaml"
    policy.write_text(
        "id: strict\nversion: '1'\nowner: privacy office\nreview_by: 2099-01-01\n"
        "settings:\n  k_anonymity: 50\n  min_group_size: 50\nrules:\n"
        "  - id: di\n    check: fairness.disparate_impact\n    min: 0.8\n"
        "    severity: warn\n    principle: fairness\n    rationale: test\n",
        encoding="utf-8",
    )
    out = fairmark.audit(
        _campaign(), y_true="responded", y_pred="selected", sensitive_features=["sex", "region"],
        policy=str(policy),
    ).to_dict()  # fmt: skip
    assert out["disclosure_control"]["k"] == 50
    assert not [v for v in _json_counts(out) if 0 < v < 50]
    east = next(g for g in out["groups"] if g["group"] == "east")
    assert east["suppressed"] and east["n"] is None  # 44 people: below k = 50


def test_weighted_audit_decides_on_unweighted_counts() -> None:
    df = _campaign().assign(w=100.0)
    out = fairmark.audit(
        df, y_true="responded", y_pred="selected", sensitive_features=["sex", "region"],
        min_group_size=1, sample_weight="w",
    ).to_dict()  # fmt: skip
    by = {g["group"]: g for g in out["groups"]}
    # 4 people weigh 400: still 4 people, still hidden
    assert by["f & east"]["suppressed"] and by["f & east"]["n_weighted"] is None
    north = LAYOUT["f", "north"] + LAYOUT["m", "north"]
    assert by["north"]["n"] == north and by["north"]["n_weighted"] == 100.0 * north


def test_a_document_without_disclosure_control_is_protected_when_rendered(
    result: Any, doc: dict[str, Any]
) -> None:
    complete = result.to_dict(disclosure_control=False)
    assert "disclosure_control" not in complete
    back = json.loads(render_json(complete))
    assert back["disclosure_control"]["k"] == K  # the default k
    assert not [v for v in _json_counts(back) if 0 < v < K]
    assert _disclosed(_shown_from_json(back), _relations(with_selected=False)) == set()
    # already protected: unchanged, even when asked again
    assert protect_document(doc) == doc


def test_validation_refuses_a_protected_document_showing_a_small_count(
    doc: dict[str, Any],
) -> None:
    bad = json.loads(json.dumps(doc))
    g = next(g for g in bad["groups"] if g["group"] == "north")
    g["n_pred_pos"] = 3.0
    g["suppressed_counts"] = {}
    with pytest.raises(UsageError, match=r"published count \(n_pred_pos\) is below k=10") as e:
        render_json(bad)
    assert "3" not in str(e.value).replace("k=10", "")


def test_store_keeps_the_published_document(tmp_path: Path) -> None:
    from fairmark.pipeline import run_audit_job
    from fairmark.store import get_run

    url = f"sqlite:///{tmp_path / 'runs.db'}"
    job = run_audit_job(
        _campaign(), out_dir=tmp_path / "out", formats=("json",), store_url=url,
        y_true="responded", y_pred="selected", sensitive_features=["sex", "region"],
        min_group_size=1,
    )  # fmt: skip
    published = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    stored = get_run(job.document["run_id"], url=url)
    assert stored == published == job.document  # runs show gives back what was published
    small = next(g for g in stored["groups"] if g["group"] == "f & east")
    assert small["n"] is None and small["suppressed_reason"] == "below_k"
    complete = job.result.to_dict(disclosure_control=False)  # the analyst's, at run time
    assert next(g for g in complete["groups"] if g["group"] == "f & east")["n"] == 4


def test_delivery_document_hides_a_small_audience_and_its_partner() -> None:
    from fairmark.fairness.delivery import delivery_skew

    rows = []
    for group, n, reached in (("a", 300, 120), ("b", 200, 90), ("c", 6, 2)):
        rows += [{"g": group, "eligible": True, "delivered": int(i < reached)} for i in range(n)]
    out = delivery_skew(
        pd.DataFrame(rows), group="g", eligible="eligible", delivered="delivered",
        min_group_size=1,
    ).to_dict()  # fmt: skip
    by = {g["group"]: g for g in out["groups"]}
    assert by["c"]["suppressed"] and by["c"]["suppressed_reason"] == "below_k"
    assert by["c"]["eligible"] is None and by["c"]["delivered"] is None
    # 506 eligible in total: with only "a" and "b" shown, 506 − 300 − 200 = 6 would remain
    shown = [by[g]["eligible"] for g in "ab"] + [out["ads"][0]["eligible_total"]]
    assert shown.count(None) >= 1
    for g in out["groups"]:
        for f in ("eligible", "delivered"):
            assert g[f] is None or not 0 < g[f] < K
    assert validate_report(out) == "delivery"


def test_representation_document_blocks_the_missing_rows_difference() -> None:
    from fairmark.fairness.representation import representation

    people = pd.DataFrame({"sex": ["F"] * 500 + ["M"] * 497 + [None] * 3})
    out = representation(
        people, sensitive_feature="sex", reference={"F": 0.5, "M": 0.5}, min_group_size=1
    ).to_dict()
    s = out["summary"]
    assert s["n_missing"] is None and s["suppressed_counts"]["n_missing"] == "below_k"
    # n_rows − n_used would give the 3 back: one of them is withheld too
    assert s["n_rows"] is None or s["n_used"] is None
    assert validate_report(out) == "representation"
    html = render_html(out)
    assert f"fewer than {K} — not shown" in html


def test_proxies_document_hides_a_small_missing_count() -> None:
    from fairmark.fairness.proxies import proxies

    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {"sex": rng.choice(["F", "M"], n), "region": rng.choice(list("abc"), n)}
    )
    frame.loc[:2, "region"] = None  # 3 rows without a region
    out = proxies(frame, sensitive_features="sex", joint=False).to_dict()
    item = next(p for p in out["proxies"] if p["feature"] == "region")
    assert item["n_missing"] is None and item["suppressed_counts"] == {"n_missing": "below_k"}
    assert out["summary"]["n_rows"] == n  # 400 − 397 is not published: n_rows can stay
    assert validate_report(out) == "proxies"
