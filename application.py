"""Build the PTB Application: transport, lifecycle (open the store, menus, jobs), handlers."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application, ApplicationBuilder

import handlers
import heap
import robots
import scheduler
from archive import Archiver, PhotoFolder
from config import Config
from handlers.context import CONTEXT_TYPES
from handlers.menu import set_all_menus, set_person_menu
from rate_limit import RetryingRateLimiter
from runtime import BotData, Services
from services.people import apply_config_admins
from services.workdays import work_calendar
from storage import Database
from transport import PerChatUpdateProcessor
from web.server import WebServer

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
# Seconds between two getUpdates (PTB's poll_interval). Telegram answers a poll as soon as one
# update waits: polling again at once, a busy bot fetches its updates one request at a time,
# and the polls cost it about a fifth of its time (bench.reports). After this pause a poll
# brings what arrived meanwhile in one answer. An idle bot is in a long poll, which returns
# the moment an update comes: a lone liaison waits for nothing.
POLL_INTERVAL = 0.02


class JinzhanApplication(Application):
    """PTB's Application with a bounded stop.

    PTB's stop() waits for every fetched update to be handled and for the running job to end;
    with replies queued in the rate limiter (20/min into a flooded group) or a fan-out of
    thousands of reminders in progress, that took minutes. Here, after the processor's grace
    period, the updates still running are cancelled, the ones not started are dropped (logged),
    and the Bot API requests still waiting are cancelled; then the scheduler's sending, which
    runs beside its ticks, is cancelled too. An outbox row is marked sent only once Telegram
    answered, so the next start sends the rest.
    """

    async def start(self) -> None:
        await super().start()
        archiver = self.bot_data.archive
        if archiver is not None:  # photos are downloaded while the bot runs
            await archiver.start()

    async def stop(self) -> None:
        archiver = self.bot_data.archive
        if archiver is not None:  # a download in flight stays pending for the next start
            await archiver.stop()
        processor = self.update_processor
        timer = None
        if isinstance(processor, PerChatUpdateProcessor):
            timer = asyncio.get_running_loop().call_later(processor.stop_grace, self._cut_off)
        try:
            await super().stop()
        finally:
            if timer is not None:
                timer.cancel()
            # Sending runs beside the scheduler's ticks, not inside them: end it too.
            if self.bot_data.has_scheduler:
                await self.bot_data.scheduler.stop()

    def _cut_off(self) -> None:
        processor = self.update_processor
        if isinstance(processor, PerChatUpdateProcessor):
            processor.cut_off()
        limiter = self.bot.rate_limiter
        if isinstance(limiter, RetryingRateLimiter):
            limiter.cut_off()


def build_application(config: Config) -> Application:
    app = (
        ApplicationBuilder()
        .application_class(JinzhanApplication)
        .token(config.telegram.token)
        .base_url(config.telegram.base_url)
        .base_file_url(config.telegram.base_file_url)
        .rate_limiter(
            RetryingRateLimiter(
                rate=config.telegram.rate_limit, group_per_minute=config.telegram.group_rate_limit
            )
        )
        .concurrent_updates(PerChatUpdateProcessor())
        .connect_timeout(10)
        .read_timeout(config.telegram.timeout)
        .write_timeout(30)
        .get_updates_read_timeout(40)
        # Room for the final offset-confirming getUpdates while a long poll is cancelled.
        .get_updates_connection_pool_size(2)
        .context_types(CONTEXT_TYPES)  # handlers get a typed Context, bot_data is a BotData
        .post_init(_on_startup)
        .post_shutdown(_on_shutdown)
        .build()
    )
    state: BotData = app.bot_data
    state.config = config
    handlers.register(app)
    return app


async def _on_startup(app: Application) -> None:
    state: BotData = app.bot_data
    assert state.config is not None
    config = state.config
    db = await Database.open(config.storage_path)
    state.services = Services(db=db, config=config)
    dropped = await apply_config_admins(db, config.bot.admins)
    await set_all_menus(app.bot, db)
    for person in dropped:  # no longer admins: their own menu loses the admin commands
        await set_person_menu(app.bot, person)
        log.warning("%s (%s) is no longer in bot.admins: admin role removed", person.name,
                    person.tg_user_id)  # fmt: skip
    await scheduler.setup(app)
    state.archive = Archiver(  # runs from start() to stop()
        app.bot, db, PhotoFolder.beside(config.storage_path), state.services.now
    )
    await _start_web(state, app, config, db)
    await robots.setup(app)
    heap.settle()  # start-up is done: its objects leave the collector's way
    log.info("Jinzhan started as @%s, store %s", app.bot.username, config.storage_path)


async def _start_web(state: BotData, app: Application, config: Config, db: Database) -> None:
    """The dashboard, in this event loop; its clock and calendar are the bot's own."""
    if config.web.enabled:
        services = state.services
        server = WebServer(db, config, lambda: services.now(), lambda: work_calendar(db),
                           app.bot)  # fmt: skip
        await server.start()
        state.web = server


async def _on_shutdown(app: Application) -> None:
    heap.unsettle()
    state: BotData = app.bot_data
    archiver, state.archive = state.archive, None
    if archiver is not None:
        await archiver.stop()
    server, state.web = state.web, None
    if server is not None:
        await server.stop()
    await robots.shutdown(app)
    if state.started:
        await state.services.db.close()
