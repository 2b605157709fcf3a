"""Command lists per role: the client's command menu and /help are built from one table."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from messages import t
from storage import Database, people
from storage.people import Person

log = logging.getLogger(__name__)

EVERYONE = ("start", "help")
WEB = ("web",)  # every role: the dashboard shows each its own scope
BY_ROLE: dict[str, tuple[str, ...]] = {
    "liaison": ("report", "mine", "problem", "problems", "leave", "cancel"),
    "leader": ("projects", "rank", "why", "status", "problems", "export", "leave"),
    "admin": (
        "import",
        "invite",
        "invites",
        "people",
        "remove",
        "projects",
        "addproject",
        "editproject",
        "milestone",
        "fields",
        "schedule",
        "pushnow",
        "robots",
        "rank",
        "why",
        "status",
        "problems",
        "export",
        "leave",
        "cancel",
    ),
    "department": ("problems", "cancel"),
}
GROUP = ("bindgroup", "help")


def commands_for(roles: frozenset[str] | set[str]) -> list[str]:
    """The private-chat commands a person with these roles may use, in menu order."""
    names = list(EVERYONE)
    for role in ("liaison", "leader", "department", "admin"):
        if role in roles:
            names.extend(c for c in BY_ROLE[role] if c not in names)
    return names + list(WEB) if len(names) > len(EVERYONE) else names


def _bot_commands(names: list[str] | tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, t(f"menu.{name}")) for name in names]


async def set_person_menu(bot: Bot, person: Person) -> None:
    """Give this person's private chat the menu of their roles."""
    try:
        await bot.set_my_commands(
            _bot_commands(commands_for(person.roles)), scope=BotCommandScopeChat(person.tg_user_id)
        )
    except TelegramError as exc:  # a menu is a convenience; never fail the caller for it
        log.warning("could not set the menu of %s: %s", person.tg_user_id, exc)


async def set_all_menus(bot: Bot, db: Database) -> None:
    """At startup: the default menus per scope, then each leader's and admin's own."""
    await bot.set_my_commands(
        _bot_commands(EVERYONE + BY_ROLE["liaison"]), scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands(_bot_commands(GROUP), scope=BotCommandScopeAllGroupChats())
    seen: set[int] = set()
    for role in ("admin", "leader", "department"):
        for person in await people.with_role(db, role):
            if person.id not in seen:
                seen.add(person.id)
                await set_person_menu(bot, person)
