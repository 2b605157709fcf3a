"""Benchmark: do group-robot deliveries delay Telegram's fan-out?

    .venv/bin/python -m bench.robots [--liaisons 300] [--robots 30] [--repeat 3] [--quick]

Side by side on one machine, alternating: the first-reminder fan-out to N liaisons (the real
bot in-process against the fake Bot API, one scheduler tick that plans and sends it), alone,
and while R group robots (a third each WeCom, DingTalk signed, Feishu signed with an app; one
of them answering only after 2 s, one down with 502) take the weekly push that the same tick
plans: charts scored and drawn, PNGs base64'd and uploaded, bodies signed, posts paced.
Twice: at Telegram's 30 msg/s (production: the fan-out is paced), and unthrottled (the
fan-out is CPU-bound: the worst case for sharing the machine). Figures: the tick's wall time
and the first-to-last reminder span, medians of the repeats and the ratio with/without
robots. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import time as clock_time
from pathlib import Path

from bench.common import machine
from bench.pace import FIRST_ID, is_reminder, stop_periodic_tick
from storage import Database, schedule
from tests.fakebot import FakeBotApi
from tests.fakewebhooks import FakeWebhooks
from tests.harness import RunningBot, make_config, seed_liaisons

REMIND_AT = "2026-11-23 16:05"  # a Monday; off Feishu's busy minutes (:00, :30)
KINDS = ("wecom", "dingtalk", "feishu")


@dataclass
class Run:
    robots: int
    tick_s: float  # the whole tick: plan (weekly + reminders) and send every reminder
    span_s: float  # first to last reminder
    reminders: int
    robot_messages: int  # accepted by the fake webhooks while the fan-out ran
    robots_done_s: float | None  # tick start to the robots' last accepted message


async def prepare(db_path: Path, liaisons: int) -> None:
    """N liaisons, one project each, nothing reported; the first reminder at 16:05 and the
    weekly push switched on (seed_liaisons switches every run off)."""
    await seed_liaisons(db_path, liaisons, FIRST_ID)
    db = await Database.open(db_path)
    try:
        async with db.transaction() as tx:
            await schedule.set_time(tx, "remind1", clock_time(16, 5), None)
            await schedule.set_enabled(tx, "remind1", True, None)
            await schedule.set_enabled(tx, "weekly", True, None)
    finally:
        await db.close()


def robot_tables(webhooks: FakeWebhooks, count: int) -> list[dict]:
    tables = []
    for i in range(count):
        kind = KINDS[i % 3]
        robot = webhooks.robot(kind, secret="" if kind == "wecom" else f"SEC{i:04d}abcdef123456",
                               app=kind == "feishu")  # fmt: skip
        if i == 0:
            webhooks.hang(robot, 2.0)  # a slow one
        if i == 1:
            webhooks.down(robot)  # and one that is down
        table = {"name": f"机器人{i:02d}", "kind": kind, "url": robot.url,
                 "secret": robot.secret, "pushes": ["weekly"]}  # fmt: skip
        if robot.app_id:
            table |= {"app_id": robot.app_id, "app_secret": robot.app_secret}
        tables.append(table)
    return tables


async def drain_when_planned(bot: RunningBot) -> None:
    """Start the robots as soon as the tick has planned their rows (its first step)."""
    query = "SELECT 1 FROM outbox WHERE kind LIKE 'robot:%' LIMIT 1"
    for _ in range(60_000):  # a poll, not an event: planning is the scheduler's, not ours
        if await bot.db.fetchval(query):
            break
        await asyncio.sleep(0.005)
    await bot.robots.drain()


async def one_run(liaisons: int, robots: int, rate: int, workdir: Path, n: int) -> Run:
    db_path = workdir / f"run-{liaisons}-{rate}-{n}.sqlite3"
    await prepare(db_path, liaisons)
    async with FakeBotApi() as fake, FakeWebhooks() as webhooks:
        tables = robot_tables(webhooks, robots)
        bot = RunningBot(make_config(fake, db_path, rate_limit=rate, robots=tables))
        await bot.start()
        try:
            stop_periodic_tick(bot)
            cursor = fake.cursor()
            robots_task = asyncio.create_task(drain_when_planned(bot)) if robots else None
            m0 = time.monotonic()  # the fake webhooks' clock
            started = time.perf_counter()
            await asyncio.wait_for(bot.tick(REMIND_AT), 60 + 3 * liaisons / rate)
            tick_s = time.perf_counter() - started
            accepted = [c for c in webhooks.calls if c.message and c.ok]
            if robots_task is not None:
                await asyncio.wait_for(robots_task, 120)
            done = [c for c in webhooks.calls if c.message and c.ok]
            robots_done = max(c.at for c in done) - m0 if done else None
            sends = [c for c in fake.calls[cursor:] if is_reminder(c)]
        finally:
            with contextlib.suppress(Exception):
                await bot.stop()
    first = min(c.time - c.duration for c in sends)
    last = max(c.time for c in sends)
    return Run(robots, tick_s, last - first, len(sends), len(accepted), robots_done)


def summary(label: str, runs: list[Run]) -> tuple[float, float]:
    tick = statistics.median(r.tick_s for r in runs)
    span = statistics.median(r.span_s for r in runs)
    msgs = statistics.median(r.robot_messages for r in runs)
    done = [r.robots_done_s for r in runs if r.robots_done_s is not None]
    tail = f", robots' last message {statistics.median(done):5.2f} s" if done else ""
    print(f"  {label:<22} tick {tick:6.2f} s  span {span:6.2f} s  reminders "
          f"{runs[0].reminders}  robot messages during it {msgs:4.0f}{tail}")  # fmt: skip
    return tick, span


async def compare(liaisons: int, robots: int, rate: int, repeat: int, workdir: Path) -> None:
    print(f"\n{liaisons} liaisons, bot rate_limit {rate}/s, {robots} robots, {repeat} repeats "
          "(alternating)")  # fmt: skip
    alone: list[Run] = []
    beside: list[Run] = []
    for i in range(repeat):
        alone.append(await one_run(liaisons, 0, rate, workdir, 2 * i))
        beside.append(await one_run(liaisons, robots, rate, workdir, 2 * i + 1))
    tick_a, span_a = summary("Telegram alone", alone)
    tick_b, span_b = summary(f"with {robots} robots", beside)
    print(f"  ratio with/without: tick {tick_b / tick_a:5.3f}, span {span_b / span_a:5.3f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--liaisons", type=int, default=300)
    parser.add_argument("--robots", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 liaisons, 1 repeat")
    args = parser.parse_args()
    liaisons, repeat = (100, 1) if args.quick else (args.liaisons, args.repeat)
    logging.getLogger("robots").setLevel(logging.ERROR)  # the down robot's retries, expected
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        await compare(liaisons, args.robots, 30, repeat, workdir)  # production pace
        await compare(liaisons * 3, args.robots, 1000, repeat, workdir)  # CPU-bound
    print(
        "\ntick: plan + every reminder sent; span: first to last reminder. The robots' "
        "weekly push is planned by the same tick and sent beside the fan-out by their own "
        "workers; one robot answers after 2 s, one is down."
    )


if __name__ == "__main__":
    asyncio.run(main())
