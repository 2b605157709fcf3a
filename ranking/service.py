"""Statuses recomputed every workday and after each change; the week scored, ranked and kept.

Status: ``refresh_statuses`` recomputes a set of projects (or all) set-based: one
``facts.load``, one read of the stored memory (red until caught up), one ``executemany``.
It runs once every workday as a scheduled run of its own kind (scheduler.slots.STATUS, once
per day through ``slot_runs``, caught up after downtime) and after each admin edit
(/addproject, /editproject, /milestone, a confirmed /import); a report stores its project's
(``assess``) in the submission's own transaction. Every run assesses
today as it stands: today's reports count, today's silence not yet (domain.reporting_days).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import heap
from domain.ranking import Ranked, rank
from domain.scoring import Explanation, Past, explain_week
from domain.status import ProjectFacts, Status, Thresholds, status
from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from storage import Database, Tx, facts, projects, schedule, snapshots
from storage import status as stored_status

log = logging.getLogger(__name__)


def week_of(day: date) -> tuple[str, date, date]:
    """(ISO week label, Monday, Sunday) of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)


async def refresh_statuses(
    db: Database,
    project_ids: Sequence[int] | None,
    today: date,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    thresholds: Thresholds,
    *,
    run: tuple[str, str] | None = None,
) -> dict[int, Status] | None:
    """Recompute and store the status of `project_ids` (None: every project) as of `today`,
    the local day now going on, by the deployment's `thresholds`; red stays at least yellow
    until caught up. Reads today's reports and each project's running totals only.

    `run` is the (kind, period) of the daily run, claimed in the same transaction as the
    write, so that the run happens once however many ticks, restarts or catch-ups ask for
    it; None is returned (and nothing written) when it was already made.
    """
    if project_ids is not None and not project_ids:
        return {}
    current = await assess(db, project_ids, today, calendar, tz, thresholds)
    async with db.transaction() as tx:
        if run is not None and not await schedule.claim_run(tx, *run, "schedule", None):
            return None
        await stored_status.put_many(tx, current)
    return current


async def assess(
    db: Database | Tx,
    project_ids: Sequence[int] | None,
    today: date,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    thresholds: Thresholds,
) -> dict[int, Status]:
    """The statuses ``refresh_statuses`` stores, computed only: a report's submission stores
    its project's in its own transaction (services.report_submit)."""
    with heap.quiet():  # every project's facts and status: no reference cycle among them
        found = await facts.load(db, today, today, calendar, tz, project_ids, day_over=False)
        memory = await stored_status.stored(db, project_ids)
        return {f.project_id: status(f, today, thresholds, memory.get(f.project_id))
                for f in found}  # fmt: skip


@dataclass(frozen=True)
class Week:
    """A week's scores: every project and unit explained and ranked within its group.

    ``statuses`` holds every project's current status (the stored one; 未上报 for a project
    never assessed), never a missing entry for a reader to guess.
    """

    period: str
    start: date
    end: date
    projects: list[tuple[ProjectFacts, Explanation]]
    units: dict[str, Explanation]
    unit_ranks: list[Ranked]
    project_ranks: list[Ranked]
    statuses: Mapping[int, Status]


async def score_week(
    db: Database,
    as_of: date,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    config: ScoringConfig,
    *,
    save: bool = True,
) -> Week:
    """Score the week ending `as_of` (Monday..as_of) by the deployment's weights, caps, flags
    and groups (`config`), compare with the week before, and keep a snapshot so next week's
    changes and /rank of a past week are facts. Reads the week's reports only."""
    # Tens of thousands of facts and explanations, no reference cycle among them (heap).
    with heap.quiet():
        return await _score_week(db, as_of, calendar, tz, config, save)


async def _score_week(
    db: Database,
    as_of: date,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    config: ScoringConfig,
    save: bool,
) -> Week:
    period, monday, _ = week_of(as_of)
    previous_period, _, _ = week_of(monday - timedelta(days=1))
    loaded, before, statuses = await asyncio.gather(  # read one after the other, no pause
        facts.load(db, as_of, monday, calendar, tz, None, config.unit_groups),
        _snapshot(db, previous_period),
        stored_status.all_statuses(db),
    )
    # A project that entered the ledger after the week is not scored for it.
    everything = [f for f in loaded if f.entered is None or f.entered <= as_of]
    projects, explained_units = explain_week(
        everything, as_of, config, before["project"], before["unit"]
    )
    units = {unit: explained for unit, _, explained in explained_units}
    groups = {f.unit: f.group for f in everything}
    # A red flag is praise: only for a subject with real progress in the week.
    moved = {f.code for f in everything if f.real_progress_days > 0}
    moved_units = {f.unit for f in everything if f.real_progress_days > 0}
    unit_ranks = rank(
        [(u, groups[u], e.score) for u, e in units.items()], before["unit_rank"], config,
        moved_units,
    )  # fmt: skip
    project_ranks = rank(
        [(f.code, f.group, e.score) for f, e in projects], before["project_rank"], config, moved
    )
    week = Week(period, monday, as_of, projects, units, unit_ranks, project_ranks, statuses)
    if save:
        await keep(db, week)
    return week


async def _snapshot(db: Database, period: str) -> dict[str, dict]:
    """Last week's scores and metrics' values (for "change since last week") and ranks."""
    found: dict[str, dict] = {"unit": {}, "project": {}, "unit_rank": {}, "project_rank": {}}
    for k in await snapshots.of_period(db, period):
        _remember(found, k)
    return found


def _remember(found: dict[str, dict], k: snapshots.Kept) -> None:
    if k.name is None:  # a unit or project since removed
        return
    explained = Past(k.score, k.metrics)
    if k.subject == snapshots.UNIT:
        found["unit"][k.name] = explained
        found["unit_rank"][k.name] = k.rank
    else:
        found["project"][k.subject_id] = explained
        found["project_rank"][k.name] = k.rank


async def keep(db: Database, week: Week) -> None:
    """Keep the week's scores and places, so next week's changes and a past week are facts."""
    unit_ids = {name: uid for uid, name in await projects.units(db)}
    by_code = {r.subject: r for r in week.project_ranks}
    by_unit = {r.subject: r for r in week.unit_ranks}
    kept = []
    for f, e in week.projects:
        ranked = by_code.get(f.code)
        if ranked:
            kept.append(snapshots.Kept(snapshots.PROJECT, f.project_id, f.code, ranked.group,
                                       e.score, ranked.rank, _metrics(e)))  # fmt: skip
    for unit, e in week.units.items():
        ranked = by_unit.get(unit)
        if ranked and unit in unit_ids:
            kept.append(snapshots.Kept(snapshots.UNIT, unit_ids[unit], unit, ranked.group,
                                       e.score, ranked.rank, _metrics(e)))  # fmt: skip
    # A finished week is scored again by /rank, /why and /status: write it only when a score
    # changed, so a leader's question costs a read, not a rewrite of 5,000 rows.
    if _same(await snapshots.of_period(db, week.period), kept):
        return
    async with db.transaction() as tx:
        await snapshots.replace(tx, week.period, kept)


def _same(stored: list[snapshots.Kept], kept: list[snapshots.Kept]) -> bool:
    def key(k: snapshots.Kept) -> tuple:
        return (k.subject, k.subject_id)

    return len(stored) == len(kept) and sorted(stored, key=key) == sorted(kept, key=key)


def _metrics(e: Explanation) -> dict[str, float | None]:
    return {line.metric: line.value for line in e.lines}
