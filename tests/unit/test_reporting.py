"""The reporting service on a real SQLite file, without Telegram: the table of steps, and a
correction that must never lose a figure (issue 8's sequence)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from domain.workdays import WorkCalendar
from handlers.report.render import words
from services import reporting
from services.report_results import Ask, Env, Review, Saved, Typed
from services.report_steps import BUILTIN, Facts, behaviour
from services.report_submit import submit
from storage import Database, drafts, people, projects, report_fields
from storage.people import Person
from tests.harness import project_row

DAY = date(2026, 11, 23)
UPDATES = itertools.count(1)


async def _calendar() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "reporting.sqlite3")
    async with database.transaction() as tx:
        await projects.upsert_imported(tx, [project_row("P001")], 2026)
        pid = await people.upsert(tx, 7, "张三", None)
        await people.grant(tx, pid, "liaison")
        await people.link_projects(tx, pid, [1], "liaison")
    yield database
    await database.close()


@pytest.fixture
async def liaison(db: Database) -> Person:
    person = await people.by_tg_user(db, 7)
    assert person is not None
    return person


def env(db: Database) -> Env:
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    return Env(db, DAY, now, ZoneInfo("Asia/Shanghai"), _calendar)


async def walk(db: Database, person: Person, **answers: str) -> list[Ask | Review]:
    """/report P001, answering by field name (or keeping), up to the summary."""
    seen: list[Ask | Review] = []
    result = await reporting.start(env(db), person, next(UPDATES), code="P001")
    while isinstance(result, Ask):
        seen.append(result)
        draft = await drafts.get(db, person.tg_user_id)
        assert draft is not None
        if result.field.name in answers:
            typed = Typed(next(UPDATES), answers[result.field.name])
            result = await reporting.answer(env(db), person, draft, typed)
        else:
            result = await reporting.keep_step(env(db), person, draft, next(UPDATES))
    assert isinstance(result, Review), result
    seen.append(result)
    return seen


async def confirm(db: Database, person: Person) -> Saved:
    draft = await drafts.get(db, person.tg_user_id)
    assert draft is not None
    saved = await submit(env(db), person, draft.nonce, next(UPDATES))
    assert isinstance(saved, Saved), saved
    return saved


async def stored(db: Database) -> list[tuple]:
    rows = await db.fetchall(
        "SELECT revision, text, done_yuan, problem_id FROM report_revisions ORDER BY revision"
    )
    return [tuple(r) for r in rows]


async def test_issue_8_a_third_report_keeps_the_corrected_figure(
    db: Database, liaison: Person
) -> None:
    await walk(db, liaison, 进展="管网铺设", 投资="1200万")
    await confirm(db, liaison)
    await walk(db, liaison, 进展="管网铺设（更正）", 投资="3千万")
    assert (await confirm(db, liaison)).revision == 2
    steps = await walk(db, liaison)  # the third time: 无变化 everywhere
    text, invest = (next(s for s in steps if isinstance(s, Ask) and s.field.name == name)
                    for name in ("进展", "投资"))  # fmt: skip
    assert text.current is not None and words(text.current) == "目前：管网铺设（更正）"
    assert invest.prompt[1]["done"] == "3000万元"  # not 0
    assert words((invest.keep or "", {})) == "无变化"
    assert (await confirm(db, liaison)).revision == 3
    assert [r[:3] for r in await stored(db)] == [
        (1, "管网铺设", 12_000_000), (2, "管网铺设（更正）", 30_000_000),
        (3, "管网铺设（更正）", 30_000_000),
    ]  # fmt: skip


async def test_a_correction_links_its_problem_once(db: Database, liaison: Person) -> None:
    await walk(db, liaison, 进展="场地平整", 问题="拆迁户3户未签协议")
    await confirm(db, liaison)
    await walk(db, liaison, 问题="拆迁户 3 户未签协议。")  # the same words again
    await confirm(db, liaison)
    await walk(db, liaison, 问题="拆迁户2户未签协议")  # other words: the same problem, reworded
    await confirm(db, liaison)
    await walk(db, liaison, 问题="无")
    await confirm(db, liaison)
    assert [r[3] for r in await stored(db)] == [1, 1, 1, None]
    assert [tuple(r) for r in await db.fetchall("SELECT id, description FROM problems")] == [
        (1, "拆迁户2户未签协议")
    ]


async def test_custom_fields_are_kept_per_revision_and_carried_by_a_correction(
    db: Database, liaison: Person
) -> None:
    from domain.report_fields import FieldSpec

    async with db.transaction() as tx:
        workers = await report_fields.add(tx, FieldSpec("用工人数", "number", "人", (), True), 1)
    await walk(db, liaison, 进展="围挡", 用工人数="35")
    await confirm(db, liaison)
    async with db.transaction() as tx:
        await report_fields.set_enabled(tx, workers, False)
    steps = await walk(db, liaison, 进展="围挡（更正）")  # the field is off now: not asked
    assert all(s.field.name != "用工人数" for s in steps if isinstance(s, Ask))
    await confirm(db, liaison)
    rows = await db.fetchall("SELECT revision_id, value FROM report_values ORDER BY revision_id")
    assert [tuple(r) for r in rows] == [(1, "35"), (2, "35")]  # the earlier answer kept


async def test_required_steps_cannot_be_left_empty(db: Database, liaison: Person) -> None:
    result = await reporting.start(env(db), liaison, next(UPDATES), code="P001")
    assert isinstance(result, Ask) and result.field.name == "进展" and result.keep is None
    draft = await drafts.get(db, liaison.tg_user_id)
    assert draft is not None
    kept = await reporting.keep_step(env(db), liaison, draft, next(UPDATES))
    assert isinstance(kept, Ask) and kept.notes == [("report.refuse_cannot_skip", {})]


async def test_an_update_delivered_twice_is_handled_once(db: Database, liaison: Person) -> None:
    await reporting.start(env(db), liaison, 10_000, code="P001")
    draft = await drafts.get(db, liaison.tg_user_id)
    assert draft is not None
    moved = await reporting.answer(env(db), liaison, draft, Typed(10_001, "围挡"))
    assert isinstance(moved, Ask) and moved.field.name == "投资"
    again = await drafts.get(db, liaison.tg_user_id)
    assert again is not None and again.state == "invest"
    assert await reporting.answer(env(db), liaison, again, Typed(10_001, "围挡")) is None


async def test_a_draft_from_before_the_template_starts_again(
    db: Database, liaison: Person
) -> None:
    old = drafts.Draft(7, "report", "invest", {"project_id": 1, "text": "旧版草稿"})
    async with db.transaction() as tx:
        await drafts.save(tx, old)
    result = await reporting.answer(env(db), liaison, old, Typed(next(UPDATES), "500"))
    assert isinstance(result, Ask) and result.field.name == "进展"
    assert result.notes[0] == ("report.restart", {})


async def test_the_table_has_a_row_for_every_built_in_field(db: Database) -> None:
    template = await report_fields.template(db)
    assert {f.builtin for f in template if f.builtin} == set(BUILTIN)
    assert [f.name for f in template][:6] == ["进展", "投资", "阶段", "节点", "问题", "照片"]


async def test_every_step_renders_from_the_catalog(db: Database) -> None:
    from domain.report_fields import ReportField

    facts = Facts(
        day=DAY.isoformat(), project_id=1, code="P001", name="项目", unit="城关区",
        stage="在建", total_yuan=10**9, year_plan_yuan=10**8, baseline_yuan=10**7,
        milestones=[[5, "主体封顶", "2026-12-01"]],
        prior={"text": "旧", "invest": 2 * 10**7, "stage": "竣工", "problem": "旧问题",
               "photo": 3, "milestone": [None, "基础完工"], "f7": "35"},
    )  # fmt: skip
    custom = [
        ReportField(7, None, "用工人数", "number", "人", required=True),
        ReportField(8, None, "形象进度", "percent"),
        ReportField(9, None, "备注", "text"),
        ReportField(10, None, "是否停工", "choice", choices=("是", "否")),
        ReportField(11, None, "复工", "date"),
    ]
    for f in [*await report_fields.template(db), *custom]:
        b = behaviour(f)
        assert words(b.prompt(f, facts)) and words(b.kind)
        shown = words(b.show(facts.prior.get(f.step) or b.default(facts), f, facts))
        assert shown
        for option in b.options(f, facts):
            assert words((option.key, {"label": option.label}))
        if (keep := b.keep(f, facts)) is not None:
            assert words((keep, {}))


async def test_built_in_steps_turned_off_are_not_asked_and_keep_todays_figures(
    db: Database, liaison: Person
) -> None:
    await walk(db, liaison, 进展="基础施工", 投资="1200万", 问题="临时用电未批")
    await confirm(db, liaison)
    async with db.transaction() as tx:
        for f in await report_fields.template(tx):
            if f.name in ("投资", "问题", "照片"):
                await report_fields.set_enabled(tx, f.id, False)
    steps = await walk(db, liaison, 进展="基础施工（更正）")
    assert [s.field.name for s in steps if isinstance(s, Ask)] == ["进展", "阶段"]
    await confirm(db, liaison)
    assert [r[1:] for r in await stored(db)] == [
        ("基础施工", 12_000_000, 1), ("基础施工（更正）", 12_000_000, 1),
    ]  # fmt: skip


async def stage_of(db: Database) -> str | None:
    return await db.fetchval("SELECT stage FROM projects WHERE id = 1")


async def test_a_correction_can_take_back_the_days_stage_change(
    db: Database, liaison: Person
) -> None:
    async with db.transaction() as tx:
        await projects.update_field(tx, 1, "stage", "前期", 2026)
    await walk(db, liaison, 进展="取得施工许可", 阶段="在建")
    await confirm(db, liaison)
    assert await stage_of(db) == "在建"
    steps = await walk(db, liaison)  # 无变化 keeps today's change
    stage = next(s for s in steps if isinstance(s, Ask) and s.field.name == "阶段")
    assert words(stage.current or ("", {})) == "目前：前期 → 在建"
    await confirm(db, liaison)
    assert await stage_of(db) == "在建"
    await walk(db, liaison, 阶段="前期")  # typed mistake: it had not started after all
    await confirm(db, liaison)
    assert await stage_of(db) == "前期"
    revisions = await db.fetchall(
        "SELECT stage_before, stage_after FROM report_revisions ORDER BY revision"
    )
    assert [tuple(r) for r in revisions] == [("前期", "在建"), ("前期", "在建"), ("前期", None)]


async def test_an_admins_stage_edit_is_not_undone_by_a_correction(
    db: Database, liaison: Person
) -> None:
    await walk(db, liaison, 进展="围挡")
    await confirm(db, liaison)
    async with db.transaction() as tx:
        await projects.update_field(tx, 1, "stage", "在建", 2026)
    await walk(db, liaison, 进展="围挡（更正）")
    await confirm(db, liaison)
    assert await stage_of(db) == "在建"


async def test_field_columns_in_the_ledger_are_text_headers_and_typed_cells(
    db: Database, liaison: Person, tmp_path: Path
) -> None:
    from domain.report_fields import FieldSpec
    from ledger.export_xlsx import Scope, build

    async with db.transaction() as tx:  # storage does not judge names; the ledger still must
        await report_fields.add(tx, FieldSpec("=1+1", "number", "人"), 1)
        await report_fields.add(tx, FieldSpec("形象进度", "percent"), 1)
        await report_fields.add(tx, FieldSpec("备注", "text"), 1)
    await walk(db, liaison, 进展="围挡", **{"=1+1": "35"}, 形象进度="45", 备注="=HYPERLINK(1)")
    await confirm(db, liaison)
    path = tmp_path / "ledger.xlsx"
    await build(db, path, Scope(None, DAY, DAY, ZoneInfo("Asia/Shanghai")))
    ws = load_workbook(path)["进展"]
    head = {c.value: c for c in ws[1]}
    assert head["=1+1（人）"].data_type == "s"
    row = {h: ws.cell(2, c.column) for h, c in head.items()}
    assert row["=1+1（人）"].value == 35 and row["形象进度（%）"].value == pytest.approx(0.45)
    assert row["形象进度（%）"].number_format == "0.0%"
    assert row["备注"].value == "=HYPERLINK(1)" and row["备注"].data_type == "s"


async def test_a_report_overtaken_by_anothers_starts_again_from_the_latest(
    db: Database, liaison: Person
) -> None:
    async with db.transaction() as tx:
        other_id = await people.upsert(tx, 8, "李四", None)
        await people.grant(tx, other_id, "liaison")
        await people.link_projects(tx, other_id, [1], "liaison")
    other = await people.by_tg_user(db, 8)
    assert other is not None
    await walk(db, liaison, 进展="围挡", 投资="1200万")  # at the summary, not confirmed
    await walk(db, other, 进展="土方开挖", 投资="1500万")
    await confirm(db, other)
    draft = await drafts.get(db, liaison.tg_user_id)
    assert draft is not None
    again = await submit(env(db), liaison, draft.nonce, next(UPDATES))
    assert isinstance(again, Ask) and again.notes[0] == ("report.outdated", {})
    assert again.facts.revisions == 1 and again.facts.prior["invest"] == 15_000_000
    assert [r[:3] for r in await stored(db)] == [(1, "土方开挖", 15_000_000)]


@pytest.mark.parametrize(
    ("done_year", "shown"), [(2026, "500万元"), (None, "500万元"), (2025, "0万元")]
)
async def test_the_first_report_of_the_day_starts_from_the_years_figure(
    db: Database, liaison: Person, done_year: int | None, shown: str
) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE projects SET done_yuan = 5000000, done_year = ? WHERE id = 1", (done_year,)
        )
    steps = await walk(db, liaison, 进展="围挡")
    invest = next(s for s in steps if isinstance(s, Ask) and s.field.name == "投资")
    assert invest.prompt[1]["done"] == shown  # last year's figure is not this year's
    assert invest.facts.baseline_yuan == (0 if done_year == 2025 else 5_000_000)
