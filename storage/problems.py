"""The problem ledger (问题清单): problems, their history, departments and their contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from storage.db import Database, Tx
from storage.people import Person
from timeutil import from_iso, to_iso

DEPARTMENT_KIND = "department"


# ---- departments ----------------------------------------------------------------------------


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
    rows = await db.fetchall(
        "SELECT d.unit_id FROM department_people d JOIN roles r ON r.person_id = d.person_id"
        " AND r.role = 'department' WHERE d.person_id = ?",
        (person_id,),
    )
    return {r["unit_id"] for r in rows}


# ---- problems -------------------------------------------------------------------------------


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

    @property
    def owner(self) -> str:
        """Who answers for it now: the assigned department, else the project's unit."""
        return self.department or self.unit


_SELECT = """
SELECT pr.id, pr.project_id, p.code, p.name AS project, p.unit_id, u.name AS unit,
       pr.raised_by, pe.name AS raiser, pr.description, pr.category, pr.state,
       pr.department_id, d.name AS department, pr.deadline, pr.created_at, pr.assigned_at,
       pr.replied_at, pr.resolved_at, pr.closed_at, pr.closed_on, ph.file_id AS photo_file_id,
       pr.round, pr.version
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
    photo: tuple[str, str] | None,
    now: datetime,
) -> int:
    """A liaison's new problem (open, owned by the project's unit), logged as raised."""
    photo_id = None
    if photo:
        photo_id = await tx.insert(
            "INSERT INTO photos (project_id, file_id, file_unique_id, taken_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (project_id, photo[0], photo[1], raised_by, to_iso(now)),
        )
    problem_id = await tx.insert(
        "INSERT INTO problems (project_id, raised_by, description, created_at, category,"
        " photo_id, logged) VALUES (?, ?, ?, ?, ?, ?, 1)",
        (project_id, raised_by, description, to_iso(now), category, photo_id),
    )
    await record(tx, problem_id, actor=raised_by, action="raise", to_state="open", now=now)
    return problem_id


async def unlogged(db: Database | Tx) -> list[Problem]:
    """Problems raised inside /report that were not logged and announced yet."""
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


# ---- history --------------------------------------------------------------------------------


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
    return Event(
        r["id"], r["problem_id"], from_iso(r["at"]), r["actor"], r["action"], r["from_state"],
        r["to_state"], r["department"], _day(r["deadline"]), r["note"], r["step"],
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


async def chats_of_department(db: Database | Tx, unit_id: int) -> dict[int, int]:
    """person id → Telegram chat of the department's contacts."""
    rows = await db.fetchall(
        "SELECT pe.id, pe.tg_user_id FROM department_people d JOIN people pe"
        " ON pe.id = d.person_id JOIN roles r ON r.person_id = pe.id AND r.role = 'department'"
        " WHERE d.unit_id = ? ORDER BY pe.id",
        (unit_id,),
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


async def queued(db: Database | Tx, kind: str, period: str, chat_id: int) -> bool:
    """Whether the outbox already holds this (kind, period, chat) delivery."""
    found = await db.fetchval(
        "SELECT 1 FROM outbox WHERE kind = ? AND period = ? AND chat_id = ?",
        (kind, period, chat_id),
    )
    return found is not None
