"""Read copy to scan: plain text, HTML, Markdown, or a CSV/Parquet table of variants.

Offsets
-------
- Plain text: code points into the file's text (UTF-8 decoded, BOM removed).
- Markdown: code points into the ORIGINAL Markdown. Markup characters (heading ``#``,
  emphasis ``*``/``_``, code ticks, quote ``>``, link targets ``](…)``, image ``!``) are
  replaced by spaces of the same length before scanning, so spans never shift.
- HTML: code points into the EXTRACTED VISIBLE TEXT (:attr:`Document.text`), not into the
  HTML source. The text is extracted with the standard library's ``html.parser``;
  ``script``, ``style``, ``noscript``, ``template`` and ``head`` content is never
  executed and never included; block elements end a line; character references are
  decoded.
- Tables: one document per row, offsets into that row's text cell.
- Images (:data:`IMAGE_SUFFIXES`): one document with empty text (kind ``"image"``); the
  scan reads the image's C2PA content credentials instead of text
  (:mod:`fairmark.content.c2pa_images`), so its findings have the span ``0..0``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from fairmark.content.categories import check_ad_category
from fairmark.content.context import ScanContext
from fairmark.errors import DataError, UsageError

TABLE_SUFFIXES = {".csv", ".tsv", ".parquet", ".pq"}
HTML_SUFFIXES = {".html", ".htm"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
IMAGE_SUFFIXES = {
    ".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif", ".heic", ".heif",
}  # fmt: skip
METADATA_COLUMNS = ("channel", "ai_generated", "ad_category", "locale", "substantiation")
BATCH_ROWS = 8192


@dataclass(frozen=True)
class Document:
    """One text to scan.

    Parameters
    ----------
    name : str
        File name, or ``file#row`` for a table row (row numbers start at 1).
    text : str
        The text scanned (for HTML, the extracted visible text).
    kind : {"text", "html", "markdown", "table_row", "image"}
    context : ScanContext
    scan_text : str
        What the matcher sees: ``text`` with Markdown markup blanked (same length); empty
        for an image.
    """

    name: str
    text: str
    kind: str
    context: ScanContext = field(default_factory=ScanContext)
    scan_text: str = ""


_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
    "th", "table", "section", "article", "header", "footer", "nav", "blockquote", "button",
    "hr", "form", "label", "option", "title",
}  # fmt: skip


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK and not self.skip:
            self.parts.append("\n")
        if tag == "img" and not self.skip:
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f" {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK and not self.skip:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_visible_text(html: str) -> str:
    """Visible text of an HTML document (scripts and styles dropped, never run).

    Runs of spaces collapse to one and blank lines to one newline, as a browser shows
    them. Image ``alt`` texts are kept (they are read out to screen-reader users).
    """
    parser = _Visible()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


_MD_PATTERNS = (
    re.compile(r"(?m)^[ \t]{0,3}#{1,6}(?=[ \t])"),  # ATX heading marks
    re.compile(r"(?m)^[ \t]{0,3}>+"),  # block quotes
    re.compile(r"(?m)^[ \t]*(?:[-+]|\d+[.)])(?=[ \t])"),  # list bullets
    re.compile(r"\]\([^)\n]{0,2000}\)"),  # link and image targets
    re.compile(r"!\[|\[(?!\d{1,2}\](?![(\[:]))"),  # link/image openers (not [n] footnotes)
    re.compile(r"`+|\*\*|__|~~"),  # code ticks, strong, strike
    re.compile(r"(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)"),  # emphasis
    re.compile(r"<[^>\n]{1,200}>"),  # inline HTML tags
)


_MD_FOOTNOTE_REF_RE = re.compile(r"(?m)^([ \t]*)(\\?)(\*{1,3})(?=[ \t]*\S.{9,})")
"""A reference line of a ``*`` footnote: ``* 12-week study …`` or ``\\* 12-week study …``."""
_MD_FOOTNOTE_MARK_RE = re.compile(r"(?<=[\w%)])(\*{1,3})(?![\w*])")
"""A ``*`` run right after a word, number, ``%`` or ``)``: a footnote marker when the
document has a reference line with the same number of stars and no emphasis opener of
the same stars precedes it on its line (so the closing ``*`` of ``*new*`` stays markup)."""


def markdown_scan_text(md: str) -> str:
    """``md`` with Markdown markup replaced by spaces (same length, so offsets hold).

    Footnote markers used to substantiate claims are kept: ``[n]`` (``[1]``, ``[12]``; not
    a link ``[1](…)``, ``[1][…]`` or a definition ``[1]:``) is never blanked, and a
    ``*``/``**``/``***`` right after a word (``proven*``) is kept when the document has
    a line starting with the same stars (``* 12-week study …`` or ``\\* …``) followed by
    at least ten characters — that line's stars are kept and its escaping backslash
    blanked, so the matcher sees the marker and its reference (see
    :func:`fairmark.content.match.substantiated`).
    """
    chars = list(md)
    for pat in _MD_PATTERNS:
        for m in pat.finditer(md):
            for i in range(m.start(), m.end()):
                if chars[i] not in "\n":
                    chars[i] = " "
    refs: set[str] = set()
    for m in _MD_FOOTNOTE_REF_RE.finditer(md):
        refs.add(m.group(3))
        if m.group(2):
            chars[m.start(2)] = " "
        for i in range(m.start(3), m.end(3)):
            chars[i] = "*"
    if refs:
        for m in _MD_FOOTNOTE_MARK_RE.finditer(md):
            line_start = md.rfind("\n", 0, m.start()) + 1
            opener = re.compile(rf"(?<![\w*]){re.escape(m.group(1))}(?=[^\s*])")
            if m.group(1) in refs and not opener.search(md, line_start, m.start()):
                for i in range(m.start(1), m.end(1)):
                    chars[i] = "*"
    return "".join(chars)


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder; give files, or the folder's files") from None
    if not data.strip():
        raise DataError(f"{path}: file is empty; expected marketing copy to scan")
    if b"\x00" in data[:65536]:
        raise DataError(f"{path}: looks like a binary file (NUL bytes); expected UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not UTF-8 text (undecodable byte at position {exc.start}); "
            "expected UTF-8 text, HTML, Markdown, CSV or Parquet"
        ) from None
    return text


def _bool(value: object, where: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in {"", "nan", "none", "null"}:
        return None
    if v in {"1", "true", "yes", "y", "t"}:
        return True
    if v in {"0", "false", "no", "n", "f"}:
        return False
    raise DataError(f"{where}: ai_generated value {value!r} is not true/false")


def _batches(table: Any) -> Iterator[Any]:
    """Arrow record batches of an Ibis table (DuckDB 2 reader, else Ibis's own)."""
    backend = table._find_backend()
    if backend.name == "duckdb":  # ibis 12's duckdb batch reader predates duckdb 2.0's API
        backend.con.execute("SET enable_progress_bar = false")
        relation = backend.con.sql(backend.compile(table))
        if hasattr(relation, "to_arrow_reader"):
            yield from relation.to_arrow_reader(BATCH_ROWS)
            return
        yield from relation.record_batch(BATCH_ROWS)  # pragma: no cover - older duckdb
        return
    yield from table.to_pyarrow_batches(chunk_size=BATCH_ROWS)  # pragma: no cover


def _table_documents(
    path: Path, text_column: str, base: ScanContext, name: str | None = None
) -> Iterator[Document]:
    from fairmark.engine.source import as_table, missing_column_message

    if path.is_file() and path.stat().st_size == 0:
        raise DataError(f"{path}: file is empty; expected a table with a {text_column!r} column")
    source = as_table(path)
    table = source.table
    columns = list(table.columns)
    if text_column not in columns:
        raise DataError(f"{path}: {missing_column_message(text_column, columns)}")
    keep = [text_column, *[c for c in METADATA_COLUMNS if c in columns]]
    row = 0
    for batch in _batches(table.select(*keep)):
        data = batch.to_pydict()
        for i in range(batch.num_rows):
            row += 1
            where = f"{name or path.name}#{row}"
            text = data[text_column][i]
            text = "" if text is None else str(text)
            meta = {c: data[c][i] for c in keep[1:]}
            ai = _bool(meta.get("ai_generated"), where) if "ai_generated" in meta else None
            cat = meta.get("ad_category")
            cat = None if cat is None or str(cat).strip() == "" else str(cat)
            try:
                cat = check_ad_category(cat) if cat is not None else base.ad_category
            except UsageError as exc:
                raise DataError(f"{where}: {exc.message}") from None
            ctx = ScanContext(
                ad_category=cat,
                ai_generated=ai if ai is not None else base.ai_generated,
                locale=str(meta.get("locale") or base.locale),
                channel=str(meta["channel"]) if meta.get("channel") else base.channel,
                metadata={
                    k: str(v) for k, v in meta.items() if v is not None and k == "substantiation"
                },
            )
            yield Document(where, text, "table_row", ctx, text)
    if row == 0:
        raise DataError(f"{path}: the table has no rows; expected one row per text variant")


def read_documents(
    path: str | Path,
    *,
    text_column: str = "text",
    context: ScanContext | None = None,
    name: str | None = None,
) -> Iterator[Document]:
    """Yield the documents of one input file.

    Parameters
    ----------
    path : str or Path
        ``.txt`` (or any other suffix: plain text), ``.html``/``.htm``, ``.md``/``.markdown``,
        ``.csv``/``.tsv``/``.parquet`` of variants, or an image (:data:`IMAGE_SUFFIXES`:
        one empty-text document of kind ``"image"``, whose file is not read here).
    text_column : str
        Column holding the copy in a table.
    context : ScanContext, optional
        Defaults applied to every document (table metadata columns override them per row).
    name : str, optional
        Document name (default: the file name); table rows are named ``name#row``.

    Raises
    ------
    DataError
        Missing, empty or binary file, undecodable text, an HTML file with no visible
        text, a table without the text column or rows, a bad metadata value.
    """
    p = Path(path)
    label = name or p.name
    base = context or ScanContext()
    suffix = p.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        yield Document(label, "", "image", base, "")
        return
    if suffix in TABLE_SUFFIXES:
        if not p.exists():
            raise DataError(f"{p}: file not found")
        if suffix in {".csv", ".tsv"}:
            _decode(p)  # empty / binary / non-UTF-8 → one clear line
        yield from _table_documents(p, text_column, base, label)
        return
    raw = _decode(p)
    if suffix in HTML_SUFFIXES:
        text = html_visible_text(raw)
        if not text.strip():
            raise DataError(f"{p}: HTML has no visible text to scan")
        yield Document(label, text, "html", base, text)
    elif suffix in MARKDOWN_SUFFIXES:
        yield Document(label, raw, "markdown", base, markdown_scan_text(raw))
    else:
        yield Document(label, raw, "text", base, raw)
