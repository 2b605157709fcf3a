"""/problem: a liaison raises a problem — project, category, description, an optional photo.

Each step takes a typed answer or a button; typing a button's label does what the button does
("用地", a project's name, "不附照片"). A button names its step, so one pressed after its step
has passed is stale; a used keyboard is taken off its message. The problem is stored through
services.problems, which also tells the admins and the linked leaders.
"""

from __future__ import annotations

from telegram import Update

from callback_data import PROBLEM_CATEGORY, PROBLEM_NO_PHOTO, PROBLEM_PICK
from domain import problem_flow as flow
from domain.photos import refusal as photo_refusal
from domain.text import clean_line
from handlers.common import (
    command_args,
    keyboard,
    match_project,
    reply,
    requires,
    save_step,
    sent_file,
)  # fmt: skip
from handlers.context import Context
from handlers.problem_steps import (
    CATEGORY,
    DESCRIBE,
    DRAFT,
    PHOTO,
    PICK,
    current_draft,
    free_for_draft,
    means,
    say,
    typed,
)  # fmt: skip
from ledger.texts import category_label, link
from messages import t
from services import problems
from services.problems import MAX_TEXT, Refusal
from storage import projects
from storage.drafts import Draft
from storage.people import Person
from storage.projects import Project

MAX_PICK = 40  # project buttons; beyond them a liaison types the number or the code


@requires("liaison")
async def problem_command(update: Update, context: Context, person: Person) -> None:
    """Raise a problem on one of the liaison's projects; `/problem CODE` picks the project."""
    if not await free_for_draft(update, context, person):
        return
    db = context.db
    mine = await projects.of_person(db, person.id, "liaison")
    if not mine:
        await reply(update, t("problems.no_projects"))
        return
    args = command_args(update)
    if args:
        project = await projects.by_code(db, args[0])
        if project is None or project.id not in {p.id for p in mine}:
            await reply(update, t("problems.not_yours", code=clean_line(args[0])[:40]))
            return
        await _begin(update, context, person, project)
    elif len(mine) == 1:
        await _begin(update, context, person, mine[0])
    else:
        draft = Draft(person.tg_user_id, DRAFT, PICK, {"choices": [p.id for p in mine]})
        await save_step(context, draft, update)
        await _prompt(update, context, draft)


async def _begin(update: Update, context: Context, person: Person, project: Project) -> None:
    draft = Draft(person.tg_user_id, DRAFT, CATEGORY, {"project_id": project.id})
    await save_step(context, draft, update)
    await _prompt(update, context, draft)


async def _next(update: Update, context: Context, draft: Draft, step: str, **data: str) -> None:
    draft.data.update(data)
    draft.state = step
    await save_step(context, draft, update)
    await _prompt(update, context, draft)


async def _prompt(update: Update, context: Context, draft: Draft) -> None:
    db = context.db
    if draft.state == PICK:
        rows, lines = [], []
        choices = draft.data["choices"]
        for i, pid in enumerate(choices[:MAX_PICK], start=1):
            p = await projects.by_id(db, pid)
            if p is not None:
                lines.append(f"{i}. {p.code} {p.name[:40]}")
                rows.append([(p.name[:28], PROBLEM_PICK.make(draft.nonce, PICK, pid))])
        if len(choices) > MAX_PICK:
            lines.append(t("problems.pick_more", n=len(choices) - MAX_PICK))
        await reply(update, t("problems.ask_project", projects="\n".join(lines)),
                    reply_markup=keyboard(rows))  # fmt: skip
    elif draft.state == CATEGORY:
        project = await projects.by_id(db, draft.data["project_id"])
        assert project is not None
        buttons = [(category_label(c), PROBLEM_CATEGORY.make(draft.nonce, CATEGORY, c))
                   for c in flow.CATEGORIES]  # fmt: skip
        rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
        await reply(update, t("problems.ask_category", code=project.code, name=project.name),
                    reply_markup=keyboard(rows))  # fmt: skip
    elif draft.state == DESCRIBE:
        await reply(update, t("problems.ask_description", limit=MAX_TEXT,
                              category=category_label(draft.data["category"])))  # fmt: skip
    else:  # PHOTO
        none = PROBLEM_NO_PHOTO.make(draft.nonce, PHOTO, "none")
        await reply(update, t("problems.ask_photo"),
                    reply_markup=keyboard([[(t("problems.btn_no_photo"), none)]]))  # fmt: skip


# ---- buttons --------------------------------------------------------------------------------


@requires("liaison")
async def on_pick(update: Update, context: Context, person: Person) -> None:
    """pr:<nonce>:pick:<project>."""
    nonce, step, project_id = PROBLEM_PICK.read(update)
    draft = await current_draft(update, context, person, nonce, step)
    if draft is None:
        return
    project = await projects.by_id(context.db, project_id)
    if project is None or project.id not in draft.data["choices"]:
        await reply(update, t("common.stale_button"))
        return
    await _begin(update, context, person, project)


@requires("liaison")
async def on_category(update: Update, context: Context, person: Person) -> None:
    """pr:<nonce>:category:<category>."""
    nonce, step, category = PROBLEM_CATEGORY.read(update)
    draft = await current_draft(update, context, person, nonce, step)
    if draft is not None:
        await _next(update, context, draft, DESCRIBE, category=category)


@requires("liaison")
async def on_no_photo(update: Update, context: Context, person: Person) -> None:
    """pr:<nonce>:photo:none."""
    nonce, step, _ = PROBLEM_NO_PHOTO.read(update)
    draft = await current_draft(update, context, person, nonce, step)
    if draft is not None:
        await _raise(update, context, person, draft, None)


# ---- typed answers --------------------------------------------------------------------------


async def on_input(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """A message typed (or a photo sent) while raising a problem."""
    message = update.effective_message
    assert message is not None
    sent = sent_file(message)
    if draft.state == PHOTO and sent:  # checked before anything is downloaded
        refusal = photo_refusal(sent)
        if refusal is not None:
            await reply(update, t(f"problems.refuse_{refusal.code}", **refusal.params))
        else:
            await _raise(update, context, person, draft, (sent.file_id, sent.unique_id))
        return
    text = typed(message)
    if not text:
        await reply(update, t("problems.need_text"))
    elif draft.state == PICK:
        choices = [await projects.by_id(context.db, pid) for pid in draft.data["choices"]]
        project = match_project([p for p in choices if p is not None], text)
        if project is None:
            await reply(update, t("problems.pick_again"))
        else:
            await _begin(update, context, person, project)
    elif draft.state == CATEGORY:
        category = flow.parse_category(text)
        if category is None:
            labels = "、".join(category_label(c) for c in flow.CATEGORIES)
            await reply(update, t("problems.category_unknown", categories=labels))
        else:
            await _next(update, context, draft, DESCRIBE, category=category)
    elif draft.state == DESCRIBE:
        if len(text) > MAX_TEXT:
            await reply(update, t("problems.too_long", limit=MAX_TEXT, length=len(text)))
        else:
            await _next(update, context, draft, PHOTO, description=text)
    elif means(text, "problems.say_no_photo"):  # PHOTO: the button's label typed
        await _raise(update, context, person, draft, None)
    else:
        await reply(update, t("problems.photo_expected"))


async def on_skip(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """/skip while raising a problem: only the photo is optional."""
    if draft.state != PHOTO:
        await reply(update, t("problems.cannot_skip"))
        return
    await _raise(update, context, person, draft, None)


async def _raise(
    update: Update,
    context: Context,
    person: Person,
    draft: Draft,
    photo: tuple[str, str] | None,
) -> None:
    """Raise the drafted problem (the draft closes with it), then say so."""
    result = await problems.raise_from_draft(context.db, person, draft, photo, context.now())
    if isinstance(result, Refusal):
        await reply(update, say(result))
        return
    if photo is not None:  # committed: the archive may fetch it now
        context.photos_kept()
    await reply(update, t("problems.raised", id=result.problem_id, link=link(result.problem_id)))
