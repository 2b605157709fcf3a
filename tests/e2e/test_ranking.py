"""Status recomputed on every report, fake progress not counted, /rank /why /status readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, rows, with_buttons


async def report(talk: Talk, code: str, text: str, amount: str = "/skip") -> None:
    await talk.say(f"/report {code}", until="今天做了什么")
    await talk.say(text)
    await talk.say(amount, until="阶段")
    for _ in range(2):
        await talk.say("/skip")
    summary = await talk.say("/skip", until="请核对")
    await talk.press(with_buttons(summary), "确认提交", until="已保存")


def color_of(db_path: Path, code: str) -> str:
    query = "SELECT s.color FROM project_status s JOIN projects p ON p.id = s.project_id"
    ((color,),) = rows(db_path, query + " WHERE p.code = ?", (code,))
    return color


@pytest.fixture
async def liaisons(city: RunningBot, fake: FakeBotApi, admin: Talk) -> tuple[Talk, Talk]:
    zhang, wu = person(fake, 2001, "张三"), person(fake, 2003, "吴五")
    await join(zhang, await invite(admin, "联络员 城关区"))
    await join(wu, await invite(admin, "联络员 高新区"))
    return zhang, wu


async def test_status_follows_each_report(
    liaisons: tuple[Talk, Talk], admin: Talk, db_path: Path
) -> None:
    zhang, _ = liaisons
    # XM-001: year plan 2亿; by Nov 23 the plan to date is about 1.79亿.
    await report(zhang, "XM-001", "管网铺设完成2公里", "5000万")
    assert color_of(db_path, "XM-001") == "red"
    card = await admin.text("/status XM-001")
    assert "🔴红" in card and "投资落后序时进度30个百分点以上" in card
    # Catching up the same day: the correction brings it to plan, and red clears.
    await report(zhang, "XM-001", "管网铺设完成2公里，泵站主体完工", "2亿")
    assert color_of(db_path, "XM-001") == "green"


async def test_boilerplate_counts_as_a_report_not_as_progress(
    liaisons: tuple[Talk, Talk], db_path: Path, city: RunningBot
) -> None:
    _, wu = liaisons
    await report(wu, "XM-004", "电池车间设备安装调试")
    city.clock.advance(days=1)  # Tuesday
    await report(wu, "XM-004", "同上")
    city.clock.advance(days=1)
    await report(wu, "XM-004", "电池车间设备安装调试")  # yesterday's text again
    assert rows(db_path, "SELECT r.report_date, v.real_progress FROM report_revisions v"
                         " JOIN reports r ON r.id = v.report_id ORDER BY r.report_date") == [
        ("2026-11-23", 1), ("2026-11-24", 0), ("2026-11-25", 0)
    ]  # fmt: skip


async def test_rank_why_and_unit_status(
    liaisons: tuple[Talk, Talk], admin: Talk, fake: FakeBotApi
) -> None:
    zhang, _ = liaisons
    await report(zhang, "XM-001", "管网铺设完成2公里", "2亿")
    # On Monday /rank means the week that just ended, before these projects existed.
    assert "还没有可排名的单位" in await admin.text("/rank")
    ranking = await admin.text("/rank 本周")
    assert "1. 🚩城关区" in ranking and "2. 🟨高新区" in ranking
    assert "项目龙虎榜" in ranking and "XM-001" in ranking
    why = await admin.text("/why 城关区 本周")
    assert "2026-W48（2026-11-23 至 2026-11-23）" in why
    assert "投资完成率（对序时进度）" in why and "权重" in why and "满分100" in why
    assert why == await admin.text("/why 本周 城关区")  # the week in either place
    assert "找不到" in await admin.text("/why 火星区")
    assert "无法识别“2026-W60”" in await admin.text("/why 城关区 2026-W60")
    unit = await admin.text("/status 高新区 本周")
    assert "2 个项目" in unit and "第 2 名" in unit
    # 高新区 had no real progress: its projects count 0 (the gate), shown by /why.
    assert "2 个项目中有 2 个该周没有实质进展" in await admin.text("/why 高新区 本周")
    # A liaison may not read rankings.
    assert "仅限" in await zhang.text("/rank")


async def test_last_week_is_kept_and_changes_show(
    liaisons: tuple[Talk, Talk], admin: Talk, city: RunningBot
) -> None:
    zhang, wu = liaisons
    await report(wu, "XM-004", "厂房钢结构吊装", "3亿")
    city.clock.set("2026-11-30 10:00")  # next Monday
    last = await admin.text("/rank 上周")
    assert "2026-W48" in last and "1. 🚩高新区" in last
    await report(zhang, "XM-001", "管网铺设完成2公里", "2亿")
    await report(zhang, "XM-003", "教学楼主体封顶", "3000万")
    this = await admin.text("/rank 本周")
    assert "2026-W49" in this and "1. 🚩城关区 " in this and "▲1" in this
    assert await admin.text("/rank") == last  # on Monday the default is the week just ended
