"""/problem, /problems and problem cards (/p<id>): the problem ledger (问题清单) in chat.

A liaison raises a problem with /problem (or inside /report). Its card — opened by tapping the
/p<id> link in any notice — shows the buttons the viewer may use now: assign (admin, linked
leader), 受理 with a plan, progress notes, 申请销号 (department), confirm or reject (liaison,
admin). Every state change is checked against domain.problem_flow and applied only if the
problem's version is still the one the button carries, inside the transaction: a double tap
or a stale button acts once. Typed steps (a plan, a note, a date) live in a draft of kind
"problem", so a restart does not lose them.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

import sender
from callback_data import PROBLEM_CARD, PROBLEM_RAISE
from domain import problem_flow as flow
from domain.dates import parse_day
from handlers import buttons
from handlers.common import (
    command_args,
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
from handlers.projects import send_chunked
from ledger.texts import category_label, day_label, event_line, headline, link
from messages import t
from scheduler import escalation
from scheduler.escalation import notify
from scheduler.workdays import WorkCalendar
from storage import Database, Tx, audit, drafts, projects, schedule
from storage import problems as store
from storage.drafts import Draft
from storage.people import Person
from storage.problems import Problem
from storage.projects import Project
from timeutil import local_date, show

log = logging.getLogger(__name__)
DRAFT = "problem"
# Raising a problem.
PICK, CATEGORY, DESCRIBE, PHOTO = "pick", "category", "describe", "photo"
# Typed input for an action on a card.
PLAN, NOTE, RESOLUTION, REASON, DEPARTMENT, DEADLINE = (
    "plan", "note", "resolution", "reason", "department", "deadline",
)  # fmt: skip
TYPED = {PLAN: flow.ACCEPT, NOTE: flow.NOTE, RESOLUTION: flow.RESOLVE, REASON: flow.REJECT}
MAX_TEXT = 1000
MAX_NAME = 40
MAX_LIST = 60
MAX_PICK = 40
MAX_DEPARTMENTS = 40
# callback_data: pb:<problem>:<version>:<code>[:<arg>[:<arg>]] — always under 64 bytes.
CODES = {flow.ASSIGN: "as", flow.ACCEPT: "ac", flow.NOTE: "nt", flow.RESOLVE: "rs",
         flow.CONFIRM: "cf", flow.REJECT: "rj"}  # fmt: skip
ACTION_OF = {code: action for action, code in CODES.items()}
ACTION_OF.update({"ad": flow.ASSIGN, "an": flow.ASSIGN, "dl": flow.ASSIGN, "dt": flow.ASSIGN})
ASK = {flow.ACCEPT: PLAN, flow.NOTE: NOTE, flow.RESOLVE: RESOLUTION, flow.REJECT: REASON}
SETTING_WORDS = {"回复": escalation.REPLY_KEY, "受理": escalation.REPLY_KEY,
                 "督办": escalation.OFFICE_KEY, "上报": escalation.OFFICE_KEY}  # fmt: skip
MAX_WORKDAYS = 250
MAX_DEADLINE_DAYS = 730


async def _calendar(context: ContextTypes.DEFAULT_TYPE) -> WorkCalendar:
    return await context.application.bot_data["scheduler"].calendar()


# ---- raising a problem ----------------------------------------------------------------------


@requires("liaison")
async def problem_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """Raise a problem on one of the liaison's projects; `/problem CODE` picks the project."""
    if not await _free_for_draft(update, context, person):
        return
    db = svc(context).db
    mine = await projects.of_person(db, person.id, "liaison")
    if not mine:
        await reply(update, t("problems.no_projects"))
        return
    args = command_args(update)
    if args:
        project = await projects.by_code(db, args[0])
        if project is None or project.id not in {p.id for p in mine}:
            await reply(update, t("problems.not_yours", code=args[0][:40]))
            return
        await _begin(update, context, person, project)
    elif len(mine) == 1:
        await _begin(update, context, person, mine[0])
    else:
        draft = Draft(person.tg_user_id, DRAFT, PICK, {"choices": [p.id for p in mine]})
        await save_step(context, draft, update)
        await _prompt(update, context, draft)


async def _begin(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, project: Project
) -> None:
    draft = Draft(person.tg_user_id, DRAFT, CATEGORY, {"project_id": project.id})
    await save_step(context, draft, update)
    await _prompt(update, context, draft)


async def _free_for_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> bool:
    """A report or an import in progress is never overwritten by a problem step."""
    draft = await drafts.get(svc(context).db, person.tg_user_id)
    if draft is not None and draft.kind != DRAFT:
        await reply(update, t("problems.busy"))
        return False
    return True


def _b(draft: Draft, action: str, arg: str | int = "") -> str:
    return draft_button("pr", draft, action, arg)


async def _prompt(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    db = svc(context).db
    if draft.state == PICK:
        rows, lines = [], []
        for i, pid in enumerate(draft.data["choices"][:MAX_PICK], start=1):
            p = await projects.by_id(db, pid)
            if p is not None:
                lines.append(f"{i}. {p.code} {p.name[:40]}")
                rows.append([(p.name[:28], _b(draft, "pick", pid))])
        await reply(update, t("problems.ask_project", projects="\n".join(lines)),
                    reply_markup=keyboard(rows))  # fmt: skip
    elif draft.state == CATEGORY:
        project = await projects.by_id(db, draft.data["project_id"])
        assert project is not None
        buttons = [(category_label(c), _b(draft, "cat", c)) for c in flow.CATEGORIES]
        rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
        await reply(update, t("problems.ask_category", code=project.code, name=project.name),
                    reply_markup=keyboard(rows))  # fmt: skip
    elif draft.state == DESCRIBE:
        await reply(
            update, t("problems.ask_description", category=category_label(draft.data["category"]))
        )
    elif draft.state == PHOTO:
        await reply(
            update,
            t("problems.ask_photo"),
            reply_markup=keyboard([[(t("problems.btn_no_photo"), _b(draft, "nophoto"))]]),
        )
    else:
        await reply(update, t(f"problems.ask_{draft.state}", id=draft.data.get("problem_id", "")))


@requires("liaison")
async def on_raise_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """Buttons while raising a problem: pr:<nonce>:<action>[:<arg>]."""
    _, nonce, action, *rest = update.callback_query.data.split(":")
    draft = await drafts.get(svc(context).db, person.tg_user_id)
    if draft is None or draft.kind != DRAFT or draft.nonce != nonce:
        await reply(update, t("common.stale_button"))
        return
    if update.update_id <= draft.last_update_id:
        return
    arg = rest[0] if rest else ""
    if action == "pick" and draft.state == PICK and arg.isdigit():
        project = await projects.by_id(svc(context).db, int(arg))
        if project is None or project.id not in draft.data["choices"]:
            await reply(update, t("common.stale_button"))
            return
        await _begin(update, context, person, project)
    elif action == "cat" and draft.state == CATEGORY and arg in flow.CATEGORIES:
        draft.data["category"] = arg
        draft.state = DESCRIBE
        await save_step(context, draft, update)
        await _prompt(update, context, draft)
    elif action == "nophoto" and draft.state == PHOTO:
        await _raise(update, context, person, draft, None)
    else:
        await reply(update, t("common.stale_button"))


async def on_input(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, draft: Draft
) -> None:
    """A message typed (or a photo sent) while a problem draft is open."""
    if update.update_id <= draft.last_update_id:
        return  # redelivered after a restart: already handled
    message = update.effective_message
    assert message is not None
    photo = sent_photo(message)
    if draft.state == PHOTO and photo:
        await _raise(update, context, person, draft, photo)
        return
    text = (message.text or message.caption or "").strip()
    if not text:
        await reply(update, t("problems.need_text"))
        return
    if draft.state == PICK:
        await _pick_typed(update, context, person, draft, text)
    elif draft.state == CATEGORY:
        category = flow.parse_category(text)
        if category is None:
            labels = "、".join(category_label(c) for c in flow.CATEGORIES)
            await reply(update, t("problems.category_unknown", categories=labels))
            return
        draft.data["category"] = category
        draft.state = DESCRIBE
        await save_step(context, draft, update)
        await _prompt(update, context, draft)
    elif draft.state == DESCRIBE:
        if len(text) > MAX_TEXT:
            await reply(update, t("problems.too_long", limit=MAX_TEXT, length=len(text)))
            return
        draft.data["description"] = text
        draft.state = PHOTO
        await save_step(context, draft, update)
        await _prompt(update, context, draft)
    elif draft.state == PHOTO:
        await reply(update, t("problems.photo_expected"))
    elif draft.state in TYPED:
        if len(text) > MAX_TEXT:
            await reply(update, t("problems.too_long", limit=MAX_TEXT, length=len(text)))
            return
        await _act(update, context, person, draft.data["problem_id"], draft.data["version"],
                   TYPED[draft.state], note=text, draft=draft)  # fmt: skip
    elif draft.state == DEPARTMENT:
        if len(text) > MAX_NAME or " " in text:
            await reply(update, t("problems.department_name_bad", limit=MAX_NAME))
            return
        draft.data["department_name"] = text
        await _ask_deadline(update, context, person, draft.data["problem_id"],
                            draft.data["version"], None, text, draft)  # fmt: skip
    elif draft.state == DEADLINE:
        first = today(context)
        if text in ("默认", "default") and "default" in draft.data:
            day: date | None = date.fromisoformat(draft.data["default"])
        else:
            day = parse_day(text, first)
        if day is None or not first <= day <= first + timedelta(days=MAX_DEADLINE_DAYS):
            await reply(update, t("problems.deadline_bad", today=first.isoformat()))
            return
        await _act(update, context, person, draft.data["problem_id"], draft.data["version"],
                   flow.ASSIGN, department=draft.data.get("unit_id"),
                   department_name=draft.data.get("department_name"), deadline=day,
                   draft=draft)  # fmt: skip


async def on_skip(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, draft: Draft
) -> None:
    """/skip inside a problem draft: only the photo is optional."""
    if update.update_id <= draft.last_update_id:
        return
    if draft.state != PHOTO:
        await reply(update, t("problems.cannot_skip"))
        return
    await _raise(update, context, person, draft, None)


async def _pick_typed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, draft: Draft, text: str
) -> None:
    choices = [await projects.by_id(svc(context).db, pid) for pid in draft.data["choices"]]
    project = match_project([p for p in choices if p is not None], text)
    if project is None:
        await reply(update, t("problems.pick_again"))
        return
    await _begin(update, context, person, project)


async def _raise(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    draft: Draft,
    photo: tuple[str, str] | None,
) -> None:
    """Store the problem and close the draft in one transaction; tell admins and leaders."""
    s = svc(context)
    now = s.now()
    async with s.db.transaction() as tx:
        current = await drafts.get(tx, person.tg_user_id)
        if current is None or current.nonce != draft.nonce:
            problem_id = None
        else:
            project_id = draft.data["project_id"]
            await drafts.delete(tx, person.tg_user_id)
            if not await projects.is_linked(tx, person.id, project_id, "liaison"):
                problem_id = 0
            else:
                problem_id = await store.create(
                    tx, project_id=project_id, raised_by=person.id,
                    category=draft.data["category"], description=draft.data["description"],
                    photo=photo, now=now,
                )  # fmt: skip
                p = await store.by_id(tx, problem_id)
                assert p is not None
                leaders = await store.chats_of_project(tx, p.project_id, "leader")
                admins = await escalation.admin_chats(tx, s.config.bot.admins)
                await notify(
                    tx, kind="problem", period=f"{p.id}:raise",
                    chats=(admins | set(leaders.values())) - {person.tg_user_id},
                    text=t("problems.notice_new", headline=headline(p), unit=p.unit,
                           raiser=p.raiser, link=link(p.id)),
                    now=now,
                )  # fmt: skip
                await audit.record(tx, person.id, "problem.raise", problem=problem_id)
    if problem_id is None:
        await reply(update, t("common.stale_button"))
    elif problem_id == 0:
        await reply(update, t("problems.not_yours", code="?"))
    else:
        await reply(update, t("problems.raised", id=problem_id, link=link(problem_id)))


# ---- the card -------------------------------------------------------------------------------


@requires()
async def card_command(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """/p<id>: the problem's card with the viewer's buttons."""
    text = update.effective_message.text or ""
    problem_id = int(text.split("@")[0][2:])
    p = await store.by_id(svc(context).db, problem_id)
    if p is None:
        await reply(update, t("problems.not_found", id=problem_id))
        return
    relations = await store.relations(svc(context).db, person, p)
    if not relations:
        await reply(update, t("problems.denied_view", id=problem_id))
        return
    if p.photo_file_id:
        try:
            await sender.send_photo(
                context.bot, update.effective_chat.id, p.photo_file_id,
                caption=t("problems.photo_caption", id=p.id),
            )  # fmt: skip
        except TelegramError as exc:  # a lost photo must not hide the card
            log.warning("photo of problem %s not shown: %s", p.id, exc)
    await _send_card(update, context, p, relations)


async def _send_card(
    update: Update, context: ContextTypes.DEFAULT_TYPE, p: Problem, relations: set[str]
) -> None:
    text = await card_text(context, p)
    actions = flow.actions_for(p.state, relations)
    buttons = [(t(f"problems.btn_{a}"), f"pb:{p.id}:{p.version}:{CODES[a]}") for a in actions]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    await reply(update, text, reply_markup=keyboard(rows) if rows else None)


async def card_text(context: ContextTypes.DEFAULT_TYPE, p: Problem) -> str:
    s = svc(context)
    tz = s.config.bot.timezone
    day = s.today()
    calendar = await _calendar(context)
    reply_n = await escalation.workdays_setting(
        s.db, escalation.REPLY_KEY, escalation.DEFAULT_REPLY
    )
    assigned = local_date(p.assigned_at, tz) if p.assigned_at else None
    late_reply, late = flow.overdue(flow.Standing(p.state, assigned, p.deadline), day, calendar,
                                    reply_n)  # fmt: skip
    if p.deadline is None:
        deadline = t("problems.no_deadline")
    elif late:
        deadline = t("problems.deadline_late", day=p.deadline.isoformat(),
                     n=(day - p.deadline).days)  # fmt: skip
    elif p.state == flow.CLOSED:
        deadline = p.deadline.isoformat()
    else:
        deadline = t("problems.deadline_left", day=p.deadline.isoformat(),
                     n=(p.deadline - day).days)  # fmt: skip
    if p.state == flow.ASSIGNED and assigned is not None:
        due = flow.reply_due(calendar, assigned, reply_n)
        answer = t("problems.reply_late" if late_reply else "problems.reply_due",
                   day=day_label(due))  # fmt: skip
    elif p.replied_at is not None:
        answer = t("problems.replied", at=show(p.replied_at, tz))
    else:
        answer = "—"
    lines = [
        t("problems.card", id=p.id, category=category_label(p.category),
          state=t(f"problems.state_{p.state}"), code=p.code, project=p.project, unit=p.unit,
          description=p.description, raiser=p.raiser, raised=show(p.created_at, tz),
          age=max((day - local_date(p.created_at, tz)).days, 0), owner=p.owner,
          deadline=deadline, reply=answer)
    ]  # fmt: skip
    events = await store.history(s.db, p.id)
    if events:
        lines.append(t("problems.history_title"))
        if len(events) > 8:
            lines.append(t("problems.history_more", n=len(events) - 8))
        lines += [event_line(e, tz) for e in events[-8:]]
    return "\n".join(lines)


@requires()
async def on_card_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """Buttons of a card: pb:<problem>:<version>:<code>[:<arg>[:<arg>]]."""
    parts = update.callback_query.data.split(":")
    if len(parts) < 4 or not parts[1].isdigit() or not parts[2].isdigit():
        await reply(update, t("common.stale_button"))
        return
    problem_id, version, code, args = int(parts[1]), int(parts[2]), parts[3], parts[4:]
    action = ACTION_OF.get(code)
    p = await store.by_id(svc(context).db, problem_id)
    if p is None or action is None:
        await reply(update, t("problems.not_found", id=problem_id))
        return
    refusal = await _refusal(svc(context).db, person, p, action, version)
    if refusal:
        await reply(update, refusal)
        return
    if code == "as":
        await _ask_department(update, context, p)
    elif code == "ad" and args and args[0].isdigit():
        name = await store.unit_name(svc(context).db, int(args[0]))
        if name is None:
            await reply(update, t("common.stale_button"))
            return
        await _ask_deadline(update, context, person, p.id, version, int(args[0]), name, None)
    elif code == "an":
        await _start_typed(update, context, person, p, DEPARTMENT)
    elif code == "dl" and len(args) == 2 and args[0].isdigit() and args[1].isdigit():
        try:
            deadline = datetime.strptime(args[1], "%Y%m%d").date()
        except ValueError:
            await reply(update, t("common.stale_button"))
            return
        await _act(update, context, person, p.id, version, flow.ASSIGN,
                   department=int(args[0]), deadline=deadline)  # fmt: skip
    elif code == "dt" and args and args[0].isdigit():
        await _start_typed(update, context, person, p, DEADLINE, unit_id=int(args[0]))
    elif code == "cf":
        await _act(update, context, person, p.id, version, flow.CONFIRM)
    elif action in ASK and code == CODES[action]:
        await _start_typed(update, context, person, p, ASK[action])
    else:
        await reply(update, t("common.stale_button"))


async def _refusal(
    db: Database | Tx, person: Person, p: Problem, action: str, version: int | None
) -> str:
    """Why this person may not do `action` on the problem now; "" when they may."""
    relations = await store.relations(db, person, p)
    if not flow.may(action, relations):
        who = "、".join(t(f"problems.who_{r}") for r in sorted(flow.ACTORS[action]))
        return t("problems.denied", id=p.id, action=t(f"problems.btn_{action}"), who=who)
    if action in flow.STATEFUL and version is not None and version != p.version:
        return t("problems.stale", id=p.id, state=t(f"problems.state_{p.state}"), link=link(p.id))
    try:
        flow.next_state(p.state, action)
    except flow.IllegalTransition:
        return t("problems.illegal", id=p.id, state=t(f"problems.state_{p.state}"),
                 action=t(f"problems.btn_{action}"))  # fmt: skip
    return ""


async def _start_typed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    p: Problem,
    state: str,
    **extra: int,
) -> None:
    if not await _free_for_draft(update, context, person):
        return
    draft = Draft(person.tg_user_id, DRAFT, state,
                  {"problem_id": p.id, "version": p.version, **extra})  # fmt: skip
    await save_step(context, draft, update)
    await _prompt(update, context, draft)


async def _ask_department(update: Update, context: ContextTypes.DEFAULT_TYPE, p: Problem) -> None:
    found = await store.departments(svc(context).db)
    buttons = [(name[:20], f"pb:{p.id}:{p.version}:ad:{uid}") for uid, name in found]
    rows = [buttons[i : i + 2] for i in range(0, min(len(buttons), MAX_DEPARTMENTS), 2)]
    rows.append([(t("problems.btn_other_department"), f"pb:{p.id}:{p.version}:an")])
    await reply(update, t("problems.pick_department", id=p.id, headline=headline(p)),
                reply_markup=keyboard(rows))  # fmt: skip


async def _ask_deadline(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    problem_id: int,
    version: int,
    unit_id: int | None,
    name: str,
    draft: Draft | None,
) -> None:
    """The default deadline for the category as a button, or type a date."""
    s = svc(context)
    p = await store.by_id(s.db, problem_id)
    if p is None:
        await reply(update, t("problems.not_found", id=problem_id))
        return
    workdays = await escalation.deadline_workdays(s.db, p.category)
    default = flow.default_deadline(await _calendar(context), s.today(), workdays)
    if unit_id is None:  # a typed new department: the date is typed too, or the default taken
        assert draft is not None
        draft.state = DEADLINE
        draft.data["default"] = default.isoformat()
        await save_step(context, draft, update)
        await reply(update, t("problems.ask_deadline_typed", department=name,
                              default=default.isoformat(), n=workdays,
                              category=category_label(p.category)))  # fmt: skip
        return
    base = f"pb:{p.id}:{version}"
    rows = [
        [(t("problems.btn_default_deadline", day=day_label(default), n=workdays),
          f"{base}:dl:{unit_id}:{default.strftime('%Y%m%d')}")],
        [(t("problems.btn_type_deadline"), f"{base}:dt:{unit_id}")],
    ]  # fmt: skip
    await reply(update, t("problems.pick_deadline", id=p.id, department=name,
                          category=category_label(p.category), n=workdays),
                reply_markup=keyboard(rows))  # fmt: skip


# ---- acting on a problem --------------------------------------------------------------------


async def _act(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    problem_id: int,
    version: int,
    action: str,
    *,
    note: str = "",
    department: int | None = None,
    department_name: str | None = None,
    deadline: date | None = None,
    draft: Draft | None = None,
) -> None:
    """Check and apply one action in one transaction; then answer the actor with the card."""
    s = svc(context)
    now, day = s.now(), s.today()
    days = await escalation.workdays_setting(s.db, escalation.REPLY_KEY, escalation.DEFAULT_REPLY)
    reply_by = day_label(flow.reply_due(await _calendar(context), day, days))
    async with s.db.transaction() as tx:
        if draft is not None:
            await drafts.delete(tx, person.tg_user_id)
        p = await store.by_id(tx, problem_id)
        if p is None:
            answer = t("problems.not_found", id=problem_id)
        else:
            answer = await _refusal(tx, person, p, action, version)
        if p is not None and not answer:
            to_state = flow.next_state(p.state, action)
            if action == flow.ASSIGN and department is None:
                department = await store.department_id(tx, department_name or "", now)
            if action in flow.STATEFUL:
                changed = await store.change(
                    tx,
                    p,
                    to_state=to_state,
                    now=now,
                    today=day,
                    department_id=department,
                    deadline=deadline,
                )
                assert changed  # the version was checked in this same transaction
            event = await store.record(
                tx, p.id, actor=person.id, action=action, from_state=p.state, to_state=to_state,
                department_id=department, deadline=deadline, note=note, now=now,
            )  # fmt: skip
            assert event is not None
            fresh = await store.by_id(tx, p.id)
            assert fresh is not None
            await _tell_others(tx, fresh, action, person, event, note, now, days, reply_by)
            await audit.record(tx, person.id, f"problem.{action}", problem=p.id,
                               state=to_state)  # fmt: skip
    if answer:
        await reply(update, answer)
        return
    await reply(update, t(f"problems.done_{action}", id=problem_id))
    current = await store.by_id(s.db, problem_id)
    if current is not None:
        await _send_card(update, context, current, await store.relations(s.db, person, current))


async def _tell_others(
    tx: Tx,
    p: Problem,
    action: str,
    actor: Person,
    event: int,
    note: str,
    now: datetime,
    days: int,
    reply_by: str,
) -> None:
    """Who hears of what: the department of its assignment, a rejection and the close; the
    liaison of each reply, note and resolution; never the actor."""
    liaisons = set((await store.chats_of_project(tx, p.project_id, "liaison")).values())
    department = set()
    if p.department_id is not None:
        department = set((await store.chats_of_department(tx, p.department_id)).values())
    values = {"headline": headline(p), "who": actor.name, "note": note, "link": link(p.id),
              "department": p.department or "", "unit": p.unit,
              "deadline": p.deadline.isoformat() if p.deadline else "",
              "days": days, "reply_by": reply_by}  # fmt: skip
    plan: list[tuple[set[int], str]] = []
    if action == flow.ASSIGN:
        plan = [(department, "notice_assigned"), (liaisons, "notice_assigned_liaison")]
    elif action in (flow.ACCEPT, flow.RESOLVE):
        plan = [(liaisons, f"notice_{action}")]
    elif action == flow.NOTE:
        plan = [(liaisons | department, "notice_note")]
    elif action in (flow.CONFIRM, flow.REJECT):
        plan = [(department, f"notice_{action}")]
    for chats, key in plan:
        await notify(tx, kind="problem", period=f"{p.id}:{event}",
                     chats=chats - {actor.tg_user_id}, text=t(f"problems.{key}", **values),
                     now=now)  # fmt: skip


# ---- /problems ------------------------------------------------------------------------------


@requires("admin", "leader", "liaison", "department")
async def problems_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """Open problems in the caller's scope, oldest first; admins: `/problems 设置 …`."""
    args = command_args(update)
    if args and args[0] in ("设置", "settings"):
        await _settings(update, context, person, args[1:])
        return
    s = svc(context)
    tz = s.config.bot.timezone
    found = await store.open_in_scope(s.db, person)
    if not found:
        await reply(update, t("problems.none_open"))
        return
    day = s.today()
    calendar = await _calendar(context)
    reply_n = await escalation.workdays_setting(
        s.db, escalation.REPLY_KEY, escalation.DEFAULT_REPLY
    )
    lines = [t("problems.list_title", n=len(found))]
    for p in found[:MAX_LIST]:
        assigned = local_date(p.assigned_at, tz) if p.assigned_at else None
        late = flow.overdue(flow.Standing(p.state, assigned, p.deadline), day, calendar, reply_n)
        lines.append(
            t("problems.list_line", link=link(p.id), category=category_label(p.category),
              code=p.code, text=p.description[:30], owner=p.owner,
              state=t(f"problems.state_{p.state}"),
              age=max((day - local_date(p.created_at, tz)).days, 0),
              mark=t("problems.mark_late") if any(late) else "")
        )  # fmt: skip
    if len(found) > MAX_LIST:
        lines.append(t("problems.list_more", n=len(found) - MAX_LIST))
    await send_chunked(update, lines)


async def _settings(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, args: list[str]
) -> None:
    """Show or change the problem settings (admins): reply and escalation delays, deadlines."""
    if not person.is_admin:
        await reply(update, t("common.denied", roles=t("role.admin")))
        return
    db = svc(context).db
    if len(args) == 2:
        word, value = args
        key = SETTING_WORDS.get(word)
        category = flow.parse_category(word)
        if key is None and category is not None:
            key = flow.settings_key(category)
        if key is None or not value.isdigit() or not 1 <= int(value) <= MAX_WORKDAYS:
            await reply(update, t("problems.settings_usage", max=MAX_WORKDAYS))
            return
        async with db.transaction() as tx:
            await schedule.set_setting(tx, key, str(int(value)))
            await audit.record(tx, person.id, "problem.setting", key=key, value=int(value))
    elif args:
        await reply(update, t("problems.settings_usage", max=MAX_WORKDAYS))
        return
    deadlines = "、".join(
        [
            f"{category_label(c)} {await escalation.deadline_workdays(db, c)}"
            for c in flow.CATEGORIES
        ]
    )
    await reply(
        update,
        t("problems.settings",
          reply=await escalation.workdays_setting(db, escalation.REPLY_KEY,
                                                  escalation.DEFAULT_REPLY),
          office=await escalation.workdays_setting(db, escalation.OFFICE_KEY,
                                                   escalation.DEFAULT_OFFICE),
          deadlines=deadlines, max=MAX_WORKDAYS),
    )  # fmt: skip


def register(app: Application) -> None:
    app.add_handler(CommandHandler("problem", problem_command))
    app.add_handler(CommandHandler("problems", problems_command))
    # /p12 — the tappable link in every notice (a command name cannot carry a number).
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE
            & filters.Regex(r"^/p\d{1,9}(@\w+)?$"),
            card_command,
        )
    )
    app.add_handler(buttons.handler(PROBLEM_RAISE, on_raise_button))
    app.add_handler(buttons.handler(PROBLEM_CARD, on_card_button))
