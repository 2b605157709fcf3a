"""Problem settings, in workdays: the department's reply, the office step, default deadlines.

Stored in the `settings` table, changed by admins with /problems 设置, read by the handlers and
the scheduler's escalation alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import problem_flow as flow
from storage import Database, Tx, audit, schedule
from storage.people import Person

REPLY_KEY, OFFICE_KEY = "problem_reply_workdays", "problem_office_workdays"
DEFAULT_REPLY, DEFAULT_OFFICE = 2, 2
MAX_WORKDAYS = 250


@dataclass(frozen=True)
class Settings:
    reply_workdays: int  # the department's reply is due within this many workdays
    office_workdays: int  # after the leader step, the admins' office this many workdays later
    deadline_workdays: dict[str, int]  # default deadline per category


async def workdays_setting(db: Database | Tx, key: str, default: int) -> int:
    value = await schedule.setting(db, key, str(default))
    return int(value) if value.isdigit() else default


async def deadline_workdays(db: Database | Tx, category: str) -> int:
    return await workdays_setting(
        db, flow.settings_key(category), flow.DEFAULT_DEADLINE_WORKDAYS[category]
    )


async def settings(db: Database | Tx) -> Settings:
    return Settings(
        await workdays_setting(db, REPLY_KEY, DEFAULT_REPLY),
        await workdays_setting(db, OFFICE_KEY, DEFAULT_OFFICE),
        {c: await deadline_workdays(db, c) for c in flow.CATEGORIES},
    )


async def change_setting(db: Database, actor: Person, key: str, workdays: int) -> str | None:
    """Set a delay or a category's default deadline, in workdays (admins; audit-logged).
    None when done, else why not: "admins_only" or "bad_setting"."""
    if not actor.is_admin:
        return "admins_only"
    keys = {REPLY_KEY, OFFICE_KEY} | {flow.settings_key(c) for c in flow.CATEGORIES}
    if key not in keys or not 1 <= workdays <= MAX_WORKDAYS:
        return "bad_setting"
    async with db.transaction() as tx:
        await schedule.set_setting(tx, key, str(workdays))
        await audit.record(tx, actor.id, "problem.setting", key=key, value=workdays)
    return None
