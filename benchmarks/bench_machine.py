"""Describe the machine a benchmark ran on: CPU, cores, memory, OS, Python, packages.

Read from Linux's ``/proc/cpuinfo``, ``/proc/meminfo`` and ``/etc/os-release`` (other
systems get what :mod:`platform` knows) and from the installed packages' metadata.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["PACKAGES", "describe_machine", "package_versions"]

PACKAGES: tuple[str, ...] = (
    "fairmark",
    "duckdb",
    "ibis-framework",
    "pyarrow",
    "pandas",
    "numpy",
    "scipy",
    "fairlearn",
    "aif360",
    "scikit-learn",
)
"""Packages of the project venv whose versions are recorded."""

AEQUITAS_PACKAGES: tuple[str, ...] = ("aequitas", "pandas", "numpy", "pyarrow")


def _first(path: Path, prefix: str) -> str | None:
    try:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip() if ":" in line else line
    except OSError:
        return None
    return None


def _os_name() -> str:
    pretty = None
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return f"{pretty or platform.system()} (kernel {platform.release()}, {platform.machine()})"


def package_versions(names: Sequence[str] = PACKAGES) -> dict[str, str]:
    """Installed versions of ``names`` in this interpreter (``"not installed"`` if absent).

    Parameters
    ----------
    names : sequence of str
        Distribution names.

    Returns
    -------
    dict
        ``name -> version``.
    """
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def other_python_versions(python: Path, names: Sequence[str]) -> dict[str, str]:
    """Package versions (and ``python``) as seen by another interpreter, e.g. a venv's.

    Parameters
    ----------
    python : pathlib.Path
        The interpreter.
    names : sequence of str

    Returns
    -------
    dict
        ``name -> version``; ``{}`` if the interpreter cannot be run.
    """
    code = (
        "import json, platform, sys\nfrom importlib import metadata\nout = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try:\n        out[n] = metadata.version(n)\n"
        "    except metadata.PackageNotFoundError:\n        out[n] = 'not installed'\n"
        "out['python'] = platform.python_version()\nprint(json.dumps(out))\n"
    )
    try:
        done = subprocess.run(
            [str(python), "-c", code, *names], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if done.returncode != 0:
        return {}
    result: dict[str, str] = json.loads(done.stdout)
    return result


def describe_machine(aequitas_python: Path | None = None) -> dict[str, Any]:
    """Return a description of this machine and its software.

    Parameters
    ----------
    aequitas_python : pathlib.Path, optional
        Interpreter of the separate Aequitas venv, whose package versions are added.

    Returns
    -------
    dict
        ``cpu`` (model name), ``logical_cpus`` (``os.cpu_count()``), ``usable_cpus``
        (``sched_getaffinity``), ``memory_gib`` (``MemTotal``), ``os``, ``python``,
        ``packages`` and, if given, ``aequitas_venv``; ``openblas_env`` lists any
        ``OPENBLAS_*`` variables set (they change numpy's kernels).
    """
    mem_kib = _first(Path("/proc/meminfo"), "MemTotal")
    memory_gib = round(int(mem_kib.split()[0]) / 2**20, 1) if mem_kib else None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count()
    desc: dict[str, Any] = {
        "cpu": _first(Path("/proc/cpuinfo"), "model name") or platform.processor() or "unknown",
        "logical_cpus": os.cpu_count(),
        "usable_cpus": usable,
        "memory_gib": memory_gib,
        "os": _os_name(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": package_versions(),
        "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
    }
    if aequitas_python is not None and aequitas_python.exists():
        desc["aequitas_venv"] = other_python_versions(aequitas_python, AEQUITAS_PACKAGES)
    return desc
