"""/rank, /why, /status: scores that leaders can read and question any time."""

from __future__ import annotations

import re
from datetime import date, timedelta

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from domain.money import format_wan
from domain.plan import planned_to_date
from domain.scoring import Explanation, Ranked
from handlers.common import command_args, reply, requires, svc, today
from messages import t
from ranking.service import Week, score_week
from storage import facts, milestones, projects
from storage.people import Person

WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
TOP = 5


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _arrow(change: int | None) -> str:
    if change is None:
        return t("rank.arrow_new")
    if change > 0:
        return t("rank.arrow_up", n=change)
    if change < 0:
        return t("rank.arrow_down", n=-change)
    return t("rank.arrow_same")


def _week_end(arg: str | None, day: date) -> date | None:
    """The last day to score: today for this week, Sunday for a past week."""
    if not arg or arg in ("本周", "this"):
        return day
    if arg in ("上周", "last"):
        return day - timedelta(days=day.weekday() + 1)
    match = WEEK.match(arg)
    if not match:
        return None
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None
    return min(monday + timedelta(days=6), day)


async def _week(context: ContextTypes.DEFAULT_TYPE, as_of: date) -> Week:
    s = svc(context)
    calendar = await context.application.bot_data["scheduler"].calendar()
    # A finished week is kept as a snapshot; the current one is scored live, not saved.
    finished = as_of < today(context)
    return await score_week(s.db, as_of, calendar, s.config.bot.timezone, save=finished)


def ranking_text(week: Week, as_of_text: str) -> str:
    """The ranking as text: units per group with flags and arrows, then the 龙虎榜."""
    if not week.unit_ranks:
        return t("rank.empty")
    lines = [t("rank.title", period=week.period, start=week.start.isoformat(),
               end=week.end.isoformat(), as_of=as_of_text)]  # fmt: skip
    group = None
    for r in week.unit_ranks:
        if r.group != group:
            group = r.group
            lines.append(t("rank.group_title", group=t(f"group.{group}")))
        flag = t(f"rank.flag_{r.flag}") if r.flag else ""
        lines.append(t("rank.line", rank=r.rank, flag=flag, name=r.subject,
                       score=f"{r.score:.1f}", arrow=_arrow(r.change)))  # fmt: skip
    lines += _board_lines(week)
    return "\n".join(lines)


def _board_lines(week: Week) -> list[str]:
    by_code = {f.code: (f, e) for f, e in week.projects}
    ordered = sorted(week.project_ranks, key=lambda r: (-r.score, r.subject))
    n = min(TOP, len(ordered) // 2)
    if not n:
        return []

    def line(r: Ranked) -> str:
        f, _ = by_code[r.subject]
        return t("rank.project_line", code=f.code, name=f.name[:20], unit=f.unit,
                 score=f"{r.score:.1f}")  # fmt: skip

    return (
        [t("rank.top_projects", n=n)] + [line(r) for r in ordered[:n]]
        + [t("rank.bottom_projects", n=n)] + [line(r) for r in ordered[-n:]]
    )  # fmt: skip


@requires("admin", "leader")
async def rank_command(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """/rank [上周|2026-W47]: the units' ranking and the projects' 龙虎榜."""
    args = command_args(update)
    as_of = _week_end(args[0] if args else None, today(context))
    if as_of is None:
        await reply(update, t("rank.bad_week", value=args[0][:20]))
        return
    week = await _week(context, as_of)
    await reply(update, ranking_text(week, as_of.isoformat()))


async def _subject(
    context: ContextTypes.DEFAULT_TYPE, word: str
) -> tuple[str, int | None, str | None]:
    """("project", id, None) or ("unit", None, name) or ("", None, None)."""
    db = svc(context).db
    project = await projects.by_code(db, word)
    if project:
        return "project", project.id, None
    if await projects.unit_by_name(db, word) is not None:
        return "unit", None, word
    return "", None, None


async def _asked(
    update: Update, context: ContextTypes.DEFAULT_TYPE, usage: str
) -> tuple[str, int | None, str | None, Week] | None:
    """The project or unit named in the command, and this week's scores; None once the
    caller has been told what is missing or unknown."""
    args = command_args(update)
    if not args:
        await reply(update, t(usage))
        return None
    kind, project_id, unit = await _subject(context, args[0])
    if not kind:
        await reply(update, t("why.unknown", value=args[0][:40]))
        return None
    return kind, project_id, unit, await _week(context, today(context))


@requires("admin", "leader")
async def why_command(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """/why <project|unit>: each metric's value, weight, points and change since last week."""
    asked = await _asked(update, context, "why.usage")
    if asked is None:
        return
    kind, project_id, unit, week = asked
    args = command_args(update)
    if kind == "project":
        found = next(((f, e) for f, e in week.projects if f.project_id == project_id), None)
        subject = found[0].name if found else args[0]
        explained = found[1] if found else None
    else:
        subject, explained = unit, week.units.get(unit or "")
    await reply(update, explain_text(subject or "", explained))


def explain_text(subject: str, explained: Explanation | None) -> str:
    if explained is None:
        return t("why.no_score", subject=subject)
    change = ""
    if explained.score_change is not None:
        change = t("why.change", sign="+" if explained.score_change >= 0 else "",
                   delta=f"{explained.score_change:.1f}")  # fmt: skip
    lines = [t("why.title", subject=subject, score=f"{explained.score:.1f}", change=change)]
    for line in explained.lines:
        name = t(f"metric.{line.metric}")
        if line.value is None:
            lines.append(t("why.line_na", metric=name))
            continue
        delta = ""
        if line.change is not None:
            delta = t("why.line_change", sign="+" if line.change >= 0 else "",
                      delta=f"{line.change * 100:.0f}点")  # fmt: skip
        lines.append(t("why.line", metric=name, value=_pct(line.value), weight=_pct(line.weight),
                       points=f"{line.points:.1f}", change=delta))  # fmt: skip
    lines.append(t("why.rules"))
    return "\n".join(lines)


@requires("admin", "leader")
async def status_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """/status <project|unit>: a card with the status, its reasons and the trend."""
    asked = await _asked(update, context, "status.usage")
    if asked is None:
        return
    kind, project_id, unit, week = asked
    if kind == "project":
        await reply(update, await _project_card(context, week, project_id or 0))
    else:
        await reply(update, _unit_card(week, unit or ""))


async def _project_card(context: ContextTypes.DEFAULT_TYPE, week: Week, project_id: int) -> str:
    s = svc(context)
    day = today(context)
    f = next((f for f, _ in week.projects if f.project_id == project_id), None)
    if f is None:
        calendar = await context.application.bot_data["scheduler"].calendar()
        f = (await facts.load(s.db, day, week.start, calendar, s.config.bot.timezone,
                              [project_id]))[0]  # fmt: skip
    st = week.statuses.get(project_id)
    reasons = ""
    if st and st.reasons:
        reasons = t("status.reasons", items="、".join(t(f"reason.{r}") for r in st.reasons))
    to_date = planned_to_date(f.year_plan_yuan, f.monthly_plan_yuan, day)
    ratio = (
        t("status.ratio", value=_pct(f.done_yuan / to_date)) if to_date else t("status.ratio_na")
    )
    last = await s.db.fetchval(
        "SELECT MAX(report_date) FROM reports WHERE project_id = ?", (project_id,)
    )
    card = t("status.project", code=f.code, name=f.name, unit=f.unit,
             color=t(f"color.{st.color if st else 'green'}"), reasons=reasons,
             stage=f.stage or "—", total=format_wan(f.total_yuan),
             plan=format_wan(f.year_plan_yuan), done=format_wan(f.done_yuan),
             to_date=format_wan(to_date), ratio=ratio, last=last or t("status.never"))  # fmt: skip
    lines = [card]
    nodes = await milestones.of_project(s.db, project_id)
    if nodes:
        items = []
        for m in nodes[:6]:
            state = (
                t("status.milestone_done")
                if m.done_on
                else (t("status.milestone_overdue") if m.due < day else "")
            )
            items.append(t("status.milestone_item", name=m.name, due=m.due.isoformat(),
                           state=state))  # fmt: skip
        lines.append(t("status.milestones", items="；".join(items)))
    trend = await s.db.fetchall(
        "SELECT period, score FROM score_snapshots WHERE subject = 'project' AND subject_id = ?"
        " ORDER BY period DESC LIMIT 4",
        (project_id,),
    )
    if trend:
        items = " → ".join(f"{r['period'][-3:]} {r['score']:.0f}" for r in reversed(trend))
        lines.append(t("status.trend", items=items))
    return "\n".join(lines)


def _unit_card(week: Week, unit: str) -> str:
    mine = [f for f, _ in week.projects if f.unit == unit]
    colors = [week.statuses[f.project_id].color for f in mine if f.project_id in week.statuses]
    counts = {c: colors.count(c) for c in ("green", "yellow", "red")}
    counts["green"] += len(mine) - len(colors)  # not yet assessed: no cause for concern known
    ranked = next((r for r in week.unit_ranks if r.subject == unit), None)
    if ranked is None:
        return t("status.unit_unranked", unit=unit, count=len(mine), **counts)
    return t("status.unit", unit=unit, count=len(mine), score=f"{ranked.score:.1f}",
             group=t(f"group.{ranked.group}"), rank=ranked.rank, **counts)  # fmt: skip


def register(app: Application) -> None:
    app.add_handler(CommandHandler("rank", rank_command))
    app.add_handler(CommandHandler("why", why_command))
    app.add_handler(CommandHandler("status", status_command))
