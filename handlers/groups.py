"""Groups: who the bot answers there, /bindgroup, and membership changes.

In a group the bot answers admins only. Anyone else, in a bound group or not, gets no answer
at all, whatever they send (/help included): a stranger who adds the bot to their own group
cannot make it talk. When added, the bot says once who may bind the group (an admin, with
/bindgroup) and is silent from then on. It does not leave an unbound group by itself: an admin
may add it first and bind it later, and a silent bot costs one indexed read per command.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    ChatMemberHandler,
    CommandHandler,
    TypeHandler,
)

import sender
from domain.text import clean_line
from handlers.common import command_args, group_admin, is_group, reply
from handlers.context import Context
from messages import t
from storage import audit, projects, push_targets

log = logging.getLogger(__name__)
KINDS = {"leaders": "leaders", "领导": "leaders", "unit": "unit", "单位": "unit",
         "departments": "departments", "部门": "departments"}  # fmt: skip


async def bindgroup_command(update: Update, context: Context) -> None:
    """/bindgroup leaders | unit <单位> | departments — admins only, in a group."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await reply(update, t("group.only_in_group"))
        return
    person = await group_admin(update, context)
    if person is None:
        return  # the gate already stopped non-admins; say nothing if one gets here anyway
    args = command_args(update)
    kind = KINDS.get(args[0].lower()) if args else None
    if kind is None or (kind == "unit") != (len(args) >= 2):
        await reply(update, t("group.usage"))
        return
    db = context.db
    unit_id = None
    if kind == "unit":
        unit_id = await projects.unit_by_name(db, args[1])
        if unit_id is None:
            known = "、".join(name for _, name in await projects.units(db)) or t("group.no_units")
            await reply(update, t("group.unknown_unit", unit=args[1][:40], units=known[:1500]))
            return
    async with db.transaction() as tx:
        await push_targets.bind(
            tx,
            chat_id=chat.id,
            kind=kind,
            unit_id=unit_id,
            title=clean_line(chat.title or ""),
            bound_by=person.id,
        )
        await audit.record(tx, person.id, "group.bind", chat=chat.id, kind=kind, unit=unit_id)
    await reply(update, t(f"group.bound_{kind}", unit=args[1] if unit_id else ""))


async def group_gate(update: Update, context: Context) -> None:
    """Runs before every handler: in a group, anything from a non-admin stops here unanswered
    (a button press is acknowledged, so the client stops its spinner, and nothing else)."""
    if not is_group(update) or update.my_chat_member is not None:
        return
    if update.effective_user is not None and await group_admin(update, context):
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop


async def on_my_membership(update: Update, context: Context) -> None:
    """The bot was added to or removed from a chat: keep push targets in step."""
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    gone = change.new_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)
    async with context.db.transaction() as tx:
        changed = await push_targets.set_active(tx, change.chat.id, not gone)
        if changed:
            await audit.record(
                tx, None, "group.removed" if gone else "group.readded", chat=change.chat.id
            )
    log.info("bot %s chat %s", "removed from" if gone else "added to", change.chat.id)
    was_out = change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)
    s = context.services
    # Said once: not to a group bound before (re-added), not again for an add/remove loop.
    if not gone and was_out and not changed and s.greeted.allow(change.chat.id, context.now()):
        await sender.send_text(context.bot, change.chat.id, t("group.hello"))


def register(app: Application) -> None:
    # Group -1 runs before every other handler group (see handlers/__init__.py).
    app.add_handler(TypeHandler(Update, group_gate), group=-1)
    app.add_handler(CommandHandler("bindgroup", bindgroup_command))
    app.add_handler(ChatMemberHandler(on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
