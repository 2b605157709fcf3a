"""A problem's history: raised, assigned, replies, notes, escalations, resolution, close.

An escalation step is logged once: (problem, step) is unique, so a restart or two scheduler
ticks racing cannot take the same step twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Database, Tx
from timeutil import from_iso, to_iso


@dataclass(frozen=True)
class Event:
    id: int
    problem_id: int
    at: datetime
    actor: str | None
    action: str
    from_state: str | None
    to_state: str | None
    department: str | None
    deadline: date | None
    note: str
    step: str | None


async def record(
    tx: Tx,
    problem_id: int,
    *,
    actor: int | None,
    action: str,
    now: datetime,
    from_state: str | None = None,
    to_state: str | None = None,
    department_id: int | None = None,
    deadline: date | None = None,
    note: str = "",
    step: str | None = None,
) -> int | None:
    """Add to the problem's history; None when this escalation step was logged before."""
    changed = await tx.execute(
        "INSERT OR IGNORE INTO problem_events (problem_id, at, actor, action, from_state,"
        " to_state, department_id, deadline, note, step) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            problem_id, to_iso(now), actor, action, from_state, to_state, department_id,
            deadline.isoformat() if deadline else None, note, step,
        ),
    )  # fmt: skip
    if not changed:
        return None
    return await tx.fetchval("SELECT last_insert_rowid()")


_EVENTS = """
SELECT e.id, e.problem_id, e.at, pe.name AS actor, e.action, e.from_state, e.to_state,
       d.name AS department, e.deadline, e.note, e.step
FROM problem_events e
LEFT JOIN people pe ON pe.id = e.actor
LEFT JOIN units d ON d.id = e.department_id
"""


def _event(r) -> Event:
    deadline = date.fromisoformat(r["deadline"]) if r["deadline"] else None
    return Event(
        r["id"], r["problem_id"], from_iso(r["at"]), r["actor"], r["action"], r["from_state"],
        r["to_state"], r["department"], deadline, r["note"], r["step"],
    )  # fmt: skip


async def history(db: Database | Tx, problem_id: int) -> list[Event]:
    """Everything that happened to the problem, oldest first."""
    rows = await db.fetchall(_EVENTS + " WHERE e.problem_id = ? ORDER BY e.id", (problem_id,))
    return [_event(r) for r in rows]


async def histories(db: Database | Tx, problem_ids: list[int]) -> dict[int, list[Event]]:
    """The histories of several problems (for the export), each oldest first."""
    if not problem_ids:
        return {}
    marks = ",".join("?" * len(problem_ids))
    rows = await db.fetchall(
        _EVENTS + f" WHERE e.problem_id IN ({marks}) ORDER BY e.problem_id, e.id", problem_ids
    )
    found: dict[int, list[Event]] = {pid: [] for pid in problem_ids}
    for r in rows:
        found[r["problem_id"]].append(_event(r))
    return found


async def escalation_steps(db: Database | Tx) -> dict[int, dict[str, datetime]]:
    """Escalation steps taken in the current assignment round of every assigned or accepted
    problem: problem id → {step name: when}. One query per scheduler tick."""
    rows = await db.fetchall(
        "SELECT e.problem_id, e.step, e.at FROM problem_events e"
        " JOIN problems pr ON pr.id = e.problem_id"
        " WHERE pr.state IN ('assigned', 'accepted') AND e.step LIKE pr.round || ':%'"
    )
    found: dict[int, dict[str, datetime]] = {}
    for r in rows:
        found.setdefault(r["problem_id"], {})[r["step"].split(":", 1)[1]] = from_iso(r["at"])
    return found
