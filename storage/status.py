"""Each project's red/yellow/green status, as last recomputed."""

from __future__ import annotations

import json

from domain.status import Status
from storage.db import Database, Tx
from timeutil import to_iso, utc_now


async def get(db: Database | Tx, project_id: int) -> Status | None:
    row = await db.fetchone(
        "SELECT color, reasons, since_red FROM project_status WHERE project_id = ?",
        (project_id,),
    )
    if row is None:
        return None
    return Status(row["color"], tuple(json.loads(row["reasons"])), bool(row["since_red"]))


async def all_statuses(db: Database | Tx) -> dict[int, Status]:
    rows = await db.fetchall("SELECT project_id, color, reasons, since_red FROM project_status")
    return {
        r["project_id"]: Status(r["color"], tuple(json.loads(r["reasons"])), bool(r["since_red"]))
        for r in rows
    }


async def put(tx: Tx, project_id: int, status: Status) -> None:
    await tx.execute(
        "INSERT INTO project_status (project_id, color, reasons, since_red, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET color = excluded.color,"
        " reasons = excluded.reasons, since_red = excluded.since_red,"
        " updated_at = excluded.updated_at",
        (project_id, status.color, json.dumps(status.reasons), int(status.since_red),
         to_iso(utc_now())),
    )  # fmt: skip
