"""Invites: what an admin's request means (role, scope, limits), creating, revoking, redeeming.

A code is 128-bit random, expires, and is single-use unless the admin says otherwise. Who may
create or revoke one (admins) is checked here, whatever the front end showed; redeeming needs
only the code. Failures are Refusals naming the catalog message (services.refusal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from config import InviteConfig
from domain.text import number_in
from services.refusal import ADMINS_ONLY, Refusal
from storage import Database, audit, departments, invites, people, projects
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
MAX_DAYS = 365
MAX_DEPARTMENT_NAME = 40
USES_WORDS, DAYS_WORDS = ("uses", "次数"), ("days", "天数")


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


def _limit(arg: str) -> tuple[str, int] | Refusal | None:
    """("uses" | "days", N) for `次数=N` / `天数=N`; None when `arg` is a scope word."""
    key, sep, value = arg.partition("=")
    key = key.lower()
    if not sep or key not in USES_WORDS + DAYS_WORDS:
        return None
    most = MAX_USES if key in USES_WORDS else MAX_DAYS
    number = number_in(value, 1, most)
    if number is None:
        return Refusal.of("invite.bad_number", arg=arg)
    return ("uses" if key in USES_WORDS else "days"), number


async def read_request(db: Database, args: list[str]) -> InviteRequest | Refusal:
    """`<role> [codes|unit|leader name|liaison name ...] [次数=N] [天数=N]` → an InviteRequest.

    Each scope word is matched as a project code, then a unit, then a leader or liaison name
    from the project list, so "城关区", "XM2026-001" and "王副市长" all work.
    """
    if not args or args[0].lower() not in ROLE_ALIASES:
        return Refusal.of("invite.usage")
    role = ROLE_ALIASES[args[0].lower()]
    limits, words = {"uses": 1}, []
    for arg in args[1:]:
        limit = _limit(arg)
        if isinstance(limit, Refusal):
            return limit
        if limit is None:
            words.append(arg)
        else:
            limits[limit[0]] = limit[1]
    max_uses, days = limits["uses"], limits.get("days")
    if role == "admin":
        if words:
            return Refusal.of("invite.admin_no_scope")
        return InviteRequest(role, [], "", max_uses, days)
    if role == "department":  # one department by name; created with its first invite
        if len(words) != 1 or len(words[0]) > MAX_DEPARTMENT_NAME:
            return Refusal.of("problems.invite_need_department")
        return InviteRequest(role, [], words[0], max_uses, days, department=words[0])
    if not words:
        return Refusal.of("invite.need_scope")
    ids: dict[int, None] = {}
    explicit: dict[int, None] = {}
    names: list[str] = []
    for word in words:
        found, is_leader_name = await _match_scope(db, word, role)
        if not found:
            return Refusal.of("invite.unknown_scope", word=word)
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


async def create(
    db: Database, actor: Person, request: InviteRequest, *, now: datetime, cfg: InviteConfig
) -> Invite | Refusal:
    """Create the invite an admin asked for (audit-logged); admin invites live shorter."""
    if not actor.is_admin:
        return ADMINS_ONLY
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
            created_by=actor.id,
            now=now,
            expires_at=now + lifetime,
            max_uses=request.max_uses,
        )
        await audit.record(tx, actor.id, "invite.create", invite=invite.id, role=invite.role)
    return invite


async def open_ones(db: Database, actor: Person, now: datetime) -> list[Invite] | Refusal:
    """Invites not expired, revoked or used up (/invites)."""
    if not actor.is_admin:
        return ADMINS_ONLY
    return await invites.open_invites(db, now)


async def revoke(db: Database, actor: Person, invite_id: int, now: datetime) -> bool | Refusal:
    """Revoke an open invite (audit-logged); False when it was revoked before."""
    if not actor.is_admin:
        return ADMINS_ONLY
    async with db.transaction() as tx:
        revoked = await invites.revoke(tx, invite_id, now)
        if revoked:
            await audit.record(tx, actor.id, "invite.revoke", invite=invite_id)
    return revoked


@dataclass(frozen=True)
class Redeemed:
    role: str
    project_count: int
    label: str


async def redeem(
    db: Database, code: str, *, tg_user_id: int, name: str, username: str | None, now: datetime
) -> Redeemed | Refusal:
    """Bind the Telegram user to the invite's role and scope, in one transaction."""
    async with db.transaction() as tx:
        invite = await invites.by_code(tx, code)
        if invite is None:
            return Refusal.of("invite.code_unknown")
        if invite.revoked:
            return Refusal.of("invite.code_revoked")
        if invite.expires_at <= now:
            return Refusal.of("invite.code_expired")
        existing = await people.by_tg_user(tx, tg_user_id)
        if existing and await invites.already_used_by(tx, invite.id, existing.id):
            # Removed since: a code once used never brings a person back; a new invite does.
            return Refusal.of(
                "invite.code_already_yours" if existing.roles else "invite.code_used_before"
            )
        if invite.uses >= invite.max_uses:
            return Refusal.of("invite.code_used")
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
