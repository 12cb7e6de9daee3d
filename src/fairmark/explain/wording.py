"""Turn the drivers of one decision into a paragraph a customer can read.

The paragraph follows the "principal reasons" practice of adverse-action notices
(US Regulation B, 12 CFR 1002.9(b)(2): state the specific main reasons, not internal
scores or codes) and the GDPR's right to "meaningful information about the logic
involved" in automated decisions (Articles 13(2)(f), 14(2)(g), 15(1)(h)). It names the
main drivers with their direction, in the words of the label file, and says what they
are compared with and that they describe the model, not a judgement of the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

__all__ = ["decision_paragraph", "join_words", "pick_drivers"]


class _Driver(Protocol):
    phrase: str
    direction: str
    sensitive: bool
    label: str
    is_clause: bool


_D = TypeVar("_D", bound=_Driver)


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """Join ``["a", "b", "c"]`` as ``"a, b and c"`` (``""`` for none)."""
    items = [s for s in items if s]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _because(drivers: Sequence[_Driver]) -> str:
    """``because A and B`` for clauses, ``because of X`` for noun phrases."""
    clauses = [d.phrase for d in drivers if d.is_clause]
    nouns = [d.phrase for d in drivers if not d.is_clause]
    parts = []
    if clauses:
        parts.append("because " + join_words(clauses))
    if nouns:
        parts.append("because of " + join_words(nouns))
    return ", and ".join(parts) if len(clauses) > 1 and nouns else " and ".join(parts)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def pick_drivers(ranked: Sequence[_D], *, offered: bool, top: int) -> tuple[list[_D], list[_D]]:
    """Choose the reasons to state: for the outcome, and against it.

    Parameters
    ----------
    ranked : sequence of Driver
        Every feature with a non-zero contribution, largest absolute contribution first.
    offered : bool
        The outcome explained.
    top : int
        At most this many reasons on each side.

    Returns
    -------
    towards, against : list of Driver
        ``towards``: the strongest drivers in the direction of the outcome (up to
        ``top``), even when weaker ones than those against it; ``against``: drivers in
        the other direction that are among the ``top`` largest overall (so that nothing
        big is left out).
    """
    side = "raised" if offered else "lowered"
    towards = [d for d in ranked if d.direction == side][:top]
    against = [d for d in ranked[:top] if d.direction != side]
    return towards, against


def decision_paragraph(
    towards: Sequence[_Driver], against: Sequence[_Driver], *, offered: bool, reference: str
) -> str:
    """Write the "why am I seeing this offer?" paragraph.

    Parameters
    ----------
    towards, against : sequence of Driver
        Reasons for and against the outcome (:func:`pick_drivers`), each with ``phrase``
        (customer words: a clause when ``is_clause``, else a noun phrase), ``sensitive``
        and ``label``.
    offered : bool
        Whether the person got the offer (the paragraph explains that outcome).
    reference : str
        Whom the person is compared with, e.g. "a typical customer in our data".

    Returns
    -------
    str
        A few sentences of plain text.
    """
    outcome = "You were offered this" if offered else "You were not offered this"
    sentences = []
    if towards:
        sentences.append(f"{outcome} mainly {_because(towards)}.")
    else:
        sentences.append(f"{outcome}, although none of your details pointed towards it.")
    if against:
        effect = "less likely" if offered else "more likely"
        what = "this" if len(against) == 1 else "these"
        sentences.append(
            f"On the other hand, {what} made it {effect}: "
            + "; ".join(d.phrase for d in against)
            + "."
        )
    sensitive = list(dict.fromkeys(d.label for d in [*towards, *against] if d.sensitive))
    if sensitive:
        sentences.append(
            f"Among these reasons {'is' if len(sensitive) == 1 else 'are'} "
            f"{join_words(sensitive)}; we tell you because "
            f"{'it' if len(sensitive) == 1 else 'they'} made a difference to our model's result."
        )
    sentences.append(
        f"These reasons compare you with {reference}; they describe how our model works "
        "and are not a judgement about you."
    )
    return " ".join(_capital(s) for s in sentences)
