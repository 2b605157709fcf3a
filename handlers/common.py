"""What every handler needs: the caller, replies, role checks, and a flow's draft steps."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

import sender
from domain.choosing import match_listed
from domain.photos import Sent
from domain.text import clean_line
from handlers.context import Context
from messages import t
from services import access
from services.refusal import Refusal
from storage import drafts
from storage.drafts import Draft
from storage.people import Person
from storage.projects import Project

Callback = Callable[[Update, Context], Awaitable[Any]]
PersonCallback = Callable[[Update, Context, Person], Awaitable[Any]]
ROLE_NAMES = {
    "admin": "role.admin",
    "leader": "role.leader",
    "liaison": "role.liaison",
    "department": "role.department",
}


def display_name(update: Update) -> str:
    """The caller's Telegram name, cleaned here once: a name may hold control or bidi
    characters like any text a person types. The username or id when nothing is left."""
    user = update.effective_user
    if user is None:
        return ""
    return clean_line(user.full_name)[:64].rstrip() or user.username or str(user.id)


async def current_person(update: Update, context: Context) -> Person | None:
    """The caller, if bound (services.access.identify: config admins are bound on first
    contact, activity is noted)."""
    user = update.effective_user
    if user is None:
        return None
    return await access.identify(
        context.db, tg_user_id=user.id, name=display_name(update), username=user.username,
        now=context.now(), config_admins=context.config.bot.admins,
    )  # fmt: skip


async def bound_person(update: Update, context: Context) -> Person | None:
    """The caller if bound to a role. Otherwise None, and in a private chat the stranger line,
    at most once an hour: a stranger's flood gets one answer, not one per message."""
    person = await current_person(update, context)
    if person is None or not person.roles:
        user = update.effective_user
        s = context.services
        if is_private(update) and user is not None and s.strangers.allow(user.id, context.now()):
            await reply(update, t("common.stranger"))
        return None
    return person


async def reply(update: Update, text: str, **kwargs: Any) -> Message:
    """Answer in the chat the update came from (long text is split by the one sender)."""
    chat = update.effective_chat
    assert chat is not None
    return await sender.send_text(chat.get_bot(), chat.id, text, **kwargs)


async def refuse(update: Update, refusal: Refusal) -> Message:
    """Say why a service did nothing, from the catalog."""
    return await reply(update, t(refusal.key, **refusal.values))


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback_data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


def is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def group_admin(update: Update, context: Context) -> Person | None:
    """In a group the bot answers admins only: the caller if an admin, else None (and then
    nothing is said, so nobody can make the bot talk in a group by sending commands)."""
    person = await current_person(update, context)
    return person if person is not None and person.is_admin else None


def requires(*roles: str, private: bool = True) -> Callable[[PersonCallback], Callback]:
    """Let the callback run only for a bound person holding one of `roles`: the early answer
    of a chat command (the services check again at the action).

    A stranger gets the polite line (at most once an hour); a person without the role is
    told so; nothing else happens in either case. Outside a private chat only an admin hears
    that the command is for private chats; anyone else gets no answer. The checked person is
    passed to the callback. Roles are read at each action, so access taken away is gone for
    the buttons already on screen too.
    """

    def wrap(func: PersonCallback) -> Callback:
        @functools.wraps(func)
        async def guarded(update: Update, context: Context) -> Any:
            if private and not is_private(update):
                if await group_admin(update, context):
                    await reply(update, t("common.private_only"))
                return None
            person = await bound_person(update, context)
            if person is None:
                return None
            if roles and not access.holds(person, roles):
                names = "、".join(t(ROLE_NAMES[r]) for r in roles)
                await reply(update, t("common.denied", roles=names))
                return None
            return await func(update, context, person)

        return guarded

    return wrap


def sent_file(message: Message) -> Sent | None:
    """The photo (its largest size) or the file a message carries, as Telegram describes it;
    None for neither. Whether it is an acceptable photo is domain.photos.refusal's call."""
    if message.photo:
        largest = message.photo[-1]
        return Sent(largest.file_id, largest.file_unique_id, largest.file_size)
    doc = message.document
    if doc is None:
        return None
    return Sent(doc.file_id, doc.file_unique_id, doc.file_size, doc.mime_type, doc.file_name,
                is_photo=False)  # fmt: skip


def match_project(choices: list[Project], text: str) -> Project | None:
    """The one project a typed answer means (domain.choosing.match_listed)."""
    return match_listed(choices, text)


async def save_step(context: Context, draft: Draft, update: Update) -> None:
    """Store a flow's new step with the update that caused it, so a redelivery is a no-op."""
    draft.last_update_id = max(draft.last_update_id, update.update_id)
    await drafts.save(context.db, draft)  # one statement: its own transaction


def draft_button(prefix: str, draft: Draft, action: str, arg: str | int = "") -> str:
    """callback_data for a flow's button; the draft's nonce makes an old button harmless."""
    return f"{prefix}:{draft.nonce}:{action}" + (f":{arg}" if arg != "" else "")


def command_args(update: Update) -> list[str]:
    """Whitespace-split arguments after the command, full-width spaces included."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    parts = text.replace("\u3000", " ").split()
    return parts[1:]
