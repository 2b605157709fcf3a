"""The dashboard's HTTP server: aiohttp in the bot's own event loop, started and stopped with
the Application (application.py), serving pages, the stylesheet and the ledger download."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from telegram import Bot

from archive import PhotoFolder
from config import Config
from domain.workdays import WorkCalendar
from storage import Database, web_sessions
from web import auth, charts, pages, render
from web.photos import PhotoFetcher
from web.site import SITE, Site
from web.snapshot import SnapshotCache

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
LOGIN_VALID = timedelta(minutes=10)


# Every response: no framing, no sniffing, no referrer (a login link must not leak), and only
# this server's own stylesheet and images; no script runs at all.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


@web.middleware
async def frame(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Our own 404 page for unknown paths, and the security headers on every answer."""
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = pages.not_found(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    if not request.path.startswith(("/static/", charts.PATH)):
        response.headers.setdefault("Cache-Control", "no-store")  # photos may be kept a day
    return response


def build_app(site: Site) -> web.Application:
    app = web.Application(middlewares=[frame, auth.session_middleware])
    app[SITE] = site
    app.router.add_static("/static/", STATIC, append_version=False)
    auth.add_routes(app)
    pages.add_routes(app)
    charts.add_routes(app)
    return app


class WebServer:
    """Start with `await server.start()`, stop with `await server.stop()`."""

    def __init__(
        self,
        db: Database,
        config: Config,
        now: Callable[[], datetime],
        calendar: Callable[[], Awaitable[WorkCalendar]],
        bot: Bot | None,
    ) -> None:
        self.db = db
        self.config = config
        self.now = now
        prefix = urlsplit(config.web.public_url).path.rstrip("/")
        self.site = Site(
            db=db,
            config=config,
            now=now,
            snapshots=SnapshotCache(
                db, config.storage_path, config.bot.timezone, calendar, now, config.scoring
            ),
            templates=render.environment(config.bot.timezone),
            photos=PhotoFetcher(bot, PhotoFolder.beside(config.storage_path)),
            prefix=prefix,
        )
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def base_url(self) -> str:
        return self.config.web.base_url(self.port)

    async def start(self) -> None:
        """Listen on [web] host:port. A port in use is logged, not fatal: the bot still runs
        and /web says the dashboard is off."""
        runner = web.AppRunner(build_app(self.site), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.config.web.host, self.config.web.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            log.error("web dashboard not started on %s:%s: %s", self.config.web.host,
                      self.config.web.port, exc)  # fmt: skip
            return
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("web dashboard on http://%s:%s, links start with %s", self.config.web.host,
                 self.port, self.base_url)  # fmt: skip

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def login_link(self, person_id: int) -> str:
        """A one-time link (128-bit token, valid 10 minutes) that signs the person in."""
        token = secrets.token_urlsafe(16)
        async with self.db.transaction() as tx:
            await web_sessions.create_login(tx, person_id, token, self.now(), LOGIN_VALID)
        return f"{self.base_url}/login/{token}"
