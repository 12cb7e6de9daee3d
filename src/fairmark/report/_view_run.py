"""Display model of the documents of the standalone run kinds: delivery, representation, proxies.

Their documents (``DeliveryResult.to_dict()``, ``RepresentationResult.to_dict()``,
``ProxyResult.to_dict()``) share the policy part with the audit (``policy``, ``verdict``,
``findings[]``, ``rules[]``) and differ in their main tables. :func:`build_run_view` turns
any of them into one :class:`RunView`: a title, a verdict, facts, the policy, the rules with
their findings, and a list of generic :class:`RunTable` (columns and cells) built by the
kind's builder (``_run_delivery``, ``_run_representation``, ``_run_proxies``). One HTML
template and one Markdown writer then show every kind. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fairmark.errors import UsageError
from fairmark.report._format import fmt_percent_level
from fairmark.report._run_delivery import delivery_content
from fairmark.report._run_model import KindContent, RunTable
from fairmark.report._run_proxies import proxies_content
from fairmark.report._run_representation import representation_content
from fairmark.report._view_rules import (
    FindingRow,
    RulesBuilder,
    RuleView,
    policy_facts,
    verdict_counts,
    verdict_word,
)
from fairmark.report.glossary import GlossaryEntry, glossary, glossary_entry

__all__ = ["KIND_BUILDERS", "RunTable", "RunView", "build_run_view"]

#: ``kind -> builder(doc) -> KindContent`` of every standalone run kind.
KIND_BUILDERS: Mapping[str, Callable[[Mapping[str, Any]], KindContent]] = {
    "delivery": delivery_content,
    "representation": representation_content,
    "proxies": proxies_content,
}


@dataclass(frozen=True)
class RunView:
    """A delivery, representation or proxies document as display strings.

    Attributes
    ----------
    kind : {"delivery", "representation", "proxies"}
    title : str
        E.g. ``"Ad delivery audit"``.
    intro : str
        What the run measures, in plain words.
    facts : tuple of (str, str)
        What was measured, how.
    lists : tuple of (str, str)
        Named lists of groups (e.g. under-represented groups), ``(label, text)``; they
        are also the last lines of ``facts``.
    feature_label, group_label : str
        Column headings of a finding's ``feature`` and ``group`` for this kind.
    tables : tuple of RunTable
        The kind's main tables.
    """

    kind: str
    title: str
    intro: str
    created_at: str
    run_id: str
    tool_version: str
    schema_version: str
    verdict: str
    verdict_word: str
    verdict_entry: GlossaryEntry
    verdict_counts: str
    facts: tuple[tuple[str, str], ...]
    lists: tuple[tuple[str, str], ...]
    policy: tuple[tuple[str, str], ...] | None
    rules: tuple[RuleView, ...]
    findings: tuple[FindingRow, ...]
    feature_label: str
    group_label: str
    tables: tuple[RunTable, ...]
    min_group_size: int
    ci_label: str
    suppressed_text: str
    glossary_keys: tuple[str, ...]
    method_keys: tuple[str, ...]
    reason_keys: tuple[str, ...]


def _present(keys: list[str]) -> tuple[str, ...]:
    return tuple(k for k in dict.fromkeys(keys) if k in glossary())


def build_run_view(doc: Mapping[str, Any]) -> RunView:
    """Turn a validated delivery, representation or proxies document into display strings.

    Parameters
    ----------
    doc : Mapping
        A document that passed :func:`fairmark.report.validate.validate_report`, with
        ``kind`` ``"delivery"``, ``"representation"`` or ``"proxies"``.

    Returns
    -------
    RunView

    Raises
    ------
    UsageError
        If ``doc`` has no ``kind`` of a standalone run (an audit document has its own
        display model, :func:`fairmark.report._view.build_view`).
    """
    kind = doc.get("kind")
    builder = KIND_BUILDERS.get(str(kind))
    if builder is None:
        raise UsageError(
            f"document kind {kind!r} has no run display; expected one of {', '.join(KIND_BUILDERS)}"
        )
    content: KindContent = builder(doc)
    cells = content.cells
    rules_builder = RulesBuilder(doc, cells, content.hidden, content.lookup)
    findings = rules_builder.findings()
    rules = rules_builder.rules(findings)
    keys = list(content.glossary_keys)
    keys += [r.glossary_key for r in rules if r.glossary_key is not None]
    verdict = doc["verdict"]
    return RunView(
        kind=str(kind),
        title=content.title,
        intro=content.intro,
        created_at=doc["created_at"],
        run_id=doc["run_id"],
        tool_version=doc["tool_version"],
        schema_version=doc["schema_version"],
        verdict=verdict,
        verdict_word=verdict_word(verdict),
        verdict_entry=glossary_entry(verdict),
        verdict_counts=verdict_counts(doc["rules"], doc["policy"]),
        facts=content.facts + content.lists,
        lists=content.lists,
        policy=policy_facts(doc["policy"]),
        rules=rules,
        findings=findings,
        feature_label=content.feature_label,
        group_label=content.group_label,
        tables=content.tables,
        min_group_size=cells.min_group_size,
        ci_label=(
            f"{fmt_percent_level(content.confidence_level)} CI"
            if content.confidence_level is not None
            else ""
        ),
        suppressed_text=cells.suppressed_text,
        glossary_keys=_present(keys),
        method_keys=_present(list(content.method_keys)),
        reason_keys=_present(list(cells.reasons_seen)),
    )
