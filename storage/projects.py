"""Units, projects and their monthly plans."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from domain.units import unit_kind
from storage.db import Database, Tx
from timeutil import to_iso, utc_now


@dataclass(frozen=True)
class Project:
    id: int
    code: str
    name: str
    unit_id: int
    unit: str
    category: str | None
    stage: str | None
    build_type: str | None
    leader_name: str | None
    total_yuan: int
    plan_year: int
    year_plan_yuan: int
    done_yuan: int
    done_year: int | None = None  # the year done_yuan is of (None: not reported yet)

    def done_in_year(self, year: int) -> int:
        """The cumulative investment in `year` as read (0 from a new year on), as
        storage.reports.done_in_year reads it."""
        return self.done_yuan if self.done_year in (None, year) else 0


class ImportedProject(Protocol):
    """What an import row must carry (domain.project_import.ProjectRow fits)."""

    code: str | None
    name: str
    unit: str
    category: str | None
    stage: Any
    leader: str | None
    total_yuan: int
    year_plan_yuan: int
    monthly_plan_yuan: tuple[int, ...] | None
    build_type: str | None
    liaison: str | None
    extra: dict[str, str]


_SELECT = """
SELECT p.id, p.code, p.name, p.unit_id, u.name AS unit, p.category, p.stage, p.build_type,
       p.leader_name, p.total_yuan, p.plan_year, p.year_plan_yuan, p.done_yuan, p.done_year
FROM projects p JOIN units u ON u.id = p.unit_id
"""


def _project(row) -> Project:
    return Project(**{k: row[k] for k in row.keys()})  # noqa: SIM118 - sqlite3.Row


async def unit_id(tx: Tx, name: str) -> int:
    """The unit's id, creating the unit on first mention."""
    row = await tx.fetchone("SELECT id FROM units WHERE name = ?", (name,))
    if row:
        return row["id"]
    return await tx.insert(
        "INSERT INTO units (name, kind, created_at) VALUES (?, ?, ?)",
        (name, unit_kind(name), to_iso(utc_now())),
    )


async def unit_by_name(db: Database | Tx, name: str) -> int | None:
    return await _val(db, "SELECT id FROM units WHERE name = ?", (name,))


async def units(db: Database | Tx) -> list[tuple[int, str]]:
    rows = await db.fetchall("SELECT id, name FROM units ORDER BY name")
    return [(r["id"], r["name"]) for r in rows]


async def unit_kinds_with_projects(db: Database | Tx) -> set[str]:
    """The kinds (区县, 开发区, 部门 ...) of the units that have projects."""
    rows = await db.fetchall(
        "SELECT DISTINCT u.kind FROM units u JOIN projects p ON p.unit_id = u.id"
    )
    return {r["kind"] for r in rows}


async def _val(db: Database | Tx, sql: str, params: Sequence[Any]) -> Any:
    row = await db.fetchone(sql, params)
    return None if row is None else row[0]


async def by_code(db: Database | Tx, code: str) -> Project | None:
    row = await db.fetchone(_SELECT + " WHERE p.code = ?", (code,))
    return _project(row) if row else None


async def by_id(db: Database | Tx, project_id: int) -> Project | None:
    row = await db.fetchone(_SELECT + " WHERE p.id = ?", (project_id,))
    return _project(row) if row else None


_WITH_REVISIONS = _SELECT.replace(
    "\nFROM projects p",
    ", (SELECT COUNT(*) FROM report_revisions v JOIN reports r ON r.id = v.report_id"
    " WHERE r.project_id = p.id AND r.report_date = ?) AS revisions_today\nFROM projects p",
)


async def with_revisions_today(
    db: Database | Tx, project_id: int, day: date
) -> tuple[Project, int] | None:
    """The project and how many revisions its report of `day` has (0: not reported), in one
    read (确认 checks that the report started from the day's latest)."""
    row = await db.fetchone(_WITH_REVISIONS + " WHERE p.id = ?", (day.isoformat(), project_id))
    if row is None:
        return None
    fields = {k: row[k] for k in row.keys() if k != "revisions_today"}  # noqa: SIM118
    return Project(**fields), row["revisions_today"]


async def by_ids(db: Database | Tx, project_ids: Sequence[int]) -> list[Project]:
    """These projects, in the order given (those that no longer exist left out)."""
    if not project_ids:
        return []
    marks = ",".join("?" * len(project_ids))
    rows = await db.fetchall(_SELECT + f" WHERE p.id IN ({marks})", list(project_ids))
    found = {r["id"]: _project(r) for r in rows}
    return [found[i] for i in project_ids if i in found]


async def all_projects(db: Database | Tx) -> list[Project]:
    return [_project(r) for r in await db.fetchall(_SELECT + " ORDER BY u.name, p.code")]


async def of_unit(db: Database | Tx, unit: int) -> list[Project]:
    rows = await db.fetchall(_SELECT + " WHERE p.unit_id = ? ORDER BY p.code", (unit,))
    return [_project(r) for r in rows]


async def of_leader_name(db: Database | Tx, leader: str) -> list[Project]:
    rows = await db.fetchall(_SELECT + " WHERE p.leader_name = ? ORDER BY p.code", (leader,))
    return [_project(r) for r in rows]


async def of_person(db: Database | Tx, person_id: int, role: str) -> list[Project]:
    rows = await db.fetchall(
        _SELECT + " JOIN project_people pp ON pp.project_id = p.id"
        " WHERE pp.person_id = ? AND pp.role = ? ORDER BY p.code",
        (person_id, role),
    )
    return [_project(r) for r in rows]


async def is_linked(db: Database | Tx, person_id: int, project_id: int, role: str) -> bool:
    found = await _val(
        db,
        "SELECT 1 FROM project_people WHERE person_id = ? AND project_id = ? AND role = ?",
        (person_id, project_id, role),
    )
    return found is not None


async def listed_with_name(db: Database | Tx, name: str) -> list[int]:
    """Projects whose list names `name` as their 包抓领导 or 联络员, by code."""
    rows = await db.fetchall(
        "SELECT id FROM projects WHERE leader_name = ? OR liaison_name = ? ORDER BY code",
        (name, name),
    )
    return [r["id"] for r in rows]


async def still_there(db: Database | Tx, project_ids: Sequence[int]) -> list[int]:
    """Those of `project_ids` that exist (not deleted since they were named)."""
    rows = await db.fetchall(
        f"SELECT id FROM projects WHERE id IN ({','.join('?' * len(project_ids))})",
        list(project_ids),
    )
    return [r["id"] for r in rows]


@dataclass(frozen=True)
class ProjectLine:
    """A row of the admins' project list."""

    project: Project
    liaisons: str
    last_report: str | None


async def listing(db: Database | Tx) -> list[ProjectLine]:
    rows = await db.fetchall(
        """
        SELECT p.id,
               (SELECT GROUP_CONCAT(pe.name, '、') FROM project_people pp
                  JOIN people pe ON pe.id = pp.person_id
                 WHERE pp.project_id = p.id AND pp.role = 'liaison') AS liaisons,
               (SELECT MAX(report_date) FROM reports r WHERE r.project_id = p.id) AS last_report
        FROM projects p
        """
    )
    extra = {r["id"]: (r["liaisons"] or "", r["last_report"]) for r in rows}
    return [ProjectLine(p, *extra[p.id]) for p in await all_projects(db)]


async def existing_codes_and_names(db: Database | Tx) -> tuple[set[str], set[str]]:
    rows = await db.fetchall("SELECT code, name FROM projects")
    return {r["code"] for r in rows}, {r["name"] for r in rows}


async def _next_code(tx: Tx, year: int) -> str:
    # Files that number rows (序号) instead of coding projects get stable generated codes.
    n = await _val(tx, "SELECT COUNT(*) FROM projects", ()) + 1
    while True:
        code = f"XM{year}-{n:03d}"
        if not await _val(tx, "SELECT 1 FROM projects WHERE code = ?", (code,)):
            return code
        n += 1


async def upsert_imported(
    tx: Tx, rows: Sequence[ImportedProject], year: int, at: datetime | None = None
) -> tuple[int, int]:
    """Insert or update projects by code (by name when the file has no codes), at `at`.

    Returns (created, updated). Reported investment (done_yuan) is never overwritten by a file.
    """
    created = updated = 0
    now = to_iso(at or utc_now())
    for row in rows:
        uid = await unit_id(tx, row.unit)
        if row.code:
            existing = await _val(tx, "SELECT id FROM projects WHERE code = ?", (row.code,))
        else:
            existing = await _val(tx, "SELECT id FROM projects WHERE name = ?", (row.name,))
        fields = {
            "name": row.name,
            "unit_id": uid,
            "category": row.category,
            "stage": str(row.stage) if row.stage else None,
            "build_type": row.build_type,
            "leader_name": row.leader,
            "liaison_name": row.liaison,
            "total_yuan": row.total_yuan,
            "plan_year": year,
            "year_plan_yuan": row.year_plan_yuan,
            "extra_json": json.dumps(row.extra, ensure_ascii=False),
            "planned_start": _iso(getattr(row, "planned_start", None)),
            "planned_completion": _iso(getattr(row, "planned_completion", None)),
            "updated_at": now,
        }
        if existing:
            sets = ", ".join(f"{k} = :{k}" for k in fields)
            await tx.execute(
                f"UPDATE projects SET {sets} WHERE id = :id", {**fields, "id": existing}
            )
            pid = existing
            updated += 1
        else:
            fields["code"] = row.code or await _next_code(tx, year)
            fields["created_at"] = now
            cols = ", ".join(fields)
            marks = ", ".join(f":{k}" for k in fields)
            pid = await tx.insert(f"INSERT INTO projects ({cols}) VALUES ({marks})", fields)
            # A project enters the ledger 未上报 (never green) until its status is computed.
            await tx.execute("INSERT INTO project_status (project_id, color, updated_at)"
                             " VALUES (?, 'unreported', ?)", (pid, now))  # fmt: skip
            created += 1
        await set_monthly_plan(tx, pid, year, row.monthly_plan_yuan)
        await relink_leader(tx, pid, row.leader)
    return created, updated


async def relink_leader(tx: Tx, project_id: int, leader_name: str | None) -> None:
    """The project's 包抓领导 is now `leader_name`: leaders linked by another name lose it,
    leaders invited for this name gain it. Links made by project code or unit stay."""
    await tx.execute(
        "DELETE FROM project_people WHERE project_id = ? AND role = 'leader'"
        " AND via_leader_name IS NOT NULL AND via_leader_name IS NOT ?",
        (project_id, leader_name),
    )
    if leader_name:
        await tx.execute(
            "INSERT OR IGNORE INTO project_people (project_id, person_id, role, via_leader_name)"
            " SELECT ?, ln.person_id, 'leader', ln.name FROM leader_names ln"
            " JOIN roles r ON r.person_id = ln.person_id AND r.role = 'leader'"
            " WHERE ln.name = ?",
            (project_id, leader_name),
        )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


async def set_monthly_plan(
    tx: Tx, project_id: int, year: int, months: Sequence[int] | None
) -> None:
    await tx.execute(
        "DELETE FROM monthly_plans WHERE project_id = ? AND year = ?", (project_id, year)
    )
    if months:
        await tx.executemany(
            "INSERT INTO monthly_plans (project_id, year, month, plan_yuan) VALUES (?, ?, ?, ?)",
            [(project_id, year, m, v) for m, v in enumerate(months, start=1)],
        )


EDITABLE = {
    "name": "name",
    "category": "category",
    "stage": "stage",
    "leader": "leader_name",
    "total": "total_yuan",
    "plan": "year_plan_yuan",
    "done": "done_yuan",
}


async def update_field(tx: Tx, project_id: int, field: str, value: Any, year: int) -> None:
    """Set one editable field; `year` is the local year a 累计完成 figure belongs to."""
    column = EDITABLE[field]
    await tx.execute(
        f"UPDATE projects SET {column} = ?, updated_at = ? WHERE id = ?",
        (value, to_iso(utc_now()), project_id),
    )
    if field == "done":
        await tx.execute("UPDATE projects SET done_year = ? WHERE id = ?", (year, project_id))
    elif field == "leader":
        await relink_leader(tx, project_id, value)


async def set_unit(tx: Tx, project_id: int, unit_name: str) -> None:
    uid = await unit_id(tx, unit_name)
    await tx.execute(
        "UPDATE projects SET unit_id = ?, updated_at = ? WHERE id = ?",
        (uid, to_iso(utc_now()), project_id),
    )


# The stage a project reaches and the date column that records when it did (开工/竣工/投产).
STAGE_DATES = {"在建": "actual_start", "竣工": "actual_completion", "投产": "actual_operation"}


async def record_stage_date(tx: Tx, project_id: int, stage: str, day: date) -> None:
    """Keep the first date a stage was reached (a correction the same day changes nothing)."""
    column = STAGE_DATES.get(stage)
    if column:
        await tx.execute(
            f"UPDATE projects SET {column} = COALESCE({column}, ?) WHERE id = ?",
            (day.isoformat(), project_id),
        )
