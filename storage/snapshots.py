"""Each week's scores and places, kept so rank arrows and "change since last week" are facts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from storage.db import Database, Tx

UNIT, PROJECT = "unit", "project"


@dataclass(frozen=True)
class Kept:
    """One subject's score of a week as it was saved."""

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
    return [
        Kept(subject, subject_id, name, group, score, rank, json.loads(metrics))
        for subject, subject_id, name, group, score, rank, metrics in rows
    ]


async def replace(tx: Tx, period: str, kept: Iterable[Kept]) -> None:
    """Save the week's scores in place of any saved before for it."""
    await tx.execute("DELETE FROM score_snapshots WHERE period = ?", (period,))
    await tx.executemany(
        "INSERT INTO score_snapshots (period, subject, subject_id, grp, score, rank, metrics)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (period, k.subject, k.subject_id, k.group, k.score, k.rank, json.dumps(k.metrics))
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
