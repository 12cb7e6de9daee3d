"""Fixtures of the privacy tests: a store URL on SQLite and PostgreSQL, keys, small data.

``store_url`` (and the PostgreSQL fixtures it needs) come from ``tests/store/conftest.py``,
so keystore tests run on both backends exactly like the run-store tests.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tests.store.conftest import (  # noqa: F401 - fixtures, used by name
    pg_schema,
    pg_schema_factory,
    pg_store_url,
    pg_user,
    store_url,
)

from fairmark.privacy.protect.keys import SecretKey, generate_key


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    """A folder for key files, apart from the data folder."""
    path = tmp_path / "keys"
    path.mkdir()
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A folder for data files (inputs and outputs)."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def master_key(key_dir: Path) -> SecretKey:
    """A fresh master key in ``key_dir/master.key``."""
    return generate_key(key_dir / "master.key")


@pytest.fixture
def customers() -> pd.DataFrame:
    """Six rows of four data subjects: text, integer, float, date and a null."""
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c1", "c4", "c2"],
            "email": ["ann@x.org", "bob@y.com", "cy@z.net", "ann@work.org", None, "b2@y.com"],
            "phone": ["+44 20 7946 0000", "0612345678", None, "+1 555 0100", "007", "x"],
            "spend": [10.5, 0.1 + 0.2, 1e300, -0.0, 3.25, 7.0],
            "visits": pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
            "born": pd.to_datetime(
                ["1980-01-31", "1975-12-01", "2001-07-04", "1980-01-31", None, "1990-02-28"]
            ).date,
            "region": ["n", "s", "e", "n", "w", "s"],
        }
    )
