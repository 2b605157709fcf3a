"""Who the caller is and what they may read: the checks every front end makes at the action.

Roles and scope are read from the database each time they are used, never remembered from
when a button or a page was shown, so access taken away is gone at once. The services that
change something (invites, people, projects, problems) check the actor's role themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from storage import Database, people, progress, projects
from storage.people import Person

SEEN_EVERY = timedelta(hours=1)  # last activity is written at most this often per person
READERS = ("admin", "leader")  # who may read projects' figures, scores and the ledger


async def identify(
    db: Database,
    *,
    tg_user_id: int,
    name: str,
    username: str | None,
    now: datetime,
    config_admins: Iterable[int],
) -> Person | None:
    """The person behind a Telegram user, or None for someone never bound; with their scope
    and their open draft, read in one query (storage.people.caller).

    A config admin is bound on first contact; a chat that had blocked the bot is open again
    (they write); activity is noted at most once an hour, so a busy person costs no writes.
    """
    person = await people.caller(db, tg_user_id)
    if person is not None and person.blocked:
        async with db.transaction() as tx:
            await progress.set_blocked(tx, tg_user_id, None)
    if tg_user_id in set(config_admins) and (person is None or not person.is_admin):
        async with db.transaction() as tx:
            pid = await people.upsert(tx, tg_user_id, name, username)
            await people.grant(tx, pid, "admin", source="config")
        person = await people.caller(db, tg_user_id)
    if (
        person is not None
        and person.roles
        and (person.last_seen is None or now - person.last_seen >= SEEN_EVERY)
    ):
        await people.touch(db, person.id, now)  # one statement: its own transaction
    return person


def holds(person: Person | None, roles: Iterable[str]) -> bool:
    """Whether the person holds one of `roles` now."""
    return person is not None and not person.roles.isdisjoint(roles)


async def projects_in_view(db: Database, person: Person) -> list[int] | None:
    """The projects whose figures the person may read (/projects, /status, /why, /export):
    every one for an admin (None), a leader's linked projects, nothing for anyone else."""
    if person.is_admin:
        return None
    if not person.is_leader:
        return []
    return [p.id for p in await projects.of_person(db, person.id, "leader")]


async def sees_project(db: Database, person: Person, project_id: int) -> bool:
    """Whether the person may read this project's figures, score and card."""
    if person.is_admin:
        return True
    return person.is_leader and await projects.is_linked(db, person.id, project_id, "leader")
