"""Benchmark part: the board of a 300-project unit (run by bench.fanout), and the unit's group
bound as /bindgroup binds it (also for the board edited during a fan-out)."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.pace import DAY, FIRST_ID, UNIT, is_message, stop_periodic_tick
from scheduler import render
from storage import people, projects, push_targets, reports
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, make_config, seed_liaisons

BOARD_AT = f"{DAY.isoformat()} 18:00"
MORNING_AT = f"{DAY.isoformat()} 09:00"  # the weekly ranking's time on a Monday
BOARD_MARK = "进展上报看板"  # in every board's title
BOARD_PROJECTS = 300
BOARD_CHAT = -100_300
ADMIN_ID = 1001
BOARD_RENDERS = 20
TELEGRAM_TEXT_LIMIT = 4096


@dataclass
class BoardResult:
    """Figures of the 300-project board."""

    reported: int
    half_ms: float  # median render, ~half reported
    half_chars: int
    none_ms: float  # median render, nobody reported (the longest board)
    none_chars: int
    tick_ms: float  # the 18:00 tick that plans, renders and sends it
    sent_chars: int | None  # the board as Telegram stored it; None if none was sent
    tick_others: int  # other messages that tick sent (e.g. streak notes)


async def bind_board(bot: RunningBot) -> tuple[int, int]:
    """An admin and the unit's group, bound as /bindgroup does: (admin person id, unit id)."""
    db = bot.db
    unit_id = await projects.unit_by_name(db, UNIT)
    assert unit_id is not None
    async with db.transaction() as tx:
        admin = await people.upsert(tx, ADMIN_ID, "项目办", None)
        await people.grant(tx, admin, "admin")
        await push_targets.bind(tx, chat_id=BOARD_CHAT, kind="unit", unit_id=unit_id,
                                title=f"{UNIT}调度群", bound_by=admin)  # fmt: skip
    return admin, unit_id


async def median_render_ms(bot: RunningBot, unit_id: int, day: date) -> tuple[float, int]:
    """Median time of `render.board` over BOARD_RENDERS runs, and the board's length."""
    now, tz = bot.clock(), bot.config.bot.timezone
    times, text = [], ""
    for _ in range(BOARD_RENDERS):
        started = time.perf_counter()
        rendered = await render.board(bot.db, unit_id, day, now, tz)
        times.append(time.perf_counter() - started)
        text = rendered.text
    return statistics.median(times) * 1000, len(text)


async def run_board(rate: int, workdir: Path) -> BoardResult:
    """300 projects in one unit, every other one reported today, the unit's group bound."""
    db_path = workdir / "board.sqlite3"
    await seed_liaisons(db_path, BOARD_PROJECTS, FIRST_ID, scheduled=True)
    async with FakeBotApi() as fake:
        bot = RunningBot(make_config(fake, db_path, rate_limit=rate))
        await bot.start()
        try:
            stop_periodic_tick(bot)
            db = bot.db
            liaisons = await db.fetchall(
                "SELECT pp.project_id, pp.person_id FROM project_people pp"
                " JOIN projects p ON p.id = pp.project_id WHERE pp.role = 'liaison'"
                " ORDER BY p.code"
            )
            reported = liaisons[::2]
            _, unit_id = await bind_board(bot)
            # A deployed bot sent the morning's runs (the Monday ranking) long before 18:00;
            # catching them up here keeps them out of the timed 18:00 tick.
            await asyncio.wait_for(bot.tick(MORNING_AT), 60)
            async with db.transaction() as tx:
                for row in reported:
                    await reports.submit(
                        tx,
                        reports.Submission(
                            project_id=row["project_id"],
                            person_id=row["person_id"],
                            report_date=DAY,
                            text="今日施工正常推进",
                            done_yuan=1_000_000,
                            stage_before=None,
                            stage_after=None,
                            problem_id=None,
                            photo_id=None,
                        ),
                    )
            bot.clock.set(BOARD_AT)
            half_ms, half_chars = await median_render_ms(bot, unit_id, DAY)
            # The next day has no reports yet: every project missing, the longest board.
            none_ms, none_chars = await median_render_ms(bot, unit_id, date(2026, 11, 24))
            cursor = fake.cursor()
            started = time.perf_counter()
            await asyncio.wait_for(bot.tick(BOARD_AT), 60)
            tick_ms = (time.perf_counter() - started) * 1000
            sent = [c for c in fake.calls[cursor:] if c.ok and is_message(c)]
            boards = [c for c in sent if c.chat_id == BOARD_CHAT and BOARD_MARK in (c.text or "")]
        finally:
            await bot.stop()
    return BoardResult(
        reported=len(reported),
        half_ms=half_ms,
        half_chars=half_chars,
        none_ms=none_ms,
        none_chars=none_chars,
        tick_ms=tick_ms,
        sent_chars=len(boards[0].plain or "") if boards else None,
        tick_others=len(sent) - len(boards),
    )


def print_board(b: BoardResult) -> None:
    def fits(chars: int) -> str:
        return "fits" if chars <= TELEGRAM_TEXT_LIMIT else "DOES NOT FIT"

    print(f"\nBoard of a {BOARD_PROJECTS}-project unit ({UNIT}, one liaison per project)")
    print(
        f"  render, {b.reported}/{BOARD_PROJECTS} reported: median {b.half_ms:6.1f} ms "
        f"of {BOARD_RENDERS}, {b.half_chars} chars, {fits(b.half_chars)} in "
        f"{TELEGRAM_TEXT_LIMIT}"
    )
    print(
        f"  render, 0/{BOARD_PROJECTS} reported:   median {b.none_ms:6.1f} ms "
        f"of {BOARD_RENDERS}, {b.none_chars} chars, {fits(b.none_chars)} in "
        f"{TELEGRAM_TEXT_LIMIT}"
    )
    sent = "no board was sent" if b.sent_chars is None else f"board sent, {b.sent_chars} chars"
    print(
        f"  18:00 tick that plans, renders and sends it: {b.tick_ms:.0f} ms (one run, after a "
        f"09:00 tick); {sent}, {b.tick_others} other messages in that tick"
    )
