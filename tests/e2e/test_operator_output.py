"""What an operator sees from `python bot.py` (issue 9, items 9 and 10): a refused token is one
line without the token; the data it creates is readable by its owner only; a running bot does
not repeat a log line on every scheduler tick."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Database, outbox
from tests.fakebot import FakeBotApi
from tests.harness import ROOT, BotProcess

BAD_TOKEN = "987654:AAE-secret-part-never-printed"
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")
DIGITS = re.compile(r"\d+")


async def run_bot(config: Path, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), "--config", str(config), cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **env},
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace")


@pytest.mark.parametrize("source", ["config", "env"])
async def test_a_rejected_token_is_one_line_without_the_token(
    fake: FakeBotApi, tmp_path: Path, source: str
) -> None:
    config = tmp_path / "config.toml"
    token = BAD_TOKEN if source == "config" else "1:placeholder"
    config.write_text(
        f'[telegram]\ntoken = "{token}"\nbase_url = "{fake.base_url}"\n'
        f'base_file_url = "{fake.base_file_url}"\n[storage]\npath = "{tmp_path / "j.sqlite3"}"\n',
        encoding="utf-8",
    )
    code, output = await run_bot(config, {"BOT_TOKEN": BAD_TOKEN if source == "env" else ""})
    assert [c for c in fake.calls if c.method == "getMe" and c.error_code == 401]
    assert code == 2
    assert BAD_TOKEN.split(":")[1] not in output and "Traceback" not in output, output
    assert output.splitlines() == [
        "Jinzhan cannot start: the token was rejected by Telegram; check telegram.token in "
        "config.toml or the BOT_TOKEN environment variable"
    ]


async def test_the_data_folder_and_database_are_the_owners_only(
    fake: FakeBotApi, tmp_path: Path, common_umask: None
) -> None:
    """Under the usual umask 022, `python bot.py` creates its data folder 0700 and the SQLite
    files 0600: they hold everyone's names and reports."""
    db_path = tmp_path / "data" / "jinzhan.sqlite3"
    bot = BotProcess(fake, db_path, tmp_path)
    await bot.start()
    try:
        files = [db_path, db_path.with_name(db_path.name + "-wal")]  # migrated: both written
        assert {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {
            f.name: oct(0o600) for f in files
        }
        assert oct(stat.S_IMODE(db_path.parent.stat().st_mode)) == oct(0o700)
    finally:
        await bot.kill()


async def enqueue_text(db_path: Path, n: int) -> None:
    """Queue message n, due now, the way the bot's own code queues one."""
    db = await Database.open(db_path)
    try:
        now = datetime.now(UTC)
        async with db.transaction() as tx:
            await outbox.enqueue(
                tx, kind="calendar", period=f"tick{n}", chat_id=1001,
                spec={"render": "text", "text": f"第{n}条"}, not_before=now,
                expires_at=now + timedelta(hours=1), now=now,
            )  # fmt: skip
    finally:
        await db.close()


async def test_no_log_line_repeats_per_tick(fake: FakeBotApi, tmp_path: Path) -> None:
    """Three ticks (10 s apart), each sending one message: the log says nothing per tick.

    Each message is queued only once the one before it was sent, so each is sent by a later
    tick than the one before."""
    db_path = tmp_path / "jinzhan.sqlite3"
    await enqueue_text(db_path, 1)
    bot = BotProcess(fake, db_path, tmp_path)
    with bot.log.open("a") as log:  # not bot.start(): its wait for a poll is no use here
        bot.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), "--config", str(bot.config), cwd=ROOT,
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "BOT_TOKEN": ""},
        )  # fmt: skip
    try:
        await fake.wait_reply(1001, contains="第1条", after=0, timeout=90)  # a slow start
        for n in (2, 3):
            cursor = fake.cursor()
            await enqueue_text(db_path, n)
            await fake.wait_reply(1001, contains=f"第{n}条", after=cursor, timeout=30)
    finally:
        bot.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.proc.wait(), timeout=30)
    assert fake.texts_to(1001) == ["第1条", "第2条", "第3条"]
    lines = [STAMP.sub("", line) for line in bot.log.read_text().splitlines()]
    shapes = [DIGITS.sub("#", line) for line in lines]  # "next run at 10:07:26" is no news
    repeated = {shape for shape in shapes if shapes.count(shape) > 1}
    assert not repeated, "\n".join(lines)
    assert not [line for line in lines if "apscheduler" in line], "\n".join(lines)
