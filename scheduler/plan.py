"""Planning a run: decide its recipients and put one outbox row per chat, in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ranking import service as ranking
from scheduler.render import streak_notes
from scheduler.slots import REMINDERS, STATUS, Slot
from scheduler.workdays import WorkCalendar
from storage import Database, audit, outbox, progress, push_targets, schedule
from storage.people import by_id
from timeutil import local_date, to_iso

log = logging.getLogger(__name__)


async def plan(
    db: Database,
    slot: Slot,
    *,
    now: datetime,
    calendar: WorkCalendar,
    tz: ZoneInfo,
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
                db, None, local_date(now, tz), calendar, tz, run=(slot.kind, slot.period)
            )
        except Exception:  # unclaimed: the next tick tries again; pushes and boards go on
            log.exception("status run %s failed", slot.period)
            return 0
        return len(made or ())
    rows = await _recipients(db, slot, calendar, tz)
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
        if trigger == "manual":
            kinds = {kind for kind, _, _ in rows} | {slot.kind}
            marks = ",".join("?" * len(kinds))
            await tx.execute(  # a re-send after an outage retries what failed
                f"UPDATE outbox SET status = 'pending', not_before = ? WHERE kind IN ({marks})"
                " AND period = ? AND status = 'failed'",
                (to_iso(now), *kinds, slot.period),
            )
        await audit.record(tx, actor, "push.plan", kind=slot.kind, period=slot.period,
                           trigger=trigger, added=added)  # fmt: skip
    return added


async def _recipients(
    db: Database, slot: Slot, calendar: WorkCalendar, tz: ZoneInfo
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
        kinds = await db.fetchall(
            "SELECT DISTINCT u.kind FROM units u JOIN projects p ON p.unit_id = u.id"
        )
        groups = sorted({ranking.CONFIG.group_of(r["kind"]) for r in kinds})
        found = [(f"week_units:{g}", chat, {"render": "week_units", "group": g, **spec})
                 for chat in leaders for g in groups]  # fmt: skip
        found += [("week_board", chat, {"render": "week_board", **spec}) for chat in leaders]
        found += [("week_unit", t.chat_id, {"render": "week_unit", "unit_id": t.unit_id, **spec})
                  for t in targets if t.kind == "unit"]  # fmt: skip
        return found
    spec = {"start": end.replace(day=1).isoformat(), "end": end.isoformat()}
    renders = ["monthly", "monthly_text", "ledger"]
    if end.month % 3 == 0:  # a quarter just ended: red and yellow flags by its theme
        renders.append("quarterly")
        spec_q = {**spec, "start": end.replace(month=end.month - 2, day=1).isoformat()}
    return [
        (r, chat, {"render": r, **(spec_q if r == "quarterly" else spec)})
        for chat in leaders for r in renders
    ]  # fmt: skip
