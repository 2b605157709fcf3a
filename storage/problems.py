"""The problem ledger (问题清单): problems, their state, who stands where, and the lists.

Their history is storage.problem_events; departments and their contacts storage.departments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.photos import file_name
from storage.db import Database, Tx
from storage.departments import departments_of
from storage.people import Person
from storage.problem_events import record
from timeutil import from_iso, to_iso


@dataclass(frozen=True)
class Problem:
    id: int
    project_id: int
    code: str
    project: str
    unit_id: int
    unit: str
    raised_by: int
    raiser: str
    description: str
    category: str
    state: str
    department_id: int | None
    department: str | None
    deadline: date | None
    created_at: datetime
    assigned_at: datetime | None
    replied_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    closed_on: date | None
    photo_file_id: str | None
    round: int
    version: int
    photo_name: str | None = None  # the photo's file in the archive; None: none, or not yet

    @property
    def owner(self) -> str:
        """Who answers for it now: the assigned department, else the project's unit."""
        return self.department or self.unit


_SELECT = """
SELECT pr.id, pr.project_id, p.code, p.name AS project, p.unit_id, u.name AS unit,
       pr.raised_by, pe.name AS raiser, pr.description, pr.category, pr.state,
       pr.department_id, d.name AS department, pr.deadline, pr.created_at, pr.assigned_at,
       pr.replied_at, pr.resolved_at, pr.closed_at, pr.closed_on, ph.file_id AS photo_file_id,
       pr.round, pr.version, ph.sha256 AS photo_sha256, ph.extension AS photo_extension
FROM problems pr
JOIN projects p ON p.id = pr.project_id
JOIN units u ON u.id = p.unit_id
JOIN people pe ON pe.id = pr.raised_by
LEFT JOIN units d ON d.id = pr.department_id
LEFT JOIN photos ph ON ph.id = pr.photo_id
"""


def _time(text: str | None) -> datetime | None:
    return from_iso(text) if text else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _problem(r) -> Problem:
    return Problem(
        r["id"], r["project_id"], r["code"], r["project"], r["unit_id"], r["unit"],
        r["raised_by"], r["raiser"], r["description"], r["category"], r["state"],
        r["department_id"], r["department"], _day(r["deadline"]), from_iso(r["created_at"]),
        _time(r["assigned_at"]), _time(r["replied_at"]), _time(r["resolved_at"]),
        _time(r["closed_at"]), _day(r["closed_on"]), r["photo_file_id"], r["round"],
        r["version"],
        file_name(r["photo_sha256"], r["photo_extension"]) if r["photo_sha256"] else None,
    )  # fmt: skip


async def by_id(db: Database | Tx, problem_id: int) -> Problem | None:
    row = await db.fetchone(_SELECT + " WHERE pr.id = ?", (problem_id,))
    return _problem(row) if row else None


async def create(
    tx: Tx,
    *,
    project_id: int,
    raised_by: int,
    category: str,
    description: str,
    photo_id: int | None,
    now: datetime,
) -> int:
    """A new problem row (open, owned by the project's unit); its history is the caller's."""
    return await tx.insert(
        "INSERT INTO problems (project_id, raised_by, description, created_at, category,"
        " photo_id, logged) VALUES (?, ?, ?, ?, ?, ?, 1)",
        (project_id, raised_by, description, to_iso(now), category, photo_id),
    )


async def reword(tx: Tx, problem_id: int, description: str) -> bool:
    """A correction of the report that raised it rewords the problem; False once closed."""
    changed = await tx.execute(
        "UPDATE problems SET description = ? WHERE id = ? AND state != 'closed'",
        (description, problem_id),
    )
    return bool(changed)


async def unlogged(db: Database | Tx) -> list[Problem]:
    """Problems an older version's /report inserted raw, not yet logged and announced.

    /report raises through services.problems now; only rows from before remain.
    """
    rows = await db.fetchall(_SELECT + " WHERE pr.logged = 0 ORDER BY pr.id")
    return [_problem(r) for r in rows]


async def mark_logged(tx: Tx, problem: Problem, category: str) -> bool:
    """Log a /report problem as raised (with its report's photo); False if already done."""
    changed = await tx.execute(
        "UPDATE problems SET logged = 1, category = ?, photo_id = COALESCE(photo_id,"
        " (SELECT photo_id FROM report_revisions WHERE problem_id = problems.id LIMIT 1))"
        " WHERE id = ? AND logged = 0",
        (category, problem.id),
    )
    if changed:
        await record(
            tx, problem.id, actor=problem.raised_by, action="raise", to_state=problem.state,
            now=problem.created_at,
        )  # fmt: skip
    return bool(changed)


async def change(
    tx: Tx,
    problem: Problem,
    *,
    to_state: str,
    now: datetime,
    today: date,
    department_id: int | None = None,
    deadline: date | None = None,
) -> bool:
    """Move the problem to `to_state` if nobody changed it since `problem` was read.

    The version check is what makes a double tap or a stale button act once: the second
    finds the version moved on and changes nothing.
    """
    sets = ["state = :to_state", "version = version + 1"]
    if department_id is not None:  # (re)assignment: a new round of reply and escalation
        sets += ["department_id = :department_id", "deadline = :deadline",
                 "assigned_at = :now", "replied_at = NULL", "round = round + 1"]  # fmt: skip
    if to_state == "accepted" and problem.state == "assigned":
        sets.append("replied_at = :now")
    if to_state == "resolved":
        sets.append("resolved_at = :now")
    if to_state == "closed":
        sets += ["status = 'closed'", "closed_at = :now", "closed_on = :today"]
    changed = await tx.execute(
        f"UPDATE problems SET {', '.join(sets)} WHERE id = :id AND version = :version",
        {
            "to_state": to_state,
            "department_id": department_id,
            "deadline": deadline.isoformat() if deadline else None,
            "now": to_iso(now),
            "today": today.isoformat(),
            "id": problem.id,
            "version": problem.version,
        },
    )
    return changed == 1


# ---- who stands where -----------------------------------------------------------------------


async def relations(db: Database | Tx, person: Person, problem: Problem) -> set[str]:
    """How the person stands to the problem: admin, leader, department, liaison (any of)."""
    found = set()
    if person.is_admin:
        found.add("admin")
    rows = await db.fetchall(
        "SELECT role FROM project_people WHERE person_id = ? AND project_id = ?",
        (person.id, problem.project_id),
    )
    found.update(r["role"] for r in rows if r["role"] in person.roles)
    if (
        problem.department_id is not None
        and "department" in person.roles
        and problem.department_id in await departments_of(db, person.id)
    ):
        found.add("department")
    return found


async def chats_of_project(db: Database | Tx, project_id: int, role: str) -> dict[int, int]:
    """person id → Telegram chat of the project's liaisons or leaders."""
    rows = await db.fetchall(
        "SELECT pe.id, pe.tg_user_id FROM project_people pp JOIN people pe"
        " ON pe.id = pp.person_id JOIN roles r ON r.person_id = pe.id AND r.role = pp.role"
        " WHERE pp.project_id = ? AND pp.role = ? ORDER BY pe.id",
        (project_id, role),
    )
    return {r["id"]: r["tg_user_id"] for r in rows}


# ---- lists ----------------------------------------------------------------------------------


async def open_in_scope(db: Database | Tx, person: Person) -> list[Problem]:
    """Problems not closed that the person may see, oldest first: admins all; leaders their
    linked projects'; departments those assigned to them; liaisons their projects'."""
    if person.is_admin:
        rows = await db.fetchall(_SELECT + " WHERE pr.state != 'closed' ORDER BY pr.id")
        return [_problem(r) for r in rows]
    conditions, params = [], []
    linked = [r for r in ("leader", "liaison") if r in person.roles]
    if linked:
        marks = ",".join("?" * len(linked))
        conditions.append(
            "pr.project_id IN (SELECT project_id FROM project_people WHERE person_id = ?"
            f" AND role IN ({marks}))"
        )
        params += [person.id, *linked]
    if "department" in person.roles:
        conditions.append(
            "pr.department_id IN (SELECT unit_id FROM department_people WHERE person_id = ?)"
        )
        params.append(person.id)
    if not conditions:
        return []
    rows = await db.fetchall(
        _SELECT + f" WHERE pr.state != 'closed' AND ({' OR '.join(conditions)}) ORDER BY pr.id",
        params,
    )
    return [_problem(r) for r in rows]


async def active(db: Database | Tx) -> list[Problem]:
    """Assigned or accepted problems: the department owes work, so they may escalate."""
    rows = await db.fetchall(
        _SELECT + " WHERE pr.state IN ('assigned', 'accepted') ORDER BY pr.id"
    )
    return [_problem(r) for r in rows]


async def not_closed(db: Database | Tx) -> list[Problem]:
    rows = await db.fetchall(_SELECT + " WHERE pr.state != 'closed' ORDER BY pr.id")
    return [_problem(r) for r in rows]


async def page(
    db: Database | Tx, project_ids: list[int] | None, start: date, end: date, after: int, size: int
) -> list[Problem]:
    """Problems of the ledger period (raised by `end`, not closed before `start`), by id,
    `size` at a time after id `after`; all projects when `project_ids` is None."""
    sql = _SELECT + (
        " WHERE pr.id > ? AND substr(pr.created_at, 1, 10) <= ?"
        " AND (pr.closed_on IS NULL OR pr.closed_on >= ?)"
    )
    params: list = [after, end.isoformat(), start.isoformat()]
    if project_ids is not None:
        sql += f" AND pr.project_id IN ({','.join('?' * len(project_ids))})"
        params += project_ids
    rows = await db.fetchall(sql + " ORDER BY pr.id LIMIT ?", [*params, size])
    return [_problem(r) for r in rows]


async def queued(db: Database | Tx, kind: str, period: str, chat_id: int) -> bool:
    """Whether the outbox already holds this (kind, period, chat) delivery."""
    found = await db.fetchval(
        "SELECT 1 FROM outbox WHERE kind = ? AND period = ? AND chat_id = ?",
        (kind, period, chat_id),
    )
    return found is not None
