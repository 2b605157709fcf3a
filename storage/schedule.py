"""The schedule admins edit, the deployment's calendar exceptions, leave, and planned runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from domain.schedule_kinds import BY_NAME, SCHEDULE
from storage.db import Database, Tx
from timeutil import to_iso, utc_now


@dataclass(frozen=True)
class ScheduleItem:
    kind: str
    at: time
    enabled: bool


async def items(db: Database | Tx) -> dict[str, ScheduleItem]:
    """Every declared kind (domain.schedule_kinds), in declaration order: as an admin set it,
    or at its default time and on when it has no row yet."""
    rows = await db.fetchall("SELECT kind, at_time, enabled FROM schedule")
    stored = {r["kind"]: r for r in rows}
    found = {}
    for kind in SCHEDULE:
        row = stored.get(kind.name)
        at = time.fromisoformat(row["at_time"]) if row else kind.default_at
        found[kind.name] = ScheduleItem(kind.name, at, bool(row["enabled"]) if row else True)
    return found


async def set_time(tx: Tx, kind: str, at: time, by: int) -> None:
    await tx.execute(
        "INSERT INTO schedule (kind, at_time, updated_by, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (kind) DO UPDATE SET at_time = excluded.at_time,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        (kind, at.strftime("%H:%M"), by, to_iso(utc_now())),
    )


async def set_enabled(tx: Tx, kind: str, enabled: bool, by: int | None) -> None:
    default_at = BY_NAME[kind].default_at.strftime("%H:%M")
    await tx.execute(
        "INSERT INTO schedule (kind, at_time, enabled, updated_by, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind) DO UPDATE SET enabled = excluded.enabled,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        (kind, default_at, int(enabled), by, to_iso(utc_now())),
    )


async def setting(db: Database | Tx, key: str, default: str) -> str:
    value = await db.fetchval("SELECT value FROM settings WHERE key = ?", (key,))
    return default if value is None else value


async def set_setting(tx: Tx, key: str, value: str) -> None:
    await tx.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def exceptions(db: Database | Tx) -> dict[date, str]:
    rows = await db.fetchall("SELECT day, kind FROM calendar_exceptions")
    return {date.fromisoformat(r["day"]): r["kind"] for r in rows}


async def set_exception(tx: Tx, day: date, kind: str | None, note: str, by: int) -> None:
    """Mark a day off or an extra workday; kind None removes the exception."""
    if kind is None:
        await tx.execute("DELETE FROM calendar_exceptions WHERE day = ?", (day.isoformat(),))
        return
    await tx.execute(
        "INSERT INTO calendar_exceptions (day, kind, note, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET kind = excluded.kind,"
        " note = excluded.note, created_by = excluded.created_by",
        (day.isoformat(), kind, note, by, to_iso(utc_now())),
    )


async def add_leave(tx: Tx, person_id: int, start: date, end: date, by: int) -> int:
    return await tx.insert(
        "INSERT INTO leaves (person_id, start_day, end_day, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (person_id, start.isoformat(), end.isoformat(), by, to_iso(utc_now())),
    )


async def on_leave(db: Database | Tx, day: date) -> set[int]:
    """Ids of the people on leave that day."""
    rows = await db.fetchall(
        "SELECT DISTINCT person_id FROM leaves WHERE start_day <= ? AND end_day >= ?",
        (day.isoformat(), day.isoformat()),
    )
    return {r["person_id"] for r in rows}


async def leave_days(db: Database | Tx, person_id: int, since: date) -> list[tuple[date, date]]:
    rows = await db.fetchall(
        "SELECT start_day, end_day FROM leaves WHERE person_id = ? AND end_day >= ?"
        " ORDER BY start_day",
        (person_id, since.isoformat()),
    )
    return [(date.fromisoformat(r["start_day"]), date.fromisoformat(r["end_day"])) for r in rows]


async def claim_run(tx: Tx, kind: str, period: str, trigger: str, actor: int | None) -> bool:
    """Record that (kind, period) is being planned; False if it already was."""
    inserted = await tx.execute(
        "INSERT OR IGNORE INTO slot_runs (kind, period, planned_at, trigger, actor)"
        " VALUES (?, ?, ?, ?, ?)",
        (kind, period, to_iso(utc_now()), trigger, actor),
    )
    return inserted == 1


async def was_run(db: Database | Tx, kind: str, period: str) -> bool:
    found = await db.fetchval(
        "SELECT 1 FROM slot_runs WHERE kind = ? AND period = ?", (kind, period)
    )
    return found is not None
