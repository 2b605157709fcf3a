"""facts.load gives each project the plan of each month as stored: the months read as two
lists per project (storage.facts._plans) pair each month with its own figure, whatever order
SQLite lists them in."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.workdays import WorkCalendar
from storage import Database, facts, projects
from tests.harness import project_row

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 29)


async def test_each_month_gets_its_own_plan(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "plans.sqlite3")
    try:
        rows = [project_row(code) for code in ("A-01", "B-01", "C-01", "D-01")]
        every = [1_000_000 * m + 7 for m in range(1, 13)]  # a different figure each month
        async with db.transaction() as tx:
            await projects.upsert_imported(tx, rows, 2026)
            ids = {r["code"]: r["id"] for r in await tx.fetchall("SELECT id, code FROM projects")}
            await projects.set_monthly_plan(tx, ids["A-01"], 2026, every)
            await projects.set_monthly_plan(tx, ids["A-01"], 2025, [5] * 12)  # another year
            # Some months only, written out of order (as an older import or a hand edit may
            # have left them), and one figure stored as a REAL.
            for month, plan in ((12, 300), (3, 0), (1, 100), (7, 2.5)):
                await tx.execute(
                    "INSERT INTO monthly_plans (project_id, year, month, plan_yuan)"
                    " VALUES (?, 2026, ?, ?)",
                    (ids["B-01"], month, plan),
                )
            await projects.set_monthly_plan(tx, ids["C-01"], 2026, [0] * 12)
        found = {f.code: f.monthly_plan_yuan for f in await facts.load(
            db, DAY, DAY, WorkCalendar(), TZ)}  # fmt: skip
        assert found["A-01"] == tuple(every)
        assert found["B-01"] == (100, 0, 0, 0, 0, 0, 2.5, 0, 0, 0, 0, 300)
        assert found["C-01"] == (0,) * 12
        assert found["D-01"] is None  # no plan for the year
        # The same figures when one project is asked for.
        one = await facts.load(db, DAY, DAY, WorkCalendar(), TZ, [ids["B-01"]])
        assert one[0].monthly_plan_yuan == found["B-01"]
    finally:
        await db.close()
