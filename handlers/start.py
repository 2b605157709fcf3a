"""/start (greeting, invite redemption) and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from handlers.common import (
    bound_person,
    current_person,
    display_name,
    is_private,
    refuse,
    reply,
)
from handlers.context import Context
from handlers.menu import GROUP, commands_for, set_person_menu
from messages import t
from services.invites import redeem
from services.refusal import Refusal
from storage import drafts


async def start(update: Update, context: Context) -> None:
    """Greet by role, or redeem the invite code given as the deep-link argument."""
    if not is_private(update):
        await reply(update, t("start.group"))
        return
    if context.args:
        await _redeem(update, context, context.args[0])
        return
    person = await bound_person(update, context)
    if person is None:
        return
    roles = "、".join(t(f"role.{r}") for r in sorted(person.roles))
    text = t("start.hello", name=person.name, roles=roles)
    for role in ("liaison", "leader", "admin"):
        if role in person.roles:
            text += "\n" + t(f"start.hint_{role}")
    draft = await drafts.get(context.db, person.tg_user_id)
    if draft and draft.kind == "report":
        text += "\n\n" + t("report.resume_hint")
    await reply(update, text)


async def _redeem(update: Update, context: Context, code: str) -> None:
    user = update.effective_user
    assert user is not None
    done = await redeem(
        context.db,
        code.strip()[:64],
        tg_user_id=user.id,
        name=display_name(update),
        username=user.username,
        now=context.now(),
    )
    if isinstance(done, Refusal):
        await refuse(update, done)
        return
    person = await current_person(update, context)
    assert person is not None
    await set_person_menu(context.bot, person)
    role = t(f"role.{done.role}")
    if done.role == "admin":
        await reply(update, t("invite.welcome_admin", name=person.name))
    else:
        await reply(
            update,
            t(
                f"invite.welcome_{done.role}",
                name=person.name,
                role=role,
                count=done.project_count,
                label=done.label,
            ),
        )


async def help_command(update: Update, context: Context) -> None:
    """List only the commands the caller's role can use."""
    if not is_private(update):
        names: list[str] = list(GROUP)
    else:
        person = await bound_person(update, context)
        if person is None:
            return
        names = commands_for(person.roles)
    lines = [t("help.title")] + [f"/{n} — {t(f'help.{n}')}" for n in names]
    await reply(update, "\n".join(lines))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
