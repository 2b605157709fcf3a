"""Joining a paste Telegram split: which updates go on, in which order, with which text."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from telegram import Bot, Update

from handlers import paste
from handlers.paste import Pastes

CHAT = 2001
LONG = "甲" * 4000  # a first part: longer than half the limit
_ids = iter(range(1, 1000))
BOT = Bot("1:unit-test")  # never asked anything: messages just carry it


def message(text: str | None, at: int, *, photo: bool = False) -> Update:
    body: dict = {"text": text} if text is not None else {"caption": "图"}
    if photo:
        body["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    n = next(_ids)
    return Update.de_json(
        {
            "update_id": n,
            "message": {
                "message_id": n,
                "date": at,
                "chat": {"id": CHAT, "type": "private"},
                "from": {"id": CHAT, "is_bot": False, "first_name": "张"},
                **body,
            },
        },
        BOT,
    )


def app() -> SimpleNamespace:
    return SimpleNamespace(running=True, update_queue=asyncio.Queue())


def texts(updates: list[Update]) -> list[str | None]:
    return [u.effective_message.text for u in updates]


async def test_short_text_goes_on_at_once() -> None:
    pastes = Pastes(app())
    short = message("今天完成浇筑", 100)
    assert pastes.take(short) == [short]


async def test_parts_within_a_second_are_one_text() -> None:
    pastes = Pastes(app())
    assert pastes.take(message(LONG, 100)) == []
    assert pastes.take(message(LONG, 101)) == []  # another full part: more may follow
    (joined,) = pastes.take(message("尾部", 101))
    assert joined.effective_message.text == LONG + LONG + "尾部"


async def test_something_else_ends_the_paste_and_follows_it() -> None:
    pastes = Pastes(app())
    pastes.take(message(LONG, 100))
    photo = message(None, 100, photo=True)
    assert texts(pastes.take(photo)) == [LONG, None]
    pastes.take(message(LONG, 200))
    late = message("两秒后才到", 202)  # not a part: too late
    assert texts(pastes.take(late)) == [LONG, "两秒后才到"]


async def test_with_nothing_after_it_the_paste_goes_back_in_line(monkeypatch) -> None:
    monkeypatch.setattr(paste, "WAIT", 0.01)
    application = app()
    pastes = Pastes(application)
    first, second = message(LONG, 100), message(LONG, 100)
    pastes.take(first)
    pastes.take(second)
    requeued = await asyncio.wait_for(application.update_queue.get(), 1)
    assert requeued is second  # in line again behind its chat's other updates
    assert texts(pastes.take(requeued)) == [LONG + LONG]


async def test_a_paste_ended_meanwhile_is_not_handled_twice(monkeypatch) -> None:
    monkeypatch.setattr(paste, "WAIT", 0.01)
    application = app()
    pastes = Pastes(application)
    held = message(LONG, 100)
    pastes.take(held)
    requeued = await asyncio.wait_for(application.update_queue.get(), 1)
    assert texts(pastes.take(message("下一条", 100))) == [LONG + "下一条"]  # late, but a part
    assert pastes.take(requeued) == []
    application.running = False  # a stopping application takes no more updates
    pastes.take(message(LONG, 300))
    await asyncio.sleep(0.05)
    assert application.update_queue.empty()
