"""Tools that take a measurement apart: chart drawing alone, the cyclic GC's share, each SQL
read by the line that makes it, score_week's phases, the heap peak, cProfile."""

from __future__ import annotations

import contextlib
import cProfile
import gc
import pstats
import sqlite3
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from bench.ranking import ROOT
from ranking import service
from scheduler import periodic
from storage import Database, facts
from storage import status as stored_status


class PngClock:
    """Times the PNG drawing alone, inside the renderer's own calls.

    scheduler.periodic calls its module-level names unit_ranking_png / project_board_png /
    bulletin_png; wrapping them in this process separates drawing from scoring without
    touching the bot's code.
    """

    NAMES = ("unit_ranking_png", "project_board_png", "bulletin_png")

    def __init__(self) -> None:
        self.last: dict[str, float] = {}
        # Set while profiling: drawing runs in a worker thread (asyncio.to_thread), which a
        # profiler enabled on the event loop's thread does not see.
        self.profiler: cProfile.Profile | None = None

    def install(self) -> None:
        for name in self.NAMES:
            setattr(periodic, name, self._wrap(name, getattr(periodic, name)))

    def _wrap(self, name: str, draw: Callable[..., bytes]) -> Callable[..., bytes]:
        def timed(*args: Any, **kwargs: Any) -> bytes:
            profiler = self.profiler
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()  # in this worker thread
            try:
                return draw(*args, **kwargs)
            finally:
                if profiler is not None:
                    profiler.disable()
                self.last[name] = time.perf_counter() - started

        return timed


class GcClock:
    """Time the cyclic garbage collector takes, in any thread.

    aiosqlite builds its result rows (sqlite3.Row, tracked by the collector) in its own
    thread and charts draw in worker threads; gc.callbacks see collections in all of them.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0  # generation-2 collections: these walk the whole heap
        self._started = 0.0

    def install(self) -> None:
        gc.callbacks.append(self._on)

    def _on(self, phase: str, info: dict[str, int]) -> None:
        # Collections never overlap (the collector holds the GIL), so one start time serves.
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        self.full += info["generation"] == 2


GC = GcClock()


async def timed(work: Awaitable[Any]) -> float:
    started = time.perf_counter()
    await work
    return time.perf_counter() - started


async def lap(out: dict[str, float], key: str, work: Awaitable[Any]) -> None:
    """out[key] = seconds of `work`; out[key:gc] = the collector's share of them."""
    collected = GC.seconds
    out[key] = await timed(work)
    out[f"{key}:gc"] = GC.seconds - collected


class QueryTimer:
    """Wall time of every read the bot's code makes, by the file:line that made it.

    SQL runs in aiosqlite's thread, which cProfile does not see; timing the awaited reads on
    the Database instance attributes it to the calling line instead.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.by_site: dict[str, list[Any]] = {}  # site -> [seconds, calls, rows, sql]
        self._originals = (db.fetchall, db.fetchone, db.fetch_batch)

    def __enter__(self) -> QueryTimer:
        fetchall, fetchone, fetch_batch = self._originals

        async def timed_fetchall(sql: str, params: Any = ()) -> list[sqlite3.Row]:
            site = _caller(sys._getframe(1))
            started = time.perf_counter()
            rows = await fetchall(sql, params)
            self._note(site, time.perf_counter() - started, len(rows), sql)
            return rows

        async def timed_fetchone(sql: str, params: Any = ()) -> sqlite3.Row | None:
            site = _caller(sys._getframe(1))
            started = time.perf_counter()
            row = await fetchone(sql, params)
            self._note(site, time.perf_counter() - started, int(row is not None), sql)
            return row

        async def timed_batch(queries: Any) -> list[list[sqlite3.Row]]:
            site = _caller(sys._getframe(1))
            started = time.perf_counter()
            found = await fetch_batch(queries)
            sql = f"{len(queries)} reads in one batch: {queries[0][0] if queries else ''}"
            self._note(site, time.perf_counter() - started, sum(map(len, found)), sql)
            return found

        # Instance attributes shadow the methods for this Database only.
        self.db.fetchall = timed_fetchall  # type: ignore[method-assign]
        self.db.fetchone = timed_fetchone  # type: ignore[method-assign]
        self.db.fetch_batch = timed_batch  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        del self.db.fetchall, self.db.fetchone, self.db.fetch_batch

    def _note(self, site: str, seconds: float, rows: int, sql: str) -> None:
        entry = self.by_site.setdefault(site, [0.0, 0, 0, " ".join(sql.split())])
        entry[0] += seconds
        entry[1] += 1
        entry[2] += rows


def _caller(frame: Any) -> str:
    """file:line of the first frame outside this benchmark and storage/db.py."""
    for _ in range(10):  # bounded walk up the await chain
        if frame is None:
            break
        name = frame.f_code.co_filename
        if "bench/ranking/" not in name and not name.endswith("storage/db.py"):
            return f"{_rel(name)}:{frame.f_lineno}"
        frame = frame.f_back
    return "?"


def _rel(name: str) -> str:
    try:
        return str(Path(name).resolve().relative_to(ROOT))
    except ValueError:
        return Path(name).name


@contextlib.contextmanager
def phase_clock(spans: dict[str, tuple[float, float]]) -> Iterator[None]:
    """When score_week's parts start and end, by wrapping the module attributes it calls
    through (its reads run side by side: spans, not sums)."""
    targets = [
        (facts, "load", "facts.load"),
        (service, "_snapshot", "last week's scores"),
        (stored_status, "all_statuses", "statuses"),
        (service, "keep", "keep the week"),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in targets]

    def wrap(fn: Callable[..., Awaitable[Any]], key: str) -> Callable[..., Awaitable[Any]]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                spans[key] = (started, time.perf_counter())

        return wrapper

    for owner, name, key in targets:
        setattr(owner, name, wrap(getattr(owner, name), key))
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


READS = ("facts.load", "last week's scores", "statuses")


async def breakdown(db: Database, work: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    """One score_week (`work`) taken apart: reading (facts, last week's scores and the
    statuses, side by side), scoring and ranking, keeping the week; and each SQL read by the
    line that makes it (queued together, so each one's time includes its wait)."""
    spans: dict[str, tuple[float, float]] = {}
    collected, full = GC.seconds, GC.full
    started = time.perf_counter()
    with QueryTimer(db) as queries, phase_clock(spans):
        await work()
    ended = time.perf_counter()
    gc_s, gc_full = GC.seconds - collected, GC.full - full
    read_end = max(spans[k][1] for k in READS if k in spans)
    keep = spans.get("keep the week", (ended, ended))
    phases = {
        "read (facts, last week's scores, statuses)": read_end - started,
        "  of which facts.load": spans["facts.load"][1] - spans["facts.load"][0],
        "score and rank (explain_week, rank)": keep[0] - read_end,
        "keep the week (compare, write if changed)": keep[1] - keep[0],
    }
    sites = sorted(queries.by_site.items(), key=lambda kv: -kv[1][0])
    return {"total": ended - started, "phases": phases,
            "queries": [[k, *v] for k, v in sites], "gc_s": gc_s, "gc_full": gc_full}  # fmt: skip


async def heap_peak(work: Callable[[], Awaitable[Any]]) -> float:
    """Python heap peak (MiB) of one call, under tracemalloc (slow: a separate pass)."""
    tracemalloc.start()
    try:
        await work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


async def profile(
    db: Database, png: PngClock, work: Callable[[], Awaitable[Any]], top: int = 12
) -> list[str]:
    """cProfile one call: top functions by own time (event loop thread + chart drawing),
    this project's by cumulative time, and (in aiosqlite's thread, unseen by cProfile) each
    SQL read by the line that makes it."""
    profiler, drawing = cProfile.Profile(), cProfile.Profile()
    collected = GC.seconds
    png.profiler = drawing
    with QueryTimer(db) as queries:
        profiler.enable()
        try:
            await work()
        finally:
            profiler.disable()
            png.profiler = None
    gc_s = GC.seconds - collected
    merged = pstats.Stats(profiler)
    if drawing.getstats():  # pstats refuses a profiler that saw nothing
        merged.add(drawing)
    stats = merged.stats  # type: ignore[attr-defined]
    rows = [(tt, ct, nc, f"{_rel(f)}:{line}({fn})")
            for (f, line, fn), (_, nc, tt, ct, _) in stats.items()
            if not _rel(f).startswith("bench/")]  # fmt: skip
    head = f"{'own s':>8}{'cum s':>8}{'calls':>10}  "
    lines = [head + "function, by own time (event loop thread and drawing thread)"]
    for tt, ct, nc, where in sorted(rows, reverse=True)[:top]:
        idle = "  <- event loop idle: awaiting SQL or a chart's thread" if "poll" in where else ""
        lines.append(f"{tt:>8.3f}{ct:>8.3f}{nc:>10}  {where}{idle}")
    ours = [r for r in rows if not r[3].startswith((".venv", "~", "<")) and "/" in r[3]]
    lines.append(head + "this project's functions, by cumulative time")
    lines += [f"{tt:>8.3f}{ct:>8.3f}{nc:>10}  {where}"
              for tt, ct, nc, where in sorted(ours, key=lambda r: -r[1])[:top]]  # fmt: skip
    lines.append(f"{'s':>8}{'rows':>18}  SQL read, by file:line of the call (aiosqlite's thread)")
    for site, (seconds, _calls, nrows, sql) in sorted(
        queries.by_site.items(), key=lambda kv: -kv[1][0]
    )[:6]:
        lines.append(f"{seconds:>8.3f}{nrows:>18,}  {site}  {sql[:60]}")
    lines.append(f"{gc_s:>8.3f}{'':>18}  cyclic GC during the call (any thread)")
    return lines
