"""Small-cell suppression and differencing protection on plain tables (hand-computed cases).

Rules: Hundepool et al. (2010), Handbook on Statistical Disclosure Control, §4.2-4.4. The
independent check of "no recoverable count" solves the published linear system with NumPy
(``numpy.linalg.matrix_rank``): a hidden cell is disclosed exactly when its unit vector lies
in the row space of the relations restricted to the hidden cells.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence

import numpy as np
import pytest

from fairmark.errors import DataError, UsageError
from fairmark.policy import load_policy
from fairmark.privacy.disclosure import (
    BELOW_K,
    DIFFERENCING,
    METHOD,
    Cell,
    Relation,
    determined_cells,
    recoverable_counts,
    suppress_cells,
)
from fairmark.report.disclosure_control import policy_k


def _numpy_determined(
    cells: Sequence[Cell], rels: Sequence[Relation], hidden: set[Hashable]
) -> set[Hashable]:
    """Hidden cells the relations pin down, by rank tests in NumPy (independent of fairmark)."""
    cols = [c.id for c in cells if c.id in hidden]
    if not cols:
        return set()
    index = {cid: j for j, cid in enumerate(cols)}
    rows = []
    for r in rels:
        row = np.zeros(len(cols))
        for cid, sign in ((r.total, 1.0), *((p, -1.0) for p in r.parts)):
            if cid in index:
                row[index[cid]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    out = set()
    for cid, j in index.items():
        unit = np.zeros(len(cols))
        unit[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.add(cid)
    return out


def _two_way(inner: dict[tuple[int, int], int]) -> tuple[list[Cell], list[Relation]]:
    """A two-way table with published margins and grand total."""
    rows = sorted({a for a, _ in inner})
    cols = sorted({b for _, b in inner})
    cells = [Cell("T", sum(inner.values()))]
    cells += [Cell(("r", a), sum(inner[a, b] for b in cols)) for a in rows]
    cells += [Cell(("c", b), sum(inner[a, b] for a in rows)) for b in cols]
    cells += [Cell((a, b), v) for (a, b), v in inner.items()]
    rels = [Relation("T", tuple(("r", a) for a in rows))]
    rels.append(Relation("T", tuple(("c", b) for b in cols)))
    rels += [Relation(("r", a), tuple((a, b) for b in cols)) for a in rows]
    rels += [Relation(("c", b), tuple((a, b) for a in rows)) for b in cols]
    return cells, rels


def test_primary_suppression_is_the_threshold_rule() -> None:
    cells = [Cell("a", 3), Cell("b", 9), Cell("c", 10), Cell("d", 0), Cell("e", 1)]
    s = suppress_cells(cells, [], k=10)
    assert s.primary == {"a", "b", "e"}  # 0 < n < 10
    assert s.secondary == set()
    assert s.reason("a") == BELOW_K and s.reason("c") is None and s.reason("d") is None
    assert s.to_dict() == {
        "k": 10,
        "method": METHOD,
        "n_suppressed_primary": 3,
        "n_suppressed_secondary": 0,
    }


def test_one_suppressed_part_forces_the_next_smallest() -> None:
    # 100 = 60 + 37 + 3: with 3 hidden alone, 100 − 60 − 37 gives it back.
    cells = [Cell("all", 100), Cell("a", 60), Cell("b", 37), Cell("c", 3)]
    rels = [Relation("all", ("a", "b", "c"))]
    s = suppress_cells(cells, rels, k=10)
    assert s.primary == {"c"}
    assert s.secondary == {"b"}  # the next smallest part, not the total
    assert s.reason("b") == DIFFERENCING
    assert recoverable_counts(cells, rels, s.suppressed) == {}


def test_marginal_minus_its_published_intersection_isolates_three_people() -> None:
    # Marginal "east" = 44; the intersection publishes "m & east" = 41; "f & east" = 3 is
    # hidden, but 44 − 41 = 3 would give it back: the published pair must not stand.
    cells = [Cell("east", 44), Cell("f&east", 3), Cell("m&east", 41)]
    rels = [Relation("east", ("f&east", "m&east"))]
    s = suppress_cells(cells, rels, k=10)
    assert "f&east" in s.primary
    assert s.secondary == {"m&east"}
    assert recoverable_counts(cells, rels, s.suppressed) == {}


def test_a_cell_and_its_subcell_differing_by_fewer_than_k_suppress_the_smaller() -> None:
    # 100 people in the group, 97 of them selected: "not selected" (3, never published)
    # is 100 − 97. The smaller of the published pair, 97, is suppressed.
    cells = [Cell("n", 100), Cell("selected", 97), Cell("not_selected", 3, published=False)]
    s = suppress_cells(cells, [Relation("n", ("selected", "not_selected"))], k=10)
    assert s.primary == set()  # "not selected" is not a published cell
    assert s.secondary == {"selected"}
    assert "not_selected" in s.drawn


def test_suppressed_parts_adding_up_to_fewer_than_k_force_a_third() -> None:
    # 4 and 3 are both hidden, but 100 − 50 − 43 = 7 people: still fewer than k.
    cells = [Cell("all", 100), Cell("a", 50), Cell("b", 43), Cell("c", 4), Cell("d", 3)]
    rels = [Relation("all", ("a", "b", "c", "d"))]
    s = suppress_cells(cells, rels, k=10)
    assert s.primary == {"c", "d"}
    assert s.secondary == {"b"}


def test_two_way_table_closes_a_rectangle_and_nothing_is_recoverable() -> None:
    inner = {(0, 0): 4, (0, 1): 120, (0, 2): 90, (1, 0): 40, (1, 1): 110, (1, 2): 100}
    cells, rels = _two_way(inner)
    s = suppress_cells(cells, rels, k=10)
    assert s.primary == {(0, 0)}
    # the column partner, then the cheapest row partners that close the rectangle
    assert s.secondary == {(1, 0), (0, 2), (1, 2)}
    assert recoverable_counts(cells, rels, s.suppressed) == {}
    assert _numpy_determined(cells, rels, set(s.suppressed)) == set()


def test_a_bridge_between_two_cycles_is_found_by_solving_the_system() -> None:
    # Row 0 has 5 and 132 hidden, the other suppressed cells form cycles elsewhere: no
    # single relation has one hidden cell, yet the linear system pins the 5 down.
    inner = {
        (0, 0): 292, (0, 1): 5, (0, 2): 192, (0, 3): 135, (0, 4): 132,
        (1, 0): 2, (1, 1): 69, (1, 2): 170, (1, 3): 187, (1, 4): 8,
        (2, 0): 38, (2, 1): 222, (2, 2): 160, (2, 3): 184, (2, 4): 131,
        (3, 0): 275, (3, 1): 2, (3, 2): 272, (3, 3): 8, (3, 4): 184,
        (4, 0): 72, (4, 1): 21, (4, 2): 117, (4, 3): 99, (4, 4): 126,
    }  # fmt: skip
    cells, rels = _two_way(inner)
    pattern = {(0, 1), (0, 4), (1, 0), (1, 4), (2, 0), (2, 4), (3, 1), (3, 3), (4, 1), (4, 3)}
    assert recoverable_counts(cells, rels, pattern) == {}  # subtraction alone: safe
    assert (0, 1) in _numpy_determined(cells, rels, pattern)  # but it is a bridge
    assert (0, 1) in determined_cells(rels, pattern)
    s = suppress_cells(cells, rels, k=10)
    sensitive = {c.id for c in cells if c.count is not None and 0 < c.count < 10}
    assert sensitive <= s.suppressed
    assert _numpy_determined(cells, rels, set(s.suppressed)) & sensitive == set()


def test_random_tables_reach_a_safe_fixed_point() -> None:
    rng = random.Random(20240607)
    for _ in range(60):
        shape = rng.randint(1, 5), rng.randint(1, 5)
        inner = {
            (a, b): rng.choice([0, 1, 3, 8]) if rng.random() < 0.3 else rng.randint(10, 300)
            for a in range(shape[0])
            for b in range(shape[1])
        }
        cells, rels = _two_way(inner)
        s = suppress_cells(cells, rels, k=10)
        sensitive = {c.id for c in cells if c.count is not None and 0 < c.count < 10}
        assert sensitive <= s.suppressed
        assert not set(recoverable_counts(cells, rels, s.suppressed)) & sensitive
        assert not _numpy_determined(cells, rels, set(s.suppressed)) & sensitive
        for r in rels:  # fixed point: never exactly one suppressed cell in a relation
            assert sum(m in s.suppressed for m in (r.total, *r.parts)) != 1


def test_zero_cells_are_not_disclosive_and_never_chosen() -> None:
    cells = [Cell("all", 50), Cell("zero", 0), Cell("small", 3), Cell("big", 47 - 0)]
    rels = [Relation("all", ("zero", "small", "big"))]
    s = suppress_cells(cells, rels, k=10)
    assert "zero" not in s.suppressed  # hiding an empty cell would protect no one
    assert s.primary == {"small"}
    assert s.secondary == {"big"}


def test_unknown_counts_are_derived_or_treated_as_sensitive() -> None:
    # "hidden" is unknown to the caller but 100 − 95 = 5: derived, and sensitive.
    cells = [Cell("all", 100), Cell("shown", 95), Cell("hidden", None, published=False)]
    s = suppress_cells(cells, [Relation("all", ("shown", "hidden"))], k=10)
    assert s.derived == {"hidden": 5}
    assert s.secondary == {"shown"}
    # two unknown parts: not derivable, assumed possibly small, already two hidden: safe
    cells = [Cell("all", 100), Cell("x", None, published=False), Cell("y", None, published=False)]
    s = suppress_cells(cells, [Relation("all", ("x", "y"))], k=10)
    assert s.derived == {} and s.suppressed == set()


def test_a_derived_count_of_at_least_k_needs_no_partner() -> None:
    # A group hidden by another rule (min_group_size) with 25 people: recovering it is
    # no disclosure under the threshold rule, so the published groups stay.
    cells = [Cell("all", 525), Cell("a", 500), Cell("b", None, published=False)]
    s = suppress_cells(cells, [Relation("all", ("a", "b"))], k=10)
    assert s.derived == {"b": 25} and s.suppressed == set()


def test_followers_go_with_the_cell_they_follow() -> None:
    cells = [
        Cell("all", 100), Cell("a", 60), Cell("b", 37), Cell("c", 3),
        Cell("b_pos", 20, follows="b"),
    ]  # fmt: skip
    s = suppress_cells(cells, [Relation("all", ("a", "b", "c"))], k=10)
    assert s.secondary == {"b"}
    assert s.linked == {"b_pos": "b"} and s.reason("b_pos") == DIFFERENCING
    assert s.to_dict()["n_suppressed_secondary"] == 2


def test_terminates_when_everything_must_go() -> None:
    cells = [Cell("all", 12), Cell("a", 6), Cell("b", 6)]
    s = suppress_cells(cells, [Relation("all", ("a", "b"))], k=10)
    assert s.primary == {"a", "b"}
    assert s.secondary == set()  # 12 − ? gives nothing: two parts hidden


def test_k_of_one_suppresses_nothing() -> None:
    s = suppress_cells([Cell("a", 1), Cell("b", 0)], [], k=1)
    assert s.suppressed == set()


def test_k_comes_from_the_policy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert policy_k(load_policy("default")) == 10
    assert policy_k(None) == 10
    text = (
        "id: strict\nversion: '1'\nowner: privacy office\nreview_by: 2099-01-01\n"
        "settings:\n  k_anonymity: 20\nrules:\n  - id: di\n    check: fairness.disparate_impact\n"
        "    min: 0.8\n    severity: warn\n    principle: fairness\n    rationale: test\n"
    )
    path = tmp_path / "strict.yaml"
    path.write_text(text, encoding="utf-8")
    k = policy_k(load_policy(str(path)))
    assert k == 20
    s = suppress_cells([Cell("a", 15), Cell("b", 25)], [], k=k)
    assert s.primary == {"a"}


@pytest.mark.parametrize(
    ("cells", "rels", "k", "message"),
    [
        ([Cell("a", 1)], [], 0, "k must be a whole number >= 1"),
        ([Cell("a", 1)], [], True, "k must be a whole number >= 1"),
        ([Cell("a", 1), Cell("a", 2)], [], 10, "given twice"),
        ([Cell("a", -1)], [], 10, "expected a whole number >= 0"),
        ([Cell("a", 1.5)], [], 10, "expected a whole number >= 0"),  # type: ignore[arg-type]
        ([Cell("a", 1)], [Relation("a", ("zz",))], 10, "not among the cells given"),
        ([Cell("a", 1)], [Relation("a", ())], 10, "has no parts"),
        ([Cell("a", 1), Cell("b", 1)], [Relation("a", ("b", "b"))], 10, "names a cell twice"),
        ([Cell("a", 1, follows="zz")], [], 10, "follows 'zz'"),
    ],
)
def test_bad_input_is_a_usage_error(
    cells: list[Cell], rels: list[Relation], k: int, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        suppress_cells(cells, rels, k)


def test_a_relation_that_does_not_add_up_is_a_data_error() -> None:
    with pytest.raises(DataError, match="does not add up"):
        suppress_cells([Cell("t", 10), Cell("a", 4), Cell("b", 5)], [Relation("t", ("a", "b"))], 3)
    with pytest.raises(DataError, match="does not add up"):
        cells = [Cell("t", 3), Cell("a", 4), Cell("b", None)]
        suppress_cells(cells, [Relation("t", ("a", "b"))], 3)


@pytest.mark.parametrize(
    ("settings", "warned"),
    [
        ("  min_group_size: 5\n", "min_group_size 5 is below k_anonymity 10 (the default)"),
        ("  k_anonymity: 50\n", "min_group_size 30 (the default) is below k_anonymity 50"),
        ("  min_group_size: 10\n  k_anonymity: 20\n", "min_group_size 10 is below k_anonymity 20"),
        ("  min_group_size: 20\n  k_anonymity: 20\n", None),
        ("  min_group_size: 30\n", None),
    ],
)
def test_policy_lint_warns_when_min_group_size_is_below_k(
    tmp_path, settings: str, warned: str | None  # type: ignore[no-untyped-def]
) -> None:
    from datetime import date

    from fairmark.policy import lint_policy

    text = (
        "id: p\nversion: '1'\nowner: me\nreview_by: 2099-01-01\nsettings:\n" + settings
        + "rules:\n  - id: di\n    check: fairness.disparate_impact\n    min: 0.8\n"
        "    severity: warn\n    principle: fairness\n    rationale: test\n"
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    messages = lint_policy(path, today=date(2030, 1, 1))
    if warned is None:
        assert messages == []
        return
    assert [m.level for m in messages] == ["warning"]
    assert messages[0].line == 6  # the first settings line
    assert messages[0].message.startswith("settings.")
    assert warned in messages[0].message
    assert "expected min_group_size >= k_anonymity" in messages[0].message
