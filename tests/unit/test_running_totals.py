"""Running totals (storage.totals): each project's last report, last real progress and the
year's figure, kept right by reports, corrections and admin edits, and filled by migration
for reports stored before; facts.load reads them, and a project's own history only for a
day before its latest report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from domain.status import ProjectFacts
from domain.workdays import WorkCalendar
from storage import Database, facts, people, projects, reports
from storage.migrations import migrate, migration_files
from tests.harness import project_row

TZ = ZoneInfo("Asia/Shanghai")
WAN = 10_000
TOTALS = next(n for n, p in migration_files() if p.name.endswith("_running_totals.sql"))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "totals.sqlite3")
    async with database.transaction() as tx:
        await projects.upsert_imported(tx, [project_row("A-01"), project_row("B-01")], 2026)
        await people.upsert(tx, 7, "张三", None)
    try:
        yield database
    finally:
        await database.close()


async def report(db: Database, day: str, done_wan: int, real: bool, project_id: int = 1) -> None:
    async with db.transaction() as tx:
        await reports.submit(tx, reports.Submission(
            project_id=project_id, person_id=1, report_date=date.fromisoformat(day),
            text="主体施工" if real else "同上", done_yuan=done_wan * WAN, stage_before="在建",
            stage_after=None, problem_id=None, photo_id=None,
            real_progress=real,
        ))  # fmt: skip


async def totals(db: Database, project_id: int = 1) -> tuple[str | None, str | None]:
    row = await db.fetchone(
        "SELECT last_report_on, last_real_on FROM projects WHERE id = ?", (project_id,)
    )
    assert row is not None
    return row["last_report_on"], row["last_real_on"]


async def facts_of(db: Database, as_of: str, start: str | None = None) -> ProjectFacts:
    day = date.fromisoformat(as_of)
    found = await facts.load(db, day, date.fromisoformat(start or as_of), WorkCalendar(), TZ, [1])
    return found[0]


async def test_corrections_move_the_last_real_day_both_ways(db: Database) -> None:
    await report(db, "2026-11-20", 100, real=True)
    await report(db, "2026-11-23", 100, real=False)  # a report, not progress
    assert await totals(db) == ("2026-11-23", "2026-11-20")
    await report(db, "2026-11-24", 150, real=True)
    assert await totals(db) == ("2026-11-24", "2026-11-24")
    await report(db, "2026-11-24", 150, real=False)  # the day's correction takes it back
    assert await totals(db) == ("2026-11-24", "2026-11-20")
    f = await facts_of(db, "2026-11-24")
    assert (f.last_report, f.last_real_progress) == (date(2026, 11, 24), date(2026, 11, 20))
    await report(db, "2026-11-24", 160, real=True)  # and a second correction gives it again
    assert await totals(db) == ("2026-11-24", "2026-11-24")
    assert await totals(db, 2) == (None, None)  # the other project is untouched


async def test_a_past_day_reads_the_figures_of_that_day(db: Database) -> None:
    await report(db, "2026-11-20", 100, real=True)
    await report(db, "2026-11-26", 300, real=True)
    await report(db, "2026-11-26", 250, real=True)  # corrected the same day
    await report(db, "2026-11-27", 250, real=False)
    await report(db, "2026-11-30", 400, real=False)  # Monday morning, after the week
    week = await facts_of(db, "2026-11-29", "2026-11-23")
    assert week.done_yuan == 250 * WAN
    assert week.last_report == date(2026, 11, 27)
    assert week.last_real_progress == date(2026, 11, 26)
    assert week.real_progress_days == 1
    before = await facts_of(db, "2026-11-19")
    assert (before.done_yuan, before.last_report, before.last_real_progress) == (0, None, None)
    now = await facts_of(db, "2026-11-30")
    assert (now.done_yuan, now.last_report, now.last_real_progress) == (
        400 * WAN, date(2026, 11, 30), date(2026, 11, 26)
    )  # fmt: skip
    # The figure is the year's: a day of the next year with no report there starts from 0.
    assert (await facts_of(db, "2027-01-05")).done_yuan == 0


async def test_an_admin_edit_is_the_figure_from_then_on(db: Database) -> None:
    await report(db, "2026-11-20", 100, real=True)
    async with db.transaction() as tx:
        await projects.update_field(tx, 1, "done", 500 * WAN, 2026)
    assert (await facts_of(db, "2026-11-30")).done_yuan == 500 * WAN
    assert await reports.baseline(db, 1, date(2026, 11, 30)) == 500 * WAN
    await report(db, "2026-11-30", 520, real=True)
    assert (await facts_of(db, "2026-11-30")).done_yuan == 520 * WAN


async def test_the_migration_fills_them_from_the_reports_stored_before(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, target=TOTALS - 1) == TOTALS - 1
        await conn.executescript("""
            INSERT INTO units (id, name, created_at) VALUES (1, '城关区', '2026-01-01T00:00:00Z');
            INSERT INTO people (id, tg_user_id, name, created_at)
                VALUES (1, 7, '张三', '2026-01-01T00:00:00Z');
            INSERT INTO projects (id, code, name, unit_id, total_yuan, plan_year, year_plan_yuan,
                                  created_at, updated_at)
                VALUES (1, 'A', '甲', 1, 100, 2026, 10, '2026-01-01T00:00:00Z', '2026-01-01'),
                       (2, 'B', '乙', 1, 100, 2026, 10, '2026-01-01T00:00:00Z', '2026-01-01'),
                       (3, 'C', '丙', 1, 100, 2026, 10, '2026-01-01T00:00:00Z', '2026-01-01');
            INSERT INTO reports (id, project_id, report_date, baseline_yuan, created_at)
                VALUES (1, 1, '2026-11-20', 0, 'x'), (2, 1, '2026-11-23', 0, 'x'),
                       (3, 1, '2026-11-24', 0, 'x'), (4, 2, '2026-11-24', 0, 'x');
            INSERT INTO report_revisions (report_id, revision, person_id, text, done_yuan,
                                          created_at, real_progress)
                VALUES (1, 1, 1, 'a', 0, 'x', 1), (2, 1, 1, 'b', 0, 'x', 1),
                       (2, 2, 1, '同上', 0, 'x', 0), (3, 1, 1, '无', 0, 'x', 0),
                       (4, 1, 1, '无', 0, 'x', 0);
        """)  # fmt: skip
    db = await Database.open(path)
    try:
        # 11-23's latest revision took its real progress back: 11-20 is the last real day.
        assert await totals(db, 1) == ("2026-11-24", "2026-11-20")
        assert await totals(db, 2) == ("2026-11-24", None)
        assert await totals(db, 3) == (None, None)
    finally:
        await db.close()
