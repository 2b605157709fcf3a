"""Sending what the outbox holds: once per row, within Telegram's limits, retried on failure.

A row is marked sent in the same breath as Telegram's answer arrives, so after a crash only
the message that was in flight at that instant can go out again; everything else is sent
exactly once. The rate limiter (rate_limit.py) paces sends to the configured overall
rate and 20/min per group and waits out 429s; a chat that blocked the bot (403) is marked and
skipped from then on.

Runs may overlap: a 10,000-reminder fan-out takes minutes, and the rows planned meanwhile (a
board, /pushnow) go out beside it, sharing the pace, rather than after it. `Outgoing` keeps
every row in one run's hands at a time.

Charts are drawn one at a time (they take 0.1-0.3 s of CPU and ~10 MB each) and outside the
send slots, so a chart being drawn never holds up a text; a chart rendered ahead of its send
slot (scheduler.ahead) is sent as it is.

Each row is its own unit: whatever goes wrong while one row is rendered or sent (a refused
file, a bug, a Telegram outage) is logged with the row's id and counted on that row, which is
retried after 30 s × 2^attempts and marked failed after MAX_ATTEMPTS (admins see it in
/schedule; /pushnow gives it another try). No row can stop the others, nor the tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

import sender
from archive.folder import PhotoFolder
from archive.strip import caption, month_strip
from domain.text import clean_line
from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from scheduler import ahead, render
from scheduler.periodic import KINDS as PERIODIC
from scheduler.periodic import PeriodicRenderer
from storage import Database, outbox, progress, push_targets
from storage.outbox import OutboxRow
from timeutil import to_iso

log = logging.getLogger(__name__)
CONCURRENCY = 30  # requests in flight; the rate limiter decides the pace
MAX_ATTEMPTS = 5  # tries of one row before it is marked failed
RETRY_SECONDS = 30  # the first retry's delay; it doubles with each attempt


def markup(buttons: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


class Outgoing:
    """The outbox rows some run is delivering, so that overlapping runs never take one twice.

    A run reads the due rows, then keeps those no other run holds. A row another run finished
    while this read was on its way may still read as pending: finished rows are remembered
    until a read that began after they were marked sent.
    """

    def __init__(self) -> None:
        self._held: set[int] = set()
        self._finished: dict[int, int] = {}  # row id -> serial of its finishing
        self._serial = 0
        self._reading = asyncio.Lock()

    async def claim(self, read: Callable[[], Awaitable[list[OutboxRow]]]) -> list[OutboxRow]:
        async with self._reading:
            began = self._serial
            rows = await read()
            # What finished before this read began reads as it is now: forget it. What
            # finished while it was on its way may read as it was: skip it this time.
            self._finished = {i: n for i, n in self._finished.items() if n > began}
            rows = [r for r in rows if r.id not in self._held and r.id not in self._finished]
            self._held.update(r.id for r in rows)
            return rows

    def release(self, row_id: int) -> None:
        """The row is delivered, failed or put off: its new state is committed."""
        self._held.discard(row_id)
        self._serial += 1
        self._finished[row_id] = self._serial

    @property
    def busy(self) -> bool:
        return bool(self._held)


class Dispatcher:
    """Sends due outbox rows through one Bot."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        tz,
        deadline: str,
        photos: PhotoFolder | None,
        scoring: ScoringConfig,
        outgoing: Outgoing,
        drawing: asyncio.Lock,
    ) -> None:
        self.bot = bot
        self.db = db
        self.tz = tz
        self.deadline = deadline
        self.photos = photos  # the archive, for the monthly 晾晒 strip
        self.scoring = scoring
        self.outgoing = outgoing
        self.drawing = drawing  # one chart at a time, bot-wide
        self._periodic: PeriodicRenderer | None = None

    async def run(self, now: datetime, calendar: WorkCalendar) -> int:
        """Send every due row no other run holds; return how many were sent.

        Texts (and charts drawn ahead) go through CONCURRENCY workers, each rendering and
        sending one row at a time (a task per row would be 10,000 tasks for a fan-out); other
        charts are drawn one at a time outside the send slots, each sent as soon as drawn.
        """
        rows = await self.outgoing.claim(lambda: outbox.due(self.db, now, limit=100_000))
        self._periodic = PeriodicRenderer(self.db, calendar, self.tz, now, self.scoring)
        gate = asyncio.Semaphore(CONCURRENCY)  # requests in flight, texts and charts alike
        ready = await ahead.ready(self.db, now) if any(map(_periodic, rows)) else set()

        def to_draw(row: OutboxRow) -> bool:
            return _periodic(row) and ahead.key(row.spec) not in ready

        # A chart drawn ahead is read when its slot comes, like a text: 150 of them held at
        # once would be ~40 MB.
        texts = iter([r for r in rows if not to_draw(r)])
        sent = 0

        async def deliver(row: OutboxRow, slot: AbstractAsyncContextManager) -> None:
            nonlocal sent
            try:
                sent += await self._deliver_isolated(row, now, slot)
            finally:
                self.outgoing.release(row.id)

        async def worker() -> None:
            for row in texts:  # shared: each row goes to one worker
                async with gate:
                    await deliver(row, contextlib.nullcontext())

        charts = [deliver(r, gate) for r in rows if to_draw(r)]
        await asyncio.gather(*charts, *(worker() for _ in range(CONCURRENCY)))
        return sent

    async def _render(self, row: OutboxRow, now: datetime) -> render.Rendered | None:
        spec = row.spec
        kind = spec["render"]
        if kind == "remind":
            return await render.remind(self.db, row, self.deadline)
        if kind == "board":
            day = date.fromisoformat(spec["day"])
            return await render.board(self.db, spec["unit_id"], day, now, self.tz)
        if kind == "digest":
            return await render.digest(self.db, date.fromisoformat(spec["day"]), spec["unit_id"])
        if kind in PERIODIC:
            made = await ahead.made(self.db, spec, now)
            if made is not None:
                return made
            assert self._periodic is not None
            async with self.drawing:
                return await self._periodic.render(spec)
        if kind == "strip":
            return await self._strip(spec)
        return render.Rendered(spec["text"], [])

    async def _strip(self, spec: dict) -> render.Rendered | None:
        """The month's 晾晒 strip; None (skipped) for a month without archived photos."""
        end = date.fromisoformat(spec["end"])
        found = self.photos and await month_strip(
            self.db, self.photos, date.fromisoformat(spec["start"]), end
        )
        return render.Rendered(caption(found, end), [], photo=found.image) if found else None

    async def _deliver_isolated(
        self, row: OutboxRow, now: datetime, slot: AbstractAsyncContextManager
    ) -> bool:
        """Deliver one row; whatever fails is this row's own, not the other rows' or the tick's."""
        try:
            return await self._deliver(row, now, slot)
        except TelegramError as exc:  # 5xx, timeouts, 429 beyond the limiter's retries
            log.warning("outbox %s to %s failed (%s); attempt %d", row.id, row.chat_id, exc,
                        row.attempts + 1)  # fmt: skip
            failure: Exception = exc
        except Exception as exc:  # a render that raised: a bug, or data a file cannot hold
            log.exception("outbox %s (%s %s to %s) failed; attempt %d", row.id, row.kind,
                          row.period, row.chat_id, row.attempts + 1)  # fmt: skip
            failure = exc
        try:
            await self._attempt_failed(row, failure, now)
        except Exception:  # e.g. the database itself is failing: the next tick sees the row
            log.exception("outbox %s: the failed attempt could not be recorded", row.id)
        return False

    async def _deliver(
        self, row: OutboxRow, now: datetime, slot: AbstractAsyncContextManager
    ) -> bool:
        """Render the row, then send it within `slot` (one of the requests in flight)."""
        if now >= row.expires_at:
            async with self.db.transaction() as tx:
                await outbox.mark(tx, row.id, "expired")
            return False
        rendered = await self._render(row, now)
        if rendered is None:  # e.g. the liaison reported meanwhile
            async with self.db.transaction() as tx:
                await outbox.mark(tx, row.id, "skipped")
            return False
        async with slot:
            try:
                message = await self._send(row.chat_id, rendered)
            except Forbidden as exc:
                await self._blocked(row, str(exc), now)
                return False
            except BadRequest as exc:  # Telegram refuses this message: trying again cannot help
                async with self.db.transaction() as tx:
                    await outbox.fail(tx, row.id, error_line(exc), now)
                log.warning("outbox %s to %s refused: %s", row.id, row.chat_id, exc)
                return False
            async with self.db.transaction() as tx:
                await outbox.mark_sent(tx, row.id, message.message_id,
                                       rendered.content or rendered.text, now)  # fmt: skip
        return True

    async def _attempt_failed(self, row: OutboxRow, exc: Exception, now: datetime) -> None:
        async with self.db.transaction() as tx:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                await outbox.fail(tx, row.id, error_line(exc), now)
            else:
                delay = timedelta(seconds=RETRY_SECONDS * 2**row.attempts)
                await outbox.retry_later(tx, row.id, error_line(exc), now, now + delay)

    async def _send(self, chat_id: int, rendered: render.Rendered):
        if rendered.photo is not None:
            return await sender.send_photo(self.bot, chat_id, rendered.photo,
                                           caption=rendered.text)  # fmt: skip
        if rendered.document is not None:
            name, content = rendered.document
            return await sender.send_document(
                self.bot, chat_id, content, filename=name, caption=rendered.text
            )
        return await sender.send_text(
            self.bot, chat_id, rendered.text, reply_markup=markup(rendered.buttons)
        )

    async def _blocked(self, row: OutboxRow, error: str, now: datetime) -> None:
        async with self.db.transaction() as tx:
            await outbox.mark(tx, row.id, "blocked", error)
            if row.chat_id > 0:
                await progress.set_blocked(tx, row.chat_id, to_iso(now))
            else:
                await push_targets.set_active(tx, row.chat_id, False)
        log.info("chat %s blocked the bot; skipped from now on", row.chat_id)


def _periodic(row: OutboxRow) -> bool:
    return row.spec["render"] in PERIODIC


def error_line(exc: BaseException) -> str:
    """The error in one short line, as stored on the row and shown in /schedule."""
    text = clean_line(str(exc)) or "-"  # an error may quote the very text that was refused
    return f"{type(exc).__name__}: {text}"[:300]
