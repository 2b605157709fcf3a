"""No one chat can stall the bot: floods from strangers and groups, and a bounded stop.

The bot runs at Telegram's real pace here (30 msg/s, 20/min per group), as in production: the
old bot answered every message of a flood at that pace while each waiting update held one of
the 256 update slots, so a liaison waited 25-45 s and a stop took minutes. Timeouts are
generous; bench/flood.py measures the real figures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_ID
from tests.fakebot import ApiCall, FakeBotApi
from tests.harness import RunningBot, Talk, make_config, seed_liaisons

LIAISON_ID = 70_000
STRANGER_ID = 9_000_001
GROUP = -100_555
ANSWER_WITHIN = 8.0  # s; the answer takes well under 1 s, the old bot took 25 s and more
STOP_WITHIN = 20.0  # s; the processor's grace is 5 s, the old bot took minutes


@pytest.fixture
async def paced(fake: FakeBotApi, db_path: Path) -> AsyncIterator[RunningBot]:
    """The bot at Telegram's pace, with one liaison bound to one project."""
    await seed_liaisons(db_path, 1, LIAISON_ID)
    config = make_config(fake, db_path, admins=(ADMIN_ID,), rate_limit=30, group_rate_limit=20)
    running = RunningBot(config)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def liaison(fake: FakeBotApi) -> Talk:
    return Talk(fake, fake.user(LIAISON_ID, "联络员0"))


async def mine_answered(fake: FakeBotApi) -> None:
    """The liaison's /mine is answered within ANSWER_WITHIN, flood or not."""
    talk = liaison(fake)
    cursor = fake.cursor()
    fake.send_text(talk.user, "/mine")
    await fake.wait_reply(talk.chat_id, after=cursor, contains="我的项目", timeout=ANSWER_WITHIN)


async def bind_leaders_group(fake: FakeBotApi) -> None:
    """The admin binds GROUP as the leaders' group, with the weekly and monthly pushes off so
    that only answers to commands reach the group during the test."""
    admin = Talk(fake, fake.user(ADMIN_ID, "李"))
    await admin.say("/schedule 周报 关")
    await admin.say("/schedule 月报 关")
    fake.send_text(admin.user, "/bindgroup leaders", chat_id=GROUP, chat_title="领导群")
    await fake.wait_reply(GROUP, contains="领导群")


async def admin_marker(fake: FakeBotApi, title: str = "群") -> ApiCall:
    """The admin's bare /bindgroup in GROUP, answered with its usage line (an answer nobody
    else can cause). One chat's updates are handled in order and its replies queue in order,
    so any answer to what was sent there before came out before this one; the bot looking
    idle is not enough: replies may be waiting in the rate limiter."""
    cursor = fake.cursor()
    fake.send_text(fake.user(ADMIN_ID, "李"), "/bindgroup", chat_id=GROUP, chat_title=title)
    return await fake.wait_reply(GROUP, after=cursor, contains="用法：/bindgroup", timeout=60)


def group_flood(fake: FakeBotApi, count: int, *, admin_every: int = 0) -> None:
    """`count` /help in GROUP from ten strangers (every `admin_every`-th from the admin)."""
    strangers = [fake.user(STRANGER_ID + i, f"群友{i}") for i in range(10)]
    admin = fake.user(ADMIN_ID, "李")
    for i in range(count):
        sender = admin if admin_every and i % admin_every == 0 else strangers[i % 10]
        fake.send_text(sender, "/help", chat_id=GROUP, chat_title="群")


async def test_a_strangers_private_flood_gets_one_line_and_does_not_delay_a_liaison(
    paced: RunningBot, fake: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="transport")
    await mine_answered(fake)
    stranger = fake.user(STRANGER_ID, "陌生人")
    for i in range(1000):
        fake.send_text(stranger, f"你好{i}")
    await mine_answered(fake)
    await fake.wait_idle(timeout=30)
    assert len(fake.sent_to(STRANGER_ID)) == 1
    assert "尚未绑定身份" in (fake.sent_to(STRANGER_ID)[0].text or "")
    assert f"backlog from chat {STRANGER_ID}" in caplog.text
    # The log itself is bounded: one line for the burst, not one per dropped update.
    assert sum("dropped" in r.getMessage() for r in caplog.records) <= 3


async def test_an_unbound_group_gets_one_hello_then_nothing(
    paced: RunningBot, fake: FakeBotApi
) -> None:
    owner = fake.user(STRANGER_ID, "陌生人")
    fake.add_to_group(owner, GROUP, "陌生人的群")
    hello = await fake.wait_reply(GROUP, contains="/bindgroup")
    group_flood(fake, 270)
    fake.send_text(owner, "/start", chat_id=GROUP, chat_title="陌生人的群")
    fake.send_text(owner, "/report", chat_id=GROUP, chat_title="陌生人的群")
    await mine_answered(fake)
    fake.remove_from_group(owner, GROUP, status="left")
    fake.add_to_group(owner, GROUP, "陌生人的群")  # added again at once: no second hello
    await fake.wait_idle(timeout=30)
    marker = await admin_marker(fake, "陌生人的群")  # an admin would be answered there
    assert [c.seq for c in fake.sent_to(GROUP)] == [hello.seq, marker.seq]


async def test_group_commands_from_non_admins_get_no_answer(
    paced: RunningBot, fake: FakeBotApi
) -> None:
    admin = fake.user(ADMIN_ID, "李")
    await bind_leaders_group(fake)
    member = liaison(fake).user  # has a role, but is not an admin
    cursor = fake.cursor()
    for sender in (member, fake.user(STRANGER_ID, "陌生人")):
        for text in ("/help", "/start", "/mine", "/bindgroup leaders", "/nonsense"):
            fake.send_text(sender, text, chat_id=GROUP, chat_title="领导群")
    await fake.wait_idle()  # all handled (the marker must not arrive in the same burst)
    marker = await admin_marker(fake, "领导群")
    assert [c.seq for c in fake.sent_to(GROUP) if c.seq >= cursor] == [marker.seq]
    cursor = fake.cursor()
    fake.send_text(admin, "/mine", chat_id=GROUP, chat_title="领导群")
    assert "私聊" in (await fake.wait_reply(GROUP, after=cursor)).text


async def test_a_flooded_admin_group_holds_a_bounded_share_and_stop_is_prompt(
    paced: RunningBot, fake: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="transport")
    await bind_leaders_group(fake)
    cursor = fake.cursor()
    group_flood(fake, 270, admin_every=2)
    await mine_answered(fake)
    # Replies into the group go out at 20/min; the rest of the burst was dropped, not queued.
    assert f"backlog from chat {GROUP}" in caplog.text
    per_chat = paced.app.update_processor.per_chat
    started = time.monotonic()
    await paced.stop()
    assert time.monotonic() - started < STOP_WITHIN
    assert len([c for c in fake.sent_to(GROUP) if c.seq >= cursor]) <= per_chat
