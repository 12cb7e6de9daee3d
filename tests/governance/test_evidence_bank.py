"""An evidence bundle of an audit of the real UCI Bank Marketing data (41,188 calls).

The score is the 3-month Euribor rate at the call (a ranking score, ``score_kind="score"``:
the calls of the top 20% by it), the outcome the number of contacts in the campaign; the
bundle verifies against the CSV file, and one changed label in the data is named by its
cube cell. Skipped when ``../shared/data`` is missing (``tests/conftest.py``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import fairmark
from fairmark.governance.access import Principal
from fairmark.governance.artifacts import build_artifacts
from fairmark.governance.evidence import export_bundle, verify_bundle
from fairmark.governance.keys import load_signing_key
from fairmark.store import RunStore

pytestmark = pytest.mark.slow

AGE_BANDS = ((25, "<25"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"))


def _band(age: int) -> str:
    return next((label for edge, label in AGE_BANDS if age < edge), "65+")


def test_bank_marketing_bundle_verifies_against_the_csv(bank_csv: Path, tmp_path: Path) -> None:
    result = fairmark.audit(
        bank_csv,
        y_true="y",
        positive_label="yes",
        score="euribor3m",
        score_kind="score",
        top_k=0.2,
        sensitive_features=[{"column": "age", "name": "age_band", "bins": "age"}, "marital"],
        outcome="campaign",
        system_name="bank-propensity",
    )
    key = load_signing_key(tmp_path / "signing_key.pem")
    with RunStore(f"sqlite:///{tmp_path / 'fairmark.db'}") as store:
        store.record_run(result.to_dict(), artifacts=build_artifacts(result), actor="ada")
        info = export_bundle(
            store.engine, result.run_id, tmp_path / "bundle.zip",
            principal=Principal("ada", "admin"), key=key,
        )  # fmt: skip
    verified = verify_bundle(info.path, data=bank_csv, public_keys=[key.fingerprint])
    assert verified.ok, verified.to_dict()
    assert [s.status for s in verified.steps] == ["ok"] * 6
    assert result.data_fingerprint["n_rows"] == 41_188

    frame = pd.read_csv(bank_csv, sep=";")
    selected = frame["euribor3m"] >= result.cube.threshold
    row = frame.index[selected & (frame["y"] == "yes")][0]
    band, marital = _band(int(frame.at[row, "age"])), frame.at[row, "marital"]
    cell = (frame["age"].map(_band) == band) & (frame["marital"] == marital)
    tp = int((cell & selected & (frame["y"] == "yes")).sum())
    frame.at[row, "y"] = "no"
    changed = verify_bundle(info.path, data=frame)
    assert [s.name for s in changed.steps if s.status == "failed"] == ["data"]
    assert (
        f"cube cell age_band={band}, marital={marital}: tp bundle {tp}, data {tp - 1}"
        in changed.step("data").problems
    )
