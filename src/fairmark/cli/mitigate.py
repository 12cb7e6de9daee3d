"""``fairmark mitigate``: apply a fairness mitigation and show the before/after audit.

Usage::

    fairmark mitigate TRAIN.csv --y-true y --positive-label yes --sensitive-feature age \\
        --bin age=age [--test TEST.csv | --test-fraction 0.3] [--model model.joblib] \\
        [--exclude COL …] [--method threshold --method reweighing …] \\
        [--constraint demographic_parity] [--top-fraction 0.2] [--policy FILE] \\
        [--format text|json] [--out FILE] [--chart FILE.svg] [--save-model FILE.joblib]

DATA (CSV or Parquet, read by DuckDB like ``fairmark audit``) trains the model and the
mitigation; ``--test`` gives the rows to select from and audit, else a stratified
``--test-fraction`` of DATA is held out (seed ``--seed``). ``--model`` loads a
scikit-learn estimator saved with ``joblib.dump`` (fitted or not; **only load files you
trust**: joblib files run code when loaded); its features are its ``feature_names_in_``
when it has them. Without ``--model`` a logistic regression is trained (one-hot encoded
text columns, standardised numbers) on every column except ``--y-true`` and
``--exclude``; the sensitive columns stay in as a realistic team's model would have them.
Exit code 0 on success, 2 on bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from fairmark.cli._common import console, fail, handle_errors
from fairmark.errors import DataError, UsageError

__all__ = ["default_model", "mitigate_command", "print_mitigation_table"]

_FORMATS = ("text", "json")


def default_model(frame: Any) -> Any:
    """Return the unfitted default pipeline for the columns of ``frame``.

    ``OneHotEncoder(handle_unknown="ignore")`` on non-numeric columns and
    ``StandardScaler`` on numeric ones, then ``LogisticRegression(max_iter=1000)``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The feature columns.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``preprocess`` and ``classifier``.
    """
    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [
        c for c in frame.columns if is_numeric_dtype(frame[c]) and not is_bool_dtype(frame[c])
    ]
    categorical = [c for c in frame.columns if c not in numeric]
    steps = []
    if categorical:
        steps.append(("categorical", OneHotEncoder(handle_unknown="ignore"), categorical))
    if numeric:
        steps.append(("numeric", StandardScaler(), numeric))
    preprocess = ColumnTransformer(steps, remainder="drop")
    return Pipeline([("preprocess", preprocess), ("classifier", LogisticRegression(max_iter=1000))])


def _read(path: Path) -> Any:
    from fairmark.engine.source import as_table

    source = as_table(path)
    return source.table, source.table.to_pandas()


def _load_model(path: Path) -> Any:
    import joblib

    if not path.is_file():
        raise DataError(f"cannot load model {path}: no such file; expected a joblib file")
    try:
        model = joblib.load(path)
    except Exception as exc:  # unpickling can raise anything
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"cannot load model {path}: {first}; expected a scikit-learn estimator saved "
            "with joblib.dump"
        ) from None
    if not (hasattr(model, "fit") and hasattr(model, "predict")):
        raise UsageError(
            f"{path} holds a {type(model).__name__}, not a classifier; expected a "
            "scikit-learn estimator with fit and predict"
        )
    return model


def _features(frame: Any, model: Any, y_true: str, exclude: list[str]) -> list[str]:
    names = getattr(model, "feature_names_in_", None) if model is not None else None
    if names is not None:
        wanted = [str(c) for c in names]
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise DataError(
                f"the model needs columns {missing} which the data lacks; expected the "
                "columns the model was trained on"
            )
        return wanted
    unknown = [c for c in exclude if c not in frame.columns]
    if unknown:
        raise UsageError(f"--exclude names columns {unknown} that are not in the data")
    features = [c for c in frame.columns if c != y_true and c not in exclude]
    if not features:
        raise DataError("no feature columns left after --y-true and --exclude")
    return features


def _groups(frame: Any, columns: list[str], bins: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd
    from pandas.api.types import is_numeric_dtype

    from fairmark.fairness.spec import parse_binning

    out = {}
    for col in columns:
        if col not in frame.columns:
            raise DataError(f"sensitive feature {col!r} is not a column of the data")
        values = frame[col]
        if col in bins:
            if not is_numeric_dtype(values) or values.dtype == bool:
                raise DataError(f"--bin {col}: column {col!r} is not numeric")
            binning = parse_binning(bins[col], col)
            labels = np.asarray(binning.band_labels(), dtype=object)
            codes = np.searchsorted(np.asarray(binning.edges), values.to_numpy(float), "right")
            banded = pd.Series(labels[codes], index=frame.index)
            banded[values.isna()] = None
            out[f"{col}_band"] = banded
        else:
            out[col] = values
    return pd.DataFrame(out, index=frame.index)


def print_mitigation_table(result: Any, out: Any = None, *, title: str | None = None) -> None:
    """Print the before/after table of a :class:`~fairmark.mitigate.MitigationResult`.

    Parameters
    ----------
    result : fairmark.mitigate.MitigationResult
    out : rich.console.Console, optional
        Where to print (default: the CLI's standard-output console).
    title : str, optional
        Table title; default names the method and constraint.
    """
    from rich.table import Table

    from fairmark.report.glossary import glossary_entry

    out = out or console
    run = result.runs[0]
    table = Table(title=title or f"Before and after: {run.label}", title_justify="left")
    for name, justify in (
        ("", "left"),
        ("before", "right"),
        ("after", "right"),
        ("change", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in result.table():
        key = row["key"]
        label = glossary_entry(key).name if key != "verdict" else "Policy verdict"
        if row["feature"]:
            label = f"{label} ({row['feature']})"
        unit = glossary_entry(key).unit if key != "verdict" else "none"
        table.add_row(
            label,
            _fmt(row["before"], unit),
            _fmt(row["after"], unit),
            _fmt(row["change"], unit, signed=True),
        )
    out.print(table)
    if len(result.runs) > 1:
        compared = Table(title="Methods compared (the trade-off)", title_justify="left")
        for name in ("method", "list size", "conversions", "selection rate gap", "verdict"):
            compared.add_column(name, justify="left" if name == "method" else "right")
        for point in result.tradeoff():
            gap = point["fairness_value"]
            compared.add_row(
                point["label"],
                f"{point['n_selected']:,}",
                f"{point['expected_conversions']:,}",
                "n/a" if gap is None else _fmt(gap, "difference"),
                point["verdict"],
            )
        out.print(compared)
    if run.operating_point is not None:
        out.print(
            f"[dim]List: top {result.top_fraction:.0%} of {result.n_test:,} rows by score "
            f"before; after: every group selected at a common rate of {run.operating_point:.1%} "
            f"(group thresholds fitted on {result.n_train:,} other rows; decisions randomised "
            f"at the thresholds, seed {result.random_state}).[/]"
        )


def _fmt(value: Any, unit: str, *, signed: bool = False) -> str:
    if value is None:
        return "" if signed else "n/a"
    if isinstance(value, str):
        return value
    sign = "+" if signed else ""
    if unit == "count":
        return f"{value:{sign},d}" if isinstance(value, int) else f"{value:{sign},.0f}"
    if unit == "rate":  # a change of a rate is a difference, in percentage points
        return f"{value * 100:+.1f} pp" if signed else f"{value:.1%}"
    if unit == "difference":
        return f"{value * 100:{sign}.1f} pp"
    return f"{value:{sign}.3f}"


@handle_errors
def mitigate_command(
    data: Annotated[
        Path, typer.Argument(help="Training data: CSV or Parquet file.", show_default=False)
    ],
    y_true: Annotated[str, typer.Option("--y-true", help="Column with the actual outcome.")],
    positive_label: Annotated[
        str, typer.Option("--positive-label", help="Value of --y-true counted as a conversion.")
    ],
    sensitive_feature: Annotated[
        list[str], typer.Option("--sensitive-feature", "-s", help="Column to mitigate by (repeat).")
    ],
    bins: Annotated[
        list[str] | None,
        typer.Option(
            "--bin", help="Bin a numeric sensitive column: COLUMN=25,35,45 or COLUMN=age."
        ),
    ] = None,
    test: Annotated[
        Path | None,
        typer.Option(
            "--test",
            help="Rows to select from and audit (default: hold out --test-fraction of DATA).",
        ),
    ] = None,
    test_fraction: Annotated[
        float | None,
        typer.Option(
            "--test-fraction", help="Share of DATA held out when --test is not given (0.3)."
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="joblib file of a scikit-learn classifier (default: train a logistic regression).",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Column not used as a model feature (repeat)."),
    ] = None,
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            help="threshold (default), exponentiated_gradient or reweighing; repeat to compare.",
        ),
    ] = None,
    constraint: Annotated[
        str,
        typer.Option(
            "--constraint", help="demographic_parity, equalized_odds or true_positive_rate_parity."
        ),
    ] = "demographic_parity",
    top_fraction: Annotated[
        float | None,
        typer.Option(
            "--top-fraction", help="Fixed list size as a share of the test rows, e.g. 0.2."
        ),
    ] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="Policy file (default: the built-in policy).")
    ] = None,
    min_group_size: Annotated[
        int | None,
        typer.Option("--min-group-size", help="Smaller groups are not estimated (default 30)."),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", help="Seed of the split, the randomised decisions and tie-breaking."
        ),
    ] = 0,
    fmt: Annotated[
        str, typer.Option("--format", help="text (table) or json (the API's document).")
    ] = "text",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the output here instead of standard output.")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write the trade-off chart (SVG) here.")
    ] = None,
    save_model: Annotated[
        Path | None, typer.Option("--save-model", help="Save the mitigated model with joblib here.")
    ] = None,
) -> None:
    """Mitigate unfair selection (ThresholdOptimizer, ExponentiatedGradient or reweighing).

    Prints fairness, accuracy and conversions before and after. Exit 0, or 2 on bad input.
    """
    from fairmark.cli.audit import _parse_bins
    from fairmark.engine.cube import _coerce_label
    from fairmark.mitigate import mitigate

    if fmt not in _FORMATS:
        fail(f"unknown format {fmt!r}; expected text or json")
    if test is not None and test_fraction is not None:
        fail("give either --test or --test-fraction, not both")
    held_out = 0.3 if test_fraction is None else test_fraction
    if not 0 < held_out < 1:
        fail(f"--test-fraction must be in (0, 1), got {held_out}")
    bin_map = _parse_bins(bins or [])
    unknown = set(bin_map) - set(sensitive_feature)
    if unknown:
        fail(f"--bin names {sorted(unknown)} which are not among --sensitive-feature")

    table, train = _read(data)
    if y_true not in train.columns:
        raise DataError(f"--y-true column {y_true!r} is not in {data}")
    label = _coerce_label(positive_label, table.schema()[y_true], "positive label", y_true)
    if test is not None:
        _, test_frame = _read(test)
        if y_true not in test_frame.columns:
            raise DataError(f"--y-true column {y_true!r} is not in {test}")
    else:
        train, test_frame = _split(train, y_true, held_out, seed)
    estimator = _load_model(model) if model is not None else None
    features = _features(train, estimator, y_true, list(exclude or []))
    missing = [c for c in features if c not in test_frame.columns]
    if missing:
        raise DataError(f"the test data lacks feature columns {missing}")
    if estimator is None:
        estimator = default_model(train[features])
    result = mitigate(
        estimator,
        train[features],
        train[y_true],
        test_frame[features],
        test_frame[y_true],
        sensitive_train=_groups(train, sensitive_feature, bin_map),
        sensitive_test=_groups(test_frame, sensitive_feature, bin_map),
        method=method or ["threshold"],
        constraint=constraint,
        top_fraction=top_fraction,
        positive_label=label,
        audit_kwargs=_audit_kwargs(policy, min_group_size),
        random_state=seed,
    )
    if chart is not None:
        chart.write_text(result.tradeoff_chart_svg(), encoding="utf-8")
    if save_model is not None:
        import joblib

        joblib.dump(result.model, save_model)
    if fmt == "json":
        text = result.to_json() + "\n"
        if out is not None:
            out.write_text(text, encoding="utf-8")
        else:
            typer.echo(text, nl=False)
        return
    if out is not None:
        from rich.console import Console

        with out.open("w", encoding="utf-8") as handle:
            print_mitigation_table(result, Console(file=handle, width=120))
    else:
        print_mitigation_table(result)


def _split(frame: Any, y_true: str, test_fraction: float, seed: int) -> tuple[Any, Any]:
    """Stratified random split of ``frame`` into training and test rows."""
    from sklearn.model_selection import train_test_split

    labels = frame[y_true]
    if labels.isna().any():
        raise DataError(f"--y-true column {y_true!r} has {int(labels.isna().sum())} missing values")
    try:
        train, test = train_test_split(
            frame, test_size=test_fraction, random_state=seed, stratify=labels
        )
    except ValueError as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise DataError(f"cannot hold out {test_fraction:.0%} of the data: {first}") from None
    return train, test


def _audit_kwargs(policy: str | None, min_group_size: int | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if policy is not None:
        kwargs["policy"] = policy
    if min_group_size is not None:
        kwargs["min_group_size"] = min_group_size
    return kwargs
