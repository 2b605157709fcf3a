"""Problems (问题清单) as a service: raise, act, show a card, list the open ones, escalate.

Handlers parse an update, call one function here and render its result from the catalog; the
scheduler's escalation calls the same functions. Each function decides inside one transaction:
who may act (checked here, at the action, whatever buttons were shown), what changes (against
domain.problem_flow and the problem's version, so a double tap or a stale button acts once),
and who hears of it (services.problem_notices queues the notices in that transaction, and the
outbox sends them once it has committed). Nothing here talks to Telegram.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain import problem_flow as flow
from domain.workdays import WorkCalendar
from messages import t
from services import problem_notices as notices
from services.problem_settings import DEFAULT_REPLY, REPLY_KEY, deadline_workdays, workdays_setting
from storage import Database, Tx, audit, drafts, photos, projects
from storage import departments as depts
from storage import problem_events as events
from storage import problems as store
from storage.drafts import Draft
from storage.people import Person
from storage.problem_events import Event
from storage.problems import Problem
from timeutil import local_date

MAX_TEXT = 1000  # a description, plan, note, resolution or reason
MAX_NAME = 40  # a department's name
NEEDS_TEXT = frozenset({flow.ACCEPT, flow.NOTE, flow.RESOLVE, flow.REJECT})


@dataclass(frozen=True)
class Refusal:
    """Why nothing was done; the handler says it from the catalog."""

    # not_found | denied_view | denied | stale | illegal | stale_button | no_longer_yours |
    # bad_deadline | bad_text | bad_department
    reason: str
    problem_id: int | None = None
    state: str | None = None  # the problem's state now (stale, illegal)
    action: str | None = None  # what was asked (denied, illegal)
    allowed: tuple[str, ...] = ()  # who may do it (denied)


# ---- raising --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raised:
    problem_id: int
    category: str
    notified: int  # notices queued (admins and linked leaders)


async def raise_problem(
    tx: Tx,
    *,
    project_id: int,
    raised_by: int,
    description: str,
    now: datetime,
    category: str | None = None,
    photo: tuple[str, str] | None = None,
    photo_id: int | None = None,
) -> Raised:
    """Raise a problem inside the caller's transaction: the one way a problem enters the ledger.

    Stores the problem (open, owned by the project's unit) with its "raise" event and an audit
    entry, and queues its card link to the admins and the project's linked leaders, who assign
    it; the notices go out only if the caller's transaction commits.

    Args:
        tx: the caller's open transaction (e.g. a report's submit).
        project_id: the project it concerns.
        raised_by: people.id of the liaison raising it; the caller has checked that they may
            (a liaison linked to the project).
        description: what the person typed, already cleaned at the boundary
            (domain.text.clean), 1..MAX_TEXT characters.
        now: when (UTC).
        category: one of domain.problem_flow.CATEGORIES; None: inferred from the words.
        photo: (file_id, file_unique_id) of a photo sent with the problem, stored here; or
        photo_id: a photo row the caller stored already (a report's own photo). Not both.
    """
    assert photo is None or photo_id is None, "one photo: sent with it, or stored already"
    assert 0 < len(description) <= MAX_TEXT, "the boundary checks the length"
    if photo is not None:
        photo_id = await photos.add(
            tx, project_id=project_id, taken_by=raised_by, file_id=photo[0],
            unique_id=photo[1], now=now,
        )  # fmt: skip
    category = category or flow.infer_category(description)
    problem_id = await store.create(
        tx, project_id=project_id, raised_by=raised_by, category=category,
        description=description, photo_id=photo_id, now=now,
    )  # fmt: skip
    await events.record(tx, problem_id, actor=raised_by, action="raise", to_state=flow.OPEN,
                        now=now)  # fmt: skip
    p = await store.by_id(tx, problem_id)
    assert p is not None
    notified = await notices.raised(tx, p, now)
    await audit.record(tx, raised_by, "problem.raise", problem=problem_id)
    return Raised(problem_id, category, notified)


async def raise_from_draft(
    db: Database, person: Person, draft: Draft, photo: tuple[str, str] | None, now: datetime
) -> Raised | Refusal:
    """/problem's last step: raise the drafted problem and close the draft, in one transaction.

    A draft replaced meanwhile (another flow, a double tap) is stale; a project the liaison no
    longer answers for is refused.
    """
    async with db.transaction() as tx:
        current = await drafts.get(tx, person.tg_user_id)
        if current is None or current.nonce != draft.nonce:
            return Refusal("stale_button")
        await drafts.delete(tx, person.tg_user_id)
        project_id = draft.data["project_id"]
        if not await projects.is_linked(tx, person.id, project_id, "liaison"):
            return Refusal("no_longer_yours")
        return await raise_problem(
            tx, project_id=project_id, raised_by=person.id, category=draft.data["category"],
            description=draft.data["description"], photo=photo, now=now,
        )  # fmt: skip


async def announce_unlogged(db: Database, now: datetime) -> int:
    """Log and announce, once each, problems an older version's /report inserted raw.

    The report flow raises its problem with raise_problem now (services.report_submit); this
    only catches rows stored before that, and can go once no deployment has any.
    """
    announced = 0
    for p in await store.unlogged(db):
        async with db.transaction() as tx:
            if not await store.mark_logged(tx, p, flow.infer_category(p.description)):
                continue
            fresh = await store.by_id(tx, p.id)
            assert fresh is not None
            announced += await notices.raised(tx, fresh, now)
    return announced


# ---- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A problem as a viewer sees it today: age, lateness, and what they may do."""

    problem: Problem
    relations: frozenset[str]
    actions: tuple[str, ...]  # what this viewer may do now, in button order
    today: date
    age_days: int
    late_reply: bool  # assigned, and the department's reply is overdue
    late: bool  # past its deadline and not resolved
    reply_due: date | None  # while assigned: the last day the reply is on time
    history: tuple[Event, ...] = ()  # oldest first (the card only)


async def _standing(
    db: Database | Tx, person: Person | None, p: Problem, today: date, calendar: WorkCalendar,
    tz: ZoneInfo, reply_n: int,
) -> Standing:  # fmt: skip
    relations = frozenset(await store.relations(db, person, p)) if person else frozenset()
    assigned = local_date(p.assigned_at, tz) if p.assigned_at else None
    late_reply, late = flow.overdue(flow.Standing(p.state, assigned, p.deadline), today,
                                    calendar, reply_n)  # fmt: skip
    due = None
    if p.state == flow.ASSIGNED and assigned is not None:
        due = flow.reply_due(calendar, assigned, reply_n)
    age = max((today - local_date(p.created_at, tz)).days, 0)
    actions = tuple(flow.actions_for(p.state, relations))
    return Standing(p, relations, actions, today, age, late_reply, late, due)


async def card(
    db: Database, person: Person, problem_id: int, *, today: date, calendar: WorkCalendar,
    tz: ZoneInfo,
) -> Standing | Refusal:  # fmt: skip
    """A problem's card for this viewer, with its whole history; refused outside their scope."""
    p = await store.by_id(db, problem_id)
    if p is None:
        return Refusal("not_found", problem_id)
    if not await store.relations(db, person, p):
        return Refusal("denied_view", problem_id)
    reply_n = await workdays_setting(db, REPLY_KEY, DEFAULT_REPLY)
    seen = await _standing(db, person, p, today, calendar, tz, reply_n)
    history = tuple(await events.history(db, p.id))
    return dataclasses.replace(seen, history=history)


async def open_in_scope(
    db: Database, person: Person, *, today: date, calendar: WorkCalendar, tz: ZoneInfo
) -> list[Standing]:
    """Problems not closed that the person may see (/problems), oldest first."""
    reply_n = await workdays_setting(db, REPLY_KEY, DEFAULT_REPLY)
    return [
        await _standing(db, None, p, today, calendar, tz, reply_n)
        for p in await store.open_in_scope(db, person)
    ]


# ---- acting ---------------------------------------------------------------------------------


async def check(
    db: Database | Tx, person: Person, p: Problem, action: str, version: int
) -> Refusal | None:
    """Why this person may not do `action` on the problem as of `version` now; None if they may."""
    relations = await store.relations(db, person, p)
    if not flow.may(action, relations):
        return Refusal("denied", p.id, action=action, allowed=tuple(sorted(flow.ACTORS[action])))
    if action in flow.STATEFUL and version != p.version:
        return Refusal("stale", p.id, state=p.state)
    try:
        flow.next_state(p.state, action)
    except flow.IllegalTransition:
        return Refusal("illegal", p.id, state=p.state, action=action)
    return None


async def may_start(
    db: Database, person: Person, problem_id: int, version: int, action: str
) -> Problem | Refusal:
    """Before asking for an action's details (a plan, a department): may they take it?"""
    p = await store.by_id(db, problem_id)
    if p is None:
        return Refusal("not_found", problem_id)
    return await check(db, person, p, action, version) or p


async def departments(db: Database) -> list[tuple[int, str]]:
    """(unit id, name) of the departments a problem can be assigned to, by name."""
    return await depts.departments(db)


async def default_deadline(
    db: Database, p: Problem, today: date, calendar: WorkCalendar
) -> tuple[date, int]:
    """The category's default deadline counted from today, and its number of workdays."""
    workdays = await deadline_workdays(db, p.category)
    return flow.default_deadline(calendar, today, workdays), workdays


@dataclass(frozen=True)
class Request:
    """One action on a problem, as the person asked for it."""

    problem_id: int
    version: int  # the problem's version when the card was shown
    action: str
    note: str = ""  # the plan, note, resolution or reason (cleaned at the boundary)
    department_id: int | None = None  # assign: a known department, or
    department_name: str | None = None  # a typed one (created on first assignment)
    deadline: date | None = None  # assign


@dataclass(frozen=True)
class Acted:
    problem: Problem  # as it is after the action
    action: str
    notified: int


def _malformed(r: Request, today: date) -> Refusal | None:
    if r.action in NEEDS_TEXT and not 0 < len(r.note) <= MAX_TEXT:
        return Refusal("bad_text", r.problem_id)
    if r.action == flow.ASSIGN:
        if r.deadline is None or not flow.deadline_allowed(r.deadline, today):
            return Refusal("bad_deadline", r.problem_id)
        name = r.department_name
        if r.department_id is None and not (name and len(name) <= MAX_NAME):
            return Refusal("bad_department", r.problem_id)
    return None


async def act(
    db: Database, person: Person, r: Request, *, now: datetime, today: date,
    calendar: WorkCalendar, draft_owner: int | None = None,
) -> Acted | Refusal:  # fmt: skip
    """Check and apply one action in one transaction, and queue who hears of it.

    `draft_owner`: the Telegram user whose typed-input draft this action completes; it is
    closed in the same transaction, whatever the outcome.
    """
    reply_n = await workdays_setting(db, REPLY_KEY, DEFAULT_REPLY)
    async with db.transaction() as tx:
        if draft_owner is not None:
            await drafts.delete(tx, draft_owner)
        p = await store.by_id(tx, r.problem_id)
        if p is None:
            return Refusal("not_found", r.problem_id)
        refusal = await check(tx, person, p, r.action, r.version) or _malformed(r, today)
        department = r.department_id
        if (
            refusal is None
            and department is not None
            and await depts.unit_name(tx, department) is None
        ):
            refusal = Refusal("stale_button", r.problem_id)
        if refusal is not None:
            return refusal
        to_state = flow.next_state(p.state, r.action)
        if r.action == flow.ASSIGN and department is None:
            department = await depts.department_id(tx, r.department_name or "", now)
        if r.action in flow.STATEFUL:
            changed = await store.change(
                tx,
                p,
                to_state=to_state,
                now=now,
                today=today,
                department_id=department,
                deadline=r.deadline,
            )
            assert changed  # the version was checked in this same transaction
        event = await events.record(
            tx, p.id, actor=person.id, action=r.action, from_state=p.state, to_state=to_state,
            department_id=department, deadline=r.deadline, note=r.note, now=now,
        )  # fmt: skip
        assert event is not None
        fresh = await store.by_id(tx, p.id)
        assert fresh is not None
        notified = await notices.acted(
            tx, fresh, r.action, person, event, r.note, now, reply_workdays=reply_n,
            reply_by=flow.reply_due(calendar, today, reply_n), today=today,
        )  # fmt: skip
        await audit.record(tx, person.id, f"problem.{r.action}", problem=p.id, state=to_state)
    return Acted(fresh, r.action, notified)


# ---- escalation -----------------------------------------------------------------------------


async def escalate(
    db: Database, p: Problem, step: str, *, late: bool, reply_workdays: int, now: datetime
) -> bool:
    """Take one escalation step of the problem's current round (the scheduler decides when):
    log it once, send the card to the step's readers and tell the department. False when the
    step was taken before or the problem changed meanwhile (the next tick looks again)."""
    reason = t("problems.why_deadline" if late else "problems.why_no_reply",
               deadline=p.deadline.isoformat() if p.deadline else "",
               days=reply_workdays)  # fmt: skip
    async with db.transaction() as tx:
        current = await store.by_id(tx, p.id)
        if current is None or current.version != p.version:
            return False
        readers = await notices.step_readers(tx, p, step)
        if step == flow.LEADER_STEP:
            note = t("problems.escalated_leader_note", n=len(readers))
        else:
            note = t("problems.escalated_office_note")
        event = await events.record(
            tx, p.id, actor=None, action="escalate", from_state=p.state, to_state=p.state,
            note=f"{reason}；{note}", step=f"{p.round}:{step}", now=now,
        )  # fmt: skip
        if event is None:
            return False  # logged before: taken once only
        await notices.escalated(tx, p, step, readers, reason, event, now)
    return True
