"""Weekly and monthly pushes rendered ahead of their send slot, off the fan-out.

Drawing a chart takes 0.1-0.3 s of CPU, and the weekly push has one for every unit's group
(150 in a province): drawn while sending, they held the fan-out to a few charts a second.
From LEAD before a weekly or monthly run is due, the scheduler renders what that run will
send (the render specs planning will list for its recipients), one at a time, into
storage.prepared; the dispatcher sends one made within MAX_AGE as it is and renders any other
itself. A chart so made says when it was drawn (its 数据截至 line), at most LEAD before it
is sent; the week it ranks is over by then.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from scheduler.periodic import KINDS as PERIODIC
from scheduler.periodic import PeriodicRenderer
from scheduler.plan import recipients
from scheduler.render import Rendered
from scheduler.slots import Slot, current_slot
from storage import Database, prepared, schedule
from storage.schedule import ScheduleItem
from timeutil import local_date

log = logging.getLogger(__name__)
LEAD = timedelta(minutes=15)  # 150 charts take under a minute; a restart still leaves time
MAX_AGE = timedelta(minutes=30)  # an older one (the run was late) is drawn again when sent
KEEP = timedelta(days=1)
RUNS = ("weekly", "monthly")


def key(spec: Mapping) -> str:
    """What a rendered push is kept under: its render spec."""
    return json.dumps(spec, sort_keys=True, ensure_ascii=False)


def upcoming(items: Mapping[str, ScheduleItem], now: datetime, tz: ZoneInfo) -> list[Slot]:
    """The weekly and monthly runs due within LEAD of `now`, not yet due."""
    found = []
    for kind in RUNS:
        item = items.get(kind)
        if item is None or not item.enabled:
            continue
        slot = current_slot(kind, items, local_date(now + LEAD, tz), tz)
        if slot.due - LEAD <= now < slot.due:
            found.append(slot)
    return found


async def ready(db: Database, now: datetime) -> set[str]:
    """Keys of the pushes rendered ahead within MAX_AGE of `now`."""
    return await prepared.keys_since(db, now - MAX_AGE)


async def made(db: Database, spec: Mapping, now: datetime) -> Rendered | None:
    """The push `spec` asks for, if it was rendered ahead within MAX_AGE of `now`."""
    found = await prepared.fresh(db, key(spec), now - MAX_AGE)
    if found is None:
        return None
    return Rendered(found.text, [], photo=found.photo, document=found.document)


async def prepare(
    db: Database,
    slot: Slot,
    *,
    now: datetime,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    scoring: ScoringConfig,
    drawing: asyncio.Lock,
) -> int:
    """Render what `slot` will send and is not rendered yet, one push at a time (`drawing`:
    one chart at a time, bot-wide); return how many were made. Nothing for a run already
    made (an admin's /pushnow)."""
    if await schedule.was_run(db, slot.kind, slot.period):
        return 0
    async with db.transaction() as tx:
        await prepared.drop_before(tx, now - KEEP)
    specs = {key(spec): spec for _, _, spec in await recipients(db, slot, calendar, tz, scoring)
             if spec["render"] in PERIODIC}  # fmt: skip
    have = await ready(db, now)
    renderer = PeriodicRenderer(db, calendar, tz, now, scoring)
    count = 0
    for name, spec in specs.items():
        if name in have:
            continue
        async with drawing:
            rendered = await renderer.render(spec)
        if rendered is None:
            continue
        async with db.transaction() as tx:
            await prepared.put(tx, prepared.Prepared(
                name, now, rendered.text, rendered.photo, rendered.document
            ))  # fmt: skip
        count += 1
    log.info("%s %s: %d pushes rendered ahead of %s", slot.kind, slot.period, count,
             slot.due.astimezone(tz).strftime("%H:%M"))  # fmt: skip
    return count
