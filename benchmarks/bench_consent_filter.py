"""Benchmark the consent enforcement filter: N subjects in the ledger, N rows in the audience.

Usage (from the repository root, with the project venv)::

    .venv/bin/python benchmarks/bench_consent_filter.py [--n 1e7] [--db-url URL]
        [--workdir DIR] [--verify]

Stages, each timed (wall seconds and this process's CPU seconds; the machine is shared):

1. generate: the seeded ledger export (CSV, ~1.4 events per subject) and the audience
   (CSV, N rows) of ``consent_synth.py``;
2. import: ``ConsentLedger.import_file`` of the export into the store (SQLite file in the
   work folder by default, or ``--db-url postgresql://...``): read and check in DuckDB,
   insert, duplicate report;
3. filter: ``filter_audience`` for ``marketing.communications.email`` as of 2025-07-01,
   written to Parquet, with its own stages ``ledger_transfer`` (the slice streamed from the
   store into DuckDB as Arrow), ``ledger_reduce`` (one decision per subject), ``count``
   (exclusions by reason) and ``write`` (the permitted rows);
4. ``--verify`` (sensible up to ~2e6): compare with the pandas reference of
   ``consent_synth.reference_filter``.

Raw results are merged into ``benchmarks/results/consent_filter.json`` (keyed by backend
and N) and the Markdown fragment ``docs/_fragments/consent_filter.md`` is rewritten from
them. Not a test: nothing fails on a slow number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import consent_synth

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "consent_filter.json"
FRAGMENT = ROOT / "docs" / "_fragments" / "consent_filter.md"


def _timed(fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, {
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
    }


def _size(text: str) -> int:
    value = float(text)
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"--n {text!r}: expected a whole positive number")
    return int(value)


def run(n: int, workdir: Path, db_url: str | None, verify: bool) -> dict[str, Any]:
    """Run the stages for ``n`` subjects; return the result record."""
    from fairmark.privacy.consent import ConsentLedger, filter_audience
    from fairmark.store.db import redact_url

    ledger_csv, audience_csv = workdir / "ledger.csv", workdir / "audience.csv"
    out = workdir / "permitted.parquet"
    url = db_url or f"sqlite:///{workdir / 'store.db'}"
    record: dict[str, Any] = {
        "n_subjects": n,
        "audience_rows": n,
        "backend": "postgresql" if url.startswith("postgres") else "sqlite",
        "db_url": redact_url(url),
        "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "load_average_at_start": list(os.getloadavg()),
    }
    n_events, record["generate"] = _timed(lambda: consent_synth.make_ledger(ledger_csv, n))
    _, gen_audience = _timed(lambda: consent_synth.make_audience(audience_csv, n))
    record["generate_audience"] = gen_audience
    record["n_events"] = n_events
    print(f"generated {n_events:,} events, {n:,} audience rows", flush=True)
    with ConsentLedger(url) as ledger:
        imported, record["import"] = _timed(lambda: ledger.import_file(ledger_csv))
        record["import"]["events_per_s"] = round(n_events / record["import"]["wall_s"])
        print(f"import {record['import']}", flush=True)
        result, record["filter"] = _timed(
            lambda: filter_audience(
                audience_csv,
                purpose=consent_synth.PURPOSE,
                out=out,
                as_of=consent_synth.AS_OF.isoformat(),
                ledger=ledger,
            )
        )
    record["filter"]["stages_wall_s"] = {k: round(v, 2) for k, v in result.timings.items()}
    record["filter"]["ledger_events_read"] = result.n_ledger_events
    record["permitted_rows"] = result.n_permitted_rows
    record["excluded"] = {k: v for k, v in result.excluded.items() if v}
    record["duplicates"] = imported.duplicates.n_duplicates
    record["contradictions"] = imported.duplicates.n_contradictions
    record["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    record["load_average_at_end"] = list(os.getloadavg())
    print(f"filter {record['filter']}", flush=True)
    if verify:
        (rows, counts), record["pandas_reference"] = _timed(
            lambda: consent_synth.reference_filter(ledger_csv, audience_csv)
        )
        record["verified"] = len(rows) == result.n_permitted_rows and counts == record["excluded"]
        print(f"verified against pandas: {record['verified']}", flush=True)
    return record


def _merge(record: dict[str, Any]) -> dict[str, Any]:
    from bench_machine import describe_machine

    data: dict[str, Any] = {"runs": {}}
    if RESULTS.exists():
        data = json.loads(RESULTS.read_text())
    data["machine"] = describe_machine()
    data["runs"][f"{record['backend']}:{record['n_subjects']}"] = record
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    return data


def _fragment(data: dict[str, Any]) -> str:
    lines = [
        "## Consent enforcement filter",
        "",
        "Generated by `benchmarks/bench_consent_filter.py` (raw figures in "
        "`benchmarks/results/consent_filter.json`). Seeded synthetic ledger "
        "(`benchmarks/consent_synth.py`: ~1.4 events per subject over four purposes, ties, "
        "expiries, minors, objections, US opt-outs) and an audience of the same number of "
        "rows (90% ledger subjects, 9% unknown, 1% without id); `fairmark consent filter` "
        "for `marketing.communications.email` as of 2025-07-01, Parquet output. Wall "
        "seconds on the shared 2-core machine (CPU seconds of the process in brackets; the "
        "load average at the start is given because other jobs ran at the same time).",
        "",
        "| backend | subjects | events | import s (events/s) | filter s | transfer s | "
        "reduce s | count s | write s | permitted rows | = pandas | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    shares: list[str] = []
    for key in sorted(data["runs"], key=lambda k: (k.split(":")[0], int(k.split(":")[1]))):
        r = data["runs"][key]
        st = r["filter"]["stages_wall_s"]
        lines.append(
            f"| {r['backend']} | {r['n_subjects']:,} | {r['n_events']:,} | "
            f"{r['import']['wall_s']:,.0f} [{r['import']['cpu_s']:,.0f}] "
            f"({r['import']['events_per_s']:,}) | "
            f"{r['filter']['wall_s']:,.1f} [{r['filter']['cpu_s']:,.1f}] | "
            f"{st.get('ledger_transfer', 0):,.1f} | {st.get('ledger_reduce', 0):,.1f} | "
            f"{st.get('count', 0):,.1f} | {st.get('write', 0):,.1f} | "
            f"{r['permitted_rows']:,} | {_verified(r)} | {r['load_average_at_start'][0]:.1f} |"
        )
        share = st.get("ledger_transfer", 0) / max(r["filter"]["wall_s"], 1e-9)
        shares.append(f"{r['backend']} {r['n_subjects']:,}: {share:.0%}")
    lines += [
        "",
        "The transfer from the store dominates the filter (share of its wall time: "
        f"{'; '.join(shares)}): Python builds one row object per event on the way. "
        "*= pandas*: output rows and exclusion counts equal to the independent pandas "
        "computation (`--verify`).",
        "",
        "*transfer*: the store runs one filtered `SELECT` (events of the purpose and its "
        "parents up to the instant) and its rows are streamed into DuckDB as Arrow batches; "
        "*reduce*: latest event per subject (`arg_max`) in DuckDB; *count*: the join with "
        "the audience and the exclusions by reason; *write*: the join again, permitted rows "
        "to Parquet. DuckDB's `sqlite`/`postgres` extensions are not used (they download on "
        "first use; this machine has no route to the extension repository).",
        "",
    ]
    return "\n".join(lines)


def _verified(record: dict[str, Any]) -> str:
    if "verified" not in record:
        return "not run"
    return "yes" if record["verified"] else "**no**"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=_size, default=10_000_000, help="subjects (default 1e7)")
    parser.add_argument("--db-url", default=None, help="store URL (default: SQLite in workdir)")
    parser.add_argument("--workdir", type=Path, default=None, help="folder for the files")
    parser.add_argument("--verify", action="store_true", help="compare with pandas")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        record = run(args.n, Path(folder), args.db_url, args.verify)
    data = _merge(record)
    FRAGMENT.parent.mkdir(parents=True, exist_ok=True)
    FRAGMENT.write_text(_fragment(data))
    print(f"wrote {RESULTS} and {FRAGMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
