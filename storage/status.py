"""Each project's status (红黄绿 or 未上报), as last recomputed.

Readers get a status for every project: one never assessed (no row yet) reads as 未上报,
never as green.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from domain.status import UNREPORTED, Status
from storage.db import Database, Tx
from timeutil import to_iso, utc_now

_UNKNOWN = Status(UNREPORTED)


def _status(row) -> Status:
    color, reasons, since_red = row["color"], row["reasons"], row["since_red"]
    if color is None:
        return _UNKNOWN
    # A province's 5,000 statuses are a few dozen distinct ones: equal statuses are one frozen
    # object, its reasons parsed once (the week keeps them all, and the collector walks them).
    key = (color, reasons, since_red)
    found = _SEEN.get(key)
    if found is None:
        found = Status(color, tuple(json.loads(reasons)), bool(since_red))
        if len(_SEEN) < _SEEN_MAX:
            _SEEN[key] = found
    return found


# (color, reasons as stored, since_red) -> Status; bounded, as reasons are combinations of a
# few keys (and the keys themselves a handful).
_SEEN: dict[tuple, Status] = {}
_SEEN_MAX = 4096


async def stored(db: Database | Tx, project_ids: Sequence[int] | None = None) -> dict[int, Status]:
    """Stored statuses (of `project_ids`, or all), for the memory a recompute carries on."""
    where, params = "", list(project_ids or ())
    if project_ids is not None:
        where = f" WHERE project_id IN ({','.join('?' * len(project_ids))})"
    rows = await db.fetchall(
        "SELECT project_id, color, reasons, since_red FROM project_status" + where, params
    )
    return {r["project_id"]: _status(r) for r in rows}


async def all_statuses(db: Database | Tx) -> dict[int, Status]:
    """Every project's status; 未上报 for one not assessed yet."""
    rows = await db.fetchall(
        "SELECT p.id AS project_id, s.color, s.reasons, s.since_red FROM projects p"
        " LEFT JOIN project_status s ON s.project_id = p.id"
    )
    return {r["project_id"]: _status(r) for r in rows}


async def put_many(tx: Tx, statuses: Mapping[int, Status]) -> None:
    """Store statuses in one statement, whatever their number."""
    now = to_iso(utc_now())
    await tx.executemany(
        "INSERT INTO project_status (project_id, color, reasons, since_red, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET color = excluded.color,"
        " reasons = excluded.reasons, since_red = excluded.since_red,"
        " updated_at = excluded.updated_at",
        [
            (pid, s.color, json.dumps(s.reasons), int(s.since_red), now)
            for pid, s in statuses.items()
        ],
    )
