"""The problem ledger's part of every scheduler tick: announce, escalate, list weekly.

Runs after planning and before dispatch, so what it queues goes out in the same tick. This
module decides when (domain.problem_flow.escalation_due, from 09:00 local); the problems
service takes the step: it logs it in the problem's history under a unique (problem, step) key
and queues its notices in the same transaction, so a restart, two ticks or a crash between the
two cannot escalate twice or send a notice twice. The delays are services.problem_settings.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import problem_flow as flow
from domain.workdays import WorkCalendar
from ledger.texts import day_label
from messages import t
from scheduler.slots import current_slot
from services import problems
from services.problem_notices import notify
from services.problem_settings import (
    DEFAULT_OFFICE,
    DEFAULT_REPLY,
    OFFICE_KEY,
    REPLY_KEY,
    workdays_setting,
)
from storage import Database, Tx, push_targets
from storage import departments as depts
from storage import problem_events as events
from storage import problems as store
from storage.problems import Problem
from storage.schedule import ScheduleItem
from timeutil import local_date

log = logging.getLogger(__name__)
ESCALATE_AT = time(9, 0)  # escalations go out in office hours, from 09:00 on their day
MAX_LIST = 40


# ---- the tick step --------------------------------------------------------------------------


async def run(
    db: Database,
    *,
    now: datetime,
    tz: ZoneInfo,
    calendar: WorkCalendar,
    items: Mapping[str, ScheduleItem],
) -> None:
    """Announce problems stored raw by /report, escalate due ones, plan the weekly list."""
    await problems.announce_unlogged(db, now)
    await escalate(db, now, tz, calendar)
    await weekly_departments(db, now, tz, calendar, items)


def effective_day(now: datetime, tz: ZoneInfo) -> date:
    """The local day whose escalations are due: before 09:00 it is still yesterday's."""
    local = now.astimezone(tz)
    shift = timedelta(hours=ESCALATE_AT.hour, minutes=ESCALATE_AT.minute)
    return (local - shift).date()


def standing(p: Problem, steps: Mapping[str, datetime], tz: ZoneInfo) -> flow.Standing:
    """What the rules need to know of a problem, its days in the local calendar."""
    leader = steps.get(flow.LEADER_STEP)
    return flow.Standing(
        state=p.state,
        assigned=local_date(p.assigned_at, tz) if p.assigned_at else None,
        deadline=p.deadline,
        leader_day=local_date(leader, tz) if leader else None,
        office_done=flow.OFFICE_STEP in steps,
    )


async def escalate(db: Database, now: datetime, tz: ZoneInfo, calendar: WorkCalendar) -> None:
    """Take each due escalation step (督办) once, through the problems service."""
    reply_n = await workdays_setting(db, REPLY_KEY, DEFAULT_REPLY)
    office_n = await workdays_setting(db, OFFICE_KEY, DEFAULT_OFFICE)
    day = effective_day(now, tz)
    taken = await events.escalation_steps(db)
    for p in await store.active(db):
        s = standing(p, taken.get(p.id, {}), tz)
        step = flow.escalation_due(s, day, calendar, reply_n, office_n)
        if step is None:
            continue
        _, late = flow.overdue(s, local_date(now, tz), calendar, reply_n)
        if await problems.escalate(db, p, step, late=late, reply_workdays=reply_n, now=now):
            log.info("problem %s escalated: %s", p.id, step)


# ---- weekly list for the departments' group and monthly closure rates -----------------------


async def department_lines(
    db: Database | Tx, today: date, tz: ZoneInfo, calendar: WorkCalendar
) -> list[str]:
    """Each department's open and overdue problems, the most overdue first."""
    reply_n = await workdays_setting(db, REPLY_KEY, DEFAULT_REPLY)
    open_by: dict[str, list[int]] = defaultdict(list)
    late_by: dict[str, list[int]] = defaultdict(list)
    unassigned = 0
    for p in await store.not_closed(db):
        if p.department is None:
            unassigned += 1
            continue
        open_by[p.department].append(p.id)
        assigned = local_date(p.assigned_at, tz) if p.assigned_at else None
        if any(flow.overdue(flow.Standing(p.state, assigned, p.deadline), today, calendar,
                            reply_n)):  # fmt: skip
            late_by[p.department].append(p.id)
    names = sorted(open_by, key=lambda d: (-len(late_by[d]), -len(open_by[d]), d))
    lines = [
        t("problems.weekly_line", department=name, open=len(open_by[name]),
          late=len(late_by[name]), ids="、".join(f"#{i}" for i in late_by[name][:10]) or "—")
        for name in names[:MAX_LIST]
    ]  # fmt: skip
    if unassigned:
        lines.append(t("problems.weekly_unassigned", n=unassigned))
    return lines


async def weekly_departments(
    db: Database,
    now: datetime,
    tz: ZoneInfo,
    calendar: WorkCalendar,
    items: Mapping[str, ScheduleItem],
) -> None:
    """With the weekly slot (Monday 09:00 by default, off when it is off), the departments'
    groups get each department's open and overdue problems, once per ISO week."""
    weekly = items.get("weekly")
    if weekly is None or not weekly.enabled:
        return
    today = local_date(now, tz)
    slot = current_slot("weekly", items, today, tz)
    if not slot.due <= now < slot.expires:
        return
    groups = [
        g for g in await push_targets.all_targets(db) if g.kind == "departments" and g.active
    ]
    pending = [
        g for g in groups if not await store.queued(db, "dept_weekly", slot.period, g.chat_id)
    ]
    if not pending:
        return
    lines = await department_lines(db, today, tz, calendar)
    text = "\n".join(
        [t("problems.weekly_title", day=day_label(today)), *(lines or [t("problems.weekly_none")])]
    )
    async with db.transaction() as tx:
        await notify(tx, kind="dept_weekly", period=slot.period,
                     chats=[g.chat_id for g in pending], text=text, now=now)  # fmt: skip


async def closure_lines(db: Database | Tx, start: date, end: date) -> list[str]:
    """The monthly bulletin's lines: on-time closure rate per department."""
    rates = await depts.closure_rates(db, start, end)
    if not rates:
        return []
    return [t("problems.closure_title")] + [
        t("problems.closure_line", department=r.department, on_time=r.closed_on_time, due=r.due,
          rate=f"{r.rate:.0%}")
        for r in rates
    ]  # fmt: skip
