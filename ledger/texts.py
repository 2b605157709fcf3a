"""How the problem ledger reads in chat and on paper: headlines, card links, history lines.

Shared by the handlers, the scheduler's notices and the .xlsx export; it depends on neither.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from domain import problem_flow as flow
from messages import t
from storage.problem_events import Event
from storage.problems import Problem
from timeutil import show


def link(problem_id: int) -> str:
    """The tappable command that opens a problem's card."""
    return f"/p{problem_id}"


def category_label(category: str) -> str:
    return flow.LABELS.get(category, category)


def headline(p: Problem) -> str:
    """#12【用地】XM-001 城东污水处理厂：the description, cut short."""
    return t(
        "problems.headline", id=p.id, category=category_label(p.category), code=p.code,
        project=p.project, text=short(p.description, 80),
    )  # fmt: skip


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def event_line(e: Event, tz: ZoneInfo) -> str:
    """One line of a problem's history, as the card and the export show it."""
    return t(
        f"problems.event_{e.action}", at=show(e.at, tz), who=e.actor or t("problems.system"),
        department=e.department or "", deadline=e.deadline.isoformat() if e.deadline else "",
        note=e.note,
    )  # fmt: skip


def day_label(day: date, today: date | None = None) -> str:
    """12月7日; with the year (2027年1月5日) when it is not `today`'s year."""
    if today is not None and day.year != today.year:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.month}月{day.day}日"
