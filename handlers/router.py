"""Private messages that are not commands, /skip, and unknown commands.

A typed answer belongs to whatever flow the person has open (a report, a problem or an import
draft); with none open, a document from an admin is taken as a project list, anything else
gets a hint. A long paste that Telegram split into several messages reaches the flow as one
text (handlers.paste), never as a fragment.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from handlers import imports, problems, report
from handlers.common import bound_person, is_private, reply
from handlers.context import Context
from handlers.paste import pastes
from messages import t
from storage import drafts
from storage.drafts import Draft
from storage.people import Person


async def on_private_message(update: Update, context: Context) -> None:
    """Route a typed answer, photo or file to the open flow."""
    person = await bound_person(update, context)
    if person is None:
        pastes(context).forget(update)  # removed while a paste of theirs was held
        return
    for i, one in enumerate(pastes(context).take(update)):
        # The draft was read with the person; after a held paste went first, it may have moved.
        draft = person.draft if i == 0 else await drafts.get(context.db, person.tg_user_id)
        await _route(one, context, person, draft)


async def _route(update: Update, context: Context, person: Person, draft: Draft | None) -> None:
    message = update.effective_message
    if draft and draft.kind == "report" and person.is_liaison:
        await report.on_input(update, context, person, draft)
    elif draft and draft.kind == problems.DRAFT:
        await problems.on_input(update, context, person, draft)
    elif (
        message.document
        and person.is_admin
        and not (message.document.mime_type or "").startswith("image/")
    ):
        await imports.on_document(update, context, person)
    elif draft and draft.kind == "import":
        await imports.on_input(update, context, person, draft)
    else:
        await reply(update, t("common.no_flow"))


async def skip_command(update: Update, context: Context) -> None:
    """/skip: leave an optional report step empty."""
    person = await bound_person(update, context)
    if person is None:
        return
    draft = person.draft  # read with the person
    if draft and draft.kind == problems.DRAFT:
        await problems.on_skip(update, context, person, draft)
        return
    if draft is None or draft.kind != "report":
        await reply(update, t("common.nothing_to_skip"))
        return
    if update.update_id <= draft.last_update_id:
        return
    await report.on_skip(update, context, person, draft)


async def unknown_command(update: Update, context: Context) -> None:
    """Any command no handler took."""
    if not is_private(update):
        return  # groups are full of other bots' commands; stay quiet there
    if await bound_person(update, context) is None:
        return
    command = (update.effective_message.text or "").split()[0][:32]
    await reply(update, t("common.unknown_command", command=command))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("skip", skip_command))
    app.add_handler(CommandHandler("cancel", report.cancel_command))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & filters.UpdateType.MESSAGE,
            on_private_message,
        )
    )
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
