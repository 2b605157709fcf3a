"""Planned dates on the project list, and milestones from a second sheet or their own file."""

from __future__ import annotations

import datetime as dt

from domain.project_import import parse_project_file
from tests.unit.sample_sheets import workbook_bytes

HEADER = ["项目编号", "项目名称", "责任单位", "总投资（万元）", "年度计划投资（万元）",
          "计划开工时间", "计划竣工时间"]  # fmt: skip
NODES = [
    ["2026年重点项目节点进度表"],
    ["项目编号", "节点名称", "完成时限"],
    ["XM-001", "完成土地摘牌", "2026-03-31"],
    ["XM-001", "主体封顶", dt.datetime(2026, 9, 30)],
    ["XM-002", "设备安装", "2026年10月"],
    ["XM-002", "", "2026-11-30"],
    ["XM-002", "环评批复", "尽快"],
]


def test_planned_dates_and_a_milestone_sheet() -> None:
    content = workbook_bytes(
        [HEADER,
         ["XM-001", "污水厂", "城关区", 50000, 20000, "2026-03", dt.datetime(2027, 6, 30)],
         ["XM-002", "产业园", "高新区", 30000, 8000, "2026年5月10日", "2027年12月"]],
        extra_sheets=[("节点", NODES)],
    )  # fmt: skip
    result = parse_project_file("list.xlsx", content)
    first, second = result.rows
    assert first.planned_start == dt.date(2026, 3, 1)
    assert first.planned_completion == dt.date(2027, 6, 30)
    assert second.planned_start == dt.date(2026, 5, 10)
    assert second.planned_completion == dt.date(2027, 12, 31)  # a month means its end
    assert [(m.code, m.name, m.due) for m in result.milestones] == [
        ("XM-001", "完成土地摘牌", dt.date(2026, 3, 31)),
        ("XM-001", "主体封顶", dt.date(2026, 9, 30)),
        ("XM-002", "设备安装", dt.date(2026, 10, 31)),
    ]
    assert [(e.row, e.column) for e in result.errors] == [
        (6, "节点/节点名称"),
        (7, "节点/完成时限"),
    ]


def test_unreadable_planned_date_is_a_row_error() -> None:
    content = workbook_bytes(
        [HEADER, ["XM-001", "污水厂", "城关区", 50000, 20000, "明年春天", None]]
    )
    result = parse_project_file("list.xlsx", content)
    assert result.rows == []
    assert [(e.row, e.column) for e in result.errors] == [(2, "计划开工时间")]


def test_a_file_of_milestones_only() -> None:
    result = parse_project_file("nodes.xlsx", workbook_bytes(NODES[1:4]))
    assert result.rows == [] and len(result.milestones) == 2
