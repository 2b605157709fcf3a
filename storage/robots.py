"""Group robots: their mirror of the config, their outbox rows and how their deliveries went.

A robot delivery is an outbox row like Telegram's, with kind 'robot:<what>' and chat_id the
robot's id here, so the outbox key (kind, period, chat) makes it once per (push, period, robot).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from config import RobotConfig
from storage.db import Database, Tx
from storage.outbox import OutboxRow, _row
from timeutil import from_iso, to_iso

PREFIX = "robot:"  # the outbox kind of every robot delivery starts with it


@dataclass(frozen=True)
class Robot:
    id: int
    name: str
    kind: str
    pushes: tuple[str, ...]
    unit: str


async def sync(tx: Tx, robots: Iterable[RobotConfig], now: datetime) -> dict[str, int]:
    """Mirror the configured robots (name, kind, pushes, unit; never a url or a secret); the
    ones no longer configured stay, inactive, and what they still had to send is dropped (no
    sender will take it). Returns name -> id."""
    ids: dict[str, int] = {}
    for r in robots:
        await tx.execute(
            "INSERT INTO robots (name, kind, pushes, unit, active, created_at)"
            " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind,"
            " pushes = excluded.pushes, unit = excluded.unit, active = 1",
            (r.name, r.kind, ",".join(r.pushes), r.unit, to_iso(now)),
        )
        ids[r.name] = await tx.fetchval("SELECT id FROM robots WHERE name = ?", (r.name,))
    marks = ",".join("?" * len(ids))
    await tx.execute(f"UPDATE robots SET active = 0 WHERE name NOT IN ({marks})", tuple(ids))
    await tx.execute(
        "UPDATE outbox SET status = 'skipped', last_error = 'robot removed from the config'"
        " WHERE kind LIKE 'robot:%' AND status = 'pending'"
        " AND chat_id IN (SELECT id FROM robots WHERE active = 0)"
    )
    return ids


async def active(db: Database | Tx) -> list[Robot]:
    rows = await db.fetchall(
        "SELECT id, name, kind, pushes, unit FROM robots WHERE active = 1 ORDER BY id"
    )
    return [
        Robot(r["id"], r["name"], r["kind"], tuple(p for p in r["pushes"].split(",") if p),
              r["unit"])
        for r in rows
    ]  # fmt: skip


async def due(db: Database | Tx, robot_id: int, now: datetime) -> list[OutboxRow]:
    """The robot's deliveries due now, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM outbox WHERE status = 'pending' AND not_before <= ? AND chat_id = ?"
        " AND kind LIKE 'robot:%' ORDER BY not_before, id",
        (to_iso(now), robot_id),
    )
    return [_row(r) for r in rows]


async def parts_sent(db: Database | Tx, outbox_id: int) -> int:
    """How many messages of a delivery went out already."""
    found = await db.fetchval("SELECT sent FROM robot_parts WHERE outbox_id = ?", (outbox_id,))
    return found or 0


async def set_parts_sent(tx: Tx, outbox_id: int, sent: int) -> None:
    await tx.execute(
        "INSERT INTO robot_parts (outbox_id, sent) VALUES (?, ?)"
        " ON CONFLICT (outbox_id) DO UPDATE SET sent = excluded.sent",
        (outbox_id, sent),
    )


async def postpone(tx: Tx, outbox_id: int, at: datetime) -> None:
    """Send later without counting a try (a platform's busy minute, not a failure)."""
    await tx.execute("UPDATE outbox SET not_before = ? WHERE id = ?", (to_iso(at), outbox_id))


@dataclass(frozen=True)
class Standing:
    """How a robot's deliveries went: what /robots shows."""

    last_sent: datetime | None
    last_kind: str | None  # e.g. robot:week_board
    last_period: str | None
    pending: int
    failed: int
    last_error: str | None  # of the latest failed delivery
    failed_at: datetime | None


async def standing(db: Database | Tx, robot_id: int) -> Standing:
    last = await db.fetchone(
        "SELECT kind, period, sent_at FROM outbox WHERE kind LIKE 'robot:%' AND chat_id = ?"
        " AND status = 'sent' ORDER BY sent_at DESC, id DESC LIMIT 1",
        (robot_id,),
    )
    counts = await db.fetchone(
        "SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed') AS failed"
        " FROM outbox WHERE kind LIKE 'robot:%' AND chat_id = ?",
        (robot_id,),
    )
    error = await db.fetchone(
        "SELECT last_error, COALESCE(tried_at, created_at) AS at FROM outbox"
        " WHERE kind LIKE 'robot:%' AND chat_id = ? AND status = 'failed'"
        " ORDER BY at DESC, id DESC LIMIT 1",
        (robot_id,),
    )
    return Standing(
        from_iso(last["sent_at"]) if last else None,
        last["kind"] if last else None,
        last["period"] if last else None,
        (counts["pending"] or 0) if counts else 0,
        (counts["failed"] or 0) if counts else 0,
        error["last_error"] if error else None,
        from_iso(error["at"]) if error else None,
    )
