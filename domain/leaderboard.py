"""Which ranked projects a 龙虎榜 shows: a top list (前列) and a bottom list (后列).

The lists are cut from one ranking, so their places are one numbering. A tie at a cut is kept
whole (a list never shows one of two tied projects and hides the other), the top list is praise
and never holds a score of 0, and no project is in both lists.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.ranking import Ranked


def board_lists(ranked: Sequence[Ranked], n: int) -> tuple[list[Ranked], list[Ranked]]:
    """(top, bottom), best first: about `n` each, from `ranked`, one group's ranking.

    Top: the best `n` with a score above 0, and any project tied with the last of them.
    Bottom: the worst `n` and any project tied with the first of them, less the top list. So
    one project makes a top list alone (or a bottom list at 0), and a ranking all tied at 0
    is all bottom.
    """
    ordered = sorted(ranked, key=lambda r: (r.rank, -r.score, r.subject))
    if n <= 0 or not ordered:
        return [], []
    cut = ordered[min(n, len(ordered)) - 1].rank
    top = [r for r in ordered if r.rank <= cut and r.score > 0]
    shown = {r.subject for r in top}
    cut = ordered[max(len(ordered) - n, 0)].rank
    bottom = [r for r in ordered if r.rank >= cut and r.subject not in shown]
    return top, bottom
