"""Measuring one child process: wall time, peak RSS of that child only, timeouts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench_harness import cpu_busy_seconds, measure_run, wait_for_quiet

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"

ALLOC = (
    "import sys\n"
    "mb = int(sys.argv[1])\n"
    "block = bytearray(mb * 2**20)\n"
    "for i in range(0, len(block), 4096):\n"
    "    block[i] = 1\n"  # touch every page so it is resident
)


def _in_lean_process(code: str) -> list[float]:
    """Run ``code`` (which prints a JSON list) in a fresh interpreter that imports little.

    A child's ``ru_maxrss`` includes its parent's peak RSS at the fork, so measurements
    are made from a small process, as ``bench_audit.py`` does, not from the test worker
    (which may hold pandas, DuckDB and fairmark).
    """
    done = subprocess.run(
        [sys.executable, "-c", "import json, sys\nfrom bench_harness import measure_run\n" + code],
        cwd=BENCH_DIR, capture_output=True, text=True, check=True,
    )  # fmt: skip
    values: list[float] = json.loads(done.stdout)
    return values


def test_peak_rss_is_the_childs_own() -> None:
    small, big, small_after = _in_lean_process(
        f"alloc = {ALLOC!r}\n"
        "run = lambda mb: measure_run([sys.executable, '-c', alloc, str(mb)], timeout_s=60)\n"
        "print(json.dumps([run(10).peak_rss_mb, run(300).peak_rss_mb, run(10).peak_rss_mb]))\n"
    )
    # 300 MiB touched, plus the interpreter (~10-20 MiB)
    assert 300 <= big < 360
    # measured after the big child: not the maximum over all children so far
    assert small < 100 and small_after < 100


def test_a_childs_peak_includes_its_parents_peak() -> None:
    """Why the driver stays lean: Linux counts the parent's high-water mark at exec."""
    before, after = _in_lean_process(
        "first = measure_run(['true'], timeout_s=60).peak_rss_mb\n"
        "block = bytearray(300 * 2**20)\n"
        "for i in range(0, len(block), 4096):\n    block[i] = 1\n"
        "del block\n"
        "print(json.dumps([first, measure_run(['true'], timeout_s=60).peak_rss_mb]))\n"
    )
    assert before < 100 and after >= 300


def test_wall_time_and_exit_status() -> None:
    code = "import sys, time; time.sleep(0.3); print('oops', file=sys.stderr); sys.exit(3)"
    m = measure_run([sys.executable, "-c", code], timeout_s=60)
    assert 0.3 <= m.wall_s < 5
    assert m.returncode == 3 and not m.timed_out
    assert m.stderr_tail == "oops"


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time\n"
        "p = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)\n"
    )
    start = time.perf_counter()
    m = measure_run([sys.executable, "-c", code], timeout_s=1.0)
    assert m.timed_out and m.returncode is None and m.peak_rss_mb is None
    assert 1.0 <= m.wall_s < 10 and time.perf_counter() - start < 10
    grandchild = int(pid_file.read_text())
    for _ in range(100):  # killed with the group; reaped by init shortly after
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{grandchild}/stat").read_text().split()[2] == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the grandchild survived the timeout")


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="timeout_s > 0"):
        measure_run([], timeout_s=1)
    with pytest.raises(ValueError, match="timeout_s > 0"):
        measure_run(["true"], timeout_s=0)


def test_cpu_busy_seconds_counts_our_own_work() -> None:
    before_busy, before_own = cpu_busy_seconds(), time.process_time()
    end = time.perf_counter() + 0.5
    while time.perf_counter() < end:
        pass
    busy, own = cpu_busy_seconds(), time.process_time()
    assert before_busy is not None and busy is not None
    # the machine's busy time grew at least by what this process burnt (minus tick slack)
    assert busy - before_busy >= (own - before_own) - 0.05


def test_child_cpu_and_others_cpu() -> None:
    # burns 0.5 s of CPU however busy the machine is
    burn = "import time\nwhile time.process_time() < 0.5: pass\n"
    m = measure_run([sys.executable, "-c", burn], timeout_s=60)
    assert m.cpu_s is not None and 0.5 <= m.cpu_s <= m.wall_s + 0.1
    # another process burning CPU while the measured child sleeps counts as others' CPU
    other = subprocess.Popen([sys.executable, "-c", burn.replace("0.5", "2.5")])
    try:
        time.sleep(0.2)
        m = measure_run([sys.executable, "-c", "import time; time.sleep(1.0)"], timeout_s=60)
    finally:
        other.wait()
    assert m.cpu_s is not None and m.cpu_s < 0.5
    assert m.others_cpu_s is not None and m.others_cpu_s >= 0.3


def test_wait_for_quiet() -> None:
    waited = wait_for_quiet(max_busy_cpus=1e6, window_s=0.1, max_wait_s=5)
    assert waited is not None and 0.1 <= waited < 5
    assert wait_for_quiet(max_busy_cpus=-1.0, window_s=0.1, max_wait_s=0) is None
    with pytest.raises(ValueError, match="window_s > 0"):
        wait_for_quiet(window_s=0)
