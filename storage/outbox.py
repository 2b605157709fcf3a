"""The durable outbox: every scheduled delivery, keyed by (kind, period, chat)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, Tx
from timeutil import from_iso, to_iso


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    period: str
    chat_id: int
    spec: dict[str, Any]
    not_before: datetime
    expires_at: datetime
    status: str
    attempts: int
    message_id: int | None
    last_text: str | None


def _row(r) -> OutboxRow:
    return OutboxRow(
        r["id"], r["kind"], r["period"], r["chat_id"], json.loads(r["spec_json"]),
        from_iso(r["not_before"]), from_iso(r["expires_at"]), r["status"], r["attempts"],
        r["message_id"], r["last_text"],
    )  # fmt: skip


async def enqueue(
    tx: Tx,
    *,
    kind: str,
    period: str,
    chat_id: int,
    spec: dict[str, Any],
    not_before: datetime,
    expires_at: datetime,
    now: datetime,
) -> bool:
    """Add a delivery unless this (kind, period, chat) already exists; True if added."""
    added = await tx.execute(
        "INSERT OR IGNORE INTO outbox"
        " (kind, period, chat_id, spec_json, not_before, expires_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            kind, period, chat_id, json.dumps(spec, ensure_ascii=False), to_iso(not_before),
            to_iso(expires_at), to_iso(now),
        ),
    )  # fmt: skip
    return added == 1


async def due(db: Database | Tx, now: datetime, limit: int = 1000) -> list[OutboxRow]:
    """Telegram's due rows; robot rows (kind 'robot:…') have their own senders (robots/)."""
    rows = await db.fetchall(
        "SELECT * FROM outbox WHERE status = 'pending' AND not_before <= ?"
        " AND kind NOT LIKE 'robot:%' ORDER BY not_before, id LIMIT ?",
        (to_iso(now), limit),
    )
    return [_row(r) for r in rows]


async def by_id(db: Database | Tx, row_id: int) -> OutboxRow | None:
    row = await db.fetchone("SELECT * FROM outbox WHERE id = ?", (row_id,))
    return _row(row) if row else None


async def mark_sent(tx: Tx, row_id: int, message_id: int | None, text: str, now: datetime) -> None:
    await tx.execute(
        "UPDATE outbox SET status = 'sent', message_id = ?, last_text = ?, sent_at = ?,"
        " tried_at = ?, attempts = attempts + 1 WHERE id = ?",
        (message_id, text, to_iso(now), to_iso(now), row_id),
    )


async def mark(tx: Tx, row_id: int, status: str, error: str | None = None) -> None:
    await tx.execute(
        "UPDATE outbox SET status = ?, last_error = COALESCE(?, last_error) WHERE id = ?",
        (status, error, row_id),
    )


async def retry_later(tx: Tx, row_id: int, error: str, now: datetime, at: datetime) -> None:
    """Count a failed attempt and try again at `at`."""
    await tx.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, tried_at = ?, not_before = ?"
        " WHERE id = ?",
        (error[:500], to_iso(now), to_iso(at), row_id),
    )


async def fail(tx: Tx, row_id: int, error: str, now: datetime) -> None:
    """Count a failed attempt and give up: the row is listed in /schedule until /pushnow."""
    await tx.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,"
        " tried_at = ? WHERE id = ?",
        (error[:500], to_iso(now), row_id),
    )


async def set_text(tx: Tx, row_id: int, text: str) -> None:
    await tx.execute("UPDATE outbox SET last_text = ? WHERE id = ?", (text, row_id))


async def retry_failed(tx: Tx, kinds: set[str], period: str, now: datetime) -> int:
    """Make the given kinds' failed deliveries of the period due again now; how many."""
    marks = ",".join("?" * len(kinds))
    return await tx.execute(
        f"UPDATE outbox SET status = 'pending', not_before = ? WHERE kind IN ({marks})"
        " AND period = ? AND status = 'failed'",
        (to_iso(now), *sorted(kinds), period),
    )


async def sent_of_kind(db: Database | Tx, kind: str, period: str) -> list[OutboxRow]:
    rows = await db.fetchall(
        "SELECT * FROM outbox WHERE kind = ? AND period = ? AND status = 'sent' ORDER BY id",
        (kind, period),
    )
    return [_row(r) for r in rows]


async def status_counts(db: Database | Tx, since: datetime) -> dict[str, int]:
    rows = await db.fetchall(
        "SELECT status, COUNT(*) AS n FROM outbox WHERE created_at >= ? GROUP BY status",
        (to_iso(since),),
    )
    return {r["status"]: r["n"] for r in rows}


@dataclass(frozen=True)
class FailedRow:
    kind: str
    period: str
    chat_id: int
    chat_name: str | None  # the person's name or the group's title, when known
    attempts: int
    error: str
    tried_at: datetime


def _failed_row(r) -> FailedRow:
    return FailedRow(
        r["kind"], r["period"], r["chat_id"], r["chat_name"] or None, r["attempts"],
        r["last_error"] or "", from_iso(r["tried_at"]),
    )  # fmt: skip


async def failed(db: Database | Tx, since: datetime, limit: int) -> tuple[list[FailedRow], int]:
    """Deliveries given up on since `since`, most recently tried first (at most `limit`), and
    how many there are in all."""
    total = await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE status = 'failed'"
        " AND COALESCE(tried_at, created_at) >= ?",
        (to_iso(since),),
    )
    rows = await db.fetchall(
        "SELECT o.kind, o.period, o.chat_id, o.attempts, o.last_error,"
        " COALESCE(o.tried_at, o.created_at) AS tried_at,"
        " CASE WHEN o.kind LIKE 'robot:%' THEN (SELECT name FROM robots WHERE id = o.chat_id)"
        " ELSE COALESCE((SELECT name FROM people WHERE tg_user_id = o.chat_id),"
        "          (SELECT title FROM push_targets WHERE chat_id = o.chat_id"
        "            ORDER BY active DESC, id DESC LIMIT 1)) END AS chat_name"
        " FROM outbox o WHERE o.status = 'failed' AND COALESCE(o.tried_at, o.created_at) >= ?"
        " ORDER BY tried_at DESC, o.id DESC LIMIT ?",
        (to_iso(since), limit),
    )
    found = [_failed_row(r) for r in rows]
    return found, total
