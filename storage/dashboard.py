"""Reads behind the web dashboard's pages that no command needed before."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import aiosqlite

from domain.photos import file_name
from storage.db import BUSY_TIMEOUT_MS, Database, Reads, Tx


class ReadOnly(Reads):
    """A read-only connection of its own, for reads made away from the bot's event loop (the
    dashboard's snapshot is made in a worker thread with its own loop). Storage functions that
    take a Database read through it the same way."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @classmethod
    async def open(cls, path: Path) -> ReadOnly:
        conn = await aiosqlite.connect(_read_only_uri(path), uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return cls(conn)

    async def close(self) -> None:
        await self._conn.close()


def _read_only_uri(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


@dataclass(frozen=True)
class WeekScore:
    period: str  # ISO week, 2026-W48
    score: float
    rank: int
    group: str


async def score_history(
    db: Database | Tx, subject: str, subject_id: int, limit: int = 26
) -> list[WeekScore]:
    """A unit's or project's kept weekly scores, oldest first (the last `limit` weeks)."""
    rows = await db.fetchall(
        "SELECT period, score, rank, grp FROM score_snapshots WHERE subject = ?"
        " AND subject_id = ? ORDER BY period DESC LIMIT ?",
        (subject, subject_id, limit),
    )
    return [WeekScore(r["period"], r["score"], r["rank"], r["grp"]) for r in reversed(rows)]


@dataclass(frozen=True)
class Entry:
    """One revision of a day's report, with who sent it."""

    report_date: date
    revision: int
    person: str
    text: str
    done_yuan: int
    baseline_yuan: int
    stage_before: str | None
    stage_after: str | None
    problem_id: int | None
    photo_id: int | None
    created_at: str
    real_progress: bool
    flag: str | None


async def report_history(
    db: Database | Tx, project_id: int, before: date | None, days: int
) -> list[Entry]:
    """Every revision of the project's last `days` report days before `before` (None: all),
    newest day first, revisions in order within a day."""
    rows = await db.fetchall(
        """
        WITH picked AS (
            SELECT id, report_date, baseline_yuan FROM reports
            WHERE project_id = ? AND report_date < ? ORDER BY report_date DESC LIMIT ?
        )
        SELECT r.report_date, v.revision, pe.name AS person, v.text, v.done_yuan,
               r.baseline_yuan, v.stage_before, v.stage_after, v.problem_id, v.photo_id,
               v.created_at, v.real_progress, v.flag
        FROM picked r JOIN report_revisions v ON v.report_id = r.id
        JOIN people pe ON pe.id = v.person_id
        ORDER BY r.report_date DESC, v.revision
        """,
        (project_id, (before or date.max).isoformat(), days),
    )
    return [_entry(r) for r in rows]


def _entry(r) -> Entry:
    return Entry(
        date.fromisoformat(r["report_date"]), r["revision"], r["person"], r["text"],
        r["done_yuan"], r["baseline_yuan"], r["stage_before"], r["stage_after"],
        r["problem_id"], r["photo_id"], r["created_at"], bool(r["real_progress"]), r["flag"],
    )  # fmt: skip


async def report_day_count(db: Database | Tx, project_id: int) -> int:
    return await db.fetchval("SELECT COUNT(*) FROM reports WHERE project_id = ?", (project_id,))


@dataclass(frozen=True)
class Photo:
    id: int
    project_id: int
    file_id: str
    file_unique_id: str
    taken_by: str
    created_at: str
    sha256: str | None = None  # None: not in the archive yet
    extension: str | None = None

    @property
    def archived(self) -> str | None:
        """The archived file's name, or None."""
        return file_name(self.sha256, self.extension or "") if self.sha256 else None


_PHOTO = """
SELECT ph.id, ph.project_id, ph.file_id, ph.file_unique_id, pe.name AS taken_by, ph.created_at,
       ph.sha256, ph.extension
FROM photos ph JOIN people pe ON pe.id = ph.taken_by
"""


async def photos_of(db: Database | Tx, project_id: int, limit: int = 24) -> list[Photo]:
    """The project's latest site photos (from reports and problems), newest first."""
    rows = await db.fetchall(
        _PHOTO + " WHERE ph.project_id = ? ORDER BY ph.id DESC LIMIT ?", (project_id, limit)
    )
    return [Photo(**dict(r)) for r in rows]


async def photo(db: Database | Tx, photo_id: int) -> Photo | None:
    row = await db.fetchone(_PHOTO + " WHERE ph.id = ?", (photo_id,))
    return Photo(**dict(row)) if row else None


async def data_version(db: Database) -> int:
    """Changes whenever another connection (the bot's writer) commits: a cheap "has anything
    changed since I last read" for caches on the reader connection."""
    return await db.fetchval("PRAGMA data_version")
