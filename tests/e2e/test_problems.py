"""The problem ledger end to end: raise → assign → reply → escalate → resolve → confirm, reject
→ reopen, who may do what, the weekly and monthly pushes, and the .xlsx ledger export."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import invite, join, person
from tests.fakebot import ApiCall, FakeBotApi
from tests.harness import RunningBot, Talk, button_data, joined, report, rows, with_buttons
from timeutil import from_iso

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
ADMIN, ZHANG, LI, WANG, ZHAO, QIAN, STRANGER = 1001, 2001, 2002, 3001, 4001, 4002, 9999
LEADERS, DEPARTMENTS = -1003, -1004


@dataclass
class Ward:
    bot: RunningBot
    fake: FakeBotApi
    admin: Talk
    zhang: Talk  # liaison of 城关区: XM-001, XM-003
    li: Talk  # liaison of XM-002
    wang: Talk  # leader of XM-001, XM-002
    zhao: Talk  # contact of 自然资源局
    qian: Talk  # contact of 生态环境局


@pytest.fixture
async def ward(city: RunningBot, fake: FakeBotApi, admin: Talk) -> Ward:
    talks = {}
    for uid, name, args in (
        (ZHANG, "张三", "联络员 城关区"), (LI, "李四", "联络员 XM-002"),
        (WANG, "王副市长", "领导 王副市长"), (ZHAO, "赵局", "部门 自然资源局"),
        (QIAN, "钱科", "部门 生态环境局"),
    ):  # fmt: skip
        talks[uid] = person(fake, uid, name)
        await join(talks[uid], await invite(admin, args))
    return Ward(city, fake, admin, talks[ZHANG], talks[LI], talks[WANG], talks[ZHAO],
                talks[QIAN])  # fmt: skip


def notices(fake: FakeBotApi, chat: int, contains: str) -> list[ApiCall]:
    return [c for c in fake.sent_to(chat) if c.ok and contains in (c.text or "")]


async def raise_problem(
    talk: Talk, code: str, category: str, text: str, photo: bytes | None = None
) -> int:
    """/problem CODE → category → description → photo or none; the new problem's id."""
    ask = await talk.say(f"/problem {code}", until="哪一类")
    ask = await talk.press(with_buttons(ask), category, until="描述")
    ask = await talk.say(text, until="照片")
    if photo is None:
        done = await talk.press(with_buttons(ask), "不附照片", until="已登记")
    else:
        done = await talk.send_photo(photo, until="已登记")
    match = re.search(r"已登记问题 #(\d+)", joined(done))
    assert match, joined(done)
    return int(match.group(1))


async def card(talk: Talk, problem_id: int) -> ApiCall:
    calls = await talk.say(f"/p{problem_id}", until=f"问题 #{problem_id}")
    return [c for c in calls if f"📌 问题 #{problem_id}" in (c.text or "")][-1]


async def assign(talk: Talk, problem_id: int, department: str, deadline: str | None = None) -> str:
    """交办 from the card: pick the department, then the default deadline or a typed date."""
    shown = await talk.press(await card(talk, problem_id), "交办", until="点选责任部门")
    ask = await talk.press(with_buttons(shown), department, until="办理期限")
    if deadline is None:
        return joined(await talk.press(with_buttons(ask), "按默认期限", until="已交办"))
    return joined(await talk.say(deadline, until="已交办"))


async def act(talk: Talk, problem_id: int, button: str, text: str, until: str) -> str:
    """Press a card button that asks for text, then type it."""
    await talk.press(await card(talk, problem_id), button, until="请")
    return joined(await talk.say(text, until=until))


async def forge(talk: Talk, data: str) -> str:
    """Press a button with hand-made callback_data, as a tampered client could."""
    message = talk.fake.sent_to(talk.chat_id)[-1]
    cursor = talk.fake.cursor()
    talk.fake.press(talk.user, message, data)
    return joined(await talk._answered(cursor, None, 10))


def state(db_path: Path, problem_id: int) -> tuple:
    return rows(db_path, "SELECT state, status, version FROM problems WHERE id = ?",
                (problem_id,))[0]  # fmt: skip


def events(db_path: Path, problem_id: int) -> list[str]:
    found = rows(db_path, "SELECT action FROM problem_events WHERE problem_id = ? ORDER BY id",
                 (problem_id,))  # fmt: skip
    return [a for (a,) in found]


async def test_raise_assign_escalate_reply_resolve_confirm(ward: Ward, db_path: Path) -> None:
    bot, fake = ward.bot, ward.fake
    pid = await raise_problem(ward.zhang, "XM-001", "审批", "施工许可卡在规划审批环节",
                              photo=PNG)  # fmt: skip
    assert rows(
        db_path,
        "SELECT category, state, department_id, photo_id IS NOT NULL FROM problems WHERE id = ?",
        (pid,),
    ) == [("approval", "open", None, 1)]
    await bot.tick()
    (new,) = notices(fake, ADMIN, "新问题")
    assert f"/p{pid}" in new.text and "XM-001" in new.text and "审批" in new.text
    assert notices(fake, WANG, "新问题")  # the linked leader may assign too
    assert not notices(fake, LI, "新问题")

    # The card: the raiser sees the photo and the card; the owner is the project's unit.
    shown = await ward.zhang.say(f"/p{pid}", until="📌")
    assert any(c.method == "sendPhoto" for c in shown)
    text = joined(shown)
    assert "待交办" in text and "责任：城关区" in text and "提出问题" in text

    answer = await assign(ward.admin, pid, "自然资源局")
    assert "已交办" in answer and "办理中" not in answer
    (deadline,) = rows(db_path, "SELECT deadline FROM problems WHERE id = ?", (pid,))[0]
    assert deadline == "2026-12-07"  # 审批: 10 workdays from Monday 11-23
    await bot.tick()
    (assigned,) = notices(fake, ZHAO, "问题交办")
    assert "11月25日 前" in assigned.text and f"/p{pid}" in assigned.text
    assert notices(fake, ZHANG, "已交办给 自然资源局")

    # Silence: no reply within 2 workdays → the linked leader, once; then the admins' office.
    for moment in ("2026-11-25 18:00", "2026-11-26 08:59"):
        await bot.tick(moment)
    assert not notices(fake, WANG, "督办")
    await bot.tick("2026-11-26 09:00")
    await bot.tick("2026-11-26 09:10")
    (urge,) = notices(fake, WANG, "督办")
    assert "未受理" in urge.text and f"/p{pid}" in urge.text
    (step1,) = notices(fake, ZHAO, "督办第一步")
    assert "包抓领导" in step1.text and step1.text.index(f"#{pid}") < step1.text.index("未受理")
    assert "\n交办后2个工作日内未受理" in step1.text  # the reason on a line of its own
    for moment in ("2026-11-27 09:00", "2026-11-28 12:00", "2026-11-30 08:59"):
        await bot.tick(moment)
    assert not notices(fake, ADMIN, "项目办督办")
    await bot.tick("2026-11-30 09:00")
    await bot.tick("2026-11-30 09:30")
    assert len(notices(fake, ADMIN, "项目办督办")) == 1
    (step2,) = notices(fake, ZHAO, "督办第二步")
    assert "项目办" in step2.text
    assert rows(db_path, "SELECT step FROM problem_events WHERE action = 'escalate'"
                " ORDER BY id") == [("1:leader",), ("1:office",)]  # fmt: skip

    # The department replies (受理 with a plan); the liaison hears of it.
    shown = joined(await ward.zhao.say(f"/p{pid}", until="📌"))
    assert "逾期未受理" in shown
    answer = await act(ward.zhao, pid, "受理", "已与县局对接，12月10日前完成指标调剂", "已受理")
    assert "办理中" in answer
    await bot.tick()
    (reply_notice,) = notices(fake, ZHANG, "已受理问题")
    assert "12月10日前完成指标调剂" in reply_notice.text
    answer = await act(ward.zhao, pid, "进展", "指标调剂方案已上报市政府", "进展已记录")
    await bot.tick()
    assert notices(fake, ZHANG, "指标调剂方案已上报市政府")
    await act(ward.zhao, pid, "申请销号", "指标已调剂到位，批复已下达", "已申请销号")
    await bot.tick()
    assert notices(fake, ZHANG, "请确认销号或退回")

    # The liaison confirms; a double tap acts once.
    shown = await card(ward.zhang, pid)
    assert {"确认销号", "退回"} <= {label for label, _ in shown.buttons}
    assert "已销号" in joined(await ward.zhang.press(shown, "确认销号", until="已销号"))
    again = joined(await ward.zhang.press(shown, "确认销号"))
    assert "已失效" in again
    assert state(db_path, pid)[:2] == ("closed", "closed")
    assert events(db_path, pid) == [
        "raise", "assign", "escalate", "escalate", "accept", "note", "resolve", "confirm",
    ]  # fmt: skip
    assert rows(db_path, "SELECT closed_on FROM problems WHERE id = ?", (pid,)) == [
        ("2026-11-30",)
    ]
    await bot.tick()
    assert notices(fake, ZHAO, "问题已销号")
    # Each escalation and notice went out once, however many ticks ran.
    assert rows(db_path, "SELECT COUNT(*) FROM outbox WHERE kind = 'escalate'") == [(2,)]


async def test_rejected_resolution_reopens_and_overdue_escalates(
    ward: Ward, db_path: Path
) -> None:
    bot, fake = ward.bot, ward.fake
    pid = await raise_problem(ward.zhang, "XM-001", "环评", "环评批复迟迟未下达")
    answer = await assign(ward.wang, pid, "生态环境局", deadline="2026-11-27")  # the leader
    assert "已交办" in answer
    await act(ward.qian, pid, "受理", "本周内召开专家评审会", "已受理")
    await act(ward.qian, pid, "申请销号", "专家评审已通过", "已申请销号")
    answer = await act(ward.zhang, pid, "退回", "评审通过但批复文件仍未下达", "已退回")
    assert "办理中" in answer
    assert state(db_path, pid)[0] == "accepted"
    await bot.tick()
    (back,) = notices(fake, QIAN, "销号申请被退回")
    assert "批复文件仍未下达" in back.text

    # Past the deadline (Friday 11-27): the leader is told on the next workday, Monday.
    await bot.tick("2026-11-28 10:00")
    assert not notices(fake, WANG, "督办")
    await bot.tick("2026-11-30 09:00")
    (urge,) = notices(fake, WANG, "督办")
    assert "已超过办理期限 2026-11-27" in urge.text

    await act(ward.qian, pid, "申请销号", "批复已下达", "已申请销号")
    shown = await card(ward.admin, pid)  # an admin may confirm too
    await ward.admin.press(shown, "确认销号", until="已销号")
    assert state(db_path, pid)[0] == "closed"
    assert events(db_path, pid) == [
        "raise", "assign", "accept", "resolve", "reject", "escalate", "resolve", "confirm",
    ]  # fmt: skip


async def test_who_may_act(ward: Ward, db_path: Path) -> None:
    fake = ward.fake
    pid = await raise_problem(ward.zhang, "XM-001", "审批", "施工许可审批材料退回三次")
    # Another project's liaison cannot see it, nor act on it with a forged button.
    assert "不在您的职责范围" in await ward.li.text(f"/p{pid}")
    assert "无权" in await forge(ward.li, f"pb:{pid}:0:confirm")
    # The raiser cannot assign; a stranger hears the one polite line.
    assert "仅限项目办、包抓领导" in await forge(ward.zhang, f"pb:{pid}:0:assign")
    stranger = person(fake, STRANGER, "路人")
    assert "尚未绑定" in await stranger.text(f"/p{pid}")
    cursor = fake.cursor()
    fake.send_text(stranger.user, "/problems")  # within the hour: no second line
    await fake.wait_idle()
    assert fake.sent_to(STRANGER)[-1].seq < cursor

    await assign(ward.admin, pid, "自然资源局", deadline="12-31")
    version = state(db_path, pid)[2]
    # Another department and the leader cannot reply for the assigned one.
    assert "不在您的职责范围" in await ward.qian.text(f"/p{pid}")
    assert "无权" in await forge(ward.qian, f"pb:{pid}:{version}:accept")
    assert "无权" in await forge(ward.wang, f"pb:{pid}:{version}:accept")
    # An illegal transition, even with the current version, is refused with the reason.
    illegal = await forge(ward.admin, f"pb:{pid}:{version}:confirm")
    assert "当前为“已交办，待受理”，不能执行“确认销号”" in illegal
    # A stale button (an older version) does nothing.
    assert "已失效" in await forge(ward.admin, f"pb:{pid}:{version - 1}:assign")
    assert "已失效" in await forge(ward.admin, "pb:x:1:zz")
    # Bad typed input changes nothing.
    ask = await ward.admin.press(await card(ward.admin, pid), "交办", until="点选责任部门")
    await ward.admin.press(with_buttons(ask), "生态环境局", until="办理期限")
    assert "日期无效" in await ward.admin.text("2020-01-01")
    await ward.admin.say("/cancel", until="已取消")
    assert state(db_path, pid) == ("assigned", "open", version)
    assert events(db_path, pid) == ["raise", "assign"]
    # Liaisons may not export; /problems shows each scope.
    assert "仅限管理员、包抓领导" in await ward.zhang.text("/export")
    assert f"/p{pid}" in await ward.zhang.text("/problems")
    assert f"/p{pid}" in await ward.zhao.text("/problems")
    assert f"/p{pid}" in await ward.wang.text("/problems")
    assert "没有未结问题" in await ward.li.text("/problems")
    assert "没有未结问题" in await ward.qian.text("/problems")
    # Settings are for admins.
    assert "仅限管理员" in await ward.wang.text("/problems 设置 回复 3")
    assert "3 个工作日" in await ward.admin.text("/problems 设置 回复 3")
    assert rows(db_path, "SELECT value FROM settings WHERE key = 'problem_reply_workdays'") == [
        ("3",)
    ]


async def test_assign_to_a_department_typed_by_name(ward: Ward, db_path: Path) -> None:
    pid = await raise_problem(ward.zhang, "XM-001", "其他", "施工围挡占道需住建部门协调")
    await ward.admin.press(await card(ward.admin, pid), "交办", until="点选责任部门")
    assert "不含空格" in await ward.admin.text("住建 局")
    assert "默认" in await ward.admin.text("住建局")
    assert "已交办" in await ward.admin.text("默认")
    assert rows(
        db_path,
        "SELECT u.name, u.kind, p.deadline FROM problems p JOIN units u ON u.id = p.department_id",
    ) == [("住建局", "department", "2026-12-07")]  # 其他: 10 workdays
    # The new department is offered by name next time.
    other = await raise_problem(ward.zhang, "XM-003", "其他", "夜间施工许可")
    shown = await ward.admin.press(await card(ward.admin, other), "交办", until="点选责任部门")
    assert "住建局" in {label for label, _ in with_buttons(shown).buttons}


async def test_problem_typed_in_report_is_classified_and_announced(
    ward: Ward, db_path: Path
) -> None:
    await report(ward.zhang, "XM-001", 进展="场地平整完成", 问题="拆迁户3户未签协议，影响进场")
    await ward.bot.tick()
    (new,) = notices(ward.fake, ADMIN, "新问题")
    assert "征迁" in new.text
    assert rows(db_path, "SELECT category, logged FROM problems") == [("demolition", 1)]
    await ward.bot.tick()
    assert len(notices(ward.fake, ADMIN, "新问题")) == 1


async def test_weekly_departments_list_and_monthly_closure_rate(
    ward: Ward, fake: FakeBotApi, db_path: Path
) -> None:
    from tests.e2e.test_schedule import bind

    await bind(fake, ward.admin, LEADERS, "市领导群", "leaders")
    await bind(fake, ward.admin, DEPARTMENTS, "部门协调群", "departments")
    late = await raise_problem(ward.zhang, "XM-001", "资金", "配套资金未拨付")
    await assign(ward.admin, late, "自然资源局", deadline="2026-11-25")
    done = await raise_problem(ward.zhang, "XM-003", "其他", "临时道路占用")
    await assign(ward.admin, done, "自然资源局", deadline="2026-11-26")
    await act(ward.zhao, done, "受理", "协调交警部门", "已受理")
    await act(ward.zhao, done, "申请销号", "已协调完毕", "已申请销号")
    await ward.zhang.press(await card(ward.zhang, done), "确认销号", until="已销号")
    await raise_problem(ward.li, "XM-002", "能耗", "能评指标不足")  # not assigned yet

    await ward.bot.tick("2026-11-30 09:00")
    await ward.bot.tick("2026-11-30 09:10")
    (weekly,) = notices(fake, DEPARTMENTS, "各部门问题办理情况")
    assert f"自然资源局：未结 1 个，超期 1 个（#{late}）" in weekly.text
    assert "待交办：1 个" in weekly.text

    await ward.bot.tick("2026-12-01 09:00")
    (monthly,) = notices(fake, LEADERS, "问题按期办结率")  # the bulletin's text part
    assert "月度通报" in monthly.text and "自然资源局：1/2（50%）" in monthly.text


async def test_export_ledger(ward: Ward, fake: FakeBotApi, db_path: Path) -> None:
    await report(ward.zhang, "XM-001", 进展="主体结构完成60%", 投资="3000万")
    pid = await raise_problem(ward.zhang, "XM-001", "用地", "用地红线调整未批复")
    await assign(ward.admin, pid, "自然资源局")
    await act(ward.zhao, pid, "受理", "本月内完成调整", "已受理")

    assert "用法" in await ward.admin.text("/export 2026-13")
    sent = await ward.admin.say("/export 2026-11", until="重点项目台账（")
    (doc,) = [c for c in sent if c.method == "sendDocument"]
    assert doc.filenames["document"].endswith(".xlsx")
    assert "项目 4 个，进展 1 条，问题 1 个" in doc.text
    wb = load_workbook(io.BytesIO(doc.files["document"]))
    assert wb.sheetnames == ["项目", "进展", "问题"]
    projects_ws, entries_ws, problems_ws = (wb[n] for n in wb.sheetnames)
    for ws in (projects_ws, entries_ws, problems_ws):
        assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape"
    assert projects_ws.column_dimensions["C"].width == 28
    head = [c.value for c in projects_ws[1]]
    assert head[:4] == ["序号", "项目编号", "项目名称", "责任单位"] and "总投资（万元）" in head
    by_code = {r[1]: r for r in projects_ws.iter_rows(min_row=2, values_only=True)}
    assert sorted(by_code) == ["XM-001", "XM-002", "XM-003", "XM-004"]
    xm1 = by_code["XM-001"]
    assert xm1[head.index("总投资（万元）")] == 50000
    assert xm1[head.index("本年累计完成（万元）")] == 3000
    assert xm1[head.index("最近进展")] == "主体结构完成60%"
    assert xm1[head.index("未结问题")] == 1
    assert projects_ws.cell(2, head.index("总投资（万元）") + 1).number_format == "#,##0.00"

    (entry,) = list(entries_ws.iter_rows(min_row=2, values_only=True))
    entry_head = [c.value for c in entries_ws[1]]
    assert entry[0].date().isoformat() == "2026-11-23" and entry[1] == "XM-001"
    assert entry[entry_head.index("当日新增（万元）")] == 3000
    ((stored,),) = rows(db_path, "SELECT created_at FROM report_revisions")
    local = from_iso(stored).astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert entry[entry_head.index("上报时间")] == local  # local time, not UTC

    (problem,) = list(problems_ws.iter_rows(min_row=2, values_only=True))
    problem_head = [c.value for c in problems_ws[1]]
    assert problem[problem_head.index("类别")] == "用地"
    assert problem[problem_head.index("责任部门")] == "自然资源局"
    assert problem[problem_head.index("状态")] == "办理中"
    history = problem[problem_head.index("处理记录")]
    assert "交办给 自然资源局" in history and "受理，方案：本月内完成调整" in history

    # A leader exports only their linked projects.
    sent = await ward.wang.say("/export", until="重点项目台账（")
    (doc,) = [c for c in sent if c.method == "sendDocument"]
    ws = load_workbook(io.BytesIO(doc.files["document"]))["项目"]
    assert sorted(r[1] for r in ws.iter_rows(min_row=2, values_only=True)) == [
        "XM-001", "XM-002",
    ]  # fmt: skip
    assert rows(db_path, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.export'") == [(2,)]


async def test_a_card_with_long_notes_is_one_message_that_can_still_be_acted_on(
    ward: Ward, db_path: Path
) -> None:
    pid = await raise_problem(ward.zhang, "XM-001", "用地", "用地指标不足，" * 120)
    await assign(ward.admin, pid, "自然资源局")
    await act(ward.zhao, pid, "受理", "方案：" + "甲" * 990, "已受理")
    for i in range(4):
        await act(ward.zhao, pid, "进展", f"第{i}次进展：" + "乙" * 990, "进展已记录")
    shown = await card(ward.zhao, pid)
    assert len(shown.text) <= 4096 and shown.buttons  # one message, its buttons under it
    assert "第3次进展" in shown.text and "另有" in shown.text and "提出问题" not in shown.text
    await ward.zhao.press(shown, "申请销号", until="解决情况")
    assert "已申请销号" in await ward.zhao.text("指标已调剂到位", until="已申请销号")
    closing = await card(ward.zhang, pid)
    assert len(closing.text) <= 4096
    assert "已销号" in joined(await ward.zhang.press(closing, "确认销号", until="已销号"))
    assert state(db_path, pid)[0] == "closed"


async def test_a_split_paste_is_one_text_refused_whole(ward: Ward, db_path: Path) -> None:
    ask = await ward.zhang.say("/problem XM-001", until="哪一类")
    await ward.zhang.press(with_buttons(ask), "用地", until="描述")
    paste = "".join(f"第{i}段：用地红线与规划不一致，需要自然资源局协调。\n" for i in range(200))
    assert len(paste) > 5000
    answer = await ward.zhang.paste(paste, until="太长")
    (refused,) = answer  # one answer for the whole paste, counting all of it
    assert int(re.search(r"（(\d+)字）", refused.text).group(1)) > 5400
    assert rows(db_path, "SELECT state FROM drafts") == [("describe",)]
    # A paste that is one long message, or two full parts, is refused once after a second.
    for text in ("丙" * 3000, "丁" * 8192):
        answer = await ward.zhang.paste(text, until="太长")
        assert len(answer) == 1 and f"{len(text)}字" in answer[0].text
    assert "照片" in await ward.zhang.text("用地红线与规划不一致", until="照片")
    assert rows(db_path, "SELECT COUNT(*) FROM problems") == [(0,)]


async def test_typed_labels_stale_steps_and_forged_deadlines(ward: Ward, db_path: Path) -> None:
    fake = ward.fake
    ask = await ward.zhang.say("/problem XM-001", until="哪一类")
    categories = with_buttons(ask)
    await ward.zhang.press(categories, "用地", until="描述")
    await ward.zhang.say("\u202e红线\x07调整未批复\u200b", until="照片")
    # A button of an earlier step is stale now, and its keyboard was taken away when used.
    assert "已失效" in joined(await ward.zhang.press(categories, "环评"))
    assert not fake.message(ZHANG, categories.message_id).get("reply_markup")
    assert rows(db_path, "SELECT state FROM drafts") == [("photo",)]
    # Typing the button's words does what the button does.
    done = joined(await ward.zhang.say("没有", until="已登记"))
    pid = int(re.search(r"#(\d+)", done).group(1))
    assert rows(db_path, "SELECT description, category, photo_id FROM problems") == [
        ("红线调整未批复", "land", None)
    ]  # cleaned once, where it was typed

    await ward.admin.press(await card(ward.admin, pid), "交办", until="点选责任部门")
    ask = await ward.admin.say("自然资源局", until="办理期限")  # a department button's label
    nonce = button_data(with_buttons(ask), "按默认期限").split(":")[1]
    for forged in (f"pa:{nonce}:deadline:99991231", f"pa:{nonce}:deadline:20270105",
                   f"pa:{nonce}:deadline:2026123", "pa:zzz:deadline:20261207"):  # fmt: skip
        assert "已失效" in await forge(ward.admin, forged)
    assert state(db_path, pid) == ("open", "open", 0)
    assert "已交办" in await ward.admin.text("按默认期限", until="已交办")
    assert rows(db_path, "SELECT deadline FROM problems") == [("2027-01-04",)]  # 用地: 30 days


async def test_default_deadline_in_another_year_shows_the_year(ward: Ward) -> None:
    ward.bot.clock.set("2026-12-21 10:00")
    pid = await raise_problem(ward.zhang, "XM-001", "征迁", "拆迁户未签协议")
    shown = await ward.admin.press(await card(ward.admin, pid), "交办", until="点选责任部门")
    ask = await ward.admin.press(with_buttons(shown), "自然资源局", until="办理期限")
    (label,) = [label for label, _ in with_buttons(ask).buttons]
    assert re.search(r"按默认期限：2027年\d+月\d+日", label), label
