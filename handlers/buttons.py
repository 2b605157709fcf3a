"""Inline buttons in PTB: a handler per schema (callback_data.py), and one catch-all.

A press reaches a handler only when its data parses under the handler's schema; any other
press is answered with "此按钮已失效" and changes nothing. A schema marked ``single_use`` takes
its keyboard off the message once pressed, so an old step's button is not pressed again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

import sender
from callback_data import Schema
from handlers.common import bound_person
from handlers.context import Context
from messages import t

log = logging.getLogger(__name__)
Callback = Callable[[Update, Context], Awaitable[Any]]
# Returned by a button's handler that edited the pressed message itself, keyboard included:
# a single-use keyboard then needs no second request to take it off.
REPLACED = "pressed message replaced"


def handler(schema: Schema, callback: Callback) -> CallbackQueryHandler:
    """A handler for presses of `schema`'s buttons: the query is answered first (the client
    stops its spinner), and a single-use keyboard is taken off its message afterwards."""

    async def pressed(update: Update, context: Context) -> None:
        assert update.callback_query is not None
        await _answer(update)
        replaced = False
        try:
            replaced = await callback(update, context) == REPLACED
        finally:
            if schema.single_use and not replaced:
                await _remove_keyboard(update)

    return CallbackQueryHandler(pressed, pattern=schema.matches)


async def _answer(update: Update) -> None:
    try:
        await update.callback_query.answer()
    except TelegramError as exc:  # too old to answer: the press itself still counts
        log.info("callback query not answered: %s", exc)


def pressed_text(update: Update) -> str | None:
    """The text of the message whose button was pressed (None: not a press, or no text)."""
    query = update.callback_query
    message = query.message if query is not None else None
    return getattr(message, "text", None) or None


async def edit_pressed(
    update: Update, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Put `text` and `reply_markup` in place of the pressed message's, in one edit. False,
    with nothing changed, when that cannot be (not a press, too long for one message, or
    Telegram refused the edit): the caller then says it in a message of its own."""
    query = update.callback_query
    message = query.message if query is not None else None
    if message is None or sender.units(text) > sender.TEXT_LIMIT:
        return False
    try:
        await sender.edit_text(
            message.get_bot(), message.chat.id, message.message_id, text,
            reply_markup=reply_markup,
        )  # fmt: skip
    except TelegramError as exc:  # e.g. too old to edit: said in a message of its own
        log.info("message %s not edited: %s", message.message_id, exc)
        return False
    return True


async def _remove_keyboard(update: Update) -> None:
    message = update.callback_query.message
    if message is None or not getattr(message, "reply_markup", None):
        return
    try:
        await message.edit_reply_markup(None)
    except TelegramError as exc:  # an old message may no longer be editable; harmless
        log.info("keyboard of message %s not removed: %s", message.message_id, exc)


async def on_stale(update: Update, context: Context) -> None:
    """Any press no schema accepts: say the button is no longer valid; change nothing. A
    stranger pressing forged buttons hears only the (hourly) stranger line."""
    await _answer(update)
    chat = update.effective_chat
    if chat is not None and await bound_person(update, context) is not None:
        await sender.send_text(context.bot, chat.id, t("common.stale_button"))


def register_stale(app: Application) -> None:
    """Last of all handlers: the catch-all for presses nobody took."""
    app.add_handler(CallbackQueryHandler(on_stale))
