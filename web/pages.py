"""The dashboard's pages: parse the request, check scope, derive the figures, render.

Anything outside the viewer's scope is the same 404 as something that does not exist, so a
URL never tells whether a project is there. No page changes data.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from domain import problem_flow as flow
from domain.photos import mime_of
from domain.text import MAX_ID, ascii_number
from ledger.export_xlsx import Scope, build
from ledger.period import month_bounds, parse_period
from messages import t
from storage import audit, dashboard
from web import details, figures
from web.access import Viewer
from web.photos import image_type
from web.render import page
from web.site import SITE, VIEWER


def not_found(request: web.Request) -> web.Response:
    return page(request, "not_found.html", status=404)


def _viewer(request: web.Request) -> Viewer:
    return request[VIEWER]


def _id(request: web.Request, name: str = "id") -> int:
    """A numeric path part; anything else is a 404."""
    found = ascii_number(request.match_info[name], 0, MAX_ID)
    if found is None:
        raise web.HTTPNotFound()
    return found


def _home(request: web.Request) -> web.HTTPFound:
    return web.HTTPFound(request.app[SITE].prefix + _viewer(request).home)


async def overview(request: web.Request) -> web.StreamResponse:
    if not _viewer(request).sees_city:
        raise _home(request)
    snap = await request.app[SITE].snapshots.get()
    return page(request, "overview.html", o=figures.overview(snap), snap=snap, nav="overview")


async def units(request: web.Request) -> web.StreamResponse:
    if not _viewer(request).sees_city:
        raise web.HTTPNotFound()
    snap = await request.app[SITE].snapshots.get()
    return page(request, "units.html", units=figures.unit_lines(snap), snap=snap, nav="units")


async def unit(request: web.Request) -> web.StreamResponse:
    viewer = _viewer(request)
    unit_id = _id(request)
    if not viewer.sees_city:
        raise web.HTTPNotFound()
    site = request.app[SITE]
    snap = await site.snapshots.get()
    page_no = _int(request.query.get("page", ""))
    found = await figures.unit_page(site.db, snap, viewer, unit_id, page_no)
    if found is None:
        raise web.HTTPNotFound()
    return page(request, "unit.html", u=found, snap=snap, nav="units")


async def my_projects(request: web.Request) -> web.StreamResponse:
    viewer = _viewer(request)
    if viewer.is_admin and not viewer.own_projects:
        raise web.HTTPFound(request.app[SITE].prefix + "/units")
    if not viewer.own_projects:
        raise web.HTTPNotFound()
    site = request.app[SITE]
    snap = await site.snapshots.get()
    found = figures.own_projects(snap, viewer, _int(request.query.get("page", "")))
    return page(request, "projects.html", table=found, snap=snap, nav="projects")


async def project(request: web.Request) -> web.StreamResponse:
    project_id = _id(request)
    before = _day(request.query.get("before", ""))
    site = request.app[SITE]
    snap = await site.snapshots.get()
    found = await details.project_page(site.db, snap, _viewer(request), project_id, before)
    if found is None:
        raise web.HTTPNotFound()
    nav = "units" if _viewer(request).sees_city else "projects"
    return page(request, "project.html", p=found, snap=snap, nav=nav)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str) -> int:
    return int(text) if text.isdigit() and len(text) <= 18 else 0


async def problem_ledger(request: web.Request) -> web.StreamResponse:
    viewer = _viewer(request)
    if not viewer.sees_problems:
        raise web.HTTPNotFound()
    q = request.query
    state = q.get("state", "")
    filters = details.Filters(
        state=state if state in flow.STATES else "",
        unit=_int(q.get("unit", "")),
        department=_int(q.get("department", "")),
        page=max(_int(q.get("page", "")), 1),
    )
    site = request.app[SITE]
    snap = await site.snapshots.get()
    found = await details.ledger(site.db, snap, viewer, filters)
    return page(request, "problems.html", ledger=found, snap=snap, nav="problems")


async def problem(request: web.Request) -> web.StreamResponse:
    problem_id = _id(request)
    site = request.app[SITE]
    snap = await site.snapshots.get()
    found = await details.problem_detail(site.db, snap, _viewer(request), problem_id)
    if found is None:
        raise web.HTTPNotFound()
    return page(request, "problem.html", line=found, snap=snap, nav="problems")


def _period(request: web.Request, today: date) -> tuple[date, date] | None:
    """?month=2026-11, or ?start=…&end=… (the same periods /export takes)."""
    q = request.query
    if q.get("month"):
        return parse_period([q["month"]], today)
    if q.get("start") or q.get("end"):
        return parse_period([q.get("start", ""), q.get("end", "")], today)
    return parse_period([], today)


async def download(request: web.Request) -> web.StreamResponse:
    viewer = _viewer(request)
    if not viewer.downloads:
        raise web.HTTPNotFound()
    site = request.app[SITE]
    today = site.now().astimezone(site.config.bot.timezone).date()
    months = []
    for back in range(12):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        months.append(month_bounds(year, month + 1))
    return page(request, "download.html", months=months, today=today, nav="download",
                error=request.query.get("error") == "period")  # fmt: skip


async def ledger_file(request: web.Request) -> web.StreamResponse:
    """The .xlsx ledger of a period: the same file /export sends, built by the same code."""
    viewer = _viewer(request)
    if not viewer.downloads:
        raise web.HTTPNotFound()
    site = request.app[SITE]
    today = site.now().astimezone(site.config.bot.timezone).date()
    period = _period(request, today)
    if period is None:
        raise web.HTTPFound(site.prefix + "/download?error=period")
    start, end = period
    scope = Scope(viewer.export_projects, start, end, site.config.bot.timezone)
    with tempfile.TemporaryDirectory(prefix="jinzhan-web-") as folder:
        path = Path(folder) / "ledger.xlsx"
        counts = await build(site.db, path, scope)
        content = path.read_bytes()
    async with site.db.transaction() as tx:
        await audit.record(tx, viewer.person.id, "ledger.export", start=start, end=end,
                           projects=counts.projects, via="web")  # fmt: skip
    name = t("export.filename", start=start.isoformat(), end=end.isoformat())
    return web.Response(
        body=content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _attachment(name)},
    )


def _attachment(name: str) -> str:
    """An ASCII name for old browsers, the Chinese one (RFC 6266) for the rest."""
    return f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(name)}"


async def photo(request: web.Request) -> web.StreamResponse:
    photo_id = _id(request)
    site = request.app[SITE]
    found = await dashboard.photo(site.db, photo_id)
    if found is None or not _viewer(request).sees_project(found.project_id):
        raise web.HTTPNotFound()
    cache = {"Cache-Control": "private, max-age=86400"}
    kept = await site.photos.archived(found.archived)
    if kept is not None:  # the city's own copy
        return web.FileResponse(kept, headers={**cache, "Content-Type": mime_of(kept.name)})
    content = await site.photos.get(found.file_id)  # not archived yet: through the bot
    if content is None:
        raise web.HTTPNotFound()
    return web.Response(body=content, content_type=image_type(content), headers=cache)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", overview)
    app.router.add_get("/units", units)
    app.router.add_get("/units/{id}", unit)
    app.router.add_get("/projects", my_projects)
    app.router.add_get("/projects/{id}", project)
    app.router.add_get("/problems", problem_ledger)
    app.router.add_get("/problems/{id}", problem)
    app.router.add_get("/download", download)
    app.router.add_get("/download/ledger.xlsx", ledger_file)
    app.router.add_get("/photos/{id}", photo)
