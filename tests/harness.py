"""Run the real Jinzhan Application against the fake Bot API, and talk to it as people do.

Used by the end-to-end tests, the demo (`python bot.py demo`) and the benchmark.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from telegram.ext import Application

from application import ALLOWED_UPDATES, build_application
from config import Config, parse_config
from storage import Database
from tests.fakebot import ApiCall, FakeBotApi, FakeUser

QUIET = 0.12  # seconds without a new message to a chat before a step counts as answered


def make_config(
    fake: FakeBotApi,
    db_path: Path,
    admins: tuple[int, ...] = (),
    timezone: str = "Asia/Shanghai",
    timeout: float = 15,
    rate_limit: int = 1000,
) -> Config:
    """Config for a bot talking to the fake server; Telegram's 30 msg/s cap is lifted because
    the fake is not Telegram (a test that checks the cap sets it back)."""
    raw = {
        "telegram": {
            "token": fake.token,
            "base_url": fake.base_url,
            "base_file_url": fake.base_file_url,
            "timeout": timeout,
            "rate_limit": rate_limit,
        },
        "bot": {"timezone": timezone, "admins": list(admins)},
        "storage": {"path": str(db_path)},
    }
    return parse_config(raw, base_dir=db_path.parent, env={})


class RunningBot:
    """The real Application polling the fake server inside the caller's event loop."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.app: Application | None = None

    @property
    def db(self) -> Database:
        assert self.app is not None
        return self.app.bot_data["svc"].db

    async def start(self) -> None:
        self.app = build_application(self.config)
        await self.app.initialize()
        # run_polling() calls post_init/post_shutdown; driving the app by hand, we do.
        assert self.app.post_init is not None
        await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )

    async def stop(self) -> None:
        if self.app is None:
            return
        assert self.app.updater is not None
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        assert self.app.post_shutdown is not None
        await self.app.post_shutdown(self.app)
        self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


class Talk:
    """One person's private chat with the bot."""

    def __init__(self, fake: FakeBotApi, user: FakeUser) -> None:
        self.fake = fake
        self.user = user

    @property
    def chat_id(self) -> int:
        return self.user.id

    async def _answered(self, cursor: int, until: str | None, timeout: float) -> list[ApiCall]:
        await self.fake.wait_reply(self.chat_id, after=cursor, timeout=timeout, contains=until)
        # Let the rest of the same answer arrive (a step may send two messages).
        while True:
            seen = len(self.fake.calls)
            try:
                await self.fake.wait_reply(self.chat_id, after=seen, timeout=QUIET)
            except AssertionError:
                break
        return [c for c in self.fake.calls[cursor:] if _is_reply_to(c, self.chat_id)]

    async def say(
        self, text: str, *, until: str | None = None, timeout: float = 10
    ) -> list[ApiCall]:
        """Send a text; return the bot's messages in answer."""
        cursor = self.fake.cursor()
        self.fake.send_text(self.user, text)
        return await self._answered(cursor, until, timeout)

    async def text(self, text: str, *, until: str | None = None) -> str:
        """Send a text; return the bot's answer as one string."""
        return "\n".join(c.text or "" for c in await self.say(text, until=until))

    async def press(
        self, message: ApiCall, label: str, *, until: str | None = None, timeout: float = 10
    ) -> list[ApiCall]:
        """Press the button whose label contains `label` on a message the bot sent."""
        data = button_data(message, label)
        cursor = self.fake.cursor()
        self.fake.press(self.user, message, data)
        return await self._answered(cursor, until, timeout)

    async def send_document(
        self,
        filename: str,
        content: bytes,
        mime: str,
        *,
        until: str | None = None,
        timeout: float = 20,
    ) -> list[ApiCall]:
        cursor = self.fake.cursor()
        self.fake.send_document(self.user, filename, content, mime)
        return await self._answered(cursor, until, timeout)

    async def send_photo(self, content: bytes, *, until: str | None = None) -> list[ApiCall]:
        cursor = self.fake.cursor()
        self.fake.send_photo(self.user, content)
        return await self._answered(cursor, until, 10)


def _is_reply_to(call: ApiCall, chat_id: int) -> bool:
    return (
        call.chat_id == chat_id
        and call.method.startswith(("send", "edit"))
        and (call.error_code is None)
    )


def button_data(message: ApiCall, label: str) -> str:
    """callback_data of the first button whose text contains `label`."""
    for text, data in message.buttons:
        if label in text:
            return data
    raise AssertionError(f"no button {label!r} in {message.buttons}")


def with_buttons(calls: list[ApiCall]) -> ApiCall:
    """The last message among `calls` that carries inline buttons."""
    for call in reversed(calls):
        if call.buttons:
            return call
    raise AssertionError(f"no message with buttons in {[c.text for c in calls]}")


async def settle(seconds: float = 0.05) -> None:
    await asyncio.sleep(seconds)


def joined(calls: list[ApiCall]) -> str:
    return "\n".join(c.text or "" for c in calls)


def rows(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read the bot's SQLite file directly, as an auditor would."""
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()
