"""Site photos: the Telegram file each came as, its archived copy, the downloads still to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.photos import file_name
from storage.db import Database, Tx
from timeutil import to_iso


async def add(
    tx: Tx, *, project_id: int, taken_by: int, file_id: str, unique_id: str | None,
    now: datetime,
) -> int:  # fmt: skip
    """Keep a photo a person sent (a report's or a problem's), with its download still to do
    (in the same transaction: a photo on record is a photo the archive will fetch); its id."""
    photo_id = await tx.insert(
        "INSERT INTO photos (project_id, file_id, file_unique_id, taken_by, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (project_id, file_id, unique_id or "", taken_by, to_iso(now)),
    )
    await tx.execute(
        "INSERT INTO photo_downloads (photo_id, next_try_at) VALUES (?, ?)",
        (photo_id, to_iso(now)),
    )
    return photo_id


@dataclass(frozen=True)
class Pending:
    """A photo to download."""

    photo_id: int
    file_id: str
    tries: int  # failed tries so far


async def due(db: Database | Tx, now: datetime, limit: int) -> list[Pending]:
    """Downloads whose time has come, the longest waiting first."""
    rows = await db.fetchall(
        "SELECT d.photo_id, p.file_id, d.tries FROM photo_downloads d"
        " JOIN photos p ON p.id = d.photo_id WHERE d.next_try_at <= ?"
        " ORDER BY d.next_try_at, d.photo_id LIMIT ?",
        (to_iso(now), limit),
    )
    return [Pending(r["photo_id"], r["file_id"], r["tries"]) for r in rows]


async def archived(tx: Tx, photo_id: int, sha256: str, extension: str) -> None:
    """The photo's bytes are on disk as <sha256><extension>: record it, drop the download."""
    await tx.execute(
        "UPDATE photos SET sha256 = ?, extension = ? WHERE id = ?", (sha256, extension, photo_id)
    )
    await tx.execute("DELETE FROM photo_downloads WHERE photo_id = ?", (photo_id,))


async def failed(tx: Tx, photo_id: int, tries: int, next_try: datetime, error: str) -> None:
    """A try failed: count it and say when the next one is due."""
    await tx.execute(
        "UPDATE photo_downloads SET tries = ?, next_try_at = ?, last_error = ? WHERE photo_id = ?",
        (tries, to_iso(next_try), error[:500], photo_id),
    )


@dataclass(frozen=True)
class Shown:
    """A report's archived photo as the monthly strip shows it."""

    name: str  # the archived file
    code: str
    project: str
    day: str  # the report's local day


async def showcase(db: Database | Tx, start: date, end: date, limit: int) -> list[Shown]:
    """The newest archived photo of each project's reports between the two days, newest
    first, at most `limit` projects."""
    rows = await db.fetchall(
        """
        SELECT sha256, extension, code, name, day FROM (
            SELECT ph.sha256, ph.extension, p.code, p.name, r.report_date AS day,
                   ph.id AS photo_id, ROW_NUMBER() OVER (
                       PARTITION BY p.id ORDER BY r.report_date DESC, v.id DESC) AS newest
            FROM reports r JOIN report_revisions v ON v.report_id = r.id
            JOIN photos ph ON ph.id = v.photo_id JOIN projects p ON p.id = ph.project_id
            WHERE r.report_date BETWEEN ? AND ? AND ph.sha256 IS NOT NULL
        ) WHERE newest = 1 ORDER BY day DESC, photo_id DESC LIMIT ?
        """,
        (start.isoformat(), end.isoformat(), limit),
    )
    return [
        Shown(file_name(r["sha256"], r["extension"]), r["code"], r["name"], r["day"]) for r in rows
    ]
