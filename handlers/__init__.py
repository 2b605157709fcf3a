"""All update handlers, registered in one place because order matters.

PTB runs the first matching handler of a group. Commands and buttons come first; the router's
catch-alls (typed answers to an open flow, unknown commands) come last so they only see what no
specific handler took.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    buttons,
    errors,
    export,
    fields,
    groups,
    imports,
    invites,
    leave,
    mine,
    people,
    problems,
    projects,
    ranking,
    report,
    robots,
    router,
    schedule,
    start,
    web,
)


def register(app: Application) -> None:
    for module in (
        start, imports, invites, projects, groups, report, fields, mine, schedule, leave,
        ranking,
    ):  # fmt: skip
        module.register(app)
    problems.register(app)  # problem ledger: /problem, /problems, /p<id> cards
    export.register(app)  # /export: the .xlsx ledger
    people.register(app)  # /people, /remove: who holds access, and taking it away
    web.register(app)  # /web: a link to the dashboard
    robots.register(app)  # /robots: the group robots' deliveries, and a test message
    router.register(app)  # last: catch-alls
    buttons.register_stale(app)  # presses no schema took: stale or forged buttons
    errors.register(app)
