"""The reminders and pushes admins schedule, declared once.

Everything else is derived from SCHEDULE: the kinds storage knows and their default times (a
kind with no row of its own runs at its default), which kinds run on workdays, the words an
admin types in /schedule and /pushnow, and what /schedule says about when and to whom. A new
kind is one entry here, its catalog words and its planning and rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

# Cadences: when a kind's period starts (its catalog key is schedule.days_<cadence>).
WORKDAY, WEEKLY, MONTHLY = "workday", "weekly", "monthly"
# Who a kind reaches (its catalog key is schedule.targets_<audience>).
LIAISONS, UNITS, DIGEST_GROUPS, LEADERS = "liaisons", "units", "digest", "leaders"
REMIND = "remind"  # /pushnow's name for the reminders: the latest one due


@dataclass(frozen=True)
class ScheduleKind:
    name: str  # stored in schedule.kind and slot_runs.kind
    cadence: str  # WORKDAY (every workday), WEEKLY (Mondays) or MONTHLY (the 1st)
    default_at: time  # local wall-clock time until an admin changes it
    audience: str
    push: str  # what /pushnow calls it
    words: tuple[str, ...]  # what an admin may type for it, besides its name


SCHEDULE: tuple[ScheduleKind, ...] = (
    ScheduleKind("remind1", WORKDAY, time(16, 0), LIAISONS, REMIND, ("第一次提醒", "提醒1")),
    ScheduleKind("remind2", WORKDAY, time(17, 30), LIAISONS, REMIND, ("第二次提醒", "提醒2")),
    ScheduleKind("board", WORKDAY, time(18, 0), UNITS, "board", ("看板", "截止看板")),
    ScheduleKind("digest", WORKDAY, time(20, 0), DIGEST_GROUPS, "digest",
                 ("日报", "每日汇总", "汇总")),
    ScheduleKind("weekly", WEEKLY, time(9, 0), LEADERS, "weekly", ("周报", "每周排名", "排名")),
    ScheduleKind("monthly", MONTHLY, time(9, 0), LEADERS, "monthly",
                 ("月报", "月度通报", "通报")),
)  # fmt: skip
BY_NAME = {k.name: k for k in SCHEDULE}
KINDS = tuple(BY_NAME)
DAILY = tuple(k.name for k in SCHEDULE if k.cadence == WORKDAY)
REMINDERS = tuple(k.name for k in SCHEDULE if k.push == REMIND)
PUSH_KINDS = tuple(dict.fromkeys(k.push for k in SCHEDULE))
ALIASES = {word: k.name for k in SCHEDULE for word in (k.name, *k.words)}
# Not an admin's item: every project's status recomputed at the start of each workday.
STATUS = "status"
