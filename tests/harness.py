"""Run the real Jinzhan Application against the fake Bot API, and talk to it as people do.

Used by the end-to-end tests, the demo (`python bot.py demo`) and the benchmark.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from application import ALLOWED_UPDATES, POLL_INTERVAL, build_application
from config import Config, parse_config
from domain.project_import import ProjectRow
from domain.schedule_kinds import KINDS
from robots import RobotService
from storage import Database, people, projects, schedule
from tests.fakebot import ApiCall, FakeBotApi, FakeUser

ROOT = Path(__file__).resolve().parents[1]
QUIET = 0.12  # seconds without a new message to a chat before a step counts as answered


def make_config(
    fake: FakeBotApi,
    db_path: Path,
    admins: tuple[int, ...] = (),
    timezone: str = "Asia/Shanghai",
    timeout: float = 15,
    rate_limit: int = 1000,
    group_rate_limit: int | None = None,
    robots: list[dict[str, Any]] | None = None,
    public_url: str = "",
) -> Config:
    """Config for a bot talking to the fake server; Telegram's 30 msg/s cap is lifted because
    the fake is not Telegram (a test that checks the cap sets it back; `group_rate_limit`, per
    minute, defaults to the same pace as `rate_limit`); `robots` are [[robots]] tables,
    `public_url` the dashboard's public address."""
    raw = {
        "telegram": {
            "token": fake.token,
            "base_url": fake.base_url,
            "base_file_url": fake.base_file_url,
            "timeout": timeout,
            "rate_limit": rate_limit,
            "group_rate_limit": group_rate_limit or rate_limit * 60,
        },
        "bot": {"timezone": timezone, "admins": list(admins)},
        "storage": {"path": str(db_path)},
        # Any free port: suites and helpers run side by side on one machine.
        "web": {"port": 0, "public_url": public_url},
    }
    if robots:
        raw["robots"] = robots
    return parse_config(raw, base_dir=db_path.parent, env={})


class FakeClock:
    """The bot's clock in tests: a fixed instant that the test moves. No test waits for 16:00."""

    def __init__(self, local: str, tz: str = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(tz)
        self.now = self._parse(local)

    def _parse(self, local: str) -> datetime:
        return datetime.fromisoformat(local).replace(tzinfo=self.tz).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, local: str) -> datetime:
        """Move to a local wall-clock time, e.g. "2026-11-23 16:00"."""
        self.now = self._parse(local)
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# A Monday morning: no daily push is due yet, so tests that do not care see no pushes.
DEFAULT_START = "2026-11-23 10:00"


class RunningBot:
    """The real Application polling the fake server inside the caller's event loop."""

    def __init__(self, config: Config, clock: FakeClock | None = None) -> None:
        self.config = config
        self.clock = clock or FakeClock(DEFAULT_START, config.bot.timezone.key)
        self.app: Application | None = None

    @property
    def db(self) -> Database:
        assert self.app is not None
        return self.app.bot_data.services.db

    async def start(self) -> None:
        self.app = build_application(self.config)
        await self.app.initialize()
        # run_polling() calls post_init/post_shutdown; driving the app by hand, we do.
        assert self.app.post_init is not None
        await self.app.post_init(self.app)
        self.app.bot_data.services.clock = self.clock
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(  # as bot.py polls, with a short long poll
            poll_interval=POLL_INTERVAL, timeout=1, allowed_updates=ALLOWED_UPDATES
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

    @property
    def robots(self) -> RobotService:
        """The robots' senders (robots.delivery); `await bot.robots.drain()` sends what is due."""
        assert self.app is not None
        assert self.app.bot_data.robots is not None
        return self.app.bot_data.robots

    async def archive(self) -> int:
        """One pass of the photo archive's due downloads (after any pass in progress)."""
        return await self.app.bot_data.archive.run()  # type: ignore[union-attr]

    async def tick(self, local: str | None = None) -> None:
        """Move the clock (if given) and run one scheduler tick to completion."""
        if local is not None:
            self.clock.set(local)
        assert self.app is not None
        await self.app.bot_data.scheduler.tick()


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

    async def paste(
        self, text: str, *, until: str | None = None, timeout: float = 10
    ) -> list[ApiCall]:
        """Paste a text: over 4,096 characters it arrives as several messages, as a Telegram
        client sends it; return the bot's messages in answer."""
        cursor = self.fake.cursor()
        self.fake.send_paste(self.user, text)
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


# ---- reporting by field name ------------------------------------------------------------------

STEP_ASKED = re.compile(r"第(\d+)/(\d+)步 · (\S+)")
SUMMARY = "请核对本次上报"


def asked_field(text: str) -> str | None:
    """The field a /report prompt asks for ("【XM-001 …】第2/6步 · 投资" -> "投资"), or None."""
    found = STEP_ASKED.findall(text)
    return found[-1][2] if found else None


def next_answer(text: str, answers: dict[str, str | bytes]) -> str | bytes | None:
    """What to send to the bot's last /report message: the answer for the field it asks
    (bytes: a photo), "/skip" for a field not given, None at the summary."""
    if SUMMARY in text:
        return None
    name = asked_field(text)
    if name is None:
        raise AssertionError(f"/report asked no field: {text[:300]!r}")
    return answers.get(name, "/skip")


async def report(
    talk: Talk,
    code: str | None,
    *,
    confirm: bool = True,
    at: str | None = None,
    **answers: str | bytes,
) -> list[ApiCall]:
    """Report through /report answering by field name, whatever the template's order:
    `await report(talk, "XM-001", 进展="...", 投资="3千万", 问题="...", 照片=PNG)`. A field not
    named gets /skip; an answer the bot refuses fails the test. Confirms and returns the
    "已保存" answer; or returns the summary (confirm=False), or the question for the field
    `at` as soon as it is asked (answers after it are not used)."""
    answer = await talk.say(f"/report {code}" if code else "/report")
    return await answer_report(talk, answer, confirm=confirm, at=at, **answers)


async def answer_report(
    talk: Talk,
    answer: list[ApiCall],
    *,
    confirm: bool = True,
    at: str | None = None,
    **answers: str | bytes,
) -> list[ApiCall]:
    """Go on with a report from the bot's last message `answer`, as `report` does."""
    asked: list[str] = []
    while True:
        text = joined(answer)
        name = asked_field(text) or ""
        if at is not None and name == at:
            return answer
        reply = next_answer(text, answers)
        if reply is None:
            break
        if asked and asked[-1] == name:
            raise AssertionError(f"the answer for {name} was refused: {text[:300]!r}")
        asked.append(name)
        answer = await (talk.send_photo(reply) if isinstance(reply, bytes) else talk.say(reply))
    unused = set(answers) - set(asked)
    if unused:
        raise AssertionError(f"/report never asked {sorted(unused)}; it asked {asked}")
    if not confirm:
        return answer
    return await talk.press(with_buttons(answer), "确认提交", until="已保存")


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


def joined(calls: list[ApiCall]) -> str:
    return "\n".join(c.text or "" for c in calls)


class BotProcess:
    """`python bot.py` in a child process, so a test can kill -9 it like a power cut."""

    def __init__(
        self, fake: FakeBotApi, db_path: Path, workdir: Path, admins: tuple[int, ...] = ()
    ) -> None:
        self.fake = fake
        self.config = workdir / "config.toml"
        self.config.write_text(
            f'[telegram]\ntoken = "{fake.token}"\nbase_url = "{fake.base_url}"\n'
            f'base_file_url = "{fake.base_file_url}"\n'
            "rate_limit = 1000\ngroup_rate_limit = 60000\n"
            f'[bot]\nadmins = {list(admins)}\n[storage]\npath = "{db_path}"\n[web]\nport = 0\n',
            encoding="utf-8",
        )
        self.log = workdir / "bot.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        cursor = self.fake.cursor()
        with self.log.open("a") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, str(ROOT / "bot.py"), "--config", str(self.config),
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "BOT_TOKEN": ""},
            )  # fmt: skip
        await self.fake.wait_for(lambda c: c.method == "getUpdates", after=cursor, timeout=30)

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or a power cut."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await asyncio.wait_for(self.proc.wait(), timeout=10)


def project_row(code: str, unit: str = "城关区", leader: str | None = None) -> ProjectRow:
    """A project as an import would give it: total 10亿, this year's plan 1亿."""
    return ProjectRow(
        row=1, code=code, name=f"项目{code}", unit=unit, category="产业", stage=None,
        leader=leader, total_yuan=10**9, year_plan_yuan=10**8, monthly_plan_yuan=None,
        build_type=None, liaison=None, extra={},
    )  # fmt: skip


async def seed_liaisons(
    db_path: Path, count: int, first_id: int, year: int = 2026, *, scheduled: bool = False
) -> None:
    """`count` liaisons (Telegram ids from `first_id`), each bound to one project, written with
    the bot's own storage functions as an import plus redeemed invites would.

    Unless `scheduled`, every scheduled run is switched off: a bot in a child process runs on
    the real clock, and a reminder falling due mid-test (16:00-18:00 in Shanghai) would race
    what the test does; such tests start a run with /pushnow instead. Benchmarks that drive
    the clock themselves keep the schedule."""
    db = await Database.open(db_path)
    try:
        async with db.transaction() as tx:
            for kind in () if scheduled else KINDS:
                await schedule.set_enabled(tx, kind, False, None)
            generated = [project_row(f"P-{i:05d}") for i in range(count)]  # one per liaison
            await projects.upsert_imported(tx, generated, year)
            ids = {r["code"]: r["id"] for r in await tx.fetchall("SELECT id, code FROM projects")}
            for i in range(count):
                pid = await people.upsert(tx, first_id + i, f"联络员{i}", None)
                await people.grant(tx, pid, "liaison")
                await people.link_projects(tx, pid, [ids[f"P-{i:05d}"]], "liaison")
    finally:
        await db.close()


def rows(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read the bot's SQLite file directly, as an auditor would."""
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()
