"""The measuring child: every figure of one generated province, in a process that has loaded
what the bot loads (so its peak RSS is a bot's) and settled its heap as the bot does."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

# What `python bot.py` loads, in its order (ranking.service and the scheduler package import
# each other: the bot's order resolves), so that this process's RSS is a bot's.
import application  # noqa: F401
import heap
from bench.common import median, rss_peak_mb
from bench.ranking import AS_OF, CHART_GOAL_S, PUSH_GOAL_S, SEED, TZ
from bench.ranking.probes import GC, PngClock, breakdown, heap_peak, lap, profile, timed
from domain.status import Thresholds
from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from ranking import service
from ranking.service import score_week, week_of
from scheduler.periodic import PeriodicRenderer
from storage import Database, facts, milestones, snapshots

UNIT_SAMPLE = 12  # unit groups' charts timed once each (all 150 would cost ~40 s per size)
FAR = 1.0  # a figure over this many times its goal gets its slow part profiled: every miss
SCORING, THRESHOLDS = ScoringConfig(), Thresholds()  # the default [ranking] of config.toml


@dataclass(frozen=True)
class Setting:
    """What one measurement process works on."""

    db: Database
    calendar: WorkCalendar
    now: datetime  # the Monday 09:00 push
    monday: date
    groups: list[str]  # ranking groups the leaders get a chart of, as scheduler/plan.py lists
    unit_id: int  # the unit with the most projects
    unit_projects: int
    project_id: int  # the project whose /status card is timed
    month: tuple[date, date]  # the last full month: the bulletin of the 1st before AS_OF


async def setting(path: Path) -> Setting:
    db = await Database.open(path)
    groups = [r["kind"] for r in await db.fetchall(
        "SELECT DISTINCT u.kind FROM units u JOIN projects p ON p.unit_id = u.id"
        " ORDER BY u.kind")]  # fmt: skip
    biggest = await db.fetchone(
        "SELECT unit_id, COUNT(*) AS n FROM projects GROUP BY unit_id ORDER BY n DESC LIMIT 1"
    )
    assert biggest is not None, "a province without projects"
    project = await db.fetchval("SELECT MIN(id) FROM projects WHERE unit_id = ?",
                                (biggest["unit_id"],))  # fmt: skip
    end = AS_OF.replace(day=1) - timedelta(days=1)
    monday = AS_OF + timedelta(days=1)
    now = datetime(monday.year, monday.month, monday.day, 9, tzinfo=TZ).astimezone(UTC)
    return Setting(db, WorkCalendar(), now, week_of(AS_OF)[1], groups, biggest["unit_id"],
                   biggest["n"], project, (end.replace(day=1), end))  # fmt: skip


def renderer(s: Setting) -> PeriodicRenderer:
    """A fresh renderer, as the dispatcher makes for each run."""
    return PeriodicRenderer(s.db, s.calendar, TZ, s.now, SCORING)


async def forget_week(s: Setting) -> None:
    """Drop the week's kept scores, as before the Monday push first saves them."""
    async with s.db.transaction() as tx:
        await tx.execute("DELETE FROM score_snapshots WHERE period = ?", (week_of(AS_OF)[0],))


async def status_card(s: Setting) -> None:
    """What /status <project> reads on the Monday: last week scored (and kept: the week is
    over), the project's facts today, its milestones and its trend (handlers/ranking.py)."""
    day = s.now.astimezone(TZ).date()
    await score_week(s.db, AS_OF, s.calendar, TZ, SCORING, save=True)
    await facts.load(s.db, day, day, s.calendar, TZ, [s.project_id], SCORING.unit_groups)
    await milestones.of_project(s.db, s.project_id)
    await snapshots.trend(s.db, s.project_id, 4)


async def one_round(s: Setting, png: PngClock) -> dict[str, float]:
    """Every figure once. The weekly push comes first, so in the first round it is the cold
    one."""
    out: dict[str, float] = {}
    weekly = renderer(s)
    await forget_week(s)  # the Monday push is the week's first save: writes every score

    async def push() -> None:
        started = time.perf_counter()
        await weekly.week(AS_OF)  # score_week(save=True), once for every group's chart
        out["push_score"] = time.perf_counter() - started
        for group in s.groups:
            await weekly.units(AS_OF, group)
        await weekly.board(AS_OF)

    cpu = time.process_time()
    await lap(out, "push", push())
    out["push:cpu"] = time.process_time() - cpu
    out["push_charts"] = out["push"] - out["push_score"]
    await lap(out, "load", facts.load(s.db, AS_OF, s.monday, s.calendar, TZ))
    # The Monday's status run: every project, one load, one write (scheduler.plan does this).
    # Its CPU time too (all threads, SQL included): on a shared machine wall time also
    # counts the other processes' turns.
    monday = s.now.astimezone(TZ).date()
    cpu = time.process_time()
    run = service.refresh_statuses(s.db, None, monday, s.calendar, TZ, THRESHOLDS)
    await lap(out, "status_run", run)
    out["status_run:cpu"] = time.process_time() - cpu
    await lap(out, "score_week", score_week(s.db, AS_OF, s.calendar, TZ, SCORING, save=True))
    await lap(out, "status_card", status_card(s))
    # The week is cached in the renderer, so these are the charts' own costs.
    for group in s.groups:
        await lap(out, f"units:{group}", weekly.units(AS_OF, group))
        out[f"units:{group}:png"] = png.last["unit_ranking_png"]
    await lap(out, "board", weekly.board(AS_OF))
    out["board:png"] = png.last["project_board_png"]
    await lap(out, "unit", weekly.unit(AS_OF, s.unit_id))
    out["unit:png"] = png.last["project_board_png"]
    cpu = time.process_time()
    await lap(out, "bulletin", renderer(s).monthly(*s.month))  # includes its own facts.load
    out["bulletin:cpu"] = time.process_time() - cpu
    out["bulletin:png"] = png.last["bulletin_png"]
    return out


async def unit_sample(s: Setting) -> dict[str, float]:
    """Unit groups' charts (one per unit group, not the leaders'), timed on a sample."""
    rows = await s.db.fetchall(
        "SELECT unit_id, COUNT(*) AS n FROM projects GROUP BY unit_id ORDER BY n DESC"
    )
    ids = [r["unit_id"] for r in rows]
    picked = sorted(set(ids[:3] + ids[-3:] + random.Random(SEED).sample(ids, min(6, len(ids)))))
    weekly = renderer(s)
    await weekly.week(AS_OF)
    times = [await timed(weekly.unit(AS_OF, uid)) for uid in picked[:UNIT_SAMPLE]]
    return {"units_with_projects": len(ids), "median": median(times), "max": max(times),
            "sampled": len(times)}  # fmt: skip


async def measure(path: Path, runs: int, force_profile: bool) -> dict[str, Any]:
    """Every figure: a cold round, `runs` warm rounds, a breakdown, then heap and profile."""
    rss_start = rss_peak_mb()
    s = await setting(path)

    def week() -> Awaitable[Any]:
        return score_week(s.db, AS_OF, s.calendar, TZ, SCORING, save=True)

    try:
        heap.settle()  # as the bot does once it has started
        png = PngClock()
        png.install()
        GC.install()
        rounds = [await one_round(s, png) for _ in range(runs + 1)]
        units = await unit_sample(s)
        await forget_week(s)  # taken apart as the Monday push makes it: the week's first save
        parts = await breakdown(s.db, week)
        rss_peak = rss_peak_mb()  # before tracemalloc and cProfile, which add their own
        heap_mb = await heap_peak(week)
        warm = {k: median([r[k] for r in rounds[1:]]) for k in rounds[0]}
        profiles: dict[str, list[str]] = {}
        if force_profile or warm["push"] > FAR * PUSH_GOAL_S:
            profiles["score_week"] = await profile(s.db, png, week)
        weekly = renderer(s)
        await weekly.week(AS_OF)
        charts: dict[str, Callable[[], Awaitable[Any]]] = {
            "board": lambda: weekly.board(AS_OF),
            "unit": lambda: weekly.unit(AS_OF, s.unit_id),
            "bulletin": lambda: renderer(s).monthly(*s.month),
        }
        for group in s.groups:
            charts[f"units:{group}"] = lambda g=group: weekly.units(AS_OF, g)
        for key, work in charts.items():
            if force_profile or warm[key] > FAR * CHART_GOAL_S:
                profiles[key] = await profile(s.db, png, work)
    finally:
        await s.db.close()
    return {
        "rounds": rounds,
        "groups": s.groups,
        "unit_projects": s.unit_projects,
        "units": units,
        "breakdown": parts,
        "rss_start_mb": rss_start,
        "rss_peak_mb": rss_peak,
        "heap_mb": heap_mb,
        "profiles": profiles,
    }
