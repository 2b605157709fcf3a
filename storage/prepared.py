"""Pushes rendered ahead of their send slot (scheduler.ahead), kept until sent or stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Tx
from timeutil import from_iso, to_iso


@dataclass(frozen=True)
class Prepared:
    """A rendered push: its caption and its photo or document."""

    key: str  # the render spec it was made from, as JSON
    made_at: datetime
    text: str
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None  # (file name, content)


async def put(tx: Tx, p: Prepared) -> None:
    """Keep a rendered push, in place of one made before from the same spec."""
    name, content = p.document or (None, None)
    await tx.execute(
        "INSERT OR REPLACE INTO prepared (key, made_at, text, photo, doc_name, document)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (p.key, to_iso(p.made_at), p.text, p.photo, name, content),
    )


async def fresh(db: Database | Tx, key: str, since: datetime) -> Prepared | None:
    """The push rendered from `key`, if it was made at or after `since`."""
    row = await db.fetchone(
        "SELECT key, made_at, text, photo, doc_name, document FROM prepared"
        " WHERE key = ? AND made_at >= ?",
        (key, to_iso(since)),
    )
    if row is None:
        return None
    document = (row["doc_name"], row["document"]) if row["doc_name"] is not None else None
    return Prepared(row["key"], from_iso(row["made_at"]), row["text"], row["photo"], document)


async def keys_since(db: Database | Tx, since: datetime) -> set[str]:
    """Keys of the pushes rendered at or after `since`."""
    rows = await db.fetchall("SELECT key FROM prepared WHERE made_at >= ?", (to_iso(since),))
    return {key for (key,) in rows}


async def drop_before(tx: Tx, before: datetime) -> int:
    """Forget the pushes rendered before `before`; return how many."""
    return await tx.execute("DELETE FROM prepared WHERE made_at < ?", (to_iso(before),))
