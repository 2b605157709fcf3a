"""What the robot tests share: a bot with [[robots]] pointing at the fake webhooks, the city
imported and a leaders' group bound."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.e2e.conftest import ADMIN_ID, import_city
from tests.fakebot import ApiCall, FakeBotApi
from tests.fakewebhooks import FakeRobot, RobotCall
from tests.harness import RunningBot, Talk, make_config, rows

LEADERS = -1001
MONDAY = "2026-11-30 09:00"  # the weekly push of W48


def robot_table(name: str, robot: FakeRobot, pushes: list[str], **extra: str) -> dict:
    table = {"name": name, "kind": robot.kind, "url": robot.url, "pushes": pushes, **extra}
    if robot.secret:
        table["secret"] = robot.secret
    if robot.app_id:
        table |= {"app_id": robot.app_id, "app_secret": robot.app_secret}
    return table


@asynccontextmanager
async def running(
    fake: FakeBotApi, db_path: Path, robots: list[dict], public_url: str = ""
) -> AsyncIterator[RunningBot]:
    config = make_config(fake, db_path, admins=(ADMIN_ID,), robots=robots, public_url=public_url)
    bot = RunningBot(config)
    await bot.start()
    # These tests move the clock and tick themselves. The bot's own 10 s tick would race them
    # while the clock still reads the harness's first Monday, when that week's push is due,
    # and plan robot deliveries of a week no test is about.
    assert bot.app is not None and bot.app.job_queue is not None
    for job in bot.app.job_queue.get_jobs_by_name("scheduler.tick"):
        job.schedule_removal()
    try:
        yield bot
    finally:
        await bot.stop()


async def city_with_leaders(fake: FakeBotApi, admin: Talk) -> None:
    """The four-project city, and the leaders' group bound (what robots mirror)."""
    await import_city(admin)
    fake.add_to_group(admin.user, LEADERS, "市领导群")
    cursor = fake.cursor()
    fake.send_text(admin.user, "/bindgroup leaders", chat_id=LEADERS, chat_title="市领导群")
    await fake.wait_reply(LEADERS, after=cursor, contains="✅")


def telegram_pushes(fake: FakeBotApi, mark: str) -> list[ApiCall]:
    """What the leaders' group got whose text holds `mark` (e.g. the week, 2026-W48)."""
    return [c for c in fake.sent_to(LEADERS) if c.ok and mark in (c.text or "")]


def robot_rows(db_path: Path) -> list[tuple]:
    """(kind, period, robot name, status, attempts) of every robot delivery."""
    return rows(
        db_path,
        "SELECT o.kind, o.period, r.name, o.status, o.attempts FROM outbox o"
        " JOIN robots r ON r.id = o.chat_id WHERE o.kind LIKE 'robot:%' ORDER BY o.id",
    )


def texts(calls: list[RobotCall]) -> list[str]:
    """The text of each text message (WeCom markdown, DingTalk markdown, Feishu post)."""
    found = []
    for c in calls:
        body = c.body or {}
        if body.get("msgtype") == "markdown":
            md = body["markdown"]
            found.append(md.get("content") or md["text"].replace("  \n", "\n"))
        elif body.get("msg_type") == "post":
            post = body["content"]["post"]["zh_cn"]
            lines = ["".join(s.get("text", "") for s in line) for line in post["content"]]
            found.append("\n".join(([post["title"]] if post["title"] else []) + lines))
    return found
