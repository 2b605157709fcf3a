"""Scheduled reminders and pushes.

The database is the source of truth: every tick reads the schedule, the calendar and the
outbox, plans the runs that are due (once per kind and period; among them the daily status
run, which recomputes every project's status instead of sending), sends what is due, and
edits the day's boards that changed. A tick runs at startup (so a run missed while the bot
was down goes out if still useful) and then every TICK_SECONDS; an admin's change to the
schedule is seen by the next tick, without a restart.

Planning is one tick's at a time, and short. Sending is not part of it: a 10,000-reminder
fan-out takes minutes at Telegram's pace, and meanwhile later ticks plan, send what they
planned beside it (sharing the pace), and edit boards; a report's board is edited within
seconds rather than at the next tick (BOARD_DELAY). Weekly and monthly charts are rendered
ahead of their send slot (scheduler.ahead), so their fan-out keeps the pace too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import date, datetime, timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackContext

import sender
from archive.folder import PhotoFolder
from domain.schedule_kinds import REMIND, REMINDERS
from domain.workdays import WorkCalendar
from messages import t
from runtime import BotData, Services
from scheduler import ahead, escalation
from scheduler.dispatch import Dispatcher, Outgoing
from scheduler.plan import plan
from scheduler.render import board
from scheduler.slots import Slot, current_slot, due_slots
from services.workdays import work_calendar
from storage import Database, outbox, people, schedule
from storage.outbox import OutboxRow
from timeutil import local_date

log = logging.getLogger(__name__)
TICK_SECONDS = 10
BOARD_DELAY = 1.0  # seconds from a report to its board's edit: reports a moment apart share one
MANUAL_GRACE = timedelta(hours=1)


class Scheduler:
    """Plans and sends the scheduled runs of one Application."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self._planning = asyncio.Lock()  # plans and the problem ledger: one tick's at a time
        self._editing = asyncio.Lock()  # board edits: one refresh at a time
        self._drawing = asyncio.Lock()  # charts: one at a time, bot-wide (CPU and memory)
        self._outgoing = Outgoing()
        self._tasks: set[asyncio.Task[Any]] = set()  # sending runs, rendering ahead, edits
        self._ahead: asyncio.Task[Any] | None = None
        self._board_soon: asyncio.TimerHandle | None = None
        self._dirty_units: set[int] | None = None  # None: refresh every board once (startup)
        self._failing: dict[str, str] = {}  # tick step -> its last error, logged once
        self._stopping = False

    @property
    def _svc(self) -> Services:
        return self.app.bot_data.services

    @property
    def db(self) -> Database:
        return self._svc.db

    @property
    def _rules(self) -> dict[str, Any]:
        """The deployment's ranking rules, as plan() takes them."""
        config = self._svc.config
        return {"scoring": config.scoring, "thresholds": config.thresholds}

    async def calendar(self) -> WorkCalendar:
        return await work_calendar(self.db)

    def board_dirty(self, unit_id: int) -> None:
        """A report came in for this unit: its board (if any today) is edited in a moment."""
        if self._dirty_units is not None:
            self._dirty_units.add(unit_id)
        if self._board_soon is None and not self._stopping:
            loop = asyncio.get_running_loop()
            self._board_soon = loop.call_later(BOARD_DELAY, self._edit_boards_now)

    def _edit_boards_now(self) -> None:
        self._board_soon = None
        self._spawn(self._step("boards", self._refresh_boards(self._svc.now())))

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def tick(self, now: datetime | None = None, *, wait: bool = True) -> None:
        """Plan what is due, start sending it, render ahead what is due soon, refresh boards.

        Each step runs even when an earlier one failed (the failure is logged), so a bug in
        one run's planning or in the problem ledger cannot stop reminders, sends or boards.
        `wait`: return only once everything being sent or rendered ahead is done (tests,
        tools); the scheduler's own tick does not wait, so it never holds up the next one.
        """
        now = now or self._svc.now()
        async with self._planning:
            tz = self._svc.config.bot.timezone
            calendar = await self.calendar()
            items = await schedule.items(self.db)
            await self._step("calendar", self._warn_unknown_year(now, calendar))
            for slot in due_slots(items, now, tz, calendar):
                await self._step(f"plan {slot.kind}", self._plan_due(slot, now, calendar))
            # The problem ledger: announce, escalate, weekly departments list (into the outbox).
            await self._step("problems", escalation.run(
                self.db, now=now, tz=tz, calendar=calendar, items=items
            ))  # fmt: skip
        self._send(items, now, calendar)
        self._render_ahead(items, now, calendar)
        await self._step("boards", self._refresh_boards(now))
        if wait:
            await self.settle()

    async def settle(self) -> None:
        """Wait until nothing is being sent, rendered ahead or edited."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        """The bot is stopping: cancel what is being sent, rendered or edited, and wait for it.
        A row cut off this way is still pending in the outbox and goes out at the next start."""
        self._stopping = True
        if self._board_soon is not None:
            self._board_soon.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _send(self, items, now: datetime, calendar: WorkCalendar) -> asyncio.Task[Any]:
        """Start sending what is due and not being sent already."""
        return self._spawn(self._step("dispatch", self._dispatcher(items).run(now, calendar)))

    def _render_ahead(self, items, now: datetime, calendar: WorkCalendar) -> None:
        """Start rendering the weekly or monthly run due soon, unless it is being rendered."""
        if self._ahead is not None and not self._ahead.done():
            return
        slots = ahead.upcoming(items, now, self._svc.config.bot.timezone)
        if slots:
            self._ahead = self._spawn(self._step("ahead", self._prepare(slots, now, calendar)))

    async def _prepare(self, slots: list[Slot], now: datetime, calendar: WorkCalendar) -> None:
        config = self._svc.config
        for slot in slots:
            await ahead.prepare(self.db, slot, now=now, calendar=calendar, tz=config.bot.timezone,
                                scoring=config.scoring, drawing=self._drawing)  # fmt: skip

    async def _step(self, name: str, work: Coroutine[Any, Any, Any]) -> None:
        """Run one step of a tick; a failure is logged once (and its recovery), not per tick."""
        try:
            await work
        except Exception as exc:
            signature = f"{type(exc).__name__}: {exc}"
            if self._failing.get(name) != signature:
                log.exception("scheduler step %r failed; the other steps still run", name)
            self._failing[name] = signature
            return
        if self._failing.pop(name, None) is not None:
            log.info("scheduler step %r works again", name)

    async def _plan_due(self, slot: Slot, now: datetime, calendar: WorkCalendar) -> None:
        if not await schedule.was_run(self.db, slot.kind, slot.period):
            tz = self._svc.config.bot.timezone
            await plan(self.db, slot, now=now, calendar=calendar, tz=tz, **self._rules)

    async def run_now(self, kind: str, actor: int, now: datetime | None = None) -> int:
        """/pushnow: plan the current period of `kind` now and send it; return new deliveries.
        Returns once this run's rows are sent, whatever else is being sent meanwhile."""
        now = now or self._svc.now()
        async with self._planning:
            tz = self._svc.config.bot.timezone
            items = await schedule.items(self.db)
            calendar = await self.calendar()
            slot = self._slot_for(kind, items, now, tz)
            added = await plan(self.db, slot, now=now, calendar=calendar, tz=tz, trigger="manual",
                               actor=actor, **self._rules)  # fmt: skip
        sending = self._send(items, now, calendar)
        await self._step("boards", self._refresh_boards(now))
        await sending
        return added

    def _slot_for(self, kind: str, items, now: datetime, tz) -> Slot:
        day = local_date(now, tz)
        if kind == REMIND:
            # The latest reminder whose time has come (the first one before any is due).
            due = [k for k in REMINDERS if current_slot(k, items, day, tz).due <= now]
            kind = due[-1] if due else REMINDERS[0]
        slot = current_slot(kind, items, day, tz)
        # An admin asked for it: due now, and worth sending for a while even after its deadline.
        return Slot(slot.kind, slot.period, slot.day, now, max(slot.expires, now + MANUAL_GRACE))

    def _dispatcher(self, items) -> Dispatcher:
        deadline = items["board"].at.strftime("%H:%M")
        config = self._svc.config
        return Dispatcher(self.app.bot, self.db, config.bot.timezone, deadline,
                          PhotoFolder.beside(config.storage_path), config.scoring,
                          self._outgoing, self._drawing)  # fmt: skip

    async def _warn_unknown_year(self, now: datetime, calendar: WorkCalendar) -> None:
        year = local_date(now, self._svc.config.bot.timezone).year
        if calendar.knows_year(year):
            return
        text = t("push.calendar_unknown", year=year)
        admins = {p.tg_user_id for p in await people.with_role(self.db, "admin")}
        admins.update(self._svc.config.bot.admins)
        async with self.db.transaction() as tx:
            for chat_id in sorted(admins):
                await outbox.enqueue(
                    tx, kind="calendar", period=str(year), chat_id=chat_id,
                    spec={"render": "text", "text": text}, not_before=now,
                    expires_at=now + timedelta(days=7), now=now,
                )  # fmt: skip

    async def _refresh_boards(self, now: datetime) -> None:
        """Edit today's sent boards whose content changed (one message per group per day)."""
        async with self._editing:
            await self._edit_boards(now)

    async def _edit_boards(self, now: datetime) -> None:
        day = local_date(now, self._svc.config.bot.timezone)
        sent = await outbox.sent_of_kind(self.db, "board", day.isoformat())
        dirty, self._dirty_units = self._dirty_units, set()
        for row in sent:
            unit_id = row.spec["unit_id"]
            if dirty is not None and unit_id not in dirty:
                continue
            try:
                await self._refresh_board(row, unit_id, day, now)
            except TelegramError as exc:  # 5xx, timeouts: worth another try
                log.warning("board %s in %s not edited (%s); next tick retries", row.id,
                            row.chat_id, exc)  # fmt: skip
                self.board_dirty(unit_id)
            except Exception:  # one board's failure is its own; the next report retries it
                log.exception("board %s in %s not refreshed", row.id, row.chat_id)

    async def _refresh_board(self, row: OutboxRow, unit_id: int, day: date, now: datetime) -> None:
        fresh = await board(self.db, unit_id, day, now, self._svc.config.bot.timezone)
        if fresh.content == row.last_text or row.message_id is None:
            return
        try:
            await sender.edit_text(self.app.bot, row.chat_id, row.message_id, fresh.text)
        except (BadRequest, Forbidden) as exc:  # gone, not ours to edit: another try is noise
            if "not modified" not in str(exc).lower():
                log.warning("board %s in %s not edited: %s", row.id, row.chat_id, exc)
        async with self.db.transaction() as tx:
            await outbox.set_text(tx, row.id, fresh.content)


async def _tick_job(context: CallbackContext[Any, Any, Any, BotData]) -> None:
    try:
        await context.bot_data.scheduler.tick(wait=False)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise  # this task itself was cancelled: let it end
        # The stop cut the sends off (transport.RetryingRateLimiter.cut_off); unsent rows stay
        # in the outbox for the next start. Not an error for the operator to chase.
        log.info("scheduler tick cut short by the stop; the outbox keeps what was not sent")


async def setup(app: Application) -> None:
    """Create the scheduler and its repeating tick (the first one catches up at startup)."""
    app.bot_data.scheduler = Scheduler(app)
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    app.job_queue.run_repeating(
        _tick_job, interval=TICK_SECONDS, first=1, name="scheduler.tick",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )  # fmt: skip
