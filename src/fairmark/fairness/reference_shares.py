"""Reference population shares (e.g. census margins) from a small CSV or YAML file.

Accepted forms::

    # reference.yaml                      # reference.csv
    source: US Census 1990, CP-1-1        group,share
    shares:                               Female,0.513
      Female: 0.513                       Male,0.487
      Male: 0.487

A YAML file may also be the bare mapping ``group: share``. Shares are fractions in (0, 1]
and must sum to 1 within ±0.01 (published margins are rounded); they are then rescaled to
sum to exactly 1, and the sum as given is kept for the record.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fairmark.errors import UsageError

__all__ = ["SUM_TOLERANCE", "ReferenceShares", "load_reference_shares"]

#: How far the given shares may sum from 1 (rounded census margins).
SUM_TOLERANCE = 0.01

_YAML_SUFFIXES = {".yaml", ".yml"}
_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
_YAML_KEYS = {"shares", "source", "description"}


@dataclass(frozen=True)
class ReferenceShares:
    """A reference population's group shares.

    Attributes
    ----------
    shares : dict
        ``group label -> share`` in file order; fractions summing to exactly 1.
    given_sum : float
        The sum of the shares as given (within ``1 ± SUM_TOLERANCE``).
    source : str or None
        Where the shares come from (the file's ``source``), for the report.
    location : str
        The file path, or ``"mapping"`` for shares given in Python.
    """

    shares: dict[str, float]
    given_sum: float
    source: str | None = None
    location: str = "mapping"
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return ``{location, source, description, given_sum, shares}`` for a report."""
        return {
            "location": self.location,
            "source": self.source,
            "description": self.description,
            "given_sum": self.given_sum,
            "shares": dict(self.shares),
        }


def _label(key: Any) -> str:
    """Write a group key the way the engine labels data values (``true``, ``1``, text)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key).strip() if isinstance(key, str) else str(key)


def _share(where: str, group: str, value: Any) -> float:
    expected = "expected a number in (0, 1]"
    if isinstance(value, bool):
        raise UsageError(f"{where}: share of group {group!r} is {value!r}; {expected}")
    try:
        x = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{where}: share of group {group!r} is {value!r}; {expected}") from None
    if not math.isfinite(x) or not 0.0 < x <= 1.0:
        hint = ""
        if x == 0:
            hint = " (leave out groups absent from the population)"
        elif 1.0 < x <= 100.0:
            hint = f" (a percentage? write {x:g}% as {x / 100:g})"
        raise UsageError(f"{where}: share of group {group!r} is {x:g}; {expected}{hint}")
    return x


def _validated(where: str, pairs: list[tuple[Any, Any]], **meta: Any) -> ReferenceShares:
    if not pairs:
        raise UsageError(f"{where}: no group shares found; expected at least two groups")
    shares: dict[str, float] = {}
    for key, value in pairs:
        group = _label(key)
        if not group:
            raise UsageError(f"{where}: a group label is empty; expected a label per share")
        if group in shares:
            raise UsageError(f"{where}: group {group!r} is listed twice; expected each group once")
        shares[group] = _share(where, group, value)
    if len(shares) < 2:
        raise UsageError(f"{where}: only one group ({next(iter(shares))!r}); expected at least two")
    total = math.fsum(shares.values())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise UsageError(
            f"{where}: reference shares sum to {total:.6g}; expected 1 (± {SUM_TOLERANCE:g}): "
            "list every group of the population with its share"
        )
    return ReferenceShares({g: s / total for g, s in shares.items()}, total, **meta)


def _read_yaml(path: Path, text: str) -> ReferenceShares:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise UsageError(f"{where}: {problem} (expected a mapping of group: share)") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: expected a mapping of group: share, got {type(doc).__name__}")
    meta: dict[str, Any] = {"location": str(path)}
    if "shares" in doc:
        unknown = set(doc) - _YAML_KEYS
        if unknown:
            raise UsageError(
                f"{path}: unknown key(s) {sorted(map(str, unknown))}; expected shares, source, "
                "description"
            )
        if not isinstance(doc["shares"], dict):
            raise UsageError(f"{path}: 'shares' must be a mapping of group: share")
        meta["source"] = None if doc.get("source") is None else str(doc["source"])
        meta["description"] = None if doc.get("description") is None else str(doc["description"])
        doc = doc["shares"]
    return _validated(str(path), list(doc.items()), **meta)


def _read_csv(path: Path, text: str) -> ReferenceShares:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    rows = [r for r in reader if any(cell.strip() for cell in r)]
    if not rows:
        raise UsageError(
            f"{path}: the file is empty; expected a header group,share and one row per group"
        )
    header = [c.strip().lower() for c in rows[0]]
    if header != ["group", "share"]:
        raise UsageError(
            f"{path}: header is {','.join(rows[0])!s}; expected exactly the two columns group,share"
        )
    pairs = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 2:
            raise UsageError(f"{path}:{number}: expected two fields group,share, got {len(row)}")
        pairs.append((row[0], row[1]))
    return _validated(str(path), pairs, location=str(path))


def load_reference_shares(reference: str | os.PathLike[str] | Mapping[Any, Any]) -> ReferenceShares:
    """Read and validate a reference population's shares.

    Parameters
    ----------
    reference : path or mapping
        A ``.csv``/``.tsv`` file with the header ``group,share``, a ``.yaml``/``.yml`` file
        (``{shares: {group: share}, source: …}`` or a bare ``{group: share}`` mapping), or
        such a mapping in Python. Shares are fractions of the population in (0, 1].

    Returns
    -------
    ReferenceShares
        Shares rescaled to sum to exactly 1.

    Raises
    ------
    UsageError
        If the file cannot be read or parsed (YAML errors carry ``file:line:column``), the
        suffix is not one of the above, a share is not a number in (0, 1], a group is
        listed twice, fewer than two groups are given, or the shares do not sum to 1 within
        ±0.01 (the message names the sum).
    """
    if isinstance(reference, Mapping):
        return _validated("reference shares", list(reference.items()))
    if not isinstance(reference, str | os.PathLike):
        raise UsageError(
            f"reference must be a CSV/YAML file or a mapping of group: share, got "
            f"{type(reference).__name__}"
        )
    path = Path(reference)
    suffix = path.suffix.lower()
    if suffix not in _YAML_SUFFIXES | _CSV_SUFFIXES:
        raise UsageError(
            f"reference file {str(path)!r} has suffix {suffix or '(none)'!r}; expected .csv, "
            ".tsv, .yaml or .yml"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        reason = exc.strerror or exc
        raise UsageError(f"cannot read reference file {str(path)!r}: {reason}") from None
    if suffix in _YAML_SUFFIXES:
        return _read_yaml(path, text)
    return _read_csv(path, text)
