"""Open the fairmark store that holds the data-subject-request tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from fairmark.store.db import database_url, open_engine
from fairmark.store.migrate import upgrade

__all__ = ["open_dsr_store"]


@contextmanager
def open_dsr_store(db: str | None) -> Iterator[tuple[Engine, str]]:
    """Open and migrate the store; yield its engine and its full URL, then dispose of it.

    Parameters
    ----------
    db : str or None
        Store URL; ``None``: ``$FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``.

    Yields
    ------
    (sqlalchemy.Engine, str)
        The engine and the resolved URL (password included: it is the default keystore
        of encrypted sources; never print it, use ``redact_url``).

    Raises
    ------
    StoreError
        The store cannot be opened or migrated.
    """
    url = database_url(db)
    engine = open_engine(url)
    try:
        upgrade(engine)
        yield engine, url
    finally:
        engine.dispose()
