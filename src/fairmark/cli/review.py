"""``fairmark review``: the ethics-committee review of an AI system version.

Thin wrappers over :mod:`fairmark.governance.review`: each command opens the store,
resolves who is acting (``--token`` / ``$FAIRMARK_TOKEN``, else the local account), calls
one function that checks the role, and prints the result as text or ``--format json``
(the result's ``to_dict()``). Bad input or a refused request: one line on stderr, exit 2,
the store unchanged.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from fairmark.cli._common import check_choice, console, fail, handle_errors, printable
from fairmark.cli._governance import (
    OUTPUT_FORMATS,
    DbUrlOption,
    FormatOption,
    TokenOption,
    emit,
    governance_session,
    print_kv,
)

__all__ = ["app", "render_review"]

app = typer.Typer(
    help=(
        "Ethics-committee review: submit a system for review, assign reviewers, comment, "
        "decide, close conditions."
    ),
    no_args_is_help=True,
)

ReviewIdArg = Annotated[str, typer.Argument(metavar="REVIEW_ID", help="The review's number.")]


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return value.isoformat()


def _line(text: str) -> None:
    console.print(printable(text), markup=False, highlight=False, soft_wrap=True)


def render_review(info: Any) -> None:
    """Print a :class:`~fairmark.governance.review.ReviewInfo` as text."""
    version = info.model_version
    if info.system_model_version != info.model_version:
        version += f" (system now at {info.system_model_version})"
    approval = "current" if info.current else "not current"
    if info.due:
        approval += "; re-review falls due"
    print_kv(
        f"review {info.review_id}: {info.system}",
        [
            ("status", info.status),
            ("model version", version),
            ("audit run", f"{info.run_id} ({info.run_verdict or 'unknown verdict'})"),
            ("owner", info.owner),
            ("submitted", f"{_when(info.submitted_at)} by {info.submitted_by}"),
            ("note", info.note),
            ("quorum", f"{len(info.decisions)} of {info.quorum} decisions"),
            ("decided", _when(info.decided_at)),
            ("expires", _when(info.expires_at)),
            ("approval", approval if info.status.startswith("approved") else None),
            ("closed because", info.closed_reason),
        ],
    )
    if info.reviewers:
        _line("reviewers:")
        for r in info.reviewers:
            _line(f"  {r.reviewer}  {'decided' if r.decided else 'to decide'}")
    if info.needs_reviewers:
        _line(
            f"needs {info.needs_reviewers} more reviewer(s): "
            f"fairmark review assign {info.review_id} --reviewer NAME"
        )
    if info.decisions:
        _line("decisions:")
        for d in info.decisions:
            _line(f"  {d.reviewer}: {d.decision} ({_when(d.created_at)}): {d.rationale}")
    if info.conditions:
        _line("conditions:")
        _render_conditions(info.conditions, "  ")
    if info.comments:
        _line("comments:")
        for c in info.comments:
            _line(f"  {c.author} ({_when(c.created_at)}): {c.body}")
    if info.previous is not None:
        _render_previous(info.previous)
    if info.earlier_open_conditions:
        _line("open blocking conditions of earlier reviews (the gate stays closed until closed):")
        for c in info.earlier_open_conditions:
            _line(f"  review {c.review_id}:")
            _render_conditions([c], "    ")


def _render_conditions(conditions: Any, indent: str) -> None:
    """One line per condition: id, blocking or advisory, status now, due date, text."""
    for c in conditions:
        kind = "blocking" if c.blocking else "advisory"
        due = f", due {_when(c.due_on)}" if c.due_on else ""
        closed = f", closed by {c.closed_by}: {c.closing_note}" if c.status == "closed" else ""
        _line(f"{indent}{c.condition_id} [{kind}, {c.status}{due}] {c.text}{closed}")


def _render_previous(prev: Any) -> None:
    """The previous review's decisions, comments and conditions (with their status now), for
    the reviewers of this one."""
    why = f"; {prev.closed_reason}" if prev.closed_reason else ""
    _line(
        f"previous review {prev.review_id} ({prev.status}{why}; model version "
        f"{prev.model_version}, audit run {prev.run_id}):"
    )
    for d in prev.decisions:
        _line(f"  {d.reviewer}: {d.decision} ({_when(d.created_at)}): {d.rationale}")
    for c in prev.comments:
        _line(f"  comment by {c.author} ({_when(c.created_at)}): {c.body}")
    if prev.conditions:
        _line(f"  conditions of review {prev.review_id}:")
        _render_conditions(prev.conditions, "    ")


def _render_list(infos: list[Any], due: bool) -> None:
    if not infos:
        _line("No approvals fall due for re-review." if due else "No reviews.")
        return
    for info in infos:
        extra = ""
        if info.expires_at is not None:
            extra = f"  expires {_when(info.expires_at)}"
            if info.due:
                extra += "  re-review falls due"
        elif info.status == "open":
            extra = f"  {len(info.decisions)}/{info.quorum} decisions"
        _line(f"{info.review_id:>4}  {info.system}  {info.model_version}  {info.status}{extra}")


def _due_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"--due: {value!r} is not a date; expected YYYY-MM-DD")


@app.command("submit")
@handle_errors
def submit_command(
    system: Annotated[str, typer.Argument(metavar="SYSTEM", help="A registered AI system.")],
    run: Annotated[
        str | None,
        typer.Option("--run", metavar="RUN_ID", help="Audit run to submit. Default: latest."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="For reviewers.")] = (
        None
    ),
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Submit a system's current model version for review; reviewers are assigned."""
    from fairmark.governance.review import submit_review

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        info = submit_review(engine, system, principal=principal, run_id=run, note=note)
    emit(fmt, info.to_dict(), lambda: render_review(info))


@app.command("assign")
@handle_errors
def assign_command(
    review_id: ReviewIdArg,
    reviewer: Annotated[
        str, typer.Option("--reviewer", metavar="NAME", help="A trained reviewer.")
    ],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Assign a reviewer to an open review (admin)."""
    from fairmark.governance.review import assign_reviewer

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        info = assign_reviewer(engine, review_id, reviewer, principal=principal)
    emit(fmt, info.to_dict(), lambda: render_review(info))


@app.command("comment")
@handle_errors
def comment_command(
    review_id: ReviewIdArg,
    text: Annotated[str, typer.Option("--text", metavar="TEXT", help="The comment.")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Comment on an open review (or an approval with conditions)."""
    from fairmark.governance.review import comment

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        note = comment(engine, review_id, text, principal=principal)
    emit(fmt, note.to_dict(), lambda: _line(f"comment added to review {note.review_id}"))


@app.command("decide")
@handle_errors
def decide_command(
    review_id: ReviewIdArg,
    decision: Annotated[
        str,
        typer.Option(
            "--decision",
            metavar="approve|approve-with-conditions|reject",
            help="Your decision.",
        ),
    ],
    rationale: Annotated[str, typer.Option("--rationale", metavar="TEXT", help="Why.")],
    condition: Annotated[
        list[str] | None,
        typer.Option(
            "--condition",
            metavar="TEXT",
            help="A blocking condition (repeatable); the gate stays closed until it is closed.",
        ),
    ] = None,
    advisory: Annotated[
        list[str] | None,
        typer.Option("--advisory", metavar="TEXT", help="A non-blocking condition (repeatable)."),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option("--due", metavar="YYYY-MM-DD", help="Due date of the conditions given."),
    ] = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Record your decision on a review you are assigned to."""
    from fairmark.governance.review import ConditionSpec, decide

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    due_on = _due_date(due)
    blocking = [ConditionSpec(text, due_on) for text in condition or []]
    optional = [ConditionSpec(text, due_on) for text in advisory or []]
    with governance_session(db_url, token) as (engine, principal, _url):
        info = decide(
            engine,
            review_id,
            decision,
            rationale,
            principal=principal,
            conditions=blocking,
            advisory=optional,
        )
    emit(fmt, info.to_dict(), lambda: render_review(info))


@app.command("close-condition")
@handle_errors
def close_condition_command(
    condition_id: Annotated[
        str, typer.Argument(metavar="CONDITION_ID", help="The condition's number.")
    ],
    note: Annotated[str, typer.Option("--note", metavar="TEXT", help="How it was met.")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Close a condition of an approval (a reviewer or admin, never the system's owner)."""
    from fairmark.governance.review import close_condition

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        info = close_condition(engine, condition_id, note, principal=principal)
    emit(
        fmt,
        info.to_dict(),
        lambda: _line(f"condition {info.condition_id} of review {info.review_id} closed"),
    )


@app.command("withdraw")
@handle_errors
def withdraw_command(
    review_id: ReviewIdArg,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why.")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Withdraw an open review (the system's owner or an admin; an admin once rejected)."""
    from fairmark.governance.review import withdraw_review

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        info = withdraw_review(engine, review_id, principal=principal, reason=reason)
    emit(fmt, info.to_dict(), lambda: render_review(info))


@app.command("show")
@handle_errors
def show_command(
    review_id: ReviewIdArg,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Show a review: reviewers, decisions, conditions, comments, expiry, previous review."""
    from fairmark.governance.review import get_review

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        info = get_review(engine, review_id, principal=principal)
    emit(fmt, info.to_dict(), lambda: render_review(info))


@app.command("list")
@handle_errors
def list_command(
    system: Annotated[
        str | None, typer.Option("--system", metavar="NAME", help="Only this system's reviews.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", metavar="STATUS", help="Only reviews in this status.")
    ] = None,
    due: Annotated[
        bool,
        typer.Option("--due", help="Only approvals expired or expiring within 30 days."),
    ] = False,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """List reviews, newest first; --due lists approvals whose re-review falls due."""
    from fairmark.governance.review import list_reviews

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        infos = list_reviews(engine, principal=principal, system=system, status=status, due=due)
    emit(fmt, [i.to_dict() for i in infos], lambda: _render_list(infos, due))
