"""Planning a run: decide its recipients and put one outbox row per chat, in one transaction."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.schedule_kinds import REMINDERS, STATUS
from domain.status import Thresholds
from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from ranking import service as ranking
from scheduler.render import streak_notes
from scheduler.slots import Slot
from storage import Database, audit, outbox, progress, projects, push_targets, schedule
from storage import robots as robot_store
from storage.people import by_id
from timeutil import local_date

log = logging.getLogger(__name__)


async def plan(
    db: Database,
    slot: Slot,
    *,
    now: datetime,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    scoring: ScoringConfig,
    thresholds: Thresholds,
    trigger: str = "schedule",
    actor: int | None = None,
) -> int:
    """Queue the deliveries of `slot`; return how many were new.

    A scheduled run is planned once per (kind, period) — the slot_runs row says so. A manual
    run (/pushnow) plans again, but the outbox key (kind, period, chat) still lets each chat
    get each thing once: it only adds chats that had nothing yet (a new liaison, a group
    bound since), and retries those that failed.

    The status run sends nothing: it recomputes every project's status as of today, claiming
    its slot in the same transaction (ranking.service.refresh_statuses); it returns how many.
    """
    if slot.kind == STATUS:
        try:
            made = await ranking.refresh_statuses(
                db,
                None,
                local_date(now, tz),
                calendar,
                tz,
                thresholds,
                run=(slot.kind, slot.period),
            )
        except Exception:  # unclaimed: the next tick tries again; pushes and boards go on
            log.exception("status run %s failed", slot.period)
            return 0
        return len(made or ())
    rows = await recipients(db, slot, calendar, tz, scoring) + await _robot_rows(db, slot, scoring)
    added = 0
    async with db.transaction() as tx:
        first = await schedule.claim_run(tx, slot.kind, slot.period, trigger, actor)
        if not first and trigger == "schedule":
            return 0
        for kind, chat_id, spec in rows:
            added += await outbox.enqueue(
                tx, kind=kind, period=slot.period, chat_id=chat_id, spec=spec,
                not_before=now if trigger == "manual" else slot.due, expires_at=slot.expires,
                now=now,
            )  # fmt: skip
        if trigger == "manual":  # a re-send after an outage retries what failed
            kinds = {kind for kind, _, _ in rows} | {slot.kind}
            await outbox.retry_failed(tx, kinds, slot.period, now)
        await audit.record(tx, actor, "push.plan", kind=slot.kind, period=slot.period,
                           trigger=trigger, added=added)  # fmt: skip
    return added


async def recipients(
    db: Database, slot: Slot, calendar: WorkCalendar, tz: ZoneInfo, scoring: ScoringConfig
) -> list[tuple[str, int, dict]]:
    """(outbox kind, chat id, render spec) for every delivery of the slot."""
    day = slot.day.isoformat()
    targets = [t for t in await push_targets.all_targets(db) if t.active]
    if slot.kind in REMINDERS:
        blocked = await progress.blocked_people(db)
        away = await schedule.on_leave(db, slot.day)
        done = await progress.reported_projects(db, [slot.day])
        chats: dict[int, int] = {}
        for a in await progress.assignments(db):
            if a.person_id in blocked or a.person_id in away:
                continue
            if (a.project_id, day) not in done:
                chats[a.tg_user_id] = a.person_id
        spec = {"render": "remind", "day": day}
        return [(slot.kind, chat, {**spec, "person_id": pid}) for chat, pid in chats.items()]
    if slot.kind == "board":
        found = [
            ("board", t.chat_id, {"render": "board", "day": day, "unit_id": t.unit_id})
            for t in targets
            if t.kind == "unit"
        ]
        days = int(await schedule.setting(db, "streak_days", "3"))
        for leader_id, text in (await streak_notes(db, slot.day, days, calendar, tz)).items():
            leader = await by_id(db, leader_id)
            if leader is not None:
                found.append(("streak", leader.tg_user_id, {"render": "text", "text": text}))
        return found
    if slot.kind == "digest":
        return [
            ("digest", t.chat_id, {"render": "digest", "day": day, "unit_id": t.unit_id})
            for t in targets
            if t.digest and t.kind in ("unit", "leaders")
        ]
    leaders = [t.chat_id for t in targets if t.kind == "leaders"]
    end = slot.day - timedelta(days=1)  # the week or month that just ended
    if slot.kind == "weekly":
        spec = {"as_of": end.isoformat()}
        groups = await _ranking_groups(db, scoring)
        found = [(f"week_units:{g}", chat, {"render": "week_units", "group": g, **spec})
                 for chat in leaders for g in groups]  # fmt: skip
        found += [("week_board", chat, {"render": "week_board", **spec}) for chat in leaders]
        found += [("week_unit", t.chat_id, {"render": "week_unit", "unit_id": t.unit_id, **spec})
                  for t in targets if t.kind == "unit"]  # fmt: skip
        return found
    return [(r, chat, spec) for chat in leaders for r, spec in _month_specs(end, renders=None)]


async def _ranking_groups(db: Database, scoring: ScoringConfig) -> list[str]:
    """The ranking groups that have projects (区县 with 开发区, 部门, 国企): one chart each."""
    kinds = await projects.unit_kinds_with_projects(db)
    return sorted({scoring.group_of(kind) for kind in kinds})


def _month_specs(end: date, renders: tuple[str, ...] | None) -> list[tuple[str, dict]]:
    """(render, spec) of the month ending `end`: the bulletin, its figures, the ledger, and
    after a quarter's last month its flags; `renders` picks some of them."""
    spec = {"start": end.replace(day=1).isoformat(), "end": end.isoformat()}
    # strip: the month's site photos (archive.strip); robots name the renders they take
    found = [(r, {"render": r, **spec}) for r in ("monthly", "monthly_text", "strip", "ledger")]
    if end.month % 3 == 0:  # a quarter just ended: red and yellow flags by its theme
        start = end.replace(month=end.month - 2, day=1).isoformat()
        found.append(("quarterly", {"render": "quarterly", **spec, "start": start}))
    return [(r, s) for r, s in found if renders is None or r in renders]


async def _robot_rows(
    db: Database, slot: Slot, scoring: ScoringConfig
) -> list[tuple[str, int, dict]]:
    """(outbox kind, robot id, render spec) for every robot delivery of the slot: a robot gets
    what the leaders' group gets (a unit's group, when the robot has a unit) for the pushes it
    names. Kinds are robot:<render>, so a robot's delivery never shares a key with a chat's."""
    robots = await robot_store.active(db)
    if not robots:
        return []
    units = {name: unit_id for unit_id, name in await projects.units(db)}
    groups = await _ranking_groups(db, scoring) if slot.kind == "weekly" else []
    found: list[tuple[str, int, dict]] = []
    for robot in robots:
        unit_id = units.get(robot.unit) if robot.unit else None
        if robot.unit and unit_id is None:
            log.warning("robot %r: unit %r is not in the project list; its unit pushes wait",
                        robot.name, robot.unit)  # fmt: skip
        found += [
            (robot_store.PREFIX + render, robot.id, {**spec, "push": push})
            for push, render, spec in _robot_specs(slot, robot, unit_id, groups)
        ]
    return found


def _robot_specs(
    slot: Slot, robot: robot_store.Robot, unit_id: int | None, groups: list[str]
) -> list[tuple[str, str, dict]]:
    """(push, render, spec) of one robot for the slot."""
    end = slot.day - timedelta(days=1)  # the week or month that just ended
    day = {"day": slot.day.isoformat()}
    unit_ok = unit_id is not None or not robot.unit  # a robot's unit not (yet) found: skip
    found: list[tuple[str, str, dict]] = []
    if slot.kind == "weekly" and "weekly" in robot.pushes and unit_ok:
        as_of = {"as_of": end.isoformat()}
        if unit_id is not None:  # a unit's robot: the unit's own chart, as its group gets
            found.append(("weekly", "week_unit", {"render": "week_unit", "unit_id": unit_id,
                                                  **as_of}))  # fmt: skip
        else:
            found += [("weekly", f"week_units:{g}", {"render": "week_units", "group": g,
                       **as_of}) for g in groups]  # fmt: skip
            found.append(("weekly", "week_board", {"render": "week_board", **as_of}))
    if slot.kind == "weekly" and "problems" in robot.pushes:
        found.append(("problems", "dept_weekly", {"render": "dept_weekly", **day}))
    if slot.kind == "monthly":
        wanted = ("monthly", "monthly_text", "ledger") if "monthly" in robot.pushes else ()
        wanted += ("quarterly",) if "quarterly" in robot.pushes else ()
        found += [("quarterly" if r == "quarterly" else "monthly", r, spec)
                  for r, spec in _month_specs(end, wanted)]  # fmt: skip
    if slot.kind == "digest" and "digest" in robot.pushes and unit_ok:
        found.append(("digest", "digest", {"render": "digest", "unit_id": unit_id, **day}))
    if slot.kind == "board" and "board" in robot.pushes and unit_id is not None:
        found.append(("board", "board", {"render": "board", "unit_id": unit_id, **day}))
    return found
