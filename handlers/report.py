"""/report: a liaison's guided progress report, kept as a draft in SQLite at every step.

The draft (storage.drafts) is the conversation state, written in the same place as the data,
so a restart — even a kill — resumes at the step the liaison was on, and an update delivered
twice (Telegram redelivers what was not yet confirmed) is recognised by its update_id.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from callback_data import REPORT_PROJECT, REPORT_STEP
from domain.fake_progress import investment_flag, is_real_progress
from domain.money import AmountError, format_wan, parse_amount
from domain.stages import STAGE_ORDER, Stage, is_forward, parse_stage
from handlers import buttons
from handlers.common import (
    draft_button,
    keyboard,
    match_project,
    reply,
    requires,
    save_step,
    sent_photo,
    svc,
    today,
)  # fmt: skip
from messages import t
from ranking.service import refresh_status
from storage import audit, drafts, milestones, projects, reports
from storage.drafts import Draft
from storage.people import Person
from storage.projects import Project

log = logging.getLogger(__name__)

PICK, TEXT, INVEST, STAGE, MILESTONE, PROBLEM, PHOTO, CONFIRM = (
    "pick", "text", "invest", "stage", "milestone", "problem", "photo", "confirm",
)  # fmt: skip
STEPS = (TEXT, INVEST, STAGE, MILESTONE, PROBLEM, PHOTO)
OPTIONAL = frozenset({INVEST, STAGE, MILESTONE, PROBLEM, PHOTO})
MAX_MILESTONE_BUTTONS = 8
MAX_TEXT = 2000
MAX_PROBLEM = 1000
ABSURD_FACTOR = 10  # a cumulative figure over 10x the total investment is a typo
MAX_CONTINUE_BUTTONS = 8
MAX_PICK_BUTTONS = 40  # beyond this a liaison types the number or code


# ---- entry points ---------------------------------------------------------------------------


@requires("liaison")
async def report_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """Start a report (or resume the one in progress); `/report CODE` picks the project."""
    db = svc(context).db
    draft = await drafts.get(db, person.tg_user_id)
    if draft and draft.kind == "report" and not context.args:
        await reply(update, t("report.resumed"))
        await _send_prompt(update, context, draft)
        return
    mine = await projects.of_person(db, person.id, "liaison")
    if not mine:
        await reply(update, t("report.no_projects"))
        return
    if context.args:
        project = await projects.by_code(db, context.args[0])
        if project is None or project.id not in {p.id for p in mine}:
            await reply(update, t("report.not_yours", code=context.args[0][:40]))
            return
        await _begin(update, context, person, project)
    elif len(mine) == 1:
        await _begin(update, context, person, mine[0])
    else:
        draft = Draft(person.tg_user_id, "report", PICK, {"choices": [p.id for p in mine]})
        await save_step(context, draft, update)
        await _send_prompt(update, context, draft)


@requires("liaison")
async def report_project_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """A "report on project X" button (after a submission, or in a reminder)."""
    (project_id,) = REPORT_PROJECT.read(update)
    project = await projects.by_id(svc(context).db, project_id)
    if project is None or not await projects.is_linked(
        svc(context).db, person.id, project_id, "liaison"
    ):
        await reply(update, t("report.not_yours", code=project.code if project else project_id))
        return
    await _begin(update, context, person, project)


async def _begin(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, project: Project
) -> None:
    draft = Draft(person.tg_user_id, "report", TEXT, {"project_id": project.id})
    await save_step(context, draft, update)
    reported = await reports.reported_on(svc(context).db, [project.id], today(context))
    if reported:
        await reply(update, t("report.correcting", code=project.code, name=project.name))
    await _send_prompt(update, context, draft)


# ---- typed answers --------------------------------------------------------------------------


async def on_input(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, draft: Draft
) -> None:
    """A message typed (or a photo sent) while a report draft is open."""
    if update.update_id <= draft.last_update_id:
        return  # redelivered after a restart: already handled
    message = update.effective_message
    assert message is not None
    photo = sent_photo(message)
    if draft.state == PHOTO and photo:
        draft.data["photo"] = list(photo)
        await _advance(update, context, draft)
        return
    # A photo sent with a caption at the text step: the caption is the answer.
    text = (message.text or message.caption or "").strip()
    if not text:
        await reply(update, t("report.need_text_input"))
        await _send_prompt(update, context, draft)
        return
    if draft.state == PICK:
        await _pick_typed(update, context, person, draft, text)
    elif draft.state in (TEXT, PROBLEM):
        limit = MAX_TEXT if draft.state == TEXT else MAX_PROBLEM
        if len(text) > limit:
            await reply(update, t("report.text_too_long", limit=limit, length=len(text)))
            return
        draft.data["text" if draft.state == TEXT else "problem"] = text
        await _advance(update, context, draft)
    elif draft.state == INVEST:
        await _take_investment(update, context, draft, text)
    elif draft.state == STAGE:
        stage = parse_stage(text)
        if stage is None:
            await reply(update, t("report.stage_unknown", stages="、".join(STAGE_ORDER)))
            return
        await _take_stage(update, context, draft, stage)
    elif draft.state == MILESTONE:
        nodes = await _open_milestones(context, draft)
        matches = [m for m in nodes if text in m.name]
        if text.isdigit() and 1 <= int(text) <= len(nodes):
            matches = [nodes[int(text) - 1]]
        if len(matches) != 1:
            await reply(update, t("report.milestone_again"))
            return
        draft.data["milestone"] = matches[0].id
        await _advance(update, context, draft)
    elif draft.state == PHOTO:
        await reply(update, t("report.photo_expected"))
    else:  # CONFIRM
        await reply(update, t("report.confirm_with_buttons"))
        await _send_prompt(update, context, draft)


async def _pick_typed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, draft: Draft, text: str
) -> None:
    choices = [await projects.by_id(svc(context).db, pid) for pid in draft.data["choices"]]
    project = match_project([p for p in choices if p is not None], text)
    if project is None:
        await reply(update, t("report.pick_again"))
        return
    await _begin(update, context, person, project)


async def _take_investment(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, text: str
) -> None:
    db = svc(context).db
    project = await projects.by_id(db, draft.data["project_id"])
    assert project is not None
    try:
        amount = parse_amount(text)
    except AmountError as exc:
        await reply(update, exc.reason)
        return
    base = await reports.baseline(db, project.id, today(context))
    value = base + amount.yuan if amount.incremental else amount.yuan
    ceiling = max(project.total_yuan, project.year_plan_yuan) * ABSURD_FACTOR
    if ceiling and value > ceiling:
        await reply(
            update,
            t(
                "report.amount_absurd",
                value=format_wan(value),
                total=format_wan(project.total_yuan),
            ),
        )
        return
    if value < base:
        await reply(
            update, t("report.amount_below", value=format_wan(value), base=format_wan(base))
        )
        return
    draft.data["done_yuan"] = value
    await _advance(update, context, draft)


async def _take_stage(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, stage: Stage
) -> None:
    project = await projects.by_id(svc(context).db, draft.data["project_id"])
    assert project is not None
    current = parse_stage(project.stage or "")
    if current == stage:
        draft.data["stage"] = None
    elif not is_forward(current, stage):
        await reply(update, t("report.stage_backward", current=current, stage=stage))
        return
    else:
        draft.data["stage"] = str(stage)
    await _advance(update, context, draft)


# ---- /skip, /cancel and buttons --------------------------------------------------------------


async def on_skip(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    if draft.state not in OPTIONAL:
        await reply(update, t("report.cannot_skip"))
        return
    _clear(draft, draft.state)
    await _advance(update, context, draft)


def _clear(draft: Draft, step: str) -> None:
    key = {INVEST: "done_yuan", STAGE: "stage", MILESTONE: "milestone", PROBLEM: "problem",
           PHOTO: "photo"}[step]  # fmt: skip
    draft.data[key] = None


@requires("liaison")
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """Buttons of a report draft: r:<nonce>:<action>[:<arg>]."""
    _, nonce, action, *rest = update.callback_query.data.split(":")
    db = svc(context).db
    draft = await drafts.get(db, person.tg_user_id)
    if draft is None or draft.kind != "report" or draft.nonce != nonce:
        await reply(update, t("common.stale_button"))
        return
    if update.update_id <= draft.last_update_id:
        return
    arg = rest[0] if rest else ""
    if action == "pick" and draft.state == PICK:
        project = await projects.by_id(db, int(arg))
        if project is None or project.id not in draft.data["choices"]:
            await reply(update, t("common.stale_button"))
            return
        await _begin(update, context, person, project)
    elif action == "skip" and draft.state in OPTIONAL:
        await on_skip(update, context, draft)
    elif action == "stage" and draft.state == STAGE:
        await _take_stage(update, context, draft, Stage(STAGE_ORDER[int(arg)]))
    elif action == "ms" and draft.state == MILESTONE:
        if int(arg) not in {m.id for m in await _open_milestones(context, draft)}:
            await reply(update, t("common.stale_button"))
            return
        draft.data["milestone"] = int(arg)
        await _advance(update, context, draft)
    elif action == "ok" and draft.state == CONFIRM:
        await _submit(update, context, person, draft)
    elif action == "edit" and draft.state == CONFIRM:
        await reply(update, t("report.edit_which"), reply_markup=_edit_keyboard(draft))
    elif action == "redo" and draft.state == CONFIRM and arg in STEPS:
        draft.state = arg
        draft.data["editing"] = True
        await save_step(context, draft, update)
        await _send_prompt(update, context, draft)
    elif action == "cancel":
        await _cancel(update, context, person)
    else:
        await reply(update, t("common.stale_button"))


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: drop whatever flow is open (report or import); nothing is stored."""
    user = update.effective_user
    if user is None:
        return
    draft = await drafts.get(svc(context).db, user.id)
    if draft is None:
        await reply(update, t("common.nothing_to_cancel"))
        return
    async with svc(context).db.transaction() as tx:
        await drafts.delete(tx, user.id)
    await reply(update, t("common.cancelled"))


async def _cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    async with svc(context).db.transaction() as tx:
        await drafts.delete(tx, person.tg_user_id)
    await reply(update, t("common.cancelled"))


# ---- moving through the steps ---------------------------------------------------------------


async def _advance(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    """Go to the next step (or back to the summary when editing one field)."""
    if draft.data.get("editing") or draft.state == PHOTO:
        draft.state = CONFIRM
    else:
        draft.state = STEPS[STEPS.index(draft.state) + 1]
        while await _nothing_to_ask(context, draft):
            draft.state = STEPS[STEPS.index(draft.state) + 1]
    await save_step(context, draft, update)
    await _send_prompt(update, context, draft)


async def _nothing_to_ask(context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> bool:
    """A step with no possible answer is skipped: the last stage, or no open milestone."""
    db = svc(context).db
    if draft.state == STAGE:
        project = await projects.by_id(db, draft.data["project_id"])
        return bool(project) and parse_stage(project.stage or "") == STAGE_ORDER[-1]
    if draft.state == MILESTONE:
        return not await _open_milestones(context, draft)
    return False


async def _open_milestones(context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> list:
    nodes = await milestones.of_project(svc(context).db, draft.data["project_id"])
    return [m for m in nodes if m.done_on is None]


def _b(draft: Draft, action: str, arg: str | int = "") -> str:
    return draft_button("r", draft, action, arg)


async def _send_prompt(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    db = svc(context).db
    if draft.state == PICK:
        reported = await reports.reported_on(db, draft.data["choices"], today(context))
        rows, lines = [], []
        for i, pid in enumerate(draft.data["choices"], start=1):
            p = await projects.by_id(db, pid)
            if p is None:
                continue
            mark = "✅" if pid in reported else "⬜"
            if len(rows) < MAX_PICK_BUTTONS:
                lines.append(f"{i}. {mark} {p.code} {p.name[:40]}")
                rows.append([(f"{mark} {p.name[:28]}", _b(draft, "pick", pid))])
        if len(draft.data["choices"]) > len(rows):
            lines.append(t("report.pick_more", n=len(draft.data["choices"]) - len(rows)))
        await reply(
            update, t("report.pick", projects="\n".join(lines)), reply_markup=keyboard(rows)
        )
        return
    project = await projects.by_id(db, draft.data["project_id"])
    assert project is not None
    if draft.state == TEXT:
        await reply(update, t("report.ask_text", code=project.code, name=project.name))
    elif draft.state == INVEST:
        base = await reports.baseline(db, project.id, today(context))
        await reply(
            update,
            t("report.ask_invest", done=format_wan(base), plan=format_wan(project.year_plan_yuan)),
            reply_markup=keyboard([[(t("report.btn_unchanged"), _b(draft, "skip"))]]),
        )
    elif draft.state == STAGE:
        current = parse_stage(project.stage or "")
        forward = [i for i, s in enumerate(STAGE_ORDER) if is_forward(current, Stage(s))]
        rows = [[(STAGE_ORDER[i], _b(draft, "stage", i)) for i in forward]]
        rows.append([(t("report.btn_unchanged"), _b(draft, "skip"))])
        await reply(
            update,
            t("report.ask_stage", current=current or t("report.stage_none")),
            reply_markup=keyboard(rows),
        )
    elif draft.state == MILESTONE:
        nodes = (await _open_milestones(context, draft))[:MAX_MILESTONE_BUTTONS]
        lines = [t("report.milestone_line", name=m.name, due=m.due.isoformat()) for m in nodes]
        rows = [[(t("report.btn_milestone", name=m.name[:24]), _b(draft, "ms", m.id))]
                for m in nodes]  # fmt: skip
        rows.append([(t("report.btn_no_milestone"), _b(draft, "skip"))])
        await reply(update, t("report.ask_milestone", nodes="\n".join(lines)),
                    reply_markup=keyboard(rows))  # fmt: skip
    elif draft.state == PROBLEM:
        await reply(
            update,
            t("report.ask_problem"),
            reply_markup=keyboard([[(t("report.btn_no_problem"), _b(draft, "skip"))]]),
        )
    elif draft.state == PHOTO:
        await reply(
            update,
            t("report.ask_photo"),
            reply_markup=keyboard([[(t("report.btn_no_photo"), _b(draft, "skip"))]]),
        )
    else:
        await reply(update, await _summary(context, draft, project),
                    reply_markup=keyboard([[
                        (t("report.btn_confirm"), _b(draft, "ok")),
                        (t("report.btn_edit"), _b(draft, "edit")),
                        (t("report.btn_cancel"), _b(draft, "cancel")),
                    ]]))  # fmt: skip


def _edit_keyboard(draft: Draft):
    return keyboard([[(t(f"report.edit_{step}"), _b(draft, "redo", step))] for step in STEPS])


async def _summary(context: ContextTypes.DEFAULT_TYPE, draft: Draft, project: Project) -> str:
    db = svc(context).db
    day = today(context)
    base = await reports.baseline(db, project.id, day)
    d = draft.data
    done = d.get("done_yuan")
    if done is None:
        invest = t("report.sum_invest_same", done=format_wan(base))
    else:
        invest = t("report.sum_invest", done=format_wan(done), delta=format_wan(done - base))
    stage = (
        t("report.sum_stage", old=project.stage or t("report.stage_none"), new=d["stage"])
        if d.get("stage")
        else t("report.sum_stage_same", old=project.stage or t("report.stage_none"))
    )
    text = t(
        "report.summary",
        code=project.code,
        name=project.name,
        unit=project.unit,
        text=d["text"],
        invest=invest,
        stage=stage,
        problem=d.get("problem") or t("report.none"),
        photo=t("report.photo_yes") if d.get("photo") else t("report.none"),
    )
    if d.get("milestone"):
        node = next((m for m in await milestones.of_project(db, project.id)
                     if m.id == d["milestone"]), None)  # fmt: skip
        if node:
            text += "\n" + t("report.sum_milestone", name=node.name)
    revisions = await reports.history(db, project.id, day)
    if revisions:
        text += "\n\n" + t("report.sum_correction", n=len(revisions) + 1)
    return text


async def _submit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, draft: Draft
) -> None:
    """Store the report and close the draft in one transaction, then confirm to the liaison."""
    db = svc(context).db
    day = today(context)
    d = draft.data
    async with db.transaction() as tx:
        current = await drafts.get(tx, person.tg_user_id)
        if current is None or current.nonce != draft.nonce:
            await reply(update, t("common.stale_button"))
            return
        project = await projects.by_id(tx, d["project_id"])
        if project is None or not await projects.is_linked(tx, person.id, project.id, "liaison"):
            await drafts.delete(tx, person.tg_user_id)
            await reply(update, t("report.not_yours", code=project.code if project else "?"))
            return
        base = await reports.baseline(tx, project.id, day)
        done = base if d.get("done_yuan") is None else d["done_yuan"]
        earlier = await reports.earlier_texts(tx, project.id, day)
        photo = d.get("photo") or [None, None]
        revision = await reports.submit(
            tx,
            reports.Submission(
                project_id=project.id,
                person_id=person.id,
                report_date=day,
                text=d["text"],
                done_yuan=done,
                stage_before=project.stage,
                stage_after=d.get("stage"),
                problem=d.get("problem"),
                photo_file_id=photo[0],
                photo_unique_id=photo[1],
                real_progress=is_real_progress(d["text"], earlier),
                flag=investment_flag(base, done, project.total_yuan, project.year_plan_yuan),
            ),
        )
        if d.get("milestone"):
            await milestones.mark_done(tx, d["milestone"], day, person.id)
        if d.get("stage"):
            await projects.record_stage_date(tx, project.id, d["stage"], day)
        await drafts.delete(tx, person.tg_user_id)
        await audit.record(
            tx, person.id, "report.submit", project=project.code, revision=revision.revision
        )
    # The unit's board (if posted today) shows it on the next scheduler tick.
    scheduler = context.application.bot_data["scheduler"]
    scheduler.board_dirty(project.unit_id)
    try:  # the report is saved whatever happens here; a status is recomputed on the next one
        await refresh_status(db, project.id, day, await scheduler.calendar(),
                             svc(context).config.bot.timezone)  # fmt: skip
    except Exception:
        log.exception("status of project %s not refreshed", project.id)
    # Only now, with the entry committed, does the liaison hear it is saved.
    mine = await projects.of_person(db, person.id, "liaison")
    reported = await reports.reported_on(db, [p.id for p in mine], day)
    left = [p for p in mine if p.id not in reported]
    key = "report.saved_correction" if revision.revision > 1 else "report.saved"
    text = t(key, code=project.code, name=project.name, n=revision.revision)
    if left:
        text += "\n" + t("report.more_left", count=len(left))
        buttons = [[(f"➡️ {p.name[:28]}", REPORT_PROJECT.make(p.id))]
                   for p in left[:MAX_CONTINUE_BUTTONS]]  # fmt: skip
        await reply(update, text, reply_markup=keyboard(buttons))
    else:
        await reply(update, text + "\n" + t("report.all_done"))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("report", report_command))
    app.add_handler(buttons.handler(REPORT_STEP, on_button))
    app.add_handler(buttons.handler(REPORT_PROJECT, report_project_button))
