"""A long reminder fan-out holds up nothing else the scheduler does: while hundreds of
reminders go out at Telegram's 30 a second, a report's board is edited and another admin's
/pushnow is answered, long before the fan-out ends (issue 11)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.test_schedule import bind, report
from tests.fakebot import ApiCall, FakeBotApi
from tests.harness import RunningBot, Talk, make_config, seed_liaisons

RECIPIENTS = 450  # at 30 a second: 15 s of fan-out, the rest of the test fits well inside it
FIRST_ID = 60_000
ADMIN, OTHER_ADMIN = 1001, 1002
GROUP = -1_000_100


def reminded(fake: FakeBotApi) -> int:
    return sum(1 for c in fake.calls if c.ok and "未上报进展" in (c.text or ""))


def is_board_edit(call: ApiCall) -> bool:
    return call.method == "editMessageText" and call.chat_id == GROUP and call.ok


async def test_boards_and_pushnow_go_out_during_a_long_fan_out(tmp_path: Path) -> None:
    db_path = tmp_path / "overlap.sqlite3"
    await seed_liaisons(db_path, RECIPIENTS, FIRST_ID)
    async with FakeBotApi() as fake:
        # Telegram's own pace: the fan-out takes RECIPIENTS / 30 seconds.
        bot = RunningBot(make_config(fake, db_path, admins=(ADMIN, OTHER_ADMIN), rate_limit=30,
                                     group_rate_limit=20))  # fmt: skip
        await bot.start()
        try:
            admin = Talk(fake, fake.user(ADMIN, "项目办"))
            other = Talk(fake, fake.user(OTHER_ADMIN, "项目办二"))
            await bind(fake, admin, GROUP, "城关区调度群", "unit 城关区")
            assert "已执行截止看板" in "".join(c.text or "" for c in await admin.say(
                "/pushnow board", until="已执行"))  # fmt: skip

            fake.send_text(admin.user, "/pushnow remind")  # answered when its fan-out is done
            await fake.wait_for(lambda c: reminded(fake) >= 30, timeout=30)

            liaison = Talk(fake, fake.user(FIRST_ID, "联络员0"))
            cursor = fake.cursor()
            await report(liaison, "P-00000")
            edit = await fake.wait_for(is_board_edit, after=cursor, timeout=30)
            assert "已报 1/" in (edit.text or "")
            assert reminded(fake) < RECIPIENTS, "the board waited for the whole fan-out"

            answer = await other.say("/pushnow board", until="已执行")
            assert answer and reminded(fake) < RECIPIENTS, "/pushnow waited for the fan-out"

            await fake.wait_reply(ADMIN, contains="已执行", timeout=60)
            assert reminded(fake) == RECIPIENTS
            await asyncio.sleep(0)
        finally:
            await bot.stop()
    per_chat = {c.chat_id for c in fake.calls if c.ok and "未上报进展" in (c.text or "")}
    assert len(per_chat) == RECIPIENTS  # each liaison once
