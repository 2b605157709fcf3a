"""Formula injection: what people type reaches the .xlsx ledger as text, exactly, never as a
formula (issue 9, item 1). Typed through the real bot, exported with /export and pushed to the
leaders' group as the month's ledger, read back with openpyxl and from the raw sheet XML."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook

from tests.e2e.conftest import import_city, invite, join, person
from tests.e2e.test_schedule import LEADERS, bind
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, rows
from tests.harness import report as report_by_name

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PAYLOADS = [
    '=HYPERLINK("http://evil.example/x","点此查看")', "+1", "-2+3", "@SUM(A1)", "\t=1+1",
]  # fmt: skip
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A project, its unit's and leader's names typed into an imported sheet.
CSV = (
    "项目编号,项目名称,责任单位,项目类别,建设阶段,包抓领导,总投资（万元）,年度计划投资（万元）\n"
    + "".join(f"XM-00{i},项目{i},城关区,产业,在建,王副市长,50000,20000\n" for i in range(1, 5))
    + '"XM-005","=HYPERLINK(""http://evil.example/y"",""导入"")",城关区,产业,在建,@王副市长,'
    "50000,20000\n"
).encode()


async def report(talk: Talk, code: str, text: str, problem: str) -> None:
    await report_by_name(talk, code, 进展=text, 问题=problem)


def sheet_xml(content: bytes) -> list[ElementTree.Element]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return [ElementTree.fromstring(z.read(n)) for n in z.namelist()
                if n.startswith("xl/worksheets/sheet")]  # fmt: skip


async def test_typed_text_is_exported_as_text_never_as_a_formula(
    bot: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    await import_city(admin, CSV)
    for i, payload in enumerate(PAYLOADS, start=1):
        # The liaison's Telegram name, report text and problem text are all the payload.
        liaison = person(fake, 2000 + i, payload)
        await join(liaison, await invite(admin, f"联络员 XM-00{i}"))
        await report(liaison, f"XM-00{i}", payload, payload)

    await bind(fake, admin, LEADERS, "市领导群", "leaders")
    sent = await admin.say("/export 2026-11", until="重点项目台账（")
    (doc,) = [c for c in sent if c.method == "sendDocument"]
    await bot.tick("2026-12-01 09:00")  # November's ledger goes to the leaders' group
    (monthly,) = [c for c in fake.sent_to(LEADERS) if c.ok and c.method == "sendDocument"]

    # Stored as the bot keeps it (the boundary may trim a leading tab): that is what must show.
    names = dict(
        rows(db_path, "SELECT tg_user_id - 2000, name FROM people WHERE tg_user_id > 2000")
    )
    texts = dict(rows(db_path, "SELECT p.code, v.text FROM report_revisions v"
                               " JOIN reports r ON r.id = v.report_id"
                               " JOIN projects p ON p.id = r.project_id"))  # fmt: skip
    problems = dict(rows(db_path, "SELECT p.code, pr.description FROM problems pr"
                                  " JOIN projects p ON p.id = pr.project_id"))  # fmt: skip
    for i, payload in enumerate(PAYLOADS[:4], start=1):  # these pass any cleaning unchanged
        assert names[i] == texts[f"XM-00{i}"] == problems[f"XM-00{i}"] == payload
    for content in (doc.files["document"], monthly.files["document"]):
        shows_text_as_typed(content, names, texts, problems)


def shows_text_as_typed(
    content: bytes, names: dict[int, str], texts: dict[str, str], problems: dict[str, str]
) -> None:
    """Every sheet of the ledger: no formula, risky starts quoted, each typed text exactly."""
    wb = load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(RISKY_STARTS):
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)

    entries = wb["进展"]
    head = [c.value for c in entries[1]]
    for line in entries.iter_rows(min_row=2):
        code = line[head.index("项目编号")].value
        i = int(code[-1])
        assert line[head.index("联络员")].value == names[i]
        assert line[head.index("进展内容")].value == texts[code]
        assert line[head.index("问题")].value == problems[code]
    projects = wb["项目"]
    head = [c.value for c in projects[1]]
    by_code = {r[head.index("项目编号")].value: r for r in projects.iter_rows(min_row=2)}
    assert by_code["XM-005"][head.index("项目名称")].value == (
        '=HYPERLINK("http://evil.example/y","导入")'
    )
    assert by_code["XM-005"][head.index("包抓领导")].value == "@王副市长"
    for i in range(1, 6):
        assert by_code[f"XM-00{i}"][head.index("联络员")].value == names[i]
        assert by_code[f"XM-00{i}"][head.index("最近进展")].value == texts[f"XM-00{i}"]
    issues = wb["问题"]
    head = [c.value for c in issues[1]]
    found = {(r[head.index("问题描述")].value, r[head.index("提出人")].value)
             for r in issues.iter_rows(min_row=2)}  # fmt: skip
    assert found == {(problems[f"XM-00{i}"], names[i]) for i in range(1, 6)}

    # The raw XML: not one formula in any sheet, and each typed text an inline string.
    shown = set()
    for root in sheet_xml(content):
        assert not list(root.iter(f"{NS}f"))
        for c in root.iter(f"{NS}c"):
            assert c.get("t") in (None, "n", "inlineStr"), ElementTree.tostring(c)
            if c.get("t") == "inlineStr":
                shown.add("".join(t.text or "" for t in c.iter(f"{NS}t")))
    assert set(names.values()) | set(texts.values()) | set(problems.values()) <= shown
    assert '=HYPERLINK("http://evil.example/y","导入")' in shown
