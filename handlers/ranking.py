"""/rank, /why, /status: scores that leaders can read and question any time.

All three take the same week (`上周`, `本周`, `2026-W47`; by default the last completed week
on Monday, this week so far on other days), so what /why explains is what /rank ranked.
Access (checked in services.standings): admins see everything; a leader sees the projects
linked to them, and any unit's aggregate (its score, rates and colour counts are as public
inside the city as /rank).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from telegram import Update
from telegram.ext import Application, CommandHandler

from domain.money import format_wan
from domain.plan import planned_to_date
from domain.ranking import Ranked
from domain.scoring import Explanation
from domain.status import UNREPORTED, judged_plan
from handlers.common import command_args, refuse, reply, requires
from handlers.context import Context
from ledger.report_texts import latest_lines
from messages import t
from ranking.service import Week
from services import standings
from services.refusal import Refusal
from services.standings import ProjectStanding, Subject, UnitStanding
from storage.people import Person

WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
THIS_WEEK, LAST_WEEK = ("本周", "this"), ("上周", "last")
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


def is_week(arg: str) -> bool:
    """Whether `arg` is meant as a week (it may still name one that does not exist)."""
    return arg.lower() in THIS_WEEK + LAST_WEEK or WEEK.match(arg) is not None


def week_end(arg: str | None, day: date) -> date | None:
    """The last day to score for a week argument, or None when it names no week.

    Today for this week, Sunday for a past one. No argument: on Monday the week that just
    ended (the one the Monday push showed), on other days this week so far.
    """
    last_sunday = day - timedelta(days=day.weekday() + 1)
    if arg is None:
        return last_sunday if day.weekday() == 0 else day
    if arg.lower() in THIS_WEEK:
        return day
    if arg.lower() in LAST_WEEK:
        return last_sunday
    match = WEEK.match(arg)
    if not match:
        return None
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None
    return min(monday + timedelta(days=6), day)


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
    lines.append(t("rank.footer"))
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
async def rank_command(update: Update, context: Context, person: Person) -> None:
    """/rank [上周|本周|2026-W47]: the units' ranking and the projects' 龙虎榜."""
    args = command_args(update)
    as_of = week_end(args[0] if args else None, context.today())
    if as_of is None:
        await reply(update, t("rank.bad_week", value=args[0][:20]))
        return
    week = await standings.week(
        context.db, person, as_of, today=context.today(), config=context.config
    )
    if isinstance(week, Refusal):
        await refuse(update, week)
        return
    await reply(update, ranking_text(week, as_of.isoformat()))


async def _asked(
    update: Update, context: Context, person: Person, usage: str
) -> tuple[Subject, Week] | None:
    """The project or unit named in the command (with a week, in either order), and that
    week's scores; None once the caller has been told what is missing, unknown or not theirs.
    """
    args = command_args(update)
    weeks = [a for a in args if is_week(a)]
    names = [a for a in args if not is_week(a)]
    if not names:
        await reply(update, t(usage))
        return None
    if len(names) > 1 or len(weeks) > 1:
        await reply(update, t("rank.bad_week", value=(names[1:] or weeks[1:])[0][:20]))
        return None
    as_of = week_end(weeks[0] if weeks else None, context.today())
    if as_of is None:
        await reply(update, t("rank.bad_week", value=weeks[0][:20]))
        return None
    asked = await standings.subject(context.db, person, names[0])
    if isinstance(asked, Refusal):
        await refuse(update, asked)
        return None
    week = await standings.week(
        context.db, person, as_of, today=context.today(), config=context.config
    )
    if isinstance(week, Refusal):
        await refuse(update, week)
        return None
    return asked, week


@requires("admin", "leader")
async def why_command(update: Update, context: Context, person: Person) -> None:
    """/why <project|unit> [上周|2026-W47]: each metric's value, weight, points and change."""
    asked = await _asked(update, context, person, "why.usage")
    if asked is None:
        return
    subject, week = asked
    if subject.project is not None:
        pid = subject.project.id
        explained = next((e for f, e in week.projects if f.project_id == pid), None)
        await reply(update, explain_text(subject.project.name, week, explained))
    else:
        unit = subject.unit or ""
        await reply(update, explain_text(unit, week, week.units.get(unit)))


def explain_text(subject: str, week: Week, explained: Explanation | None) -> str:
    """/why's answer: which week, the score, each line, the gate, and what 100 means."""
    span = {"period": week.period, "start": week.start.isoformat(), "end": week.end.isoformat()}
    if explained is None:
        return t("why.no_score", subject=subject, **span)
    change = ""
    if explained.score_change is not None:
        change = t("why.change", sign="+" if explained.score_change >= 0 else "",
                   delta=f"{explained.score_change:.1f}")  # fmt: skip
    lines = [t("why.title", subject=subject, score=f"{explained.score:.1f}", change=change,
               **span)]  # fmt: skip
    if explained.gated and explained.members == 1:
        lines.append(t("why.gate_project"))
    elif explained.gated:
        lines.append(t("why.gate_unit", gated=explained.gated, members=explained.members))
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
async def status_command(update: Update, context: Context, person: Person) -> None:
    """/status <project|unit> [上周|2026-W47]: the status now, its reasons, the week's place."""
    asked = await _asked(update, context, person, "status.usage")
    if asked is None:
        return
    subject, week = asked
    if subject.project is not None:
        standing = await standings.project_standing(
            context.db, week, subject.project.id, today=context.today(), config=context.config
        )
        latest = await latest_lines(context.db, subject.project.id)
        await reply(update, project_card(week, standing, latest, context.today()))
    else:
        counted = await standings.unit_standing(context.db, week, subject.unit or "")
        await reply(update, unit_card(week, counted))


def _place(week: Week, ranks: Sequence[Ranked], subject: str, score: float | None) -> str:
    """The week's score and place line of a card."""
    ranked = next((r for r in ranks if r.subject == subject), None)
    span = {"period": week.period}
    if ranked is None or score is None:
        return t("status.week_none", **span)
    flag = t(f"rank.flag_{ranked.flag}") if ranked.flag else ""
    return t("status.week_place", score=f"{score:.1f}", group=t(f"group.{ranked.group}"),
             rank=ranked.rank, flag=flag, **span)  # fmt: skip


def project_card(week: Week, standing: ProjectStanding, latest: list[str], day: date) -> str:
    """/status of a project: colour and reasons, money against 序时进度, the week's place,
    the latest report, milestones and the score's trend."""
    f, st = standing.facts, standing.status
    color = st.color if st else UNREPORTED
    reasons = ""
    if st and st.reasons:
        reasons = t("status.reasons", items="、".join(t(f"reason.{r}") for r in st.reasons))
    to_date = planned_to_date(f.year_plan_yuan, f.monthly_plan_yuan, day)
    if not to_date:
        ratio = t("status.ratio_na")
    elif judged_plan(f, day) is None:
        ratio = t("status.ratio_early", value=_pct(f.done_yuan / to_date))
    else:
        ratio = t("status.ratio", value=_pct(f.done_yuan / to_date))
    last = f.last_report.isoformat() if f.last_report else t("status.never")
    card = t("status.project", code=f.code, name=f.name, unit=f.unit,
             color=t(f"color.{color}"), reasons=reasons,
             stage=f.stage or "—", total=format_wan(f.total_yuan),
             plan=format_wan(f.year_plan_yuan), done=format_wan(f.done_yuan),
             to_date=format_wan(to_date), ratio=ratio, last=last)  # fmt: skip
    lines = [card, _place(week, week.project_ranks, f.code, standing.score), *latest]
    if standing.milestones:
        items = []
        for m in standing.milestones[:6]:
            state = (
                t("status.milestone_done")
                if m.done_on
                else (t("status.milestone_overdue") if m.due < day else "")
            )
            items.append(t("status.milestone_item", name=m.name, due=m.due.isoformat(),
                           state=state))  # fmt: skip
        lines.append(t("status.milestones", items="；".join(items)))
    if standing.trend:
        items = " → ".join(f"{period[-3:]} {score:.0f}" for period, score in standing.trend)
        lines.append(t("status.trend", items=items))
    return "\n".join(lines)


def unit_card(week: Week, standing: UnitStanding) -> str:
    """/status of a unit: its projects counted by colour (未上报 apart), the week's place."""
    place = _place(week, week.unit_ranks, standing.unit, standing.score)
    return t("status.unit", unit=standing.unit, count=standing.projects, place=place,
             **standing.colors)  # fmt: skip


def register(app: Application) -> None:
    app.add_handler(CommandHandler("rank", rank_command))
    app.add_handler(CommandHandler("why", why_command))
    app.add_handler(CommandHandler("status", status_command))
