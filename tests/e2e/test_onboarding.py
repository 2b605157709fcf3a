"""Admins import the project list, invite people, bind groups; strangers get nothing."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import ADMIN_ID, CITY_CSV, import_city, invite, join, person
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, joined, rows, with_buttons


async def test_import_previews_then_imports_only_on_confirmation(
    bot: RunningBot, admin: Talk, db_path: Path
) -> None:
    await admin.say("/import")
    preview = await admin.send_document("city.csv", CITY_CSV, "text/csv")
    text = joined(preview)
    assert "识别出 4 个项目：新增 4 个，更新 0 个" in text
    assert "城关区(2)" in text and "高新区(2)" in text
    assert rows(db_path, "SELECT COUNT(*) FROM projects") == [(0,)]  # nothing before confirming
    done = joined(await admin.press(with_buttons(preview), "确认导入", until="导入完成"))
    assert "新增 4 个项目" in done
    assert rows(db_path, "SELECT code, total_yuan, year_plan_yuan FROM projects ORDER BY code")[
        0
    ] == ("XM-001", 500_000_000, 200_000_000)


async def test_reimport_updates_by_code_never_duplicates(
    bot: RunningBot, admin: Talk, db_path: Path
) -> None:
    await import_city(admin)
    changed = CITY_CSV.replace(
        "城东污水处理厂,城关区,基础设施,在建,王副市长,50000".encode(),
        "城东污水处理厂一期,城关区,基础设施,在建,王副市长,60000".encode(),
    )
    await admin.say("/import")
    preview = await admin.send_document("city.csv", changed, "text/csv")
    assert "新增 0 个，更新 4 个" in joined(preview)
    await admin.press(with_buttons(preview), "确认导入", until="导入完成")
    assert rows(db_path, "SELECT COUNT(*) FROM projects") == [(4,)]
    assert rows(db_path, "SELECT name, total_yuan FROM projects WHERE code = 'XM-001'") == [
        ("城东污水处理厂一期", 600_000_000)
    ]


async def test_import_cancel_stores_nothing(bot: RunningBot, admin: Talk, db_path: Path) -> None:
    await admin.say("/import")
    preview = await admin.send_document("city.csv", CITY_CSV, "text/csv")
    assert "已取消" in joined(await admin.press(with_buttons(preview), "取消"))
    assert rows(db_path, "SELECT COUNT(*) FROM projects") == [(0,)]


async def test_corrupt_and_incomplete_files_are_refused_cleanly(
    bot: RunningBot, admin: Talk, db_path: Path
) -> None:
    await admin.say("/import")
    corrupt = joined(
        await admin.send_document("list.xlsx", b"PK\x03\x04garbage", "application/zip")
    )
    assert "无法导入" in corrupt and "未导入任何内容" in corrupt
    missing = "项目名称,责任单位\n污水厂,城关区\n".encode()
    text = joined(await admin.send_document("list.csv", missing, "text/csv"))
    assert "总投资" in text and "未导入任何内容" in text
    text = joined(await admin.send_document("photo.pdf", b"%PDF-1.4", "application/pdf"))
    assert ".xlsx" in text
    assert rows(db_path, "SELECT COUNT(*) FROM projects") == [(0,)]


async def test_row_errors_are_listed_with_row_and_column(
    bot: RunningBot, admin: Talk, db_path: Path
) -> None:
    bad = CITY_CSV + "XM-005,坏数据项目,城关区,产业,在建,王副市长,-5,100\n".encode()
    await admin.say("/import")
    preview = await admin.send_document("city.csv", bad, "text/csv")
    text = joined(preview)
    assert "第6行" in text and "总投资" in text
    await admin.press(with_buttons(preview), "确认导入", until="导入完成")
    assert rows(db_path, "SELECT COUNT(*) FROM projects WHERE code = 'XM-005'") == [(0,)]
    assert rows(db_path, "SELECT COUNT(*) FROM projects") == [(4,)]


async def test_invites_bind_roles_and_are_single_use(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    code = await invite(admin, "联络员 城关区")
    zhang = person(fake, 2001, "张三")
    welcome = await join(zhang, code)
    assert "联络员" in welcome and "2个项目" in welcome
    assert rows(
        db_path,
        "SELECT pr.code FROM project_people pp JOIN projects pr ON pr.id = pp.project_id"
        " JOIN people p ON p.id = pp.person_id WHERE p.tg_user_id = 2001 ORDER BY pr.code",
    ) == [("XM-001",), ("XM-003",)]
    # The same code again: the other person gets nothing.
    wang = person(fake, 2002, "王五")
    assert "已被使用" in await wang.text(f"/start {code}")
    assert rows(db_path, "SELECT COUNT(*) FROM people WHERE tg_user_id = 2002") == [(0,)]
    # The menu of the new liaison was set for their chat.
    menus = [
        c
        for c in fake.calls
        if c.method == "setMyCommands" and (c.params.get("scope") or {}).get("chat_id") == 2001
    ]
    assert menus and any(cmd["command"] == "report" for cmd in menus[-1].params["commands"])


async def test_revoked_expired_and_unknown_codes_grant_nothing(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    revoked = await invite(admin, "领导 王副市长")
    listing = await admin.say("/invites")
    assert "王副市长" in joined(listing)
    await admin.press(with_buttons(listing), "撤销")
    expired = await invite(admin, "联络员 XM-002")
    async with city.db.transaction() as tx:  # time passes: the invite's week is over
        await tx.execute(
            "UPDATE invites SET expires_at = '2020-01-01T00:00:00Z' WHERE code = ?", (expired,)
        )
    guest = person(fake, 2003, "赵六")
    assert "已被撤销" in await guest.text(f"/start {revoked}")
    assert "已过期" in await guest.text(f"/start {expired}")
    assert "邀请码无效" in await guest.text("/start not-a-real-code")
    assert rows(db_path, "SELECT COUNT(*) FROM people WHERE tg_user_id = 2003") == [(0,)]


async def test_multi_use_invite_and_leader_scope(
    city: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    code = await invite(admin, "领导 李副市长 次数=2")
    for uid, name in ((3001, "李副市长"), (3002, "李副市长秘书")):
        assert "包抓" in await join(person(fake, uid, name), code)
    assert "已被使用" in await person(fake, 3003, "路人").text(f"/start {code}")
    listing = await person(fake, 3001, "李副市长").text("/projects")
    assert "XM-003" in listing and "XM-004" in listing and "XM-001" not in listing


async def test_admin_invite_makes_an_admin(
    city: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    code = await invite(admin, "管理员")
    deputy = person(fake, 4001, "项目办小王")
    assert "管理员" in await join(deputy, code)
    assert "新增 0 个，更新 4 个" in joined(
        await deputy.send_document("city.csv", CITY_CSV, "text/csv")
    )


async def test_stranger_gets_one_polite_line_an_hour_and_nothing_changes(
    city: RunningBot, fake: FakeBotApi, db_path: Path
) -> None:
    before = rows(db_path, "SELECT COUNT(*) FROM people") + rows(
        db_path, "SELECT COUNT(*) FROM drafts"
    )
    stranger = person(fake, 9999, "陌生人")
    answer = await stranger.say("/report")
    assert len(answer) == 1 and "尚未绑定身份" in (answer[0].text or "")
    cursor = fake.cursor()
    for text in ("你好", "/import", "/mine", "/bogus", "'; DROP TABLE projects; --", "/start"):
        fake.send_text(stranger.user, text)
    fake.send_document(stranger.user, "city.csv", CITY_CSV, "text/csv")
    await fake.wait_idle()
    assert fake.sent_to(stranger.chat_id)[-1].seq < cursor  # nothing more within the hour
    city.clock.advance(minutes=61)
    answer = await stranger.say("你好")
    assert len(answer) == 1 and "尚未绑定身份" in (answer[0].text or "")
    after = rows(db_path, "SELECT COUNT(*) FROM people") + rows(
        db_path, "SELECT COUNT(*) FROM drafts"
    )
    assert before == after
    assert rows(db_path, "SELECT COUNT(*) FROM projects") == [(4,)]


async def test_leader_cannot_import_or_invite(
    city: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    leader = person(fake, 3001, "王副市长")
    await join(leader, await invite(admin, "领导 王副市长"))
    assert "仅限管理员" in await leader.text("/import")
    assert "仅限管理员" in await leader.text("/invite 联络员 城关区")
    answer = await leader.send_document("city.csv", CITY_CSV, "text/csv")
    assert "导入" not in joined(answer)


async def test_help_shows_only_the_callers_commands(
    city: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    liaison = person(fake, 2001, "张三")
    await join(liaison, await invite(admin, "联络员 XM-001"))
    liaison_help = await liaison.text("/help")
    assert "/report" in liaison_help and "/import" not in liaison_help
    admin_help = await admin.text("/help")
    assert "/import" in admin_help and "/invite" in admin_help and "/report" not in admin_help


async def test_menus_are_registered_per_scope(city: RunningBot, fake: FakeBotApi) -> None:
    scopes = {
        (c.params.get("scope") or {}).get("type"): c
        for c in fake.calls
        if c.method == "setMyCommands"
    }
    assert {"all_private_chats", "all_group_chats"} <= set(scopes)
    group_cmds = {c["command"] for c in scopes["all_group_chats"].params["commands"]}
    assert "bindgroup" in group_cmds and "report" not in group_cmds


async def test_group_binding_admin_only_and_removal_tracked(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    group, title = -100777, "城关区\x07调度群\u202e"  # a title is cleaned like a typed text
    outsider = fake.user(5001, "群成员")
    fake.add_to_group(admin.user, group, title)
    hello = await fake.wait_reply(group)
    assert "/bindgroup" in (hello.text or "")
    cursor = fake.cursor()
    fake.send_text(outsider, "/bindgroup unit 城关区", chat_id=group, chat_title=title)
    await fake.wait_idle()
    assert [c for c in fake.sent_to(group) if c.seq >= cursor] == []  # a non-admin: no answer
    assert rows(db_path, "SELECT COUNT(*) FROM push_targets") == [(0,)]
    cursor = fake.cursor()
    fake.send_text(admin.user, "/bindgroup unit 城关区", chat_id=group, chat_title=title)
    bound = await fake.wait_reply(group, after=cursor)
    assert "城关区" in (bound.text or "")
    assert rows(
        db_path, "SELECT kind, active, title FROM push_targets WHERE chat_id = ?", (group,)
    ) == [("unit", 1, "城关区调度群")]
    fake.remove_from_group(admin.user, group, title)
    await fake.wait_idle()
    assert rows(db_path, "SELECT active FROM push_targets WHERE chat_id = ?", (group,)) == [(0,)]


async def test_config_admin_is_recognised_on_first_contact(
    bot: RunningBot, admin: Talk, db_path: Path
) -> None:
    assert "管理员" in await admin.text("/start")
    assert rows(
        db_path,
        "SELECT r.role FROM roles r JOIN people p ON p.id = r.person_id WHERE p.tg_user_id = ?",
        (ADMIN_ID,),
    ) == [("admin",)]
