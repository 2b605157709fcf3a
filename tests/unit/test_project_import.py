"""Importing the city's project list from messy .xlsx and .csv files."""

import pytest

from domain.project_import import (
    ImportResult,
    ProjectRow,
    parse_project_file,
)
from domain.stages import Stage
from handlers.imports import reason_text
from tests.unit.sample_sheets import (
    BROKEN_LIST_ERRORS,
    CITY_HEADER_ROW,
    Writer,
    broken_list_xlsx,
    city_list_xlsx,
    city_projects,
    workbook_bytes,
)

WAN = 10_000
YI = 100_000_000
MONTHS = [f"{m}月" for m in range(1, 13)]


def errors_at(result: ImportResult) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in result.errors]


def errors_said(result: ImportResult) -> list[tuple[int, str, str]]:
    """Each row error as the admin reads it: row, column and reason in words."""
    return [(error.row, error.column, reason_text(error.reason)) for error in result.errors]


def warnings_said(result: ImportResult) -> list[str]:
    return [reason_text(warning) for warning in result.warnings]


def only_row(result: ImportResult) -> ProjectRow:
    assert result.errors == []
    assert len(result.rows) == 1
    return result.rows[0]


# --- a hand-made messy list ----------------------------------------------------------------


def messy_list_xlsx(writer: Writer = workbook_bytes) -> bytes:
    """Title, note, two-level header in 亿元, 序号 only, unit merged down, bad rows."""
    blank_months = [None] * 12
    rows = [
        ["2026年XX市重点项目计划表", *[None] * 20],
        ["单位：万元"],
        ["序号", "项目名称", "责任单位", "项目类别", "建设阶段", "包抓领导", "投资情况（亿元）",
         None, "月度计划", *[None] * 11, "建设地点"],
        [None] * 6 + ["总投资", "年度计划投资", *MONTHS, None],
        ["一、产业项目（3个）"],
        [1, "甲 智能制造项目 ", "高新区", "产业类", "开工", "王  副市长", 12.5, 3.6,
         *[3000] * 12, "东区"],
        [2, "乙光伏项目", None, "工业", "前期", "李副市长", "0.85", "０.２", *blank_months],
        [3, "丙新材料项目", None, "制造业", "投产达效", None, 30, 0, *blank_months, None],
        ["小计", None, None, None, None, None, 43.35, 3.8],
        ["二、基础设施项目（2个）"],
        [1, "丁大道工程", "交通运输局", "交通", "在建", "张副市长", "8", 2, *[None] * 11,
         "20000", "西区"],
        [2, None, "水务局", "水利", "在建", None, 5, 1],
        [3, "戊管网工程", None, "水利", "在建", None, 5, 1],
        [4, "己水厂工程", "水务局", "水利", "在建", None, "abc", 1],
        [5, "庚河道工程", "水务局", "水利", "在建", None, -3, 1],
        [6, "辛电网工程", "供电公司", "能源", "在建", None, 5, 6],
        [7, "壬停车场工程", "住建局", "基础设施", "暂停", None, 5, 1],
        [8, "癸农业园项目", "农业农村局", "农业", "在建", None, 5, 1],
        [9, "子管廊工程", "住建局", "基础设施", "在建", None, 5, 1, *[1000] * 12],
        [10, "甲智能制造项目", "经开区", "产业", "在建", None, 5, 1],
        ["合计", None, None, None, None, None, 100, 20],
        ["注：1.本表金额单位为亿元。", *[None] * 20],
    ]  # fmt: skip
    merges = ["A1:U1", "G3:H3", "I3:T3", "C6:C8", "A5:F5", "A23:U23"]
    merges += [f"{c}3:{c}4" for c in "ABCDEFU"]
    return writer(rows, merges=merges, title="重点项目")


@pytest.fixture(scope="module")
def messy() -> ImportResult:
    return parse_project_file("2026年重点项目.xlsx", messy_list_xlsx())


def test_messy_list_finds_the_two_level_header(messy: ImportResult) -> None:
    assert messy.sheet == "重点项目"
    assert messy.header_row == 4
    assert messy.money_unit == "亿元"  # the parent header beats the "单位：万元" note


def test_messy_list_valid_rows(messy: ImportResult) -> None:
    assert [row.row for row in messy.rows] == [6, 7, 8, 11]
    first, second, third, fourth = messy.rows
    assert first == ProjectRow(
        row=6,
        code=None,
        name="甲智能制造项目",
        unit="高新区",
        category="产业",
        stage=Stage.CONSTRUCTION,
        leader="王副市长",
        total_yuan=1_250_000_000,
        year_plan_yuan=360_000_000,
        monthly_plan_yuan=(30_000_000,) * 12,  # months fall back to the note: 万元
        build_type=None,
        liaison=None,
        extra={"建设地点": "东区"},
    )
    # The unit written once in a merged cell reaches every project below it.
    assert (second.unit, third.unit) == ("高新区", "高新区")
    # Numbers stored as text, full-width digits.
    assert (second.total_yuan, second.year_plan_yuan) == (85_000_000, 20_000_000)
    assert second.monthly_plan_yuan is None  # no monthly plan given
    assert (second.category, second.stage, second.leader) == (
        "产业",
        Stage.PRELIMINARY,
        "李副市长",
    )
    assert (third.total_yuan, third.year_plan_yuan, third.stage) == (30 * YI, 0, Stage.OPERATING)
    assert third.extra == {}
    assert fourth.category == "基础设施"
    assert fourth.monthly_plan_yuan == (0,) * 11 + (200_000_000,)


def test_messy_list_reports_each_bad_row(messy: ImportResult) -> None:
    assert errors_said(messy) == [
        (12, "项目名称", "缺少项目名称"),
        (13, "责任单位", "缺少责任单位"),
        (14, "总投资", "无法识别金额“abc”，应填数字（单位：亿元）"),
        (15, "总投资", "金额不能为负数"),
        (16, "年度计划投资", "年度计划投资60000万元大于总投资50000万元"),
        (17, "建设阶段", "无法识别建设阶段“暂停”，应为谋划、前期、在建、竣工或投产"),
        (18, "项目类别", "无法识别项目类别“农业”，应为产业、基础设施或民生"),
        (19, "1月~12月", "月度计划合计12000万元超过年度计划投资10000万元"),
        (20, "项目名称", "项目名称与第6行重复"),
    ]


def test_messy_list_counts_skipped_rows(messy: ImportResult) -> None:
    assert warnings_said(messy) == [
        "已跳过2个合计/小计行",
        "已跳过2个分类标题行",
        "已跳过1个备注/说明行",
    ]


# --- the shared samples --------------------------------------------------------------------


@pytest.mark.parametrize(("n_projects", "seed"), [(20, 1), (60, 2), (1, 3)])
def test_city_list_sample_imports_cleanly(n_projects: int, seed: int) -> None:
    result = parse_project_file("list.xlsx", city_list_xlsx(n_projects, seed=seed))
    assert result.errors == []
    assert result.header_row == CITY_HEADER_ROW
    assert result.money_unit == "亿元"
    expected = city_projects(n_projects, seed=seed)
    assert [
        (
            r.code, r.name, r.unit, r.category, r.stage, r.leader, r.liaison, r.build_type,
            r.total_yuan, r.year_plan_yuan, r.monthly_plan_yuan,
        )
        for r in result.rows
    ] == [
        (
            p.code, p.name, p.unit, p.category, Stage(p.stage), p.leader, p.liaison,
            p.build_type, p.total_yuan, p.year_plan_yuan, p.monthly_yuan,
        )
        for p in expected
    ]  # fmt: skip
    assert all(
        r.extra == {"建设内容及规模": p.content}
        for r, p in zip(result.rows, expected, strict=True)
    )


def test_city_list_sample_is_realistic() -> None:
    projects = city_projects(200, seed=9)
    assert len({p.code for p in projects}) == len({p.name for p in projects}) == 200
    for p in projects:
        assert 0.2 <= float(p.total_yi) <= 30
        assert p.year_plan_yi <= p.total_yi
        assert sum(p.monthly_wan) * WAN == p.year_plan_yuan


def test_broken_list_sample_errors() -> None:
    result = parse_project_file("broken.xlsx", broken_list_xlsx())
    assert errors_at(result) == BROKEN_LIST_ERRORS
    assert [row.row for row in result.rows] == [3, 13]
    assert result.rows[0].total_yuan == 20_000 * WAN
    assert result.rows[0].monthly_plan_yuan == (100 * WAN,) * 12


# --- xlsx details --------------------------------------------------------------------------


def simple_xlsx(header: list[object], *rows: list[object], **kwargs: object) -> bytes:
    return workbook_bytes([header, *rows], **kwargs)  # type: ignore[arg-type]


def test_numeric_codes_lose_the_trailing_zero() -> None:
    data = simple_xlsx(
        ["项目代码", "项目名称", "责任单位", "总投资", "年度计划投资"],
        [101.0, "甲", "城关区", 100, 50],
        [102, "乙", "城关区", 100, 50],
        ["  ＸＭ-3 ", "丙", "城关区", 100, 50],
    )
    assert [row.code for row in parse_project_file("a.xlsx", data).rows] == ["101", "102", "XM-3"]


def test_duplicate_codes_are_reported_with_the_first_row() -> None:
    data = simple_xlsx(
        ["编号", "项目名称", "责任单位", "总投资", "年度计划投资"],
        ["A1", "甲", "城关区", 100, 50],
        ["A1", "乙", "城关区", 100, 50],
        [None, "甲", "城关区", 100, 50],  # same name is fine when codes identify projects
    )
    result = parse_project_file("a.xlsx", data)
    assert errors_said(result) == [(3, "编号", "项目编号“A1”与第2行重复")]
    assert [(row.row, row.code) for row in result.rows] == [(2, "A1"), (4, None)]


def test_float_noise_never_reaches_the_amount() -> None:
    data = simple_xlsx(
        ["项目名称", "责任单位", "总投资（亿元）", "年度计划投资（亿元）"],
        ["甲", "城关区", 0.1 + 0.2, 0.30000000000000004],
    )
    row = only_row(parse_project_file("a.xlsx", data))
    assert (row.total_yuan, row.year_plan_yuan) == (30_000_000, 30_000_000)


def test_column_unit_beats_parent_and_text_unit_beats_column() -> None:
    data = workbook_bytes(
        [
            ["项目名称", "责任单位", "投资（亿元）", None],
            [None, None, "总投资", "年度计划投资（万元）"],
            ["甲", "城关区", "3000万", 500],
        ],
        merges=["A1:A2", "B1:B2", "C1:D1"],
    )
    row = only_row(parse_project_file("a.xlsx", data))
    assert (row.total_yuan, row.year_plan_yuan) == (3000 * WAN, 500 * WAN)


def test_note_unit_applies_when_headers_name_none() -> None:
    data = workbook_bytes(
        [
            ["2026年重点项目表（单位：亿元）"],
            ["项目名称", "责任单位", "总投资", "年度计划投资"],
            ["甲", "城关区", 2, 1],
        ]
    )
    result = parse_project_file("a.xlsx", data)
    assert (result.money_unit, only_row(result).total_yuan) == ("亿元", 2 * YI)
    assert result.warnings == []


def test_cumulative_monthly_plan_is_converted_to_months() -> None:
    cumulative = [100 * m for m in range(1, 13)]  # 100, 200, ... 1200 = year plan
    data = simple_xlsx(
        ["项目名称", "责任单位", "总投资", "年度计划投资", *MONTHS],
        ["甲", "城关区", 5000, 1200, *cumulative],
    )
    result = parse_project_file("a.xlsx", data)
    assert only_row(result).monthly_plan_yuan == (100 * WAN,) * 12
    assert warnings_said(result) == [
        "表中未注明金额单位，已按万元导入",
        "1个项目的月度计划为累计数，已换算为每月计划",
    ]


@pytest.mark.parametrize(("december", "ok"), [(1111, True), (1112, False)])
def test_monthly_plan_may_exceed_year_plan_by_one_percent(december: int, ok: bool) -> None:
    data = simple_xlsx(
        ["项目名称", "责任单位", "总投资", "年度计划投资", *MONTHS],
        ["甲", "城关区", 5000, 1100, *[0] * 11, december],
    )
    result = parse_project_file("a.xlsx", data)
    assert (result.errors == []) is ok


def test_dash_in_a_month_means_nothing_planned() -> None:
    data = simple_xlsx(
        ["项目名称", "责任单位", "总投资", "年度计划投资", *MONTHS],
        ["甲", "城关区", 5000, 1200, "—", "-", *[120] * 10],
    )
    assert (
        only_row(parse_project_file("a.xlsx", data)).monthly_plan_yuan
        == (0, 0) + (120 * WAN,) * 10
    )


def test_incomplete_months_are_kept_as_extra() -> None:
    data = simple_xlsx(
        ["项目名称", "责任单位", "总投资", "年度计划投资", "1月", "2月"],
        ["甲", "城关区", 5000, 1200, 10, 20],
    )
    result = parse_project_file("a.xlsx", data)
    row = only_row(result)
    assert row.monthly_plan_yuan is None
    assert row.extra == {"1月": "10", "2月": "20"}
    assert "月度计划列不完整（只有2个月），已作为其他信息保留" in warnings_said(result)


def test_zero_total_and_missing_amounts() -> None:
    data = simple_xlsx(
        ["项目名称", "责任单位", "总投资", "年度计划投资"],
        ["甲", "城关区", 0, 0],
        ["乙", "城关区", None, None],
        ["丙", "城关区", True, "—"],
    )
    assert errors_said(parse_project_file("a.xlsx", data)) == [
        (2, "总投资", "总投资必须大于0"),
        (3, "总投资", "缺少总投资"),
        (3, "年度计划投资", "缺少年度计划投资"),
        (4, "总投资", "无法识别金额“是”，应填数字（单位：万元）"),
        (4, "年度计划投资", "缺少年度计划投资"),
    ]


def test_unit_alias_preference_keeps_the_other_as_extra() -> None:
    data = simple_xlsx(
        ["项目名称", "建设单位", "责任单位", "总投资", "年度计划投资"],
        ["甲", "某某公司", "高新区", 100, 50],
    )
    row = only_row(parse_project_file("a.xlsx", data))
    assert (row.unit, row.extra) == ("高新区", {"建设单位": "某某公司"})


def test_unknown_build_type_is_kept_not_rejected() -> None:
    data = simple_xlsx(
        ["项目名称", "责任单位", "总投资", "年度计划投资", "建设性质"],
        ["甲", "城关区", 100, 50, "改扩建"],
    )
    result = parse_project_file("a.xlsx", data)
    row = only_row(result)
    assert (row.build_type, row.extra) == (None, {"建设性质": "改扩建"})
    assert "1个项目的建设性质无法识别（应为新建或续建），已保留原文" in warnings_said(result)


def test_prenumbered_empty_rows_and_repeated_headers_are_skipped() -> None:
    header = ["序号", "项目名称", "责任单位", "总投资", "年度计划投资"]
    data = simple_xlsx(header, [1, "甲", "城关区", 100, 50], header, [2], [3])
    result = parse_project_file("a.xlsx", data)
    assert [row.row for row in result.rows] == [2]
    assert result.errors == []
    assert "已跳过1个重复的表头行" in warnings_said(result)


def test_first_sheet_with_a_header_is_used() -> None:
    data = workbook_bytes(
        [["填表说明"], ["1. 金额单位为万元"], ["2. 每个项目一行"]],
        title="说明",
        extra_sheets=[
            (
                "项目表",
                [["项目名称", "责任单位", "总投资", "年度计划投资"], ["甲", "城关区", 9, 3]],
            )
        ],
    )
    result = parse_project_file("a.xlsx", data)
    assert (result.sheet, only_row(result).total_yuan) == ("项目表", 9 * WAN)


@pytest.mark.parametrize("total", [1.5e308, 10**30, 1e28])
def test_an_amount_too_large_to_round_is_a_row_error(total: float) -> None:
    """Found by the fuzz test: 1.5e308 万元 made the reader raise InvalidOperation, so the
    whole file failed instead of one row being refused."""
    data = simple_xlsx(
        ["项目名称", "责任单位", "总投资（万元）", "年度计划投资（万元）"],
        ["甲", "城关区", total, 1],
        ["乙", "城关区", 100, 1],
    )
    result = parse_project_file("a.xlsx", data)
    assert errors_said(result) == [(2, "总投资（万元）", "金额过大，请检查单位")]
    assert [row.name for row in result.rows] == ["乙"]
