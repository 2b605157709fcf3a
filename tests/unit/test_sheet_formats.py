"""The files offices really send: .xls, .ods, HTML saved as .xls, CSV; the 合计 check."""

from __future__ import annotations

import dataclasses

import pytest

from domain.import_result import ImportResult, check_totals, from_json, to_json
from domain.project_import import ProjectRow, parse_project_file
from domain.sheet_table import MAX_COLUMNS
from domain.stages import Stage
from handlers.imports import reason_text
from tests.unit import hostile_sheets
from tests.unit.sample_sheets import Writer, city_list_xlsx, city_projects, workbook_bytes
from tests.unit.sheet_writers import html_bytes, ods_bytes, xls_bytes
from tests.unit.test_project_import import WAN, YI, messy_list_xlsx, only_row

FORMATS: list[tuple[str, Writer]] = [
    ("list.xlsx", workbook_bytes),
    ("list.xls", xls_bytes),
    ("list.ods", ods_bytes),
    ("网页导出.xls", html_bytes),
]
FORMAT_IDS = ["xlsx", "xls", "ods", "html-as-xls"]


def gbk_html(rows: object, **kwargs: object) -> bytes:
    return html_bytes(rows, encoding="gbk", **kwargs)  # type: ignore[arg-type]


def summary(result: ImportResult) -> tuple[object, ...]:
    """What must not depend on the format (the sheet's name may: HTML has none)."""
    return (
        result.rows,
        result.errors,
        result.header_row,
        result.money_unit,
        result.warnings,
        result.sheet_total,
    )


@pytest.mark.parametrize(("filename", "writer"), FORMATS, ids=FORMAT_IDS)
def test_city_list_reads_the_same_in_every_format(filename: str, writer: Writer) -> None:
    """Two-level merged header in 亿元, sections, a 合计 row, units merged down a column."""
    result = parse_project_file(filename, city_list_xlsx(40, seed=4, writer=writer))
    expected = city_projects(40, seed=4)
    assert result.errors == []
    assert [(r.code, r.name, r.unit, r.total_yuan, r.monthly_plan_yuan) for r in result.rows] == [
        (p.code, p.name, p.unit, p.total_yuan, p.monthly_yuan) for p in expected
    ]
    assert summary(result) == summary(parse_project_file("list.xlsx", city_list_xlsx(40, seed=4)))


@pytest.mark.parametrize(
    ("filename", "writer"), [*FORMATS[1:], ("gbk.xls", gbk_html)], ids=[*FORMAT_IDS[1:], "gbk"]
)
def test_messy_list_gives_the_same_rows_and_errors(filename: str, writer: Writer) -> None:
    expected = parse_project_file("a.xlsx", messy_list_xlsx())
    assert summary(parse_project_file(filename, messy_list_xlsx(writer))) == summary(expected)


@pytest.mark.parametrize("writer", [xls_bytes, ods_bytes], ids=["xls", "ods"])
def test_milestones_on_a_second_sheet(writer: Writer) -> None:
    content = writer(
        [["项目编号", "项目名称", "责任单位", "总投资", "年度计划投资"],
         ["XM-001", "污水厂", "城关区", 500, 200]],
        extra_sheets=[("节点", [["项目编号", "节点名称", "完成时限"],
                                ["XM-001", "主体封顶", "2026-09-30"]])],
    )  # fmt: skip
    result = parse_project_file("a.xls", content)
    assert [(m.code, m.name, m.due.isoformat()) for m in result.milestones] == [
        ("XM-001", "主体封顶", "2026-09-30")
    ]


@pytest.mark.parametrize(("filename", "writer"), FORMATS[:3], ids=FORMAT_IDS[:3])
def test_a_list_that_starts_away_from_a1_keeps_its_row_numbers(
    filename: str, writer: Writer
) -> None:
    blank = [None, None]
    content = writer(
        [[], [], [*blank, "项目名称", "责任单位", "总投资", "年度计划投资"],
         [*blank, "甲", "城关区", 100, 500]],
    )  # fmt: skip
    result = parse_project_file(filename, content)
    assert result.header_row == 3
    assert [(e.row, e.column) for e in result.errors] == [(4, "年度计划投资")]


def test_csv_saved_as_xls_is_read_as_csv() -> None:
    text = "项目名称,责任单位,总投资,年度计划投资\n甲,城关区,100,50\n"
    result = parse_project_file("导出.xls", text.encode("gbk"))
    assert [(r.name, r.total_yuan) for r in result.rows] == [("甲", 1_000_000)]


def test_columns_past_the_limit_are_dropped_with_a_warning() -> None:
    header = ["项目名称", "责任单位", "总投资", "年度计划投资"]
    wide = [*header, *[None] * (MAX_COLUMNS - 4), "第301列"]
    result = parse_project_file("a.xlsx", workbook_bytes([wide, ["甲", "城关区", 100, 50]]))
    assert len(result.rows) == 1
    assert f"超过{MAX_COLUMNS}列" in reason_text(result.warnings[0])


# --- CSV -----------------------------------------------------------------------------------

CLEAN_CSV = """项目编号,项目名称,责任单位,项目类别,建设阶段,包抓领导,总投资（万元）,年度计划投资（万元）,联络员,建设性质,建设内容
XM-001,滨河产业园项目,高新区,产业,在建,王副市长,"12,000",3000,张伟,新建,"厂房10万平方米，含配套, 道路"
XM-002,东岭中学新建工程,教育局,民生,前期,李副市长,8000,2000.5,,续建,
"""  # noqa: E501


def test_clean_csv_with_codes() -> None:
    result = parse_project_file("list.csv", CLEAN_CSV.encode("utf-8-sig"))
    assert result.errors == []
    assert (result.sheet, result.header_row, result.money_unit) == ("list.csv", 1, "万元")
    assert result.warnings == []
    assert result.rows == [
        ProjectRow(
            row=2,
            code="XM-001",
            name="滨河产业园项目",
            unit="高新区",
            category="产业",
            stage=Stage.CONSTRUCTION,
            leader="王副市长",
            total_yuan=120_000_000,
            year_plan_yuan=30_000_000,
            monthly_plan_yuan=None,
            build_type="新建",
            liaison="张伟",
            extra={"建设内容": "厂房10万平方米，含配套, 道路"},
        ),
        ProjectRow(
            row=3,
            code="XM-002",
            name="东岭中学新建工程",
            unit="教育局",
            category="民生",
            stage=Stage.PRELIMINARY,
            leader="李副市长",
            total_yuan=80_000_000,
            year_plan_yuan=20_005_000,
            monthly_plan_yuan=None,
            build_type="续建",
            liaison=None,
            extra={},
        ),
    ]


def test_gbk_csv_defaults_to_wan() -> None:
    text = "项目名称,牵头单位,总投资,年度计划\r\n南湖养老中心,民政局,5000,1200\r\n"
    result = parse_project_file("清单.csv", text.encode("gbk"))
    row = only_row(result)
    assert (row.name, row.unit, row.total_yuan, row.year_plan_yuan) == (
        "南湖养老中心",
        "民政局",
        50_000_000,
        12_000_000,
    )
    assert [reason_text(w) for w in result.warnings] == ["表中未注明金额单位，已按万元导入"]


def test_tab_separated_csv() -> None:
    text = (
        "项目名称\t责任单位\t总投资(亿元)\t年度计划投资(亿元)\n"
        "北塬快速路\t交通运输局\t1,200.5\t3\n"
    )
    row = only_row(parse_project_file("list.txt", text.encode("utf-8")))
    assert (row.name, row.total_yuan, row.year_plan_yuan) == (
        "北塬快速路",
        120_050_000_000,
        3 * YI,
    )


def test_chinese_comma_is_not_a_delimiter() -> None:
    text = "项目名称,责任单位,总投资,年度计划投资\n甲项目（一期，二期）,城关区,100,50\n"
    assert only_row(parse_project_file("a.csv", text.encode())).name == "甲项目（一期，二期）"


def test_csv_two_level_header_without_merges() -> None:
    text = (
        "序号,项目名称,责任单位,投资情况（亿元）,,备注\n"
        ",,,总投资,2026年计划投资,\n"
        "1,凤凰大道,城关区,1.5,0.5,重点\n"
    )
    result = parse_project_file("a.csv", text.encode())
    row = only_row(result)
    assert result.header_row == 2
    assert (row.total_yuan, row.year_plan_yuan) == (150_000_000, 50_000_000)
    assert row.extra == {"备注": "重点"}


def test_utf16_csv_from_excel_unicode_text() -> None:
    text = "项目名称\t责任单位\t总投资\t年度计划投资\n甲\t城关区\t100\t50\n"
    row = only_row(parse_project_file("a.txt", text.encode("utf-16")))
    assert (row.name, row.total_yuan) == ("甲", 100 * WAN)


# --- text cleaned where it is read ---------------------------------------------------------

DIRTY_CSV = (
    "项目编号,项目名称,责任单位,总投资,年度计划投资,联络员,备\u200b注\n"
    "XM-901,污水\x07处理\u200b厂,城关\x1b区,100,50,张\u202e三,\u2066说明\u2069\n"
)


@pytest.mark.parametrize(
    ("filename", "content"),
    [("a.csv", DIRTY_CSV.encode()), ("a.xlsx", hostile_sheets.dirty_text_xlsx())],
    ids=["csv", "xlsx"],
)
def test_control_and_invisible_characters_never_reach_a_row(filename: str, content: bytes) -> None:
    (row,) = parse_project_file(filename, content).rows
    assert (row.name, row.unit) == ("污水处理厂", "城关区")
    texts = [row.name, row.unit, row.leader, row.liaison, *row.extra, *row.extra.values()]
    assert all(text is None or text.isprintable() for text in texts)


# --- the 合计 row ---------------------------------------------------------------------------


def test_the_sheet_total_agrees_with_the_rows() -> None:
    result = parse_project_file("a.xlsx", city_list_xlsx(20))
    check = check_totals(result)
    assert result.sheet_total is not None and check.mismatched == []
    assert check.total_yuan == sum(p.total_yuan for p in city_projects(20))


def test_a_total_written_with_fewer_decimals_still_agrees() -> None:
    header = ["项目名称", "责任单位", "总投资（亿元）", "年度计划投资（亿元）"]
    rows = [header, ["甲", "城关区", 1.2345, 0.5], ["乙", "城关区", 2.1111, 0.5]]
    agrees = parse_project_file("a.xlsx", workbook_bytes([*rows, ["合计", None, 3.35, 1]]))
    assert check_totals(agrees).mismatched == []  # 3.3456 亿 rounds to 3.35
    differs = parse_project_file("a.xlsx", workbook_bytes([*rows, ["合计", None, 3.36, 1.1]]))
    assert check_totals(differs).mismatched == ["total", "year_plan"]


def test_subtotals_are_not_the_sheet_total_and_the_largest_total_wins() -> None:
    header = ["项目名称", "责任单位", "总投资", "年度计划投资"]
    content = workbook_bytes(
        [header, ["合计", None, 300, 90], ["甲", "城关区", 100, 30], ["小计", None, 100, 30],
         ["乙", "城关区", 200, 60], ["产业项目合计", None, 200, 60]]
    )  # fmt: skip
    result = parse_project_file("a.xlsx", content)
    assert result.sheet_total is not None
    assert (result.sheet_total.row, result.sheet_total.total_yuan) == (2, 3_000_000)
    assert check_totals(result).mismatched == []


def test_a_mismatch_names_both_figures() -> None:
    result = parse_project_file("a.xlsx", messy_list_xlsx())
    check = check_totals(result)
    assert result.sheet_total is not None and result.sheet_total.row == 21
    assert (result.sheet_total.total_yuan, check.total_yuan) == (100 * 10**8, 5_135_000_000)
    assert check.mismatched == ["total", "year_plan"]


def test_result_survives_the_trip_through_json() -> None:
    result = parse_project_file("a.xlsx", messy_list_xlsx())
    result = dataclasses.replace(result, milestones=parse_project_file(
        "n.xlsx", workbook_bytes([["项目编号", "节点名称", "完成时限"], ["X", "封顶", "2026-09"]])
    ).milestones)  # fmt: skip
    assert from_json(to_json(result)) == result
