"""Departments (配合单位) that problems are assigned to, their contacts and closure rates.

A department is a unit of kind 'department' (or any unit that has a contact or was assigned a
problem), so the rankings can join a department's problems to the same unit row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from storage.db import Database, Tx
from timeutil import to_iso

DEPARTMENT_KIND = "department"


async def department_id(tx: Tx, name: str, now: datetime) -> int:
    """The department's unit id, creating it (a unit of kind 'department') on first mention.

    A unit that already exists under that name (a county, a zone) is used as it is.
    """
    row = await tx.fetchone("SELECT id FROM units WHERE name = ?", (name,))
    if row:
        return row["id"]
    return await tx.insert(
        "INSERT INTO units (name, created_at, kind) VALUES (?, ?, ?)",
        (name, to_iso(now), DEPARTMENT_KIND),
    )


async def departments(db: Database | Tx) -> list[tuple[int, str]]:
    """Departments problems can be assigned to: units of kind 'department' and any unit that
    has a contact or was assigned a problem, by name."""
    rows = await db.fetchall(
        "SELECT id, name FROM units WHERE kind = ?"
        " OR id IN (SELECT unit_id FROM department_people)"
        " OR id IN (SELECT department_id FROM problems WHERE department_id IS NOT NULL)"
        " ORDER BY name",
        (DEPARTMENT_KIND,),
    )
    return [(r["id"], r["name"]) for r in rows]


async def unit_name(db: Database | Tx, unit_id: int) -> str | None:
    return await db.fetchval("SELECT name FROM units WHERE id = ?", (unit_id,))


async def link_department(tx: Tx, person_id: int, unit_id: int) -> None:
    await tx.execute(
        "INSERT OR IGNORE INTO department_people (unit_id, person_id) VALUES (?, ?)",
        (unit_id, person_id),
    )


async def departments_of(db: Database | Tx, person_id: int) -> set[int]:
    """The departments a person answers for (while holding the 'department' role)."""
    rows = await db.fetchall(
        "SELECT d.unit_id FROM department_people d JOIN roles r ON r.person_id = d.person_id"
        " AND r.role = 'department' WHERE d.person_id = ?",
        (person_id,),
    )
    return {r["unit_id"] for r in rows}


async def chats_of_department(db: Database | Tx, unit_id: int) -> dict[int, int]:
    """person id → Telegram chat of the department's contacts."""
    rows = await db.fetchall(
        "SELECT pe.id, pe.tg_user_id FROM department_people d JOIN people pe"
        " ON pe.id = d.person_id JOIN roles r ON r.person_id = pe.id AND r.role = 'department'"
        " WHERE d.unit_id = ? ORDER BY pe.id",
        (unit_id,),
    )
    return {r["id"]: r["tg_user_id"] for r in rows}


class ClosureRate(NamedTuple):
    department: str
    closed_on_time: int
    due: int
    rate: float  # closed_on_time / due, for display and ordering only


async def closure_rates(db: Database | Tx, start: date, end: date) -> list[ClosureRate]:
    """On-time closure per department for a period (the monthly bulletin, the rankings).

    A problem counts for the period when it was closed in it, or when its deadline fell in
    it while still unclosed; it is on time when closed on or before its deadline.
    Departments best first, then by name.
    """
    s, e = start.isoformat(), end.isoformat()
    rows = await db.fetchall(
        """
        SELECT d.name AS department,
               SUM(CASE WHEN pr.closed_on BETWEEN :s AND :e
                         AND (pr.deadline IS NULL OR pr.closed_on <= pr.deadline)
                        THEN 1 ELSE 0 END) AS on_time,
               COUNT(*) AS due
        FROM problems pr JOIN units d ON d.id = pr.department_id
        WHERE pr.closed_on BETWEEN :s AND :e
           OR (pr.deadline BETWEEN :s AND :e
               AND (pr.closed_on IS NULL OR pr.closed_on > pr.deadline))
        GROUP BY d.id
        """,
        {"s": s, "e": e},
    )
    found = [
        ClosureRate(r["department"], r["on_time"], r["due"], r["on_time"] / r["due"]) for r in rows
    ]
    return sorted(found, key=lambda c: (-c.rate, c.department))
