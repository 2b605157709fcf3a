"""Benchmark: the Monday weekly push of a generated province, sent by the bot in a process of
its own to the fake Bot API in this one.

    .venv/bin/python -m bench.weekly [--projects 5000] [--units 150] [--rate 30] [--quick]

The province is bench.ranking's: every unit's group and the leaders' group are bound, so the
push is a chart per unit group (150) plus the leaders' charts per ranking group and the
龙虎榜. The bot runs in a child process (tests.harness.RunningBot on a fake clock, polling this
process's fake server over HTTP), so its peak RSS is the bot's own, not the fake server's.
Twice, each on a fresh copy of the province and in a fresh process:

- drawn ahead, as a running bot does: a tick at 08:40 (the day's status run), one at 08:45
  that renders the push's charts (scheduler.ahead), the 09:00 tick that sends them;
- drawn when sent, as a bot started at 09:00 does: the 08:40 tick, then 09:00.

Printed: the fan-out's pace (first to last chart arriving at the server) against the
configured rate, each tick's time, and the bot process's peak RSS. The fake server does not
enforce Telegram's limits; as bench.fanout, sends a strict 30-per-second server would refuse
are estimated from the arrivals. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, machine, rss_peak_mb
from bench.pace import TELEGRAM_PER_S, most_per_second, refused_by_strict_limit
from bench.ranking.province import LEADERS_CHAT
from tests.fakebot import ApiCall, FakeBotApi

MONDAY = "2026-11-30"  # the push of week 2026-W48 (bench.ranking's AS_OF is its Sunday)
STATUS_AT, AHEAD_AT, PUSH_AT = f"{MONDAY} 08:40", f"{MONDAY} 08:45", f"{MONDAY} 09:00"
GOAL = 0.9  # of the configured rate, as the reminder fan-out's goal


def bot_config(args: argparse.Namespace) -> Any:
    from config import parse_config

    raw = {
        "telegram": {
            "token": args.token,
            "base_url": args.base_url,
            "base_file_url": args.file_url,
            "rate_limit": args.rate,
            "group_rate_limit": 20,
        },
        "bot": {"timezone": "Asia/Shanghai", "admins": []},
        "storage": {"path": str(args.db)},
    }
    return parse_config(raw, base_dir=args.db.parent, env={})


async def bot_phase(args: argparse.Namespace) -> dict[str, Any]:
    """The child: the real bot on a fake clock, through the Monday morning."""
    from bench.pace import stop_periodic_tick
    from tests.harness import FakeClock, RunningBot

    started = rss_peak_mb()
    bot = RunningBot(bot_config(args), FakeClock(STATUS_AT))
    await bot.start()
    out: dict[str, Any] = {"rss_start_mb": started}
    try:
        stop_periodic_tick(bot)
        for name, at in (("status", STATUS_AT), ("ahead", AHEAD_AT), ("push", PUSH_AT)):
            if name == "ahead" and not args.ahead:
                continue
            out[f"{name}_began"] = time.time()
            began, cpu = time.perf_counter(), time.process_time()
            await bot.tick(at)
            out[f"{name}_s"] = time.perf_counter() - began
            out[f"{name}_cpu_s"] = time.process_time() - cpu
            out[f"{name}_ended"] = time.time()
            out[f"rss_after_{name}_mb"] = rss_peak_mb()
    finally:
        await bot.stop()
    out["rss_peak_mb"] = rss_peak_mb()
    return out


async def run_bot(path: Path, rate: int, ahead: bool, limit_s: float) -> dict[str, Any]:
    """One Monday morning: the fake server here, the bot in a child process."""
    async with FakeBotApi() as fake:
        args = [
            "--phase",
            "bot",
            "--db",
            str(path),
            "--token",
            fake.token,
            "--base-url",
            fake.base_url,
            "--file-url",
            fake.base_file_url,
            "--rate",
            str(rate),
        ]
        if ahead:
            args.append("--ahead")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.weekly",
            *args,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            stdout, stderr = await asyncio.wait_for(proc.communicate(), limit_s)
        except TimeoutError:
            proc.kill()
            raise RuntimeError(
                f"the bot did not get through the morning in {limit_s:.0f}s"
            ) from None
        lines = [x for x in stdout.decode().splitlines() if x.startswith("{")]
        if proc.returncode != 0 or not lines:
            raise RuntimeError(
                f"the bot failed (exit {proc.returncode}):\n{stderr.decode()[-4000:]}"
            )
        result = json.loads(lines[-1])
        calls = list(fake.calls)
    return result | pace(calls, result["push_began"], result["push_ended"])


def pace(calls: list[ApiCall], began: float, ended: float) -> dict[str, Any]:
    """The push's charts as the server saw them (sent by the 09:00 tick, which began at
    `began` and ended at `ended`): how many, how fast, how bunched. The units' charts go to
    150 groups, one each, at the overall rate; the leaders' group gets its few at Telegram's
    20 a minute into one group, so they are counted apart."""
    during = [c for c in calls if c.ok and began <= c.time - c.duration and c.time <= ended]
    charts = [c for c in during if c.method == "sendPhoto"]
    units = sorted(c.time - c.duration for c in charts if c.chat_id != LEADERS_CHAT)
    messages = [c.time - c.duration for c in during if c.method.startswith(("send", "edit"))]
    span = units[-1] - units[0] if len(units) > 1 else 0.0
    everything = sorted(c.time - c.duration for c in charts)
    return {
        "charts": len(charts),
        "unit_charts": len(units),
        "span_s": span,
        "per_s": (len(units) - 1) / span if span > 0 else 0.0,
        "push_span_s": everything[-1] - everything[0] if everything else 0.0,
        "max_per_s": most_per_second(units),
        "over_limit": len(refused_by_strict_limit(messages, TELEGRAM_PER_S)),
        "errors": sum(1 for c in calls if c.error_code is not None and c.method != "getUpdates"),
        "mb_uploaded": sum(len(b) for c in charts for b in c.files.values()) / 2**20,
    }


def print_results(results: dict[str, dict[str, Any]], rate: int, gen: dict[str, Any]) -> None:
    print(
        f"\nWeekly push of {gen['projects']} projects, {gen['units']} units (each unit's group"
        f" and the leaders' group bound); bot rate_limit {rate}/s"
    )
    print(
        f"  {'charts drawn':<12}{'charts':>7}{'units':>6}{'units s':>8}{'per s':>7}"
        f"{'vs rate':>8}{'max/1s':>7}{'push s':>7}{'over 30':>8}{'err':>4}{'08:45 s':>8}"
        f"{'09:00 s':>8}{'RSS MB':>7}"
    )
    for name, r in results.items():
        ahead = f"{r['ahead_s']:>8.1f}" if "ahead_s" in r else f"{'-':>8}"
        print(
            f"  {name:<12}{r['charts']:>7}{r['unit_charts']:>6}{r['span_s']:>8.1f}"
            f"{r['per_s']:>7.1f}{r['per_s'] / rate:>8.2f}{r['max_per_s']:>7}"
            f"{r['push_span_s']:>7.1f}{r['over_limit']:>8}{r['errors']:>4}{ahead}"
            f"{r['push_s']:>8.1f}{r['rss_peak_mb']:>7.0f}"
        )
    starts = ", ".join(f"{n} {r['rss_start_mb']:.0f}" for n, r in results.items())
    for line in (
        "units s: first to last unit group's chart arriving at the server; per s: over that",
        "  span; vs rate: per s / the configured rate (goal ≥ 0.9: charts keep the pace)",
        "push s: first to last chart of the push; the leaders' group gets its charts at",
        "  Telegram's 20 a minute into one group, so they end it",
        "over 30: sends a server allowing exactly 30 per rolling second would have refused",
        "08:45 s: the tick that renders the push ahead; 09:00 s: the tick that sends it",
        f"RSS MB: peak resident set of the bot's own process (after imports: {starts})",
    ):
        print(f"  {line}")
    for name, r in results.items():
        after = ", ".join(f"{at} {r[f'rss_after_{tick}_mb']:.0f}" for tick, at in
                          (("status", "08:40"), ("ahead", "08:45"), ("push", "09:00"))
                          if f"rss_after_{tick}_mb" in r)  # fmt: skip
        print(
            f"  {name}: 08:40 tick (status run, problem notices) {r['status_s']:.1f} s; the"
            f" 09:00 tick's CPU {r['push_cpu_s']:.1f} s; {r['mb_uploaded']:.0f} MB uploaded;"
            f" peak RSS after the ticks: {after} MB"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.weekly",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument(
        "--rate",
        type=int,
        default=TELEGRAM_PER_S,
        help="the bot's telegram.rate_limit (production: 30)",
    )
    parser.add_argument("--quick", action="store_true", help="250 projects, 30 units")
    # Internal: the bot's child process.
    parser.add_argument("--phase", choices=("bot",), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--file-url", help=argparse.SUPPRESS)
    parser.add_argument("--ahead", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.projects, args.units = 250, 30
    if not 1 <= args.projects <= 50_000 or not 2 <= args.units <= 800 or args.rate < 1:
        parser.error("--projects 1..50000, --units 2..800, --rate ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase == "bot":
        print(json.dumps(asyncio.run(bot_phase(args))), flush=True)
        return 0
    from bench.ranking.build import generate

    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f} at the start")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="jinzhan-weekly-") as tmp:
        original = Path(tmp) / "province.sqlite3"
        print(f"generating {args.projects} projects, {args.units} units ...", flush=True)
        gen = generate(original, args.projects, args.units, None)
        limit = 300 + args.projects * 0.05
        for name, ahead in (("ahead", True), ("when sent", False)):
            path = Path(tmp) / f"{name.replace(' ', '-')}.sqlite3"
            shutil.copyfile(original, path)
            print(f"the Monday morning, charts drawn {name} ...", flush=True)
            results[name] = asyncio.run(run_bot(path, args.rate, ahead, limit))
            path.unlink()
    print_results(results, args.rate, gen)
    ahead, cold = results["ahead"], results["when sent"]
    if ahead["span_s"] > 0:
        print(
            f"\ndrawn ahead, the fan-out takes {cold['span_s'] / ahead['span_s']:.1f}x less"
            f" time than drawn when sent; load average {os.getloadavg()[0]:.2f} at the end"
            " (2 cores shared)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
