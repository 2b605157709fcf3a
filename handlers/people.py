"""/people and /remove: admins see who holds access, and take it away.

/people [单位|角色] lists everyone with a role: their scope, last activity and a 移除 button,
ten to a page. /remove <姓名|用户ID> (or the button) asks to confirm, then membership.remove_person
takes every role and scope away; their client menu is reset after the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from callback_data import PEOPLE_CONFIRM, PEOPLE_PAGE, PEOPLE_REMOVE
from handlers import buttons
from handlers.common import ROLE_NAMES, command_args, keyboard, reply, requires, svc
from handlers.menu import set_person_menu
from membership import ROLE_ALIASES, RemoveError, remove_person
from messages import t
from storage import people, projects
from storage.people import Person, ScopeLine
from timeutil import show

PAGE = 10  # people per message: ten entries and their buttons stay well under 4,096 chars
MAX_SCOPE = 160  # characters of one person's scope before "…"
MAX_MATCHES = 10  # same-name people listed for /remove


@dataclass(frozen=True)
class Filter:
    """Whom /people shows: everyone, holders of one role, or people with scope in one unit."""

    role: str | None = None
    unit_id: int | None = None

    @property
    def token(self) -> str | None:
        """For callback data: "r<role>" or "u<unit id>" (None: everyone); short ASCII."""
        if self.role:
            return f"r{self.role}"
        return f"u{self.unit_id}" if self.unit_id is not None else None

    @classmethod
    def from_token(cls, token: str | None) -> Filter:
        token = token or ""
        if token[:1] == "r" and token[1:] in ROLE_NAMES:
            return cls(role=token[1:])
        if token[:1] == "u" and token[1:].isdigit():
            return cls(unit_id=int(token[1:]))
        return cls()


async def _typed_filter(context: ContextTypes.DEFAULT_TYPE, word: str) -> Filter | None:
    """The filter a typed 角色 or 单位 names; None when it names neither."""
    role = ROLE_ALIASES.get(word.lower())
    if role is not None:
        return Filter(role=role)
    unit = await projects.unit_by_name(svc(context).db, word)
    return Filter(unit_id=unit) if unit is not None else None


def _scope_text(lines: list[ScopeLine]) -> str:
    parts: dict[str, list[str]] = {}
    for line in lines:
        item = (
            line.unit
            if line.role == "department"
            else t("people.scope_unit", unit=line.unit, n=line.projects)
        )
        parts.setdefault(line.role, []).append(item)
    text = "；".join(
        t("people.scope_role", role=t(ROLE_NAMES[role]), items="、".join(items))
        for role, items in parts.items()
    )
    return text if len(text) <= MAX_SCOPE else text[: MAX_SCOPE - 1] + "…"


async def _listing(
    context: ContextTypes.DEFAULT_TYPE, wanted: Filter
) -> tuple[list[Person], dict[int, list[ScopeLine]]]:
    db = svc(context).db
    scopes: dict[int, list[ScopeLine]] = {}
    for line in await people.scope_lines(db):
        scopes.setdefault(line.person_id, []).append(line)
    everyone = await people.with_any_role(db)
    if wanted.role:
        everyone = [p for p in everyone if wanted.role in p.roles]
    elif wanted.unit_id is not None:  # projects of the unit, or a contact of the department
        unit = dict(await projects.units(db)).get(wanted.unit_id)
        everyone = [p for p in everyone if any(ln.unit == unit for ln in scopes.get(p.id, []))]
    return everyone, scopes


def _who(context: ContextTypes.DEFAULT_TYPE, person: Person, lines: list[ScopeLine]) -> str:
    """Name, Telegram id, roles, scope and last activity of one person."""
    tz = svc(context).config.bot.timezone
    roles = "、".join(t(ROLE_NAMES[r]) for r in sorted(person.roles))
    seen = show(person.last_seen, tz) if person.last_seen else t("people.never")
    scope = t("people.scope_all") if person.is_admin and not lines else _scope_text(lines)
    return t("people.who", name=person.name, tg=person.tg_user_id,
             username=f" @{person.username}" if person.username else "", roles=roles,
             scope=scope or "—", seen=seen)  # fmt: skip


async def _send_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, wanted: Filter, page: int
) -> None:
    everyone, scopes = await _listing(context, wanted)
    if not everyone:
        await reply(update, t("people.none"))
        return
    pages = (len(everyone) + PAGE - 1) // PAGE
    page = min(max(page, 1), pages)
    shown = everyone[(page - 1) * PAGE : page * PAGE]
    lines = [t("people.title", count=len(everyone), page=page, pages=pages)]
    rows: list[list[tuple[str, str]]] = []
    for i, person in enumerate(shown, start=(page - 1) * PAGE + 1):
        lines.append(f"{i}. " + _who(context, person, scopes.get(person.id, [])))
        label = t("people.btn_remove", n=i, name=person.name[:12])
        rows.append([(label, PEOPLE_REMOVE.make(person.id))])
    token = () if wanted.token is None else (wanted.token,)
    nav = []
    if page > 1:
        nav.append((t("people.btn_prev"), PEOPLE_PAGE.make(page - 1, *token)))
    if page < pages:
        nav.append((t("people.btn_next"), PEOPLE_PAGE.make(page + 1, *token)))
    if nav:
        rows.append(nav)
    await reply(update, "\n\n".join(lines), reply_markup=keyboard(rows))


@requires("admin")
async def people_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """/people [单位|角色]: everyone with a role, their scope and last activity."""
    args = command_args(update)
    wanted = await _typed_filter(context, args[0]) if args else Filter()
    if wanted is None:
        await reply(update, t("people.unknown_filter", value=args[0][:40]))
        return
    await _send_page(update, context, wanted, 1)


@requires("admin")
async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """Another page of /people."""
    page, token = PEOPLE_PAGE.read(update)
    await _send_page(update, context, Filter.from_token(token), page)


@requires("admin")
async def remove_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """/remove <姓名|用户ID>: confirm, then take every role and scope away."""
    args = command_args(update)
    if not args:
        await reply(update, t("people.remove_usage"))
        return
    db = svc(context).db
    word = " ".join(args)[:64]
    if word.isdigit():
        found = await people.by_tg_user(db, int(word))
        matches = [found] if found is not None and found.roles else []
    else:
        matches = await people.named(db, word)
    if not matches:
        await reply(update, t("people.not_found", value=word))
    elif len(matches) == 1:
        await _ask(update, context, matches[0])
    else:
        lines = [t("people.ambiguous", value=word, count=len(matches))]
        rows = []
        for m in matches[:MAX_MATCHES]:
            roles = "、".join(t(ROLE_NAMES[r]) for r in sorted(m.roles))
            lines.append(t("people.ambiguous_line", name=m.name, tg=m.tg_user_id, roles=roles))
            rows.append([(t("people.btn_remove_id", tg=m.tg_user_id), PEOPLE_REMOVE.make(m.id))])
        await reply(update, "\n".join(lines), reply_markup=keyboard(rows))


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, target: Person) -> None:
    lines = [line for line in await people.scope_lines(svc(context).db)
             if line.person_id == target.id]  # fmt: skip
    choice = [
        (t("people.btn_confirm"), PEOPLE_CONFIRM.make("ok", target.id)),
        (t("people.btn_cancel"), PEOPLE_CONFIRM.make("no", target.id)),
    ]
    await reply(
        update,
        t("people.confirm", who=_who(context, target, lines)),
        reply_markup=keyboard([choice]),
    )


@requires("admin")
async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """A 移除 button: ask to confirm."""
    (person_id,) = PEOPLE_REMOVE.read(update)
    target = await people.by_id(svc(context).db, person_id)
    if target is None or not target.roles:
        await reply(update, t("people.already_removed"))
        return
    await _ask(update, context, target)


@requires("admin")
async def on_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """确认移除 (or 取消): the removal, checked again now, as the admin pressed it."""
    action, person_id = PEOPLE_CONFIRM.read(update)
    if action == "no":
        await reply(update, t("people.remove_cancelled"))
        return
    s = svc(context)
    try:
        done = await remove_person(s.db, person_id, actor_id=person.id, now=s.now(),
                                   config_admins=s.config.bot.admins)  # fmt: skip
    except RemoveError as exc:
        await reply(update, t(exc.key))
        return
    after = await people.by_id(s.db, person_id)
    if after is not None:
        await set_person_menu(context.bot, after)  # back to /start and /help only
    await reply(update, t("people.removed", name=done.person.name, tg=done.person.tg_user_id,
                          invites=done.invites_revoked))  # fmt: skip


def register(app: Application) -> None:
    app.add_handler(CommandHandler("people", people_command))
    app.add_handler(CommandHandler("remove", remove_command))
    app.add_handler(buttons.handler(PEOPLE_PAGE, on_page))
    app.add_handler(buttons.handler(PEOPLE_REMOVE, on_remove))
    app.add_handler(buttons.handler(PEOPLE_CONFIRM, on_confirm))
