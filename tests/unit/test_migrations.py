"""Migrations: a fresh database gets every one; an older database is upgraded in place."""

import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from storage import Database
from storage.migrations import migrate, migration_files


async def test_fresh_database_reaches_latest_version(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "fresh.sqlite3")
    try:
        assert await db.fetchval("SELECT MAX(version) FROM schema_version") == len(
            migration_files()
        )
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
    finally:
        await db.close()


async def test_upgrade_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, target=1) == 1
        await conn.execute(
            "INSERT INTO units (name, created_at) VALUES ('城关区', '2026-01-01T00:00:00Z')"
        )
    db = await Database.open(path)  # upgrades on open
    try:
        assert await db.fetchval("SELECT MAX(version) FROM schema_version") == len(
            migration_files()
        )
        assert await db.fetchval("SELECT name FROM units") == "城关区"
        indexes = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
        assert "report_revisions_person" in indexes
    finally:
        await db.close()


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "twice.sqlite3"
    for _ in range(2):
        db = await Database.open(path)
        await db.close()
    with sqlite3.connect(path) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_version")]
    assert versions == list(range(1, len(migration_files()) + 1))


async def test_failed_write_transaction_leaves_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "tx.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO units (name, created_at) VALUES ('A', '2026-01-01T00:00:00Z')"
                )
                await tx.execute(
                    "INSERT INTO units (name, created_at) VALUES ('A', '2026-01-01T00:00:00Z')"
                )
        assert await db.fetchval("SELECT COUNT(*) FROM units") == 0
    finally:
        await db.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (999)")
    with pytest.raises(RuntimeError, match="newer than this program"):
        await Database.open(path)
