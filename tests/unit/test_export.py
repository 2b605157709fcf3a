"""The .xlsx ledger: the period words, and a workbook opened with openpyxl and read back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from ledger.export_xlsx import PAGE, Scope, build
from ledger.period import parse_period
from services import problems
from storage import Database, departments, people, problem_events, projects, reports
from storage import problems as store
from tests.harness import project_row
from timeutil import from_iso

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 23)
MANY = PAGE * 2 + 7  # more projects than one page: the export reads and writes in pages


@pytest.mark.parametrize(
    ("args", "period"),
    [
        ([], (date(2026, 11, 1), TODAY)),
        (["2026-11"], (date(2026, 11, 1), date(2026, 11, 30))),
        (["2026年2月"], (date(2026, 2, 1), date(2026, 2, 28))),
        (["10月"], (date(2026, 10, 1), date(2026, 10, 31))),
        (["2026-11-05"], (date(2026, 11, 5), date(2026, 11, 5))),
        (["2026-11-01", "2026-11-15"], (date(2026, 11, 1), date(2026, 11, 15))),
        (["11-01", "11-15"], (date(2026, 11, 1), date(2026, 11, 15))),
    ],
)
def test_period_words(args: list[str], period: tuple[date, date]) -> None:
    assert parse_period(args, TODAY) == period


@pytest.mark.parametrize(
    "args",
    [["2026-13"], ["下个月"], ["2026-11-30", "2026-11-01"], ["2025-01-01", "2026-11-01"],
     ["a", "b", "c"]],
)  # fmt: skip
def test_bad_period_words(args: list[str]) -> None:
    assert parse_period(args, TODAY) is None


def submission(project_id: int, person_id: int, day: date, done: int, text: str):
    return reports.Submission(
        project_id=project_id, person_id=person_id, report_date=day, text=text, done_yuan=done,
        stage_before="在建", stage_after=None, problem_id=None, photo_id=None,
    )  # fmt: skip


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "export.sqlite3")
    at = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    async with database.transaction() as tx:
        due = replace(project_row("A-02", "高新区"), planned_start=date(2026, 3, 1))
        rows = [project_row("A-01", "城关区", "王副市长"), due]
        rows += [project_row(f"Z-{i:04d}", "郊区") for i in range(MANY)]
        await projects.upsert_imported(tx, rows, 2026)
        zhang = await people.upsert(tx, 7, "张三", None)
        await people.link_projects(tx, zhang, [1], "liaison")
        await reports.submit(tx, submission(1, zhang, date(2026, 10, 30), 10_000_000, "十月"))
        await reports.submit(tx, submission(1, zhang, date(2026, 11, 20), 12_345_678, "浇筑"))
        await reports.submit(tx, submission(2, zhang, date(2026, 11, 21), 5_000_000, "平整"))
        raised = await problems.raise_problem(
            tx, project_id=1, raised_by=zhang, category="land", description="用地红线调整", now=at
        )
        open_id = raised.problem_id
        problem = await store.by_id(tx, open_id)
        assert problem is not None
        unit = await departments.department_id(tx, "自然资源局", at)
        await store.change(tx, problem, to_state="assigned", now=at, today=date(2026, 11, 20),
                           department_id=unit, deadline=date(2026, 12, 1))  # fmt: skip
        await problem_events.record(tx, open_id, actor=zhang, action="assign", from_state="open",
                           to_state="assigned", department_id=unit, deadline=date(2026, 12, 1),
                           now=at)  # fmt: skip
        old = await problems.raise_problem(
            tx,
            project_id=2,
            raised_by=zhang,
            category="other",
            description="早已解决",
            now=datetime(2026, 9, 1, tzinfo=UTC),
        )
        old_id = old.problem_id
        await tx.execute(
            "UPDATE problems SET state = 'closed', status = 'closed', closed_on = '2026-09-02'"
            " WHERE id = ?",
            (old_id,),
        )
    yield database
    await database.close()


async def test_workbook_contents_and_print_layout(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    counts = await build(db, path, Scope(None, date(2026, 11, 1), date(2026, 11, 30), TZ))
    assert (counts.projects, counts.entries, counts.problems) == (MANY + 2, 2, 1)
    wb = load_workbook(path)
    assert wb.sheetnames == ["项目", "进展", "问题"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.column_dimensions["B"].width >= 10
        assert all(c.font.bold for c in ws[1])

    ws = wb["项目"]
    head = [c.value for c in ws[1]]
    data = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(data) == MANY + 2  # every page made it
    assert [r[0] for r in data] == list(range(1, MANY + 3))  # numbered in print order
    first = {r[1]: r for r in data}["A-01"]
    assert first[head.index("责任单位")] == "城关区"
    assert first[head.index("总投资（万元）")] == 100000  # 10亿 in 万元
    assert first[head.index("本年累计完成（万元）")] == pytest.approx(1234.57)  # 12,345,678元
    assert first[head.index("完成率")] == pytest.approx(0.1234568)
    assert first[head.index("最近上报")].date() == date(2026, 11, 20)
    assert first[head.index("最近进展")] == "浇筑"
    assert first[head.index("未结问题")] == 1
    assert first[head.index("当前状态")] == "未上报"  # no status known: never blank or green
    second = {r[1]: r for r in data}["A-02"]
    assert second[head.index("计划开工")].date() == date(2026, 3, 1)
    assert second[head.index("实际开工")] is None
    assert second[head.index("本年开工")] == "未开工"  # due since March: counts in 开工率
    assert first[head.index("本年开工")] is None  # no start planned: not counted
    money = ws.cell(2, head.index("本年累计完成（万元）") + 1)
    assert money.number_format == "#,##0.00"

    ws = wb["进展"]
    head = [c.value for c in ws[1]]
    entries = list(ws.iter_rows(min_row=2, values_only=True))  # October's is left out
    assert [(r[0].date(), r[1]) for r in entries] == [
        (date(2026, 11, 20), "A-01"),
        (date(2026, 11, 21), "A-02"),
    ]  # fmt: skip
    assert entries[0][head.index("当日新增（万元）")] == pytest.approx(234.57)
    stored = await db.fetchval(
        "SELECT created_at FROM report_revisions ORDER BY id LIMIT 1 OFFSET 1"
    )
    assert entries[0][head.index("上报时间")] == from_iso(stored).astimezone(TZ).replace(
        tzinfo=None
    )

    ws = wb["问题"]
    head = [c.value for c in ws[1]]
    (problem,) = list(ws.iter_rows(min_row=2, values_only=True))  # the September one is closed
    assert problem[head.index("类别")] == "用地"
    assert problem[head.index("责任部门")] == "自然资源局"
    assert problem[head.index("办理期限")].date() == date(2026, 12, 1)
    assert problem[head.index("提出时间")] == datetime(2026, 11, 20, 9, 30)  # local time
    assert problem[head.index("状态")] == "已交办，待受理"
    history = problem[head.index("处理记录")].splitlines()
    assert history == [
        "· 11-20 09:30 张三 提出问题",
        "· 11-20 09:30 张三 交办给 自然资源局，期限 2026-12-01",
    ]
    assert ws.cell(2, head.index("处理记录") + 1).alignment.wrap_text


async def test_a_leaders_scope(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "leader.xlsx"
    counts = await build(db, path, Scope([2], date(2026, 11, 1), date(2026, 11, 30), TZ))
    assert (counts.projects, counts.entries, counts.problems) == (1, 1, 0)
    wb = load_workbook(path, read_only=True)
    assert [r[1] for r in wb["项目"].iter_rows(min_row=2, values_only=True)] == ["A-02"]


async def test_a_past_month_shows_its_own_figures(db: Database, tmp_path: Path) -> None:
    # A-01 reported 1000万 on October 30 and 1234.57万 on November 20; its problem was raised
    # on November 20. October's ledger shows October's end, not today's figures.
    path = tmp_path / "october.xlsx"
    await build(db, path, Scope(None, date(2026, 10, 1), date(2026, 10, 31), TZ))
    ws = load_workbook(path)["项目"]
    head = [c.value for c in ws[1]]
    first = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}["A-01"]
    assert first[head.index("本年累计完成（万元）")] == 1000
    assert first[head.index("完成率")] == pytest.approx(0.1)
    assert first[head.index("最近上报")].date() == date(2026, 10, 30)
    assert first[head.index("最近进展")] == "十月"
    assert first[head.index("未结问题")] == 0  # raised later
    second = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}["A-02"]
    assert second[head.index("本年累计完成（万元）")] == 0  # its first report came in November
