"""Fixtures: a fake Bot API server, the real bot polling it, and the people of a small city."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, make_config, with_buttons

ADMIN_ID = 1001

# A small, clean project list (万元); messy real-world sheets are covered by the import tests.
CITY_CSV = (
    "项目编号,项目名称,责任单位,项目类别,建设阶段,包抓领导,总投资（万元）,年度计划投资（万元）\n"
    """XM-001,城东污水处理厂,城关区,基础设施,在建,王副市长,50000,20000
XM-002,智能制造产业园,高新区,产业,前期,王副市长,300000,80000
XM-003,第一中学扩建,城关区,民生,在建,李副市长,8000,3000
XM-004,新能源电池项目,高新区,产业,在建,李副市长,120000,40000
"""
).encode()


@pytest.fixture
def fake(fake_api: FakeBotApi) -> FakeBotApi:
    """The fake Bot API server (tests/fakebot/fixtures.py starts and stops it)."""
    return fake_api


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "jinzhan.sqlite3"


@pytest.fixture
async def bot(fake: FakeBotApi, db_path: Path) -> AsyncIterator[RunningBot]:
    running = RunningBot(make_config(fake, db_path, admins=(ADMIN_ID,)))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def admin(fake: FakeBotApi) -> Talk:
    return Talk(fake, fake.user(ADMIN_ID, "李", username="xmb_li"))


def person(fake: FakeBotApi, user_id: int, name: str) -> Talk:
    return Talk(fake, fake.user(user_id, name))


async def import_city(admin: Talk, content: bytes = CITY_CSV, name: str = "city.csv") -> None:
    """Import the project list the way an admin does: /import, file, confirm."""
    await admin.say("/import")
    preview = await admin.send_document(name, content, "text/csv")
    await admin.press(with_buttons(preview), "确认导入", until="导入完成")


async def invite(admin: Talk, args: str) -> str:
    """Create an invite with /invite and return its code."""
    text = "\n".join(c.text or "" for c in await admin.say(f"/invite {args}"))
    return text.split("/start ")[-1].split()[0]


async def join(talk: Talk, code: str) -> str:
    return "\n".join(c.text or "" for c in await talk.say(f"/start {code}", until="欢迎"))


@pytest.fixture
async def city(bot: RunningBot, admin: Talk) -> RunningBot:
    """The bot with the four-project city imported."""
    await import_city(admin)
    return bot
