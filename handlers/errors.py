"""The one error handler: log first, then tell the person something useful."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

import sender
from handlers.context import Context
from messages import t

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the exception; if it came from a private chat, apologise there."""
    log.error("error while handling %s", update, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return  # a job or a poll error: the log is all we can do
    if update.effective_chat.type != "private":
        return
    try:
        await sender.send_text(context.bot, update.effective_chat.id, t("common.internal_error"))
    except TelegramError:
        log.warning("could not tell chat %s about the error", update.effective_chat.id)


def register(app: Application) -> None:
    app.add_error_handler(on_error)
