"""The figures every page derives from, computed together and reused while they are fresh.

A province's week scores take seconds (twice what /rank does), so the dashboard does not redo
them per page view, and does not do them on the bot's event loop: a snapshot is made in a
worker thread with its own loop and its own read-only connection, so liaisons' reports are
answered meanwhile. It is reused while nothing was written to the database since it was made
(SQLite's data_version on the bot's reader connection); after a write it is still reused for
ten times as long as it took to make, so page views during a busy reporting hour cost at most
a tenth of one core. Every page says when its figures were taken.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.status import ProjectFacts, Status
from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from ranking.service import Week, score_week
from storage import Database, dashboard, facts, progress, projects, schedule
from storage import status as stored_status
from storage.dashboard import ReadOnly
from storage.progress import Assignment

REUSE_FACTOR = 10  # after a write, reuse a snapshot for this many times its making cost


@dataclass(frozen=True)
class Snapshot:
    today: date
    taken_at: datetime  # UTC
    facts: list[ProjectFacts]  # every project, as of today, reporting counted this week
    statuses: Mapping[int, Status]  # as stored: the status /status shows
    week: Week  # this week so far, scored as /rank scores it
    last_week: Week  # the week before, as /rank 上周 scores it
    calendar: WorkCalendar
    tz: ZoneInfo
    unit_ids: Mapping[str, int]  # unit name → id
    # Today's reporting, as the 18:00 board counts it.
    assignments: list[Assignment]
    reported_today: frozenset[int]  # project ids with a report today
    away: frozenset[int]  # person ids on leave today
    by_id: Mapping[int, ProjectFacts] = field(default_factory=dict)
    # Figures derived from this snapshot (web.figures), kept so each is derived once.
    derived: dict[str, Any] = field(default_factory=dict, compare=False)

    def facts_of(self, project_id: int) -> ProjectFacts | None:
        return self.by_id.get(project_id)


async def take(
    db: Database | ReadOnly,
    today: date,
    now: datetime,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    scoring: ScoringConfig,
) -> Snapshot:
    """Read and score everything the pages show, as the bot's commands do, by the
    deployment's ranking rules (`scoring`)."""
    monday = today - timedelta(days=today.weekday())
    everything = await facts.load(db, today, monday, calendar, tz, None, scoring.unit_groups)
    statuses = await stored_status.all_statuses(db)
    # Read-only: the live week is never saved, and neither is last week (the Monday push and
    # /rank 上周 keep its snapshot).
    week = await score_week(db, today, calendar, tz, scoring, save=False)
    last = await score_week(db, monday - timedelta(days=1), calendar, tz, scoring, save=False)
    unit_ids = {name: uid for uid, name in await projects.units(db)}
    pairs = await progress.assignments(db)
    reported = {pid for pid, _ in await progress.reported_projects(db, [today])}
    away = await schedule.on_leave(db, today)
    return Snapshot(
        today, now, everything, statuses, week, last, calendar, tz, unit_ids, pairs,
        frozenset(reported), frozenset(away), {f.project_id: f for f in everything},
    )  # fmt: skip


def take_apart(
    path: Path,
    today: date,
    now: datetime,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    scoring: ScoringConfig,
) -> Snapshot:
    """`take` in the calling (worker) thread, on a loop and a connection of its own."""

    async def run() -> Snapshot:
        db = await ReadOnly.open(path)
        try:
            return await take(db, today, now, calendar, tz, scoring)
        finally:
            await db.close()

    return asyncio.run(run())


class SnapshotCache:
    """One snapshot at a time, made by one caller while the others wait for it."""

    def __init__(
        self,
        db: Database,
        path: Path,
        tz: ZoneInfo,
        calendar: Callable[[], Awaitable[WorkCalendar]],
        now: Callable[[], datetime],
        scoring: ScoringConfig,
    ) -> None:
        self.db = db
        self.scoring = scoring
        self.path = path  # the database file: the worker thread opens it read-only
        self.tz = tz
        self.calendar = calendar
        self.now = now
        self._lock = asyncio.Lock()
        self._current: Snapshot | None = None
        self._version: int | None = None
        self._cost = 0.0  # seconds the current snapshot took to make
        self._made = 0.0  # time.monotonic() when it was made

    def _fresh(self, today: date, version: int) -> bool:
        snap = self._current
        if snap is None or snap.today != today:
            return False
        if version == self._version:
            return True
        return time.monotonic() - self._made < REUSE_FACTOR * self._cost

    async def get(self) -> Snapshot:
        now = self.now()
        today = now.astimezone(self.tz).date()
        version = await dashboard.data_version(self.db)
        if self._fresh(today, version):
            assert self._current is not None
            return self._current
        async with self._lock:
            version = await dashboard.data_version(self.db)
            if self._fresh(today, version):
                assert self._current is not None
                return self._current
            started = time.monotonic()
            calendar = await self.calendar()
            snap = await asyncio.to_thread(
                take_apart, self.path, today, now, calendar, self.tz, self.scoring
            )
            self._current, self._version = snap, version
            self._made = time.monotonic()
            self._cost = self._made - started
            return snap
