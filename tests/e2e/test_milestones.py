"""Milestones come with the project list (a second sheet) or from chat; a liaison marks one
done inside /report; reaching 在建/竣工/投产 records the day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.e2e.conftest import invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, answer_report, joined, report, rows, with_buttons
from tests.unit.sample_sheets import workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def city_with_nodes() -> bytes:
    return workbook_bytes(
        [["项目编号", "项目名称", "责任单位", "建设阶段", "总投资（万元）", "年度计划投资（万元）",
          "计划开工时间", "计划竣工时间"],
         ["XM-101", "城南水厂", "城关区", "在建", 20000, 8000, "2026-02", "2027-06"],
         ["XM-102", "智慧园区", "城关区", "前期", 50000, 10000, "2026-12", "2028-12"]],
        extra_sheets=[("节点", [["项目编号", "节点名称", "完成时限"],
                                ["XM-101", "主体封顶", "2026-11-30"],
                                ["XM-101", "设备进场", dt.datetime(2026, 12, 20)],
                                ["XM-999", "不存在的项目", "2026-12-01"]])],
    )  # fmt: skip


async def test_nodes_imported_marked_done_and_stage_dated(
    bot: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    await admin.say("/import")
    preview = await admin.send_document("2026节点.xlsx", city_with_nodes(), XLSX)
    assert "识别出 3 个节点" in joined(preview)
    done = joined(await admin.press(with_buttons(preview), "确认导入", until="导入完成"))
    assert "节点：导入 2 个" in done and "XM-999" in done
    assert rows(db_path, "SELECT planned_start, planned_completion FROM projects"
                         " WHERE code = 'XM-101'") == [("2026-02-01", "2027-06-30")]  # fmt: skip
    assert "已为 XM-101 添加节点" in await admin.text("/milestone XM-101 竣工验收 2027-06-30")

    liaison = person(fake, 2001, "张三")
    await join(liaison, await invite(admin, "联络员 XM-101"))
    stage = await report(liaison, None, 进展="屋面混凝土浇筑完成，主体结构封顶", at="阶段")
    ask = await liaison.press(with_buttons(stage), "无变化", until="节点")
    assert "是否完成了以下节点" in joined(ask) and "主体封顶" in joined(ask)
    ask = await liaison.press(with_buttons(ask), "主体封顶", until="遇到什么问题")
    summary = await answer_report(liaison, ask, confirm=False)
    assert "节点：已完成 主体封顶" in joined(summary)
    await liaison.press(with_buttons(summary), "确认提交", until="已保存")
    assert rows(db_path, "SELECT name, done_on FROM milestones WHERE done_on IS NOT NULL") == [
        ("主体封顶", "2026-11-23")
    ]


async def test_reaching_a_stage_records_its_date(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    liaison = person(fake, 2002, "李四")
    await join(liaison, await invite(admin, "联络员 XM-002"))  # 前期
    stage = await report(liaison, None, 进展="施工许可证已取得，正式开工", at="阶段")
    ask = await liaison.press(with_buttons(stage), "在建", until="问题")
    await answer_report(liaison, ask)
    assert rows(db_path, "SELECT stage, actual_start FROM projects WHERE code = 'XM-002'") == [
        ("在建", "2026-11-23")
    ]
