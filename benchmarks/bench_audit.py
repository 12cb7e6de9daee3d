"""Benchmark fairmark's audit against fairlearn, AIF360, Aequitas and a bare DuckDB query.

Usage (from the repository root, with the project venv)::

    .venv/bin/python benchmarks/bench_audit.py [--sizes 1e5,1e6,1e7]
        [--contenders fairmark-cli,fairmark,...] [--timeout 900] [--repeat 3]

For every size, seeded synthetic data (``synth_data.py``: 6 age bands x 3 genders x 50
regions) is written to ``benchmarks/data/synth_<n>.parquet`` (reused when present), its
reference cell counts are made with pyarrow, and every contender runs in its own process
(``bench_child.py``, or the ``fairmark`` CLI) under ``bench_harness.measure_run``: wall
time and peak RSS of that process, plus the load and compute times the child reports.
Every contender's rates are checked against the reference (``bench_verify.py``).

Raw results are merged into ``benchmarks/results/audit.json`` (a run replaces the entries
of the sizes and contenders it ran; ``--fresh`` starts over) and the generated section of
``docs/benchmarks.md`` is rewritten from them. This is not a test: nothing here fails on
a slow number; the targets are reported as met or not met.

The driver itself imports only the standard library: a child's ``ru_maxrss`` includes its
parent's peak RSS at the ``fork``/``vfork`` (Linux counts the old address space's high
water mark at ``exec``), so a large driver would inflate small children's figures. Data
generation and the reference counts therefore run in a process of their own too.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_child import fairmark_groups
from bench_harness import measure_run, wait_for_quiet
from bench_machine import describe_machine
from bench_report import DEFAULT_MAX_OTHERS, render_section, write_doc
from bench_verify import verify

__all__ = ["CONTENDERS", "Contender", "main", "parse_sizes", "run_contender"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
AEQUITAS_VENV = HERE / ".venv-aequitas"
SEED = 20240601
DISTURBED_CPUS = DEFAULT_MAX_OTHERS
"""A run during which other processes kept more CPUs busy than this is repeated."""


@dataclass(frozen=True)
class Contender:
    """One benchmarked way of computing the group metrics.

    Attributes
    ----------
    name : str
        Short name (``--contenders`` value, table row).
    computes : str
        Exactly what it computes (Markdown, for the doc).
    interpreter : str
        ``"project"`` (this venv), ``"aequitas"`` (``benchmarks/.venv-aequitas``) or
        ``"cli"`` (the ``fairmark`` console script of this venv).
    """

    name: str
    computes: str
    interpreter: str = "project"


_FAIRMARK_WORK = (
    "59 single-feature groups and, by default (`intersections=\"pairs\"`), the 468 groups "
    "of the 3 feature pairs: for each, n, base rate, selection rate, TPR, FPR, FNR, TNR, "
    "PPV, NPV and accuracy with Wilson intervals; per feature and pair the disparity "
    "summaries with Newcombe/Katz intervals; every group against its reference group "
    "with a p-value (z or Fisher) and Holm adjustment; the built-in policy's verdict. "
    "Groups under 30 rows are suppressed (not compared)."
)

CONTENDERS: dict[str, Contender] = {
    c.name: c
    for c in (
        Contender(
            "fairmark-cli",
            "`fairmark audit DATA --y-true y_true --positive-label 1 --y-pred y_pred "
            "--sensitive-feature age_band --sensitive-feature gender --sensitive-feature "
            "region --no-record --out DIR --format json`: the whole process, interpreter "
            "start and imports included, writing `report.json`. " + _FAIRMARK_WORK,
            "cli",
        ),
        Contender(
            "fairmark",
            "`fairmark.audit(path, y_true=\"y_true\", y_pred=\"y_pred\", sensitive_features="
            "[\"age_band\", \"gender\", \"region\"])` timed alone, in a Python process after "
            "the imports (DuckDB reads the Parquet file in place: no separate load). Same "
            "work as the CLI without writing the report.",
        ),
        Contender(
            "fairmark-all",
            "as **fairmark** with `intersections=\"all\"`: also the 900 groups of the "
            "three-way intersection (1,427 groups in all).",
        ),
        Contender(
            "duckdb",
            "bare DuckDB: `SELECT age_band, gender, region, count(*), sum(y_true), "
            "sum(y_pred), sum(y_true * y_pred) FROM read_parquet(DATA) GROUP BY ALL`, "
            "fetched into Python (900 cells: the counts every group's selection rate, TPR "
            "and FPR follow from). Query only, after `import duckdb`.",
        ),
        Contender(
            "fairlearn",
            "fairlearn `MetricFrame(metrics={selection_rate, true_positive_rate, "
            "false_positive_rate}, sensitive_features=df[[\"age_band\", \"gender\", "
            "\"region\"]]).by_group`: the 900 groups of the three-way intersection (and "
            "overall). Load: `pandas.read_parquet` of the 5 columns.",
        ),
        Contender(
            "aif360-sklearn",
            "AIF360 `aif360.sklearn.metrics.intersection(f, y_true, y_pred, prot_attr=feature)` "
            "for f in `selection_rate`, `sensitivity_score` (TPR), "
            "`false_positive_rate_error` (FPR), one feature at a time: the 59 single-feature "
            "groups. Load: `read_parquet` and `set_index` of the features (this API takes "
            "protected attributes from the index).",
        ),
        Contender(
            "aif360-binary",
            "AIF360 `ClassificationMetric` on two `BinaryLabelDataset`s (truth, decisions) "
            "with one binary protected attribute, `gender == \"female\"` (unprivileged) "
            "vs the rest (privileged): `selection_rate`, `true_positive_rate`, "
            "`false_positive_rate` overall, unprivileged and privileged (3 groups). Compute "
            "includes building the datasets; load: `read_parquet` and the 0/1 column.",
        ),
        Contender(
            "aequitas",
            "Aequitas `aequitas.group.Group().get_crosstabs(df, attr_cols=[\"age_band\", "
            "\"gender\", \"region\"], score_col=\"y_pred\", label_col=\"y_true\")`: "
            "confusion counts and 12 rates (among them `pprev` = selection rate, `tpr`, "
            "`fpr`) for the 59 single-feature groups. Runs in its own venv "
            "(`benchmarks/.venv-aequitas`). Load: `pandas.read_parquet`.",
            "aequitas",
        ),
    )
}


def parse_sizes(text: str) -> list[int]:
    """Parse ``"1e5,1e6,1e7"`` (or plain integers) into row counts.

    Parameters
    ----------
    text : str
        Comma-separated sizes.

    Returns
    -------
    list of int

    Raises
    ------
    argparse.ArgumentTypeError
        If an item is not a whole positive number.
    """
    sizes = []
    for item in text.split(","):
        try:
            value = float(item.strip())
        except ValueError:
            value = float("nan")
        if not value.is_integer() or value < 1:
            raise argparse.ArgumentTypeError(
                f"size {item.strip()!r} is not a whole positive number like 1e6 or 250000"
            )
        sizes.append(int(value))
    return sizes


def _parse_contenders(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONTENDERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown contender(s) {unknown}; expected some of {', '.join(CONTENDERS)}"
        )
    return names


def _command(c: Contender, data: Path, out: Path, aequitas_python: Path) -> list[str]:
    if c.interpreter == "cli":
        exe = Path(sys.executable).parent / "fairmark"
        return [
            str(exe), "audit", str(data),
            "--y-true", "y_true", "--positive-label", "1", "--y-pred", "y_pred",
            "--sensitive-feature", "age_band", "--sensitive-feature", "gender",
            "--sensitive-feature", "region",
            "--no-record", "--out", str(out), "--format", "json",
        ]  # fmt: skip
    python = aequitas_python if c.interpreter == "aequitas" else Path(sys.executable)
    return [str(python), str(HERE / "bench_child.py"), c.name, str(data), str(out)]


def _read_output(c: Contender, out: Path) -> dict[str, Any]:
    """The child's JSON, or for the CLI the groups of its ``report.json``."""
    if c.interpreter == "cli":
        doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
        return {"load_s": None, "compute_s": None, "groups": fairmark_groups(doc["groups"])}
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def run_contender(
    c: Contender,
    data: Path,
    cells: list[list[Any]],
    *,
    timeout_s: float,
    repeat: int,
    repeat_cutoff_s: float,
    aequitas_python: Path,
    quiet_wait_s: float = 0.0,
    max_others_cpus: float = DISTURBED_CPUS,
    max_attempts: int | None = None,
) -> dict[str, Any]:
    """Run one contender on one data file, ``repeat`` times, and summarise.

    On a shared machine a run during which other processes kept more than
    ``max_others_cpus`` CPUs busy on average is *disturbed*: it is kept in ``runs`` but
    repeated (at most ``max_attempts`` runs in all), and the medians use the undisturbed
    runs when there are any.

    Parameters
    ----------
    c : Contender
    data : pathlib.Path
        The Parquet file.
    cells : list
        Reference cells of ``data`` (``synth_data.reference_cells``).
    timeout_s : float
        Per run.
    repeat : int
        Undisturbed runs wanted (>= 1); no more runs once one takes longer than
        ``repeat_cutoff_s``.
    repeat_cutoff_s : float
    aequitas_python : pathlib.Path
        Interpreter of the Aequitas venv.
    quiet_wait_s : float, default 0
        Before each run, wait up to this long for an idle machine (0: do not wait).
    max_others_cpus : float
        See above.
    max_attempts : int, optional
        Default ``3 * repeat``.

    Returns
    -------
    dict
        ``contender``, ``status`` (``ok``, ``timed out after N s`` or ``failed: …``),
        ``runs`` (each run's figures), medians ``wall_s``, ``load_s``, ``compute_s``,
        ``others_cpus`` (mean CPUs other processes used), largest ``peak_rss_mb``,
        ``disturbed`` (the figures come from disturbed runs only), ``verification`` (of
        the first run) and ``command``.
    """
    runs: list[dict[str, Any]] = []
    verification = None
    status = "ok"
    attempts = 0
    limit = 3 * repeat if max_attempts is None else max(max_attempts, 1)
    while sum(not r["disturbed"] for r in runs) < repeat and attempts < limit:
        attempts += 1
        if quiet_wait_s > 0:
            wait_for_quiet(max_busy_cpus=max_others_cpus, max_wait_s=quiet_wait_s)
        with tempfile.TemporaryDirectory(prefix="fairmark-bench-") as tmp:
            out = Path(tmp) / ("report" if c.interpreter == "cli" else "out.json")
            cmd = _command(c, data, out, aequitas_python)
            m = measure_run(cmd, timeout_s=timeout_s, cwd=Path(tmp))
            if m.timed_out:
                status = f"timed out after {timeout_s:.0f} s"
                break
            cli_ok = c.interpreter == "cli" and m.returncode in (0, 1)  # pass/warn, fail
            if m.returncode != 0 and not cli_ok:
                last = (m.stderr_tail.splitlines() or ["(no message)"])[-1]
                status = f"failed: exit {m.returncode}: {last}"
                break
            child = _read_output(c, out)
        others = None if m.others_cpu_s is None else m.others_cpu_s / m.wall_s
        run = {
            "wall_s": m.wall_s,
            "peak_rss_mb": m.peak_rss_mb,
            "load_s": child.get("load_s"),
            "compute_s": child.get("compute_s"),
            "cpu_s": m.cpu_s,
            "others_cpus": others,
            "disturbed": others is not None and others > max_others_cpus,
            "returncode": m.returncode,
        }
        runs.append(run)
        if verification is None:
            verification = verify(child["groups"], cells)
        print(
            f"  {c.name:<15} run {attempts}: {m.wall_s:8.2f} s  {m.peak_rss_mb:6.0f} MB"
            + (f"  others {others:4.2f} CPUs" if others is not None else "")
            + ("  (disturbed)" if run["disturbed"] else ""),
            flush=True,
        )
        if m.wall_s > repeat_cutoff_s:
            break

    used = [r for r in runs if not r["disturbed"]] or runs

    def median(key: str) -> float | None:
        values = [r[key] for r in used if r[key] is not None]
        return statistics.median(values) if values else None

    entry: dict[str, Any] = {
        "contender": c.name,
        "status": status if status != "ok" or runs else "failed: no run",
        "runs": runs,
        "wall_s": median("wall_s"),
        "load_s": median("load_s"),
        "compute_s": median("compute_s"),
        "others_cpus": median("others_cpus"),
        "peak_rss_mb": max((r["peak_rss_mb"] for r in runs), default=None),
        "disturbed": bool(runs) and all(r["disturbed"] for r in runs),
        "verification": None if verification is None else verification.__dict__,
        "command": _invocation(),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return entry


def _invocation() -> str:
    exe = Path(sys.executable)
    try:
        exe = exe.relative_to(ROOT)
    except ValueError:
        pass
    script = Path(sys.argv[0]).resolve()
    try:
        script = script.relative_to(ROOT)
    except ValueError:
        pass
    return shlex.join([str(exe), str(script), *sys.argv[1:]])


def ensure_aequitas(venv: Path) -> tuple[Path | None, str | None]:
    """Return the Aequitas venv's interpreter, creating the venv if needed.

    The newest ``aequitas`` may pin pandas/numpy versions the project does not use, so it
    lives in a venv of its own made with ``python3.11 -m venv`` and ``pip install aequitas
    pyarrow``.

    Parameters
    ----------
    venv : pathlib.Path
        ``benchmarks/.venv-aequitas``.

    Returns
    -------
    (pathlib.Path or None, str or None)
        The interpreter, or None and the installation error (its last line).
    """
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import aequitas.group, pyarrow"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python, None
    base = shutil.which("python3.11") or sys.executable
    steps = [
        [base, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", "aequitas", "pyarrow"],
    ]
    for step in steps:
        print(f"setting up Aequitas: {shlex.join(step)}", flush=True)
        done = subprocess.run(step, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or ["(no message)"]
            return None, f"{shlex.join(step)}: {lines[-1]}"
    if subprocess.run(check, capture_output=True).returncode != 0:
        return None, "aequitas installed but `import aequitas.group` fails"
    return python, None


def _prepare(data_dir: Path, n_rows: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="fairmark-bench-") as tmp:
        ref = Path(tmp) / "reference.json"
        script = str(HERE / "synth_data.py")
        cmd = [sys.executable, script, str(data_dir), str(n_rows), str(seed), str(ref)]
        subprocess.run(cmd, check=True)
        doc: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return doc


def _load_results(path: Path, fresh: bool) -> dict[str, Any]:
    if fresh or not path.exists():
        return {"sizes": []}
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def _merge(results: dict[str, Any], size: dict[str, Any]) -> None:
    old = next((s for s in results["sizes"] if s["n_rows"] == size["n_rows"]), None)
    if old is None:
        results["sizes"].append(size)
        return
    ran = {e["contender"] for e in size["results"]}
    kept = [e for e in old["results"] if e["contender"] not in ran]
    old.update({k: v for k, v in size.items() if k != "results"})
    old["results"] = kept + size["results"]


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (see the module docstring).

    Returns
    -------
    argparse.ArgumentParser
    """
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
                   help="comma-separated row counts (default 1e5,1e6,1e7)")
    p.add_argument("--contenders", type=_parse_contenders, default=list(CONTENDERS),
                   help=f"comma-separated, default all: {','.join(CONTENDERS)}")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per run (900)")
    p.add_argument("--repeat", type=int, default=3, help="runs per contender and size (3)")
    p.add_argument("--repeat-cutoff", type=float, default=60.0,
                   help="run only once if a run takes longer than this many seconds (60)")
    p.add_argument("--quiet-wait", type=float, default=120.0,
                   help="before each run, wait up to this many seconds for an idle machine "
                        "(120; 0: do not wait)")
    p.add_argument("--max-others-cpus", type=float, default=DISTURBED_CPUS,
                   help="repeat a run during which other processes kept more CPUs busy "
                        f"than this on average ({DISTURBED_CPUS})")
    p.add_argument("--max-attempts", type=int, default=None,
                   help="runs at most, disturbed ones included (default 3 x --repeat)")
    p.add_argument("--seed", type=int, default=SEED, help=f"data seed ({SEED})")
    p.add_argument("--data-dir", type=Path, default=HERE / "data")
    p.add_argument("--results", type=Path, default=HERE / "results" / "audit.json")
    p.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--fresh", action="store_true",
                   help="discard earlier results instead of merging into them")
    return p  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit code (0, or 2 on a bad command line).

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.timeout <= 0 or args.quiet_wait < 0 or args.max_others_cpus < 0:
        parser.error(
            "--repeat must be >= 1, --timeout > 0, --quiet-wait and --max-others-cpus >= 0"
        )
    aequitas_python = AEQUITAS_VENV / "bin" / "python"
    setup_error = None
    if "aequitas" in args.contenders:
        found, setup_error = ensure_aequitas(AEQUITAS_VENV)
        if found is None:
            print(f"Aequitas unavailable: {setup_error}", file=sys.stderr)
    results = _load_results(args.results, args.fresh)
    results["machine"] = describe_machine(aequitas_python)
    results["settings"] = {
        "timeout_s": args.timeout,
        "repeat": args.repeat,
        "repeat_cutoff_s": args.repeat_cutoff,
        "seed": args.seed,
        "quiet_wait_s": args.quiet_wait,
        "max_others_cpus": args.max_others_cpus,
        "max_attempts": args.max_attempts or 3 * args.repeat,
    }
    if "aequitas" in args.contenders:
        results["aequitas_setup"] = {"ok": setup_error is None, "error": setup_error}
    for n_rows in args.sizes:
        print(f"{n_rows:,} rows", flush=True)
        prepared = _prepare(args.data_dir, n_rows, args.seed)
        data = Path(prepared["path"])
        shown = data.resolve()
        size = {
            "n_rows": n_rows,
            "data_file": str(shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown),
            "file_mb": data.stat().st_size / 2**20,
            "results": [],
        }
        for name in args.contenders:
            c = CONTENDERS[name]
            if c.interpreter == "aequitas" and setup_error is not None:
                size["results"].append(
                    {"contender": name, "status": "not installed (see above)",
                     "command": _invocation(), "runs": []}
                )  # fmt: skip
                continue
            size["results"].append(
                run_contender(
                    c,
                    data,
                    prepared["cells"],
                    timeout_s=args.timeout,
                    repeat=args.repeat,
                    repeat_cutoff_s=args.repeat_cutoff,
                    aequitas_python=aequitas_python,
                    quiet_wait_s=args.quiet_wait,
                    max_others_cpus=args.max_others_cpus,
                    max_attempts=args.max_attempts,
                )
            )
        _merge(results, size)
        results["sizes"].sort(key=lambda s: s["n_rows"])
        results["generated_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        results["settings"]["driver_peak_rss_mb"] = peak
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        descriptions = {name: c.computes for name, c in CONTENDERS.items()}
        write_doc(args.doc, render_section(results, descriptions))
    print(f"results: {args.results}\ndoc: {args.doc}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
