"""Fixtures of the run store tests: a store URL on SQLite and on PostgreSQL, and reports.

PostgreSQL: the server at 127.0.0.1:5432, database ``test``, trust auth (user ``root`` or
``postgres``). Every test gets its own freshly created schema ``fm_test_<random>`` (reached
through ``options=-csearch_path=<schema>`` in the URL) that is dropped afterwards, so tests
and parallel sessions (pytest-xdist) never see each other's rows. When the server is
unreachable the PostgreSQL cases are skipped with the reason, unless
``FAIRMARK_REQUIRE_POSTGRES=1``, which turns the skip into a failure.
"""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_DATABASE = "test"
PG_USERS = ("root", "postgres")

Report = dict[str, Any]


def _pg_connect(user: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        dbname=PG_DATABASE,
        user=user,
        connect_timeout=5,
        autocommit=True,
    )


@pytest.fixture(scope="session")
def pg_user() -> str:
    """A user that can connect to the test database; skip (or fail) when none can."""
    problems = []
    for user in PG_USERS:
        try:
            with _pg_connect(user) as conn:
                conn.execute("SELECT 1")
            return user
        except psycopg.Error as exc:
            problems.append(f"{user}: {' '.join(str(exc).split())}")
    reason = (
        f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}/{PG_DATABASE} ({'; '.join(problems)})"
    )
    if os.environ.get("FAIRMARK_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason}; FAIRMARK_REQUIRE_POSTGRES=1 requires it")
    pytest.skip(reason)


@pytest.fixture
def pg_schema_factory(pg_user: str) -> Iterator[Callable[[], str]]:
    """Create fresh, empty schemas on demand; all of them are dropped after the test."""
    created: list[str] = []

    def create() -> str:
        name = f"fm_test_{uuid.uuid4().hex[:12]}"
        with _pg_connect(pg_user) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        created.append(name)
        return name

    yield create
    with _pg_connect(pg_user) as conn:
        for name in created:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def pg_schema(pg_schema_factory: Callable[[], str]) -> str:
    """A freshly created, empty schema, dropped (with everything in it) after the test."""
    return pg_schema_factory()


def pg_url(user: str, schema: str) -> str:
    """A plain ``postgresql://`` URL (the store rewrites it to psycopg) bound to ``schema``."""
    return f"postgresql://{user}@{PG_HOST}:{PG_PORT}/{PG_DATABASE}?options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url_for(pg_user: str) -> Callable[[str], str]:
    """``search_path -> URL``, e.g. ``pg_url_for("a,b")`` for search_path ``a,b``."""
    return lambda search_path: pg_url(pg_user, search_path.replace(",", "%2C"))


@pytest.fixture
def pg_store_url(pg_user: str, pg_schema: str) -> str:
    """URL of an empty PostgreSQL store in a fresh schema."""
    return pg_url(pg_user, pg_schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """URL of an empty store: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'fairmark.db'}"
    return str(request.getfixturevalue("pg_store_url"))


_BASE_REPORT: Report = {
    "schema_version": "1.0",
    "run_id": "00000000-0000-4000-8000-000000000000",
    "created_at": "2026-11-30T06:00:00Z",
    "tool_version": "0.1.0",
    "system_name": "Spring savings campaign – propensity model",
    "data_fingerprint": {
        "algorithm": "sha256",
        "value": "9b2f4c1e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",
        "n_rows": 10000,
        "columns": ["age_band", "marital", "converted", "score"],
    },
    "spec": {
        "y_true": "converted",
        "positive_label": 1,
        "y_pred": None,
        "score": "score",
        "threshold": None,
        "top_k": 0.2,
        "sensitive_features": ["age_band", "marital"],
        "intersections": [["age_band", "marital"]],
        "reference_groups": {},
        "sample_weight": None,
        "min_group_size": 30,
        "confidence_level": 0.95,
    },
    "policy": {
        "id": "acme-marketing-fairness",
        "version": "2.1.0",
        "owner": "Responsible AI Office",
        "review_by": "2027-06-30",
        "sha256": "4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e5d",
        "path": "policies/marketing-fairness.yaml",
    },
    "verdict": "fail",
    "summary": {
        "n_rows": 10000,
        "n_used": 9950,
        "n_excluded": 50,
        "excluded_reasons": {"missing_label": 50},
        "decision": "top 20% by score",
        "selected_threshold": 0.6731,
        "reference_groups": {"age_band": {"group": "35-54", "chosen_by": "user"}},
    },
    "groups": [
        {
            "feature": "age_band",
            "features": ["age_band"],
            "group": "18-34",
            "levels": ["18-34"],
            "is_reference": False,
            "suppressed": False,
            "n": 3200,
            "n_weighted": 3200.0,
            "selection_rate": {
                "value": 0.30000000000000004,  # 0.1 + 0.2: the shortest repr must survive
                "ci_low": 1e-300,
                "ci_high": 0.9999999999999999,
                "reason": None,
            },
            "ppv": {"value": None, "ci_low": None, "ci_high": None, "reason": "no_selections"},
        },
        {
            "feature": "age_band",
            "features": ["age_band"],
            "group": "75+ «Ω» 日本",
            "levels": ["75+ «Ω» 日本"],
            "is_reference": False,
            "suppressed": True,
            "n": None,
        },
    ],
    "disparities": [
        {
            "feature": "age_band",
            "metric": "disparate_impact",
            "group": "18-34",
            "reference": "35-54",
            "value": "inf",
            "ci_low": 2.5,
            "ci_high": "inf",
            "ci_method": "katz_log",
            "p_value": 3.2e-12,
            "p_value_holm": 1.0,
            "test": "fisher",
            "reason": "reference_rate_zero",
        }
    ],
    "findings": [],
    "rules": [],
}


@pytest.fixture
def make_report() -> Callable[..., Report]:
    """Build a ``report.json`` 1.0 document; keyword arguments replace top-level fields.

    ``run_id`` defaults to a fresh UUID4.
    """

    def build(**fields: Any) -> Report:
        report = copy.deepcopy(_BASE_REPORT)
        report["run_id"] = str(uuid.uuid4())
        report.update(fields)
        return report

    return build
