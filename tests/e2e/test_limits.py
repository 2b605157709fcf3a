"""Messages over Telegram's limits: long lists go out in parts, a long paste is one text.

Telegram refuses a message over 4,096 characters, and a client sends a longer paste as several
messages. /mine for a liaison with a hundred projects still answers, its buttons under the
last part; a paste into /report is refused whole instead of its tail being saved as the day's
report.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import import_city, invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, joined, rows
from tests.harness import report as report_by_name

HEAD = "项目编号,项目名称,责任单位,项目类别,建设阶段,包抓领导,总投资（万元）,年度计划投资（万元）"
MANY = 100


def many_projects() -> bytes:
    lines = [
        f"P-{i:03d},城关区第{i}号重点建设项目（一期）配套基础设施扩建工程,城关区,产业,在建,"
        "王副市长,50000,20000"
        for i in range(1, MANY + 1)
    ]
    return "\n".join([HEAD, *lines, ""]).encode()


async def report(talk: Talk, code: str, text: str) -> None:
    await report_by_name(talk, code, 进展=text)


async def test_mine_with_a_hundred_projects(
    bot: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    await import_city(admin, many_projects())
    zhang = person(fake, 2001, "张三")
    await join(zhang, await invite(admin, "联络员 城关区"))
    await report(zhang, "P-001", "土方开挖")
    answer = await zhang.say("/mine", until="按钮只列出")
    assert len(answer) > 1 and all(len(c.text or "") <= 4096 for c in answer)
    text = joined(answer)
    assert all(f"P-{i:03d}" in text for i in range(1, MANY + 1))
    assert "今日已报 1/100" in text
    assert [c for c in answer if c.buttons] == [answer[-1]]  # the keyboard under the last part
    labels = [label for label, _ in answer[-1].buttons]
    assert len(labels) == 20 and all(label.startswith("上报") for label in labels)
    assert "其余 80 个" in answer[-1].text
    started = await zhang.press(answer[-1], "第2号", until="今天做了什么")
    assert "P-002" in joined(started)


async def test_a_split_paste_into_report_is_refused_whole(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    zhang = person(fake, 2001, "张三")
    await join(zhang, await invite(admin, "联络员 XM-003"))
    await zhang.say("/report", until="今天做了什么")
    paste = "".join(f"{i}. 教学楼主体施工，钢筋绑扎与模板安装同步推进。\n" for i in range(200))
    assert len(paste) > 5000
    answer = await zhang.paste(paste, until="过长")
    assert len(answer) == 1  # one text: neither two refusals nor its tail taken as the report
    assert rows(db_path, "SELECT state FROM drafts") == [("text",)]
    assert "累计完成投资" in joined(await zhang.say("教学楼主体施工", until="累计完成投资"))
    assert rows(db_path, "SELECT COUNT(*) FROM report_revisions") == [(0,)]
