"""Benchmark: a liaison's reply time while one chat floods the bot, and the time to stop.

    .venv/bin/python -m bench.flood [--quick] [--repeat R] [--stop-cap S]

Scenarios, each in its own child process with a fresh SQLite file and fake Bot API server,
at Telegram's real pace (30 msg/s overall, 20/min per group):
  quiet            no flood
  stranger_dm      a stranger sends 1,000 private messages
  stranger_group   a stranger adds the bot to their own group; 270 /help there by strangers
  admin_group      the admin's bound group: 270 /help by strangers and by the admin
While the flood is queued, liaisons send /mine (staggered); their reply times are measured.
Then the bot is stopped with the flood still queued and the stop is timed (cut at --stop-cap,
shown as ">cap"). The figures are printed, not asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.common import ROOT, machine, median, percentile
from tests.fakebot import FakeBotApi, FakeUser
from tests.harness import RunningBot, make_config, seed_liaisons

SCENARIOS = ("quiet", "stranger_dm", "stranger_group", "admin_group")
ADMIN_ID = 1001
FIRST_LIAISON = 70_000
STRANGER_ID = 9_000_001
GROUP_ID = -100_555
REPLY_LIMIT_S = 120.0  # one /mine answer; the old code needed ~40 s under a group flood
MINE = "我的项目（"  # the /mine answer's first words


async def _wait_answer(fake: FakeBotApi, chat: int, after: int, contains: str) -> float:
    started = time.perf_counter()
    await fake.wait_reply(chat, after=after, contains=contains, timeout=REPLY_LIMIT_S)
    return time.perf_counter() - started


async def _mine(fake: FakeBotApi, user: FakeUser, delay: float) -> float:
    """After `delay`, the liaison sends /mine; seconds until the answer (the limit if none)."""
    await asyncio.sleep(delay)
    cursor = fake.cursor()
    fake.send_text(user, "/mine")
    try:
        return await _wait_answer(fake, user.id, cursor, MINE)
    except AssertionError:
        return REPLY_LIMIT_S


def _flood(fake: FakeBotApi, scenario: str, admin: FakeUser, size: int) -> int:
    """Queue the whole flood at once, as a burst arriving from Telegram does; return its chat."""
    if scenario == "stranger_dm":
        stranger = fake.user(STRANGER_ID, "陌生人")
        for i in range(size):
            fake.send_text(stranger, f"你好{i}")
        return stranger.id
    strangers = [fake.user(STRANGER_ID + i, f"群友{i}") for i in range(10)]
    for i in range(size):
        sender = admin if scenario == "admin_group" and i % 2 else strangers[i % len(strangers)]
        fake.send_text(sender, "/help", chat_id=GROUP_ID, chat_title="群")
    return GROUP_ID


async def run_phase(scenario: str, liaisons: int, flood: int, stop_cap: float) -> dict:
    """One scenario against the real Application; the figures as a dict."""
    out: dict = {"scenario": scenario}
    with tempfile.TemporaryDirectory(prefix="jinzhan-flood-") as tmp:
        db_path = Path(tmp) / "flood.sqlite3"
        await seed_liaisons(db_path, liaisons, FIRST_LIAISON, year=date.today().year)
        async with FakeBotApi() as fake:
            config = make_config(
                fake, db_path, admins=(ADMIN_ID,), rate_limit=30, group_rate_limit=20
            )
            bot = RunningBot(config)
            await bot.start()
            admin = fake.user(ADMIN_ID, "管理员")
            users = [fake.user(FIRST_LIAISON + i, f"联络员{i}") for i in range(liaisons)]
            if scenario == "admin_group":
                cursor = fake.cursor()
                fake.send_text(admin, "/bindgroup leaders", chat_id=GROUP_ID, chat_title="群")
                await _wait_answer(fake, GROUP_ID, cursor, "领导群")
            elif scenario == "stranger_group":
                cursor = fake.cursor()
                fake.add_to_group(fake.user(STRANGER_ID, "陌生人"), GROUP_ID, "群")
                await _wait_answer(fake, GROUP_ID, cursor, "/bindgroup")
            await _mine(fake, users[0], 0)  # warm: the first answer pays for imports
            before = fake.cursor()
            flood_chat = _flood(fake, scenario, admin, flood) if scenario != "quiet" else None
            times = await asyncio.gather(*(_mine(fake, u, 0.3 * i) for i, u in enumerate(users)))
            out["reply_s"] = list(times)
            if flood_chat is not None:
                out["sent_to_flood_chat"] = sum(
                    1 for c in fake.calls[before:] if c.chat_id == flood_chat and c.ok
                )
            started = time.perf_counter()
            try:
                await asyncio.wait_for(bot.stop(), stop_cap)
                out["stop_s"] = time.perf_counter() - started
            except TimeoutError:
                out["stop_s"] = None  # still stopping at the cap
    return out


def _child(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(run_phase(args.phase, args.liaisons, args.flood, args.stop_cap))
    print(json.dumps(result), flush=True)
    # A stop cut at the cap leaves the Application's tasks behind; do not wait for them.
    os._exit(0)


def _run_child(scenario: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, "-m", "bench.flood", "--phase", scenario,
           "--liaisons", str(args.liaisons), "--flood", str(args.flood),
           "--stop-cap", str(args.stop_cap)]  # fmt: skip
    limit = REPLY_LIMIT_S * 2 + args.stop_cap + 120
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=limit)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{scenario} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def _report(scenario: str, runs: list[dict], stop_cap: float) -> str:
    times = [t * 1000 for r in runs for t in r["reply_s"]]
    stops = [r["stop_s"] for r in runs]
    shown_stop = f">{stop_cap:.0f}" if any(s is None for s in stops) else f"{median(stops):.2f}"
    sent = [r.get("sent_to_flood_chat") for r in runs]
    return (
        f"{scenario:<15} {percentile(times, 50):>9.0f} {percentile(times, 95):>9.0f} "
        f"{max(times):>9.0f} {len(times):>5} {shown_stop:>8} "
        f"{'—' if sent[0] is None else max(sent):>9}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.flood", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="one run, 5 liaisons")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario, pooled (3)")
    parser.add_argument("--liaisons", type=int, default=10, help="liaisons sending /mine (10)")
    parser.add_argument("--flood", type=int, default=0, help="flood size (1,000 DM; 270 group)")
    parser.add_argument("--stop-cap", type=float, default=120, help="stop timing cut (120 s)")
    parser.add_argument("--phase", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=SCENARIOS, action="append", help="run only these")
    args = parser.parse_args(argv)
    if args.phase:
        args.flood = args.flood or (1000 if args.phase == "stranger_dm" else 270)
        _child(args)
    if args.quick:
        args.repeat, args.liaisons = 1, 5
    print(f"bench.flood — {machine()}")
    print(f"{args.repeat} run(s) per scenario, {args.liaisons} liaisons each sending /mine "
          "0.3 s apart while the flood is queued; 30 msg/s, 20/min per group")  # fmt: skip
    print(f"{'scenario':<15} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'n':>5} {'stop s':>8} "
          f"{'flood ans':>9}")  # fmt: skip
    for scenario in args.only or SCENARIOS:
        runs = [_run_child(scenario, args) for _ in range(args.repeat)]
        print(_report(scenario, runs, args.stop_cap), flush=True)
    print("flood ans: messages the bot sent into the flooding chat during the flood")
    return 0


if __name__ == "__main__":
    sys.exit(main())
