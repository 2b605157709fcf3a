"""Header reading and row classification used by the project-list import."""

import pytest

from domain.header_detect import Field, HeaderText, detect_header, match_field, read_header
from domain.row_kinds import RowKind, classify_row
from domain.sheet_reader import Table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("总投资（亿元）", HeaderText("总投资", "亿元")),
        ("总投资\n(万元)", HeaderText("总投资", "万元")),
        ("总投资（亿）", HeaderText("总投资", "亿元")),
        ("总投资/万元", HeaderText("总投资", "万元")),
        ("年度计划投资（单位：万元）", HeaderText("年度计划投资", "万元")),
        ("项目名称（全称）*", HeaderText("项目名称", None)),
        (" 项 目 名 称 ", HeaderText("项目名称", None)),
        ("其中：2026年计划投资", HeaderText("2026年计划投资", None)),
        (None, HeaderText("", None)),
    ],
)
def test_read_header(text: str | None, expected: HeaderText) -> None:
    assert read_header(text) == expected


@pytest.mark.parametrize(
    ("key", "field", "month"),
    [
        ("项目编号", Field.CODE, None),
        ("牵头单位", Field.UNIT, None),
        ("帮包领导", Field.LEADER, None),
        ("2026年计划投资", Field.YEAR_PLAN, None),
        ("2027年度计划投资", Field.YEAR_PLAN, None),
        ("本年计划投资", Field.YEAR_PLAN, None),
        ("1月", Field.MONTH, 1),
        ("12月份", Field.MONTH, 12),
        ("十二月", Field.MONTH, 12),
        ("三月", Field.MONTH, 3),
        ("项目联络员", Field.LIAISON, None),
    ],
)
def test_match_field(key: str, field: Field, month: int | None) -> None:
    found = match_field(key)
    assert found is not None
    assert (found[0], found[2]) == (field, month)


@pytest.mark.parametrize("key", ["13月", "已完成投资", "建设内容", "备注", ""])
def test_unknown_headers(key: str) -> None:
    assert match_field(key) is None


def table(*rows: list[object]) -> Table:
    width = max(len(row) for row in rows)
    return Table(
        "t", [(i, [*row, *[None] * (width - len(row))]) for i, row in enumerate(rows, 1)], width
    )


def test_one_known_column_is_not_a_header() -> None:
    assert detect_header(table(["项目名称", "x"], ["a", "b"])) is None


def test_months_under_completed_investment_are_not_a_plan() -> None:
    layout = detect_header(
        table(
            ["项目名称", "责任单位", "已完成投资", None],
            [None, None, "1月", "2月"],
        )
    )
    assert layout is not None
    assert layout.months() == {}
    assert [c.header for c in layout.columns] == ["项目名称", "责任单位", "1月", "2月"]


def test_repeated_child_headers_get_their_parent() -> None:
    layout = detect_header(
        table(
            ["项目名称", "责任单位", "一季度", None, "二季度", None],
            [None, None, "计划", "完成", "计划", "完成"],
        )
    )
    assert layout is not None
    assert [c.header for c in layout.columns][2:] == [
        "一季度/计划",
        "一季度/完成",
        "二季度/计划",
        "二季度/完成",
    ]


HEADER = ["序号", "项目编号", "项目名称", "责任单位", "总投资", "年度计划投资"]


@pytest.mark.parametrize(
    ("row", "kind"),
    [
        ([None] * 6, RowKind.BLANK),
        ([7, None, None, None, None, None], RowKind.BLANK),
        (["一、产业项目（12个）", *[None] * 5], RowKind.SECTION),
        (["（二）新开工项目", *[None] * 5], RowKind.SECTION),
        (["一", None, "产业项目", None, 100, 20], RowKind.SECTION),
        (["三、民生项目"] * 6, RowKind.SECTION),
        (["合计", None, None, None, 100, 20], RowKind.TOTAL),
        ([None, None, "小  计", None, 100, 20], RowKind.TOTAL),
        (["总计（50个）"] * 4 + [100, 20], RowKind.TOTAL),
        (["注：金额单位为亿元"] * 6, RowKind.NOTE),
        (["填报人：张三", None, None, "联系电话：123", None, None], RowKind.NOTE),
        (HEADER, RowKind.HEADER),
        ([1, "XM-1", "合计产业园项目", "高新区", 5, 1], RowKind.PROJECT),  # a code wins
        ([1, None, "甲项目", None, None, None], RowKind.PROJECT),
    ],
)
def test_classify_row(row: list[object], kind: RowKind) -> None:
    layout = detect_header(table(HEADER))
    assert layout is not None
    assert classify_row(row, layout) is kind
