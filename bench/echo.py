"""The yardstick: a bare python-telegram-bot echo bot on the same fake server.

PTB defaults plus `concurrent_updates(True)` (256 updates at once, like Jinzhan's per-chat
processor), no rate limiter, no storage: meant as an upper bound of what PTB itself does here.
With hundreds of people it is not quite one: its many requests in flight make httpcore's pool
bookkeeping the main cost, which `pool_size` (bench.reports --echo-pool) takes away.
"""

from __future__ import annotations

import time
import tracemalloc

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from application import ALLOWED_UPDATES
from bench.common import Bot, Driver, PhaseResult, Press, Script, rss_peak_mb
from tests.fakebot import FakeBotApi

FIRST_ID = 90_000
# Every echo carries one inline button, as most of Jinzhan's prompts do, so that the press
# step has something to press and the payloads are alike.
BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])


def echo_script(k: int) -> Script:
    """The texts of Jinzhan's report flow, each answered by itself, then a press."""
    texts = ["/report", f"第{k}次进展", "+100", "/skip", "/skip", "/skip"]
    return [(text, text) for text in texts] + [(Press("ok"), "已保存")]


ECHO = Bot(name="echo", script=echo_script)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(message.text, reply_markup=BUTTON)


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    await update.effective_chat.send_message("已保存")


def build_echo_app(fake: FakeBotApi, pool_size: int | None = None) -> Application:
    builder = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .concurrent_updates(True)
    )
    if pool_size is not None:
        # httpcore scans its whole pool on every request start and end: with hundreds of
        # requests in flight PTB's default pool (256) costs more CPU than the echoing itself.
        builder = builder.connection_pool_size(pool_size)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    app.add_handler(CallbackQueryHandler(_pressed))
    return app


async def run_echo(
    people: int,
    rounds: int,
    *,
    step_limit_s: float,
    run_limit_s: float,
    trace: bool,
    pool_size: int | None = None,
) -> PhaseResult:
    """Drive the echo bot like Jinzhan's liaisons drive Jinzhan; return its figures."""
    result = PhaseResult(bot="echo", people=people, rounds=rounds)
    async with FakeBotApi() as fake:
        app = build_echo_app(fake, pool_size)
        result.extra["pool_size"] = pool_size
        await app.initialize()
        await app.start()
        assert app.updater is not None
        # PTB's default polling (poll_interval 0), as this yardstick has always been measured;
        # Jinzhan polls as bot.py does (application.POLL_INTERVAL, tests.harness.RunningBot).
        await app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )
        try:
            users = [fake.user(FIRST_ID + i, f"用户{i}") for i in range(people)]
            result.rss_ready_mb = rss_peak_mb()
            if trace:
                tracemalloc.start()
            await Driver(fake, ECHO, result, step_limit_s).run(users, rounds, run_limit_s)
            if trace:
                result.heap_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
            result.rss_peak_mb = rss_peak_mb()
        finally:
            started = time.perf_counter()
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            result.extra["stop_s"] = time.perf_counter() - started
    return result
