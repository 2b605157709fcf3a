"""Sign-in to the web dashboard: one-time login links and the sessions they open.

Tokens are never stored, only their SHA-256: whoever reads the database cannot sign in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from storage.db import Database, Tx
from timeutil import to_iso


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_login(
    tx: Tx, person_id: int, token: str, now: datetime, valid: timedelta
) -> None:
    """Store a one-time link for the person; links that expired a day ago are dropped."""
    await tx.execute(
        "DELETE FROM web_logins WHERE expires_at < ?", (to_iso(now - timedelta(days=1)),)
    )
    await tx.execute(
        "INSERT INTO web_logins (token_hash, person_id, created_at, expires_at)"
        " VALUES (?, ?, ?, ?)",
        (token_hash(token), person_id, to_iso(now), to_iso(now + valid)),
    )


async def redeem_login(tx: Tx, token: str, now: datetime) -> int | None:
    """Use the link once: its person id, or None when unknown, used or expired."""
    h = token_hash(token)
    changed = await tx.execute(
        "UPDATE web_logins SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
        " AND expires_at > ?",
        (to_iso(now), h, to_iso(now)),
    )
    if not changed:
        return None
    return await tx.fetchval("SELECT person_id FROM web_logins WHERE token_hash = ?", (h,))


async def open_session(
    tx: Tx, person_id: int, token: str, now: datetime, valid: timedelta
) -> None:
    await tx.execute(
        "DELETE FROM web_sessions WHERE expires_at < ? OR ended_at IS NOT NULL AND ended_at < ?",
        (to_iso(now), to_iso(now - timedelta(days=30))),
    )
    await tx.execute(
        "INSERT INTO web_sessions (token_hash, person_id, created_at, expires_at)"
        " VALUES (?, ?, ?, ?)",
        (token_hash(token), person_id, to_iso(now), to_iso(now + valid)),
    )


async def session_person(db: Database | Tx, token: str, now: datetime) -> int | None:
    """The person of a live session (not ended, not expired), else None."""
    return await db.fetchval(
        "SELECT person_id FROM web_sessions WHERE token_hash = ? AND ended_at IS NULL"
        " AND expires_at > ?",
        (token_hash(token), to_iso(now)),
    )


async def end_session(tx: Tx, token: str, now: datetime) -> None:
    await tx.execute(
        "UPDATE web_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
        (to_iso(now), token_hash(token)),
    )


async def end_sessions(tx: Tx, person_id: int, now: datetime) -> int:
    """End every session of the person (they were removed); unused links die with them."""
    await tx.execute(
        "UPDATE web_logins SET used_at = ? WHERE person_id = ? AND used_at IS NULL",
        (to_iso(now), person_id),
    )
    return await tx.execute(
        "UPDATE web_sessions SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
        (to_iso(now), person_id),
    )
