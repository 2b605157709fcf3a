"""A small city behind the real bot and its dashboard, and one headless browser, per module.

Starting Chromium and playing the city's week take a few seconds, so the browser tests of a
module share them (each test uses its own people where it changes anything).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest_asyncio

from demo import site_photo
from tests.e2e.conftest import ADMIN_ID, import_city, invite, join
from tests.e2e.test_problems import assign, raise_problem
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, make_config, with_buttons
from tests.web.browser import Chromium

OUTPUT = Path(__file__).resolve().parents[1] / "output" / "web"
WANG, LI_LEADER, ZHANG, ZHAO = 3001, 3002, 2001, 4001


@dataclass
class City:
    bot: RunningBot
    fake: FakeBotApi
    db_path: Path
    admin: Talk
    wang: Talk  # leader of XM-001, XM-002 (王副市长)
    li: Talk  # leader of XM-003, XM-004 (李副市长)
    zhang: Talk  # liaison of 城关区: XM-001, XM-003
    zhao: Talk  # contact of 自然资源局
    problem_id: int  # raised on XM-001, assigned to 自然资源局

    async def link(self, talk: Talk) -> str:
        """Send /web as this person; the link the bot answered with."""
        text = await talk.text("/web", until="/login/")
        found = re.search(r"https?://\S+/login/\S+", text)
        assert found, text
        return found.group(0)

    def project_id(self, code: str) -> int:
        from tests.harness import rows

        return rows(self.db_path, "SELECT id FROM projects WHERE code = ?", (code,))[0][0]


async def report(talk: Talk, code: str, text: str, amount: str) -> None:
    """A liaison's report as in chat: the text, the amount, then every optional step skipped
    (stage, milestone, problem, photo) until the summary asks to confirm."""
    await talk.say(f"/report {code}")
    await talk.say(text)
    answer = await talk.say(amount)
    for _ in range(6):
        if any("确认提交" in label for c in answer for label, _ in c.buttons):
            break
        answer = await talk.say("/skip")
    await talk.press(with_buttons(answer), "确认提交", until="已保存")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def city() -> AsyncIterator[City]:
    folder = Path(tempfile.mkdtemp(prefix="jinzhan-web-"))
    async with FakeBotApi() as fake:
        db_path = folder / "jinzhan.sqlite3"
        bot = RunningBot(make_config(fake, db_path, admins=(ADMIN_ID,)))
        await bot.start()
        try:
            admin = Talk(fake, fake.user(ADMIN_ID, "李主任", username="xmb_li"))
            await import_city(admin)
            people = {}
            for uid, name, args in (
                (WANG, "王副市长", "领导 王副市长"), (LI_LEADER, "李副市长", "领导 李副市长"),
                (ZHANG, "张三", "联络员 城关区"), (ZHAO, "赵局", "部门 自然资源局"),
            ):  # fmt: skip
                people[uid] = Talk(fake, fake.user(uid, name))
                await join(people[uid], await invite(admin, args))
            await admin.text("/milestone XM-001 主体封顶 2026-11-20")
            await report(people[ZHANG], "XM-001", "完成桩基施工12根，钢筋进场80吨", "3000万")
            await report(people[ZHANG], "XM-001", "完成桩基施工14根（更正）", "3200万")
            problem_id = await raise_problem(
                people[ZHANG], "XM-001", "用地", "临时用地手续未批", photo=site_photo()
            )
            await assign(admin, problem_id, "自然资源局")
            yield City(bot, fake, db_path, admin, people[WANG], people[LI_LEADER],
                       people[ZHANG], people[ZHAO], problem_id)  # fmt: skip
        finally:
            await bot.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Chromium]:
    async with Chromium() as found:
        yield found
