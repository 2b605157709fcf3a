"""/invite and /invites: admins hand out roles by deep link and revoke open invites."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from callback_data import INVITE_REVOKE
from handlers import buttons
from handlers.common import command_args, keyboard, reply, requires, svc
from membership import InviteRequestError, create_invite, parse_request
from messages import t
from storage import audit, invites
from storage.people import Person
from timeutil import show


@requires("admin")
async def invite_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """/invite <liaison|leader|admin> [codes|unit|leader] [次数=N] [天数=N]."""
    s = svc(context)
    try:
        request = await parse_request(s.db, command_args(update))
    except InviteRequestError as exc:
        await reply(update, t(exc.key, **exc.values))
        return
    invite = await create_invite(
        s.db, request, creator_id=person.id, now=svc(context).now(), cfg=s.config.invites
    )
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
            expires=show(invite.expires_at, s.config.bot.timezone, "%Y-%m-%d %H:%M"),
            uses=invite.max_uses,
            link=link,
            code=invite.code,
        ),
        disable_web_page_preview=True,
    )


@requires("admin")
async def invites_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """List open invites, each with a revoke button."""
    s = svc(context)
    open_ = await invites.open_invites(s.db, s.now())
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
                expires=show(inv.expires_at, s.config.bot.timezone),
            )
        )
        rows.append([(t("invite.btn_revoke", id=inv.id), INVITE_REVOKE.make("rv", inv.id))])
    await reply(update, "\n".join(lines), reply_markup=keyboard(rows))


@requires("admin")
async def on_revoke(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    _, invite_id = INVITE_REVOKE.read(update)
    async with svc(context).db.transaction() as tx:
        revoked = await invites.revoke(tx, invite_id, svc(context).now())
        if revoked:
            await audit.record(tx, person.id, "invite.revoke", invite=invite_id)
    await reply(update, t("invite.revoked" if revoked else "invite.already_revoked", id=invite_id))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("invite", invite_command))
    app.add_handler(CommandHandler("invites", invites_command))
    app.add_handler(buttons.handler(INVITE_REVOKE, on_revoke))
