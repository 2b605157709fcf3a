"""The weekly ranking and the monthly bulletin as they are pushed: charts, captions, ledger.

One renderer serves one dispatch run, so a week is scored once however many groups get it.
What the pushes show is read from the week's results (places, flags, statuses) and never
decided here: a caption names exactly the flagged units, a chart's places are those of the
ranking it shows, and a project whose status is unknown is drawn as 未上报, never as green.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any
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
from domain.bulletin import Bulletin, Figures, bulletin, percent, tenth, yi
from domain.leaderboard import board_lists
from domain.quarterly import quarter_theme, quarterly_metric
from domain.ranking import Ranked, rank
from domain.status import RED, UNREPORTED, YELLOW, ProjectFacts
from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from ledger.export_xlsx import Scope, build
from messages import t
from ranking.service import Week, score_week
from scheduler.render import Rendered, period_summary
from storage import Database, departments, facts

CAPTION = 1000  # Telegram allows 1024 characters under a photo
BOARD_ROWS = 10  # projects per list on the city's 龙虎榜
CITY = "city"  # the one ranking group of the city-wide 龙虎榜
STATUSES = ("green", "yellow", "red", UNREPORTED)
# The render kinds of the periodic pushes' outbox rows (scheduler.plan writes their specs).
KINDS = ("week_units", "week_board", "week_unit", "monthly", "monthly_text", "ledger",
         "quarterly")  # fmt: skip


# Charts are drawn in a thread of their own: one at a time in any case (the scheduler's drawing
# lock), and matplotlib keeps its fonts per thread, several MB in every thread that ever drew.
_DRAWING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")


async def drawn(draw: Callable[..., bytes], *args: Any) -> bytes:
    """A chart drawn off the event loop, in the charts' thread."""
    return await asyncio.get_running_loop().run_in_executor(_DRAWING, draw, *args)


def flagged(ranked: list[Ranked]) -> tuple[list[str], list[str]]:
    """(red-flagged best first, yellow-flagged worst first, a tie by name): the names a caption
    may give."""
    best = sorted((r for r in ranked if r.flag == RED), key=lambda r: (r.rank, r.subject))
    worst = sorted((r for r in ranked if r.flag == YELLOW), key=lambda r: (-r.rank, r.subject))
    return [r.subject for r in best], [r.subject for r in worst]


def city_board(week: Week, config: ScoringConfig) -> tuple[list[Ranked], list[Ranked]]:
    """The 龙虎榜's lists: every project of the city ranked on one list, one numbering."""
    city = rank([(f.code, CITY, e.score) for f, e in week.projects], {}, config)
    return board_lists(city, min(BOARD_ROWS, len(city) // 2))


def unit_board(week: Week, unit: str, config: ScoringConfig) -> tuple[list[Ranked], list[Ranked]]:
    """A unit's own chart: its projects ranked among themselves, the better half on top."""
    mine = [(f.code, unit, e.score) for f, e in week.projects if f.unit == unit]
    return board_lists(rank(mine, {}, config), (len(mine) + 1) // 2)


def project_bars(week: Week, ranked: list[Ranked]) -> list[ProjectBar]:
    """Ranked projects as chart rows; a project with no known status is 未上报, never green."""
    by_code = {f.code: f for f, _ in week.projects}
    bars = []
    for r in ranked:
        f = by_code[r.subject]
        st = week.statuses.get(f.project_id)
        color = st.color if st is not None and st.color in STATUSES else UNREPORTED
        bars.append(ProjectBar(r.rank, f.name, f.unit, r.score, color))
    return bars


class PeriodicRenderer:
    """Renders the periodic pushes as of `now`, by the deployment's ranking `config`."""

    def __init__(
        self,
        db: Database,
        calendar: WorkCalendar,
        tz: ZoneInfo,
        now: datetime,
        config: ScoringConfig,
    ) -> None:
        self.db = db
        self.calendar = calendar
        self.tz = tz
        self.now = now
        self.config = config
        self._weeks: dict[date, Week] = {}

    async def week(self, as_of: date) -> Week:
        """The week ending `as_of`, scored (and kept) once for every chart of it."""
        if as_of not in self._weeks:
            self._weeks[as_of] = await score_week(
                self.db, as_of, self.calendar, self.tz, self.config
            )
        return self._weeks[as_of]

    async def render(self, spec: dict) -> Rendered | None:
        """What a periodic outbox row's spec asks for; None when there is nothing to send."""
        kind = spec["render"]
        if kind == "week_units":
            return await self.units(date.fromisoformat(spec["as_of"]), spec["group"])
        if kind == "week_board":
            return await self.board(date.fromisoformat(spec["as_of"]))
        if kind == "week_unit":
            return await self.unit(date.fromisoformat(spec["as_of"]), spec["unit_id"])
        start, end = date.fromisoformat(spec["start"]), date.fromisoformat(spec["end"])
        method = {"monthly": self.monthly, "monthly_text": self.monthly_text,
                  "ledger": self.ledger, "quarterly": self.quarterly}[kind]  # fmt: skip
        return await method(start, end)

    def _text(self, title: str, start: date, end: date, **extra: str) -> ChartText:
        words = dict(
            title=title, subtitle=t("chart.period", start=start.isoformat(), end=end.isoformat()),
            as_of=t("chart.as_of", time=self.now.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")),
            empty=t("chart.empty"), more=t("chart.more", n="{n}"), score_label=t("chart.score"),
            change_label=t("chart.change"), new=t("chart.new"), red_flag=t("chart.red_flag"),
            yellow_flag=t("chart.yellow_flag"), top_label=t("chart.top"),
            bottom_label=t("chart.bottom"), status_green=t("chart.green"),
            status_yellow=t("chart.yellow"), status_red=t("chart.red"),
            status_unreported=t("pushes.unreported"),
        )  # fmt: skip
        return ChartText(**{**words, **extra})

    def _ranking_text(self, title: str, week: Week, name_label: str) -> ChartText:
        """A ranking chart's words; its footer says what a score of 100 means."""
        return self._text(title, week.start, week.end, name_label=name_label,
                          footer=t("pushes.score_scale"))  # fmt: skip

    async def units(self, as_of: date, group: str) -> Rendered:
        """The leaders' chart: units of one ranking group, flags and arrows."""
        week = await self.week(as_of)
        ranked = [r for r in week.unit_ranks if r.group == group]
        rows = [UnitBar(r.subject, r.score, r.change, r.flag, r.rank) for r in ranked]
        name = t(f"group.{group}")
        text = self._ranking_text(t("chart.units_title", group=name), week, t("chart.name"))
        photo = await drawn(unit_ranking_png, rows, text)
        best, worst = flagged(ranked)
        caption = t("weekly.caption", group=name, period=week.period,
                    start=week.start.isoformat(), end=week.end.isoformat(),
                    best="、".join(best) or t("weekly.none"),
                    worst="、".join(worst) or t("weekly.none"))  # fmt: skip
        return Rendered(caption[:CAPTION], [], photo=photo)

    async def _projects_chart(
        self, week: Week, lists: tuple[list[Ranked], list[Ranked]], title: str
    ) -> bytes:
        top, bottom = (project_bars(week, rows) for rows in lists)
        text = self._ranking_text(title, week, t("chart.project"))
        return await drawn(project_board_png, top, bottom, text)

    async def board(self, as_of: date) -> Rendered:
        """The projects' 龙虎榜: the city's best and worst on one list."""
        week = await self.week(as_of)
        photo = await self._projects_chart(
            week, city_board(week, self.config), t("chart.board_title")
        )
        caption = t("pushes.board_caption", period=week.period, start=week.start.isoformat(),
                    end=week.end.isoformat())  # fmt: skip
        return Rendered(caption, [], photo=photo)

    async def unit(self, as_of: date, unit_id: int) -> Rendered | None:
        """A unit's group: its own projects' scores and places within the unit."""
        unit = await departments.unit_name(self.db, unit_id)
        week = await self.week(as_of)
        lists = unit_board(week, unit or "", self.config)
        if not any(lists):
            return None
        photo = await self._projects_chart(week, lists, t("chart.unit_title", unit=unit))
        caption = t("weekly.unit_caption", unit=unit, period=week.period,
                    start=week.start.isoformat(), end=week.end.isoformat())  # fmt: skip
        return Rendered(caption, [], photo=photo)

    async def figures(self, start: date, end: date) -> tuple[list[ProjectFacts], Bulletin]:
        """The month's projects and figures, from the ledger as of the month's last day."""
        projects = await facts.load(self.db, end, start, self.calendar, self.tz, None,
                                    self.config.unit_groups, reporting=False)  # fmt: skip
        return projects, bulletin(projects, end, t("bulletin.city"))

    async def monthly(self, start: date, end: date) -> Rendered:
        """The bulletin: the city's figures, the chart per unit, praise, laggards, overdue nodes
        and open problems, all as of the month's last day."""
        projects, figures = await self.figures(start, end)
        month = f"{end.year}年{end.month}月"
        time = percent(figures.time)
        text = self._text(
            t("bulletin.title", month=month), start, end,
            subtitle=t("bulletin.subtitle", months=months(end), end=end.isoformat()),
            name_label=t("chart.name"), plan_line=t("bulletin.time_line", time=time),
            ahead=t("bulletin.ahead"), behind=t("bulletin.behind"), no_data=t("bulletin.no_plan"),
            done_label=t("bulletin.done_label"), share_label=t("bulletin.share_label"),
            gap_label=t("bulletin.gap_label"), starts_label=t("bulletin.starts_label"),
            footer=t("bulletin.footer", time=time, month=end.month),
        )  # fmt: skip
        photo = await drawn(
            bulletin_png, [bar(u, figures) for u in figures.units], text, float(figures.time),
            bar(figures.city, figures),
        )  # fmt: skip
        lines = [t("monthly.caption", month=month), paragraph(figures)]
        shares = [(u.name, CITY, float(percent(u.share))) for u in figures.units
                  if u.share is not None]  # fmt: skip
        best, worst = flagged(rank(shares, {}, self.config))
        if best:
            lines.append(t("monthly.praise", names="、".join(best)))
        if worst:
            lines.append(t("monthly.laggards", names="、".join(worst)))
        overdue = [(f.code, m.name) for f in projects for m in f.milestones
                   if m.due <= end and (m.done_on is None or m.done_on > end)]  # fmt: skip
        if overdue:
            items = "、".join(f"{code} {name}" for code, name in overdue[:5])
            lines.append(t("monthly.overdue", n=len(overdue), items=items))
        problems = [p for f in projects for p in f.problems
                    if p.closed_on is None or p.closed_on > end]  # fmt: skip
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
        projects = await facts.load(self.db, end, start, self.calendar, self.tz, None,
                                    self.config.unit_groups, reporting=False)  # fmt: skip
        by_unit: dict[str, list] = defaultdict(list)
        for f in projects:
            by_unit[f.unit].append(f)
        entries = []
        for unit, mine in by_unit.items():
            value = quarterly_metric(theme, mine, end, self.config)
            if value is not None:
                entries.append((unit, mine[0].group, round(value * 100, 2)))
        ranked = rank(entries, {}, self.config)
        quarter = f"{end.year}年第{(end.month - 1) // 3 + 1}"
        lines = [t("monthly.quarter_title", quarter=quarter, theme=t(f"monthly.theme_{theme}"))]
        red = [r.subject for r in ranked if r.flag == "red"]
        yellow = [r.subject for r in ranked if r.flag == "yellow"]
        if red:
            lines.append(t("monthly.quarter_red", names="、".join(red)))
        if yellow:
            lines.append(t("monthly.quarter_yellow", names="、".join(yellow)))
        return Rendered("\n".join(lines), [])


def months(end: date) -> str:
    """The months a bulletin covers: 1-11月, or 1月 in January."""
    return t("bulletin.months", month=end.month) if end.month > 1 else t("bulletin.months_first")


def paragraph(b: Bulletin) -> str:
    """The paragraph a bulletin opens with: the city's figures as of the month's end."""
    city = b.city
    share = city.share
    if share is None:
        invest = t("bulletin.no_plan_share")
    else:
        gap = city.gap(b.time) or 0
        points = abs(tenth(gap))
        where = "level" if points == 0 else "ahead" if gap > 0 else "behind"
        invest = t("bulletin.share", share=percent(share),
                   gap=t(f"bulletin.gap_{where}", points=points))  # fmt: skip
    rate = "" if city.start_rate is None else t("bulletin.rate", rate=percent(city.start_rate))
    starts = t("bulletin.starts", planned=city.planned_starts, started=city.actual_starts,
               rate=rate)  # fmt: skip
    return t("bulletin.paragraph", n=city.projects, total=yi(city.total_yuan),
             plan=yi(city.year_plan_yuan), months=months(b.month_end), done=yi(city.done_yuan),
             invest=invest, starts=starts)  # fmt: skip


def bar(figures: Figures, b: Bulletin) -> BulletinBar:
    """One line of the bulletin's chart, rounded as the paragraph rounds."""
    share, gap = figures.share, figures.gap(b.time)
    return BulletinBar(
        figures.name, float(yi(figures.done_yuan)),
        None if share is None else float(percent(share)),
        None if gap is None else float(tenth(gap)),
        figures.actual_starts, figures.planned_starts,
    )  # fmt: skip
