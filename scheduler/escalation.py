"""The problem ledger's part of every scheduler tick: announce, escalate, list weekly.

Runs after planning and before dispatch, so what it queues goes out in the same tick. Every
notice goes through the outbox keyed (kind, period, chat), and every escalation step is logged
in the problem's history under a unique (problem, step) key first: a restart, two ticks or a
crash between the two cannot escalate twice or send a notice twice.

Settings (table `settings`, changed with /problems 设置): `problem_reply_workdays` (2),
`problem_office_workdays` (2), `problem_deadline_<category>` (domain.problem_flow defaults).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import problem_flow as flow
from ledger.texts import day_label, headline, link
from messages import t
from scheduler.slots import current_slot
from scheduler.workdays import WorkCalendar
from storage import Database, Tx, outbox, people, push_targets, schedule
from storage import problems as store
from storage.problems import Problem
from storage.schedule import ScheduleItem
from timeutil import local_date

log = logging.getLogger(__name__)
ESCALATE_AT = time(9, 0)  # escalations go out in office hours, from 09:00 on their day
NOTICE_LIFETIME = timedelta(days=7)
REPLY_KEY, OFFICE_KEY = "problem_reply_workdays", "problem_office_workdays"
DEFAULT_REPLY, DEFAULT_OFFICE = 2, 2
MAX_LIST = 40


async def workdays_setting(db: Database | Tx, key: str, default: int) -> int:
    value = await schedule.setting(db, key, str(default))
    return int(value) if value.isdigit() else default


async def deadline_workdays(db: Database | Tx, category: str) -> int:
    return await workdays_setting(
        db, flow.settings_key(category), flow.DEFAULT_DEADLINE_WORKDAYS[category]
    )


async def notify(
    tx: Tx, *, kind: str, period: str, chats: Iterable[int], text: str, now: datetime
) -> int:
    """Queue one plain-text notice per chat; return how many were new."""
    added = 0
    for chat in sorted(set(chats)):
        added += await outbox.enqueue(
            tx, kind=kind, period=period, chat_id=chat, spec={"render": "text", "text": text},
            not_before=now, expires_at=now + NOTICE_LIFETIME, now=now,
        )  # fmt: skip
    return added


async def admin_chats(db: Database | Tx, config_admins: Iterable[int] = ()) -> set[int]:
    chats = {p.tg_user_id for p in await people.with_role(db, "admin")}
    return chats | set(config_admins)


# ---- the tick step --------------------------------------------------------------------------


async def run(
    db: Database,
    *,
    now: datetime,
    tz: ZoneInfo,
    calendar: WorkCalendar,
    items: Mapping[str, ScheduleItem],
    config_admins: Iterable[int] = (),
) -> None:
    """Announce problems raised inside /report, escalate due ones, plan the weekly list."""
    admins = await admin_chats(db, config_admins)
    await announce_new(db, now, admins)
    await escalate(db, now, tz, calendar, admins)
    await weekly_departments(db, now, tz, calendar, items)


async def announce_new(db: Database, now: datetime, admins: set[int]) -> None:
    """Log each problem typed inside /report (its category guessed from its words) and send
    its card link to the admins and the project's linked leaders, who assign it."""
    for p in await store.unlogged(db):
        category = flow.infer_category(p.description)
        async with db.transaction() as tx:
            if not await store.mark_logged(tx, p, category):
                continue
            leaders = await store.chats_of_project(tx, p.project_id, "leader")
            fresh = await store.by_id(tx, p.id)
            assert fresh is not None
            await notify(
                tx, kind="problem", period=f"{p.id}:raise", chats=admins | set(leaders.values()),
                text=t("problems.notice_new", headline=headline(fresh), unit=p.unit,
                       raiser=p.raiser, link=link(p.id)),
                now=now,
            )  # fmt: skip


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


async def escalate(
    db: Database, now: datetime, tz: ZoneInfo, calendar: WorkCalendar, admins: set[int]
) -> None:
    """Take each due escalation step once: log it, then queue the notice (督办)."""
    reply_n = await workdays_setting(db, REPLY_KEY, DEFAULT_REPLY)
    office_n = await workdays_setting(db, OFFICE_KEY, DEFAULT_OFFICE)
    day = effective_day(now, tz)
    taken = await store.escalation_steps(db)
    for p in await store.active(db):
        s = standing(p, taken.get(p.id, {}), tz)
        step = flow.escalation_due(s, day, calendar, reply_n, office_n)
        if step is None:
            continue
        _, late = flow.overdue(s, local_date(now, tz), calendar, reply_n)
        reason = t("problems.why_deadline" if late else "problems.why_no_reply",
                   deadline=p.deadline.isoformat() if p.deadline else "",
                   days=reply_n)  # fmt: skip
        async with db.transaction() as tx:
            current = await store.by_id(tx, p.id)
            if current is None or current.version != p.version:
                continue  # changed meanwhile: the next tick looks again
            if step == flow.LEADER_STEP:
                targets = await store.chats_of_project(tx, p.project_id, "leader")
                chats = set(targets.values())
                note = t("problems.escalated_leader_note", n=len(chats))
            else:
                chats = admins
                note = t("problems.escalated_office_note")
            event = await store.record(
                tx, p.id, actor=None, action="escalate", from_state=p.state, to_state=p.state,
                note=f"{reason}；{note}", step=f"{p.round}:{step}", now=now,
            )  # fmt: skip
            if event is None:
                continue  # logged before: taken once only
            text = t(f"problems.notice_escalate_{step}", headline=headline(p), owner=p.owner,
                     reason=reason, link=link(p.id))  # fmt: skip
            await notify(tx, kind="escalate", period=f"{p.id}:{p.round}:{step}", chats=chats,
                         text=text, now=now)  # fmt: skip
            if p.department_id is not None:
                contacts = await store.chats_of_department(tx, p.department_id)
                await notify(
                    tx, kind="problem", period=f"{p.id}:{event}", chats=contacts.values(),
                    text=t("problems.notice_escalated_to_you", headline=headline(p),
                           reason=reason, link=link(p.id)),
                    now=now,
                )  # fmt: skip
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
    rates = await store.closure_rates(db, start, end)
    if not rates:
        return []
    return [t("problems.closure_title")] + [
        t("problems.closure_line", department=r.department, on_time=r.closed_on_time, due=r.due,
          rate=f"{r.rate:.0%}")
        for r in rates
    ]  # fmt: skip
