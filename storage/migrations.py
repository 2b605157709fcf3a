"""Numbered schema migrations, tracked in a version table, each run in one transaction."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import aiosqlite

from domain.text import clean, clean_line

log = logging.getLogger(__name__)
SQL_DIR = Path(__file__).with_name("sql")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migration_files() -> list[tuple[int, Path]]:
    """The migrations shipped with this version, ordered by number (0001_name.sql ...)."""
    found = []
    for path in SQL_DIR.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migration numbers must be 1..n without gaps, got {numbers}")
    return found


async def schema_version(conn: aiosqlite.Connection) -> int:
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    async with conn.execute("SELECT MAX(version) FROM schema_version") as cur:
        row = await cur.fetchone()
    return (row[0] if row else None) or 0


def _clean_text(value: Any, multiline: int) -> Any:
    """SQL clean_text(value, multiline): what the boundary does to typed text (domain.text),
    for migrations that clean text stored before; a value it would empty is kept."""
    if not isinstance(value, str):
        return value
    return (clean(value) if multiline else clean_line(value)) or value


async def migrate(conn: aiosqlite.Connection, *, target: int | None = None) -> int:
    """Apply every migration above the database's version (up to `target`); return the version."""
    await conn.create_function("clean_text", 2, _clean_text, deterministic=True)
    current = await schema_version(conn)
    files = migration_files()
    if current > len(files):
        raise RuntimeError(
            f"database schema version {current} is newer than this program ({len(files)}); "
            "upgrade Jinzhan instead of downgrading"
        )
    for number, path in files:
        if number <= current or (target is not None and number > target):
            continue
        log.info("applying migration %s", path.name)
        script = path.read_text(encoding="utf-8")
        try:
            # One script: BEGIN ... COMMIT, so a failing migration leaves nothing half-applied.
            await conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\n"
                f"INSERT INTO schema_version (version) VALUES ({number});\nCOMMIT;"
            )
        except Exception:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        current = number
    return current
