"""A liaison reports progress in a private chat; every entry is kept, bad input changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, answer_report, joined, report, rows, with_buttons

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
async def zhang(city: RunningBot, fake: FakeBotApi, admin: Talk) -> Talk:
    """Liaison of 城关区: XM-001 (在建, total 5亿) and XM-003 (在建, total 8000万)."""
    talk = person(fake, 2001, "张三")
    await join(talk, await invite(admin, "联络员 城关区"))
    return talk


async def report_text_only(talk: Talk, code: str, text: str) -> list:
    """A minimal report: text, skip every optional step, confirm."""
    return await report(talk, code, 进展=text)


async def test_full_report_with_problem_and_photo(zhang: Talk, db_path: Path) -> None:
    pick = await zhang.say("/report")
    assert "XM-001" in joined(pick) and "XM-003" in joined(pick)
    ask = await zhang.press(with_buttons(pick), "城东污水处理厂")
    assert "今天做了什么" in joined(ask)
    ask = await answer_report(
        zhang, ask, at="阶段", 进展="完成二沉池主体浇筑 🚧，进场设备3台", 投资="3千万"
    )
    ask = await zhang.press(with_buttons(ask), "竣工")
    summary = await answer_report(
        zhang, ask, confirm=False, 问题="临时用电增容审批未批复", 照片=PNG
    )
    text = joined(summary)
    assert "累计 3000万元" in text and "在建 → 竣工" in text and "临时用电" in text
    assert "已附 1 张" in text
    saved = joined(await zhang.press(with_buttons(summary), "确认提交", until="已保存"))
    assert "XM-001" in saved and "1 个项目今天未上报" in saved

    assert rows(
        db_path,
        "SELECT v.text, v.done_yuan, v.stage_before, v.stage_after, v.revision"
        " FROM report_revisions v JOIN reports r ON r.id = v.report_id",
    ) == [("完成二沉池主体浇筑 🚧，进场设备3台", 30_000_000, "在建", "竣工", 1)]
    assert rows(db_path, "SELECT stage, done_yuan FROM projects WHERE code = 'XM-001'") == [
        ("竣工", 30_000_000)
    ]
    assert rows(db_path, "SELECT description, status FROM problems") == [
        ("临时用电增容审批未批复", "open")
    ]
    (file_id,) = rows(db_path, "SELECT file_id FROM photos")[0]
    assert file_id
    assert rows(db_path, "SELECT COUNT(*) FROM drafts") == [(0,)]


async def test_several_projects_in_one_sitting(zhang: Talk, db_path: Path) -> None:
    saved = await report_text_only(zhang, "XM-001", "土方开挖完成60%")
    follow = await zhang.press(with_buttons(saved), "第一中学扩建")
    assert "XM-003" in joined(follow)
    done = joined(await answer_report(zhang, follow, 进展="教学楼封顶"))
    assert "全部上报" in done
    assert rows(db_path, "SELECT COUNT(*) FROM reports") == [(2,)]
    mine = await zhang.text("/mine")
    assert "今日已报 2/2" in mine


async def test_confirm_turns_the_summary_into_the_saved_record(
    zhang: Talk, fake: FakeBotApi
) -> None:
    """已保存 goes under the summary that was confirmed, in one edit that also swaps its
    确认/修改/取消 for the next project's button: no second message, no second request."""
    summary = with_buttons(await report(zhang, "XM-003", confirm=False, 进展="主体封顶"))
    cursor = fake.cursor()
    await zhang.press(summary, "确认提交", until="已保存")
    await fake.wait_idle()
    after = [c for c in fake.calls[cursor:] if c.method != "getUpdates"]
    assert [c.method for c in after] == ["answerCallbackQuery", "editMessageText"]
    shown = fake.message(zhang.chat_id, summary.message_id)
    assert shown is not None and shown["text"].startswith("✅ 已保存：XM-003")
    assert "进展：主体封顶" in shown["text"] and "请核对" not in shown["text"]
    buttons = [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["➡️ 城东污水处理厂"]


async def test_saved_is_said_in_a_message_when_the_summary_cannot_be_edited(
    zhang: Talk, fake: FakeBotApi, db_path: Path
) -> None:
    """Telegram refuses the edit (say the summary is too old to edit): 已保存 comes as a
    message of its own, once, and the report is stored all the same."""
    last = with_buttons(await report(zhang, "XM-003", confirm=False, 进展="主体封顶"))
    fake.fail_next("editMessageText", status=400,
                   description="Bad Request: message can't be edited")  # fmt: skip
    saved = await zhang.press(last, "确认提交", until="已保存")
    await fake.wait_idle()
    # ... and the summary's buttons are taken off as before.
    assert [c.method for c in saved] == ["sendMessage", "editMessageReplyMarkup"]
    assert "✅ 已保存" in joined(saved) and "城东污水处理厂" in saved[0].buttons[0][0]
    assert fake.message(zhang.chat_id, last.message_id).get("reply_markup") is None
    assert sum("已保存" in (c.text or "") for c in fake.calls if c.ok) == 1
    assert rows(db_path, "SELECT COUNT(*) FROM report_revisions") == [(1,)]


async def test_correction_keeps_history(zhang: Talk, db_path: Path) -> None:
    await report_text_only(zhang, "XM-003", "钢筋进场")
    answer = await zhang.say("/report XM-003")
    assert "作为更正" in joined(answer)
    last = await answer_report(
        zhang, answer, confirm=False, 进展="钢筋进场，模板安装完成", 投资="+200"
    )
    assert "第2版" in joined(last)
    saved = joined(await zhang.press(with_buttons(last), "确认提交", until="已保存"))
    assert "第2版" in saved
    assert rows(
        db_path, "SELECT revision, text, done_yuan FROM report_revisions ORDER BY revision"
    ) == [(1, "钢筋进场", 0), (2, "钢筋进场，模板安装完成", 2_000_000)]
    assert rows(db_path, "SELECT COUNT(*) FROM reports") == [(1,)]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("-5", "负"),
        ("abc", "500"),
        ("9999亿", "10倍"),
        ("三千万元整啊", "500"),
    ],
)
async def test_bad_amount_is_explained_and_asked_again(
    zhang: Talk, db_path: Path, typed: str, says: str
) -> None:
    await report(zhang, "XM-003", 进展="浇筑完成", at="投资")
    answer = joined(await zhang.say(typed))
    assert says in answer
    assert "· 投资" in answer  # and the question again
    assert rows(db_path, "SELECT state FROM drafts") == [("invest",)]
    assert "· 阶段" in joined(await zhang.say("1.2亿"))  # a good answer moves on
    assert rows(db_path, "SELECT COUNT(*) FROM report_revisions") == [(0,)]


async def test_amount_below_last_cumulative_is_refused(
    zhang: Talk, admin: Talk, db_path: Path
) -> None:
    assert "已修改" in await admin.text("/editproject XM-003 累计完成 2000万")
    await report(zhang, "XM-003", 进展="主体施工", at="投资")
    answer = joined(await zhang.say("1500万"))
    assert "低于此前累计的 2000万元" in answer
    assert "· 阶段" in joined(await zhang.say("+300"))
    summary = await report_rest(zhang)
    assert "累计 2300万元（本次 +300万元）" in joined(summary)


async def test_stage_cannot_move_backward(zhang: Talk, db_path: Path) -> None:
    await report(zhang, "XM-001", 进展="设备调试", at="阶段")
    answer = joined(await zhang.say("前期"))
    assert "只能向前" in answer
    assert rows(db_path, "SELECT state FROM drafts") == [("stage",)]


async def test_long_text_is_refused_and_sql_like_text_kept_verbatim(
    zhang: Talk, db_path: Path
) -> None:
    await report(zhang, "XM-003", at="进展")
    assert "精简到2000字以内" in joined(await zhang.say("进" * 10_000))
    assert rows(db_path, "SELECT state FROM drafts") == [("text",)]
    sneaky = "'); DELETE FROM reports; -- 👷‍♂️ 正常施工"
    await zhang.say(sneaky)
    await zhang.press(with_buttons(await report_rest(zhang)), "确认提交", until="已保存")
    assert rows(db_path, "SELECT text FROM report_revisions") == [(sneaky,)]


async def test_liaison_cannot_touch_another_project(
    zhang: Talk, fake: FakeBotApi, db_path: Path
) -> None:
    answer = joined(await zhang.say("/report XM-002"))
    assert "不在您负责的范围内" in answer
    (other_id,) = rows(db_path, "SELECT id FROM projects WHERE code = 'XM-002'")[0]
    mine = await zhang.say("/mine")
    cursor = fake.cursor()
    fake.press(zhang.user, with_buttons(mine), f"rn:{other_id}")  # a forged button
    refused = await fake.wait_reply(zhang.chat_id, after=cursor)
    assert "不在您负责的范围内" in (refused.text or "")
    assert rows(db_path, "SELECT COUNT(*) FROM drafts") == [(0,)]


async def test_double_tap_confirm_saves_once(zhang: Talk, fake: FakeBotApi, db_path: Path) -> None:
    message = with_buttons(await report(zhang, "XM-003", 进展="基础施工", confirm=False))
    data = next(d for label, d in message.buttons if "确认" in label)
    fake.press(zhang.user, message, data)
    fake.press(zhang.user, message, data)
    await fake.wait_for(lambda c: "已保存" in (c.text or ""))
    await fake.wait_idle()
    assert rows(db_path, "SELECT COUNT(*) FROM report_revisions") == [(1,)]


async def test_cancel_stores_nothing(zhang: Talk, db_path: Path) -> None:
    await report(zhang, "XM-003", 进展="今天的内容", at="投资")
    assert "已取消" in await zhang.text("/cancel")
    assert rows(db_path, "SELECT COUNT(*) FROM drafts") + rows(
        db_path, "SELECT COUNT(*) FROM report_revisions"
    ) == [(0,), (0,)]


async def test_restart_mid_report_resumes_where_the_liaison_was(
    zhang: Talk, city: RunningBot, db_path: Path
) -> None:
    await report(zhang, "XM-001", 进展="管网铺设800米", at="投资")
    await city.restart()
    answer = joined(await zhang.say("+500"))
    assert "· 阶段" in answer  # the investment answer was taken at the right step
    await zhang.press(with_buttons(await report_rest(zhang)), "确认提交", until="已保存")
    assert rows(db_path, "SELECT text, done_yuan FROM report_revisions") == [
        ("管网铺设800米", 5_000_000)
    ]


async def report_rest(talk: Talk) -> list:
    """Skip every step left until the summary; return it."""
    while True:
        answer = await talk.say("/skip")
        if "请核对本次上报" in joined(answer):
            return answer


async def test_unknown_command_gets_a_hint(zhang: Talk) -> None:
    assert "未知命令 /foo" in await zhang.text("/foo")


async def test_control_characters_typed_or_in_a_name_never_reach_storage(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    """Issue 9, item 2: an ESC or BEL in what a liaison types or in their Telegram name (which
    openpyxl refuses, so the month's ledger failed) is dropped where it arrives."""
    liaison = Talk(fake, fake.user(2001, "张\x1b[31m三\u202e", last_name="\x07"))
    await join(liaison, await invite(admin, "联络员 城关区"))
    await report(liaison, "XM-001", 进展="\x1b[1m主体\x07封顶\u200b完成", 问题="资金\x1b未到位")
    assert rows(db_path, "SELECT name FROM people WHERE tg_user_id = 2001") == [("张[31m三",)]
    assert rows(db_path, "SELECT text FROM report_revisions") == [("[1m主体封顶完成",)]
    assert rows(db_path, "SELECT description FROM problems") == [("资金未到位",)]
