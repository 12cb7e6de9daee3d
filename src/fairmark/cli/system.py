"""``fairmark system``: the AI system inventory and its EU AI Act risk classification.

Thin wrappers over :mod:`fairmark.governance.inventory` and :mod:`fairmark.governance.risk`:
each command opens the store, resolves who is acting (``--token`` / ``$FAIRMARK_TOKEN``,
else the local account), calls one function that checks the role, and prints the result
as text or ``--format json`` (the result's ``to_dict()``). Bad input or a refused request:
one line on stderr, exit 2, the store unchanged.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, handle_errors, printable
from fairmark.cli._governance import (
    OUTPUT_FORMATS,
    DbUrlOption,
    FormatOption,
    TokenOption,
    emit,
    governance_session,
    print_kv,
)

__all__ = ["app"]

app = typer.Typer(
    help="AI system inventory: register, list, show, update, retire, classify (EU AI Act).",
    no_args_is_help=True,
)

_QUESTIONNAIRE_FORMATS = ("text", "json", "yaml-template")


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _print_system(info: Any) -> None:
    risk = info.risk or {}
    rows: list[tuple[str, Any]] = [
        ("owner", info.owner),
        ("team", info.team),
        ("description", info.description),
        ("status", info.status),
        ("purpose", info.purpose),
        ("use case", info.use_case),
        ("data categories", list(info.data_categories)),
        ("model type", info.model_type),
        ("vendor", info.vendor),
        ("model version", f"{info.model_version} (since {_when(info.model_version_at)})"),
        ("policy", info.policy or "default (built-in)"),
        ("risk tier", info.risk_tier or "not classified (fairmark system classify)"),
    ]
    if risk:
        rows += [
            ("articles", risk.get("articles") or []),
            ("GDPR Art. 22", "applies" if risk.get("gdpr_art22") else "does not apply"),
            ("required checks", risk.get("required_checks") or []),
            (
                "classified",
                f"{risk.get('classified_at', '?')} by {risk.get('classified_by', '?')} "
                f"({risk.get('questionnaire')} v{risk.get('questionnaire_version')})",
            ),
        ]
    rows += [
        ("registered", _when(info.created_at)),
        ("updated", _when(info.updated_at)),
    ]
    print_kv(f"AI system {info.name}", rows)
    if info.audit_runs:
        shown, total = len(info.audit_runs), info.audit_run_count
        more = f" (newest {shown} of {total})" if shown < total else ""
        console.print(f"audit runs{more}:", markup=False, highlight=False)
        for run in info.audit_runs:
            console.print(
                f"  {run.run_id}  {_when(run.created_at)}  {run.verdict}",
                markup=False,
                highlight=False,
            )
    else:
        console.print("audit runs: none recorded", markup=False, highlight=False)
    if info.reviews:
        console.print("reviews:", markup=False, highlight=False)
        for review in info.reviews:
            expires = f", expires {_when(review.expires_at)}" if review.expires_at else ""
            console.print(
                printable(
                    f"  #{review.review_id}  {review.status}  model {review.model_version}  "
                    f"run {review.run_id}  submitted {_when(review.submitted_at)}{expires}"
                ),
                markup=False,
                highlight=False,
            )
    else:
        console.print("reviews: none", markup=False, highlight=False)


def _print_change(change: Any, verb: str) -> None:
    name = printable(change.system.name)
    if not change.changes:
        console.print(f"{verb} {name}: nothing changed", markup=False, highlight=False)
        return
    console.print(f"{verb} {name}:", style="bold", markup=False, highlight=False)
    for field, values in change.changes.items():
        console.print(
            f"  {field}: {values['from']!r} -> {values['to']!r}", markup=False, highlight=False
        )
    if change.material:
        console.print(
            printable(f"material change: {'; '.join(change.material)}"),
            markup=False,
            highlight=False,
        )
    if change.reopened_reviews:
        ids = ", ".join(f"#{i}" for i in change.reopened_reviews)
        console.print(f"reviews reopened: {ids}", markup=False, highlight=False)
    if change.withdrawn_reviews:
        ids = ", ".join(f"#{i}" for i in change.withdrawn_reviews)
        console.print(f"open reviews withdrawn: {ids}", markup=False, highlight=False)
    if change.status_from != change.status_to:
        console.print(
            f"status: {change.status_from} -> {change.status_to}", markup=False, highlight=False
        )


def _print_classification(name: str | None, result: Any) -> None:
    title = f"risk classification of {name}" if name else "risk classification"
    rows: list[tuple[str, Any]] = [
        ("tier", result.tier),
        ("also applies", [t for t in result.obligations if t != result.tier]),
        ("articles", list(result.articles)),
        ("GDPR Art. 22", "applies" if result.gdpr_art22 else "does not apply"),
        ("questionnaire", f"{result.questionnaire} v{result.questionnaire_version}"),
    ]
    if result.required_checks is not None:
        rows.append(("required checks", list(result.required_checks)))
        rows.append(("deployable", "yes" if result.deployable else "no"))
    print_kv(title, rows)
    console.print("rationale:", markup=False, highlight=False)
    for line in result.rationale:
        console.print(f"  - {line}", markup=False, highlight=False)
    _print_consequences(result)


def _print_consequences(result: Any) -> None:
    """What a stored classification (a ``SystemClassification``) did to its system, in the
    words :func:`_print_change` uses for an update."""
    if result.material:
        console.print(
            printable(f"material change: {'; '.join(result.material)}"),
            markup=False,
            highlight=False,
        )
    if result.reopened_reviews:
        ids = ", ".join(f"#{i}" for i in result.reopened_reviews)
        console.print(f"reviews reopened: {ids}", markup=False, highlight=False)
    if result.status_from != result.status_to:
        console.print(
            f"status: {result.status_from} -> {result.status_to}", markup=False, highlight=False
        )


@app.command("register")
@handle_errors
def register_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="System name, e.g. bank-propensity.")],
    owner: Annotated[
        str, typer.Option("--owner", metavar="USER", help="Accountable owner (a user).")
    ],
    purpose: Annotated[
        str,
        typer.Option(
            "--purpose",
            metavar="DATA_USE",
            help="fideslang data use declared in the policy, e.g. marketing.communications.",
        ),
    ],
    use_case: Annotated[
        str,
        typer.Option(
            "--use-case",
            metavar="USE_CASE",
            help="targeting, lead_scoring, personalisation, pricing_offers, "
            "content_generation, chatbot or bidding.",
        ),
    ],
    model_version: Annotated[
        str, typer.Option("--model-version", metavar="VERSION", help="Current model version.")
    ],
    team: Annotated[str | None, typer.Option("--team", metavar="TEXT")] = None,
    description: Annotated[str | None, typer.Option("--description", metavar="TEXT")] = None,
    data_category: Annotated[
        list[str] | None,
        typer.Option(
            "--data-category",
            metavar="CATEGORY",
            help="fideslang data category used (repeatable), e.g. user.financial.",
        ),
    ] = None,
    model_type: Annotated[
        str | None, typer.Option("--model-type", metavar="TEXT", help="e.g. gradient boosting.")
    ] = None,
    vendor: Annotated[str | None, typer.Option("--vendor", metavar="TEXT")] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            metavar="FILE",
            help="Policy YAML (only an admin may give one). Default: the built-in.",
        ),
    ] = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Register an AI system (status: proposed)."""
    from fairmark.governance.inventory import register_system

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        info = register_system(
            engine,
            name=name,
            owner=owner,
            purpose=purpose,
            use_case=use_case,
            model_version=model_version,
            team=team,
            description=description,
            data_categories=tuple(data_category or ()),
            model_type=model_type,
            vendor=vendor,
            policy=policy,
            principal=principal,
        )
    emit(fmt, info.to_dict(), lambda: _print_system(info))


@app.command("list")
@handle_errors
def list_command(
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="proposed, in_review, approved, deployed or retired.",
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar="USER")] = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """List the AI systems of the inventory."""
    from fairmark.governance.inventory import list_systems

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        systems = list_systems(engine, status=status, owner=owner, principal=principal)

    def render() -> None:
        if not systems:
            console.print("No AI systems match.", markup=False, highlight=False)
            return
        table = Table()
        for col in ("name", "status", "owner", "use case", "risk tier", "model", "audits"):
            table.add_column(col, overflow="fold")
        for s in systems:
            table.add_row(
                escape(printable(s.name)),
                s.status,
                escape(printable(s.owner)),
                s.use_case,
                s.risk_tier or "—",
                escape(printable(s.model_version)),
                str(s.audit_run_count),
            )
        console.print(table)

    emit(fmt, [s.to_dict() for s in systems], render)


@app.command("show")
@handle_errors
def show_command(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Show one AI system: every field, its risk tier and articles, audits and reviews."""
    from fairmark.governance.inventory import get_system

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        info = get_system(engine, name, principal=principal)
    emit(fmt, info.to_dict(), lambda: _print_system(info))


@app.command("update")
@handle_errors
def update_command(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    model_version: Annotated[
        str | None,
        typer.Option(
            "--model-version",
            metavar="VERSION",
            help="New model version (a material change: reopens review).",
        ),
    ] = None,
    add_data_category: Annotated[
        list[str] | None,
        typer.Option(
            "--add-data-category",
            metavar="CATEGORY",
            help="Add a data category (a material change; repeatable).",
        ),
    ] = None,
    remove_data_category: Annotated[
        list[str] | None,
        typer.Option("--remove-data-category", metavar="CATEGORY", help="Remove (repeatable)."),
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar="USER")] = None,
    team: Annotated[
        str | None, typer.Option("--team", metavar="TEXT", help="'' clears it.")
    ] = None,
    description: Annotated[str | None, typer.Option("--description", metavar="TEXT")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose", metavar="DATA_USE")] = None,
    use_case: Annotated[str | None, typer.Option("--use-case", metavar="USE_CASE")] = None,
    model_type: Annotated[str | None, typer.Option("--model-type", metavar="TEXT")] = None,
    vendor: Annotated[str | None, typer.Option("--vendor", metavar="TEXT")] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            metavar="FILE",
            help="Policy YAML, admin only; 'default' for the built-in (a material change).",
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="deployed (when 'fairmark gate' passes), approved (undeploy) or retired.",
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", metavar="TEXT")] = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Change an AI system; a new model, use case, policy or data category reopens review."""
    from fairmark.governance.inventory import update_system

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        change = update_system(
            engine,
            name,
            principal=principal,
            owner=owner,
            team=team,
            description=description,
            purpose=purpose,
            use_case=use_case,
            add_data_categories=tuple(add_data_category or ()),
            remove_data_categories=tuple(remove_data_category or ()),
            model_type=model_type,
            vendor=vendor,
            model_version=model_version,
            policy=policy,
            status=status,
            reason=reason,
        )
    emit(fmt, change.to_dict(), lambda: _print_change(change, "updated"))


@app.command("retire")
@handle_errors
def retire_command(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why (required).")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Retire an AI system (final; its open reviews are withdrawn)."""
    from fairmark.governance.inventory import retire_system

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        change = retire_system(engine, name, principal=principal, reason=reason)
    emit(fmt, change.to_dict(), lambda: _print_change(change, "retired"))


@app.command("classify")
@handle_errors
def classify_command(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    answers: Annotated[
        Path,
        typer.Option(
            "--answers",
            metavar="FILE",
            help="Answers file (YAML or JSON); see 'fairmark system questionnaire'.",
        ),
    ],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Classify an AI system under the EU AI Act from a questionnaire's answers."""
    from fairmark.governance.risk import classify_system, load_answers

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    load_answers(answers)  # bad answers are refused before the store is opened
    with governance_session(db_url, token) as (engine, principal, _url):
        result = classify_system(engine, name, answers, principal=principal)
    emit(fmt, result.to_dict(), lambda: _print_classification(name, result))


@app.command("questionnaire")
@handle_errors
def questionnaire_command(
    version: Annotated[
        int | None,
        typer.Option("--version", metavar="N", help="Questionnaire version. Default: latest."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="text|json|yaml-template",
            help="text: the questions; json: the questionnaire; yaml-template: an answers "
            "file to fill in.",
        ),
    ] = "text",
) -> None:
    """Print the EU AI Act risk questionnaire, or an answers-file template."""
    from fairmark.governance.risk import load_questionnaire, template_answers

    fmt = check_choice("--format", fmt, _QUESTIONNAIRE_FORMATS)
    q = load_questionnaire(version)
    if fmt == "yaml-template":
        typer.echo(template_answers(q), nl=False)
        return
    if fmt == "json":
        typer.echo(json.dumps(q.to_dict(), indent=2, ensure_ascii=False))
        return
    console.print(f"{q.title} ({q.label})", style="bold", markup=False, highlight=False)
    for source in q.sources:
        console.print(f"  source: {source}", markup=False, highlight=False)
    for i, question in enumerate(q.questions, start=1):
        console.print(
            f"\n{i:>2}. {question.id}", style="bold", markup=False, highlight=False
        )
        console.print(f"    {' '.join(question.text.split())}", markup=False, highlight=False)
        if question.help:
            console.print(
                f"    help: {' '.join(question.help.split())}", markup=False, highlight=False
            )
        if question.implies is not None:
            console.print(
                f"    true -> {question.implies.tier} "
                f"({', '.join(question.implies.articles)})",
                markup=False,
                highlight=False,
            )
    console.print(
        "\nWrite the answers with: fairmark system questionnaire --format yaml-template",
        markup=False,
        highlight=False,
    )
