"""The files offices really send: .xls, .ods, HTML saved as .xls, and files meant to hurt."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest

from domain.import_result import ImportResult, check_totals, from_json, to_json
from domain.project_import import ImportFileError, parse_project_file
from domain.sheet_table import MAX_COLUMNS
from domain.workbook_reader import RANGE_TOO_BIG
from import_worker import parse_upload
from tests.unit import hostile_sheets
from tests.unit.sample_sheets import Writer, city_list_xlsx, city_projects, workbook_bytes
from tests.unit.sheet_writers import html_bytes, ods_bytes, xls_bytes
from tests.unit.test_project_import import messy_list_xlsx

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
    assert f"超过{MAX_COLUMNS}列" in result.warnings[0]


# --- whole-file refusals -------------------------------------------------------------------


def file_error(filename: str, content: bytes) -> str:
    with pytest.raises(ImportFileError) as caught:
        parse_project_file(filename, content)
    return caught.value.reason


def test_excel_2003_xml_is_refused_with_advice() -> None:
    content = (
        b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
    )
    assert "另存为 .xlsx" in file_error("a.xls", content)


def test_encrypted_workbook_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500
    content = ole + "EncryptedPackage".encode("utf-16-le") + b"\0" * 500
    assert "密码" in file_error("a.xlsx", content)


@pytest.mark.parametrize(
    "content",
    [
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,  # an OLE header and nothing else
        b"<html><body><p>\xe6\x97\xa0\xe8\xa1\xa8\xe6\xa0\xbc</p></body></html>",  # no table
    ],
    ids=["ole", "html-without-table"],
)
def test_xls_that_is_not_a_sheet(content: bytes) -> None:
    assert "另存为 .xlsx" in file_error("a.xls", content)


def test_ods_that_is_not_a_spreadsheet() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    assert file_error("a.ods", buffer.getvalue()).startswith("文件已损坏")


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


# --- files meant to hurt, read the way the bot reads them ----------------------------------


async def upload_error(filename: str, content: bytes) -> str:
    with pytest.raises(ImportFileError) as caught:
        await parse_upload(filename, content)
    return caught.value.reason


async def test_a_value_at_the_last_cell_is_refused_not_fatal() -> None:
    assert await upload_error("a.xlsx", hostile_sheets.far_value_xlsx()) == RANGE_TOO_BIG


async def test_one_string_shared_by_many_cells_is_refused_not_fatal() -> None:
    content = hostile_sheets.shared_string_fanout_xlsx()
    assert len(content) < 1_000_000
    assert await upload_error("a.xlsx", content) == RANGE_TOO_BIG


async def test_a_sheet_claiming_every_row_imports_its_real_rows() -> None:
    result = await parse_upload("a.xlsx", hostile_sheets.claims_every_row_xlsx())
    assert [row.name for row in result.rows] == ["项目1", "项目2", "项目3"]


async def test_the_child_reads_every_format_like_the_parser() -> None:
    content = city_list_xlsx(5, writer=ods_bytes)
    assert await parse_upload("a.ods", content) == parse_project_file("a.ods", content)
