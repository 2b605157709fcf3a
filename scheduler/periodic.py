"""The weekly ranking and the monthly bulletin as they are pushed: charts, captions, ledger.

One renderer serves one dispatch run, so a week is scored once however many groups get it.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from charts import (
    BulletinBar,
    ChartText,
    ProjectBar,
    UnitBar,
    bulletin_png,
    project_board_png,
    unit_ranking_png,
)
from domain.plan import planned_to_date
from domain.scoring import quarter_theme, quarterly_metric, rank
from ledger.export_xlsx import Scope, build
from messages import t
from ranking import service
from ranking.service import Week, score_week
from scheduler.render import Rendered, period_summary
from scheduler.workdays import WorkCalendar
from storage import Database, facts

CAPTION = 1000  # Telegram allows 1024 characters under a photo
NAMED = 3  # units praised / named in a caption
BOARD_ROWS = 10


class PeriodicRenderer:
    def __init__(self, db: Database, calendar: WorkCalendar, tz: ZoneInfo, now: datetime) -> None:
        self.db = db
        self.calendar = calendar
        self.tz = tz
        self.now = now
        self._weeks: dict[date, Week] = {}

    async def week(self, as_of: date) -> Week:
        if as_of not in self._weeks:
            self._weeks[as_of] = await score_week(self.db, as_of, self.calendar, self.tz)
        return self._weeks[as_of]

    def _text(self, title: str, start: date, end: date, **extra: str) -> ChartText:
        return ChartText(
            title=title, subtitle=t("chart.period", start=start.isoformat(), end=end.isoformat()),
            as_of=t("chart.as_of", time=self.now.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")),
            empty=t("chart.empty"), more=t("chart.more", n="{n}"), score_label=t("chart.score"),
            change_label=t("chart.change"), new=t("chart.new"), red_flag=t("chart.red_flag"),
            yellow_flag=t("chart.yellow_flag"), top_label=t("chart.top"),
            bottom_label=t("chart.bottom"), status_green=t("chart.green"),
            status_yellow=t("chart.yellow"), status_red=t("chart.red"),
            plan_line=t("chart.plan_line"), ahead=t("chart.ahead"), behind=t("chart.behind"),
            no_data=t("chart.no_data"), **extra,
        )  # fmt: skip

    async def units(self, as_of: date, group: str) -> Rendered:
        """The leaders' chart: units of one ranking group, flags and arrows."""
        week = await self.week(as_of)
        ranked = [r for r in week.unit_ranks if r.group == group]
        rows = [UnitBar(r.subject, r.score, r.change, r.flag) for r in ranked]
        name = t(f"group.{group}")
        text = self._text(t("chart.units_title", group=name), week.start, week.end,
                          name_label=t("chart.name"))  # fmt: skip
        photo = await asyncio.to_thread(unit_ranking_png, rows, text)
        names = [r.subject for r in ranked]
        caption = t("weekly.caption", group=name, start=week.start.isoformat(),
                    end=week.end.isoformat(), best="、".join(names[:NAMED]) or t("weekly.none"),
                    worst="、".join(names[-NAMED:][::-1]) if len(names) > NAMED else
                    t("weekly.none"))  # fmt: skip
        return Rendered(caption[:CAPTION], [], photo=photo)

    async def board(self, as_of: date) -> Rendered:
        """The projects' 龙虎榜: top and bottom of the city."""
        week = await self.week(as_of)
        ordered = sorted(week.project_ranks, key=lambda r: (-r.score, r.subject))
        n = min(BOARD_ROWS, len(ordered) // 2)
        by_code = {f.code: f for f, _ in week.projects}

        def bar(r) -> ProjectBar:
            f = by_code[r.subject]
            st = week.statuses.get(f.project_id)
            return ProjectBar(r.rank, f.name, f.unit, r.score, st.color if st else "green")

        top = [bar(r) for r in ordered[:n]]
        bottom = [bar(r) for r in ordered[len(ordered) - n :]] if n else []
        text = self._text(t("chart.board_title"), week.start, week.end,
                          name_label=t("chart.project"))  # fmt: skip
        photo = await asyncio.to_thread(project_board_png, top, bottom, text)
        return Rendered(t("chart.board_title"), [], photo=photo)

    async def unit(self, as_of: date, unit_id: int) -> Rendered | None:
        """A unit's group: its own projects' scores."""
        unit = await self.db.fetchval("SELECT name FROM units WHERE id = ?", (unit_id,))
        week = await self.week(as_of)
        mine = sorted(
            ((f, e) for f, e in week.projects if f.unit == unit), key=lambda p: -p[1].score
        )
        if not mine:
            return None
        ranks = {r.subject: r.rank for r in week.project_ranks}
        rows = [
            ProjectBar(ranks.get(f.code, 0), f.name, f.unit, e.score,
                       week.statuses[f.project_id].color
                       if f.project_id in week.statuses else "green")
            for f, e in mine
        ]  # fmt: skip
        half = (len(rows) + 1) // 2
        text = self._text(t("chart.unit_title", unit=unit), week.start, week.end,
                          name_label=t("chart.project"))  # fmt: skip
        photo = await asyncio.to_thread(project_board_png, rows[:half], rows[half:], text)
        caption = t("weekly.unit_caption", unit=unit, start=week.start.isoformat(),
                    end=week.end.isoformat())  # fmt: skip
        return Rendered(caption, [], photo=photo)

    async def monthly(self, start: date, end: date) -> Rendered:
        """The bulletin chart (investment against 序时进度 per unit) with praise and laggards."""
        projects = await facts.load(self.db, end, start, self.calendar, self.tz)
        done: dict[str, int] = defaultdict(int)
        planned: dict[str, int] = defaultdict(int)
        for f in projects:
            done[f.unit] += f.done_yuan
            planned[f.unit] += planned_to_date(f.year_plan_yuan, f.monthly_plan_yuan, end)
        ratios = {u: (done[u] / planned[u] if planned[u] else None) for u in done}
        rows = [BulletinBar(u, r) for u, r in sorted(ratios.items(), key=lambda i: -(i[1] or 0))]
        month = f"{end.year}年{end.month}月"
        text = self._text(t("chart.bulletin_title", month=month), start, end,
                          name_label=t("chart.name"))  # fmt: skip
        photo = await asyncio.to_thread(bulletin_png, rows, text)
        ranked = [
            u for u, r in sorted(ratios.items(), key=lambda i: -(i[1] or 0)) if r is not None
        ]
        lines = [t("monthly.caption", month=month)]
        if ranked:
            lines.append(t("monthly.praise", names="、".join(ranked[:NAMED])))
        if len(ranked) > NAMED:
            lines.append(t("monthly.laggards", names="、".join(ranked[-NAMED:][::-1])))
        overdue = [(f.code, m.name) for f in projects for m in f.milestones
                   if m.due <= end and (m.done_on is None or m.done_on > end)]  # fmt: skip
        if overdue:
            items = "、".join(f"{code} {name}" for code, name in overdue[:5])
            lines.append(t("monthly.overdue", n=len(overdue), items=items))
        problems = [p for f in projects for p in f.problems if p.closed_on is None]
        if problems:
            late = sum(1 for p in problems if p.deadline and p.deadline < end)
            lines.append(t("monthly.open_problems", n=len(problems), late=late))
        return Rendered("\n".join(lines)[:CAPTION], [], photo=photo)

    async def monthly_text(self, start: date, end: date) -> Rendered:
        """The month's figures per unit, as text (and the departments' closure rates)."""
        return await period_summary(self.db, "monthly", start, end, self.calendar)

    async def ledger(self, start: date, end: date) -> Rendered:
        """The month's .xlsx ledger, attached."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"台账_{end.strftime('%Y-%m')}.xlsx"
            await build(self.db, path, Scope(None, start, end, self.tz))
            content = await asyncio.to_thread(path.read_bytes)
        month = f"{end.year}年{end.month}月"
        return Rendered(t("monthly.ledger", month=month), [], document=(path.name, content))

    async def quarterly(self, start: date, end: date) -> Rendered:
        """Red and yellow flags for the quarter just ended, by its theme."""
        theme = quarter_theme(end)
        projects = await facts.load(
            self.db, end, start, self.calendar, self.tz, None, service.CONFIG.unit_groups
        )
        by_unit: dict[str, list] = defaultdict(list)
        for f in projects:
            by_unit[f.unit].append(f)
        entries = []
        for unit, mine in by_unit.items():
            value = quarterly_metric(theme, mine, end, service.CONFIG)
            if value is not None:
                entries.append((unit, mine[0].group, round(value * 100, 2)))
        ranked = rank(entries, {}, service.CONFIG)
        quarter = f"{end.year}年第{(end.month - 1) // 3 + 1}"
        lines = [t("monthly.quarter_title", quarter=quarter, theme=t(f"monthly.theme_{theme}"))]
        red = [r.subject for r in ranked if r.flag == "red"]
        yellow = [r.subject for r in ranked if r.flag == "yellow"]
        if red:
            lines.append(t("monthly.quarter_red", names="、".join(red)))
        if yellow:
            lines.append(t("monthly.quarter_yellow", names="、".join(yellow)))
        return Rendered("\n".join(lines), [])
