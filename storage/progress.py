"""Who reported on what, per day: the reads behind reminders, boards and digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage.db import Database, Tx


@dataclass(frozen=True)
class Assignment:
    """A liaison's project."""

    person_id: int
    tg_user_id: int
    liaison: str
    project_id: int
    code: str
    name: str
    unit_id: int
    joined: str  # when the liaison was bound (UTC text): days before do not count against them


async def assignments(
    db: Database | Tx, unit_id: int | None = None, person_id: int | None = None
) -> list[Assignment]:
    """Every (liaison, project) pair, of one unit, one liaison or all; blocked chats included."""
    sql = (
        "SELECT pe.id AS person_id, pe.tg_user_id, pe.name AS liaison, p.id AS project_id,"
        " p.code, p.name, p.unit_id, pe.created_at AS joined FROM project_people pp"
        " JOIN people pe ON pe.id = pp.person_id JOIN projects p ON p.id = pp.project_id"
        " WHERE pp.role = 'liaison'"
    )
    params: tuple = ()
    if unit_id is not None:
        sql += " AND p.unit_id = ?"
        params = (unit_id,)
    if person_id is not None:  # one reminder of a fan-out: never read the whole city
        sql += " AND pe.id = ?"
        params = (*params, person_id)
    rows = await db.fetchall(sql + " ORDER BY p.code, pe.id", params)
    return [Assignment(**{k: r[k] for k in r.keys()}) for r in rows]  # noqa: SIM118


async def reported_projects(db: Database | Tx, days: list[date]) -> set[tuple[int, str]]:
    """(project_id, day) pairs that have a report, for the given days."""
    if not days:
        return set()
    marks = ",".join("?" * len(days))
    rows = await db.fetchall(
        f"SELECT project_id, report_date FROM reports WHERE report_date IN ({marks})",
        [d.isoformat() for d in days],
    )
    return {(r["project_id"], r["report_date"]) for r in rows}


async def blocked_people(db: Database | Tx) -> set[int]:
    rows = await db.fetchall("SELECT id FROM people WHERE blocked_at IS NOT NULL")
    return {r["id"] for r in rows}


async def set_blocked(tx: Tx, tg_user_id: int, at: str | None) -> None:
    await tx.execute("UPDATE people SET blocked_at = ? WHERE tg_user_id = ?", (at, tg_user_id))


async def leaders_of(db: Database | Tx, project_ids: list[int]) -> dict[int, list[int]]:
    """project id → ids of its linked leaders."""
    if not project_ids:
        return {}
    marks = ",".join("?" * len(project_ids))
    rows = await db.fetchall(
        f"SELECT project_id, person_id FROM project_people WHERE role = 'leader'"
        f" AND project_id IN ({marks})",
        project_ids,
    )
    found: dict[int, list[int]] = {}
    for r in rows:
        found.setdefault(r["project_id"], []).append(r["person_id"])
    return found


@dataclass(frozen=True)
class DayEntry:
    """The latest revision of one project's report on a day, for digests."""

    project_id: int
    code: str
    name: str
    unit_id: int
    unit: str
    liaison: str
    text: str
    done_yuan: int
    baseline_yuan: int
    stage_before: str | None
    stage_after: str | None
    problem: str | None


async def entries_between(db: Database | Tx, start: date, end: date) -> list[DayEntry]:
    """Latest revision of every report from start to end (inclusive)."""
    rows = await db.fetchall(
        """
        SELECT p.id AS project_id, p.code, p.name, p.unit_id, u.name AS unit,
               pe.name AS liaison, v.text, v.done_yuan, r.baseline_yuan, v.stage_before,
               v.stage_after, pr.description AS problem
        FROM reports r
        JOIN report_revisions v ON v.report_id = r.id
             AND v.revision = (SELECT MAX(revision) FROM report_revisions WHERE report_id = r.id)
        JOIN projects p ON p.id = r.project_id
        JOIN units u ON u.id = p.unit_id
        JOIN people pe ON pe.id = v.person_id
        LEFT JOIN problems pr ON pr.id = v.problem_id
        WHERE r.report_date BETWEEN ? AND ?
        ORDER BY u.name, p.code, r.report_date
        """,
        (start.isoformat(), end.isoformat()),
    )
    return [DayEntry(**{k: r[k] for k in r.keys()}) for r in rows]  # noqa: SIM118


async def unit_project_counts(db: Database | Tx) -> dict[int, tuple[str, int]]:
    """unit id → (name, number of projects)."""
    rows = await db.fetchall(
        "SELECT u.id, u.name, COUNT(p.id) AS n FROM units u"
        " LEFT JOIN projects p ON p.unit_id = u.id GROUP BY u.id ORDER BY u.name"
    )
    return {r["id"]: (r["name"], r["n"]) for r in rows}
