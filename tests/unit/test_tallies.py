"""The boards' and digests' counts (storage.tallies) are made in SQL from each day's latest
revision: a correction replaces, a fall in the figure adds nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from storage import Database, people, projects, reports, tallies
from tests.harness import project_row

WAN = 10_000


async def report(
    db: Database, pid: int, day: str, done_wan: int, stage: str | None = None
) -> None:
    async with db.transaction() as tx:
        await reports.submit(tx, reports.Submission(
            project_id=pid, person_id=1, report_date=date.fromisoformat(day), text="施工",
            done_yuan=done_wan * WAN, stage_before="前期", stage_after=stage, problem_id=None,
            photo_id=None,
        ))  # fmt: skip


async def test_units_tally_each_days_latest_revision(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        async with db.transaction() as tx:
            rows = [project_row("A1", "城关区"), project_row("A2", "城关区"),
                    project_row("B1", "高新区")]  # fmt: skip
            await projects.upsert_imported(tx, rows, 2026)
            await people.upsert(tx, 7, "张三", None)
        await report(db, 1, "2026-11-23", 100)
        await report(db, 1, "2026-11-23", 150, "在建")  # corrected: +150万 and a stage change
        await report(db, 2, "2026-11-24", 0)
        await report(db, 1, "2026-11-24", 120)  # below the day's start (150万): adds nothing
        await report(db, 3, "2026-11-25", 40)
        city = await projects.unit_by_name(db, "城关区")
        zone = await projects.unit_by_name(db, "高新区")
        assert city is not None and zone is not None
        found = await tallies.by_unit(db, date(2026, 11, 23), date(2026, 11, 24))
        assert found == {city: tallies.UnitTally(3, 150 * WAN, 1)}
        found = await tallies.by_unit(db, date(2026, 11, 23), date(2026, 11, 25))
        assert found[zone] == tallies.UnitTally(1, 40 * WAN, 0)
        board = await tallies.unit_board(db, city, date(2026, 11, 24))
        assert sorted(board) == [(1, "A1", True), (2, "A2", True)]
        board = await tallies.unit_board(db, city, date(2026, 11, 25))
        assert sorted(board) == [(1, "A1", False), (2, "A2", False)]
    finally:
        await db.close()
