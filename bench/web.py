"""Benchmark: the web dashboard's pages for a generated province, over real HTTP.

    .venv/bin/python -m bench.web [--projects 5000] [--runs 15] [--quick] [--db FILE]

The province is bench.ranking's (units, projects with plans and milestones, a year of daily
reports with corrections, problems). The dashboard's own server (web.server.WebServer, the
one the bot starts) serves it on a free local port; an admin and a leader sign in through a
one-time link as people do, and each page is fetched `--runs` times in a row.

Printed: what making the snapshot of the city's figures costs (facts, stored statuses, this
and last week's scores: about twice what /rank costs; web/snapshot.py makes it at most once
per ten times that while the database keeps changing, and reuses it while nothing changes),
then each page's median and slowest answer with the snapshot made. Figures, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

from bench.common import machine
from bench.ranking.build import generate
from config import parse_config
from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from storage import Database, people
from web.server import WebServer
from web.snapshot import REUSE_FACTOR, take

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 17, 0, tzinfo=TZ).astimezone(UTC)  # a Friday, reports in
GOAL_MS = 200.0
PAGES = (
    ("总览 /", "/"),
    ("单位列表 /units", "/units"),
    ("单位 /units/<largest>", "/units/{unit}"),
    ("项目 /projects/<busiest>", "/projects/{project}"),
    ("问题台账 /problems", "/problems"),
    ("问题台账 筛选", "/problems?state=assigned"),
    ("问题 /problems/<id>", "/problems/{problem}"),
    ("下载页 /download", "/download"),
)


async def _sign_in(server: WebServer, http: aiohttp.ClientSession, person_id: int) -> None:
    link = await server.login_link(person_id)
    async with http.get(link) as response:
        assert response.status == 200, response.status


async def _fetch(http: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with http.get(url) as response:
        await response.read()
        assert response.status == 200, (url, response.status)
    return (time.perf_counter() - started) * 1000


async def measure(path: Path, runs: int) -> list[tuple[str, float, float]]:
    db = await Database.open(path)
    config = parse_config(
        {"telegram": {"token": "1:bench"}, "web": {"port": 0}, "storage": {"path": str(path)}},
        base_dir=path.parent, env={},
    )  # fmt: skip

    async def calendar() -> WorkCalendar:
        return WorkCalendar()

    server = WebServer(db, config, lambda: NOW, calendar, None)
    await server.start()
    try:
        async with db.transaction() as tx:
            admin = await people.upsert(tx, 90_000_001, "项目办", None)
            await people.grant(tx, admin, "admin")
        ids = {
            "unit": await db.fetchval("SELECT unit_id FROM projects GROUP BY unit_id"
                                      " ORDER BY COUNT(*) DESC LIMIT 1"),
            "project": await db.fetchval("SELECT project_id FROM reports GROUP BY project_id"
                                         " ORDER BY COUNT(*) DESC LIMIT 1"),
            "problem": await db.fetchval("SELECT MAX(id) FROM problems"),
        }  # fmt: skip
        jar = aiohttp.CookieJar(unsafe=True)
        results = []
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            await _sign_in(server, http, admin)
            # The first view makes the snapshot (in a worker thread): how late is the bot's
            # own event loop meanwhile, against making it on the loop as /rank does?
            cold, late = await _lagged(server.site.snapshots.get)
            today = NOW.astimezone(TZ).date()
            inline, late_inline = await _lagged(
                lambda: take(db, today, NOW, WorkCalendar(), TZ, ScoringConfig())
            )
            results.append(("cold", cold, late))
            results.append(("inline", inline, late_inline))
            for label, path_ in PAGES:
                url = server.base_url + path_.format(**ids)
                times = [await _fetch(http, url) for _ in range(runs)]
                results.append((label, statistics.median(times), max(times)))
        return results
    finally:
        await server.stop()
        await db.close()


async def _lagged(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(seconds `work` took, the event loop's worst lateness meanwhile in ms), probing the
    loop every 10 ms the way any other coroutine of the bot would wait its turn."""
    loop = asyncio.get_running_loop()
    worst = 0.0
    done = False

    async def probe() -> None:
        nonlocal worst
        while not done:
            started = loop.time()
            await asyncio.sleep(0.01)
            worst = max(worst, loop.time() - started - 0.01)

    task = asyncio.create_task(probe())
    took = await _timed(work)
    done = True
    await task
    return took, worst * 1000


async def snapshot_cost(path: Path, runs: int) -> list[float]:
    """Seconds to make the pages' snapshot, `runs` times (the first one is cold)."""
    db = await Database.open(path)
    try:
        today = NOW.astimezone(TZ).date()
        return [await _timed(lambda: take(db, today, NOW, WorkCalendar(), TZ, ScoringConfig()))
                for _ in range(runs)]  # fmt: skip
    finally:
        await db.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.web", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--projects", type=int, default=5000, help="province size (5000)")
    parser.add_argument("--units", type=int, default=150, help="units (150)")
    parser.add_argument("--runs", type=int, default=15, help="warm fetches per page (15)")
    parser.add_argument("--days", type=int, default=None, help="workdays of reports (a year)")
    parser.add_argument("--quick", action="store_true", help="250 projects, 60 days, 5 runs")
    parser.add_argument("--db", type=Path, help="reuse (or keep) the generated province here")
    args = parser.parse_args(argv)
    if args.quick:
        args.projects, args.days, args.runs = 250, 60, 5
    if not 1 <= args.projects <= 50_000 or not 1 <= args.runs <= 200:
        parser.error("--projects 1..50000, --runs 1..200")
    return args


async def _timed(work: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="jinzhan-web-") as tmp:
        path = args.db or Path(tmp) / "province.sqlite3"
        if not path.exists():
            print(f"generating a province of {args.projects} projects ...", flush=True)
            made = generate(path, args.projects, args.units, args.days)
            counts = made["counts"]
            print(f"  {counts['reports']:,} reports, {counts['problems']:,} problems,"
                  f" {made['db_mb']:.0f} MB, in {made['total_s']:.0f} s")  # fmt: skip
        print(f"as of {NOW.astimezone(TZ)}", flush=True)
        made = asyncio.run(snapshot_cost(path, 3))
        results = asyncio.run(measure(path, args.runs))
    print(
        f"\n  snapshot (facts + statuses + this and last week scored): cold {made[0]:.2f} s,"
        f" then {statistics.median(made[1:]):.2f} s; reused for up to"
        f" {REUSE_FACTOR * statistics.median(made[1:]):.0f} s while the database changes"
    )
    (_, cold, late), (_, inline, late_inline), *pages = results
    print(f"  snapshot made in a worker thread, as the pages do: {cold:.2f} s; the bot's event"
          f" loop was at most {late:.0f} ms late meanwhile (made on the loop instead:"
          f" {inline:.2f} s, the loop {late_inline:.0f} ms late)")  # fmt: skip
    print(f"\n  {'page, snapshot made':<28}{'median ms':>12}{'max ms':>10}"
          f"   ({args.runs} fetches each)")  # fmt: skip
    for label, warm, slowest in pages:
        pad = 28 - sum(2 if ord(ch) > 0x2E80 else 1 for ch in label) + len(label)
        print(f"  {label:<{pad}}{warm:>12.1f}{slowest:>10.1f}")
    worst = max(warm for _, warm, _ in pages)
    verdict = "within" if worst < GOAL_MS else "OVER"
    print(f"\n  slowest warm median {worst:.1f} ms: {verdict} the {GOAL_MS:.0f} ms goal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
