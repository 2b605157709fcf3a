"""交办: an admin or the linked leader assigns a problem to a department with a deadline.

Two steps in a draft: the department (a button, or its name typed; a new name is registered as
a department when the assignment is made), then the deadline (the category's default as a
button — typing "默认" or the label does the same — or a typed date). A deadline button carries
the date it shows: one that is not the draft's proposal, or outside today..two years, is stale.
"""

from __future__ import annotations

from datetime import date

from telegram import Update

from callback_data import PROBLEM_DEADLINE, PROBLEM_DEPARTMENT
from domain import problem_flow as flow
from domain.dates import parse_day
from domain.text import clean_line
from handlers.common import keyboard, reply, requires, save_step
from handlers.context import Context
from handlers.problem_card import finish
from handlers.problem_steps import (
    DEADLINE,
    DEPARTMENT,
    DRAFT,
    calendar,
    current_draft,
    free_for_draft,
    means,
)  # fmt: skip
from ledger.texts import category_label, day_label, headline
from messages import t
from services import problems
from services.problems import MAX_NAME, Request
from storage import problems as store
from storage.drafts import Draft
from storage.people import Person
from storage.problems import Problem

MAX_DEPARTMENTS = 40  # department buttons; any other is typed by name
LABEL_LEN = 20  # a department button shows this much of the name


async def start(update: Update, context: Context, person: Person, p: Problem) -> None:
    """交办 pressed (and allowed): ask for the department."""
    if not await free_for_draft(update, context, person):
        return
    draft = Draft(person.tg_user_id, DRAFT, DEPARTMENT, {"problem_id": p.id, "version": p.version})
    await save_step(context, draft, update)
    found = await problems.departments(context.db)
    buttons = [(name[:LABEL_LEN], PROBLEM_DEPARTMENT.make(draft.nonce, DEPARTMENT, uid))
               for uid, name in found[:MAX_DEPARTMENTS]]  # fmt: skip
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await reply(update, t("problems.pick_department", id=p.id, headline=headline(p)),
                reply_markup=keyboard(rows) if rows else None)  # fmt: skip


@requires("admin", "leader")
async def on_department(update: Update, context: Context, person: Person) -> None:
    """pa:<nonce>:department:<unit>."""
    nonce, step, unit_id = PROBLEM_DEPARTMENT.read(update)
    draft = await current_draft(update, context, person, nonce, step)
    if draft is None:
        return
    found = dict(await problems.departments(context.db))
    if unit_id not in found:
        await reply(update, t("common.stale_button"))
        return
    await _ask_deadline(update, context, draft, unit_id, found[unit_id])


@requires("admin", "leader")
async def on_deadline(update: Update, context: Context, person: Person) -> None:
    """pa:<nonce>:deadline:<YYYYMMDD> — only the date the draft proposed."""
    nonce, step, day = PROBLEM_DEADLINE.read(update)
    draft = await current_draft(update, context, person, nonce, step)
    if draft is None:
        return
    if day.isoformat() != draft.data["default"] or not flow.deadline_allowed(day, context.today()):
        await reply(update, t("common.stale_button"))
        return
    await _assign(update, context, person, draft, day)


async def on_input(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """A department's name or a deadline, typed."""
    message = update.effective_message
    text = clean_line(message.text or message.caption or "")
    if draft.state == DEPARTMENT:
        if not text or len(text) > MAX_NAME or " " in text:
            await reply(update, t("problems.department_name_bad", limit=MAX_NAME))
            return
        found = await problems.departments(context.db)
        named = [(uid, name) for uid, name in found if name == text]
        if not named and len(text) == LABEL_LEN:  # a long name's button label, typed
            named = [(uid, name) for uid, name in found if name.startswith(text)]
        if len(named) == 1:
            await _ask_deadline(update, context, draft, *named[0])
        else:
            await _ask_deadline(update, context, draft, None, text)
        return
    first = context.today()
    if means(text, "problems.say_default"):
        day: date | None = date.fromisoformat(draft.data["default"])
    else:
        day = parse_day(text, first)
    if day is None or not flow.deadline_allowed(day, first):
        await reply(update, t("problems.deadline_bad", today=first.isoformat()))
        return
    await _assign(update, context, person, draft, day)


async def _ask_deadline(
    update: Update,
    context: Context,
    draft: Draft,
    unit_id: int | None,
    name: str,
) -> None:
    """The category's default deadline as a button; any other date is typed."""
    p = await store.by_id(context.db, draft.data["problem_id"])
    if p is None:
        await reply(update, t("problems.not_found", id=draft.data["problem_id"]))
        return
    today = context.today()
    default, workdays = await problems.default_deadline(
        context.db, p, today, await calendar(context)
    )
    draft.state = DEADLINE
    draft.data.update(unit_id=unit_id, department=name, default=default.isoformat())
    await save_step(context, draft, update)
    label = t("problems.btn_default_deadline", day=day_label(default, today), n=workdays)
    await reply(
        update,
        t("problems.pick_deadline", id=p.id, department=name,
          category=category_label(p.category), n=workdays),
        reply_markup=keyboard([[(label, PROBLEM_DEADLINE.make(draft.nonce, DEADLINE, default))]]),
    )  # fmt: skip


async def _assign(
    update: Update, context: Context, person: Person, draft: Draft, day: date
) -> None:
    d = draft.data
    request = Request(
        d["problem_id"], d["version"], flow.ASSIGN, department_id=d["unit_id"],
        department_name=None if d["unit_id"] else d["department"], deadline=day,
    )  # fmt: skip
    await finish(update, context, person, request, draft_owner=person.tg_user_id)
