"""Status recomputed on every report, fake progress not counted, /rank /why /status readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import import_city, invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, rows
from tests.harness import report as report_by_name


async def report(talk: Talk, code: str, text: str, amount: str = "/skip") -> None:
    await report_by_name(talk, code, 进展=text, 投资=amount)


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


# Five territories ranked together (groups of 4-5 once named a unit under both 领先 and 落后).
FIVE_UNITS = (
    "项目编号,项目名称,责任单位,项目类别,建设阶段,包抓领导,总投资（万元）,年度计划投资（万元）\n"
    """D-1,东城综合管廊,东城区,基础设施,在建,王副市长,50000,20000
D-2,东城安置小区,东城区,民生,在建,王副市长,20000,8000
W-1,西城物流园,西城区,产业,在建,王副市长,60000,20000
N-1,南城医院,南城区,民生,在建,李副市长,30000,10000
B-1,北城学校,北城区,民生,在建,李副市长,8000,3000
C-1,城关水厂,城关区,基础设施,在建,李副市长,40000,12000
"""
).encode()
LEADERS, EAST = -1001, -1002


def caption_names(caption: str, label: str) -> set[str]:
    """The units a caption names on its line starting with `label`; none for "—"."""
    (line,) = [x for x in caption.splitlines() if x.startswith(label)]
    names = line.split("：", 1)[1]
    return set() if names == "—" else set(names.split("、"))


def flagged_in(ranking: str, flag: str) -> set[str]:
    """Units /rank shows with `flag` (🚩 or 🟨): lines like "1. 🚩东城区 88.0分 新"."""
    return {x.split(flag, 1)[1].split(" ")[0] for x in ranking.splitlines() if flag in x}


async def test_monday_push_names_exactly_the_flagged_units_for_the_charted_week(
    bot: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    await import_city(admin, FIVE_UNITS)
    east, west = person(fake, 2001, "张三"), person(fake, 2002, "李四")
    await join(east, await invite(admin, "联络员 东城区"))
    await join(west, await invite(admin, "联络员 西城区"))
    for chat, title, args in ((LEADERS, "市领导群", "leaders"), (EAST, "东城区群", "unit 东城区")):
        fake.add_to_group(admin.user, chat, title)
        cursor = fake.cursor()
        fake.send_text(admin.user, f"/bindgroup {args}", chat_id=chat, chat_title=title)
        await fake.wait_reply(chat, after=cursor, contains="✅")
    # Week 48: 东城区 reports real progress twice, 西城区 once with little, the rest nothing.
    await report(east, "D-1", "综合管廊主体浇筑完成300米", "1.5亿")
    await report(west, "W-1", "物流园场地平整", "500万")
    bot.clock.advance(days=1)
    await report(east, "D-1", "综合管廊顶板浇筑完成200米", "1.8亿")
    await bot.tick("2026-11-30 09:00")
    await fake.wait_idle()

    # (The start-up tick may have sent last week's and last month's pushes: they are not ours.)
    photos = [c for c in fake.sent_to(LEADERS)
              if c.ok and c.method == "sendPhoto" and "2026-W48" in (c.text or "")]  # fmt: skip
    (units,) = [c for c in photos if "领先" in c.text]
    best, worst = caption_names(units.text, "领先"), caption_names(units.text, "落后")
    ranking = await admin.text("/rank 2026-W48")
    assert "2026-W48" in ranking
    assert best == flagged_in(ranking, "🚩")
    assert worst == flagged_in(ranking, "🟨")
    assert not best & worst
    # The hints name the week on the chart, not "this week" as of whenever they are read.
    assert "/why 单位名 2026-W48" in units.text and "/rank 2026-W48" in units.text
    (board,) = [c for c in photos if "龙虎榜" in c.text]
    assert "/why 项目编号 2026-W48" in board.text
    (mine,) = [c for c in fake.sent_to(EAST)
               if c.ok and c.method == "sendPhoto" and "2026-W48" in (c.text or "")]  # fmt: skip
    assert "东城区" in mine.text and "本单位内排名" in mine.text
