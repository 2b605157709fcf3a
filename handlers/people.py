"""/people and /remove: admins see who holds access, and take it away.

/people [单位|角色] lists everyone with a role: their scope, last activity and a 移除 button,
ten to a page. /remove <姓名|用户ID> (or the button) asks to confirm, then services.people.remove
takes every role and scope away; their client menu is reset after the transaction.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from callback_data import PEOPLE_CONFIRM, PEOPLE_PAGE, PEOPLE_REMOVE
from domain.text import MAX_ID, number_in
from handlers import buttons
from handlers.common import ROLE_NAMES, command_args, keyboard, refuse, reply, requires
from handlers.context import Context
from handlers.menu import set_person_menu
from messages import t
from services import people as service
from services.people import MAX_MATCHES, Filter, Holder
from services.refusal import Refusal
from storage.people import Person, ScopeLine
from timeutil import show

PAGE = 10  # people per message: ten entries and their buttons stay well under 4,096 chars
MAX_SCOPE = 160  # characters of one person's scope before "…"


def filter_token(wanted: Filter) -> str | None:
    """For callback data: "r<role>" or "u<unit id>" (None: everyone); short ASCII."""
    if wanted.role:
        return f"r{wanted.role}"
    return f"u{wanted.unit_id}" if wanted.unit_id is not None else None


def filter_of(token: str | None) -> Filter:
    token = token or ""
    if token[:1] == "r":
        return service.role_filter(token[1:])
    unit_id = number_in(token[1:], 1, MAX_ID) if token[:1] == "u" else None
    if unit_id is not None:
        return Filter(unit_id=unit_id)
    return Filter()


def _scope_text(lines: tuple[ScopeLine, ...]) -> str:
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


def _who(context: Context, holder: Holder) -> str:
    """Name, Telegram id, roles, scope and last activity of one person."""
    person, lines = holder.person, holder.scope
    tz = context.config.bot.timezone
    roles = "、".join(t(ROLE_NAMES[r]) for r in sorted(person.roles))
    seen = show(person.last_seen, tz) if person.last_seen else t("people.never")
    scope = t("people.scope_all") if person.is_admin and not lines else _scope_text(lines)
    return t("people.who", name=person.name, tg=person.tg_user_id,
             username=f" @{person.username}" if person.username else "", roles=roles,
             scope=scope or "—", seen=seen)  # fmt: skip


async def _send_page(
    update: Update, context: Context, person: Person, wanted: Filter, page: int
) -> None:
    everyone = await service.holders(context.db, person, wanted)
    if isinstance(everyone, Refusal):
        await refuse(update, everyone)
        return
    if not everyone:
        await reply(update, t("people.none"))
        return
    pages = (len(everyone) + PAGE - 1) // PAGE
    page = min(max(page, 1), pages)
    shown = everyone[(page - 1) * PAGE : page * PAGE]
    lines = [t("people.title", count=len(everyone), page=page, pages=pages)]
    rows: list[list[tuple[str, str]]] = []
    for i, one in enumerate(shown, start=(page - 1) * PAGE + 1):
        lines.append(f"{i}. " + _who(context, one))
        label = t("people.btn_remove", n=i, name=one.person.name[:12])
        rows.append([(label, PEOPLE_REMOVE.make(one.person.id))])
    token = filter_token(wanted)
    token = () if token is None else (token,)
    nav = []
    if page > 1:
        nav.append((t("people.btn_prev"), PEOPLE_PAGE.make(page - 1, *token)))
    if page < pages:
        nav.append((t("people.btn_next"), PEOPLE_PAGE.make(page + 1, *token)))
    if nav:
        rows.append(nav)
    await reply(update, "\n\n".join(lines), reply_markup=keyboard(rows))


@requires("admin")
async def people_command(update: Update, context: Context, person: Person) -> None:
    """/people [单位|角色]: everyone with a role, their scope and last activity."""
    args = command_args(update)
    wanted = await service.filter_named(context.db, args[0]) if args else Filter()
    if wanted is None:
        await reply(update, t("people.unknown_filter", value=args[0][:40]))
        return
    await _send_page(update, context, person, wanted, 1)


@requires("admin")
async def on_page(update: Update, context: Context, person: Person) -> None:
    """Another page of /people."""
    page, token = PEOPLE_PAGE.read(update)
    await _send_page(update, context, person, filter_of(token), page)


@requires("admin")
async def remove_command(update: Update, context: Context, person: Person) -> None:
    """/remove <姓名|用户ID>: confirm, then take every role and scope away."""
    args = command_args(update)
    if not args:
        await reply(update, t("people.remove_usage"))
        return
    word = " ".join(args)[:64]
    matches = await service.matching(context.db, person, word)
    if isinstance(matches, Refusal):
        await refuse(update, matches)
        return
    if not matches:
        await reply(update, t("people.not_found", value=word))
    elif len(matches) == 1:
        await _ask(update, context, person, matches[0].id)
    else:
        lines = [t("people.ambiguous", value=word, count=len(matches))]
        rows = []
        for m in matches[:MAX_MATCHES]:
            roles = "、".join(t(ROLE_NAMES[r]) for r in sorted(m.roles))
            lines.append(t("people.ambiguous_line", name=m.name, tg=m.tg_user_id, roles=roles))
            rows.append([(t("people.btn_remove_id", tg=m.tg_user_id), PEOPLE_REMOVE.make(m.id))])
        await reply(update, "\n".join(lines), reply_markup=keyboard(rows))


async def _ask(update: Update, context: Context, person: Person, target_id: int) -> None:
    target = await service.holder(context.db, person, target_id)
    if isinstance(target, Refusal):
        await refuse(update, target)
        return
    choice = [
        (t("people.btn_confirm"), PEOPLE_CONFIRM.make("ok", target_id)),
        (t("people.btn_cancel"), PEOPLE_CONFIRM.make("no", target_id)),
    ]
    await reply(
        update,
        t("people.confirm", who=_who(context, target)),
        reply_markup=keyboard([choice]),
    )


@requires("admin")
async def on_remove(update: Update, context: Context, person: Person) -> None:
    """A 移除 button: ask to confirm."""
    (person_id,) = PEOPLE_REMOVE.read(update)
    await _ask(update, context, person, person_id)


@requires("admin")
async def on_confirm(update: Update, context: Context, person: Person) -> None:
    """确认移除 (or 取消): the removal, checked again now, as the admin pressed it."""
    action, person_id = PEOPLE_CONFIRM.read(update)
    if action == "no":
        await reply(update, t("people.remove_cancelled"))
        return
    done = await service.remove(context.db, person, person_id, now=context.now(),
                                config_admins=context.config.bot.admins)  # fmt: skip
    if isinstance(done, Refusal):
        await refuse(update, done)
        return
    if done.after is not None:
        await set_person_menu(context.bot, done.after)  # back to /start and /help only
    await reply(update, t("people.removed", name=done.person.name, tg=done.person.tg_user_id,
                          invites=done.invites_revoked))  # fmt: skip


def register(app: Application) -> None:
    app.add_handler(CommandHandler("people", people_command))
    app.add_handler(CommandHandler("remove", remove_command))
    app.add_handler(buttons.handler(PEOPLE_PAGE, on_page))
    app.add_handler(buttons.handler(PEOPLE_REMOVE, on_remove))
    app.add_handler(buttons.handler(PEOPLE_CONFIRM, on_confirm))
