"""Reminders, boards and pushes on a controlled clock: the right people, once, at the right
time, on the days the official calendar (and the deployment's exceptions) say are workdays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import invite, join, person
from tests.fakebot import ApiCall, FakeBotApi
from tests.harness import RunningBot, Talk, answer_report, joined, rows, with_buttons
from tests.harness import report as report_by_name

CHENGGUAN, GAOXIN, LEADERS = -1001, -1002, -1003


@dataclass
class Town:
    bot: RunningBot
    fake: FakeBotApi
    admin: Talk
    zhang: Talk  # 城关区: XM-001, XM-003
    li: Talk  # XM-002
    wu: Talk  # XM-004
    wang: Talk  # leader of XM-001, XM-002


async def bind(fake: FakeBotApi, admin: Talk, chat: int, title: str, args: str) -> None:
    fake.add_to_group(admin.user, chat, title)
    await fake.wait_reply(chat)
    cursor = fake.cursor()
    fake.send_text(admin.user, f"/bindgroup {args}", chat_id=chat, chat_title=title)
    await fake.wait_reply(chat, after=cursor, contains="✅")


@pytest.fixture
async def town(city: RunningBot, fake: FakeBotApi, admin: Talk) -> Town:
    people = {}
    for uid, name, scope in ((2001, "张三", "城关区"), (2002, "李四", "XM-002"),
                             (2003, "吴五", "XM-004")):  # fmt: skip
        people[uid] = person(fake, uid, name)
        await join(people[uid], await invite(admin, f"联络员 {scope}"))
    wang = person(fake, 3001, "王副市长")
    await join(wang, await invite(admin, "领导 王副市长"))
    await bind(fake, admin, CHENGGUAN, "城关区调度群", "unit 城关区")
    await bind(fake, admin, GAOXIN, "高新区调度群", "unit 高新区")
    await bind(fake, admin, LEADERS, "市领导群", "leaders")
    return Town(city, fake, admin, people[2001], people[2002], people[2003], wang)


def reminders(fake: FakeBotApi, chat: int) -> list[ApiCall]:
    return [c for c in fake.sent_to(chat) if c.ok and "未上报进展" in (c.text or "")]


def boards(fake: FakeBotApi, chat: int, method: str = "sendMessage") -> list[ApiCall]:
    return [
        c for c in fake.sent_to(chat)
        if c.ok and c.method == method and "进展上报看板" in (c.text or "")
    ]  # fmt: skip


async def report(talk: Talk, code: str, text: str = "今日施工正常推进，完成模板安装") -> None:
    await report_by_name(talk, code, 进展=text)


async def test_a_full_workday(town: Town) -> None:
    bot, fake = town.bot, town.fake
    await bot.tick("2026-11-23 15:59")
    assert not reminders(fake, 2001)
    await bot.tick("2026-11-23 16:00")
    first = reminders(fake, 2001)
    assert len(first) == 1 and "XM-001" in first[0].text and "XM-003" in first[0].text
    assert {label for label, _ in first[0].buttons} >= {"上报 城东污水处理厂", "30分钟后提醒我"}
    assert len(reminders(fake, 2002)) == 1 and len(reminders(fake, 2003)) == 1
    assert not reminders(fake, 3001)  # leaders are not liaisons

    # 张三 snoozes; 李四 reports straight from his reminder's button.
    assert "再提醒" in joined(await town.zhang.press(first[0], "30分钟后"))
    bot.clock.set("2026-11-23 16:10")
    ask = await town.li.press(reminders(fake, 2002)[0], "上报", until="今天做了什么")
    await answer_report(town.li, ask, 进展="基础垫层浇筑完成")

    await bot.tick("2026-11-23 16:20")
    assert len(reminders(fake, 2001)) == 1  # snoozed until 16:40
    await bot.tick("2026-11-23 16:41")
    assert len(reminders(fake, 2001)) == 2  # the snoozed one
    await bot.tick("2026-11-23 17:30")
    assert len(reminders(fake, 2001)) == 3 and len(reminders(fake, 2003)) == 2
    assert len(reminders(fake, 2002)) == 1  # reported: no second reminder

    await bot.tick("2026-11-23 18:00")
    (cg,) = boards(fake, CHENGGUAN)
    assert "已报 0/2" in cg.text and "张三：XM-001、XM-003" in cg.text
    (gx,) = boards(fake, GAOXIN)
    assert "已报 1/2" in gx.text and "吴五：XM-004" in gx.text and "李四" not in gx.text
    await bot.tick("2026-11-23 18:05")
    assert not boards(fake, GAOXIN, "editMessageText")  # nothing changed, nothing edited

    bot.clock.set("2026-11-23 18:20")
    await report(town.wu, "XM-004")
    await bot.tick()
    edits = boards(fake, GAOXIN, "editMessageText")
    assert len(edits) == 1 and "已清零" in edits[0].text

    bot.clock.set("2026-11-23 19:00")
    await report(town.zhang, "XM-001")
    await bot.tick()
    assert "已报 1/2" in boards(fake, CHENGGUAN, "editMessageText")[-1].text
    await report(town.zhang, "XM-003")
    await bot.tick()
    assert "已清零" in boards(fake, CHENGGUAN, "editMessageText")[-1].text
    # One board message per group per day; everything after is an edit of it.
    assert len(boards(fake, CHENGGUAN)) == 1 and len(boards(fake, GAOXIN)) == 1

    await bot.tick("2026-11-23 20:00")
    digest = [c for c in fake.sent_to(CHENGGUAN) if "进展日报" in (c.text or "")]
    assert len(digest) == 1 and "XM-001" in digest[0].text
    leaders = [c for c in fake.sent_to(LEADERS) if "进展日报" in (c.text or "")]
    assert len(leaders) == 1 and "城关区：已报 2/2" in leaders[0].text


async def test_holiday_and_adjusted_saturday(town: Town) -> None:
    await town.bot.tick("2026-10-01 16:00")  # 国庆: a statutory holiday on a Thursday
    assert not reminders(town.fake, 2001)
    await town.bot.tick("2026-10-10 16:00")  # 调休: a Saturday that is a workday
    assert len(reminders(town.fake, 2001)) == 1
    await town.bot.tick("2026-10-11 16:00")  # an ordinary Sunday
    assert len(reminders(town.fake, 2001)) == 1


async def test_local_exception_day_off(town: Town) -> None:
    assert "休息日" in await town.admin.text("/schedule 例外 2026-11-24 休息 全市停电检修")
    await town.bot.tick("2026-11-24 16:00")
    assert not reminders(town.fake, 2001)
    assert "工作日" in await town.admin.text("/schedule 例外 2026-11-29 上班")
    await town.bot.tick("2026-11-29 16:00")  # a Sunday made a workday locally
    assert len(reminders(town.fake, 2001)) == 1


async def test_person_on_leave_is_not_reminded_nor_missing(town: Town) -> None:
    assert "已登记" in await town.zhang.text("/leave 11-23 11-24")
    await town.bot.tick("2026-11-23 16:00")
    assert not reminders(town.fake, 2001) and len(reminders(town.fake, 2003)) == 1
    await town.bot.tick("2026-11-23 18:00")
    (cg,) = boards(town.fake, CHENGGUAN)
    assert "请假：张三" in cg.text and "张三：" not in cg.text
    # An admin can register leave for someone else.
    assert "吴五" in await town.admin.text("/leave 吴五 11-25")


async def test_restart_between_reminder_and_deadline(town: Town, db_path: Path) -> None:
    await town.bot.tick("2026-11-23 16:00")
    await town.bot.restart()
    await town.bot.tick("2026-11-23 16:05")
    assert len(reminders(town.fake, 2001)) == 1  # not sent again after the restart
    await town.bot.tick("2026-11-23 18:00")
    assert len(boards(town.fake, CHENGGUAN)) == 1


async def test_missed_while_down_sent_if_still_useful(town: Town) -> None:
    """Down all of next Monday until 18:30: the reminders are stale, the board and the
    weekly ranking are not."""
    await town.bot.tick("2026-11-30 18:30")
    assert not reminders(town.fake, 2001)
    assert len(boards(town.fake, CHENGGUAN)) == 1
    weekly = [c for c in town.fake.sent_to(LEADERS) if c.method == "sendPhoto"]
    # The unit ranking chart and the projects' 龙虎榜, for the week that just ended.
    assert len(weekly) == 2  # sent concurrently: either may come first
    assert any("2026-11-23 至 2026-11-29" in (c.text or "") for c in weekly)


async def test_pushnow_after_the_scheduled_run_repeats_nothing(town: Town) -> None:
    await town.bot.tick("2026-11-23 16:00")
    answer = await town.admin.text("/pushnow remind")
    assert "新增 0 条" in answer
    assert len(reminders(town.fake, 2001)) == 1
    await town.admin.text("/pushnow board")
    assert len(boards(town.fake, CHENGGUAN)) == 1
    await town.bot.tick("2026-11-23 18:00")
    assert len(boards(town.fake, CHENGGUAN)) == 1


async def test_schedule_changes_take_effect_at_once(town: Town, db_path: Path) -> None:
    shown = await town.admin.text("/schedule")
    assert "第一次提醒（remind1）：工作日 16:00，开" in shown
    assert "单位群 2 个" in shown and "领导群 1 个" in shown
    assert "16:30" in await town.admin.text("/schedule 第一次提醒 16:30")
    await town.bot.tick("2026-11-23 16:00")
    assert not reminders(town.fake, 2001)
    await town.bot.tick("2026-11-23 16:30")
    assert len(reminders(town.fake, 2001)) == 1
    menu = with_buttons(await town.admin.say("/schedule"))
    await town.admin.press(menu, "关闭第二次提醒", until="已关")
    await town.bot.tick("2026-11-23 17:30")
    assert len(reminders(town.fake, 2001)) == 1
    assert "看不懂" not in await town.admin.text("/schedule 日报 关")
    for days in ("0", "٣", "9" * 25):
        assert "1–30 的整数" in await town.admin.text(f"/schedule 连续 {days}")
    # "²" passed str.isdigit and then broke int(); it is read as typed digits are, folded
    assert "改为 2" in await town.admin.text("/schedule 连续 ²")
    assert rows(db_path, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'schedule.%'") == [(4,)]


async def test_streak_goes_to_the_linked_leader(town: Town) -> None:
    async with town.bot.db.transaction() as tx:  # the liaisons were bound last Thursday
        await tx.execute("UPDATE people SET created_at = '2026-11-18T16:00:00Z'")
    for day in ("2026-11-19", "2026-11-20", "2026-11-23", "2026-11-24"):  # weekend between
        await town.bot.tick(f"{day} 18:00")
    notes = [c for c in town.fake.sent_to(3001) if "连续 3 个工作日" in (c.text or "")]
    assert len(notes) == 1  # on the third missed workday, not again on the fourth
    assert "截至 11月23日" in notes[0].text
    assert "张三（XM-001）" in notes[0].text and "李四（XM-002）" in notes[0].text
    assert "吴五" not in notes[0].text  # XM-004 is 李副市长's project


async def test_blocked_chat_is_marked_skipped_and_shown(town: Town, db_path: Path) -> None:
    town.fake.block_chat(2003)
    await town.bot.tick("2026-11-23 16:00")
    assert rows(db_path, "SELECT status FROM outbox WHERE chat_id = 2003") == [("blocked",)]
    assert "吴五" in await town.admin.text("/schedule")
    await town.bot.tick("2026-11-24 16:00")
    assert rows(db_path, "SELECT COUNT(*) FROM outbox WHERE chat_id = 2003") == [(1,)]
    assert len(reminders(town.fake, 2001)) == 2


async def test_429_storm_delays_but_loses_and_repeats_nothing(town: Town) -> None:
    town.fake.fail_next("sendMessage", status=429, retry_after=1, count=3)
    await town.bot.tick("2026-11-23 16:00")
    for chat in (2001, 2002, 2003):
        assert len(reminders(town.fake, chat)) == 1


async def test_unknown_calendar_year_falls_back_and_warns_admins_once(town: Town) -> None:
    await town.bot.tick("2027-03-01 16:00")  # a Monday the calendar package may not know
    await town.bot.tick("2027-03-02 16:00")
    warnings = [c for c in town.fake.sent_to(1001) if "节假日数据尚未包含 2027" in (c.text or "")]
    from domain.workdays import WorkCalendar

    if WorkCalendar().knows_year(2027):  # a newer package knows 2027: no warning is due
        assert not warnings
    else:
        assert len(warnings) == 1
    assert len(reminders(town.fake, 2001)) == 2  # Monday–Friday fallback still reminds


async def test_monthly_bulletin_ledger_and_quarter_flags(town: Town) -> None:
    await report(town.zhang, "XM-001", "管网铺设完成2公里")
    await town.bot.tick("2026-12-01 09:00")
    sent = [c for c in town.fake.sent_to(LEADERS) if c.ok]
    chart = [c for c in sent if c.method == "sendPhoto" and "月度通报" in (c.text or "")]
    assert len(chart) == 1 and chart[0].text.splitlines()[1].startswith("全市重点项目4项，")
    ledger = [c for c in sent if c.method == "sendDocument"]
    assert len(ledger) == 1 and ledger[0].message["document"]["file_name"].endswith(".xlsx")
    assert not [c for c in sent if "季度红黄旗" in (c.text or "")]  # November ends no quarter
    await town.bot.tick("2027-01-01 09:00")  # December closes Q4: 收官
    flags = [c for c in town.fake.sent_to(LEADERS) if "季度红黄旗" in (c.text or "")]
    assert len(flags) == 1 and "收官" in flags[0].text
