"""Progress entries (台账): one per project and local day, each correction a new revision."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from storage import totals
from storage.db import Database, Tx
from timeutil import to_iso, utc_now


@dataclass(frozen=True)
class Submission:
    project_id: int
    person_id: int
    report_date: date
    text: str
    done_yuan: int
    stage_before: str | None  # the stage the day started from
    stage_after: str | None  # the stage reported today; None: unchanged
    problem_id: int | None
    photo_id: int | None
    real_progress: bool = True  # False for a repeat or "无/同上": a report, not progress
    flag: str | None = None  # investment an admin should look at
    # The project's stage from now on; None leaves it. A correction that takes back the day's
    # stage change sets the day's starting stage here.
    stage_now: str | None = None


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
    id: int = 0


async def submit(tx: Tx, s: Submission) -> Revision:
    """Store one report (or a correction of today's) and what it says of the project."""
    now = to_iso(utc_now())
    day = s.report_date.isoformat()
    # The day's first report keeps where the day started: the year's figure so far (as
    # done_in_year reads it), taken in the same statement.
    await tx.execute(
        "INSERT OR IGNORE INTO reports (project_id, report_date, baseline_yuan, created_at)"
        " SELECT id, :day, CASE WHEN done_year IS NULL OR done_year = :year THEN done_yuan"
        " ELSE 0 END, :now FROM projects WHERE id = :id",
        {"id": s.project_id, "day": day, "year": s.report_date.year, "now": now},
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
        stage_before=s.stage_before, stage_after=s.stage_after, problem_id=s.problem_id,
        photo_id=s.photo_id, created_at=now, real_progress=s.real_progress, flag=s.flag,
    )  # fmt: skip
    fields = dataclasses.asdict(rev)
    del fields["id"]
    revision_id = await tx.insert(
        "INSERT INTO report_revisions (report_id, revision, person_id, text, done_yuan,"
        " stage_before, stage_after, problem_id, photo_id, created_at, real_progress, flag)"
        " VALUES (:report_id, :revision, :person_id, :text, :done_yuan, :stage_before,"
        " :stage_after, :problem_id, :photo_id, :created_at, :real_progress, :flag)",
        fields,
    )
    await tx.execute(
        "UPDATE projects SET done_yuan = ?, done_year = ?, stage = COALESCE(?, ?, stage),"
        " updated_at = ? WHERE id = ?",
        (s.done_yuan, s.report_date.year, s.stage_after, s.stage_now, now, s.project_id),
    )
    await totals.report_stored(tx, s.project_id, s.report_date, s.real_progress)
    return dataclasses.replace(rev, id=revision_id)


@dataclass(frozen=True)
class Latest:
    """Today's latest revision of a project's report, as a correction starts from it."""

    revision_id: int
    revisions: int  # how many the day has
    text: str
    done_yuan: int
    stage_before: str | None  # the stage the day started from
    stage_after: str | None
    problem_id: int | None
    problem: str | None  # its description
    photo_id: int | None
    baseline_yuan: int = 0  # the cumulative investment the day started from


async def latest_today(db: Database | Tx, project_id: int, day: date) -> Latest | None:
    row = await db.fetchone(
        "SELECT v.id, v.revision, v.text, v.done_yuan, v.stage_after, v.problem_id,"
        " v.photo_id, pr.description AS problem,"
        " (SELECT stage_before FROM report_revisions WHERE report_id = r.id AND revision = 1)"
        " AS day_stage, r.baseline_yuan"
        " FROM reports r JOIN report_revisions v ON v.report_id = r.id"
        " LEFT JOIN problems pr ON pr.id = v.problem_id"
        " WHERE r.project_id = ? AND r.report_date = ? ORDER BY v.revision DESC LIMIT 1",
        (project_id, day.isoformat()),
    )
    if row is None:
        return None
    return Latest(
        revision_id=row["id"], revisions=row["revision"], text=row["text"],
        done_yuan=row["done_yuan"], stage_before=row["day_stage"], stage_after=row["stage_after"],
        problem_id=row["problem_id"], problem=row["problem"], photo_id=row["photo_id"],
        baseline_yuan=row["baseline_yuan"],
    )  # fmt: skip


_REVISION = """
SELECT v.report_id, r.project_id, r.report_date, v.revision, v.person_id, v.text, v.done_yuan,
       v.stage_before, v.stage_after, v.problem_id, v.photo_id, v.created_at,
       v.real_progress, v.flag, v.id
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
    return await done_in_year(db, project_id, day.year)


async def done_in_year(db: Database | Tx, project_id: int, year: int) -> int:
    """The project's cumulative investment this year as it stands (0 from a new year on)."""
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
