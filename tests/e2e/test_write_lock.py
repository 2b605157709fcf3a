"""No Bot API call happens inside a database transaction: one slow chat never stalls the rest.

Every write waits for the one writer lock, so a reply sent while holding it makes every other
liaison's 确认 wait for Telegram too. The transport refuses such a call outright, and a chat
whose replies hang does not slow another chat's confirmation.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_ID, CITY_CSV, invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, button_data, report, rows, with_buttons

HANG = 6.0  # seconds Telegram takes to answer the admin, far beyond the 2 s the test allows


async def test_a_bot_api_call_inside_a_transaction_is_refused(city: RunningBot) -> None:
    assert city.app is not None
    with pytest.raises(RuntimeError, match="inside a database transaction"):
        async with city.db.transaction():
            await city.app.bot.send_message(ADMIN_ID, "不应发出")
    await city.app.bot.send_message(ADMIN_ID, "事务之外可以发送")  # and the guard is reset


async def test_a_hanging_chat_does_not_delay_another_chats_confirmation(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    zhang = person(fake, 2001, "张三")
    await join(zhang, await invite(admin, "联络员 XM-003"))
    summary = await report(zhang, None, 进展="主体施工", confirm=False)
    await admin.say("/import")
    preview = await admin.send_document("city.csv", CITY_CSV, "text/csv", until="确认导入")

    # Telegram hangs on every message to the admin; the admin cancels the import meanwhile.
    fake.fail_next("sendMessage", hang=HANG, chat_id=ADMIN_ID, count=5)
    cursor = fake.cursor()
    fake.press(admin.user, with_buttons(preview), button_data(with_buttons(preview), "取消"))
    await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=cursor, timeout=5)
    await asyncio.sleep(0.3)  # the admin's "已取消" is now on its way to the hanging Telegram

    started = asyncio.get_running_loop().time()
    await zhang.press(with_buttons(summary), "确认提交", until="已保存", timeout=HANG + 5)
    assert asyncio.get_running_loop().time() - started < 2.0
    assert rows(db_path, "SELECT COUNT(*) FROM report_revisions") == [(1,)]
    assert rows(db_path, "SELECT COUNT(*) FROM drafts WHERE tg_user_id = ?", (ADMIN_ID,)) == [(0,)]
