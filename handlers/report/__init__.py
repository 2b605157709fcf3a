"""/report: a liaison's guided progress report, one step per field of the report template.

The handlers here parse an update (text cleaned once, here, at the boundary), call one
function of services.reporting, and render what it returns (handlers.report.render). The
report in progress is a draft row written at every step (see services.reporting).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from callback_data import (
    REPORT_CONFIRM,
    REPORT_KEEP,
    REPORT_OPTION,
    REPORT_PICK,
    REPORT_PROJECT,
    REPORT_REDO,
)
from domain.text import clean, clean_line
from handlers import buttons
from handlers.common import command_args, requires, sent_file
from handlers.context import Context
from handlers.report.render import show
from services import reporting
from services.report_results import CONFIRM, Env, Said, Typed
from services.report_submit import submit
from storage.drafts import Draft
from storage.people import Person


def env(context: Context) -> Env:
    """What the reporting service works with, for this update."""
    return Env(context.db, context.today(), context.now(), context.config.bot.timezone,
               context.calendar, context.scheduler.board_dirty, context.photos_kept,
               context.config.thresholds)  # fmt: skip


@requires("liaison")
async def report_command(update: Update, context: Context, person: Person) -> None:
    """Start a report (or resume the one in progress); `/report CODE` picks the project."""
    args = command_args(update)
    code = clean_line(args[0]) if args else None
    await show(update, await reporting.start(env(context), person, update.update_id, code=code))


@requires("liaison")
async def report_project_button(update: Update, context: Context, person: Person) -> None:
    """A "report on project X" button (after a submission, in /mine, in a reminder)."""
    (project_id,) = REPORT_PROJECT.read(update)
    result = await reporting.start(env(context), person, update.update_id, project_id=project_id)
    await show(update, result)


async def on_input(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """A message typed (or a photo sent) while a report draft is open."""
    message = update.effective_message
    assert message is not None
    typed = Typed(
        update_id=update.update_id,
        text=clean(message.text or message.caption or ""),
        photo=sent_file(message),
    )
    await show(update, await reporting.answer(env(context), person, draft, typed))


async def on_skip(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """/skip: leave the step's answer as it is."""
    await show(update, await reporting.keep_step(env(context), person, draft, update.update_id))


def _pressed(data: object) -> tuple[str, str, str, object]:
    """(nonce, step, action, argument) of a /report step's button."""
    if (v := REPORT_PICK.parse(data)) is not None:
        return v[0], v[1], "pick", v[2]
    if (v := REPORT_OPTION.parse(data) or REPORT_REDO.parse(data)) is not None:
        return v
    v = REPORT_KEEP.parse(data) or REPORT_CONFIRM.parse(data)
    assert v is not None, "only the report's schemas route here"
    return v[0], v[1], v[2], None


@requires("liaison")
async def on_button(update: Update, context: Context, person: Person) -> str | None:
    """A button of a report step: r:<nonce>:<step>:<action>[:<argument>]."""
    assert update.callback_query is not None
    nonce, step, action, arg = _pressed(update.callback_query.data)
    if action == "ok" and step == CONFIRM:  # the submission reads the draft in its transaction
        return await show(update, await submit(env(context), person, nonce, update.update_id))
    draft = person.draft  # read with the person, for this update
    if draft is None or not reporting.live(draft, nonce, step):
        await show(update, Said("common.stale_button"))
        return
    result = await reporting.press(env(context), person, draft, action, arg, update.update_id)
    return await show(update, result)


async def cancel_command(update: Update, context: Context) -> None:
    """/cancel: drop whatever flow is open (report, problem or import); nothing is stored."""
    user = update.effective_user
    if user is None:
        return
    await show(update, await reporting.cancel(context.db, user.id))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("report", report_command))
    for schema in (REPORT_PICK, REPORT_KEEP, REPORT_OPTION, REPORT_CONFIRM, REPORT_REDO):
        app.add_handler(buttons.handler(schema, on_button))
    app.add_handler(buttons.handler(REPORT_PROJECT, report_project_button))
