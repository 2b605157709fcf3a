"""The province's SQLite file: the bot's schema (its own migrations), the bulk rows
(province.Province, through plain sqlite3 in one transaction), then what the running bot would
have left (statuses, the weekly scores of every past week)."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.ranking import AS_OF, SEED, TZ
from bench.ranking.province import Province, report_days, utc
from domain.status import status as project_status
from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from ranking.service import score_week, week_of
from storage import Database, facts, schedule


def generate(
    path: Path, projects: int, units: int, days: int | None, years: int = 1
) -> dict[str, Any]:
    """Create the province's SQLite file; return row counts and how long it took."""
    started = time.perf_counter()
    asyncio.run(_migrate(path))
    calendar = WorkCalendar()
    on = report_days(calendar, days, years)
    rng = random.Random(SEED + projects)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # Generation is not what is measured: no fsync, no WAL (Database.open turns WAL
        # back on when the measurement opens the file).
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")  # 256 MiB: index inserts stay in memory
        conn.execute("BEGIN")
        province = Province(conn, rng, on)
        unit_rows = province.units(units)
        plans = province.projects(projects, unit_rows)
        raised = province.problems(plans, unit_rows)
        province.reports(plans, raised)
        conn.execute("COMMIT")
    finally:
        conn.close()
    bulk_s = time.perf_counter() - started
    counts = dict(province.counts)
    counts["score_snapshots"] = asyncio.run(_derive(path, calendar, on[0]))
    return {
        "projects": projects,
        "units": units,
        "years": years,
        "report_days": len(on),
        "first_day": on[0].isoformat(),
        "counts": counts,
        "bulk_s": bulk_s,
        "total_s": time.perf_counter() - started,
        "db_mb": path.stat().st_size / 2**20,
    }


async def _migrate(path: Path) -> None:
    db = await Database.open(path)  # the bot's own migrations: the schema is the real one
    await db.close()


async def _derive(path: Path, calendar: WorkCalendar, first_day: date) -> int:
    """What the running bot would have left: each project's status (recomputed on every
    report), last week's scores, so this week's rank changes are real, and a score for
    every earlier week of the history (a copy of last week's: /status reads a project's
    trend among them). Returns the snapshot rows."""
    db = await Database.open(path)
    try:
        _, monday, _ = week_of(AS_OF)
        found = await facts.load(db, AS_OF, monday, calendar, TZ)
        stamp = utc(AS_OF, 18)
        rows = []
        for f in found:
            s = project_status(f, AS_OF)
            rows.append((f.project_id, s.color, json.dumps(s.reasons), int(s.since_red), stamp))
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO project_status (project_id, color, reasons, since_red, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            # The month's bulletin went out on its 1st: a bot started on the data does not
            # catch it up (its figures and ledger are timed on their own).
            await schedule.claim_run(tx, "monthly", AS_OF.strftime("%Y-%m"), "schedule", None)
        last = AS_OF - timedelta(days=7)
        await score_week(db, last, calendar, TZ, ScoringConfig(), save=True)
        kept, _, _ = week_of(last)
        weeks = []
        day = last - timedelta(days=7)
        while day >= first_day:
            weeks.append(week_of(day)[0])
            day -= timedelta(days=7)
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO score_snapshots (period, subject, subject_id, grp, score, rank,"
                " metrics) SELECT ?, subject, subject_id, grp, score, rank, metrics"
                " FROM score_snapshots WHERE period = ?",
                [(week, kept) for week in weeks],
            )
        return await db.fetchval("SELECT COUNT(*) FROM score_snapshots")
    finally:
        await db.close()
