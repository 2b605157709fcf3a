"""Sending robot deliveries: one sender per robot, beside Telegram's dispatcher, never in it.

The scheduler plans robot deliveries into the outbox with Telegram's (scheduler/plan.py, kind
'robot:…'); Telegram's dispatcher skips them. Each robot has a worker of its own: a task that
wakes every POLL_SECONDS (and when asked), reads its due rows, renders each when it is sent,
and posts it at its platform's pace. A slow, failing or rate-limited robot holds up only itself.

A delivery of several messages records each one sent (robot_parts), so a retry or a restart
goes on from the next; it is marked sent when its last message is. A failed try (HTTP error,
timeout, a platform's error code) is retried after 1, 2, 4 … 32 minutes, then marked failed,
about an hour after the first try: /schedule and /robots list it, /pushnow of its push tries
again. A "too fast" code pauses the robot for the platform's penalty. No HTTP call is made
inside a database transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from config import RobotConfig
from domain.text import clean_line
from domain.workdays import WorkCalendar
from robots import content
from robots.client import RobotClient, RobotError
from robots.dingtalk import DingTalkClient
from robots.feishu import FeishuClient
from robots.pacing import LIMITS, Pacer, feishu_later
from robots.render import RobotRenderer
from robots.secrets import redact
from robots.wecom import WeComClient
from storage import outbox, schedule
from storage import robots as robot_store
from storage.outbox import OutboxRow

if TYPE_CHECKING:
    from runtime import Services
    from scheduler.render import Rendered

log = logging.getLogger(__name__)
POLL_SECONDS = 10  # a worker looks for due deliveries this often (the scheduler ticks as often)
MAX_ATTEMPTS = 7  # tries of one delivery: the first, then after 1, 2, 4, 8, 16, 32 minutes
RETRY = timedelta(minutes=1)
CLIENTS: dict[str, type[RobotClient]] = {
    "wecom": WeComClient,
    "dingtalk": DingTalkClient,
    "feishu": FeishuClient,
}


class RobotWorker:
    """Delivers one robot's outbox rows, one at a time, paced to its platform."""

    def __init__(self, service: RobotService, robot: RobotConfig, robot_id: int) -> None:
        self.service = service
        self.robot = robot
        self.id = robot_id
        self.client = CLIENTS[robot.kind](robot)
        self.pacer = Pacer(LIMITS[robot.kind])
        self.paused_until: datetime | None = None  # after a "too fast" answer
        self._lock = asyncio.Lock()  # one round at a time, whoever asks for it
        self._wake = asyncio.Event()
        self._failing: str | None = None  # the last round error, logged once

    @property
    def svc(self) -> Services:
        return self.service.svc

    async def run(self) -> None:
        """The worker's task: a round now (catching up after a start), then on every wake-up."""
        while True:
            try:
                await self.round()
                if self._failing is not None:
                    log.info("robot %r works again", self.robot.name)
                    self._failing = None
            except Exception as exc:  # e.g. the database failing: logged once, tried again
                if self._failing != repr(exc):
                    log.exception("robot %r: a round failed; trying again", self.robot.name)
                self._failing = repr(exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    async def round(self) -> int:
        """Send what is due now; return how many deliveries were completed."""
        async with self._lock:
            now = self.svc.now()
            if self.paused_until is not None and now < self.paused_until:
                return 0
            rows = await robot_store.due(self.svc.db, self.id, now)
            if not rows:
                return 0
            later = feishu_later(now) if self.robot.kind == "feishu" else None
            if later is not None:  # Feishu's busy minute: the next one, no try counted
                async with self.svc.db.transaction() as tx:
                    for row in rows:
                        await robot_store.postpone(tx, row.id, later)
                return 0
            renderer = await self.service.renderer(now)
            done = 0
            for row in rows:
                sent, go_on = await self._deliver_isolated(row, renderer)
                done += sent
                if not go_on:  # the robot is down or throttled: the rest waits for it
                    break
            return done

    async def _deliver_isolated(
        self, row: OutboxRow, renderer: RobotRenderer
    ) -> tuple[bool, bool]:
        """(delivered, go on with the next row): a failure is this row's own."""
        try:
            return await self._deliver(row, renderer), True
        except RobotError as exc:
            await self._failed(row, str(exc), exc.rate_limited)
            return False, False
        except Exception as exc:  # a render that raised: a bug, or data a file cannot hold
            log.exception("robot %r: %s %s could not be made", self.robot.name, row.kind,
                          row.period)  # fmt: skip
            await self._failed(row, f"{type(exc).__name__}: {exc}", False)
            return False, True

    async def _deliver(self, row: OutboxRow, renderer: RobotRenderer) -> bool:
        db = self.svc.db
        if self.svc.now() >= row.expires_at:
            async with db.transaction() as tx:
                await outbox.mark(tx, row.id, "expired")
            return False
        rendered = await renderer.render(row.spec)
        parts = [] if rendered is None else await self._parts(rendered)
        if rendered is None or not parts:  # nothing to say, or nothing this robot can show
            async with db.transaction() as tx:
                await outbox.mark(tx, row.id, "skipped")
            return False
        done = await robot_store.parts_sent(db, row.id)
        for i in range(done, len(parts)):
            await self.pacer.wait()
            await self.client.send(parts[i])
            async with db.transaction() as tx:
                await robot_store.set_parts_sent(tx, row.id, i + 1)
                if i + 1 == len(parts):
                    await outbox.mark_sent(tx, row.id, None, rendered.text, self.svc.now())
        if done >= len(parts):  # every message went out before (the text got shorter since)
            async with db.transaction() as tx:
                await outbox.mark_sent(tx, row.id, None, rendered.text, self.svc.now())
        return True

    async def _parts(self, rendered: Rendered) -> list[content.Part]:
        public_url = self.service.public_url
        link = None
        if rendered.photo is not None and public_url and not isinstance(self.client, WeComClient):
            link = await self.service.chart_link(rendered.photo)
        made = content.parts(rendered, text_limit=self.client.text_limit, public_url=public_url,
                             chart_link=link)  # fmt: skip
        return self.client.arrange(made)

    async def _failed(self, row: OutboxRow, error: str, rate_limited: bool) -> None:
        now = self.svc.now()
        error = redact(clean_line(error), self.robot.secrets)[:300] or "-"
        delay = RETRY * 2**row.attempts
        if rate_limited:  # the platform holds the robot back: so do we, every row of it
            self.paused_until = now + self.client.rate_pause
            delay = max(delay, self.client.rate_pause)
        last = row.attempts + 1 >= MAX_ATTEMPTS
        log.warning("robot %r: %s %s not delivered (%s); try %d of %d%s", self.robot.name,
                    row.kind, row.period, error, row.attempts + 1, MAX_ATTEMPTS,
                    ", given up" if last else "")  # fmt: skip
        try:
            async with self.svc.db.transaction() as tx:
                if last:
                    await outbox.fail(tx, row.id, error, now)
                else:
                    await outbox.retry_later(tx, row.id, error, now, now + delay)
        except Exception:  # the database itself failing: the row stays due, tried again
            log.exception("robot %r: the failed try of %s could not be recorded",
                          self.robot.name, row.id)  # fmt: skip

    async def send_test(self, text: str) -> str | None:
        """Send a short text now (paced like the rest); the error line, or None when sent."""
        await self.pacer.wait()
        try:
            await self.client.send(content.Text(text.split("\n", 1)[0][:64], text))
        except RobotError as exc:
            return str(exc)
        return None


class RobotService:
    """The workers of every configured robot, and what they share: the renderer of the
    minute, the chart files the dashboard serves, the log filter for their secrets."""

    def __init__(self, svc: Services, ids: dict[str, int]) -> None:
        self.svc = svc
        self.workers = {r.name: RobotWorker(self, r, ids[r.name]) for r in svc.config.robots}
        self._tasks: list[asyncio.Task[None]] = []
        self._renderer: tuple[datetime, RobotRenderer] | None = None
        self._renderer_lock = asyncio.Lock()

    @property
    def public_url(self) -> str:
        """The dashboard's public address ([web] public_url), or "" without one."""
        web = getattr(self.svc.config, "web", None)
        return str(getattr(web, "public_url", "") or "").rstrip("/")

    @property
    def charts_dir(self) -> Path:
        """Charts sent to robots by link, named by content: the dashboard serves them at
        <public_url>/charts/<sha256>.png."""
        return self.svc.config.robot_charts_dir

    def start(self) -> None:
        self._tasks = [asyncio.create_task(w.run(), name=f"robot {w.id}")
                       for w in self.workers.values()]  # fmt: skip

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._renderer is not None:
            self._renderer[1].close()
        for worker in self.workers.values():
            await worker.client.close()

    def wake(self) -> None:
        """Ask every worker for a round now (e.g. after /pushnow planned something)."""
        for worker in self.workers.values():
            worker.wake()

    async def drain(self, *names: str) -> int:
        """A round of every worker (or those named), side by side; how many were delivered."""
        chosen = [w for n, w in self.workers.items() if not names or n in names]
        return sum(await asyncio.gather(*(w.round() for w in chosen)))

    async def renderer(self, now: datetime) -> RobotRenderer:
        """The renderer of `now`'s minute, shared by the workers."""
        minute = now.replace(second=0, microsecond=0)
        async with self._renderer_lock:
            if self._renderer is None or self._renderer[0] != minute:
                calendar = WorkCalendar(await schedule.exceptions(self.svc.db))
                config = self.svc.config
                made = RobotRenderer(
                    self.svc.db, calendar, config.bot.timezone, now, config.scoring
                )
                self._renderer = (minute, made)
            return self._renderer[1]

    async def chart_link(self, png: bytes) -> str:
        """Keep the chart where the dashboard serves it; its public address."""
        name = f"{hashlib.sha256(png).hexdigest()}.png"
        await asyncio.to_thread(_keep, self.charts_dir / name, png)
        return f"{self.public_url}/charts/{name}"


def _keep(path: Path, content_: bytes) -> None:
    """Write a file once, whole: a reader never sees half of it, and two robots keeping the
    same chart at once each write their own part and put the same bytes in place."""
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, exist_ok=True)
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
    partial.write_bytes(content_)
    partial.replace(path)
