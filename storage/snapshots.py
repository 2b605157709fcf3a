"""Each week's scores and places, kept so rank arrows and "change since last week" are facts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import NamedTuple

from storage.db import Database, Tx

UNIT, PROJECT = "unit", "project"
_ENCODE = json.JSONEncoder().encode  # as json.dumps, without a new encoder for every row


class Kept(NamedTuple):
    """One subject's score of a week as it was saved (a tuple: 5,150 of them a week, each
    read back the week after)."""

    subject: str  # UNIT | PROJECT
    subject_id: int
    name: str | None  # the unit's name or the project's code; None once it is gone
    group: str
    score: float
    rank: int
    metrics: dict[str, float | None]  # metric -> value (None: not applicable)


async def of_period(db: Database | Tx, period: str) -> list[Kept]:
    """The week's saved scores (e.g. period "2026-W47"), units and projects."""
    rows = await db.fetchall(
        "SELECT s.subject, s.subject_id, COALESCE(u.name, p.code) AS name, s.grp, s.score,"
        " s.rank, s.metrics FROM score_snapshots s"
        " LEFT JOIN units u ON s.subject = 'unit' AND u.id = s.subject_id"
        " LEFT JOIN projects p ON s.subject = 'project' AND p.id = s.subject_id"
        " WHERE s.period = ?",
        (period,),
    )
    # One JSON array for all the rows: the decoder started once, not 5,150 times.
    metrics = json.loads("[" + ",".join([row[6] for row in rows]) + "]")
    return [Kept(subject, subject_id, name, group, score, rank, values)
            for (subject, subject_id, name, group, score, rank, _), values
            in zip(rows, metrics, strict=True)]  # fmt: skip


async def replace(tx: Tx, period: str, kept: Iterable[Kept]) -> None:
    """Save the week's scores in place of any saved before for it."""
    await tx.execute("DELETE FROM score_snapshots WHERE period = ?", (period,))
    await tx.executemany(
        "INSERT INTO score_snapshots (period, subject, subject_id, grp, score, rank, metrics)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (period, k.subject, k.subject_id, k.group, k.score, k.rank, _ENCODE(k.metrics))
            for k in kept
        ],
    )


async def trend(db: Database | Tx, project_id: int, weeks: int) -> list[tuple[str, float]]:
    """A project's last `weeks` saved scores, (period, score), newest first."""
    rows = await db.fetchall(
        "SELECT period, score FROM score_snapshots WHERE subject = 'project' AND subject_id = ?"
        " ORDER BY period DESC LIMIT ?",
        (project_id, weeks),
    )
    return [(period, score) for period, score in rows]
