"""A week in a small city where units report well, badly, junk and not at all.

Each workday begins with the scheduler's status run; liaisons report through /report. On the
next Monday /rank, /why 上周 and /status must agree with each other and with the rules, worked
out here by hand (domain.status, domain.scoring, domain.ranking, domain.reporting_days).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import import_city, invite, join, person
from tests.e2e.test_ranking import report
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, rows

LEADERS = -1001
# 万元. Year plans of 3,000万 without a monthly plan: 序时进度 by Sunday Nov 29 (day 333 of 365)
# is 3000 * 333 / 365 = 2,736.99万; HW-06 has no plan at all.
WEEK_CSV = (
    "项目编号,项目名称,责任单位,项目类别,建设阶段,包抓领导,总投资（万元）,年度计划投资（万元）\n"
    """HW-01,东城智能工厂,东城区,产业,在建,王副市长,10000,3000
HW-02,西城物流园,西城区,产业,在建,王副市长,10000,3000
HW-03,南城污水厂,南城区,基础设施,在建,李副市长,10000,3000
HW-04,北城学校,北城区,民生,在建,李副市长,10000,3000
HW-05,高新电池线,高新区,产业,在建,李副市长,10000,3000
HW-06,高新孵化楼,高新区,产业,前期,李副市长,5000,0
"""
).encode()
DAYS = ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27")
# Real progress: a new thing done each day (a near repeat of yesterday would not count).
WORK = ("完成桩基施工，共浇筑32根", "地下室底板钢筋绑扎完成", "一层框架柱混凝土浇筑完毕",
        "二层楼板模板支设，进场工人120人", "屋面钢结构吊装完成三榀")  # fmt: skip


@pytest.fixture
async def town(bot: RunningBot, fake: FakeBotApi, admin: Talk) -> dict[str, Talk]:
    """The city on Monday Nov 23, 10:00, and a liaison for each unit that reports."""
    await import_city(admin, WEEK_CSV, "week.csv")
    liaisons = {}
    for uid, name, unit in ((2101, "东一", "东城区"), (2102, "西二", "西城区"),
                            (2103, "南三", "南城区"), (2105, "高五", "HW-05")):  # fmt: skip
        liaisons[unit] = person(fake, uid, name)
        await join(liaisons[unit], await invite(admin, f"联络员 {unit}"))
    leader = person(fake, 3101, "王副市长")
    await join(leader, await invite(admin, "领导 王副市长"))
    liaisons["leader"] = leader
    return liaisons


def colors(db_path: Path) -> dict[str, str]:
    query = "SELECT p.code, s.color FROM projects p JOIN project_status s ON s.project_id = p.id"
    return dict(rows(db_path, query))


def status_runs(db_path: Path) -> list[str]:
    return [p for (p,) in rows(db_path, "SELECT period FROM slot_runs WHERE kind = 'status'"
                                         " ORDER BY period")]  # fmt: skip


async def workday(bot: RunningBot, day: str, people: dict[str, Talk]) -> None:
    """One workday: the status run at its start, then the reports of the day."""
    n = DAYS.index(day) + 1
    if day != DAYS[2]:  # Wednesday: the bot is down overnight (caught up below)
        await bot.tick(f"{day} 00:00")
    bot.clock.set(f"{day} 10:00")
    first, thursday = n == 1, n == 4
    # 东城区: real progress every day, at 序时进度 from the start.
    await report(people["东城区"], "HW-01", WORK[n - 1], "2800万" if first else "/skip")
    # 高新区: HW-05 the same; HW-06 (no plan) never reports.
    await report(
        people["HW-05"], "HW-05", "电池车间" + WORK[n - 1], "2800万" if first else "/skip"
    )
    # 西城区: real progress on Monday and Thursday only, far behind plan.
    if first or thursday:
        await report(
            people["西城区"], "HW-02", "仓储区" + WORK[n - 1], "1000万" if first else "1200万"
        )
    # 南城区: a report every day, never real progress (boilerplate, then yesterday's text).
    await report(people["南城区"], "HW-03", "无" if first else "同上")
    # 北城区: not at all.
    if day == DAYS[2]:
        await bot.tick(f"{day} 15:00")  # back up: the day's status run is caught up


async def test_an_honest_week(
    town: dict[str, Talk], bot: RunningBot, admin: Talk, db_path: Path, fake: FakeBotApi
) -> None:
    # Imported on Monday at 10:00: judged at once. 0 invested against 序时进度 late in the year
    # is red, silence or not; HW-06 has nothing to judge it by: 未上报, never green.
    assert colors(db_path) == {"HW-01": "red", "HW-02": "red", "HW-03": "red", "HW-04": "red",
                               "HW-05": "red", "HW-06": "unreported"}  # fmt: skip
    assert "⚪未上报" in await admin.text("/status HW-06")
    fake.add_to_group(admin.user, LEADERS, "市领导群")
    cursor = fake.cursor()
    fake.send_text(admin.user, "/bindgroup leaders", chat_id=LEADERS, chat_title="市领导群")
    await fake.wait_reply(LEADERS, after=cursor, contains="✅")

    for day in DAYS:
        await workday(bot, day, town)
        if day == DAYS[3]:
            # Thursday's run: HW-06 has been silent Tue and Wed, 2 workdays: still 未上报.
            assert colors(db_path)["HW-06"] == "unreported"
    # Friday's run: silent Tue, Wed, Thu = 3 workdays since it entered the ledger: yellow.
    assert colors(db_path)["HW-06"] == "yellow"
    await bot.restart()  # a restart does not repeat the day's run
    await bot.tick("2026-11-27 16:00")
    await bot.tick("2026-11-30 00:00")
    bot.clock.set("2026-11-30 10:00")
    assert status_runs(db_path) == [*DAYS, "2026-11-30"]  # once a workday, Wednesday caught up

    # Statuses on Monday: going silent is never better than reporting badly.
    assert colors(db_path) == {"HW-01": "green", "HW-02": "red", "HW-03": "red", "HW-04": "red",
                               "HW-05": "green", "HW-06": "yellow"}  # fmt: skip
    bad, silent = await admin.text("/status HW-02"), await admin.text("/status HW-04")
    assert "投资落后序时进度30个百分点以上" in bad and "连续多个工作日无实质进展" not in bad
    assert "投资落后序时进度30个百分点以上" in silent and "连续多个工作日无实质进展" in silent

    # /rank on Monday: the week that just ended, 2026-W48. By hand, as of Sunday Nov 29:
    # 东城区 HW-01: investment 2800 / 2736.99 = 1.02 (earns its full weight), reporting 5/5
    #   (Monday's report counts: it reported on the day it entered) -> 100.
    # 高新区: HW-05 as HW-01; HW-06 gated (no real progress) with 4 workdays owed (Tue..Fri).
    #   investment 1.02 -> full weight; reporting (5 + 0) / (5 + 4) = 0.5556:
    #   100 * (0.35 + 0.15 * 0.5556) / 0.5 = 86.67.
    # 西城区 HW-02: investment 1200 / 2736.99 = 0.4384, reporting 2/5:
    #   100 * (0.35 * 0.4384 + 0.15 * 0.4) / 0.5 = 42.69.
    # 南城区 (junk) and 北城区 (silent): no real progress, gated: 0, tied.
    # Group of 5: N = 2. Red: places 1 and 2. Yellow: the 0-tie (from the bottom: place 1).
    ranking = await admin.text("/rank")
    assert "2026-W48" in ranking and "2026-11-23 至 2026-11-29" in ranking
    lines = re.findall(r"^(\d+)\. (🚩|🟨)?(\S+) ([\d.]+)分", ranking, re.MULTILINE)
    assert lines == [
        ("1", "🚩", "东城区", "100.0"), ("2", "🚩", "高新区", "86.7"),
        ("3", "", "西城区", "42.7"), ("4", "🟨", "北城区", "0.0"), ("4", "🟨", "南城区", "0.0"),
    ]  # fmt: skip

    # /why 上周 explains the same week and the same scores; /status shows the same places.
    for place, flag, unit, score in lines:
        why = await admin.text(f"/why 上周 {unit}")
        assert f"🔎 {unit} 2026-W48（2026-11-23 至 2026-11-29）得分 {score}" in why
        assert why == await admin.text(f"/why {unit}")  # Monday's default is the same week
        card = await admin.text(f"/status {unit}")
        assert f"2026-W48 得分 {score}，区县及开发区第 {place} 名{flag}" in card
    why_west = await admin.text("/why 西城区 上周")
    assert "投资完成率（对序时进度）：44%" in why_west and "进展上报率：40%" in why_west
    assert "没有实质进展" not in why_west
    assert "该周没有实质进展：各项指标均按 0 计" in await admin.text("/why 南城区 上周")
    assert "2 个项目中有 1 个该周没有实质进展" in await admin.text("/why 高新区 上周")
    assert "🟢1 🟡1 🔴0 ⚪未上报0" in await admin.text("/status 高新区")
    card = await admin.text("/status HW-02")
    assert "2026-W48 得分 42.7，区县及开发区第 3 名" in card and "最近上报：2026-11-26" in card

    # The Monday push (due at 09:00, sent by now) shows the same week and names exactly the
    # flagged units: 领先 the red flags, 落后 the yellow ones.
    await bot.tick()
    await fake.wait_idle()
    (chart,) = [c for c in fake.sent_to(LEADERS) if c.ok and c.method == "sendPhoto"
                and "领先" in (c.text or "") and "2026-W48" in c.text]  # fmt: skip
    named = dict(line.split("：", 1) for line in chart.text.splitlines()[1:3])
    assert named == {"领先（红旗）": "东城区、高新区", "落后（黄旗）": "北城区、南城区"}
    assert {unit for _, flag, unit, _ in lines if flag == "🚩"} == {"东城区", "高新区"}
    assert {unit for _, flag, unit, _ in lines if flag == "🟨"} == {"北城区", "南城区"}
    assert "/why 单位名 2026-W48" in chart.text


async def test_a_leader_sees_their_projects_and_any_units_aggregate(
    town: dict[str, Talk],
) -> None:
    leader = town["leader"]  # 王副市长: HW-01 and HW-02
    assert "HW-01" in await leader.text("/status HW-01")
    refused = await leader.text("/status HW-03")
    assert "只能查看自己包抓的项目" in refused and "HW-03" in refused
    assert "只能查看自己包抓的项目" in await leader.text("/why HW-04 本周")
    assert "南城区：1 个项目" in await leader.text("/status 南城区")
    assert "南城区" in await leader.text("/why 南城区 本周")
