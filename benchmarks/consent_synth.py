"""Seeded synthetic consent ledger and audience, and an independent pandas reference filter.

Used by ``bench_consent_filter.py`` (1e7 subjects) and by the 1e6 comparison test
(``tests/privacy/test_consent_filter.py``).

Ledger export (CSV, one row per event, in ``event_id`` order)::

    subject_id, purpose, state, lawful_basis, timestamp, expiry, jurisdiction, is_minor

Each of ``n`` subjects ``S00000000…`` gets 0-3 events (probabilities 0.1/0.5/0.3/0.1) on
``marketing.communications.email`` (70%), its parents ``marketing.communications`` (10%)
and ``marketing`` (10%) or the unrelated ``analytics.reporting`` (10%); states granted
60%, denied 15%, withdrawn 10%, objected 15%; jurisdictions DE, FR, US-CA, US; times at
minute resolution over 2024-2025, 5% of a subject's later events sharing the previous
event's instant (ties); 20% of grants expire; 5% of events flag a minor, 20% an adult.

Audience (CSV): ``n`` rows, 90% ledger subjects (distinct), 9% unknown ids, 1% without id,
plus two payload columns. Both files are generated and written in chunks of
:data:`CHUNK` subjects, so memory stays bounded at 1e7.

:func:`reference_filter` computes the enforcement rule of
``fairmark.privacy.consent.decide`` with pandas alone (sort, group, last), from the two
CSV files, for comparison.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = ["AS_OF", "CHUNK", "PURPOSE", "make_audience", "make_ledger", "reference_filter"]

PURPOSE = "marketing.communications.email"
AS_OF = pd.Timestamp("2025-07-01T00:00:00Z")
_PURPOSES = np.array(
    [PURPOSE, "marketing.communications", "marketing", "analytics.reporting"], dtype=object
)
_STATES = np.array(["granted", "denied", "withdrawn", "objected"], dtype=object)
_JURIS = np.array(["DE", "FR", "US-CA", "US"], dtype=object)
_START = np.datetime64("2024-01-01T00:00", "m")
_MINUTES = 2 * 365 * 24 * 60


def _ids(idx: np.ndarray) -> np.ndarray:
    return np.char.add("S", np.char.zfill(idx.astype(str), 8))


CHUNK = 500_000
"""Subjects generated (and written) per chunk; chunk ``i`` uses ``default_rng([seed, i])``."""


def _ledger_chunk(rng: np.random.Generator, first: int, n: int) -> pa.Table:
    k = rng.choice(4, size=n, p=[0.1, 0.5, 0.3, 0.1])
    subj = np.repeat(np.arange(first, first + n), k)
    m = subj.size
    purpose = _PURPOSES[rng.choice(4, size=m, p=[0.7, 0.1, 0.1, 0.1])]
    state = _STATES[rng.choice(4, size=m, p=[0.6, 0.15, 0.1, 0.15])]
    juris = _JURIS[rng.choice(4, size=m, p=[0.4, 0.3, 0.2, 0.1])]
    us = np.char.startswith(juris.astype(str), "US")
    minutes = rng.integers(0, _MINUTES, size=m)
    same_subject = np.r_[False, subj[1:] == subj[:-1]]
    tie = same_subject & (rng.random(m) < 0.05)
    minutes = np.where(tie, np.r_[0, minutes[:-1]], minutes)
    when = _START + minutes.astype("timedelta64[m]")
    basis = np.full(m, "", dtype=object)
    granted = state == "granted"
    basis[granted] = np.array(["consent", "legitimate_interests", "contract"], dtype=object)[
        rng.choice(3, size=int(granted.sum()), p=[0.6, 0.3, 0.1])
    ]
    basis[granted & us & (rng.random(m) < 0.3)] = ""
    basis[np.isin(state, ["denied", "withdrawn"])] = "consent"
    basis[(state == "objected") & ~us] = "legitimate_interests"
    expires = granted & (rng.random(m) < 0.2)
    expiry = when + rng.integers(30, 730, size=m).astype("timedelta64[D]")
    minor_draw = rng.random(m)
    is_minor = np.where(minor_draw < 0.05, "true", np.where(minor_draw < 0.25, "false", ""))

    def to_text(stamps: np.ndarray) -> np.ndarray:
        return np.char.add(np.datetime_as_string(stamps, unit="s"), "Z")

    return pa.table(
        {
            "subject_id": _ids(subj),
            "purpose": purpose,
            "state": state,
            "lawful_basis": basis,
            "timestamp": to_text(when),
            "expiry": np.where(expires, to_text(expiry), ""),
            "jurisdiction": juris,
            "is_minor": is_minor,
        }
    )


def make_ledger(path: Path, n: int, seed: int = 11) -> int:
    """Write the ledger export of ``n`` subjects to ``path`` (CSV); return the event count."""
    total = 0
    with pacsv.CSVWriter(path, _LEDGER_SCHEMA) as writer:
        for i, first in enumerate(range(0, n, CHUNK)):
            table = _ledger_chunk(np.random.default_rng([seed, i]), first, min(CHUNK, n - first))
            writer.write_table(table.cast(_LEDGER_SCHEMA))
            total += table.num_rows
    return total


def make_audience(path: Path, n: int, seed: int = 12) -> None:
    """Write an audience of ``n`` rows to ``path`` (CSV): 90% ledger subjects (distinct), 9%
    unknown ids, 1% without id, shuffled within each chunk."""
    with pacsv.CSVWriter(path, _AUDIENCE_SCHEMA) as writer:
        for i, first in enumerate(range(0, n, CHUNK)):
            rng = np.random.default_rng([seed, i])
            idx = np.arange(first, min(first + CHUNK, n))
            draw = rng.random(idx.size)
            ids = np.where(draw < 0.9, _ids(idx), _ids(idx + n)).astype(object)
            ids[draw >= 0.99] = ""
            order = rng.permutation(idx.size)
            zips = np.char.zfill(rng.integers(0, 99999, size=idx.size).astype(str), 5)
            table = pa.table(
                {
                    "subject_id": ids[order],
                    "email": np.char.add(idx.astype(str), "@example.org")[order],
                    "zip": zips,
                }
            )
            writer.write_table(table.cast(_AUDIENCE_SCHEMA))


_LEDGER_SCHEMA = pa.schema(
    [(name, pa.string()) for name in (
        "subject_id", "purpose", "state", "lawful_basis", "timestamp", "expiry",
        "jurisdiction", "is_minor",
    )]
)
_AUDIENCE_SCHEMA = pa.schema([(n, pa.string()) for n in ("subject_id", "email", "zip")])


def reference_filter(
    ledger_csv: Path, audience_csv: Path, *, purpose: str = PURPOSE, as_of: pd.Timestamp = AS_OF
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The permitted audience rows and the excluded rows per reason, by pandas alone.

    Returns
    -------
    (permitted, counts)
        ``permitted``: the audience rows kept (all columns as text); ``counts``: ``reason
        -> rows`` for the excluded rows.
    """
    parts = purpose.split(".")
    chain = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    ev = pd.read_csv(ledger_csv, dtype=str, keep_default_na=False)
    ev["order"] = np.arange(len(ev))
    ev["ts"] = pd.to_datetime(ev["timestamp"], utc=True)
    ev = ev[ev["purpose"].isin(chain) & (ev["ts"] <= as_of)].copy()
    ev["depth"] = ev["purpose"].str.len()
    ev["us"] = (ev["jurisdiction"] == "US") | ev["jurisdiction"].str.startswith("US-")
    ev = ev.sort_values(["subject_id", "ts", "depth", "order"])
    last = ev.groupby("subject_id").tail(1).set_index("subject_id")
    objected = ev[(ev["state"] == "objected") & ~ev["us"]].groupby("subject_id")["ts"].max()
    flagged = ev[ev["is_minor"] != ""].sort_values(["subject_id", "ts", "order"])
    minor = flagged.groupby("subject_id")["is_minor"].last() == "true"
    aud = pd.read_csv(audience_csv, dtype=str, keep_default_na=False)
    key = aud["subject_id"].str.strip()
    d = last.reindex(key)
    expiry = pd.to_datetime(d["expiry"].replace("", None), utc=True)
    basis = d["lawful_basis"].fillna("").to_numpy()
    is_minor = minor.reindex(key).fillna(False).to_numpy(dtype=bool)
    has_obj = objected.reindex(key).notna().to_numpy()
    dm = purpose == "marketing" or purpose.startswith("marketing.")
    state = d["state"].to_numpy()
    us = d["us"].fillna(False).to_numpy(dtype=bool)
    reason = np.select(
        [
            (key == "").to_numpy(),
            pd.isna(state),
            state == "denied",
            state == "withdrawn",
            (state == "objected") & us,
            state == "objected",
            (expiry.notna() & (expiry <= as_of)).to_numpy(),
            dm & has_obj & (basis != "consent"),
            is_minor & (basis != "consent"),
            (basis == "") & ~us,
        ],
        [
            "missing_subject_id",
            "no_record",
            "denied",
            "withdrawn",
            "opted_out",
            "objected",
            "expired",
            "objected",
            "minor_without_opt_in",
            "no_lawful_basis",
        ],
        default="",
    )
    permitted = aud[reason == ""].reset_index(drop=True)
    values, counts = np.unique(reason[reason != ""], return_counts=True)
    return permitted, {str(v): int(c) for v, c in zip(values, counts, strict=True)}
