"""Who hears what of a problem: the notices each change queues, rendered from the catalog.

Every notice goes into the outbox inside the caller's transaction, keyed (kind, period, chat):
it is sent by the scheduler's dispatch only once the change is committed, once per chat, and
never by the code that holds the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from domain import problem_flow as flow
from ledger.texts import day_label, headline, link
from messages import t
from storage import Database, Tx, outbox, people
from storage import departments as depts
from storage import problems as store
from storage.people import Person
from storage.problems import Problem

NOTICE_LIFETIME = timedelta(days=7)


async def notify(
    tx: Tx, *, kind: str, period: str, chats: Iterable[int], text: str, now: datetime
) -> int:
    """Queue one plain-text notice per chat; return how many were new."""
    added = 0
    for chat in sorted(set(chats)):
        added += await outbox.enqueue(
            tx, kind=kind, period=period, chat_id=chat, spec={"render": "text", "text": text},
            not_before=now, expires_at=now + NOTICE_LIFETIME, now=now,
        )  # fmt: skip
    return added


async def admin_chats(db: Database | Tx) -> set[int]:
    """The admins' office: everyone holding the admin role (config admins get it on contact)."""
    return {p.tg_user_id for p in await people.with_role(db, "admin")}


async def leader_chats(db: Database | Tx, p: Problem) -> set[int]:
    """The project's linked leaders (包抓领导)."""
    return set((await store.chats_of_project(db, p.project_id, "leader")).values())


async def raised(tx: Tx, p: Problem, now: datetime) -> int:
    """A new problem: the admins and the linked leaders, who assign it, get its card link
    (not the raiser, should they be one of them)."""
    raiser = await people.by_id(tx, p.raised_by)
    chats = await admin_chats(tx) | await leader_chats(tx, p)
    if raiser is not None:
        chats.discard(raiser.tg_user_id)
    text = t("problems.notice_new", headline=headline(p), unit=p.unit, raiser=p.raiser,
             link=link(p.id))  # fmt: skip
    return await notify(
        tx, kind="problem", period=f"{p.id}:raise", chats=chats, text=text, now=now
    )


async def acted(
    tx: Tx,
    p: Problem,
    action: str,
    actor: Person,
    event: int,
    note: str,
    now: datetime,
    *,
    reply_workdays: int,
    reply_by: date,
    today: date,
) -> int:
    """Who hears of an action on the problem (`p` as it is after it): the department of its
    assignment, a rejection and the close; the liaisons of each reply, note and resolution;
    never the actor."""
    liaisons = set((await store.chats_of_project(tx, p.project_id, "liaison")).values())
    department: set[int] = set()
    if p.department_id is not None:
        department = set((await depts.chats_of_department(tx, p.department_id)).values())
    values = {"headline": headline(p), "who": actor.name, "note": note, "link": link(p.id),
              "department": p.department or "", "unit": p.unit,
              "deadline": p.deadline.isoformat() if p.deadline else "",
              "days": reply_workdays, "reply_by": day_label(reply_by, today)}  # fmt: skip
    plan: list[tuple[set[int], str]] = []
    if action == flow.ASSIGN:
        plan = [(department, "notice_assigned"), (liaisons, "notice_assigned_liaison")]
    elif action in (flow.ACCEPT, flow.RESOLVE):
        plan = [(liaisons, f"notice_{action}")]
    elif action == flow.NOTE:
        plan = [(liaisons | department, "notice_note")]
    elif action in (flow.CONFIRM, flow.REJECT):
        plan = [(department, f"notice_{action}")]
    added = 0
    for chats, key in plan:
        added += await notify(
            tx, kind="problem", period=f"{p.id}:{event}", chats=chats - {actor.tg_user_id},
            text=t(f"problems.{key}", **values), now=now,
        )  # fmt: skip
    return added


async def step_readers(db: Database | Tx, p: Problem, step: str) -> set[int]:
    """Who an escalation step goes to: the linked leaders (督办), then the admins' office."""
    return await leader_chats(db, p) if step == flow.LEADER_STEP else await admin_chats(db)


async def escalated(
    tx: Tx, p: Problem, step: str, readers: set[int], reason: str, event: int, now: datetime
) -> tuple[int, int]:
    """An escalation step: its readers get the card to push it on; the department hears which
    step it has reached and why. Returns (readers told, department contacts told)."""
    text = t(f"problems.notice_escalate_{step}", headline=headline(p), owner=p.owner,
             reason=reason, link=link(p.id))  # fmt: skip
    told = await notify(tx, kind="escalate", period=f"{p.id}:{p.round}:{step}", chats=readers,
                        text=text, now=now)  # fmt: skip
    contacts: Iterable[int] = ()
    if p.department_id is not None:
        contacts = (await depts.chats_of_department(tx, p.department_id)).values()
    to_department = await notify(
        tx, kind="problem", period=f"{p.id}:{event}", chats=contacts,
        text=t(f"problems.notice_escalated_{step}", headline=headline(p), reason=reason,
               link=link(p.id)),
        now=now,
    )  # fmt: skip
    return told, to_department
