"""Tests of the fake Bot API itself, driven by a real PTB ``telegram.Bot`` over HTTP.

If PTB can parse everything the fake answers, the real bot can too; these tests pin down the
Telegram behaviours the e2e tests rely on.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import re
import struct
import time
import warnings
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.fakebot import FakeBotApi, ParseError, to_plain

pytestmark = pytest.mark.timeout(30)


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid PNG, so size detection and the dumped file can be checked."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest_asyncio.fixture
async def bot(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    """A real PTB Bot pointed at the fake server."""
    tg = Bot(fake_api.token, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url)
    async with tg:
        yield tg


def seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after is int or timedelta depending on PTB settings (and warns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def test_get_me_and_wrong_token(fake_api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == fake_api.bot_id == 123456
    assert me.username == "jinzhan_test_bot"
    assert me.is_bot
    wrong = Bot("999:WRONG", base_url=fake_api.base_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    assert fake_api.calls[-1].error_code == 401


async def test_updates_offset_and_long_polling(fake_api: FakeBotApi, bot: Bot) -> None:
    alice = fake_api.user(1001, "张三", "zhangsan")
    fake_api.send_text(alice, "/report@jinzhan_test_bot now")
    fake_api.send_text(alice, "123")
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == [
        "/report@jinzhan_test_bot now",
        "123",
    ]
    first = updates[0].message
    assert first is not None and first.chat.type == "private" and first.chat.id == alice.id
    assert first.parse_entities() and first.entities[0].length == len("/report@jinzhan_test_bot")
    assert updates[1].update_id == updates[0].update_id + 1
    # Not confirmed yet: returned again; confirmed with offset: gone.
    assert len(await bot.get_updates(timeout=0)) == 2
    assert fake_api.pending_updates() == 2
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert fake_api.pending_updates() == 0

    # A long poll returns as soon as an update arrives, not after the timeout.
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(offset=updates[-1].update_id + 1, timeout=5))
    await asyncio.sleep(0.1)
    fake_api.send_text(alice, "hello", chat_id=-1001, chat_title="领导群")
    got = await poll
    assert time.monotonic() - started < 2
    msg = got[0].message
    assert msg is not None and msg.chat.type == "supergroup" and msg.chat.title == "领导群"

    # And an empty long poll is held for `timeout` seconds.
    started = time.monotonic()
    assert await bot.get_updates(offset=got[0].update_id + 1, timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3


async def test_send_edit_and_telegram_errors(fake_api: FakeBotApi, bot: Bot) -> None:
    alice = fake_api.user(1001, "张三")
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("A", callback_data="p:1"),
                InlineKeyboardButton("B", url="https://x.y"),
            ]
        ]
    )
    sent = await bot.send_message(alice.id, "123", reply_markup=keyboard)
    call = fake_api.calls[-1]
    assert call.method == "sendMessage" and call.params["text"] == "123"  # stays a str
    assert call.chat_id == alice.id and call.params["chat_id"] == alice.id
    assert call.buttons == [("A", "p:1"), ("B", "https://x.y")]
    assert call.message is not None and call.message["message_id"] == sent.message_id
    assert sent.from_user is not None and sent.from_user.id == fake_api.bot_id

    edited = await bot.edit_message_text(
        "<b>新</b> &amp; 好", alice.id, sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, type(sent)) and edited.text == "新 & 好"
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text(
            "<b>新</b> &amp; 好", alice.id, sent.message_id, parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match=r"(?i)to edit not found"):
        await bot.edit_message_text("x", alice.id, 99999)
    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard)
    assert fake_api.message(alice.id, sent.message_id)["reply_markup"]["inline_keyboard"]

    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(alice.id, "长" * 4097)
    await bot.send_message(alice.id, "长" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)parse entities"):
        await bot.send_message(alice.id, "a<br>b", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)parse entities"):
        await bot.send_message(alice.id, "2024.01.02", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(
            alice.id,
            "x",
            reply_markup=InlineKeyboardMarkup.from_button(
                InlineKeyboardButton("x", callback_data="d" * 65)
            ),
        )

    fake_api.block_chat(alice.id)
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await bot.send_message(alice.id, "hi")
    fake_api.unblock_chat(alice.id)

    later = await bot.send_message(alice.id, "second")
    assert later.message_id > sent.message_id
    assert await bot.delete_message(alice.id, later.message_id)
    with pytest.raises(BadRequest):
        await bot.delete_message(alice.id, later.message_id)

    assert [c.text for c in fake_api.sent_to(alice.id)][:2] == ["123", "<b>新</b> &amp; 好"]
    assert "second" in fake_api.texts_to(alice.id)
    assert await bot.send_chat_action(alice.id, "typing")


async def test_callback_query_round_trip(fake_api: FakeBotApi, bot: Bot) -> None:
    alice = fake_api.user(1001, "张三")
    await bot.send_message(
        alice.id,
        "选择",
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("确认", callback_data="ok")
        ),
    )
    call = fake_api.calls[-1]
    query = fake_api.press(alice, call, "ok")
    with pytest.raises(ValueError, match=r"(?i)no button"):
        fake_api.press(alice, call, "missing", strict=True)
    fake_api.press(alice, call, "forged")  # allowed without strict, like a hacked client
    update, forged = await bot.get_updates(timeout=0)
    assert forged.callback_query is not None and forged.callback_query.data == "forged"
    assert update.callback_query is not None
    assert update.callback_query.data == "ok" and update.callback_query.id == query["id"]
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == call.message_id
    assert await bot.answer_callback_query(query["id"], text="好的")
    assert fake_api.calls[-1].params["callback_query_id"] == query["id"]  # str, not int
    assert fake_api.callback_answered(query["id"])
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query(query["id"])
    assert fake_api.press_button(alice, call, "确认")["data"] == "ok"


async def test_photos_documents_and_files(fake_api: FakeBotApi, bot: Bot, tmp_path: Path) -> None:
    alice = fake_api.user(1001, "张三")
    png = tiny_png(640, 480)
    msg = await bot.send_photo(-1001, png, caption="周报图")
    assert msg.caption == "周报图" and len(msg.photo) == 2
    assert (msg.photo[-1].width, msg.photo[-1].height) == (640, 480)
    photo_file = await bot.get_file(msg.photo[-1].file_id)
    assert bytes(await photo_file.download_as_bytearray()) == png
    again = await bot.send_photo(-1001, msg.photo[-1].file_id)  # by file_id
    assert again.photo[-1].file_unique_id == msg.photo[-1].file_unique_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(-1001, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(-1001, png, caption="x" * 1025)

    doc = await bot.send_document(alice.id, b"a,b\n1,2\n", filename="进展.csv", caption="导出")
    assert doc.document is not None and doc.document.file_name == "进展.csv"
    assert fake_api.calls[-1].filenames["document"] == "进展.csv"
    album = await bot.send_media_group(
        alice.id, [InputMediaPhoto(png, caption="1"), InputMediaPhoto(tiny_png())]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id

    # A file the user sends can be fetched by the bot.
    fake_api.send_document(
        alice, "plan.xlsx", b"PK\x03\x04xlsx", "application/vnd.ms-excel", "计划"
    )
    fake_api.send_photo(alice, png, caption="现场")
    updates = await bot.get_updates(timeout=0)
    document = updates[0].message.document
    assert document is not None and document.file_name == "plan.xlsx"
    data = await (await bot.get_file(document.file_id)).download_as_bytearray()
    assert bytes(data) == b"PK\x03\x04xlsx"
    photo = updates[1].message.photo
    assert len(photo) == 2
    assert bytes(await (await bot.get_file(photo[-1].file_id)).download_as_bytearray()) == png
    assert fake_api.downloads

    # A file over getFile's 20 MB, by the size Telegram states, without holding its bytes.
    fake_api.send_document(alice, "大.xlsx", b"PK", "application/zip", declared_size=21 << 20)
    (update,) = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert update.message.document.file_size == 21 << 20
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(update.message.document.file_id)

    written = fake_api.dump_outbox(tmp_path / "out", names={-1001: "领导群"})
    names = sorted(p.name for p in written)
    assert "transcript.txt" in names
    assert any(n.endswith("_sendPhoto_chat-1001.png") for n in names)
    assert any(n.endswith("_sendDocument_chat1001_进展.csv") for n in names)
    assert sum("_sendMediaGroup_" in n for n in names) == 2
    shot = next(p for p in written if p.name.endswith("_sendPhoto_chat-1001.png"))
    assert shot.read_bytes() == png
    text = (tmp_path / "out" / "transcript.txt").read_text(encoding="utf-8")
    assert "[bot → 领导群] (图片) 周报图" in text
    assert "[张三 → bot] (文件 plan.xlsx) 计划" in text


async def test_commands_per_scope_and_language(fake_api: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("report", "填报")])
    await bot.set_my_commands(
        [BotCommand("bind", "绑定本群")], scope=BotCommandScopeAllGroupChats()
    )
    await bot.set_my_commands(
        [BotCommand("admin", "管理")], scope=BotCommandScopeChat(42), language_code="zh"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "report"]
    groups = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())
    assert [c.command for c in groups] == ["bind"]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(42)) == ()
    chat = await bot.get_my_commands(scope=BotCommandScopeChat(42), language_code="zh")
    assert [c.description for c in chat] == ["管理"]
    assert fake_api.commands({"type": "chat", "chat_id": "42"}, "zh")[0]["command"] == "admin"
    await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats())
    assert fake_api.commands({"type": "all_group_chats"}) == []
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    assert await bot.set_chat_menu_button()
    assert (await bot.get_chat_menu_button()).type == "default"


async def test_groups_and_members(fake_api: FakeBotApi, bot: Bot) -> None:
    boss = fake_api.user(7, "李局", "li")
    fake_api.add_to_group(boss, -1002, "领导群", status="administrator")
    fake_api.set_member_status(-1002, boss.id, "creator")
    (update,) = await bot.get_updates(timeout=0, allowed_updates=Update.ALL_TYPES)
    change = update.my_chat_member
    assert change is not None and change.new_chat_member.status == "administrator"
    assert change.chat.title == "领导群" and change.from_user.id == boss.id
    assert (await bot.get_chat_member(-1002, boss.id)).status == "creator"
    assert (await bot.get_chat_member(-1002, fake_api.bot_id)).status == "administrator"
    assert (await bot.get_chat_member(-1002, 555)).status == "left"
    admins = await bot.get_chat_administrators(-1002)
    assert {a.user.id for a in admins} == {boss.id, fake_api.bot_id}
    info = await bot.get_chat(-1002)
    assert info.title == "领导群" and info.type == "supergroup"
    fake_api.remove_from_group(boss, -1002)
    with pytest.raises(Forbidden, match=r"(?i)kicked"):
        await bot.send_message(-1002, "hi")
    assert await bot.leave_chat(-1003)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fault_injection(fake_api: FakeBotApi, bot: Bot) -> None:
    fake_api.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(1, "x")
    assert seconds(flood.value) == 3
    failed = fake_api.calls[-1]
    assert failed.error_code == 429 and failed.response["parameters"] == {"retry_after": 3}

    fake_api.fail_next("*", status=500, count=2)
    with pytest.raises(NetworkError):
        await bot.send_message(1, "x")
    with pytest.raises(NetworkError):
        await bot.get_chat(1)
    await bot.send_message(1, "now fine")
    assert fake_api.message(1, fake_api.calls[-1].message_id) is not None

    fake_api.fail_next("sendmessage", status=502)  # method names are case-insensitive
    with pytest.raises(NetworkError):
        await bot.send_message(1, "x")

    fake_api.fail_next("sendMessage", hang=1.0)
    mark = fake_api.cursor()
    with pytest.raises(TimedOut):
        await bot.send_message(1, "slow", read_timeout=0.2)
    # The hung request is still processed and recorded, like a slow Telegram would.
    late = await fake_api.wait_for(lambda c: c.method == "sendMessage", after=mark, timeout=3)
    assert late.text == "slow" and late.ok

    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert fake_api.calls[-1].error_code == 404


async def test_raw_http_variants(fake_api: FakeBotApi) -> None:
    url = f"{fake_api.base_url}{fake_api.token}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/SENDMESSAGE", params={"chat_id": "5", "text": "true"}) as r:
            assert r.status == 200 and (await r.json())["ok"]
        async with session.post(f"{url}/sendMessage", json={"chat_id": 5, "text": "json"}) as r:
            assert (await r.json())["result"]["text"] == "json"
        async with session.post(f"{url}/nope") as r:
            assert r.status == 404
            assert await r.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        # A newer getUpdates terminates an older one, as on Telegram.
        old = asyncio.create_task(session.post(f"{url}/getUpdates", data={"timeout": "5"}))
        await asyncio.sleep(0.1)
        async with session.post(f"{url}/getUpdates", data={"timeout": "0"}) as r:
            assert (await r.json())["result"] == []
        async with await old as r:
            assert r.status == 409
    first = fake_api.calls[0]
    assert first.method == "sendMessage" and first.params == {"chat_id": 5, "text": "true"}


async def test_waiting_helpers(fake_api: FakeBotApi, bot: Bot) -> None:
    alice = fake_api.user(1001, "张三")
    fake_api.send_text(alice, "/start")

    async def answer_twice() -> None:
        await asyncio.sleep(0.05)
        (update,) = await bot.get_updates(timeout=0)
        await bot.send_message(alice.id, "one")
        await bot.send_message(alice.id, "two")
        await bot.get_updates(offset=update.update_id + 1, timeout=0)

    task = asyncio.create_task(answer_twice())
    assert (await fake_api.wait_reply(alice.id)).text == "one"
    assert (await fake_api.wait_reply(alice.id)).text == "two"  # implicit cursor advances
    await task
    await fake_api.wait_idle(quiet=0.05, timeout=2)
    with pytest.raises(AssertionError, match=r"(?i)timed out") as err:
        await fake_api.wait_reply(alice.id, after=fake_api.cursor(), timeout=0.1)
    assert "sendMessage chat=1001 'two'" in str(err.value)

    fake_api.send_text(alice, "unread")
    with pytest.raises(AssertionError, match=r"(?i)undelivered updates: 1"):
        await fake_api.wait_idle(quiet=0.05, timeout=0.2)


async def test_full_application_and_transcript(fake_api: FakeBotApi) -> None:
    """The way the real bot runs: an Application polling the fake server."""

    async def start(update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "请选择项目…",
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("A", callback_data="a"),
                        InlineKeyboardButton("B", callback_data="b"),
                    ]
                ]
            ),
        )

    async def chosen(update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"已选择 {query.data}")

    app = (
        Application.builder()
        .token(fake_api.token)
        .base_url(fake_api.base_url)
        .base_file_url(fake_api.base_file_url)
        .get_updates_request(HTTPXRequest(read_timeout=5))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(chosen))
    alice = fake_api.user(1001, "张三")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            menu = await fake_api.say(alice, "/start")
            assert menu.buttons == [("A", "a"), ("B", "b")]
            fake_api.press(alice, menu, "b")
            edit = await fake_api.wait_reply(alice.id)
            assert edit.method == "editMessageText" and edit.text == "已选择 b"
            await fake_api.wait_idle(quiet=0.1)
            assert fake_api.pending_updates() == 0
        finally:
            await app.updater.stop()
            await app.stop()
    assert fake_api.transcript() == [
        "[张三 → bot] /start",
        "[bot → 张三] 请选择项目… [按钮: A | B]",
        "[张三 按下] B",
        "[bot ✎ 张三] 已选择 b",
    ]


async def test_throughput(fake_api: FakeBotApi, bot: Bot) -> None:
    """Thousands of updates per second must flow through getUpdates."""
    alice = fake_api.user(1001, "张三")
    for i in range(3000):
        fake_api.send_text(alice, f"m{i}")
    started = time.monotonic()
    offset, seen = 0, 0
    while seen < 3000:
        batch = await bot.get_updates(offset=offset, timeout=0, limit=100)
        seen += len(batch)
        offset = batch[-1].update_id + 1
    await bot.get_updates(offset=offset, timeout=0)
    assert fake_api.pending_updates() == 0
    assert time.monotonic() - started < 5


async def test_drop_pending_updates(fake_api: FakeBotApi, bot: Bot) -> None:
    alice = fake_api.user(1001, "张三")
    fake_api.send_text(alice, "old")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert fake_api.pending_updates() == 0
    assert await bot.get_updates(timeout=0) == ()


@pytest.mark.parametrize(
    ("text", "mode", "plain"),
    [
        ("<b>粗</b> <a href='https://x.y'>链接</a> &lt;3 &amp;", "HTML", "粗 链接 <3 &"),
        ('<span class="tg-spoiler">秘</span><pre><code>x</code></pre>', "HTML", "秘x"),
        (
            r"*粗* 2024\.01\.02 \(备注\) [链接](https://x.y/a-b)",
            "MarkdownV2",
            "粗 2024.01.02 (备注) 链接",
        ),
        ("`a.b` ```\nc-d\n```", "MarkdownV2", "a.b \nc-d\n"),
        ("a < b", None, "a < b"),
    ],
)
def test_parse_modes_accept(text: str, mode: str | None, plain: str) -> None:
    assert to_plain(text, mode) == plain


@pytest.mark.parametrize(
    ("text", "mode", "error"),
    [
        ("a < b", "HTML", "byte offset 2"),
        ("第一行<br>", "HTML", 'unsupported start tag "br" at byte offset 9'),
        ("<b>x</i>", "HTML", "unmatched end tag"),
        ("<b>x", "HTML", "can't find end tag"),
        ("<span>x</span>", "HTML", "tg-spoiler"),
        ("完成 50%!", "MarkdownV2", "Character '!' is reserved"),
        ("(备注)", "MarkdownV2", "Character '(' is reserved"),
    ],
)
def test_parse_modes_reject(text: str, mode: str, error: str) -> None:
    with pytest.raises(ParseError, match=re.escape(error)):
        to_plain(text, mode)


async def test_updates_survive_a_crashed_poller(fake_api: FakeBotApi) -> None:
    """What the SIGKILL test relies on: the dangling long poll of a dead bot process does not
    swallow new updates, and a fresh process gets everything that was not confirmed."""
    alice = fake_api.user(1001, "张三")
    url = f"{fake_api.base_url}{fake_api.token}/getUpdates"
    fake_api.send_text(alice, "/first")
    dead = aiohttp.ClientSession()
    async with dead.post(url, data={"timeout": "0"}) as r:
        (first,) = (await r.json())["result"]
    # The process confirms the first update with its next long poll, then gets killed.
    dangling = asyncio.create_task(
        dead.post(url, data={"timeout": "5", "offset": str(first["update_id"] + 1)})
    )
    await asyncio.sleep(0.05)
    dangling.cancel()
    await dead.close()
    await asyncio.sleep(0.05)
    fake_api.send_text(alice, "/second")  # arrives while nobody is alive to read it
    await asyncio.sleep(0.05)
    async with aiohttp.ClientSession() as fresh, fresh.post(url, data={"timeout": "1"}) as r:
        (second,) = (await r.json())["result"]
    assert second["message"]["text"] == "/second"
    assert fake_api.pending_updates() == 1
    # The server noticed the dead connection and did not count /second as delivered to it.
    (dead_poll,) = [c for c in fake_api.calls if c.params.get("offset") == first["update_id"] + 1]
    assert dead_poll.result == []
