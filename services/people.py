"""People who hold access: who they are and their scope (/people), taking access away
(/remove), and the admins the config file makes.

Only admins may list or remove people; that is checked here, at the action, whatever was on
screen when they pressed. A removal takes every role and scope at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.text import MAX_ID, number_in
from services.invites import ROLE_ALIASES
from services.refusal import ADMINS_ONLY, Refusal
from storage import Database, audit, drafts, invites, people, projects, web_sessions
from storage.people import ROLES, Person, ScopeLine

MAX_MATCHES = 10  # same-name people offered for /remove


@dataclass(frozen=True)
class Filter:
    """Whom /people shows: everyone, holders of one role, or people with scope in one unit."""

    role: str | None = None
    unit_id: int | None = None


@dataclass(frozen=True)
class Holder:
    """A person with a role, and their scope: project links per unit, or departments."""

    person: Person
    scope: tuple[ScopeLine, ...]


async def filter_named(db: Database, word: str) -> Filter | None:
    """The filter a typed 角色 or 单位 names; None when it names neither."""
    role = ROLE_ALIASES.get(word.lower())
    if role is not None:
        return Filter(role=role)
    unit = await projects.unit_by_name(db, word)
    return Filter(unit_id=unit) if unit is not None else None


def role_filter(role: str) -> Filter:
    """A role's filter; an unknown role (a stale button) shows everyone."""
    return Filter(role=role) if role in ROLES else Filter()


async def holders(db: Database, actor: Person, wanted: Filter) -> list[Holder] | Refusal:
    """Everyone with a role the filter lets through, by name, with their scope."""
    if not actor.is_admin:
        return ADMINS_ONLY
    scopes: dict[int, list[ScopeLine]] = {}
    for line in await people.scope_lines(db):
        scopes.setdefault(line.person_id, []).append(line)
    everyone = await people.with_any_role(db)
    if wanted.role:
        everyone = [p for p in everyone if wanted.role in p.roles]
    elif wanted.unit_id is not None:  # projects of the unit, or a contact of the department
        unit = dict(await projects.units(db)).get(wanted.unit_id)
        everyone = [p for p in everyone if any(ln.unit == unit for ln in scopes.get(p.id, []))]
    return [Holder(p, tuple(scopes.get(p.id, ()))) for p in everyone]


async def holder(db: Database, actor: Person, person_id: int) -> Holder | Refusal:
    """One person with their scope, before a removal is confirmed."""
    if not actor.is_admin:
        return ADMINS_ONLY
    person = await people.by_id(db, person_id)
    if person is None or not person.roles:
        return Refusal.of("people.already_removed")
    lines = [line for line in await people.scope_lines(db) if line.person_id == person.id]
    return Holder(person, tuple(lines))


async def matching(db: Database, actor: Person, word: str) -> list[Person] | Refusal:
    """People with a role whose Telegram id, name or @username is `word` (/remove)."""
    if not actor.is_admin:
        return ADMINS_ONLY
    tg_user = number_in(word, 1, MAX_ID)
    if tg_user is not None:
        found = await people.by_tg_user(db, tg_user)
        return [found] if found is not None and found.roles else []
    return await people.named(db, word)


@dataclass(frozen=True)
class Removal:
    person: Person  # as they were before the removal
    after: Person | None  # as they are now (no roles), for their client menu
    invites_revoked: int


async def remove(
    db: Database, actor: Person, person_id: int, *, now: datetime, config_admins: Iterable[int]
) -> Removal | Refusal:
    """Take every role and scope away; drop their drafts and the open invites they made.

    From then on the person is a stranger; invite codes they used before do not bring them
    back (services.invites.redeem), only a new invite does.
    """
    if not actor.is_admin:
        return ADMINS_ONLY
    async with db.transaction() as tx:
        person = await people.by_id(tx, person_id)
        if person is None or not person.roles:
            return Refusal.of("people.already_removed")
        if person.id == actor.id:
            return Refusal.of("people.not_yourself")
        if person.tg_user_id in set(config_admins):
            return Refusal.of("people.config_admin")
        await people.revoke_all(tx, person.id)
        await drafts.delete(tx, person.tg_user_id)
        await web_sessions.end_sessions(tx, person.id, now)  # signed out of the dashboard too
        revoked = await invites.revoke_created_by(tx, person.id, now)
        await audit.record(tx, actor.id, "person.remove", person=person.id,
                           tg_user=person.tg_user_id, roles=sorted(person.roles),
                           invites_revoked=revoked)  # fmt: skip
    return Removal(person, await people.by_id(db, person_id), revoked)


async def apply_config_admins(db: Database, admin_ids: Iterable[int]) -> list[Person]:
    """At startup: admins whom only an earlier config made admins, and whom this config no
    longer lists, lose the role (an admin invite's role stays). Returns them, as they are now."""
    async with db.transaction() as tx:
        dropped = await people.config_admins_not_in(tx, admin_ids)
        for person in dropped:
            await people.revoke(tx, person.id, "admin")
            if person.roles == {"admin"}:
                await drafts.delete(tx, person.tg_user_id)
            await audit.record(tx, None, "admin.config_dropped", person=person.id,
                               tg_user=person.tg_user_id)  # fmt: skip
    return [p for p in [await people.by_id(db, d.id) for d in dropped] if p is not None]
