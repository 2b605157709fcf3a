"""A press whose data does not parse is a stale button: a clear reply, nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, rows

# What a press could change; the scheduler's first tick (1 s after start) may plan the week's
# pushes at any moment of the test, and that is not the press's doing.
AUDIT = "SELECT COUNT(*) FROM audit_log WHERE action != 'push.plan'"


@pytest.mark.parametrize(
    "data",
    ["r:x", "pr:x", "imp:x", "rn:99999999999999999999", "pb:1:x:as", "sch:tg:", "zz:9", "rn:-5"],
)
async def test_forged_callback_data_gets_stale_reply(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path, data: str
) -> None:
    liaison = person(fake, 2001, "张三")
    await join(liaison, await invite(admin, "联络员 城关区"))
    before = rows(db_path, AUDIT)
    for talk in (liaison, admin):
        shown = (await talk.say("/help"))[-1]
        cursor = fake.cursor()
        query = fake.press(talk.user, shown, data)
        answer = await fake.wait_reply(talk.chat_id, after=cursor, timeout=10)
        assert "按钮已失效" in (answer.text or "")
        assert fake.callback_answered(query["id"])
    assert rows(db_path, AUDIT) == before
    assert "出错" not in "\n".join(fake.texts_to(liaison.chat_id))


async def test_a_strangers_forged_presses_get_one_line_an_hour(
    city: RunningBot, fake: FakeBotApi
) -> None:
    stranger = person(fake, 6666, "路人")
    shown = (await stranger.say("/help"))[-1]  # the stranger line, the one of this hour
    cursor = fake.cursor()
    queries = [fake.press(stranger.user, shown, data) for data in ("zz:1", "rn:x", "r:x")]
    for query in queries:
        await fake.wait_for(
            lambda c, q=query: (
                c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == q["id"]
            ),
            after=cursor,
            timeout=10,
        )
    await fake.wait_idle(quiet=0.5, timeout=10)
    assert [c for c in fake.calls[cursor:] if c.method == "sendMessage"] == []
