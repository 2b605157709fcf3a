"""Reads never see a stale snapshot, however many coroutines read at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
