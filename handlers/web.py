"""/web: a one-time link to the web dashboard (驾驶舱), for everyone with a role."""

from __future__ import annotations

from telegram import LinkPreviewOptions, Update
from telegram.ext import Application, CommandHandler

from handlers.common import reply, requires
from handlers.context import Context
from messages import t
from storage.people import Person
from web.server import LOGIN_VALID


@requires("admin", "leader", "liaison", "department")
async def web_command(update: Update, context: Context, person: Person) -> None:
    """/web: a link that signs the caller in (128-bit, 10 minutes, once)."""
    server = context.bot_data.web
    if server is None or not server.running:
        await reply(update, t("web.off"))
        return
    link = await server.login_link(person.id)
    # No preview: a preview fetch by Telegram's servers would use up the one-time link.
    await reply(
        update,
        t("web.link", link=link, minutes=int(LOGIN_VALID.total_seconds() // 60)),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("web", web_command))
