"""Each week's scores and places, kept so rank arrows and "change since last week" are facts."""

from __future__ import annotations

from storage.db import Database, Tx


async def trend(db: Database | Tx, project_id: int, weeks: int) -> list[tuple[str, float]]:
    """A project's last `weeks` saved scores, (period, score), newest first."""
    rows = await db.fetchall(
        "SELECT period, score FROM score_snapshots WHERE subject = 'project' AND subject_id = ?"
        " ORDER BY period DESC LIMIT ?",
        (project_id, weeks),
    )
    return [(period, score) for period, score in rows]
