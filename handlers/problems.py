"""The problem ledger (问题清单) in chat: its commands, buttons and typed steps, wired here.

- /problem (handlers.problem_raise): a liaison raises a problem.
- /p<id> (handlers.problem_card): the card, opened by the link in every notice, with the
  buttons the viewer may use now (handlers.problem_actions); 交办 walks through
  handlers.problem_assign.
- /problems (handlers.problem_list): the open problems in the caller's scope; settings.
The decisions (who may act, what changes, who hears of it) are services.problems'.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from callback_data import (
    PROBLEM_CARD,
    PROBLEM_CATEGORY,
    PROBLEM_DEADLINE,
    PROBLEM_DEPARTMENT,
    PROBLEM_NO_PHOTO,
    PROBLEM_PICK,
)  # fmt: skip
from handlers import (
    buttons,
    problem_actions,
    problem_assign,
    problem_card,
    problem_list,
    problem_raise,
)
from handlers.context import Context
from handlers.problem_steps import ASSIGN_STEPS, DRAFT, RAISE_STEPS
from storage.drafts import Draft
from storage.people import Person

__all__ = ["DRAFT", "on_input", "on_skip", "register"]


async def on_input(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """A message typed (or a photo sent) while a problem draft is open: to its step."""
    if update.update_id <= draft.last_update_id:
        return  # redelivered after a restart: already handled
    if draft.state in RAISE_STEPS:
        await problem_raise.on_input(update, context, person, draft)
    elif draft.state in ASSIGN_STEPS:
        await problem_assign.on_input(update, context, person, draft)
    else:
        await problem_actions.on_input(update, context, person, draft)


async def on_skip(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """/skip inside a problem draft: only the photo is optional."""
    if update.update_id <= draft.last_update_id:
        return
    await problem_raise.on_skip(update, context, person, draft)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("problem", problem_raise.problem_command))
    app.add_handler(CommandHandler("problems", problem_list.problems_command))
    # /p12 — the tappable link in every notice (a command name cannot carry a number).
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE
            & filters.Regex(r"^/p\d{1,9}(@\w+)?$"),
            problem_card.card_command,
        )
    )
    for schema, callback in (
        (PROBLEM_PICK, problem_raise.on_pick),
        (PROBLEM_CATEGORY, problem_raise.on_category),
        (PROBLEM_NO_PHOTO, problem_raise.on_no_photo),
        (PROBLEM_CARD, problem_actions.on_card_button),
        (PROBLEM_DEPARTMENT, problem_assign.on_department),
        (PROBLEM_DEADLINE, problem_assign.on_deadline),
    ):
        app.add_handler(buttons.handler(schema, callback))
