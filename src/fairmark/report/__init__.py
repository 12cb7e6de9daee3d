"""Report formats of a run: ``report.json``, ``report.html``, ``report.md``, ``junit.xml``.

Renderers only read the document (``docs/report-schema.md``): an audit's ``report.json``,
or the document of a delivery, representation or proxies run (:mod:`fairmark.report.kinds`);
they never compute a metric. :func:`write_reports` renders every format and writes the
files atomically.
"""

from fairmark.report.glossary import GlossaryEntry, glossary, glossary_entry
from fairmark.report.kinds import KINDS, document_kind
from fairmark.report.render_html import render_html
from fairmark.report.render_json import render_json
from fairmark.report.render_junit import render_junit
from fairmark.report.render_markdown import render_markdown
from fairmark.report.validate import validate_report
from fairmark.report.write import FILE_NAMES, write_reports

__all__ = [
    "FILE_NAMES",
    "KINDS",
    "GlossaryEntry",
    "document_kind",
    "glossary",
    "glossary_entry",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "validate_report",
    "write_reports",
]
