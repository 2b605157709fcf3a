"""The monthly bulletin opens with the city's figures, and every one is the month's ledger's."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import load_workbook

from domain.workdays import WorkCalendar
from scheduler.periodic import PeriodicRenderer, bar
from tests.e2e.conftest import import_city, invite, join, person
from tests.fakebot import ApiCall, FakeBotApi
from tests.harness import RunningBot, Talk, with_buttons

LEADERS = -1001
CITY = (
    "项目编号,项目名称,责任单位,项目类别,建设阶段,包抓领导,总投资（万元）,年度计划投资（万元）,"
    "计划开工时间\n"
    """D-1,东城综合管廊,东城区,基础设施,在建,王副市长,52000,21000,2026-03-01
D-2,东城安置小区,东城区,民生,前期,王副市长,23000,8500,2026-06-01
W-1,西城物流园,西城区,产业,前期,王副市长,61000,19000,2026-10-15
W-2,西城学校,西城区,民生,前期,李副市长,8000,3000,2027-03-01
N-1,南城医院,南城区,民生,在建,李副市长,31000,0,
"""
).encode()


async def report(talk: Talk, code: str, text: str, amount: str, stage: str = "/skip") -> None:
    await talk.say(f"/report {code}", until="今天做了什么")
    await talk.say(text)
    await talk.say(amount, until="阶段")
    await talk.say(stage)
    await talk.say("/skip")  # no problem
    summary = await talk.say("/skip", until="请核对")  # no photo
    await talk.press(with_buttons(summary), "确认提交", until="已保存")


def tenth(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def project_sheet(workbook: bytes) -> list[dict[str, object]]:
    ws = load_workbook(io.BytesIO(workbook))["项目"]
    head = [c.value for c in ws[1]]
    return [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]


def ledger_paragraph(workbook: bytes, month: int) -> str:
    """The bulletin's paragraph as an auditor would write it from the ledger's project sheet."""
    rows = project_sheet(workbook)

    def total(column: str) -> Decimal:
        return sum((Decimal(str(r[column])) for r in rows), Decimal(0))

    done, plan = total("本年累计完成（万元）"), total("年度计划（万元）")
    share = done / plan * 100
    gap = share - Decimal(month) / 12 * 100
    starts = [r["本年开工"] for r in rows]
    planned, started = sum(s is not None for s in starts), starts.count("已开工")
    return (
        f"全市重点项目{len(rows)}项，总投资{tenth(total('总投资（万元）') / 10000)}亿元，"
        f"年度计划投资{tenth(plan / 10000)}亿元；"
        f"1-{month}月累计完成投资{tenth(done / 10000)}亿元，"
        f"占年度计划的{tenth(share)}%，{'超过' if gap > 0 else '落后'}时间进度{tenth(abs(gap))}"
        f"个百分点；计划开工{planned}项，实际开工{started}项，"
        f"开工率{tenth(Decimal(started) / planned * 100)}%。"
    )


def document(call: ApiCall) -> bytes:
    (content,) = call.files.values()
    return content


async def test_bulletin_figures_match_the_months_ledger(
    bot: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    await import_city(admin, CITY)
    east, west = person(fake, 2001, "张三"), person(fake, 2002, "李四")
    await join(east, await invite(admin, "联络员 东城区"))
    await join(west, await invite(admin, "联络员 西城区"))
    fake.add_to_group(admin.user, LEADERS, "市领导群")
    cursor = fake.cursor()
    fake.send_text(admin.user, "/bindgroup leaders", chat_id=LEADERS, chat_title="市领导群")
    await fake.wait_reply(LEADERS, after=cursor, contains="✅")
    # November: investment reported, and 西城物流园 starts (due since October 15).
    await report(east, "D-1", "综合管廊主体浇筑完成300米", "1.23亿")
    await report(east, "D-2", "安置小区桩基施工", "2345万")
    await report(west, "W-1", "物流园开工仪式，场地平整", "678万", stage="在建")
    await bot.tick("2026-12-01 09:00")
    await fake.wait_idle()
    sent = [c for c in fake.sent_to(LEADERS) if c.ok and "2026年11月" in (c.text or "")]
    (chart,) = [c for c in sent if c.method == "sendPhoto"]
    (pushed,) = [c for c in sent if c.method == "sendDocument"]

    # December 2: new figures and a start. November's bulletin and ledger must not move.
    bot.clock.set("2026-12-02 10:00")
    await report(east, "D-1", "综合管廊顶板浇筑完成200米", "1.9亿")
    await report(east, "D-2", "安置小区主体开工", "3000万", stage="在建")
    cursor = fake.cursor()
    await admin.say("/export 2026-11", until="重点项目台账")
    (exported,) = [c for c in fake.calls[cursor:] if c.ok and c.method == "sendDocument"]

    lines = chart.text.splitlines()
    assert lines[0] == "📰 2026年11月 月度通报"
    # Hand-checked once: 5 projects, 17.5亿 total, 5.15亿 plan, 1.23+0.2345+0.0678 = 1.5323亿
    # done (29.8% of plan, 91.7% of the year gone), 开工 D-1 and W-1 of D-1, D-2, W-1.
    assert lines[1] == (
        "全市重点项目5项，总投资17.5亿元，年度计划投资5.2亿元；1-11月累计完成投资1.5亿元，"
        "占年度计划的29.8%，落后时间进度61.9个百分点；计划开工3项，实际开工2项，开工率66.7%。"
    )
    assert lines[1] == ledger_paragraph(document(exported), 11)
    assert lines[1] == ledger_paragraph(document(pushed), 11)
    # The chart's line per unit, as the push computes it, against the ledger's sums per unit.
    renderer = PeriodicRenderer(bot.db, WorkCalendar(), bot.clock.tz, bot.clock(),
                                bot.config.scoring)  # fmt: skip
    _, figures = await renderer.figures(date(2026, 11, 1), date(2026, 11, 30))
    charted = {row.name: row for row in (bar(u, figures) for u in figures.units)}
    by_unit: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in project_sheet(document(exported)):
        by_unit[str(row["责任单位"])].append(row)
    assert set(charted) == set(by_unit) == {"东城区", "西城区", "南城区"}
    for unit, rows in by_unit.items():
        done = sum(Decimal(str(r["本年累计完成（万元）"])) for r in rows)
        plan = sum(Decimal(str(r["年度计划（万元）"])) for r in rows)
        line = charted[unit]
        assert Decimal(str(line.done)) == tenth(done / 10000)
        if plan:
            share = done / plan * 100
            assert Decimal(str(line.share)) == tenth(share)
            assert Decimal(str(line.gap)) == tenth(share - Decimal(1100) / 12)
        else:
            assert line.share is None and line.gap is None  # 南城区 has no plan this year
        assert line.planned == sum(r["本年开工"] is not None for r in rows)
        assert line.started == sum(r["本年开工"] == "已开工" for r in rows)
