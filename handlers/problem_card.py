"""A problem's card (/p<id>): the problem, its standing and history, the viewer's buttons.

The card is one message, so its buttons stay under it: when the whole history does not fit
Telegram's limit, the latest events are shown after a "…另有 N 条" line. `finish` is how every
action on a problem ends: the service decides, the actor hears the outcome and gets the card.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import TelegramError

import sender
from callback_data import PROBLEM_CARD
from domain import problem_flow as flow
from handlers.common import keyboard, reply, requires
from handlers.context import Context
from handlers.problem_steps import calendar, say
from ledger.texts import category_label, day_label, event_line
from messages import t
from services import problems
from services.problems import Refusal, Request, Standing
from storage.people import Person
from timeutil import show

log = logging.getLogger(__name__)
MAX_HISTORY = 8  # events on a card; the export has them all
BUTTONS_PER_ROW = 3


@requires()
async def card_command(update: Update, context: Context, person: Person) -> None:
    """/p<id>: the problem's card with the viewer's buttons."""
    text = update.effective_message.text or ""
    problem_id = int(text.split("@")[0][2:])
    cal = await calendar(context)
    seen = await problems.card(context.db, person, problem_id, today=context.today(), calendar=cal,
                               tz=context.config.bot.timezone)  # fmt: skip
    if isinstance(seen, Refusal):
        await reply(update, say(seen))
        return
    p = seen.problem
    if p.photo_file_id:
        try:
            await sender.send_photo(
                context.bot, update.effective_chat.id, p.photo_file_id,
                caption=t("problems.photo_caption", id=p.id),
            )  # fmt: skip
        except TelegramError as exc:  # a lost photo must not hide the card
            log.warning("photo of problem %s not shown: %s", p.id, exc)
    await send_card(update, context, seen)


async def send_card(update: Update, context: Context, seen: Standing) -> None:
    p = seen.problem
    buttons = [(t(f"problems.btn_{a}"), PROBLEM_CARD.make(p.id, p.version, a))
               for a in seen.actions]  # fmt: skip
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    text = card_text(seen, context.config.bot.timezone)
    await reply(update, text, reply_markup=keyboard(rows) if rows else None)


def card_text(seen: Standing, tz: ZoneInfo) -> str:
    """The card: its head, then as many of the latest events as fit in one message."""
    p, today = seen.problem, seen.today
    if p.deadline is None:
        deadline = t("problems.no_deadline")
    elif seen.late:
        deadline = t("problems.deadline_late", day=p.deadline.isoformat(),
                     n=(today - p.deadline).days)  # fmt: skip
    elif p.state == flow.CLOSED:
        deadline = p.deadline.isoformat()
    else:
        deadline = t("problems.deadline_left", day=p.deadline.isoformat(),
                     n=(p.deadline - today).days)  # fmt: skip
    if seen.reply_due is not None:
        answer = t("problems.reply_late" if seen.late_reply else "problems.reply_due",
                   day=day_label(seen.reply_due, today))  # fmt: skip
    elif p.replied_at is not None:
        answer = t("problems.replied", at=show(p.replied_at, tz))
    else:
        answer = "—"
    head = t("problems.card", id=p.id, category=category_label(p.category),
             state=t(f"problems.state_{p.state}"), code=p.code, project=p.project, unit=p.unit,
             description=p.description, raiser=p.raiser, raised=show(p.created_at, tz),
             age=seen.age_days, owner=p.owner, deadline=deadline, reply=answer)  # fmt: skip
    if not seen.history:
        return head
    title = t("problems.history_title")
    more_line = t("problems.history_more", n=9999)  # the widest it can be
    room = sender.TEXT_LIMIT - sender.units(f"{head}\n{title}\n{more_line}")
    shown: list[str] = []
    for event in reversed(seen.history[-MAX_HISTORY:]):  # the latest first, while they fit
        line = event_line(event, tz)
        if shown and sender.units(line) + 1 > room:
            break
        shown.insert(0, line)
        room -= sender.units(line) + 1
    hidden = len(seen.history) - len(shown)
    more = [t("problems.history_more", n=hidden)] if hidden else []
    return "\n".join([head, title, *more, *shown])


async def finish(
    update: Update,
    context: Context,
    person: Person,
    request: Request,
    *,
    draft_owner: int | None = None,
) -> None:
    """Take one action through the service; the actor hears the outcome and gets the card."""
    cal = await calendar(context)
    result = await problems.act(
        context.db, person, request, now=context.now(), today=context.today(), calendar=cal,
        draft_owner=draft_owner,
    )  # fmt: skip
    if isinstance(result, Refusal):
        await reply(update, say(result, context.today()))
        return
    await reply(update, t(f"problems.done_{request.action}", id=request.problem_id))
    seen = await problems.card(
        context.db, person, request.problem_id, today=context.today(), calendar=cal,
        tz=context.config.bot.timezone,
    )  # fmt: skip
    if not isinstance(seen, Refusal):
        await send_card(update, context, seen)
