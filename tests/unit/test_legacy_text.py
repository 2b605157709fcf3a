"""Text stored before the boundary cleaned it is cleaned once by a migration, so a control
character from an old CSV can no longer fail every .xlsx ledger (issue 9, item 2)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite

from ledger.export_xlsx import Scope, build
from storage import Database, people, projects
from storage import problems as store
from storage.db import Tx
from storage.migrations import migrate, migration_files
from tests.harness import project_row

CLEANING = next(n for n, p in migration_files() if p.name.endswith("_clean_stored_text.sql"))


async def old_database(path: Path) -> None:
    """A database as the version before the cleaning left it, holding what old code stored."""
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA foreign_keys = ON")
        await migrate(conn, target=CLEANING - 1)
        tx = Tx(conn)
        await tx.execute("BEGIN")
        await projects.upsert_imported(tx, [
            project_row("XM-001", "城关区\x07", leader="王副市长\u202e"),
            project_row("XM-002", "高新区"), project_row("XM-003", "高新区\x1b"),
        ], 2026)  # fmt: skip
        await tx.execute(
            "UPDATE projects SET name = '城东' || char(27) || '污水厂' WHERE code = 'XM-001'"
        )
        zhang = await people.upsert(tx, 7, "张三\u200b", None)
        # Stored as the code of that version did: today's submit keeps later columns too.
        report = await tx.insert(
            "INSERT INTO reports (project_id, report_date, baseline_yuan, created_at)"
            " VALUES (1, '2026-11-20', 0, '2026-11-20T08:00:00Z')"
        )
        await tx.execute(
            "INSERT INTO report_revisions (report_id, revision, person_id, text, done_yuan,"
            " stage_before, created_at) VALUES (?, 1, ?, ?, 0, '在建', '2026-11-20T08:00:00Z')",
            (report, zhang, "浇筑\x07完成\r\n次行"),
        )
        await store.create(tx, project_id=1, raised_by=zhang, category="land",
                           description="\x1b[31m用地\x00未批", photo_id=None,
                           now=datetime(2026, 11, 20, tzinfo=UTC))  # fmt: skip
        await tx.execute("COMMIT")


async def test_stored_text_is_cleaned_once_and_the_ledger_builds(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    await old_database(path)
    db = await Database.open(path)  # upgrades
    try:
        units = {r["name"] for r in await db.fetchall("SELECT name FROM units")}
        # 高新区 and 高新区<ESC> would collide once cleaned: the second is left as it was.
        assert units == {"城关区", "高新区", "高新区\x1b"}
        assert await db.fetchval("SELECT name FROM projects WHERE code = 'XM-001'") == "城东污水厂"
        assert await db.fetchval("SELECT leader_name FROM projects WHERE code = 'XM-001'") == (
            "王副市长"
        )
        assert await db.fetchval("SELECT name FROM people") == "张三"
        assert await db.fetchval("SELECT text FROM report_revisions") == "浇筑完成\n次行"
        assert await db.fetchval("SELECT description FROM problems") == "[31m用地未批"

        scope = Scope([1], date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("Asia/Shanghai"))
        counts = await build(db, tmp_path / "ledger.xlsx", scope)
        assert (counts.projects, counts.entries, counts.problems) == (1, 1, 1)
    finally:
        await db.close()
