"""``fairmark audit``: audit a decision, judge it against a policy, write the reports."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from fairmark.cli._common import check_choice, console, fail, handle_errors, parse_formats

if TYPE_CHECKING:
    from fairmark.governance.access import Principal

DEFAULT_OUT = "fairmark-report"
INTERSECTION_CHOICES = ("pairs", "all", "none")
SCORE_KINDS = ("auto", "probability", "logit", "score")

_DATA = "Data and outcome"
_DECISION = "Decision (give --y-pred, or --score with --threshold or --top-k)"
_GROUPS = "Groups"
_PRIVACY = "Personal data in the model's inputs"
_OUTPUT = "Policy, reports and record"

EPILOG = (
    "Example: fairmark audit calls.csv --y-true converted --positive-label yes "
    "--score propensity --top-k 0.2 -s age --bin age=age -s marital --out out/campaign"
)


def _parse_bins(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        col, sep, edges = item.partition("=")
        if not sep or not col.strip() or not edges.strip():
            fail(f"--bin {item!r}: expected COLUMN=EDGES, e.g. age=25,35,45,55,65 or age=age")
        cuts = [e.strip() for e in edges.split(",")]
        out[col.strip()] = "age" if edges.strip() == "age" else cuts
    return out


def _parse_refs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        feat, sep, group = item.partition("=")
        if not sep or not feat.strip() or not group:
            fail(f"--reference-group {item!r}: expected FEATURE=GROUP, e.g. marital=married")
        out[feat.strip()] = group
    return out


def _parse_features(value: str) -> list[str]:
    """``A,B`` or ``@file`` (one column per line or comma-separated; ``#`` starts a comment)."""
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or type(exc).__name__
            fail(
                f"--features {value}: cannot read {str(path)!r} ({why}); expected a text "
                "file with one column name per line"
            )
        lines = [line.split("#", 1)[0] for line in text.splitlines()]
        text = ",".join(lines)
    names = [name.strip() for name in text.split(",")]
    names = [name for name in names if name]
    if not names:
        fail(f"--features {value!r}: no column names; expected e.g. age,job or @features.txt")
    return names


def _parse_categories(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        column, sep, category = item.rpartition("=")
        if not sep or not column.strip() or not category.strip():
            fail(
                f"--data-category {item!r}: expected COLUMN=CATEGORY, e.g. "
                "income=user.financial (or COLUMN=none for a column without personal data)"
            )
        out[column.strip()] = category.strip()
    return out


def _drop_overridden_decision(cfg: dict[str, Any], flags: dict[str, Any]) -> None:
    """Let decision flags replace the config file's decision instead of clashing with it."""
    given = {k for k, v in flags.items() if v is not None}
    if "y_pred" in given:
        for key in {"score", "threshold", "top_k", "score_kind", "cutoffs"} - given:
            cfg.pop(key, None)
    if "score" in given:
        for key in {"y_pred", "pred_positive_label"} - given:
            cfg.pop(key, None)
    if "threshold" in given and "top_k" not in given:
        cfg.pop("top_k", None)
    if "top_k" in given and "threshold" not in given:
        cfg.pop("threshold", None)


def _recording_principal(db_url: str | None, token: str | None) -> tuple[Principal, int | None]:
    """Resolve who records the run: ``--token``, else ``$FAIRMARK_TOKEN``, else the account.

    Returns
    -------
    (Principal, int or None)
        Who records the run (the log names them), and the audit log's last ``seq`` before
        the audit (``None`` when it cannot be read), for :func:`_sign_checkpoint`.

    Raises
    ------
    AccessError
        The token is unknown, revoked or expired; the store has users and the local
        account is not one of them (SQLite) or no token was given (PostgreSQL).
    StoreError
        The store cannot be opened.
    """
    from fairmark.cli._governance import TOKEN_ENV_VAR, _log_head
    from fairmark.governance.identity import resolve_principal
    from fairmark.store import RunStore

    given = token if token is not None else os.environ.get(TOKEN_ENV_VAR) or None
    with RunStore(db_url) as store:
        return resolve_principal(store.engine, token=given), _log_head(store.engine)


def _sign_checkpoint(db_url: str | None, start: int | None, principal: Principal) -> None:
    """Sign the audit log's head after a run of a system was recorded, as governance
    commands do (:func:`fairmark.cli._governance._periodic_checkpoint`, the same function).

    The run's ``audit.record`` (and a new ``policy.version``) entries are then covered by a
    signed checkpoint and by the anchor beside the key at once, not only after the next
    governance command. On PostgreSQL a client whose key the store does not trust signs
    nothing and prints one ``note:`` line; a problem signing is one ``warning:`` line on
    stderr and never changes the audit's exit code (the run is recorded).
    Source: Schneier & Kelsey 1999 (periodic authenticated checkpoints bound how many
    recent entries can vanish unnoticed).
    """
    from fairmark.cli._governance import _periodic_checkpoint
    from fairmark.store import RunStore, database_url

    url = database_url(db_url)
    with RunStore(url) as store:
        _periodic_checkpoint(store.engine, url, start, principal)


@handle_errors
def audit_command(
    data: Annotated[
        Path | None,
        typer.Argument(
            metavar="DATA",
            help="CSV or Parquet file, a folder of Parquet files or a quoted glob "
            "('calls/*.parquet'). May instead be set as 'data' in --config.",
            show_default=False,
        ),
    ] = None,
    y_true: Annotated[
        str | None,
        typer.Option(
            "--y-true",
            metavar="COLUMN",
            rich_help_panel=_DATA,
            help="Column with the actual outcome (did the customer respond).",
        ),
    ] = None,
    positive_label: Annotated[
        str | None,
        typer.Option(
            "--positive-label",
            metavar="VALUE",
            rich_help_panel=_DATA,
            help="Value of --y-true that counts as the positive outcome: text "
            "(yes), a number (1) or true/false. Never guessed.",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            rich_help_panel=_DATA,
            help="audit.yaml holding any of these settings (snake_case keys, e.g. "
            "y_true, sensitive_features); flags given here override it.",
        ),
    ] = None,
    y_pred: Annotated[
        str | None,
        typer.Option(
            "--y-pred",
            metavar="COLUMN",
            rich_help_panel=_DECISION,
            help="Column with the binary decision (selected or not).",
        ),
    ] = None,
    pred_positive_label: Annotated[
        str | None,
        typer.Option(
            "--pred-positive-label",
            metavar="VALUE",
            rich_help_panel=_DECISION,
            help="Value of --y-pred meaning selected (default: true, 1, or the "
            "positive label when the columns hold the same kind of values).",
        ),
    ] = None,
    score: Annotated[
        str | None,
        typer.Option(
            "--score",
            metavar="COLUMN",
            rich_help_panel=_DECISION,
            help="Column with a model score; needs --threshold or --top-k.",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            metavar="T",
            rich_help_panel=_DECISION,
            help="Select the rows whose score is >= T.",
        ),
    ] = None,
    top_k: Annotated[
        float | None,
        typer.Option(
            "--top-k",
            metavar="K",
            rich_help_panel=_DECISION,
            help="Select the highest scores: a fraction 0<K<1 of the rows (0.2 = "
            "top 20%) or a whole count K>=1; ties with the K-th score are all "
            "selected.",
        ),
    ] = None,
    score_kind: Annotated[
        str | None,
        typer.Option(
            "--score-kind",
            metavar="auto|probability|logit|score",
            rich_help_panel=_DECISION,
            help="What --score holds: probabilities in [0, 1], logits, or any ranking "
            "score (then calibration is not computed). Default: auto (probability "
            "when every score is in [0, 1], else score).",
        ),
    ] = None,
    cutoff: Annotated[
        list[float] | None,
        typer.Option(
            "--cutoff",
            metavar="T",
            rich_help_panel=_DECISION,
            help="Extra score threshold at which selection-rate parity is reported "
            "(repeat), besides the top 10%, 20% and 30%.",
        ),
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            metavar="COLUMN",
            rich_help_panel=_DECISION,
            help="Numeric outcome (offer value, discount, price, credit limit) to "
            "compare across groups: mean, median, total, value share.",
        ),
    ] = None,
    sensitive_feature: Annotated[
        list[str] | None,
        typer.Option(
            "--sensitive-feature",
            "-s",
            metavar="COLUMN",
            rich_help_panel=_GROUPS,
            help="Column to audit by; repeat for several (-s age -s marital).",
        ),
    ] = None,
    bins: Annotated[
        list[str] | None,
        typer.Option(
            "--bin",
            metavar="COLUMN=EDGES",
            rich_help_panel=_GROUPS,
            help="Cut a numeric sensitive feature into bands: age=25,35,45 gives "
            "<25, 25-34, 35-44, 45+; age=age gives the standard age bands "
            "<25 … 65+. Repeat per column.",
        ),
    ] = None,
    intersections: Annotated[
        str | None,
        typer.Option(
            "--intersections",
            metavar="pairs|all|none",
            rich_help_panel=_GROUPS,
            help="Which combinations of sensitive features to audit as well. Default: pairs.",
        ),
    ] = None,
    reference_group: Annotated[
        list[str] | None,
        typer.Option(
            "--reference-group",
            metavar="FEATURE=GROUP",
            rich_help_panel=_GROUPS,
            help="Group the others are compared with, e.g. marital=married (repeat "
            "per feature; default: the group with the highest selection rate).",
        ),
    ] = None,
    sample_weight: Annotated[
        str | None,
        typer.Option(
            "--sample-weight",
            metavar="COLUMN",
            rich_help_panel=_GROUPS,
            help="Column of non-negative row weights.",
        ),
    ] = None,
    min_group_size: Annotated[
        int | None,
        typer.Option(
            "--min-group-size",
            metavar="N",
            rich_help_panel=_GROUPS,
            help="Groups with fewer rows are not estimated and their counts are not "
            "shown. Default: the policy's setting, else 30.",
        ),
    ] = None,
    max_groups: Annotated[
        int | None,
        typer.Option(
            "--max-groups",
            metavar="N",
            rich_help_panel=_GROUPS,
            help="Refuse a sensitive feature with more levels than this, such as a "
            "customer id. Default: 1000.",
        ),
    ] = None,
    features: Annotated[
        str | None,
        typer.Option(
            "--features",
            metavar="A,B|@FILE",
            rich_help_panel=_PRIVACY,
            help="The model's input columns, comma-separated or @file (one per line). "
            "They are checked for identifiers and special-category data; other columns "
            "the audit does not use count as data the model does not need. Default: "
            "every column but the audit's own and the sensitive features is examined.",
        ),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose",
            metavar="DATA_USE",
            rich_help_panel=_PRIVACY,
            help="Purpose of the processing, a fideslang data use declared in the "
            "policy's settings.purposes (e.g. marketing.communications): columns of a "
            "category it declares are not counted as unneeded.",
        ),
    ] = None,
    subject_column: Annotated[
        str | None,
        typer.Option(
            "--subject-column",
            metavar="COLUMN",
            rich_help_panel=_PRIVACY,
            help="Column holding the data-subject id: with --purpose, the audit measures "
            "the share of subjects without valid consent for that purpose in the consent "
            "ledger (privacy.consent_coverage; fairmark consent import).",
        ),
    ] = None,
    data_category: Annotated[
        list[str] | None,
        typer.Option(
            "--data-category",
            metavar="COLUMN=CATEGORY",
            rich_help_panel=_PRIVACY,
            help="Declare a column's fideslang data category instead of the scan's "
            "guess, e.g. income=user.financial; COLUMN=none for a column without "
            "personal data. Repeat per column.",
        ),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            metavar="FILE",
            rich_help_panel=_OUTPUT,
            help="Policy YAML file to judge against. Default: the built-in policy, "
            "as in policies/default.yaml.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            rich_help_panel=_OUTPUT,
            help=f"Folder for the reports, created if missing. Default: ./{DEFAULT_OUT}.",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="LIST",
            rich_help_panel=_OUTPUT,
            help="Reports to write, comma-separated: json (report.json), html "
            "(report.html), md (report.md), junit (junit.xml). Default: all four.",
        ),
    ] = None,
    system: Annotated[
        str | None,
        typer.Option(
            "--system",
            metavar="NAME",
            rich_help_panel=_OUTPUT,
            help="Name of the AI system audited, recorded with the run; the audit log is "
            "then signed (a checkpoint), as governance commands do.",
        ),
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            "--record/--no-record", rich_help_panel=_OUTPUT, help="Record the run in the store."
        ),
    ] = True,
    db_url: Annotated[
        str | None,
        typer.Option(
            "--db-url",
            metavar="URL",
            rich_help_panel=_OUTPUT,
            help="Run store, e.g. sqlite:///runs.db or postgresql://user@host/db. "
            "Default: $FAIRMARK_DB_URL, else .fairmark/fairmark.db.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="TOKEN",
            rich_help_panel=_OUTPUT,
            help="API token to record the run with (fairmark user token create). Default: "
            "$FAIRMARK_TOKEN, else the local account. Not needed with --no-record.",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", rich_help_panel=_OUTPUT, help="Print only the verdict and the run id."
        ),
    ] = False,
) -> None:
    """Audit a binary marketing decision by group and judge it against a policy.

    Exit code 0 for pass or warn, 1 for fail or insufficient evidence, 2 for bad input
    or when the acting user may not record a run for the system (then nothing is written
    or recorded). The run is recorded as the token's user (--token, $FAIRMARK_TOKEN),
    else the local account; with --system a checkpoint of the audit log is signed after it.
    """
    from fairmark.cli._summary import print_summary
    from fairmark.fairness.spec import load_audit_config
    from fairmark.pipeline import ALL_FORMATS, run_audit_job
    from fairmark.policy import exit_code

    if intersections is not None:
        intersections = check_choice("--intersections", intersections, INTERSECTION_CHOICES)
    if score_kind is not None:
        score_kind = check_choice("--score-kind", score_kind, SCORE_KINDS)
    cfg: dict[str, Any] = load_audit_config(config) if config else {}
    flags = {
        "y_true": y_true,
        "positive_label": positive_label,
        "y_pred": y_pred,
        "pred_positive_label": pred_positive_label,
        "score": score,
        "threshold": threshold,
        "top_k": top_k,
        "score_kind": score_kind,
        "cutoffs": cutoff or None,
        "outcome": outcome,
        "intersections": intersections,
        "sample_weight": sample_weight,
        "min_group_size": min_group_size,
        "max_groups": max_groups,
        "policy": policy,
        "system": system,
        "features": _parse_features(features) if features is not None else None,
        "purpose": purpose,
        "subject_column": subject_column,
    }
    _drop_overridden_decision(cfg, flags)
    settings = {**cfg, **{k: v for k, v in flags.items() if v is not None}}
    source = str(data) if data is not None else settings.get("data")
    settings.pop("data", None)
    if source is None:
        fail("no data given: pass a file as the first argument or set 'data' in --config")
    if sensitive_feature:
        bin_map = _parse_bins(bins or [])
        unknown = set(bin_map) - set(sensitive_feature)
        if unknown:
            fail(
                f"--bin names {', '.join(sorted(unknown))}, which is not among the "
                f"--sensitive-feature columns {', '.join(sensitive_feature)}"
            )
        settings["sensitive_features"] = [
            {"column": c, "bins": bin_map[c]} if c in bin_map else c for c in sensitive_feature
        ]
    elif bins:
        fail("--bin needs its column also given as --sensitive-feature")
    if data_category:
        settings["data_categories"] = {
            **(settings.get("data_categories") or {}),
            **_parse_categories(data_category),
        }
    if isinstance(settings.get("features"), str):  # audit.yaml: "a,b" or "@file"
        settings["features"] = _parse_features(settings["features"])
    if reference_group:
        settings["reference_groups"] = {
            **(settings.get("reference_groups") or {}),
            **_parse_refs(reference_group),
        }
    required = {
        "y_true": "--y-true",
        "positive_label": "--positive-label",
        "sensitive_features": "--sensitive-feature",
    }
    missing = [flag for key, flag in required.items() if settings.get(key) in (None, [], "")]
    if settings.get("y_pred") is None and settings.get("score") is None:
        missing.append("a decision (--y-pred, or --score with --threshold or --top-k)")
    if missing:
        fail(
            f"missing {', '.join(missing)}; give them as flags or in --config "
            "(see fairmark audit --help)"
        )
    formats_value = fmt if fmt is not None else settings.get("format")
    settings.pop("format", None)
    if isinstance(formats_value, list):
        formats_value = ",".join(str(x) for x in formats_value)
    formats = parse_formats(str(formats_value), ALL_FORMATS) if formats_value else ALL_FORMATS
    out_dir = out if out is not None else Path(settings.get("out") or DEFAULT_OUT)
    settings.pop("out", None)
    system_name = settings.pop("system", None)
    # who records the run, resolved before the audit runs (refused: exit 2, nothing written)
    principal, log_head = _recording_principal(db_url, token) if record else (None, None)

    job = run_audit_job(
        source,
        out_dir=out_dir,
        formats=formats,
        store_url=db_url,
        record=record,
        principal=principal,
        system_name=system_name,
        **settings,
    )
    doc = job.document
    if job.recorded and system_name is not None and principal is not None:
        _sign_checkpoint(db_url, log_head, principal)  # the run of a system: signed now
    if not quiet:
        print_summary(doc, console)
        for fmt_name, path in job.paths.items():
            console.print(f"[dim]{fmt_name:>5}[/] {escape(str(path))}", highlight=False)
        if job.recorded:
            console.print(f"[dim]run {doc['run_id']} recorded[/]")
    else:
        console.print(f"{doc['verdict']} {doc['run_id']}", markup=False, highlight=False)
    raise typer.Exit(exit_code(doc["verdict"]))
