"""The buttons of a problem's card, and the text some of them ask for.

A card's button carries the problem's version: the service refuses it once the problem has
moved on, so a double tap or an old card acts once. 确认销号 acts at once; 交办 opens the
assignment (handlers.problem_assign); 受理, 进展, 申请销号 and 退回 ask for their text first (a
plan, a note, the resolution, the reason), kept in a draft until it is typed.
"""

from __future__ import annotations

from telegram import Update

from callback_data import PROBLEM_CARD
from domain import problem_flow as flow
from handlers import problem_assign
from handlers.common import reply, requires, save_step
from handlers.context import Context
from handlers.problem_card import finish
from handlers.problem_steps import ASK, DRAFT, TYPED, free_for_draft, say, typed
from messages import t
from services import problems
from services.problems import MAX_TEXT, Refusal, Request
from storage.drafts import Draft
from storage.people import Person
from storage.problems import Problem


@requires()
async def on_card_button(update: Update, context: Context, person: Person) -> None:
    """pb:<problem>:<version>:<action>."""
    problem_id, version, action = PROBLEM_CARD.read(update)
    if action == flow.CONFIRM:
        await finish(update, context, person, Request(problem_id, version, action))
        return
    p = await problems.may_start(context.db, person, problem_id, version, action)
    if isinstance(p, Refusal):
        await reply(update, say(p))
    elif action == flow.ASSIGN:
        await problem_assign.start(update, context, person, p)
    else:
        await _ask_text(update, context, person, p, ASK[action])


async def _ask_text(
    update: Update, context: Context, person: Person, p: Problem, step: str
) -> None:
    if not await free_for_draft(update, context, person):
        return
    draft = Draft(person.tg_user_id, DRAFT, step, {"problem_id": p.id, "version": p.version})
    await save_step(context, draft, update)
    await reply(update, t(f"problems.ask_{step}", id=p.id))


async def on_input(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """The plan, note, resolution or reason a card's button asked for."""
    text = typed(update.effective_message)
    if not text:
        await reply(update, t("problems.need_text"))
        return
    if len(text) > MAX_TEXT:
        await reply(update, t("problems.too_long", limit=MAX_TEXT, length=len(text)))
        return
    request = Request(draft.data["problem_id"], draft.data["version"], TYPED[draft.state],
                      note=text)  # fmt: skip
    await finish(update, context, person, request, draft_owner=person.tg_user_id)
