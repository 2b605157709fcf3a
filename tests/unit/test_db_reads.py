"""Reads never see a stale snapshot, however many coroutines read at once."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage import Database


async def test_reads_see_the_latest_commit_while_others_read(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "r.sqlite3")
    try:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO settings (key, value) VALUES ('n', '0')")
        stop = asyncio.Event()

        async def busy_reader() -> None:  # keeps the reader connection busy with reads
            while not stop.is_set():
                await db.fetchall("SELECT * FROM settings")

        readers = [asyncio.create_task(busy_reader()) for _ in range(8)]
        try:
            for n in range(1, 200):
                async with db.transaction() as tx:
                    await tx.execute("UPDATE settings SET value = ? WHERE key = 'n'", (str(n),))
                assert await db.fetchval("SELECT value FROM settings WHERE key = 'n'") == str(n)
        finally:
            stop.set()
            await asyncio.gather(*readers)
    finally:
        await db.close()


async def test_a_batch_reads_one_snapshot_in_order(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "b.sqlite3")
    try:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO settings (key, value) VALUES ('a', '0'), ('b', '0')")

        async def write_between() -> None:  # commits while batches are queued and running
            for n in range(50):
                async with db.transaction() as tx:
                    await tx.execute("UPDATE settings SET value = ? WHERE key IN ('a', 'b')",
                                     (str(n),))  # fmt: skip

        writer = asyncio.create_task(write_between())
        batches = 0
        try:
            while not writer.done():
                a, b = await db.fetch_batch([
                    ("SELECT value FROM settings WHERE key = ?", ("a",)),
                    ("SELECT value FROM settings WHERE key = ?", ("b",)),
                ])  # fmt: skip
                assert a[0]["value"] == b[0]["value"]  # both from the same commit
                batches += 1
        finally:
            await writer
        assert batches > 1
        async with db.transaction() as tx:  # inside a transaction: its own writes are seen
            await tx.execute("UPDATE settings SET value = 'mine' WHERE key = 'a'")
            ((row,), none) = await tx.fetch_batch([
                ("SELECT value FROM settings WHERE key = 'a'", ()),
                ("SELECT value FROM settings WHERE key = 'zz'", ()),
            ])  # fmt: skip
            assert row["value"] == "mine" and none == []
        assert await db.fetchval("SELECT value FROM settings WHERE key = 'b'") == "49"
    finally:
        await db.close()


async def test_a_lookup_sees_each_commit_at_once_and_cannot_write(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "l.sqlite3")
    try:
        for n in range(20):
            async with db.transaction() as tx:
                await tx.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('n', ?)",
                                 (str(n),))  # fmt: skip
            row = db.lookup("SELECT value FROM settings WHERE key = ?", ("n",))
            assert row is not None and row["value"] == str(n)
        assert db.lookup("SELECT value FROM settings WHERE key = 'none'") is None
        kept = await db.fetchval("SELECT COUNT(*) FROM settings")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.lookup("DELETE FROM settings")
        assert await db.fetchval("SELECT COUNT(*) FROM settings") == kept > 0
    finally:
        await db.close()
