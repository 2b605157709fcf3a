"""Signing in: a one-time link from /web opens a session; every request checks it afresh.

The session cookie is HttpOnly and SameSite=Strict (Secure when public_url is https), valid 7
days. Each request looks the session up and reloads the person's roles and scope, so a person
whose roles were removed loses the dashboard at once, whatever cookie they hold.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from aiohttp import web
from aiohttp.typedefs import Handler

from storage import web_sessions
from web.access import load_viewer
from web.render import page
from web.site import SITE, VIEWER

COOKIE = "jz_session"
SESSION_VALID = timedelta(days=7)
OPEN_PATHS = ("/login/", "/static/", "/charts/")  # charts: named by content, for robots
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _plausible(token: str) -> bool:
    return 16 <= len(token) <= 64 and set(token) <= TOKEN_CHARS


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """401 without a live session of a person who still holds a role; else the Viewer."""
    if request.path.startswith(OPEN_PATHS):
        return await handler(request)
    site = request.app[SITE]
    token = request.cookies.get(COOKIE, "")
    person_id = None
    if _plausible(token):
        person_id = await web_sessions.session_person(site.db, token, site.now())
    viewer = await load_viewer(site.db, person_id) if person_id is not None else None
    if viewer is None:
        return page(request, "signed_out.html", status=401, reason="signed_out")
    request[VIEWER] = viewer
    return await handler(request)


async def login(request: web.Request) -> web.StreamResponse:
    """GET /login/<token>: use the link once, set the session cookie, go to the home page.

    The redirect is a page of its own (a meta refresh), not an HTTP redirect: a link opened
    from another site (Telegram) makes the whole redirect chain cross-site, and a browser then
    withholds the SameSite=Strict cookie from the page it lands on.
    """
    site = request.app[SITE]
    token = request.match_info["token"]
    now = site.now()
    person_id = None
    if _plausible(token):
        async with site.db.transaction() as tx:
            person_id = await web_sessions.redeem_login(tx, token, now)
            if person_id is not None:
                session = secrets.token_urlsafe(32)
                await web_sessions.open_session(tx, person_id, session, now, SESSION_VALID)
    viewer = await load_viewer(site.db, person_id) if person_id is not None else None
    if viewer is None:
        return page(request, "signed_out.html", status=403, reason="bad_link")
    response = page(request, "login.html", target=site.prefix + viewer.home)
    response.set_cookie(
        COOKIE, session, max_age=int(SESSION_VALID.total_seconds()), path=site.prefix or "/",
        httponly=True, samesite="Strict", secure=site.config.web.secure,
    )  # fmt: skip
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """POST /logout: end this browser's session."""
    site = request.app[SITE]
    token = request.cookies.get(COOKIE, "")
    if _plausible(token):
        async with site.db.transaction() as tx:
            await web_sessions.end_session(tx, token, site.now())
    response = page(request, "signed_out.html", status=200, reason="logged_out")
    response.del_cookie(COOKIE, path=site.prefix or "/")
    return response


def add_routes(app: web.Application) -> None:
    # No HEAD: a link checker's HEAD must not use up the one-time link.
    app.router.add_get("/login/{token}", login, allow_head=False)
    app.router.add_post("/logout", logout)
