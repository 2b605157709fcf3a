"""Places and flags within a ranking group (龙虎榜, 红旗/黄旗): ties are ties.

Competition ranking (1, 2, 2, 4): subjects with the same score share a place, the next
place skips as many as shared the one before. The name never breaks a tie (callers may list
a tie by name for display; that is not a place).

Flags, N = min(flag_count, group size // 2) per group:
- red flag (praise) to every subject whose place is <= N, and only if its score is above 0
  and it had real progress in the period;
- yellow flag to every subject whose place counted from the bottom (1 + the number of
  subjects strictly below it) is <= N.
A flag boundary that falls inside a tie gives the whole tie the flag: a tie is never split.
A subject never gets both: a tie that qualifies for both gets neither. So when every unit of
a fresh week is tied at 0, nobody is praised and the whole tie is named (yellow).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass

from domain.status import RED, YELLOW
from domain.weights import DEFAULT_CONFIG, ScoringConfig


@dataclass(frozen=True, slots=True)
class Ranked:
    """A place in a group's ranking; ``change`` > 0 means moved up; ``flag`` red/yellow/None.

    ``rank`` is the shared place (competition ranking): two subjects may hold the same one.
    """

    subject: str
    group: str
    score: float
    rank: int
    change: int | None
    flag: str | None


def flag_of(
    place: int, place_from_bottom: int, score: float, progressed: bool, n: int
) -> str | None:
    """The flag of a subject at a shared ``place`` (see the module doc); None for neither."""
    red = place <= n and score > 0 and progressed
    yellow = place_from_bottom <= n
    if red and yellow:
        return None
    return RED if red else YELLOW if yellow else None


def rank(
    entries: Iterable[tuple[str, str, float]],
    previous_ranks: Mapping[str, int],
    config: ScoringConfig = DEFAULT_CONFIG,
    progressed: Container[str] | None = None,
) -> list[Ranked]:
    """Rank (subject, group, score) entries within each group, groups in name order.

    Score descending with competition places; within a tie, subjects are listed by name.
    ``change`` = previous rank - rank (positive: moved up; None: not ranked before).
    ``progressed`` names the subjects with real progress in the period; a red flag needs it
    (None: not known, as for quarterly figures, where a score above 0 is enough). Scores
    are plain numbers so quarterly figures rank the same way as weekly scores.
    """
    by_group: dict[str, list[tuple[str, float]]] = {}
    for subject, group, score in entries:
        by_group.setdefault(group, []).append((subject, score))
    ranked: list[Ranked] = []
    for group in sorted(by_group):
        items = sorted(by_group[group], key=lambda item: (-item[1], item[0]))
        ties = Counter(score for _, score in items)
        n = min(config.flag_count, len(items) // 2)
        place = 0
        for i, (subject, score) in enumerate(items):
            if i == 0 or score != items[i - 1][1]:
                place = i + 1  # 1 + the number of subjects strictly above
            from_bottom = 1 + len(items) - (place - 1) - ties[score]
            moved = progressed is None or subject in progressed
            before = previous_ranks.get(subject)
            change = None if before is None else before - place
            flag = flag_of(place, from_bottom, score, moved, n)
            ranked.append(Ranked(subject, group, score, place, change, flag))
    return ranked
