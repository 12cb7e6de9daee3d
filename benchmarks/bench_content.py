"""Throughput of the content scanner in batch mode (texts per second).

Usage: ``.venv/bin/python benchmarks/bench_content.py [--data ../shared/data]``.
Scans 10,000 short texts (the SMS Spam Collection, ham and spam, repeated to 10,000) with
every shipped pack: cold (first pass, stem cache empty) and warm (best of 3 passes), also
as texts per CPU-second (process time), what the wall clock shows on an idle core.
Writes ``benchmarks/results/content_scan.json`` and ``docs/_fragments/content_scan.md``.
Target (issue #6): 10,000 short texts/s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from fairmark.content import scan_batch
from fairmark.content.match import _STEM_CACHE, stem

ROOT = Path(__file__).resolve().parents[1]
N = 10_000


def _texts(data: Path) -> list[str]:
    path = data / "sms-spam-collection" / "SMSSpamCollection"
    lines = [ln.partition("\t")[2] for ln in path.read_text(encoding="utf-8").splitlines()]
    return (lines * (N // len(lines) + 1))[:N]


def main() -> None:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    texts = _texts(args.data)
    scan_batch(["warm up the pack compilation"])
    stem.cache_clear()
    _STEM_CACHE.clear()
    t0 = time.perf_counter()
    scan_batch(texts)
    cold = time.perf_counter() - t0
    warm_runs, cpu_runs = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        found = scan_batch(texts)
        warm_runs.append(time.perf_counter() - t0)
        cpu_runs.append(time.process_time() - c0)
    warm = min(warm_runs)
    result = {
        "n_texts": N,
        "mean_chars": statistics.fmean(len(t) for t in texts),
        "cold_texts_per_s": N / cold,
        "warm_texts_per_s": N / warm,
        "warm_runs_s": warm_runs,
        "warm_texts_per_cpu_s": N / min(cpu_runs),
        "n_findings": sum(len(f) for f in found),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_avg_1m": os.getloadavg()[0]},
        "target_texts_per_s": 10_000,
    }  # fmt: skip
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "content_scan.json").write_text(
        json.dumps(result, indent=2), encoding="utf-8"
    )
    frag = (
        "| measure | value |\n|---|---:|\n"
        f"| texts (SMS, mean {result['mean_chars']:.0f} chars) | {N:,} |\n"
        f"| cold pass (stem cache empty) | {result['cold_texts_per_s']:,.0f} texts/s |\n"
        f"| warm pass (best of 3) | {result['warm_texts_per_s']:,.0f} texts/s |\n"
        f"| warm pass, per CPU-second (process time) | "
        f"{result['warm_texts_per_cpu_s']:,.0f} texts/s |\n"
        f"| target | 10,000 texts/s |\n"
        f"| load average while measuring (1 min) | {result['machine']['load_avg_1m']:.1f} "
        f"on {result['machine']['cpus']} CPUs |\n"
    )
    (ROOT / "docs" / "_fragments").mkdir(parents=True, exist_ok=True)
    (ROOT / "docs" / "_fragments" / "content_scan.md").write_text(frag, encoding="utf-8")
    print(frag)


if __name__ == "__main__":
    main()
