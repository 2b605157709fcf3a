"""Progress entries (台账): one per project and local day, each correction a new revision."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from storage.db import Database, Tx
from timeutil import to_iso, utc_now


@dataclass(frozen=True)
class Submission:
    project_id: int
    person_id: int
    report_date: date
    text: str
    done_yuan: int
    stage_before: str | None
    stage_after: str | None
    problem: str | None
    photo_file_id: str | None
    photo_unique_id: str | None
    real_progress: bool = True  # False for a repeat or "无/同上": a report, not progress
    flag: str | None = None  # investment an admin should look at


@dataclass(frozen=True)
class Revision:
    report_id: int
    project_id: int
    report_date: str
    revision: int
    person_id: int
    text: str
    done_yuan: int
    stage_before: str | None
    stage_after: str | None
    problem_id: int | None
    photo_id: int | None
    created_at: str
    real_progress: bool = True
    flag: str | None = None


async def submit(tx: Tx, s: Submission) -> Revision:
    """Store one report (or a correction of today's) with its problem and photo."""
    now = to_iso(utc_now())
    day = s.report_date.isoformat()
    problem_id = photo_id = None
    if s.problem:
        problem_id = await tx.insert(
            "INSERT INTO problems (project_id, raised_by, description, created_at)"
            " VALUES (?, ?, ?, ?)",
            (s.project_id, s.person_id, s.problem, now),
        )
    if s.photo_file_id:
        photo_id = await tx.insert(
            "INSERT INTO photos (project_id, file_id, file_unique_id, taken_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (s.project_id, s.photo_file_id, s.photo_unique_id or "", s.person_id, now),
        )
    await tx.execute(
        "INSERT OR IGNORE INTO reports (project_id, report_date, baseline_yuan, created_at)"
        " VALUES (?, ?, ?, ?)",
        (s.project_id, day, await _done_in_year(tx, s.project_id, s.report_date.year), now),
    )
    row = await tx.fetchone(
        "SELECT r.id, COALESCE(MAX(v.revision), 0) AS last FROM reports r"
        " LEFT JOIN report_revisions v ON v.report_id = r.id"
        " WHERE r.project_id = ? AND r.report_date = ? GROUP BY r.id",
        (s.project_id, day),
    )
    rev = Revision(
        report_id=row["id"], project_id=s.project_id, report_date=day,
        revision=row["last"] + 1, person_id=s.person_id, text=s.text, done_yuan=s.done_yuan,
        stage_before=s.stage_before, stage_after=s.stage_after, problem_id=problem_id,
        photo_id=photo_id, created_at=now, real_progress=s.real_progress, flag=s.flag,
    )  # fmt: skip
    await tx.execute(
        "INSERT INTO report_revisions (report_id, revision, person_id, text, done_yuan,"
        " stage_before, stage_after, problem_id, photo_id, created_at, real_progress, flag)"
        " VALUES (:report_id, :revision, :person_id, :text, :done_yuan, :stage_before,"
        " :stage_after, :problem_id, :photo_id, :created_at, :real_progress, :flag)",
        dataclasses.asdict(rev),
    )
    await tx.execute(
        "UPDATE projects SET done_yuan = ?, done_year = ?, stage = COALESCE(?, stage),"
        " updated_at = ? WHERE id = ?",
        (s.done_yuan, s.report_date.year, s.stage_after, now, s.project_id),
    )
    return rev


_REVISION = """
SELECT v.report_id, r.project_id, r.report_date, v.revision, v.person_id, v.text, v.done_yuan,
       v.stage_before, v.stage_after, v.problem_id, v.photo_id, v.created_at,
       v.real_progress, v.flag
FROM report_revisions v JOIN reports r ON r.id = v.report_id
"""


def _revision(row) -> Revision:
    return Revision(**{k: row[k] for k in row.keys()})  # noqa: SIM118 - sqlite3.Row


async def history(db: Database | Tx, project_id: int, day: date) -> list[Revision]:
    """Every revision of a project's report for one day, oldest first."""
    rows = await db.fetchall(
        _REVISION + " WHERE r.project_id = ? AND r.report_date = ? ORDER BY v.revision",
        (project_id, day.isoformat()),
    )
    return [_revision(r) for r in rows]


async def reported_on(db: Database | Tx, project_ids: list[int], day: date) -> set[int]:
    """Which of these projects have a report for the day."""
    if not project_ids:
        return set()
    marks = ",".join("?" * len(project_ids))
    rows = await db.fetchall(
        f"SELECT project_id FROM reports WHERE report_date = ? AND project_id IN ({marks})",
        (day.isoformat(), *project_ids),
    )
    return {r["project_id"] for r in rows}


async def baseline(db: Database | Tx, project_id: int, day: date) -> int:
    """The cumulative investment a report for `day` starts from (before the day's reports)."""
    row = await db.fetchone(
        "SELECT baseline_yuan FROM reports WHERE project_id = ? AND report_date = ?",
        (project_id, day.isoformat()),
    )
    if row:
        return row["baseline_yuan"]
    return await _done_in_year(db, project_id, day.year)


async def _done_in_year(db: Database | Tx, project_id: int, year: int) -> int:
    row = await db.fetchone(
        "SELECT done_yuan, done_year FROM projects WHERE id = ?", (project_id,)
    )
    if row is None or row["done_year"] not in (None, year):
        return 0  # the figure is "completed this year": a new year starts from zero
    return row["done_yuan"]


async def earlier_texts(
    db: Database | Tx, project_id: int, day: date, limit: int = 10
) -> list[str]:
    """The project's latest report texts before `day`, oldest first (to spot repeats)."""
    rows = await db.fetchall(
        "SELECT v.text FROM report_revisions v JOIN reports r ON r.id = v.report_id"
        " WHERE r.project_id = ? AND r.report_date < ?"
        " ORDER BY r.report_date DESC, v.revision DESC LIMIT ?",
        (project_id, day.isoformat(), limit),
    )
    return [r["text"] for r in reversed(rows)]


async def count_revisions(db: Database | Tx) -> int:
    return await db.fetchval("SELECT COUNT(*) FROM report_revisions")
