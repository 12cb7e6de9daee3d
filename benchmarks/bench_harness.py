"""Run one command in its own process and measure its wall time, peak memory and CPU.

Peak memory is the child's maximum resident set size as the kernel reports it to
``wait4(2)`` for that one child (``ru_maxrss``, kibibytes on Linux), so every run is
measured on its own: unlike ``getrusage(RUSAGE_CHILDREN)``, it is not the maximum over
all children the parent ever waited for. Linux also counts the parent's high-water mark
at the child's ``exec``, so the measuring process must stay small (``bench_audit.py``
imports only the standard library). The child runs in a new session so that a run past
its timeout can be killed with its whole process group.

Because the machine may be shared, the CPU time that *other* processes used during a run
is measured too: busy time of all CPUs from ``/proc/stat`` (proc(5)) over the run, minus
the child's own user + system time. :func:`wait_for_quiet` waits for an idle machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RunMeasure", "cpu_busy_seconds", "measure_run", "wait_for_quiet"]

_STAT = Path("/proc/stat")


@dataclass(frozen=True)
class RunMeasure:
    """What one process run cost.

    Attributes
    ----------
    wall_s : float
        Seconds from just before ``fork`` to the child's exit (``time.perf_counter``).
    peak_rss_mb : float or None
        The child's peak resident set size in MiB (``ru_maxrss`` / 1024); None if the run
        timed out (the killed child's figure is not a complete run).
    returncode : int or None
        Exit status (negative: killed by that signal); None if timed out.
    timed_out : bool
    stderr_tail : str
        Last lines of the child's standard error (for error reports).
    cpu_s : float or None
        The child's user + system CPU seconds (None if timed out).
    others_cpu_s : float or None
        CPU seconds used by all other processes during the run (None where
        ``/proc/stat`` is missing, or if timed out); divide by ``wall_s`` for the mean
        number of CPUs they kept busy.
    """

    wall_s: float
    peak_rss_mb: float | None
    returncode: int | None
    timed_out: bool
    stderr_tail: str
    cpu_s: float | None = None
    others_cpu_s: float | None = None


def cpu_busy_seconds() -> float | None:
    """Busy CPU seconds of the whole machine since boot, summed over CPUs (``/proc/stat``).

    Busy = user + nice + system + irq + softirq + steal (everything but idle and iowait;
    guest time is already inside user, see proc(5)).

    Returns
    -------
    float or None
        None where ``/proc/stat`` cannot be read (not Linux).
    """
    try:
        first = _STAT.read_text(encoding="ascii").splitlines()[0].split()
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(
    *, max_busy_cpus: float = 0.2, window_s: float = 2.0, max_wait_s: float = 300.0
) -> float | None:
    """Wait until the machine is idle: at most ``max_busy_cpus`` CPUs busy over a window.

    Parameters
    ----------
    max_busy_cpus : float, default 0.2
        Mean number of busy CPUs that still counts as quiet.
    window_s : float, default 2.0
        Length of each observation window, seconds (> 0).
    max_wait_s : float, default 300
        Give up after this long (>= 0).

    Returns
    -------
    float or None
        Seconds waited, or None if the machine was not quiet within ``max_wait_s`` (or
        ``/proc/stat`` is unreadable).

    Raises
    ------
    ValueError
        If ``window_s <= 0`` or ``max_wait_s < 0``.
    """
    if window_s <= 0 or max_wait_s < 0:
        raise ValueError(f"need window_s > 0 and max_wait_s >= 0, got {window_s}, {max_wait_s}")
    start = time.monotonic()
    while True:
        before = cpu_busy_seconds()
        t0 = time.monotonic()
        time.sleep(window_s)
        after = cpu_busy_seconds()
        if before is None or after is None:
            return None
        if (after - before) / (time.monotonic() - t0) <= max_busy_cpus:
            return time.monotonic() - start
        if time.monotonic() - start >= max_wait_s:
            return None


def _tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.strip().splitlines()[-lines:])


def measure_run(
    cmd: Sequence[str],
    *,
    timeout_s: float,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> RunMeasure:
    """Run ``cmd`` to completion (or until ``timeout_s``) and measure it.

    Parameters
    ----------
    cmd : sequence of str
        Program and arguments (no shell).
    timeout_s : float
        Seconds after which the child's process group is killed with SIGKILL (> 0).
    cwd : pathlib.Path, optional
        Working folder of the child.
    env : mapping, optional
        Environment of the child (default: this process's).

    Returns
    -------
    RunMeasure

    Raises
    ------
    ValueError
        If ``cmd`` is empty or ``timeout_s <= 0``.
    OSError
        If the program cannot be started.
    """
    if not cmd or timeout_s <= 0:
        raise ValueError(f"need a command and timeout_s > 0, got {list(cmd)!r}, {timeout_s}")
    with tempfile.TemporaryDirectory(prefix="fairmark-bench-") as tmp:
        err_path = Path(tmp) / "stderr.txt"
        with open(err_path, "wb") as err, open(os.devnull, "wb") as devnull:
            busy_before = cpu_busy_seconds()
            start = time.perf_counter()
            proc = subprocess.Popen(
                list(cmd),
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=devnull,
                stderr=err,
                start_new_session=True,
            )
            lock = threading.Lock()
            state = {"reaped": False, "killed": False}

            def kill() -> None:
                with lock:
                    if not state["reaped"]:
                        state["killed"] = True
                        os.killpg(proc.pid, signal.SIGKILL)

            timer = threading.Timer(timeout_s, kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
                wall = time.perf_counter() - start
                busy_after = cpu_busy_seconds()
            finally:
                with lock:
                    state["reaped"] = True
                timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        tail = _tail(err_path)
    if state["killed"]:
        return RunMeasure(wall, None, None, True, tail)
    cpu = usage.ru_utime + usage.ru_stime
    others = None
    if busy_before is not None and busy_after is not None:
        others = max(0.0, busy_after - busy_before - cpu)
    return RunMeasure(wall, usage.ru_maxrss / 1024.0, proc.returncode, False, tail, cpu, others)
