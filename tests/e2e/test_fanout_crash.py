"""A crash (kill -9) in the middle of a 500-recipient reminder fan-out: after the restart the
rest goes out, and no liaison gets the reminder twice or not at all."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from tests.fakebot import FakeBotApi
from tests.harness import BotProcess, seed_liaisons

RECIPIENTS = 500
FIRST_ID = 80_000
ADMIN_ID = 1001


def delivered(fake: FakeBotApi) -> Counter[int]:
    """Successful reminders per chat."""
    return Counter(
        c.chat_id for c in fake.calls
        if c.method == "sendMessage" and c.ok and "未上报进展" in (c.text or "")
    )  # fmt: skip


async def test_kill_mid_fanout_then_resume_exactly_once(tmp_path: Path) -> None:
    db_path = tmp_path / "fanout.sqlite3"
    await seed_liaisons(db_path, RECIPIENTS, FIRST_ID)
    async with FakeBotApi() as fake:
        bot = BotProcess(fake, db_path, tmp_path, admins=(ADMIN_ID,))
        await bot.start()
        try:
            admin = fake.user(ADMIN_ID, "项目办")
            fake.send_text(admin, "/pushnow remind")
            while sum(delivered(fake).values()) < RECIPIENTS // 2:
                await asyncio.sleep(0.01)
            # From here Telegram refuses (429, nothing delivered) and the bot is waiting it
            # out; give answers already received a moment to be recorded, then pull the plug.
            fake.fail_next("sendMessage", status=429, retry_after=60, count=100_000)
            await fake.wait_for(lambda c: c.error_code == 429, timeout=10)
            await asyncio.sleep(0.5)
            before = sum(delivered(fake).values())
            await bot.kill()
            assert 0 < before < RECIPIENTS, "the kill must land mid fan-out"

            fake.clear_faults()
            await bot.start()  # the startup tick finds the rest still pending
            deadline = asyncio.get_running_loop().time() + 60
            while sum(delivered(fake).values()) < RECIPIENTS:
                assert asyncio.get_running_loop().time() < deadline, delivered(fake)
                await asyncio.sleep(0.05)
            await fake.wait_idle(quiet=1.5, timeout=30)  # and nothing more trickles in
        finally:
            await bot.kill()
    counts = delivered(fake)
    assert set(counts) == set(range(FIRST_ID, FIRST_ID + RECIPIENTS))
    assert max(counts.values()) == 1, [c for c, n in counts.items() if n > 1]
