"""The weekly charts are drawn before their send slot (scheduler.ahead), so the push's fan-out
sends them at Telegram's pace; one drawn too long ago is drawn again when sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_schedule import bind
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, rows

MONDAY = "2026-11-30"  # the weekly push is due at 09:00
CHENGGUAN, GAOXIN, LEADERS = -1001, -1002, -1003


@pytest.fixture
async def bot(city: RunningBot, fake: FakeBotApi, admin: Talk) -> RunningBot:
    """The city with its two unit groups and the leaders' group bound."""
    await bind(fake, admin, CHENGGUAN, "城关区调度群", "unit 城关区")
    await bind(fake, admin, GAOXIN, "高新区调度群", "unit 高新区")
    await bind(fake, admin, LEADERS, "市领导群", "leaders")
    return city


def prepared(db_path: Path) -> dict[str, bytes]:
    return dict(rows(db_path, "SELECT key, photo FROM prepared"))


def photos(fake: FakeBotApi, after: int) -> list[bytes]:
    """Charts sent since `after` (the last week's went out when the groups were bound: the
    bot's clock starts on a Monday morning)."""
    return [c.files["photo"] for c in fake.calls[after:] if c.method == "sendPhoto" and c.ok]


async def test_weekly_charts_are_drawn_ahead_and_sent_as_drawn(
    bot: RunningBot, fake: FakeBotApi, db_path: Path
) -> None:
    await bot.tick(f"{MONDAY} 08:40")
    cursor = fake.cursor()
    assert prepared(db_path) == {}  # not yet
    await bot.tick(f"{MONDAY} 08:46")
    made = prepared(db_path)
    # The leaders' chart of the one ranking group, the 龙虎榜, each unit group's own chart.
    kinds = sorted(json.loads(key)["render"] for key in made)
    assert kinds == ["week_board", "week_unit", "week_unit", "week_units"]
    assert not photos(fake, cursor)  # drawn, not sent before its time
    await bot.tick(f"{MONDAY} 09:00")
    sent = photos(fake, cursor)
    assert len(sent) == 4 and set(sent) == set(made.values())


async def test_a_chart_drawn_too_long_ago_is_drawn_again(
    bot: RunningBot, fake: FakeBotApi, db_path: Path
) -> None:
    await bot.tick(f"{MONDAY} 08:46")
    cursor = fake.cursor()
    made = set(prepared(db_path).values())
    await bot.tick(f"{MONDAY} 09:40")  # late: the bot was down at 09:00
    sent = photos(fake, cursor)
    assert len(sent) == 4 and not set(sent) & made  # each shows 09:40 as its time
