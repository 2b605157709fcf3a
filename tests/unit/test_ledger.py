"""The ledger (台账): revisions keep history; "completed this year" restarts each January."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from storage import Database, people, projects, reports
from tests.harness import project_row


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "l.sqlite3")
    async with database.transaction() as tx:
        await projects.upsert_imported(tx, [project_row("A1")], 2026)
        await people.upsert(tx, 7, "联络员", None)
    yield database
    await database.close()


def submission(day: date, done: int, text: str = "进展") -> reports.Submission:
    return reports.Submission(
        project_id=1, person_id=1, report_date=day, text=text, done_yuan=done,
        stage_before=None, stage_after=None, problem_id=None, photo_id=None,
    )  # fmt: skip


async def test_corrections_are_revisions_of_one_entry(db: Database) -> None:
    day = date(2026, 11, 20)
    async with db.transaction() as tx:
        first = await reports.submit(tx, submission(day, 5_000_000, "初报"))
        second = await reports.submit(tx, submission(day, 6_000_000, "更正"))
    assert (first.revision, second.revision) == (1, 2)
    assert first.report_id == second.report_id
    history = await reports.history(db, 1, day)
    assert [(r.text, r.done_yuan) for r in history] == [("初报", 5_000_000), ("更正", 6_000_000)]
    # A correction starts from the same baseline as the day's first report.
    assert await reports.baseline(db, 1, day) == 0


async def test_a_new_year_starts_from_zero(db: Database) -> None:
    async with db.transaction() as tx:
        await reports.submit(tx, submission(date(2026, 12, 30), 50_000_000))
    assert await reports.baseline(db, 1, date(2026, 12, 31)) == 50_000_000
    assert await reports.baseline(db, 1, date(2027, 1, 4)) == 0
    async with db.transaction() as tx:
        await reports.submit(tx, submission(date(2027, 1, 4), 2_000_000))
    assert await reports.baseline(db, 1, date(2027, 1, 5)) == 2_000_000
    assert await reports.reported_on(db, [1], date(2027, 1, 4)) == {1}
