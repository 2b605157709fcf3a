"""Admins add report fields from chat; liaisons answer them; every place a report shows them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import invite, join, person
from tests.e2e.test_schedule import bind
from tests.fakebot import ApiCall, FakeBotApi
from tests.harness import RunningBot, Talk, answer_report, joined, report, rows, with_buttons

CHENGGUAN = -1001


@pytest.fixture
async def zhang(city: RunningBot, fake: FakeBotApi, admin: Talk) -> Talk:
    """Liaison of 城关区: XM-001 (在建, no milestones) and XM-003."""
    talk = person(fake, 2001, "张三")
    await join(talk, await invite(admin, "联络员 城关区"))
    return talk


async def add_fields(admin: Talk) -> None:
    assert "已添加字段“用工人数”" in await admin.text("/fields add 用工人数 数字 人 必填")
    assert "已添加字段“形象进度”" in await admin.text("/fields add 形象进度 百分比")


def step_of(text: str, name: str) -> tuple[int, int]:
    """(n, total) of the question "第n/total步 · name" in a prompt."""
    found = re.search(rf"第(\d+)/(\d+)步 · {name}", text)
    assert found, f"{name} not asked: {text[:200]!r}"
    return int(found[1]), int(found[2])


async def export(talk: Talk, args: str = "") -> dict[str, list]:
    """/export, read back: the entries sheet's header and rows."""
    sent = await talk.say(f"/export {args}".strip(), until="重点项目台账（")
    (doc,) = [c for c in sent if c.method == "sendDocument"]
    ws = load_workbook(io.BytesIO(doc.files["document"]))["进展"]
    head = [c.value for c in ws[1]]
    return {"head": head, "rows": list(ws.iter_rows(min_row=2, values_only=True))}


async def test_added_fields_are_asked_checked_and_shown_everywhere(
    city: RunningBot, fake: FakeBotApi, admin: Talk, zhang: Talk, db_path: Path
) -> None:
    await add_fields(admin)
    listed = await admin.text("/fields")
    workers = re.search(r"(\d+)\. 用工人数｜数字（人）｜必填｜✅ 启用", listed)
    progress = re.search(r"(\d+)\. 形象进度｜百分比｜选填｜✅ 启用", listed)
    assert workers and progress and int(progress[1]) == int(workers[1]) + 1  # added at the end
    assert "1. 进展｜文字｜必填" in listed and "照片｜照片｜选填" in listed
    assert rows(db_path, "SELECT action FROM audit_log WHERE action LIKE 'fields.%'") == [
        ("fields.add",), ("fields.add",)
    ]  # fmt: skip

    # XM-001 has no open milestone: that step is not asked, and the numbering has no gap.
    ask = joined(await report(zhang, "XM-001", 进展="围挡完成", 投资="3千万", at="用工人数"))
    n, total = step_of(ask, "用工人数")
    assert n == total - 1 and "单位：人" in ask and "必填" in ask
    assert "节点" not in ask
    refused = joined(await zhang.say("abc"))
    assert "不小于 0 的数字" in refused and step_of(refused, "用工人数") == (n, total)
    assert "必填" in joined(await zhang.say("/skip"))
    ((workers_id,),) = rows(db_path, "SELECT id FROM report_fields WHERE name = '用工人数'")
    assert rows(db_path, "SELECT state FROM drafts") == [(f"f{workers_id}",)]
    ask = joined(await zhang.say("35人"))
    assert step_of(ask, "形象进度") == (total, total)
    refused = joined(await zhang.say("150"))
    assert "0 到 100" in refused and step_of(refused, "形象进度") == (total, total)
    summary = await zhang.say("45%")
    text = joined(summary)
    assert "用工人数：35人" in text and "形象进度：45%" in text
    await zhang.press(with_buttons(summary), "确认提交", until="已保存")
    assert rows(
        db_path,
        "SELECT f.name, rv.value FROM report_values rv"
        " JOIN report_fields f ON f.id = rv.field_id ORDER BY f.position",
    ) == [("用工人数", "35"), ("形象进度", "45")]

    status = await admin.text("/status XM-001")
    assert "最新上报（2026-11-23）：围挡完成" in status
    assert "用工人数 35人；形象进度 45%" in status

    await bind(fake, admin, CHENGGUAN, "城关区调度群", "unit 城关区")
    await city.tick("2026-11-23 20:00")
    (digest,) = [c for c in fake.sent_to(CHENGGUAN) if "进展日报" in (c.text or "")]
    assert "XM-001" in digest.text and "用工人数 35人；形象进度 45%" in digest.text

    ledger = await export(admin, "2026-11")
    head, (entry,) = ledger["head"], ledger["rows"]
    assert head[-2:] == ["用工人数（人）", "形象进度（%）"]  # in the template's order
    assert entry[head.index("用工人数（人）")] == 35
    assert entry[head.index("形象进度（%）")] == pytest.approx(0.45)


async def test_a_field_turned_off_keeps_its_history(
    city: RunningBot, fake: FakeBotApi, admin: Talk, zhang: Talk, db_path: Path
) -> None:
    await add_fields(admin)
    await report(zhang, "XM-001", 进展="围挡完成", 用工人数="35", 形象进度="10")
    assert "已关闭“形象进度”" in await admin.text("/fields off 形象进度")
    assert "不能关闭" in await admin.text("/fields off 进展")
    assert "⛔ 已关闭" in await admin.text("/fields")

    city.clock.set("2026-11-24 10:00")
    summary = joined(await report(zhang, "XM-001", 进展="基坑开挖", 用工人数="40", confirm=False))
    assert "形象进度" not in summary
    await zhang.say("确认")  # typed, as the button
    assert rows(db_path, "SELECT COUNT(*) FROM report_values") == [(3,)]  # nothing lost

    both = await export(admin, "2026-11-23 2026-11-24")
    assert "形象进度（%）" in both["head"]
    by_day = {r[0].day: r for r in both["rows"]}
    assert by_day[23][both["head"].index("形象进度（%）")] == pytest.approx(0.10)
    assert by_day[24][both["head"].index("形象进度（%）")] is None
    assert by_day[24][both["head"].index("用工人数（人）")] == 40
    later = await export(admin, "2026-11-24 2026-11-24")
    assert "形象进度（%）" not in later["head"] and "用工人数（人）" in later["head"]

    # Turned on again, it is asked again; moved first, it is asked first.
    assert "已启用" in await admin.text("/fields on 形象进度")
    assert "移到第1项" in await admin.text("/fields move 形象进度 1")
    ask = joined(await zhang.say("/report XM-003"))
    assert step_of(ask, "形象进度")[0] == 1


async def test_a_report_in_progress_keeps_the_template_it_started_with(
    admin: Talk, zhang: Talk
) -> None:
    await report(zhang, "XM-003", 进展="模板安装", at="投资")
    await add_fields(admin)
    summary = joined(await answer_report(zhang, await zhang.say("/skip"), confirm=False))
    assert "用工人数" not in summary


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ("add 用工人数", "用法"),
        ("add 用工人数 颜色", "无法识别的类型"),
        ("add 进展 文字", "已有名为“进展”"),
        ("add 是否停工 选项:是", "选项须为"),
        ("add 形象进度 百分比 %", "只有数字类型可以带单位"),
        ("add 名称/带斜杠 文字", "字段名称"),
        ("off 不存在", "没有名为“不存在”"),
        ("move 照片 99", "位置须为 1 到"),
        ("rename 照片", "用法"),
    ],
)
async def test_bad_field_commands_change_nothing(
    city: RunningBot, admin: Talk, db_path: Path, args: str, says: str
) -> None:
    before = rows(db_path, "SELECT * FROM report_fields")
    assert says in await admin.text(f"/fields {args}")
    assert rows(db_path, "SELECT * FROM report_fields") == before


async def test_only_admins_configure_fields(admin: Talk, zhang: Talk) -> None:
    assert "管理员" in await zhang.text("/fields add 联络员字段 文字")
    assert "联络员字段" not in await admin.text("/fields")


async def test_choice_and_date_fields(admin: Talk, zhang: Talk, db_path: Path) -> None:
    assert "已添加" in await admin.text("/fields add 是否停工 选项:是/否 必填")
    assert "已添加" in await admin.text("/fields add 预计复工 日期")
    ask: list[ApiCall] = await report(zhang, "XM-003", 进展="停工整改", at="是否停工")
    assert {label for label, _ in with_buttons(ask).buttons} == {"是", "否"}
    assert "请点按钮选择" in joined(await zhang.say("也许"))
    ask = await zhang.press(with_buttons(ask), "是", until="预计复工")
    assert "无法识别的日期" in joined(await zhang.say("下个月吧"))
    summary = joined(await answer_report(zhang, await zhang.say("11-30"), confirm=False))
    assert "是否停工：是" in summary and "预计复工：2026-11-30" in summary
