"""/import of the files offices really send, files meant to hurt, and the preview's checks.

Each runs the real bot over real HTTP against the fake Bot API with a real SQLite file: the
admin sends the file, reads the preview, confirms, and the test reads what was stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.import_errors import Reason
from domain.money import format_wan_number
from domain.sheet_reader import MAX_FILE_BYTES
from domain.workbook_reader import RANGE_TOO_BIG
from handlers.imports import reason_text
from tests.e2e.conftest import invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, joined, rows, with_buttons
from tests.unit import hostile_sheets
from tests.unit.sample_sheets import Writer, city_list_xlsx, city_projects, workbook_bytes
from tests.unit.sheet_writers import html_bytes, ods_bytes, xls_bytes

XLS = "application/vnd.ms-excel"


def gbk_html(rows: object, **kwargs: object) -> bytes:
    return html_bytes(rows, encoding="gbk", **kwargs)  # type: ignore[arg-type]


async def upload(admin: Talk, name: str, content: bytes, mime: str = XLS) -> str:
    await admin.say("/import")
    return joined(await admin.send_document(name, content, mime))


@pytest.mark.parametrize(
    ("name", "writer"),
    [
        ("2026年重点项目.xls", xls_bytes),
        ("重点项目.ods", ods_bytes),
        ("政务系统导出.xls", gbk_html),
    ],
    ids=["xls", "ods", "html-saved-as-xls"],
)
async def test_xls_ods_and_html_lists_import_like_xlsx(
    bot: RunningBot, admin: Talk, db_path: Path, name: str, writer: Writer
) -> None:
    projects = city_projects(20)
    await admin.say("/import")
    preview = await admin.send_document(name, city_list_xlsx(20, writer=writer), XLS)
    text = joined(preview)
    assert "识别出 20 个项目：新增 20 个" in text
    first = projects[0]
    total = format_wan_number(first.total_yuan)
    assert f"第6行 {first.name}｜{first.unit}｜总投资 {total}｜" in text
    assert "与表中合计行（第28行）一致" in text
    await admin.press(with_buttons(preview), "确认导入", until="导入完成")
    stored = rows(db_path, "SELECT code, name, total_yuan FROM projects ORDER BY code")
    assert stored == [(p.code, p.name, p.total_yuan) for p in projects]
    # The unit merged down the column reached every project under it.
    units = rows(db_path, "SELECT p.code, u.name FROM projects p JOIN units u ON u.id = p.unit_id")
    assert sorted(units) == sorted((p.code, p.unit) for p in projects)


async def test_preview_warns_when_the_sheets_total_row_disagrees(
    bot: RunningBot, admin: Talk, db_path: Path
) -> None:
    header = ["项目编号", "项目名称", "责任单位", "总投资（亿元）", "年度计划投资（亿元）"]
    content = workbook_bytes(
        [header, ["XM-1", "甲", "城关区", 1.5, 0.5], ["XM-2", "乙", "城关区", 2, 0.5],
         ["合计", None, None, 35, 1]]
    )  # fmt: skip
    text = await upload(admin, "list.xlsx", content)
    assert "⚠️ 与表中合计行（第4行）不一致" in text
    assert "总投资：合计行 350000 万元，识别出的项目合计 35000 万元" in text  # 亿元 typed as 万元
    assert "· 年度计划：合计行" not in text  # 1 亿元 in both
    assert rows(db_path, "SELECT COUNT(*) FROM projects") == [(0,)]


DIRTY_CSV = (
    "项目编号,项目名称,责任单位,总投资（万元）,年度计划投资（万元）,包抓领导,联络员,备\u200b注\n"
    "XM-900,污水\x07处理\u200b厂,城关\x1b区,500,200,王\u202e副市长,张\u2066三\u2069,\x1b[31m红字\n"
)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("dirty\x07\u202e.csv", DIRTY_CSV.encode(), "XM-900"),
        ("dirty.xlsx", hostile_sheets.dirty_text_xlsx(), "XM-901"),
    ],
    ids=["csv", "xlsx"],
)
async def test_control_and_invisible_characters_never_reach_storage(
    bot: RunningBot, admin: Talk, db_path: Path, name: str, content: bytes, code: str
) -> None:
    await admin.say("/import")
    preview = await admin.send_document(name, content, "text/csv")
    await admin.press(with_buttons(preview), "确认导入", until="导入完成")
    (stored,) = rows(
        db_path,
        "SELECT p.name, u.name, p.leader_name, p.liaison_name, p.extra_json FROM projects p"
        " JOIN units u ON u.id = p.unit_id WHERE p.code = ?",
        (code,),
    )
    name_, unit, leader, liaison, extra = stored
    assert (name_, unit, leader) == ("污水处理厂", "城关区", "王副市长")
    texts = [name_, unit, leader, liaison or "", *json.loads(extra).items()]
    assert all(str(text).isprintable() for text in texts)
    (detail,) = rows(db_path, "SELECT detail_json FROM audit_log WHERE action = 'import'")[0]
    assert json.loads(detail)["file"].isprintable()


async def test_a_file_meant_to_exhaust_memory_is_refused_and_the_bot_carries_on(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    """One value at XFD1048576: read in-process, the native reader would abort the bot."""
    liaison = person(fake, 2001, "张三")
    await join(liaison, await invite(admin, "联络员 XM-001"))
    before = rows(db_path, "SELECT code, name, total_yuan FROM projects ORDER BY code")
    text = await upload(admin, "清单.xlsx", hostile_sheets.far_value_xlsx())
    too_big = reason_text(Reason.of(RANGE_TOO_BIG))
    assert "无法导入" in text and too_big in text and "未导入任何内容" in text
    text = await upload(admin, "假表格.xls", b"<html><body>\x00\x01 no table</body></html>")
    assert "无法导入" in text and "另存为 .xlsx" in text
    assert rows(db_path, "SELECT code, name, total_yuan FROM projects ORDER BY code") == before
    assert "XM-001" in await liaison.text("/mine")


async def test_a_list_that_is_too_long_is_refused(
    bot: RunningBot, admin: Talk, db_path: Path
) -> None:
    header = ["项目名称", "责任单位", "总投资", "年度计划投资"]
    content = workbook_bytes([header, *([f"项目{i}", "城关区", 100, 50] for i in range(5300))])
    text = await upload(admin, "big.xlsx", content)
    assert "项目行数超过上限（最多5000行）" in text
    assert rows(db_path, "SELECT COUNT(*) FROM projects") == [(0,)]


async def test_files_over_20mb_and_unknown_types_are_refused_before_download(
    bot: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    text = await upload(admin, "huge.xlsx", b"PK\x03\x04" + b"\0" * MAX_FILE_BYTES)
    assert "请控制在 20MB 以内" in text
    text = await upload(admin, "list.pdf", b"%PDF-1.4", "application/pdf")
    assert ".xls" in text and ".ods" in text
    assert fake.downloads == []
