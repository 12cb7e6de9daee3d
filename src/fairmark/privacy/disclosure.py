"""Small-cell suppression and protection against disclosure by differencing.

Statistical disclosure control for published counts of people, on plain data (no report
knowledge). A table is given as *cells* (an id and a count of people) and the *additive
relations* between them: a total and the parts it is the sum of (a feature's groups
summing to the number of rows audited, the cells of an intersection summing to a
marginal group, the people selected and not selected summing to a group). The function
:func:`suppress_cells` returns which cells must not be published:

* **primary suppression** (threshold rule): a published cell with ``0 < count < k``;
* **secondary suppression** (protection against differencing): a suppressed count must
  not be recoverable by subtraction. For every relation, iterated to a fixed point:

  - if exactly one of its cells (total or part) is suppressed, it equals the total minus
    the other parts (or the sum of the parts), so one more cell of the relation is
    suppressed: the next smallest part;
  - if the total is published and the suppressed parts add up to fewer than ``k`` people
    (``0 < total − Σ published parts < k``: a marginal and its published intersection
    cells, a cell and a sub-cell, whose difference isolates fewer than ``k`` people), one
    more part is suppressed, until the difference covers at least ``k`` people;
  - then the whole system is solved exactly (:func:`determined_cells`): a count that
    several relations together pin down (a suppressed cell bridging two cycles of
    suppressed cells in a two-way table) gets one more published neighbour suppressed,
    and the relation rules run again, until no count below ``k`` is determined.

Definitions follow the threshold rule, secondary cell suppression and disclosure by
differencing of Hundepool, A. et al. (2010), *Handbook on Statistical Disclosure Control*,
ESSnet SDC / Eurostat, version 1.2, ch. 4 (frequency tables: §4.2 threshold rule, §4.3
secondary suppression, §4.4 linked tables and differencing) and ch. 5 (magnitude tables).

Choices (documented, and tested):

* **Zero counts are not disclosive** by this rule: an empty cell isolates nobody, so it is
  never primary suppressed and never chosen as a secondary cell (suppressing a zero hides
  no one, so it cannot protect a neighbour). Note that a zero next to a published total can
  still reveal that *everyone* in a group shares a property (group attribute disclosure);
  that risk is outside the threshold rule.
* **Weighted counts**: callers pass the *unweighted* number of people; whether a weighted
  count (a sum of sample weights) is published is decided on its unweighted count.
* **Cells that are never published** (``published=False``: a count another rule already
  hides, e.g. a group below ``min_group_size``, or a count no report prints, e.g. the
  people *not* selected in a group) may be chosen as secondary cells at no cost; they are
  preferred. The relation rules assume an attacker knows them unless they are drawn into
  the pattern (conservative: they may be derivable elsewhere); the exact check models the
  reader exactly (they see the published counts only).
* **Unknown counts** (``count=None``: a cell the caller cannot see, e.g. a group a stored
  document already hides) are first derived by subtraction where the relations allow it;
  a count that stays unknown is treated as sensitive (it may be below ``k``).
* **Which secondary cell**: among the cells of the relation not yet suppressed and not
  zero: unpublished cells first; then the lowest cost: the cell's own ``cost`` (a caller's
  preference, as the cost functions of τ-ARGUS) plus how far its suppression cascades (the
  number of its other relations it would leave with a single suppressed cell, minus those
  it completes to two, counted for the cell and the cells that follow it: in a two-way
  table this closes rectangles of suppressed cells; a relation left with one suppressed
  cell adds the cost of the cheapest cell that would then have to go); then parts before
  the total; then the smallest count ("the next smallest part"); then the order the cells
  were given in. The result is deterministic.
* **Attacker model**: any linear combination of the published counts and the relations
  (subtraction within and across relations). At the fixed point no count in ``(0, k)`` is
  determined, every relation has no suppressed cell or at least two, and a published total
  never isolates fewer than ``k`` people. It does not bound the *interval* a suppressed
  count can be narrowed to by linear programming with non-negativity (Hundepool et al.
  2010, §4.3.3 protection intervals), nor counts recomputed from published rates (a rate
  times a published ``n``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fairmark.errors import DataError, UsageError

__all__ = [
    "BELOW_K",
    "DIFFERENCING",
    "METHOD",
    "SOURCE",
    "Cell",
    "Relation",
    "Suppression",
    "determined_cells",
    "recoverable_counts",
    "suppress_cells",
]

_PRIME = (1 << 61) - 1  # a Mersenne prime: exact rank tests on small integer matrices

BELOW_K = "below_k"
"""Reason of a primary suppression: the count is below ``k`` (threshold rule)."""

DIFFERENCING = "differencing"
"""Reason of a secondary suppression: it keeps a suppressed count from being recovered by
subtraction (differencing)."""

METHOD = "threshold_rule+secondary_suppression"
"""The ``method`` recorded in a document's ``disclosure_control`` object."""

SOURCE = (
    "Hundepool et al. (2010), Handbook on Statistical Disclosure Control, ESSnet SDC / "
    "Eurostat, ch. 4 (threshold rule, secondary suppression, differencing) and ch. 5"
)
"""Where the rules come from (cited in reports and glossary entries)."""


@dataclass(frozen=True)
class Cell:
    """One count of people in a table meant for publication.

    Parameters
    ----------
    id : Hashable
        Unique key of the cell, e.g. ``("group", "sex", "female", "n")``.
    count : int or None
        The unweighted number of people (>= 0). ``None`` when the caller does not know it
        (it is then derived by subtraction where possible, else treated as sensitive).
    published : bool, default True
        ``False`` for a count no report prints (already hidden by another rule, or a
        derived count such as "not selected"); such a cell is never counted as a
        suppression but may be drawn in as a free secondary cell.
    follows : Hashable, optional
        Id of another cell this one is suppressed with (e.g. a group's count of positives
        follows its size: a report that hides a group hides all of its counts).
    cost : float, default 0
        Extra cost of choosing this cell as a secondary suppression (e.g. a reference
        group, whose hiding would hide every comparison with it); cells with a lower
        cost are chosen first. Primary suppression ignores it.
    """

    id: Hashable
    count: int | None
    published: bool = True
    follows: Hashable | None = None
    cost: float = 0.0


@dataclass(frozen=True)
class Relation:
    """An additive relation between published counts: ``total = Σ parts``.

    Parameters
    ----------
    total : Hashable
        Id of the total's cell.
    parts : tuple of Hashable
        Ids of the parts (at least one; a one-part relation says two counts are equal).
    """

    total: Hashable
    parts: tuple[Hashable, ...]


@dataclass(frozen=True)
class Suppression:
    """Which cells must not be published, and why.

    Attributes
    ----------
    k : int
        The threshold: no published count of people may be in ``(0, k)``.
    primary : frozenset
        Ids of published cells with ``0 < count < k`` (reason :data:`BELOW_K`).
    secondary : frozenset
        Ids of published cells suppressed so that no suppressed count can be recovered
        by subtraction (reason :data:`DIFFERENCING`).
    drawn : frozenset
        Ids of unpublished cells the pattern relies on (they must stay unpublished).
    linked : Mapping
        ``id -> id`` of published cells suppressed only because the cell they follow is
        (:attr:`Cell.follows`); their reason is that cell's.
    derived : Mapping
        Counts of ``count=None`` cells that the relations determine (id -> count).
    """

    k: int
    primary: frozenset[Hashable]
    secondary: frozenset[Hashable]
    drawn: frozenset[Hashable] = frozenset()
    derived: Mapping[Hashable, int] = field(default_factory=dict)
    linked: Mapping[Hashable, Hashable] = field(default_factory=dict)

    @property
    def suppressed(self) -> frozenset[Hashable]:
        """Ids of every published cell that must not be published."""
        return self.primary | self.secondary | frozenset(self.linked)

    def reason(self, cell_id: Hashable) -> str | None:
        """Return :data:`BELOW_K`, :data:`DIFFERENCING` or ``None`` (the cell is published)."""
        if cell_id in self.primary:
            return BELOW_K
        if cell_id in self.secondary:
            return DIFFERENCING
        if cell_id in self.linked:
            return self.reason(self.linked[cell_id])
        return None

    def to_dict(self) -> dict[str, Any]:
        """Return the ``disclosure_control`` object of a fairmark document.

        Keys: ``k``, ``method`` (:data:`METHOD`), ``n_suppressed_primary``,
        ``n_suppressed_secondary`` (numbers of count cells; cells suppressed with the cell
        they follow count as secondary).
        """
        return {
            "k": self.k,
            "method": METHOD,
            "n_suppressed_primary": len(self.primary),
            "n_suppressed_secondary": len(self.secondary) + len(self.linked),
        }


def _check_inputs(
    cells: Iterable[Cell], relations: Iterable[Relation], k: int
) -> tuple[dict[Hashable, Cell], list[Relation]]:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise UsageError(f"k must be a whole number >= 1, got {k!r}")
    table: dict[Hashable, Cell] = {}
    for cell in cells:
        if cell.id in table:
            raise UsageError(f"cell {cell.id!r} is given twice; expected unique cell ids")
        count = cell.count
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 0
        ):
            raise UsageError(
                f"cell {cell.id!r} has count {count!r}; expected a whole number >= 0 or None"
            )
        table[cell.id] = cell
    for cell in table.values():
        if cell.follows is not None and cell.follows not in table:
            raise UsageError(
                f"cell {cell.id!r} follows {cell.follows!r}, which is not among the cells given"
            )
    rels = list(relations)
    for rel in rels:
        if not rel.parts:
            raise UsageError(f"relation of total {rel.total!r} has no parts; expected one or more")
        members = (rel.total, *rel.parts)
        unknown = [m for m in members if m not in table]
        if unknown:
            raise UsageError(
                f"relation of total {rel.total!r} names cell {unknown[0]!r}, which is not "
                "among the cells given"
            )
        if len(set(members)) != len(members):
            raise UsageError(
                f"relation of total {rel.total!r} names a cell twice; expected distinct cells"
            )
    return table, rels


def _derive(table: Mapping[Hashable, Cell], rels: list[Relation]) -> dict[Hashable, int]:
    """Fill in unknown counts that one relation determines, repeatedly; check the sums."""
    counts: dict[Hashable, int | None] = {cid: c.count for cid, c in table.items()}
    derived: dict[Hashable, int] = {}
    changed = True
    while changed:
        changed = False
        for rel in rels:
            members = (rel.total, *rel.parts)
            missing = [m for m in members if counts[m] is None]
            if len(missing) != 1:
                continue
            parts_sum = sum(counts[p] or 0 for p in rel.parts)
            if missing[0] == rel.total:
                value = parts_sum
            else:
                value = int(counts[rel.total] or 0) - parts_sum
            if value < 0:
                raise DataError(
                    f"relation of total {rel.total!r} does not add up (a part would be "
                    f"{value}); expected total = sum of parts"
                )
            counts[missing[0]] = value
            derived[missing[0]] = value
            changed = True
    for rel in rels:
        total = counts[rel.total]
        parts = [counts[p] for p in rel.parts]
        if total is None or any(v is None for v in parts):
            continue
        parts_sum = sum(v or 0 for v in parts)
        if total != parts_sum:
            raise DataError(
                f"relation of total {rel.total!r} does not add up ({total} != {parts_sum}); "
                "expected total = sum of parts"
            )
    return derived


def suppress_cells(
    cells: Iterable[Cell], relations: Iterable[Relation], k: int
) -> Suppression:
    """Return the cells to suppress: the threshold rule, then secondary suppression.

    Parameters
    ----------
    cells : iterable of Cell
        Every count of the table (published or not), with unique ids.
    relations : iterable of Relation
        Additive relations ``total = Σ parts`` between the cells (every id must be a
        cell). Relations are known to the reader of the published table.
    k : int
        Threshold (>= 1): published counts must be 0 or at least ``k``. Typically the
        policy's ``settings.k_anonymity`` (default 10).

    Returns
    -------
    Suppression
        ``primary`` (``0 < count < k``), ``secondary`` (differencing protection) and the
        unpublished cells drawn into the pattern. Iterates to a fixed point; always
        terminates, since every step suppresses one more cell of a finite table.

    Raises
    ------
    UsageError
        ``k`` below 1 or not an integer, duplicate cell ids, a negative or non-integer
        count, a relation without parts, naming an unknown cell, or naming a cell twice.
    DataError
        A relation whose counts are all known does not add up.

    Notes
    -----
    Source: Hundepool et al. (2010), Handbook on Statistical Disclosure Control, ESSnet
    SDC / Eurostat, §4.2 (threshold rule), §4.3 (secondary suppression), §4.4 (linked
    tables, disclosure by differencing). See the module docstring for the choices (zeros,
    weights, unknown counts, which secondary cell).

    Examples
    --------
    >>> cells = [Cell("all", 100), Cell("a", 60), Cell("b", 37), Cell("c", 3)]
    >>> s = suppress_cells(cells, [Relation("all", ("a", "b", "c"))], k=10)
    >>> sorted(s.primary), sorted(s.secondary)
    (['c'], ['b'])
    """
    table, rels = _check_inputs(cells, relations, k)
    derived = _derive(table, rels)
    counts: dict[Hashable, int | None] = {
        cid: derived.get(cid, c.count) for cid, c in table.items()
    }
    order = {cid: i for i, cid in enumerate(table)}
    membership: dict[Hashable, list[int]] = {cid: [] for cid in table}
    for i, rel in enumerate(rels):
        for m in (rel.total, *rel.parts):
            membership[m].append(i)

    def sensitive(cid: Hashable) -> bool:
        n = counts[cid]
        return n is None or 0 < n < k

    followers: dict[Hashable, list[Hashable]] = {}
    for cell in table.values():
        if cell.follows is not None:
            followers.setdefault(cell.follows, []).append(cell.id)
    hidden: set[Hashable] = {cid for cid in table if sensitive(cid)}
    primary = {cid for cid in hidden if table[cid].published}
    linked: dict[Hashable, Hashable] = {}
    stack = list(hidden)
    while stack:
        head = stack.pop()
        for f in followers.get(head, ()):
            if f not in hidden:
                hidden.add(f)
                if table[f].published:
                    linked[f] = head
                stack.append(f)
    n_hidden = [sum(m in hidden for m in (r.total, *r.parts)) for r in rels]

    def cheapest(j: int, but: Hashable) -> float:
        """Lowest cost of a further suppression in relation ``j`` (0 when one is free)."""
        best = float("inf")
        for m in (rels[j].total, *rels[j].parts):
            if m == but or m in hidden or counts[m] == 0:
                continue
            c = 0.0 if not table[m].published else table[m].cost
            if c <= 0:
                return 0.0
            best = min(best, c)
        return 0.0 if best == float("inf") else best

    def cascade(cid: Hashable, here: int) -> float:
        """Relations that suppressing ``cid`` leaves with one suppressed cell (each with the
        cost of the cheapest cell that would then have to go too), minus those it rescues
        from having one."""
        cost = 0.0
        for j in membership[cid]:
            if j == here:
                continue
            if n_hidden[j] == 0:
                cost += 1 + cheapest(j, cid)
            elif n_hidden[j] == 1:
                cost -= 1
        return cost
    secondary: set[Hashable] = set()
    drawn: set[Hashable] = set()

    def partner(
        rel: Relation, parts_only: bool, here: int, published_only: bool = False
    ) -> Hashable | None:
        members = rel.parts if parts_only else (rel.total, *rel.parts)
        candidates = [m for m in members if m not in hidden and counts[m] != 0]
        if published_only:
            candidates = [m for m in candidates if table[m].published]
        if not candidates and parts_only and rel.total not in hidden:
            candidates = [rel.total]
        if not candidates:
            return None
        return min(
            candidates,
            key=lambda m: (
                table[m].published,
                table[m].cost
                + cascade(m, here)
                + sum(cascade(f, here) for f in followers.get(m, ()) if f not in hidden),
                m == rel.total,
                counts[m] or 0,
                order[m],
            ),
        )

    def needed(i: int) -> Hashable | None:
        rel = rels[i]
        members = (rel.total, *rel.parts)
        in_hidden = [m for m in members if m in hidden]
        if not in_hidden:
            return None
        if len(in_hidden) == 1:
            return partner(rel, False, i)
        if rel.total in hidden:
            return None
        total = counts[rel.total]
        known = sum(counts[p] or 0 for p in rel.parts if p not in hidden)
        residual = int(total or 0) - known
        if 0 < residual < k:
            return partner(rel, True, i)
        return None

    queue: deque[int] = deque(range(len(rels)))
    queued = set(queue)

    def hide(cid: Hashable, relation: int, head: Hashable | None = None) -> None:
        hidden.add(cid)
        for j in membership[cid]:
            n_hidden[j] += 1
        if not table[cid].published:
            drawn.add(cid)
        elif head is None:
            secondary.add(cid)
        else:
            linked[cid] = head
        for j in (relation, *membership[cid]):
            if j not in queued:
                queue.append(j)
                queued.add(j)
        for f in followers.get(cid, ()):
            if f not in hidden:
                hide(f, relation, cid)

    while True:
        while queue:
            i = queue.popleft()
            queued.discard(i)
            cid = needed(i)
            if cid is not None:
                hide(cid, i)
        # Subtraction across several relations at once (solving the linear system) can
        # still isolate a cell that no single relation gives away, e.g. a suppressed cell
        # bridging two cycles of suppressed cells in a two-way table. Here the reader is
        # modelled exactly: every unpublished cell is unknown to them.
        unseen = hidden | {c for c, cell in table.items() if not cell.published}
        solved = determined_cells(rels, unseen)
        exposed = sorted((c for c in solved if sensitive(c)), key=order.__getitem__)
        if not exposed:
            break
        chain = exposed + sorted(solved - set(exposed), key=order.__getitem__)
        extra = next(
            (
                (cid, i)
                for x in chain
                for i in membership[x]
                if (cid := partner(rels[i], False, i, published_only=True)) is not None
            ),
            None,
        )
        if extra is None:
            break
        hide(*extra)
    return Suppression(
        k=k,
        primary=frozenset(primary),
        secondary=frozenset(secondary),
        drawn=frozenset(drawn | {c for c in hidden if not table[c].published}),
        derived=dict(derived),
        linked=dict(linked),
    )


def recoverable_counts(
    cells: Iterable[Cell], relations: Iterable[Relation], hidden: Iterable[Hashable]
) -> dict[Hashable, int]:
    """Return the hidden counts a reader recovers by subtraction (the attacker's view).

    Parameters
    ----------
    cells : iterable of Cell
        Every cell with its true count.
    relations : iterable of Relation
        The additive relations a reader knows.
    hidden : iterable of Hashable
        Ids of the cells the reader does not see (suppressed, or never published); every
        other cell counts as seen.

    Returns
    -------
    dict
        ``id -> count`` of every hidden cell that repeated subtraction determines: a
        relation with exactly one unseen cell gives it, and a recovered cell is reused.

    Raises
    ------
    UsageError
        As :func:`suppress_cells` (with ``k = 1``), or a seen cell whose count is unknown.

    Notes
    -----
    Source: disclosure by differencing, Hundepool et al. (2010), §4.4. Used to verify a
    suppression pattern: no cell with ``0 < count < k`` may be recoverable.
    """
    table, rels = _check_inputs(cells, relations, 1)
    unseen = set(hidden)
    known: dict[Hashable, int] = {}
    for cid, cell in table.items():
        if cid in unseen:
            continue
        if cell.count is None:
            raise UsageError(f"seen cell {cid!r} has no count; expected a whole number")
        known[cid] = cell.count
    recovered: dict[Hashable, int] = {}
    changed = True
    while changed:
        changed = False
        for rel in rels:
            members = (rel.total, *rel.parts)
            missing = [m for m in members if m not in known]
            if len(missing) != 1:
                continue
            m = missing[0]
            parts_sum = sum(known.get(p, 0) for p in rel.parts if p != m)
            value = parts_sum if m == rel.total else known[rel.total] - parts_sum
            known[m] = value
            recovered[m] = value
            changed = True
    return recovered


def determined_cells(relations: Iterable[Relation], hidden: Iterable[Hashable]) -> set[Hashable]:
    """Return the hidden cells whose count the relations determine, by any combination.

    Parameters
    ----------
    relations : iterable of Relation
        The additive relations a reader knows.
    hidden : iterable of Hashable
        Ids of the cells the reader does not see; every other cell counts as seen.

    Returns
    -------
    set
        Ids of hidden cells that are a linear combination of the seen counts: the unit
        vector of the cell lies in the row space of the relations restricted to the hidden
        cells (sparse Gauss-Jordan elimination modulo the prime ``2**61 - 1``; relation
        coefficients are 0 and ±1, so ranks agree with the rationals except for
        astronomically unlikely cancellations).

    Notes
    -----
    Source: exact disclosure in linked tables, Hundepool et al. (2010), §4.4; a 2-way
    table with published margins discloses a suppressed cell exactly when the cell is a
    bridge of the graph of suppressed cells (no cycle runs through it).
    """
    unseen = set(hidden)
    rows: list[dict[Hashable, int]] = []
    for rel in relations:
        row: dict[Hashable, int] = {}
        for m, coef in ((rel.total, 1), *((p, _PRIME - 1) for p in rel.parts)):
            if m in unseen:
                row[m] = (row.get(m, 0) + coef) % _PRIME
        row = {m: c for m, c in row.items() if c}
        if row:
            rows.append(row)
    # Order: a cell in a single equation (with other cells) is peeled off with it and the
    # equation comes back last, pivoting on that cell, which no other row holds.
    where_rows: dict[Hashable, set[int]] = {}
    for i, row in enumerate(rows):
        for m in row:
            where_rows.setdefault(m, set()).add(i)
    alive = set(range(len(rows)))
    peeled: list[tuple[int, Hashable]] = []
    stack = [m for m, at in where_rows.items() if len(at) == 1]
    while stack:
        m = stack.pop()
        at = where_rows.get(m, set())
        if len(at) != 1:
            continue
        (i,) = at
        if len(rows[i]) == 1:
            continue
        alive.discard(i)
        peeled.append((i, m))
        for other in rows[i]:
            where_rows[other].discard(i)
            if len(where_rows[other]) == 1:
                stack.append(other)
    pivots: dict[Hashable, dict[Hashable, int]] = {}
    holders: dict[Hashable, set[Hashable]] = {}  # column -> pivots whose row holds it

    def add(row: dict[Hashable, int], prefer: Hashable | None) -> None:
        row = dict(row)
        for col in [c for c in row if c in pivots]:
            factor = row.get(col, 0)
            if factor:
                for m, c in pivots[col].items():
                    row[m] = (row.get(m, 0) - factor * c) % _PRIME
        row = {m: c for m, c in row.items() if c}
        if not row:
            return
        col = prefer if prefer in row else next(iter(row))
        inverse = pow(row[col], _PRIME - 2, _PRIME)
        row = {m: (c * inverse) % _PRIME for m, c in row.items()}
        for key in list(holders.get(col, ())):
            other = pivots[key]
            factor = other[col]
            for m, c in row.items():
                value = (other.get(m, 0) - factor * c) % _PRIME
                if value:
                    other[m] = value
                    holders.setdefault(m, set()).add(key)
                else:
                    other.pop(m, None)
                    holders.get(m, set()).discard(key)
        pivots[col] = row
        for m in row:
            holders.setdefault(m, set()).add(col)

    for i in sorted(alive):
        add(rows[i], None)
    for i, m in reversed(peeled):
        add(rows[i], m)
    return {col for col, row in pivots.items() if len(row) == 1}
