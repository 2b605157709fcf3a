"""Jinja2 templates: the page frame, the words (from the message catalog) and the formats."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.money import format_wan_number
from ledger.texts import category_label, event_line
from messages import catalog, t
from timeutil import show
from web import svg
from web.site import SITE, VIEWER

TEMPLATES = Path(__file__).with_name("templates")
WEEKDAYS = "一二三四五六日"


def _pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _wan(yuan: int | None) -> str:
    return "—" if yuan is None else format_wan_number(yuan)


def _yi(yuan: int) -> str:
    """亿元 with one decimal, as city bulletins write totals."""
    return f"{yuan / 10**8:.1f}"


def _day(day: date | None) -> str:
    return "—" if day is None else f"{day.month}月{day.day}日"


def _long_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def _signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    return f"{value:+.{digits}f}"


def _group_name(group: str) -> str:
    """A ranking group's name; a group the catalog does not know is shown as configured."""
    key = f"group.{group}"
    return t(key) if key in catalog() else group


def environment(tz: ZoneInfo) -> Environment:
    def local(moment: datetime | str, fmt: str = "%m-%d %H:%M") -> str:
        return show(moment, tz, fmt)

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(t=t, svg=svg)
    env.filters.update(event=lambda e: event_line(e, tz), category=category_label)
    env.filters.update(pct=_pct, wan=_wan, yi=_yi, day=_day, long_day=_long_day, local=local,
                       signed=_signed, group_name=_group_name)  # fmt: skip
    return env


def page(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    """Render a template as an HTML response, with the frame's context (who, where, nav)."""
    site = request.app[SITE]
    context.setdefault("nav", "")
    html = site.templates.get_template(template).render(
        base=site.prefix, viewer=request.get(VIEWER), path=request.path, **context
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
