"""Whole files the import refuses with a clear reason, and files meant to hurt the reader."""

from __future__ import annotations

import io
import zipfile

import pytest

from domain.project_import import ImportFileError, parse_project_file
from domain.workbook_reader import RANGE_TOO_BIG
from handlers.imports import reason_text
from import_worker import parse_upload
from tests.unit import hostile_sheets
from tests.unit.sample_sheets import city_list_xlsx, workbook_bytes
from tests.unit.sheet_writers import ods_bytes


def file_error(filename: str, content: bytes, **kwargs: int) -> str:
    """Why the file is refused, as the admin reads it."""
    with pytest.raises(ImportFileError) as caught:
        parse_project_file(filename, content, **kwargs)
    return reason_text(caught.value.reason)


def simple_xlsx(header: list[object], *rows: list[object], **kwargs: object) -> bytes:
    return workbook_bytes([header, *rows], **kwargs)  # type: ignore[arg-type]


# --- whole-file problems -------------------------------------------------------------------


def test_missing_required_columns_are_all_named() -> None:
    data = simple_xlsx(["序号", "项目名称", "责任单位", "建设阶段"], [1, "甲", "城关区", "在建"])
    assert file_error("a.xlsx", data) == "缺少必填列：总投资、年度计划投资"


def test_no_header() -> None:
    data = simple_xlsx(["a", "b"], [1, 2])
    assert file_error("a.xlsx", data).startswith("未找到表头")


@pytest.mark.parametrize("filename", ["a.xlsx", "a.csv"])
def test_empty_file(filename: str) -> None:
    assert file_error(filename, b"") == "文件为空"


def test_workbook_without_cells() -> None:
    assert file_error("a.xlsx", workbook_bytes([])) == "文件中没有数据"


def test_header_without_projects() -> None:
    data = simple_xlsx(["项目名称", "责任单位", "总投资", "年度计划投资"])
    assert file_error("a.xlsx", data) == "表格中没有项目数据"


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01garbage" * 50,
        b"PK\x03\x04 truncated zip",
        "项目名称,责任单位\n".encode(),  # a CSV renamed to .xlsx
    ],
)
def test_corrupt_xlsx(content: bytes) -> None:
    assert file_error("a.xlsx", content).startswith("文件已损坏或不是有效的 Excel/WPS 表格")


def test_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert file_error("a.xlsx", buffer.getvalue()).startswith("文件已损坏")


def test_workbook_with_broken_xml() -> None:
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(city_list_xlsx(3)))
    with source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    assert file_error("a.xlsx", buffer.getvalue()).startswith("文件已损坏")


def test_zip_bomb_is_refused_before_inflating() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"\0" * (1 << 20)
            for _ in range(210):
                sheet.write(chunk)
    assert file_error("a.xlsx", buffer.getvalue()) == "文件解压后过大，请删除无关工作表或分批导入"


def test_unsupported_type() -> None:
    assert file_error("a.pdf", b"%PDF-1.4") == (
        "不支持的文件类型“.pdf”，请上传 .xlsx、.xls、.ods 或 .csv 文件"
    )


def test_binary_csv_is_refused() -> None:
    assert file_error("a.csv", b"\xff\xfe\x00\xd8garbage").startswith("无法识别文件内容或编码")


def test_too_many_rows() -> None:
    header = ["项目名称", "责任单位", "总投资", "年度计划投资"]
    rows = [[f"项目{i}", "城关区", 100, 50] for i in range(6)]
    data = simple_xlsx(header, *rows)
    assert file_error("a.xlsx", data, max_rows=5) == "项目行数超过上限（最多5行），请分批导入"
    assert len(parse_project_file("a.xlsx", data, max_rows=6).rows) == 6
    csv_text = "\n".join(",".join(map(str, row)) for row in [header, *rows * 100])
    assert "超过上限" in file_error("a.csv", csv_text.encode(), max_rows=5)


# --- whole-file refusals -------------------------------------------------------------------


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


# --- files meant to hurt, read the way the bot reads them ----------------------------------


async def upload_error(filename: str, content: bytes) -> str:
    """The code of the reason the child process gives for refusing the file."""
    with pytest.raises(ImportFileError) as caught:
        await parse_upload(filename, content)
    return caught.value.reason.code


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
