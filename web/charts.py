"""Charts that group robots link to (DingTalk, and Feishu without an app, cannot upload images).

A chart is served by its content's SHA-256, without a session: a robot's group has no sign-in,
and the name cannot be guessed. Only files the robots wrote, under that exact name, are served.
"""

from __future__ import annotations

import re

from aiohttp import web

from web.site import SITE

PATH = "/charts/"
_NAME = re.compile(r"[0-9a-f]{64}\.png")


async def chart(request: web.Request) -> web.StreamResponse:
    """GET /charts/<sha256>.png: the chart a robot message links to, or 404."""
    name = request.match_info["name"]
    path = request.app[SITE].config.robot_charts_dir / name
    if not _NAME.fullmatch(name) or not path.is_file():
        raise web.HTTPNotFound()
    # Named by content, so it never changes: a group's clients may keep it.
    return web.FileResponse(
        path, headers={"Content-Type": "image/png", "Cache-Control": "public, max-age=604800"}
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get(PATH + "{name}", chart)
