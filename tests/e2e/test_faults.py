"""Telegram misbehaves (429 with retry_after, 5xx, a request that hangs): the liaison still
gets their answer and nothing is stored twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_ID, CITY_CSV, import_city, invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, make_config, report, rows, with_buttons


@pytest.fixture
async def quick_bot(fake: FakeBotApi, db_path: Path) -> AsyncIterator[RunningBot]:
    """The bot with a 1-second request timeout, so a hang is noticed quickly."""
    running = RunningBot(make_config(fake, db_path, admins=(ADMIN_ID,), timeout=1))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def failed(fake: FakeBotApi, method: str, code: int) -> int:
    return sum(1 for c in fake.calls if c.method == method and c.error_code == code)


async def test_429_is_waited_out_and_the_reply_arrives(
    bot: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1, count=2)
    answer = await admin.text("/start", until="您好")
    assert "管理员" in answer
    assert failed(fake, "sendMessage", 429) == 2
    ok = [c for c in fake.calls if c.method == "sendMessage" and c.error_code is None]
    assert len(ok) == 1  # waited, then sent once
    assert ok[0].time - fake.calls_of("sendMessage")[0].time >= 1.0


async def test_5xx_is_retried(bot: RunningBot, fake: FakeBotApi, admin: Talk) -> None:
    fake.fail_next("sendMessage", status=502, count=1)
    fake.fail_next("sendMessage", status=500, count=1)
    assert "管理员" in await admin.text("/start", until="您好")
    assert failed(fake, "sendMessage", 502) == 1 and failed(fake, "sendMessage", 500) == 1


async def test_polling_survives_get_updates_errors(
    bot: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    fake.fail_next("getUpdates", status=500, count=2)
    assert "管理员" in await admin.text("/start", until="您好")


async def test_confirmation_survives_a_hang_and_the_report_is_stored_once(
    quick_bot: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    await import_city(admin, CITY_CSV)
    zhang = person(fake, 2001, "张三")
    await join(zhang, await invite(admin, "联络员 XM-003"))
    last = await report(zhang, None, 进展="基础施工", confirm=False)
    # The "saved" message hangs past the timeout once: the bot retries it.
    fake.fail_next("sendMessage", hang=1.5, count=1)
    await zhang.press(with_buttons(last), "确认提交", until="已保存", timeout=15)
    assert rows(db_path, "SELECT COUNT(*) FROM report_revisions") == [(1,)]
