"""Benchmark: many liaisons completing /report at once, next to a bare PTB echo bot.

    .venv/bin/python -m bench.reports [--liaisons N] [--reports-per-liaison K] [--quick]
                                      [--repeat R] [--rate-limit M] [--tracemalloc] [--profile]

Each bot runs in its own child process (a fresh interpreter: its peak RSS is its own, and
neither inherits the other's warm caches or heap), with its own fake Bot API server in that
process, driven over real HTTP by simulated people in the same event loop. The figures are
printed, not asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import logging
import pstats
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import date
from pathlib import Path

import aiosqlite

from application import POLL_INTERVAL
from bench.common import (
    Bot,
    Driver,
    PhaseResult,
    Press,
    Script,
    machine,
    median,
    rss_peak_mb,
    run_child,
)
from bench.echo import run_echo
from storage import Database
from tests.fakebot import FakeBotApi
from tests.harness import SUMMARY, RunningBot, make_config, next_answer, seed_liaisons

FIRST_ID = 70_000
STEP_LIMIT_S = 30.0  # one answer; a healthy run answers in well under a second
GOAL = 0.8  # Jinzhan's updates/s over the bare bot's, from the issue
UPDATES_PER_REPORT = 7
STEP = "步 · "  # every question of /report says which step of how many it is


def report_script(k: int) -> Script:
    """/report, then each question answered by the field it asks — what was done, +100万,
    every other field skipped — then confirm: 7 updates with the built-in template.

    From the second report of the day on it is a correction, and the first question says so
    ("今天已上报过") in the same message.
    """
    answers = {"进展": f"第{k}次进展", "投资": "+100"}
    last = yield ("/report", STEP)
    while (reply := next_answer(last.text or "", answers)) is not None:
        assert isinstance(reply, str)
        last = yield (reply, (STEP, SUMMARY))
    yield (Press("确认"), "已保存")


JINZHAN = Bot(
    name="jinzhan",
    script=report_script,
    tolerated=("今天已上报过",),
    # /cancel drops whatever draft is open; a stale reader may say there is none.
    reset=("/cancel", ("已取消", "当前没有进行中的操作")),
)


class SqlCounter:
    """Counts the SQL statements the bot runs during the traffic, by first keyword.

    Uses sqlite3's trace callback on the bot's three connections (writer, reader, and the
    lookup's on the event loop); they are private attributes of storage.Database, so a changed
    Database only loses this figure, never the run.
    """

    def __init__(self) -> None:
        # One tally per connection: each callback runs in that connection's own aiosqlite
        # thread, so two threads never update the same dict.
        self._tallies: list[dict[str, int]] = []

    async def attach(self, db: Database) -> bool:
        conns = [getattr(db, name, None) for name in ("_writer", "_conn")]
        quick = getattr(db, "_quick", None)  # Database.lookup's, used on the event loop
        if not all(isinstance(c, aiosqlite.Connection) for c in conns) or not isinstance(
            quick, sqlite3.Connection
        ):
            return False
        for conn in [*conns, quick]:
            tally: dict[str, int] = {}
            self._tallies.append(tally)
            count = functools.partial(_count_statement, tally)
            if isinstance(conn, sqlite3.Connection):
                conn.set_trace_callback(count)
            else:
                await conn.set_trace_callback(count)
        return True

    @property
    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for tally in self._tallies:
            for word, n in tally.items():
                total[word] = total.get(word, 0) + n
        return total


def _count_statement(tally: dict[str, int], statement: str) -> None:
    word = statement.split(None, 1)[0].upper() if statement.strip() else "?"
    tally[word] = tally.get(word, 0) + 1


async def run_jinzhan(
    liaisons: int,
    rounds: int,
    *,
    step_limit_s: float,
    run_limit_s: float,
    trace: bool,
    rate_limit: int | None,
) -> PhaseResult:
    """The real Application, a fresh SQLite file, `liaisons` people reporting `rounds` times."""
    result = PhaseResult(bot="jinzhan", people=liaisons, rounds=rounds)
    with tempfile.TemporaryDirectory(prefix="jinzhan-bench-") as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        await seed_liaisons(db_path, liaisons, FIRST_ID, year=date.today().year)
        async with FakeBotApi() as fake:
            # None: the harness's own default (Telegram's 30 msg/s lifted, as in the tests).
            limit = {} if rate_limit is None else {"rate_limit": rate_limit}
            config = make_config(fake, db_path, **limit)
            result.extra["rate_limit"] = config.telegram.rate_limit
            bot = RunningBot(config)
            await bot.start()
            try:
                users = [fake.user(FIRST_ID + i, f"联络员{i}") for i in range(liaisons)]
                result.rss_ready_mb = rss_peak_mb()
                sql = SqlCounter()
                counting = await sql.attach(bot.db)
                if trace:
                    tracemalloc.start()
                await Driver(fake, JINZHAN, result, step_limit_s).run(users, rounds, run_limit_s)
                if counting:
                    result.extra["sql"] = sql.counts
                if trace:
                    result.heap_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
                    tracemalloc.stop()
                result.rss_peak_mb = rss_peak_mb()
                result.extra["bot_calls"] = dict(Counter(call.method for call in fake.calls))
            finally:
                started = time.perf_counter()
                await bot.stop()
                result.extra["stop_s"] = time.perf_counter() - started
        # Correctness, not timing: every confirmed report is one stored revision.
        with sqlite3.connect(db_path) as conn:
            (stored,) = conn.execute("SELECT COUNT(*) FROM report_revisions").fetchone()
        result.extra["revisions"] = stored
    return result


# ---- one phase, in a child process ------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reports",
        description="Many liaisons reporting at once vs a bare PTB echo bot: figures, printed.",
    )
    parser.add_argument("--liaisons", type=int, default=200, help="simulated liaisons (200)")
    parser.add_argument(
        "--reports-per-liaison", type=int, default=3, help="reports each, back to back (3)"
    )
    parser.add_argument("--quick", action="store_true", help="small run: 50 liaisons x 2")
    parser.add_argument("--repeat", type=int, default=1, help="repetitions, medians shown (1)")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        help="Jinzhan's telegram.rate_limit (msg/s); default: the test harness's, which lifts "
        "Telegram's 30/s since the fake is not Telegram. 30 shows the production cap.",
    )
    parser.add_argument(
        "--echo-pool",
        type=int,
        default=None,
        help="connection pool size of the echo bot; default: PTB's (256), as Jinzhan has. A "
        "small pool (16) makes the echo bot faster with hundreds of people: a stricter yardstick",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also measure the Python heap peak (slows both bots: timings then are not clean)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile each phase and print where the time goes (slows both)",
    )
    parser.add_argument("--step-timeout", type=float, default=STEP_LIMIT_S, help="seconds")
    # Internal: run one phase in this process and print its figures as one JSON line.
    parser.add_argument("--phase", choices=("echo", "jinzhan"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.liaisons, args.reports_per_liaison = 50, 2
    if min(args.liaisons, args.reports_per_liaison, args.repeat, args.echo_pool or 1) < 1:
        parser.error("--liaisons, --reports-per-liaison, --repeat, --echo-pool: at least 1")
    return args


def run_limit_s(args: argparse.Namespace) -> float:
    """Wall-clock bound of one phase: it ends by itself even when the bot stalls."""
    updates = args.liaisons * args.reports_per_liaison * UPDATES_PER_REPORT
    if args.rate_limit is not None and args.rate_limit < 100:
        # Capped sends (about 1.1 per update) queue: room for that, plus half again.
        return min(900.0, 20 + updates * 1.1 / args.rate_limit * 1.5)
    # Uncapped, both bots do a few hundred updates/s on 2 cores; 40/s is a stall.
    return min(600.0, 20 + updates / 40)


def run_phase(args: argparse.Namespace) -> None:
    """Child process: one bot, one run; the last stdout line is the JSON result."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.phase == "echo":
        coro = run_echo(
            args.liaisons,
            args.reports_per_liaison,
            step_limit_s=args.step_timeout,
            run_limit_s=run_limit_s(args),
            trace=args.tracemalloc,
            pool_size=args.echo_pool,
        )
    else:
        coro = run_jinzhan(
            args.liaisons,
            args.reports_per_liaison,
            step_limit_s=args.step_timeout,
            run_limit_s=run_limit_s(args),
            trace=args.tracemalloc,
            rate_limit=args.rate_limit,
        )
    if args.profile:
        profiler = cProfile.Profile()
        result = profiler.runcall(asyncio.run, coro)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        result.extra["profile"] = out.getvalue()
    else:
        result = asyncio.run(coro)
    print(result.to_json(), flush=True)


def _child_args(args: argparse.Namespace, phase: str) -> list[str]:
    child = [
        "--phase", phase,
        "--liaisons", str(args.liaisons),
        "--reports-per-liaison", str(args.reports_per_liaison),
        "--step-timeout", str(args.step_timeout),
    ]  # fmt: skip
    if args.rate_limit is not None:
        child += ["--rate-limit", str(args.rate_limit)]
    if args.echo_pool is not None:
        child += ["--echo-pool", str(args.echo_pool)]
    child += [f"--{flag}" for flag in ("tracemalloc", "profile") if getattr(args, flag)]
    return child


# ---- the parent: run the phases, print the table ----------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase:
        run_phase(args)
        return 0
    print(f"machine: {machine()}")
    print(
        f"load: {args.liaisons} people at once, each {args.reports_per_liaison} conversations"
        f" of {UPDATES_PER_REPORT} updates (6 texts + 1 button press, each waiting for its"
        f" answer); repeat {args.repeat}"
    )
    runs: dict[str, list[PhaseResult]] = {"echo": [], "jinzhan": []}
    for r in range(args.repeat):
        # Both bots in every repetition, so slow drift of the machine hits both.
        for name in runs:
            print(f"  run {r + 1}/{args.repeat}: {name} ...", end="", flush=True)
            try:
                result = run_child(
                    "bench.reports", _child_args(args, name), run_limit_s(args) + 60
                )
            except RuntimeError as exc:
                print(f"\n{exc}", file=sys.stderr)
                return 2
            print(f" {result.wall_s:.1f} s", flush=True)
            runs[name].append(result)
    print()
    print_table(runs, args)
    for name, results in runs.items():
        if "profile" in results[0].extra:
            print(f"\n{name} phase, cProfile (run 1, top by own time):")
            print(results[0].extra["profile"])
    return 1 if any(r.failures for results in runs.values() for r in results) else 0


def _figure(result: PhaseResult, figure: str) -> float:
    if figure in ("p50", "p95"):
        return result.percentile_ms(float(figure[1:]))
    value = getattr(result, figure)
    return float("nan") if value is None else float(value)


def print_table(runs: dict[str, list[PhaseResult]], args: argparse.Namespace) -> None:
    def med(name: str, figure: str) -> float:
        return median([_figure(r, figure) for r in runs[name]])

    heap = args.tracemalloc
    how = f"median of {args.repeat} runs" if args.repeat > 1 else "one run"
    header = (
        f"{'bot':<9}{'updates':>8}{'wall s':>8}{'upd/s':>8}{'reports/s':>10}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'peak RSS MB':>12}" + (f"{'heap MB':>9}" if heap else "")
    )
    print(f"figures ({how}; latency per conversation step = update sent -> its answer seen)")
    print(header)
    print("-" * len(header))
    for name in runs:
        reports = f"{med(name, 'conversations_per_s'):>10.1f}" if name == "jinzhan" else ""
        print(
            f"{name:<9}{med(name, 'updates'):>8.0f}{med(name, 'wall_s'):>8.2f}"
            f"{med(name, 'updates_per_s'):>8.0f}{reports:>10}{med(name, 'p50'):>8.1f}"
            f"{med(name, 'p95'):>8.1f}{med(name, 'rss_peak_mb'):>12.0f}"
            + (f"{med(name, 'heap_peak_mb'):>9.1f}" if heap else "")
        )
    expected = args.liaisons * args.reports_per_liaison
    for name, results in runs.items():
        failed = sum(expected - r.conversations for r in results)
        if failed:
            print(
                f"WARNING {name}: {failed} of {expected * len(results)} conversations failed"
                " (details below); its figures count every update it handled, right or wrong."
            )
    ratios = [j.updates_per_s / e.updates_per_s for e, j in zip(*runs.values(), strict=True)]
    ratio = median(ratios)
    verdict = "met" if ratio >= GOAL else "NOT met"
    print(
        f"\nratio jinzhan/echo updates/s: {ratio:.2f} (goal >= {GOAL}: {verdict})"
        + (f"; per run {', '.join(f'{x:.2f}' for x in ratios)}" if len(ratios) > 1 else "")
    )
    rate = runs["jinzhan"][0].extra.get("rate_limit")
    pool = args.echo_pool or "PTB default"
    print(
        "echo = python-telegram-bot defaults + concurrent_updates(True), connection pool"
        f" {pool}, polls at once: no rate limiter, no storage. jinzhan = build_application()"
        f" as shipped, polls {POLL_INTERVAL}s apart, telegram.rate_limit = {rate}/s."
    )
    print(
        "peak RSS = ru_maxrss of the phase's whole process (bot + fake server + simulated"
        " people); before traffic: "
        + ", ".join(f"{n} {med(n, 'rss_ready_mb'):.0f} MB" for n in runs)
        + (". heap = tracemalloc peak during traffic (it slows every figure)." if heap else ".")
    )
    for name, results in runs.items():
        for i, r in enumerate(results, start=1):
            notes = [f"{r.conversations}/{expected} conversations completed"]
            if "revisions" in r.extra:
                stored = r.extra["revisions"]
                if stored == expected:
                    verdict = "ok"
                elif stored == r.conversations:
                    verdict = "= the reports confirmed, not all that were wanted"
                else:
                    verdict = f"MISMATCH with {r.conversations} confirmed"
                notes.append(f"report_revisions rows {stored}, expected {expected} ({verdict})")
            notes.append(f"Bot API errors {r.api_errors}")
            notes.append("CPU ms/update {cpu_ms:.2f} (event loop {loop_ms:.2f})".format(**r.extra))
            if r.extra.get("sql") and r.updates:
                sql = r.extra["sql"]
                per = sum(sql.values()) / r.updates
                top = sorted(sql.items(), key=lambda kv: -kv[1])[:5]
                notes.append(
                    f"SQL statements per update {per:.1f} ("
                    + ", ".join(f"{w} {n / r.updates:.1f}" for w, n in top)
                    + ")"
                )
            if "bot_calls" in r.extra:
                calls = r.extra["bot_calls"]
                notes.append("calls: " + ", ".join(f"{m} {n}" for m, n in sorted(calls.items())))
            print(f"  {name} run {i}: " + "; ".join(notes))
            for what, n in sorted(r.failures.items(), key=lambda kv: -kv[1])[:5]:
                print(f"    FAILED {n}x {what}")


if __name__ == "__main__":
    sys.exit(main())
