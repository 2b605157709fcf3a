"""Milestones (节点) of projects: due dates, and the day a liaison marked one done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from storage.db import Database, Tx


class ImportedMilestone(Protocol):
    code: str | None
    project: str
    name: str
    due: date


@dataclass(frozen=True)
class Milestone:
    id: int
    project_id: int
    name: str
    due: date
    done_on: date | None


def _milestone(r) -> Milestone:
    return Milestone(
        r["id"], r["project_id"], r["name"], date.fromisoformat(r["due"]),
        date.fromisoformat(r["done_on"]) if r["done_on"] else None,
    )  # fmt: skip


async def upsert(tx: Tx, rows: Sequence[ImportedMilestone]) -> tuple[int, list[str]]:
    """Add or re-date milestones by (project, name); return (count, unknown project labels)."""
    stored, unknown = 0, []
    for row in rows:
        column = "code" if row.code else "name"
        project_id = await tx.fetchval(
            f"SELECT id FROM projects WHERE {column} = ?", (row.code or row.project,)
        )
        if project_id is None:
            unknown.append(row.project)
            continue
        await tx.execute(
            "INSERT INTO milestones (project_id, name, due) VALUES (?, ?, ?)"
            " ON CONFLICT (project_id, name) DO UPDATE SET due = excluded.due",
            (project_id, row.name, row.due.isoformat()),
        )
        stored += 1
    return stored, unknown


async def add(tx: Tx, project_id: int, name: str, due: date) -> None:
    await tx.execute(
        "INSERT INTO milestones (project_id, name, due) VALUES (?, ?, ?)"
        " ON CONFLICT (project_id, name) DO UPDATE SET due = excluded.due",
        (project_id, name, due.isoformat()),
    )


async def of_project(db: Database | Tx, project_id: int) -> list[Milestone]:
    rows = await db.fetchall(
        "SELECT * FROM milestones WHERE project_id = ? ORDER BY due, id", (project_id,)
    )
    return [_milestone(r) for r in rows]


async def all_milestones(db: Database | Tx) -> list[Milestone]:
    return [_milestone(r) for r in await db.fetchall("SELECT * FROM milestones ORDER BY due")]


async def mark_done(tx: Tx, milestone_id: int, day: date, person_id: int) -> bool:
    changed = await tx.execute(
        "UPDATE milestones SET done_on = ?, done_by = ? WHERE id = ? AND done_on IS NULL",
        (day.isoformat(), person_id, milestone_id),
    )
    return changed == 1
