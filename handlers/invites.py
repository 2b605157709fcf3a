"""/invite and /invites: admins hand out roles by deep link and revoke open invites."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from callback_data import INVITE_REVOKE
from handlers import buttons
from handlers.common import command_args, keyboard, refuse, reply, requires
from handlers.context import Context
from messages import t
from services import invites
from services.refusal import Refusal
from storage.people import Person
from timeutil import show


@requires("admin")
async def invite_command(update: Update, context: Context, person: Person) -> None:
    """/invite <liaison|leader|admin> [codes|unit|leader] [次数=N] [天数=N]."""
    request = await invites.read_request(context.db, command_args(update))
    if isinstance(request, Refusal):
        await refuse(update, request)
        return
    invite = await invites.create(
        context.db, person, request, now=context.now(), cfg=context.config.invites
    )
    if isinstance(invite, Refusal):
        await refuse(update, invite)
        return
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    if request.department:
        scope = t("invite.scope_department", label=request.department)
    elif request.project_ids:
        scope = t("invite.scope", label=request.label, count=len(request.project_ids))
    else:
        scope = ""
    await reply(
        update,
        t(
            "invite.created",
            role=t(f"role.{invite.role}"),
            scope=scope,
            expires=show(invite.expires_at, context.config.bot.timezone, "%Y-%m-%d %H:%M"),
            uses=invite.max_uses,
            link=link,
            code=invite.code,
        ),
        disable_web_page_preview=True,
    )


@requires("admin")
async def invites_command(update: Update, context: Context, person: Person) -> None:
    """List open invites, each with a revoke button."""
    open_ = await invites.open_ones(context.db, person, context.now())
    if isinstance(open_, Refusal):
        await refuse(update, open_)
        return
    if not open_:
        await reply(update, t("invite.none_open"))
        return
    lines, rows = [t("invite.list_title", count=len(open_))], []
    for inv in open_[:30]:
        label = inv.scope.get("label") or ""
        lines.append(
            t(
                "invite.list_line",
                id=inv.id,
                role=t(f"role.{inv.role}"),
                label=label,
                uses=inv.uses,
                max=inv.max_uses,
                expires=show(inv.expires_at, context.config.bot.timezone),
            )
        )
        rows.append([(t("invite.btn_revoke", id=inv.id), INVITE_REVOKE.make("rv", inv.id))])
    await reply(update, "\n".join(lines), reply_markup=keyboard(rows))


@requires("admin")
async def on_revoke(update: Update, context: Context, person: Person) -> None:
    """A revoke button: the invite stops working at once."""
    _, invite_id = INVITE_REVOKE.read(update)
    revoked = await invites.revoke(context.db, person, invite_id, context.now())
    if isinstance(revoked, Refusal):
        await refuse(update, revoked)
        return
    await reply(update, t("invite.revoked" if revoked else "invite.already_revoked", id=invite_id))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("invite", invite_command))
    app.add_handler(CommandHandler("invites", invites_command))
    app.add_handler(buttons.handler(INVITE_REVOKE, on_revoke))
