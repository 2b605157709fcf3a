"""Kill -9 the bot in the middle of a burst of reports: every confirmed report is on disk."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.fakebot import ApiCall, FakeBotApi, FakeUser
from tests.harness import SUMMARY, BotProcess, next_answer, seed_liaisons

LIAISONS = 40
FIRST_ID = 70_000


async def one_liaison(fake: FakeBotApi, user: FakeUser, n: int) -> None:
    """Report until killed: /report, what was done, skip the rest (by field name), confirm;
    again as corrections."""

    async def step(send: Callable[[], object], *expect: str) -> ApiCall:
        cursor = fake.cursor()
        send()
        return await fake.wait_for(
            lambda c: c.chat_id == user.id and any(e in (c.text or "") for e in expect),
            after=cursor,
            timeout=5,
        )

    for k in range(n):
        answer = await step(lambda: fake.send_text(user, "/report"), "步 · ")
        answers = {"进展": f"第{k}次进展"}
        while (reply := next_answer(answer.text or "", answers)) is not None:
            assert isinstance(reply, str)
            answer = await step(lambda r=reply: fake.send_text(user, r), "步 · ", SUMMARY)
        data = next(d for label, d in answer.buttons if "确认" in label)
        await step(lambda s=answer, d=data: fake.press(user, s, d), "已保存")


async def test_sigkill_mid_burst_loses_no_confirmed_report(tmp_path: Path) -> None:
    db_path = tmp_path / "kill.sqlite3"
    await seed_liaisons(db_path, LIAISONS, FIRST_ID)
    async with FakeBotApi() as fake:
        bot = BotProcess(fake, db_path, tmp_path)
        await bot.start()
        try:
            users = [fake.user(FIRST_ID + i, f"联络员{i}") for i in range(LIAISONS)]
            burst = [asyncio.create_task(one_liaison(fake, u, 50)) for u in users]

            def confirmed() -> int:
                return sum(1 for c in fake.calls if "已保存" in (c.text or ""))

            while confirmed() < 60:
                await asyncio.sleep(0.02)
            await bot.kill()  # mid-burst: many drafts open, writes in flight
            for task in burst:
                task.cancel()
            await asyncio.gather(*burst, return_exceptions=True)
        finally:
            await bot.kill()

        saved_msgs = [c for c in fake.calls if "已保存" in (c.text or "") and c.error_code is None]
    assert len(saved_msgs) >= 60
    with sqlite3.connect(db_path) as conn:
        stored = dict(
            conn.execute(
                "SELECT p.tg_user_id, COUNT(*) FROM report_revisions v"
                " JOIN people p ON p.id = v.person_id GROUP BY p.tg_user_id"
            ).fetchall()
        )
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    per_chat: dict[int, int] = {}
    for call in saved_msgs:
        per_chat[call.chat_id] = per_chat.get(call.chat_id, 0) + 1
    for chat_id, count in per_chat.items():
        assert stored.get(chat_id, 0) >= count, f"liaison {chat_id} lost a confirmed report"
