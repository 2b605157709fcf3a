"""Who holds access: invites (scope, creation, redemption), removal, and config admins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from config import InviteConfig
from storage import Database, audit, departments, drafts, invites, people, projects, web_sessions
from storage.invites import Invite
from storage.people import Person

ROLE_ALIASES = {
    "liaison": "liaison", "联络员": "liaison", "责任人": "liaison",
    "leader": "leader", "领导": "leader", "包抓领导": "leader", "帮包领导": "leader",
    "admin": "admin", "管理员": "admin", "项目办": "admin",
    "department": "department", "部门": "department", "责任部门": "department",
    "配合单位": "department",
}  # fmt: skip
MAX_USES = 500


class InviteRequestError(ValueError):
    """The admin's /invite arguments do not make an invite; `key` names the catalog message."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class InviteRequest:
    role: str
    project_ids: list[int]
    label: str
    max_uses: int
    days: int | None
    department: str | None = None  # role department: the department's name
    # Leader invites: the 包抓领导 names the leader is (their links follow the name); the
    # projects named by code or unit are `explicit`.
    leader_names: tuple[str, ...] = ()
    explicit: tuple[int, ...] = ()


async def parse_request(db: Database, args: list[str]) -> InviteRequest:
    """`<role> [codes|unit|leader name|liaison name ...] [次数=N] [天数=N]` → an InviteRequest.

    Each scope word is matched as a project code, then a unit, then a leader or liaison name
    from the project list, so "城关区", "XM2026-001" and "王副市长" all work.
    """
    if not args or args[0].lower() not in ROLE_ALIASES:
        raise InviteRequestError("invite.usage")
    role = ROLE_ALIASES[args[0].lower()]
    max_uses, days, words = 1, None, []
    for arg in args[1:]:
        key, sep, value = arg.partition("=")
        if sep and key.lower() in ("uses", "次数", "days", "天数"):
            if not value.isdigit() or not 1 <= int(value) <= (
                MAX_USES if key in ("uses", "次数") else 365
            ):
                raise InviteRequestError("invite.bad_number", arg=arg)
            if key.lower() in ("uses", "次数"):
                max_uses = int(value)
            else:
                days = int(value)
        else:
            words.append(arg)
    if role == "admin":
        if words:
            raise InviteRequestError("invite.admin_no_scope")
        return InviteRequest(role, [], "", max_uses, days)
    if role == "department":  # one department by name; created with its first invite
        if len(words) != 1 or len(words[0]) > 40:
            raise InviteRequestError("problems.invite_need_department")
        return InviteRequest(role, [], words[0], max_uses, days, department=words[0])
    if not words:
        raise InviteRequestError("invite.need_scope")
    ids: dict[int, None] = {}
    explicit: dict[int, None] = {}
    names: list[str] = []
    for word in words:
        found, is_leader_name = await _match_scope(db, word, role)
        if not found:
            raise InviteRequestError("invite.unknown_scope", word=word)
        ids.update(dict.fromkeys(found))
        if is_leader_name:
            names.append(word)
        else:
            explicit.update(dict.fromkeys(found))
    return InviteRequest(
        role, list(ids), "、".join(words), max_uses, days,
        leader_names=tuple(names), explicit=tuple(explicit),
    )  # fmt: skip


async def _match_scope(db: Database, word: str, role: str) -> tuple[list[int], bool]:
    """The projects a scope word names, and whether it named them as their 包抓领导 (for a
    leader invite, whose links then follow that name)."""
    project = await projects.by_code(db, word)
    if project:
        return [project.id], False
    unit = await projects.unit_by_name(db, word)
    if unit is not None:
        return [p.id for p in await projects.of_unit(db, unit)], False
    if role == "leader":
        led = await projects.of_leader_name(db, word)
        if led:
            return [p.id for p in led], True
    return await projects.listed_with_name(db, word), False


async def create_invite(
    db: Database, request: InviteRequest, *, creator_id: int, now: datetime, cfg: InviteConfig
) -> Invite:
    if request.role == "admin":
        lifetime = timedelta(hours=cfg.admin_hours)
    else:
        lifetime = timedelta(days=request.days or cfg.days)
    async with db.transaction() as tx:
        scope: dict = {"projects": request.project_ids, "label": request.label}
        if request.leader_names:
            scope.update(leader_names=list(request.leader_names), explicit=list(request.explicit))
        if request.department:
            unit = await departments.department_id(tx, request.department, now)
            scope = {"department": unit, "label": request.label}
        invite = await invites.create(
            tx,
            role=request.role,
            scope=scope,
            created_by=creator_id,
            now=now,
            expires_at=now + lifetime,
            max_uses=request.max_uses,
        )
        await audit.record(tx, creator_id, "invite.create", invite=invite.id, role=invite.role)
    return invite


@dataclass(frozen=True)
class Redeemed:
    role: str
    project_count: int
    label: str


class RedeemError(ValueError):
    """Why an invite code grants nothing; `key` names the catalog message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


async def redeem(
    db: Database, code: str, *, tg_user_id: int, name: str, username: str | None, now: datetime
) -> Redeemed:
    """Bind the Telegram user to the invite's role and projects, or raise RedeemError."""
    async with db.transaction() as tx:
        invite = await invites.by_code(tx, code)
        if invite is None:
            raise RedeemError("invite.code_unknown")
        if invite.revoked:
            raise RedeemError("invite.code_revoked")
        if invite.expires_at <= now:
            raise RedeemError("invite.code_expired")
        existing = await people.by_tg_user(tx, tg_user_id)
        if existing and await invites.already_used_by(tx, invite.id, existing.id):
            # Removed since: a code once used never brings a person back; a new invite does.
            raise RedeemError(
                "invite.code_already_yours" if existing.roles else "invite.code_used_before"
            )
        if invite.uses >= invite.max_uses:
            raise RedeemError("invite.code_used")
        person_id = await people.upsert(tx, tg_user_id, name, username)
        await people.grant(tx, person_id, invite.role)
        project_ids = invite.scope.get("projects", [])
        count = len(project_ids)
        if invite.role in ("leader", "liaison"):
            names = invite.scope.get("leader_names", []) if invite.role == "leader" else []
            explicit = invite.scope.get("explicit", []) if names else project_ids
            # Projects deleted since the invite was made are skipped, not an error.
            await people.link_projects(
                tx, person_id, await projects.still_there(tx, explicit), invite.role
            )
            for name in names:  # the projects carrying the name now, not at invite time
                await people.follow_leader_name(tx, person_id, name)
            if names:
                count = len(await projects.of_person(tx, person_id, "leader"))
        elif invite.role == "department":
            await departments.link_department(tx, person_id, invite.scope["department"])
        await invites.use(tx, invite.id, person_id, now)
        await audit.record(tx, person_id, "invite.redeem", invite=invite.id, role=invite.role)
    return Redeemed(invite.role, count, invite.scope.get("label", ""))


class RemoveError(ValueError):
    """Why a person cannot be removed; `key` names the catalog message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Removal:
    person: Person  # as they were before the removal
    invites_revoked: int


async def remove_person(
    db: Database, person_id: int, *, actor_id: int, now: datetime, config_admins: Iterable[int]
) -> Removal:
    """Take every role and scope away; drop their drafts and the open invites they made.

    From then on the person is a stranger; invite codes they used before do not bring them
    back (see redeem), only a new invite does.
    """
    async with db.transaction() as tx:
        person = await people.by_id(tx, person_id)
        if person is None or not person.roles:
            raise RemoveError("people.already_removed")
        if person.id == actor_id:
            raise RemoveError("people.not_yourself")
        if person.tg_user_id in set(config_admins):
            raise RemoveError("people.config_admin")
        await people.revoke_all(tx, person.id)
        await drafts.delete(tx, person.tg_user_id)
        await web_sessions.end_sessions(tx, person.id, now)  # signed out of the dashboard too
        revoked = await invites.revoke_created_by(tx, person.id, now)
        await audit.record(tx, actor_id, "person.remove", person=person.id,
                           tg_user=person.tg_user_id, roles=sorted(person.roles),
                           invites_revoked=revoked)  # fmt: skip
    return Removal(person, revoked)


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
