"""Scan files (text, HTML, Markdown, tables of variants) and judge them with a policy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from fairmark.content.categories import check_ad_category
from fairmark.content.context import ScanContext
from fairmark.content.inputs import IMAGE_SUFFIXES, read_documents
from fairmark.content.result import ContentScanResult, ScannedDocument
from fairmark.content.scanner import compile_packs, scan_with
from fairmark.errors import UsageError


def named_files(paths: Sequence[str | Path]) -> list[tuple[Path, str]]:
    """The files to scan with their document names.

    A file given directly is named by its file name; a file found in a given folder by its
    path relative to that folder (POSIX separators: ``a/copy.txt``), so two files with
    the same name in different sub-folders never share a name. When two inputs would
    still get the same name (``x/ad.txt`` and ``y/ad.txt`` given directly), both are named
    by their path as given.

    Raises
    ------
    UsageError
        A folder holds no file, or no path is given.
    """
    out: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            if not found:
                raise UsageError(f"folder {p} holds no file to scan")
            out.extend((f, f.relative_to(p).as_posix()) for f in found)
        else:
            out.append((p, p.name))
    if not out:
        raise UsageError("no file to scan; give one or more files or folders")
    names = [n for _, n in out]
    clash = {n for n in names if names.count(n) > 1}
    return [(f, f.as_posix() if n in clash else n) for f, n in out]


def _files(paths: Sequence[str | Path]) -> list[Path]:
    return [f for f, _ in named_files(paths)]


def scan_files(
    paths: Sequence[str | Path],
    *,
    text_column: str = "text",
    ad_category: str | None = None,
    ai_generated: bool | None = None,
    locale: str = "en",
    channel: str | None = None,
    packs: Any = None,
    policy: str | None = None,
    keep_texts: dict[str, str] | None = None,
) -> ContentScanResult:
    """Scan every document of ``paths`` and judge the result with ``policy``.

    Parameters
    ----------
    paths : sequence of str or Path
        Files or folders (folders are scanned recursively, hidden files skipped); see
        :func:`fairmark.content.inputs.read_documents` for the formats and offsets. An
        image (jpg, jpeg, png, webp, gif, tiff, avif, heic) is one document of kind
        ``"image"`` whose C2PA content credentials are read
        (:func:`fairmark.content.c2pa_images.read_content_credentials`) and judged with
        ``ai_generated`` (:func:`fairmark.content.c2pa_images.image_findings`).
    text_column : str
        Text column of CSV/Parquet inputs.
    ad_category, ai_generated, locale, channel
        Defaults for every document; table metadata columns override them per row.
    packs : optional
        As in :func:`fairmark.content.scan`.
    policy : str, optional
        Policy YAML path, or ``None`` for the built-in policy. Only its rules on checks
        of input ``"content"`` are judged.
    keep_texts : dict, optional
        When given, filled with ``document name -> text`` of every text, HTML and Markdown
        document (not table rows or images), so a caller can show the spans without reading
        the files a second time. Document names are those of :func:`named_files`.

    Returns
    -------
    ContentScanResult

    Raises
    ------
    UsageError, DataError, PolicyError
        Bad arguments, unreadable input (an unreadable or corrupt image too), malformed
        pack or policy (one line each).
    """
    from fairmark.content.checks._content_checks import CHECKS
    from fairmark.content.rules import resolve_packs
    from fairmark.policy import evaluate, load_policy

    base = ScanContext(
        ad_category=check_ad_category(ad_category),
        ai_generated=ai_generated,
        locale=locale,
        channel=channel,
    )
    loaded = load_policy(policy or "default")
    compiled = compile_packs(packs)
    pack_list = resolve_packs(packs)
    docs: list[ScannedDocument] = []
    for path, name in named_files(paths):
        if path.suffix.lower() in IMAGE_SUFFIXES:
            from fairmark.content.c2pa_images import image_findings, read_content_credentials

            creds = read_content_credentials(path)
            found_img = image_findings(creds, ai_generated=base.ai_generated)
            docs.append(ScannedDocument(name, "image", 0, tuple(found_img)))
            continue
        for doc in read_documents(path, text_column=text_column, context=base, name=name):
            if keep_texts is not None and doc.kind != "table_row":
                keep_texts[doc.name] = doc.text
            found = scan_with(compiled, doc.scan_text, doc.context)
            if doc.scan_text is not doc.text:
                found = [replace(f, evidence=doc.text[f.start : f.end]) for f in found]
            docs.append(ScannedDocument(doc.name, doc.kind, len(doc.text), tuple(found)))
    partial = ContentScanResult(tuple(docs), (), "pass", {})
    measurements = [
        m for check in CHECKS if check.input == "content" for m in check.measure(partial)
    ]
    outcome = evaluate(loaded, measurements, run_kind="content")
    return ContentScanResult(
        documents=tuple(docs),
        packs=tuple((p.name, p.version) for p in pack_list),
        verdict=str(outcome.verdict),
        policy={"id": loaded.id, "version": loaded.version, "sha256": loaded.sha256},
        policy_findings=tuple(f.to_dict() for f in outcome.findings),
    )
