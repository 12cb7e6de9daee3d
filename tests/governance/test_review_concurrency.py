"""Concurrent review writes: check-then-write stays atomic on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    SYSTEM,
    World,
    world,
)

from fairmark.errors import UsageError
from fairmark.governance.review import decide, submit_review


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` at the same moment in threads; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_simultaneous_submissions_open_one_review(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    results = _race(
        [
            lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]),
            lambda: submit_review(world.engine, SYSTEM, principal=world["ada"]),
        ]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], UsageError)
    assert "is already open" in str(errors[0])


def test_the_last_two_decisions_at_once_still_close_the_review(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    rid = review.review_id
    results = _race(
        [
            lambda: decide(world.engine, rid, "approve", "ok", principal=world["rita"]),
            lambda: decide(world.engine, rid, "approve", "ok", principal=world["sam"]),
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert world.review_row(review.review_id).status == "approved"
    assert world.status() == "approved"
