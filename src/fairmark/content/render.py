"""Render a content scan document (``ContentScanResult.to_dict()``) as Markdown, HTML,
JUnit XML or JSON. fairmark's own renderers (not the audit report layer): the scan is a
list of spans, not a table of measurements.

HTML is produced with Jinja2 with autoescaping on, so copy is never interpreted as markup;
evidence spans are highlighted with ``<mark>``.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from jinja2 import Environment

FORMATS: tuple[str, ...] = ("json", "html", "md", "junit")
SUFFIX = {"json": "json", "html": "html", "md": "md", "junit": "xml"}

_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fairmark content scan</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
mark.block{background:#f8b4b4}mark.warn{background:#fde68a}mark.info{background:#dbeafe}
td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}
table{border-collapse:collapse;width:100%}.copy{white-space:pre-wrap;border-left:3px solid #ccc;
padding-left:1rem}</style></head><body>
<h1>Content scan</h1>
<p>Verdict: <strong>{{ doc.verdict | upper }}</strong> (policy {{ doc.policy.id }}
v{{ doc.policy.version }}). {{ doc.summary.n_documents }} document(s),
{{ doc.summary.n_findings }} finding(s).</p>
{% if doc.summary.by_category %}<table><tr><th>category</th><th>findings</th></tr>
{% for c, n in doc.summary.by_category.items() %}<tr><td>{{ c }}</td><td>{{ n }}</td></tr>
{% endfor %}</table>{% endif %}
{% for d in doc.documents %}<h2>{{ d.name }}</h2>
{% if d.findings %}<table><tr><th>severity</th><th>rule</th><th>evidence</th><th>why</th>
<th>suggested rewrite</th><th>source</th></tr>
{% for f in d.findings %}<tr><td>{{ f.severity }}</td><td>{{ f.rule_id }}</td>
<td><mark class="{{ f.severity }}">{{ f.evidence or "(whole text)" }}</mark>
<br><small>chars {{ f.start }}–{{ f.end }}</small></td><td>{{ f.message }}</td>
<td>{{ f.rewrite_hint or "" }}</td><td><small>{{ f.source }}</small></td></tr>
{% endfor %}</table>{% else %}<p>No findings.</p>{% endif %}
{% endfor %}
<p><small>Offsets are code points into the original text; for HTML inputs into the
extracted visible text.</small></p></body></html>
"""


def _md_cell(x: Any) -> str:
    return str(x if x is not None else "").replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: dict[str, Any]) -> str:
    """Markdown report: verdict, counts per category, one table of findings per document."""
    s = doc["summary"]
    lines = [
        "# Content scan",
        "",
        f"Verdict: **{doc['verdict'].upper()}** (policy {doc['policy'].get('id')} "
        f"v{doc['policy'].get('version')}). {s['n_documents']} document(s), "
        f"{s['n_findings']} finding(s).",
        "",
    ]
    if s["by_category"]:
        lines += ["| category | findings |", "|---|---:|"]
        lines += [f"| {c} | {n} |" for c, n in s["by_category"].items()]
        lines.append("")
    for d in doc["documents"]:
        lines += [f"## {_md_cell(d['name'])}", ""]
        if not d["findings"]:
            lines += ["No findings.", ""]
            continue
        lines += [
            "| severity | rule | evidence | chars | why | suggested rewrite |",
            "|---|---|---|---|---|---|",
        ]
        for f in d["findings"]:
            lines.append(
                f"| {f['severity']} | {f['rule_id']} | {_md_cell(f['evidence']) or '(whole text)'}"
                f" | {f['start']}–{f['end']} | {_md_cell(f['message'])} "
                f"| {_md_cell(f['rewrite_hint'])} |"
            )
        lines.append("")
    lines.append(
        "Offsets are code points into the original text (HTML: into the extracted visible text)."
    )
    return "\n".join(lines) + "\n"


def render_html(doc: dict[str, Any]) -> str:
    """Standalone HTML report (Jinja2, autoescaped)."""
    env = Environment(autoescape=True)
    return env.from_string(_HTML).render(doc=doc)


def render_junit(doc: dict[str, Any]) -> str:
    """JUnit XML: one test case per document, failing exactly when the CLI fails.

    A test case fails only when the run's policy verdict is ``fail`` (exit code 1) and the
    document has a ``block`` finding — the severity the content rules of the policy
    fail on; its ``block`` findings are listed in the failure text. Every other finding
    (``warn``, ``info``, or ``block`` under a policy that does not fail) is listed in the
    case's ``<system-out>``, so CI shows it without marking the step failed. Source of the
    format: the JUnit XML schema as read by Jenkins, GitLab and GitHub test reporters.
    """
    failing = doc.get("verdict") == "fail"
    cases = []
    failures = 0

    def line(f: dict[str, Any]) -> str:
        return (
            f"[{f['severity']}] {f['rule_id']} at {f['start']}-{f['end']}: "
            f"{f['evidence']!r}: {f['message']}"
        )

    for d in doc["documents"]:
        bad = [f for f in d["findings"] if failing and f["severity"] == "block"]
        rest = [f for f in d["findings"] if f not in bad]
        name = xml_escape(d["name"], {'"': "&quot;"})
        body = ""
        if bad:
            failures += 1
            msg = xml_escape(f"{len(bad)} blocking finding(s)", {'"': "&quot;"})
            text = xml_escape("\n".join(line(f) for f in bad))
            body += f'<failure message="{msg}">{text}</failure>'
        if rest:
            body += f"<system-out>{xml_escape(chr(10).join(line(f) for f in rest))}</system-out>"
        if body:
            cases.append(
                f'  <testcase classname="fairmark.content" name="{name}">{body}</testcase>'
            )
        else:
            cases.append(f'  <testcase classname="fairmark.content" name="{name}"/>')
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<testsuite name="fairmark content scan" tests="{len(cases)}" '
        f'failures="{failures}">\n' + "\n".join(cases) + "\n</testsuite>\n"
    )


def render(doc: dict[str, Any], fmt: str) -> str:
    """Render ``doc`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return render_markdown(doc)
    if fmt == "html":
        return render_html(doc)
    return render_junit(doc)
