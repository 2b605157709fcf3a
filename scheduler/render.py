"""What each scheduled delivery says, rendered when it is sent so it is never stale."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from callback_data import REPORT_PROJECT, SNOOZE_REMINDER
from domain.money import format_wan
from domain.workdays import WorkCalendar
from ledger.report_texts import value_items
from messages import t
from scheduler import escalation
from storage import Database, departments, progress, report_fields, reports, schedule, tallies
from storage.outbox import OutboxRow
from timeutil import from_iso, local_date

MAX_TEXT = 3900  # Telegram allows 4096; leave room for the last line
MAX_REPORT_BUTTONS = 6


@dataclass(frozen=True)
class Rendered:
    text: str  # the message, or the caption of a photo/document (Telegram: 1024 chars)
    buttons: list[list[tuple[str, str]]]
    # What decides whether a board changed (its text without the "updated at" line).
    content: str = ""
    photo: bytes | None = None  # a chart (PNG)
    document: tuple[str, bytes] | None = None  # (file name, content), e.g. the .xlsx ledger


def _day_label(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _fit(lines: list[str], more_key: str) -> list[str]:
    """Keep lines within Telegram's limit, ending with "……另有 N 条"."""
    kept, size = [], 0
    for i, line in enumerate(lines):
        if size + len(line) + 1 > MAX_TEXT:
            kept.append(t(more_key, n=len(lines) - i))
            break
        kept.append(line)
        size += len(line) + 1
    return kept


async def remind(db: Database, row: OutboxRow, deadline: str) -> Rendered | None:
    """A liaison's missing projects today; None when nothing is missing any more."""
    day = date.fromisoformat(row.spec["day"])
    person_id = row.spec["person_id"]
    if person_id in await schedule.on_leave(db, day):
        return None
    mine = await progress.assignments(db, person_id=person_id)
    done = await reports.reported_on(db, [a.project_id for a in mine], day)
    missing = [a for a in mine if a.project_id not in done]
    if not missing:
        return None
    lines = [t("push.remind_line", code=a.code, name=a.name) for a in missing]
    text = t("push.remind", name=mine[0].liaison, day=_day_label(day), count=len(missing),
             projects="\n".join(_fit(lines, "push.digest_more")),
             deadline=deadline)  # fmt: skip
    buttons = [
        [(t("push.btn_report", name=a.name[:20]), REPORT_PROJECT.make(a.project_id))]
        for a in missing[:MAX_REPORT_BUTTONS]
    ]
    buttons.append([(t("push.btn_snooze"), SNOOZE_REMINDER.make(row.id))])
    return Rendered(text, buttons)


async def board(db: Database, unit_id: int, day: date, now: datetime, tz: ZoneInfo) -> Rendered:
    """The unit's reported/missing board for the day, naming liaisons still missing."""
    unit = await departments.unit_name(db, unit_id) or ""
    pairs = await progress.assignments(db, unit_id)
    projects = await tallies.unit_board(db, unit_id, day)
    away = await schedule.on_leave(db, day)
    reported = {pid for pid, _, done in projects if done}
    missing_by_person: dict[str, list[str]] = defaultdict(list)
    on_leave: set[str] = set()
    covered = set()
    for a in pairs:
        covered.add(a.project_id)
        if a.project_id in reported:
            continue
        if a.person_id in away:
            on_leave.add(a.liaison)
            continue
        if a.code not in missing_by_person[a.liaison]:
            missing_by_person[a.liaison].append(a.code)
    unassigned = [code for pid, code, _ in projects if pid not in covered and pid not in reported]
    total = len(projects)
    head = t("push.board_title", unit=unit, day=_day_label(day))
    if not missing_by_person and not unassigned:
        lines = [head, t("push.board_cleared", total=total)]
    else:
        missing = total - len(reported)
        lines = [head, t("push.board_progress", done=len(reported), total=total, missing=missing)]
        body = [
            t("push.board_line", liaison=name, projects="、".join(codes))
            for name, codes in sorted(missing_by_person.items())
        ]
        if unassigned:
            body.append(t("push.board_line", liaison=t("push.board_no_liaison"),
                          projects="、".join(unassigned)))  # fmt: skip
        lines += _fit(body, "push.board_more")
    if on_leave:
        lines.append(t("push.board_leave", names="、".join(sorted(on_leave))))
    content = "\n".join(lines)
    stamp = t("push.board_updated", time=now.astimezone(tz).strftime("%H:%M"))
    return Rendered(f"{content}\n{stamp}", [], content)


async def streak_notes(
    db: Database, day: date, days: int, calendar: WorkCalendar, tz: ZoneInfo
) -> dict[int, str]:
    """leader person id → a note naming liaisons whose run of missed workdays reached
    `days` (or 2×, 3× `days`) today. Days on leave are skipped; days before a liaison was
    bound do not count."""
    window = calendar.previous_workdays(day, days * 3 + 1)  # newest first
    if not window or window[0] != day:
        return {}
    done = await progress.reported_projects(db, window)
    away = {d: await schedule.on_leave(db, d) for d in window}
    per_person: dict[int, list[progress.Assignment]] = defaultdict(list)
    for a in await progress.assignments(db):
        per_person[a.person_id].append(a)
    lagging: list[list[progress.Assignment]] = []
    for person_id, mine in per_person.items():
        joined = local_date(from_iso(mine[0].joined), tz)
        run = 0
        for d in window:
            if d < joined:
                break
            if person_id in away[d]:
                continue
            if all((a.project_id, d.isoformat()) in done for a in mine):
                break
            run += 1
        if run and run % days == 0:
            lagging.append(mine)
    leaders = await progress.leaders_of(db, [a.project_id for m in lagging for a in m])
    lines_by_leader: dict[int, list[str]] = defaultdict(list)
    for mine in lagging:
        for leader in sorted({lid for a in mine for lid in leaders.get(a.project_id, [])}):
            linked = [a.code for a in mine if leader in leaders.get(a.project_id, [])]
            lines_by_leader[leader].append(
                t("push.streak_line", liaison=mine[0].liaison, projects="、".join(linked))
            )
    return {
        leader: t("push.streak", days=days, day=_day_label(day),
                  lines="\n".join(_fit(lines, "push.digest_more")))
        for leader, lines in lines_by_leader.items()
    }  # fmt: skip


async def digest(db: Database, day: date, unit_id: int | None) -> Rendered:
    """What moved today: a unit's entries, or per-unit counts for the leaders."""
    head = t("push.digest_title", day=_day_label(day))
    if unit_id is not None:
        entries = await progress.entries_between(db, day, day)
        mine = [e for e in entries if e.unit_id == unit_id]
        if not mine:
            return Rendered(f"{head}\n{t('push.digest_none')}", [])
        fields = await report_fields.template(db)
        answers = await report_fields.latest_between(db, day, day)
        lines = [
            t("push.digest_unit_line", code=e.code, name=e.name, liaison=e.liaison,
              text=e.text[:80], extra=_extra(e) + _values(fields, answers, e, day))
            for e in mine
        ]  # fmt: skip
        return Rendered("\n".join([head, *_fit(lines, "push.digest_more")]), [])
    tallied = await tallies.by_unit(db, day, day)
    return Rendered("\n".join([head, *await _unit_summary(db, tallied, days=1)]), [])


def _values(fields: list, answers: dict, e: progress.DayEntry, day: date) -> str:
    """The report's field answers (用工人数 35人；形象进度 45%), if it has any."""
    items = value_items(fields, answers.get((e.project_id, day.isoformat()), {}))
    return t("report.digest_values", items=items) if items else ""


def _extra(e: progress.DayEntry) -> str:
    parts = ""
    if e.done_yuan > e.baseline_yuan:
        parts += t("push.digest_invest", delta=format_wan(e.done_yuan - e.baseline_yuan))
    if e.stage_after:
        parts += t("push.digest_stage", old=e.stage_before or "—", new=e.stage_after)
    if e.problem:
        parts += t("push.digest_problem", problem=e.problem[:40])
    return parts


async def _unit_summary(
    db: Database, tallied: dict[int, tallies.UnitTally], days: int
) -> list[str]:
    """A line per unit with projects: its reports over `days` days and investment added."""
    counts = await progress.unit_project_counts(db)
    lines = []
    for unit_id, (name, total) in counts.items():
        if not total:
            continue
        tally = tallied.get(unit_id, tallies.UnitTally(0, 0, 0))
        delta = format_wan(tally.added_yuan)
        if days == 1:  # one report per project and day: reports are projects reported
            n = tally.stage_changes
            stages = t("push.digest_summary_stages", n=n) if n else ""
            lines.append(t("push.digest_summary_line", unit=name, done=tally.reports,
                           total=total, delta=delta, stages=stages))  # fmt: skip
        else:
            rate = f"{tally.reports / (total * days):.0%}"
            lines.append(t("push.period_line", unit=name, rate=rate, delta=delta))
    return lines or [t("push.digest_none")]


async def period_summary(
    db: Database, kind: str, start: date, end: date, calendar: WorkCalendar
) -> Rendered:
    """Weekly or monthly plain-text summary per unit (the ranking issue adds charts)."""
    tallied = await tallies.by_unit(db, start, end)
    workdays = sum(
        1 for i in range((end - start).days + 1) if calendar.is_workday(start + timedelta(i))
    )
    if kind == "weekly":
        head = t("push.weekly_title", start=_day_label(start), end=_day_label(end))
    else:
        head = t("push.monthly_title", month=f"{start.year}年{start.month}月")
    lines = await _unit_summary(db, tallied, days=max(workdays, 1))
    if kind == "monthly":  # problem ledger: on-time closure rate per department
        lines += await escalation.closure_lines(db, start, end)
    return Rendered("\n".join([head, *_fit(lines, "push.digest_more"), t("push.period_note")]), [])
