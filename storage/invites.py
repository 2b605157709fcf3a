"""Invites: unguessable, expiring, use-counted codes that grant a role."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, Tx
from timeutil import from_iso, to_iso


@dataclass(frozen=True)
class Invite:
    id: int
    code: str
    role: str
    scope: dict[str, Any]  # {"projects": [ids], "label": "城关区"}
    created_by: int
    created_at: datetime
    expires_at: datetime
    max_uses: int
    uses: int
    revoked: bool


def _invite(row) -> Invite:
    return Invite(
        row["id"],
        row["code"],
        row["role"],
        json.loads(row["scope_json"]),
        row["created_by"],
        from_iso(row["created_at"]),
        from_iso(row["expires_at"]),
        row["max_uses"],
        row["uses"],
        row["revoked_at"] is not None,
    )


def new_code() -> str:
    # 128 random bits; URL-safe so it fits a t.me deep link (max 64 chars of [A-Za-z0-9_-]).
    return secrets.token_urlsafe(16)


async def create(
    tx: Tx,
    *,
    role: str,
    scope: dict[str, Any],
    created_by: int,
    now: datetime,
    expires_at: datetime,
    max_uses: int,
) -> Invite:
    code = new_code()
    invite_id = await tx.insert(
        "INSERT INTO invites"
        " (code, role, scope_json, created_by, created_at, expires_at, max_uses) VALUES"
        " (?, ?, ?, ?, ?, ?, ?)",
        (
            code,
            role,
            json.dumps(scope, ensure_ascii=False),
            created_by,
            to_iso(now),
            to_iso(expires_at),
            max_uses,
        ),
    )
    row = await tx.fetchone("SELECT * FROM invites WHERE id = ?", (invite_id,))
    return _invite(row)


async def by_code(db: Database | Tx, code: str) -> Invite | None:
    row = await db.fetchone("SELECT * FROM invites WHERE code = ?", (code,))
    return _invite(row) if row else None


async def open_invites(db: Database | Tx, now: datetime) -> list[Invite]:
    rows = await db.fetchall(
        "SELECT * FROM invites WHERE revoked_at IS NULL AND uses < max_uses AND expires_at > ?"
        " ORDER BY id",
        (to_iso(now),),
    )
    return [_invite(r) for r in rows]


async def revoke(tx: Tx, invite_id: int, now: datetime) -> bool:
    changed = await tx.execute(
        "UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        (to_iso(now), invite_id),
    )
    return changed > 0


async def already_used_by(tx: Tx, invite_id: int, person_id: int) -> bool:
    row = await tx.fetchone(
        "SELECT 1 FROM invite_uses WHERE invite_id = ? AND person_id = ?", (invite_id, person_id)
    )
    return row is not None


async def use(tx: Tx, invite_id: int, person_id: int, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO invite_uses (invite_id, person_id, used_at) VALUES (?, ?, ?)",
        (invite_id, person_id, to_iso(now)),
    )
    await tx.execute("UPDATE invites SET uses = uses + 1 WHERE id = ?", (invite_id,))


async def revoke_created_by(tx: Tx, person_id: int, now: datetime) -> int:
    """Revoke the open invites a person made (they were removed); return how many."""
    return await tx.execute(
        "UPDATE invites SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL"
        " AND uses < max_uses AND expires_at > ?",
        (to_iso(now), person_id, to_iso(now)),
    )
