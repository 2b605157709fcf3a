"""What the problem flows share: their draft and its steps, typed words, refusals in words.

A problem flow's state is a draft of kind "problem" (storage.drafts), written at every step so
a restart resumes where the person was: raising a problem (project, category, description,
photo), assigning one (department, deadline), or typing an action's text (a plan, a note, a
resolution, a reason). Text is cleaned here, once, before any step checks or keeps it.
"""

from __future__ import annotations

from datetime import date

from telegram import Message, Update

from domain import problem_flow as flow
from domain.text import clean, squash
from domain.workdays import WorkCalendar
from handlers.common import reply
from handlers.context import Context
from ledger.texts import link
from messages import t
from services.problems import MAX_NAME, MAX_TEXT, Refusal
from storage import drafts
from storage.drafts import Draft
from storage.people import Person

DRAFT = "problem"
PICK, CATEGORY, DESCRIBE, PHOTO = "pick", "category", "describe", "photo"  # raising
DEPARTMENT, DEADLINE = "department", "deadline"  # assigning
PLAN, NOTE, RESOLUTION, REASON = "plan", "note", "resolution", "reason"  # an action's text
RAISE_STEPS = frozenset({PICK, CATEGORY, DESCRIBE, PHOTO})
ASSIGN_STEPS = frozenset({DEPARTMENT, DEADLINE})
TYPED = {PLAN: flow.ACCEPT, NOTE: flow.NOTE, RESOLUTION: flow.RESOLVE, REASON: flow.REJECT}
ASK = {action: step for step, action in TYPED.items()}


async def calendar(context: Context) -> WorkCalendar:
    return await context.calendar()


async def free_for_draft(update: Update, context: Context, person: Person) -> bool:
    """A report or an import in progress is never overwritten by a problem step."""
    draft = await drafts.get(context.db, person.tg_user_id)
    if draft is not None and draft.kind != DRAFT:
        await reply(update, t("problems.busy"))
        return False
    return True


async def current_draft(
    update: Update, context: Context, person: Person, nonce: str, step: str
) -> Draft | None:
    """The open problem draft a button of `step` belongs to; a button of another flow or of an
    earlier step is stale (and said so); a press seen before is ignored."""
    draft = await drafts.get(context.db, person.tg_user_id)
    if draft is None or draft.kind != DRAFT or draft.nonce != nonce or draft.state != step:
        await reply(update, t("common.stale_button"))
        return None
    if update.update_id <= draft.last_update_id:
        return None
    return draft


def typed(message: Message) -> str:
    """What the person typed (or captioned), cleaned once here at the boundary."""
    return clean(message.text or message.caption or "")


def means(text: str, words_key: str) -> bool:
    """Whether typed `text` is one of the catalog's words for a button (its label, or the
    label's head before "：" or "（", as a person copies it)."""
    head = squash(text).split(":")[0].split("(")[0]
    return head in squash(t(words_key)).split("|")


def say(refusal: Refusal, today: date | None = None) -> str:
    """A refusal from the problems service, in words."""
    r = refusal
    state = t(f"problems.state_{r.state}") if r.state else ""
    action = t(f"problems.btn_{r.action}") if r.action else ""
    if r.reason == "denied":
        who = "、".join(t(f"problems.who_{a}") for a in r.allowed)
        return t("problems.denied", id=r.problem_id, action=action, who=who)
    if r.reason == "stale":
        return t("problems.stale", id=r.problem_id, state=state, link=link(r.problem_id or 0))
    if r.reason == "illegal":
        return t("problems.illegal", id=r.problem_id, state=state, action=action)
    if r.reason == "stale_button":
        return t("common.stale_button")
    if r.reason == "bad_deadline":
        return t("problems.deadline_bad", today=today.isoformat() if today else "")
    if r.reason == "bad_department":
        return t("problems.department_name_bad", limit=MAX_NAME)
    if r.reason == "bad_text":
        return t("problems.bad_text", limit=MAX_TEXT)
    return t(f"problems.{r.reason}", id=r.problem_id)  # not_found, denied_view, no_longer_yours
