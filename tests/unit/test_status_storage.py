"""Stored statuses: every project reads one, 未上报 until assessed, never a default green."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from domain.status import RED, UNREPORTED, YELLOW, Status
from storage import Database, projects
from storage import status as stored
from storage.migrations import migrate
from tests.harness import project_row


async def test_a_new_project_enters_the_ledger_unreported(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    try:
        async with db.transaction() as tx:
            await projects.upsert_imported(tx, [project_row("A1"), project_row("A2")], 2026)
        found = await db.fetchall("SELECT color FROM project_status")
        assert [r["color"] for r in found] == [UNREPORTED, UNREPORTED]
        async with db.transaction() as tx:
            await stored.put_many(tx, {1: Status(RED, ("investment_far_behind",), True)})
            await tx.execute("DELETE FROM project_status WHERE project_id = 2")
        # A project with no row at all still reads 未上报, not green and not missing.
        assert await stored.all_statuses(db) == {
            1: Status(RED, ("investment_far_behind",), True), 2: Status(UNREPORTED)
        }  # fmt: skip
        assert await stored.stored(db, [2]) == {}  # no memory to carry on
        async with db.transaction() as tx:
            await stored.put_many(tx, {1: Status(YELLOW, ("catching_up",), True)})
        assert await stored.stored(db, [1]) == {1: Status(YELLOW, ("catching_up",), True)}
    finally:
        await db.close()


async def test_upgrade_gives_every_project_a_status_and_keeps_the_memory(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, target=5) == 5
        await conn.execute(
            "INSERT INTO units (id, name, created_at) VALUES (1, '城关区', '2026-01-01T00:00:00Z')"
        )
        for pid in (1, 2):
            await conn.execute(
                "INSERT INTO projects (id, code, name, unit_id, total_yuan, plan_year,"
                " year_plan_yuan, created_at, updated_at) VALUES (?, ?, '项目', 1, 100, 2026, 10,"
                " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                (pid, f"P{pid}"),
            )
        await conn.execute(
            "INSERT INTO project_status (project_id, color, reasons, since_red, updated_at)"
            " VALUES (1, 'yellow', '[\"catching_up\"]', 1, '2026-11-01T00:00:00Z')"
        )
    db = await Database.open(path)
    try:
        assert await stored.all_statuses(db) == {
            1: Status(YELLOW, ("catching_up",), True), 2: Status(UNREPORTED)
        }  # fmt: skip
        assert await db.fetchval("SELECT COUNT(*) FROM project_status") == 2
    finally:
        await db.close()
