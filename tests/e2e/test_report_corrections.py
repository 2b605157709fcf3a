"""A correction never loses a figure; buttons act only at their own step; typed labels work;
nothing is sent while a report is being stored."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_ID, invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, answer_report, joined, report, rows, with_buttons


@pytest.fixture
async def zhang(city: RunningBot, fake: FakeBotApi, admin: Talk) -> Talk:
    """Liaison of 城关区: XM-001 (在建, total 5亿) and XM-003 (在建, total 8000万)."""
    talk = person(fake, 2001, "张三")
    await join(talk, await invite(admin, "联络员 城关区"))
    return talk


def revisions(db_path: Path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT v.revision, v.done_yuan, v.stage_after, v.problem_id, v.photo_id"
        " FROM report_revisions v ORDER BY v.revision",
    )


async def test_the_third_report_of_the_day_starts_from_the_second(
    zhang: Talk, db_path: Path
) -> None:
    """Issue 8: 1200万, corrected to 3千万; a third /report must not store 0."""
    await report(zhang, "XM-001", 进展="管网铺设", 投资="1200万")
    await report(zhang, "XM-001", 进展="管网铺设（更正）", 投资="3千万")
    ask = joined(await zhang.say("/report XM-001"))
    assert "今天已上报过" in ask and "第3版" not in ask
    assert "目前：管网铺设（更正）" in ask  # each step shows today's latest answer ...
    ask = await zhang.say("无变化")  # ... and 无变化 keeps it
    assert "目前累计 3000万元" in joined(ask)
    ask = await zhang.press(with_buttons(ask), "无变化", until="阶段")
    summary = await answer_report(zhang, ask, confirm=False)
    text = joined(summary)
    assert "进展：管网铺设（更正）" in text and "累计 3000万元（本次 +3000万元）" in text
    assert "第3版" in text
    await zhang.press(with_buttons(summary), "确认提交", until="已保存")
    assert [(r[0], r[1]) for r in revisions(db_path)] == [
        (1, 12_000_000), (2, 30_000_000), (3, 30_000_000),
    ]  # fmt: skip
    assert rows(db_path, "SELECT done_yuan FROM projects WHERE code = 'XM-001'") == [(30_000_000,)]
    texts = rows(db_path, "SELECT text FROM report_revisions ORDER BY revision")
    assert texts[-1] == ("管网铺设（更正）",)


async def test_a_correction_keeps_stage_photo_and_problem(
    city: RunningBot, zhang: Talk, fake: FakeBotApi, db_path: Path
) -> None:
    from tests.e2e.test_report_flow import PNG

    await report(zhang, "XM-001", 进展="主体完工", 阶段="竣工", 问题="拆迁户3户未签协议", 照片=PNG)
    await city.tick()
    ask = joined(await report(zhang, "XM-001", 进展="主体完工，场地清理", at="阶段"))
    assert "目前：在建 → 竣工" in ask
    ask = joined(await zhang.say("无变化"))
    assert "目前：拆迁户3户未签协议" in ask
    ask = joined(await zhang.say("拆迁户3户未签协议。"))  # the same problem typed again
    assert "目前：已附 1 张" in ask
    await answer_report(zhang, await zhang.say("/skip"))
    await city.tick()
    first, second = revisions(db_path)
    assert first[2:] == second[2:] and second[2] == "竣工"  # stage, problem and photo kept
    assert rows(db_path, "SELECT COUNT(*) FROM problems") == [(1,)]
    assert rows(db_path, "SELECT stage FROM projects WHERE code = 'XM-001'") == [("竣工",)]
    announced = [t for t in fake.texts_to(ADMIN_ID) if "新问题" in t]
    assert len(announced) == 1  # nothing new announced

    # Other words reword the problem the report raised; still one problem.
    await report(zhang, "XM-001", 问题="拆迁户2户未签协议")
    assert rows(db_path, "SELECT id, description FROM problems") == [(1, "拆迁户2户未签协议")]
    events = rows(db_path, "SELECT action, note FROM problem_events ORDER BY id")
    assert events[-1] == ("edit", "拆迁户2户未签协议")


@pytest.mark.parametrize("typed", ["无", "没有", "暂无", "无问题", "没有问题", " 无。", "ＮＯ"])
async def test_no_problem_words_raise_no_problem(zhang: Talk, db_path: Path, typed: str) -> None:
    summary = await report(zhang, "XM-003", 进展="钢筋绑扎", 问题=typed, confirm=False)
    assert "问题：无" in joined(summary)
    await zhang.press(with_buttons(summary), "确认提交", until="已保存")
    assert rows(db_path, "SELECT COUNT(*) FROM problems") == [(0,)]
    assert revisions(db_path)[0][3] is None


async def test_an_old_button_at_a_later_step_is_stale(
    zhang: Talk, fake: FakeBotApi, db_path: Path
) -> None:
    invest = with_buttons(await report(zhang, "XM-003", 进展="模板安装", at="投资"))
    stage = await zhang.say("5000万")
    assert "· 阶段" in joined(stage)
    cursor = fake.cursor()
    fake.press(zhang.user, invest, next(d for label, d in invest.buttons if label == "无变化"))
    answer = await fake.wait_reply(zhang.chat_id, after=cursor)
    assert "按钮已失效" in (answer.text or "")
    assert rows(db_path, "SELECT state FROM drafts") == [("stage",)]
    # A keyboard once used is taken off its message.
    problem = await zhang.press(with_buttons(stage), "无变化", until="问题")
    await fake.wait_for(lambda c: c.method == "editMessageReplyMarkup", after=cursor)
    assert fake.message(zhang.chat_id, with_buttons(stage).message_id).get("reply_markup") is None
    assert "· 问题" in joined(problem)


@pytest.mark.parametrize("data", ["r:abc:pick:x", "r:abc:invest:opt:x", "r:abc:confirm:ok:1"])
async def test_malformed_step_buttons_are_stale(zhang: Talk, fake: FakeBotApi, data: str) -> None:
    shown = (await zhang.say("/help"))[-1]
    cursor = fake.cursor()
    fake.press(zhang.user, shown, data)
    answer = await fake.wait_reply(zhang.chat_id, after=cursor)
    assert "按钮已失效" in (answer.text or "")
    assert "出错" not in "\n".join(fake.texts_to(zhang.chat_id))


async def test_typed_labels_do_what_the_buttons_do(zhang: Talk, db_path: Path) -> None:
    await report(zhang, "XM-003", 进展="钢筋进场", at="投资")
    assert "· 阶段" in joined(await zhang.say("无变化"))
    assert "· 问题" in joined(await zhang.say("无变化"))
    assert "· 照片" in joined(await zhang.say("没有问题"))
    summary = joined(await answer_report(zhang, await zhang.say("没有照片"), confirm=False))
    assert "请核对本次上报" in summary
    assert "要修改哪一项" in joined(await zhang.say("修改"))
    assert "· 投资" in joined(await zhang.say("投资"))
    assert "请核对本次上报" in joined(await zhang.say("200"))  # back to the summary
    assert "已保存" in joined(await zhang.say("确认"))
    assert rows(db_path, "SELECT done_yuan, problem_id FROM report_revisions") == [
        (2_000_000, None)
    ]
    await report(zhang, "XM-001", 进展="测量放线", confirm=False)
    assert "已取消" in joined(await zhang.say("取消"))
    assert rows(db_path, "SELECT COUNT(*) FROM drafts") == [(0,)]


async def test_nothing_is_sent_while_a_report_is_stored(
    city: RunningBot, fake: FakeBotApi, admin: Talk, zhang: Talk, db_path: Path
) -> None:
    """Issue 9 item 6: one chat's slow reply never holds another chat's confirmation."""
    wu = person(fake, 2004, "吴五")
    await join(wu, await invite(admin, "联络员 XM-004"))
    mine = with_buttons(await report(zhang, "XM-003", 进展="钢筋绑扎", confirm=False))
    theirs = with_buttons(await report(wu, "XM-004", 进展="设备安装", confirm=False))
    with sqlite3.connect(db_path) as conn:  # 张三 loses the project while at the summary
        conn.execute("DELETE FROM project_people WHERE person_id = 2")
    fake.fail_next("sendMessage", hang=3, chat_id=zhang.chat_id)
    fake.press(zhang.user, mine, next(d for label, d in mine.buttons if "确认" in label))
    while fake.faults_left():  # 张三's answer is hanging in Telegram
        await asyncio.sleep(0.01)
    started = time.perf_counter()
    saved = await wu.press(theirs, "确认提交", until="已保存")
    assert time.perf_counter() - started < 1.0
    assert "XM-004" in joined(saved)
    assert rows(db_path, "SELECT COUNT(*) FROM report_revisions") == [(1,)]
    refused = await fake.wait_reply(zhang.chat_id, contains="不在您负责的范围内", timeout=10)
    assert refused.text
