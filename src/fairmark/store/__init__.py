"""The run store: every audit run recorded append-only in SQLite or PostgreSQL.

Public API::

    RunStore(url=None)            open (and migrate) the store
      .record_run(report, *, artifacts=None, actor=None) -> str
                                  insert one report.json document (and the artifacts an
                                  evidence bundle needs), logging audit.record
      .list_runs(limit=50, system_name=None) -> list[RunSummary]
      .get_run(run_id_or_prefix) -> dict
    RunSummary                    frozen dataclass, one line of the run list
    record_run(report, url=None, *, artifacts=None, actor=None) / list_runs(..., url=None) /
    get_run(run_id, url=None)
                                  the same, opening and closing the store in one call
    database_url(url=None)        explicit > $FAIRMARK_DB_URL > ./.fairmark/fairmark.db
    open_engine(url=None)         SQLAlchemy engine (SQLite or PostgreSQL via psycopg 3)
    upgrade(engine)               migrate to the newest schema (Alembic, packaged)
"""

from fairmark.store.db import ENV_VAR, database_url, open_engine
from fairmark.store.migrate import current_revision, head_revision, upgrade
from fairmark.store.models import VERDICTS, AuditRun, Base
from fairmark.store.runs import RunStore, RunSummary, get_run, list_runs, record_run

__all__ = [
    "ENV_VAR",
    "VERDICTS",
    "AuditRun",
    "Base",
    "RunStore",
    "RunSummary",
    "current_revision",
    "database_url",
    "get_run",
    "head_revision",
    "list_runs",
    "open_engine",
    "record_run",
    "upgrade",
]
