"""Group chats registered as push targets (leaders, a unit, departments)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database, Tx
from timeutil import to_iso, utc_now


@dataclass(frozen=True)
class PushTarget:
    id: int
    chat_id: int
    kind: str
    unit_id: int | None
    unit: str | None
    title: str
    active: bool
    digest: bool


_SELECT = """
SELECT t.id, t.chat_id, t.kind, t.unit_id, u.name AS unit, t.title, t.active, t.digest
FROM push_targets t LEFT JOIN units u ON u.id = t.unit_id
"""


def _target(row) -> PushTarget:
    return PushTarget(
        row["id"],
        row["chat_id"],
        row["kind"],
        row["unit_id"],
        row["unit"],
        row["title"],
        bool(row["active"]),
        bool(row["digest"]),
    )


async def bind(
    tx: Tx, *, chat_id: int, kind: str, unit_id: int | None, title: str, bound_by: int
) -> None:
    await tx.execute(
        "INSERT INTO push_targets (chat_id, kind, unit_id, title, active, bound_by, bound_at)"
        " VALUES (?, ?, ?, ?, 1, ?, ?)"
        " ON CONFLICT (chat_id, kind) DO UPDATE SET unit_id = excluded.unit_id,"
        " title = excluded.title, active = 1, bound_by = excluded.bound_by,"
        " bound_at = excluded.bound_at",
        (chat_id, kind, unit_id, title, bound_by, to_iso(utc_now())),
    )


async def set_active(tx: Tx, chat_id: int, active: bool) -> int:
    return await tx.execute(
        "UPDATE push_targets SET active = ? WHERE chat_id = ?", (int(active), chat_id)
    )


async def of_chat(db: Database | Tx, chat_id: int) -> list[PushTarget]:
    rows = await db.fetchall(_SELECT + " WHERE t.chat_id = ? ORDER BY t.id", (chat_id,))
    return [_target(r) for r in rows]


async def all_targets(db: Database | Tx) -> list[PushTarget]:
    return [_target(r) for r in await db.fetchall(_SELECT + " ORDER BY t.kind, t.id")]
