"""The rows of a generated province, made for the bot's own schema.

Units (~80% 区县, ~20% 市直部门), projects with plans, stages, dates and milestones, liaisons
and leaders, daily reports with corrections over one or more years, problems with
deadlines, and each project's running totals. build.py writes them and then what the running
bot would have left (statuses, the weekly scores of every past week).

Reports of a day are drawn from that day's own random stream, so a province with three years
of history has the same projects, and the same last year of reports, as one with one year.
"""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.ranking import AS_OF, SEED, TZ
from bench.ranking.words import (
    CATEGORY_OF_WORK,
    COUNTY_SUFFIX,
    DEPARTMENTS,
    MILESTONES,
    MONTH_SHAPE,
    PLACES,
    PROBLEMS,
    REPEATS,
    TEXTS_BUILDING,
    TEXTS_DONE,
    TEXTS_PREP,
    WORKS,
)
from domain.problem_flow import CATEGORIES
from domain.stages import Stage
from domain.workdays import WorkCalendar

CHUNK = 100_000  # report rows per executemany: bounded memory while generating
MAX_DAYS = 400  # --days bound: reports go back at most this many workdays
PROBLEM_SHARE = 0.2  # projects with a problem raised in a year
LEADERS_CHAT, DEPARTMENTS_CHAT = -1_000_001, -1_000_002  # the bound groups; a unit's: -2e6 - id


def utc(day: date, hour: int, minute: int = 0) -> str:
    """A local (UTC+8) time of `day` as the UTC text the bot stores."""
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _wan(yuan: float) -> int:
    """Rounded down to 万元, as amounts are typed."""
    return int(yuan) // 10_000 * 10_000


def report_days(calendar: WorkCalendar, days: int | None, years: int = 1) -> list[date]:
    """The workdays reports are written on: the last `days` up to AS_OF, or (None) every
    workday of the `years` years ending on AS_OF."""
    if days is None:
        first = AS_OF.replace(year=AS_OF.year - years) + timedelta(days=1)
        span = (AS_OF - first).days + 1
        return [d for d in (first + timedelta(i) for i in range(span)) if calendar.is_workday(d)]
    return sorted(calendar.previous_workdays(AS_OF, days))


@dataclass
class Plan:
    """One generated project: what the report loop needs to write its year of reports."""

    pid: int
    liaison: int
    total: int
    year_plan: int
    cum: list[int]  # planned before each month this year
    monthly: list[int]
    pace: float  # done / planned to date it keeps to
    diligence: float  # chance of a report on a workday
    real_rate: float  # chance a report is real progress
    start: date | None  # the stage turns 在建 on the first report from this day
    finish: date | None  # ... and 竣工 from this day
    stage: Stage
    done: int = 0
    year: int = 0
    done: int = 0
    year: int = 0
    last_report: date | None = None
    last_real: date | None = None


class Province:
    """Writes the rows of one generated province through a plain sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection, rng: random.Random, days: list[date]) -> None:
        self.conn = conn
        self.rng = rng  # the projects' stream; reports and problems have their own per day/year
        self.days = days
        self.years = sorted({d.year for d in days} | {AS_OF.year})
        self.counts: dict[str, int] = defaultdict(int)

    def insert(self, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        marks = ",".join("?" * (columns.count(",") + 1))
        self.conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        self.counts[table] += len(rows)

    def units(self, count: int) -> list[tuple[int, str]]:
        """(id, kind) of `count` units: ~80% 区县/开发区, ~20% 市直部门."""
        departments = max(1, round(count * 0.2))
        counties = count - departments
        pairs = [(i + j, a + b) for i, a in enumerate(PLACES) for j, b in enumerate(PLACES)
                 if a != b]  # fmt: skip
        names = [f"{pair}{COUNTY_SUFFIX[k % len(COUNTY_SUFFIX)]}" for k, pair in pairs]
        self.rng.shuffle(names)
        # More units than name pairs: number the repeats (bounded by --units).
        names += [f"{n}{k}" for k in range(2, 4) for n in names[:]]
        rows = [(i + 1, names[i], "county") for i in range(counties)]
        rows += [(counties + i + 1, f"市{DEPARTMENTS[i % len(DEPARTMENTS)]}"
                  + (f"{i // len(DEPARTMENTS) + 1}" if i >= len(DEPARTMENTS) else ""),
                  "department") for i in range(departments)]  # fmt: skip
        stamp = utc(self.days[0], 9)
        self.insert("units", "id, name, kind, created_at", [(*r, stamp) for r in rows])
        return [(uid, kind) for uid, _, kind in rows]

    def people(self, count: int, first_id: int, name: str, role: str) -> list[int]:
        stamp = utc(self.days[0], 10)
        ids = list(range(first_id, first_id + count))
        self.insert("people", "id, tg_user_id, name, username, created_at",
                    [(i, 50_000_000 + i, f"{name}{i}", None, stamp) for i in ids])  # fmt: skip
        self.insert("roles", "person_id, role, granted_at", [(i, role, stamp) for i in ids])
        return ids

    def projects(self, count: int, units: list[tuple[int, str]]) -> list[Plan]:
        """Projects spread unevenly over the units (every unit gets one while there are
        enough), with plans, dates, stages, liaisons (one per two projects), leaders."""
        rng = self.rng
        unit_ids = [u for u, _ in units]
        weights = [rng.paretovariate(1.3) for _ in unit_ids]  # a few units carry many projects
        owner = unit_ids[:count] + rng.choices(unit_ids, weights, k=max(0, count - len(units)))
        owner.sort()  # projects of a unit are imported together: consecutive ids
        per_unit: dict[int, int] = defaultdict(int)
        liaison_of: list[int] = []
        next_liaison = 1000
        for uid in owner:
            if per_unit[uid] % 2 == 0:
                next_liaison += 1
            per_unit[uid] += 1
            liaison_of.append(next_liaison)
        self.people(next_liaison - 1000, 1001, "联络员", "liaison")
        leaders = self.people(len(units), 100_001, "包抓领导", "leader")
        leader_of = dict(zip(unit_ids, leaders, strict=True))
        self.people(1, 1, "管理员", "admin")
        contacts = self.people(sum(1 for _, k in units if k == "department"), 200_001,
                               "部门联络人", "department")  # fmt: skip
        self.insert("department_people", "unit_id, person_id",
                    list(zip((u for u, k in units if k == "department"), contacts,
                             strict=True)))  # fmt: skip
        year = AS_OF.year
        stamp = utc(self.days[0], 11)
        plans, rows, months, links, nodes = [], [], [], [], []
        named: dict[str, int] = defaultdict(int)  # a second 东坡数据中心 is 东坡数据中心2期
        for i, uid in enumerate(owner):
            pid = i + 1
            work = rng.randrange(len(WORKS))
            name = _name(named, f"{PLACES[uid % len(PLACES)]}{WORKS[work]}")
            total = _wan(rng.uniform(5e7, 5e9))
            year_plan = _wan(total * rng.uniform(0.1, 0.4))
            shape = [w * rng.uniform(0.8, 1.2) for w in MONTH_SHAPE]
            monthly = [_wan(year_plan * w / sum(shape)) for w in shape]
            monthly[-1] += year_plan - sum(monthly)
            kind = rng.choices(("new", "cont", "done", "prep"), (0.30, 0.48, 0.12, 0.10))[0]
            p_start = a_start = p_done = a_done = a_oper = None
            start = finish = None
            stage = Stage.CONSTRUCTION
            if kind == "new":  # 新开工 this year; late starters are still 前期 on AS_OF
                p_start = date(year, 1, 15) + timedelta(rng.randrange(240))
                start = p_start + timedelta(rng.randrange(-10, 75))
                if start <= AS_OF:
                    a_start = start
                else:
                    start, stage = None, Stage.PRELIMINARY
            elif kind == "cont":  # 续建
                p_start = date(year - 3, 3, 1) + timedelta(rng.randrange(900))
                a_start = p_start + timedelta(rng.randrange(0, 40))
                if rng.random() < 0.2:
                    p_done = date(year, 6, 1) + timedelta(rng.randrange(200))
            elif kind == "done":  # 竣工 this year (or overdue)
                p_start = date(year - 2, 3, 1) + timedelta(rng.randrange(600))
                a_start = p_start + timedelta(rng.randrange(0, 30))
                p_done = date(year, 3, 1) + timedelta(rng.randrange(260))
                finish = p_done + timedelta(rng.randrange(-20, 40))
                if finish <= AS_OF:
                    a_done, stage = finish, Stage.COMPLETED
                    if rng.random() < 0.35:
                        a_oper, stage = finish + timedelta(rng.randrange(15, 30)), Stage.OPERATING
                        a_oper = min(a_oper, AS_OF)
                else:
                    finish = None
            else:  # 前期, planned to start this year or next
                p_start = date(year, 3, 1) + timedelta(rng.randrange(390))
                stage = Stage.PRELIMINARY
            plans.append(Plan(
                pid=pid, liaison=liaison_of[i], total=total, year_plan=year_plan,
                cum=[sum(monthly[:m]) for m in range(12)], monthly=monthly,
                pace=rng.uniform(0.55, 1.2), diligence=rng.choice((0.95, 0.95, 0.95, 0.7)),
                real_rate=rng.uniform(0.88, 0.99), start=start, finish=finish,
                stage=Stage.CONSTRUCTION if kind in ("cont", "done") else Stage.PRELIMINARY,
            ))  # fmt: skip
            rows.append((
                pid, f"XM-{pid:05d}", name, uid,
                CATEGORY_OF_WORK[work], stage.value, "新建" if kind in ("new", "prep") else "续建",
                f"包抓领导{leader_of[uid]}", f"联络员{liaison_of[i]}", total, year, year_plan,
                "{}", stamp, stamp, _iso(p_start), _iso(p_done), _iso(a_start), _iso(a_done),
                _iso(a_oper),
            ))  # fmt: skip
            if rng.random() < 0.85:  # the rest have a year plan only (prorated by day)
                # Each year of the history had its plan too: the table grows with the years.
                months += [(pid, y, m + 1, monthly[m]) for y in self.years for m in range(12)]
            links += [(pid, liaison_of[i], "liaison"), (pid, leader_of[uid], "leader")]
            if kind != "prep" and rng.random() < 0.45:
                nodes += self._milestones(pid, liaison_of[i])
        self.insert("projects", "id, code, name, unit_id, category, stage, build_type,"
                    " leader_name, liaison_name, total_yuan, plan_year, year_plan_yuan,"
                    " extra_json, created_at, updated_at, planned_start, planned_completion,"
                    " actual_start, actual_completion, actual_operation", rows)  # fmt: skip
        self.insert("monthly_plans", "project_id, year, month, plan_yuan", months)
        self.insert("project_people", "project_id, person_id, role", links)
        self.insert("milestones", "project_id, name, due, done_on, done_by", nodes)
        self._targets(units)
        return plans

    def _milestones(self, pid: int, liaison: int) -> list[tuple[Any, ...]]:
        rng = self.rng
        names = sorted(rng.sample(range(len(MILESTONES)), rng.randint(2, 4)))
        found = []
        for k, n in enumerate(names):
            due = date(AS_OF.year, 2, 1) + timedelta(days=70 * k + rng.randrange(60))
            done = None
            if due < AS_OF and rng.random() < 0.75:
                done = due + timedelta(rng.randrange(-15, 20 if rng.random() < 0.2 else 1))
            elif due >= AS_OF and rng.random() < 0.1:
                done = AS_OF - timedelta(rng.randrange(20))
            if done is not None:
                done = min(done, AS_OF)
            found.append((pid, MILESTONES[n], due.isoformat(), _iso(done),
                          liaison if done else None))  # fmt: skip
        return found

    def _targets(self, units: list[tuple[int, str]]) -> None:
        """The leaders' group, the departments' group and one group per unit, as bound."""
        stamp = utc(self.days[0], 12)
        rows = [
            (LEADERS_CHAT, "leaders", None, "领导群"),
            (DEPARTMENTS_CHAT, "departments", None, "部门群"),
        ]
        rows += [(-2_000_000 - uid, "unit", uid, f"单位群{uid}") for uid, _ in units]
        self.insert("push_targets", "chat_id, kind, unit_id, title, bound_by, bound_at",
                    [(*r, 1, stamp) for r in rows])  # fmt: skip

    def problems(self, plans: list[Plan], units: list[tuple[int, str]]) -> dict[tuple, int]:
        """Problems of ~20% of projects a year, most of the older ones closed; {(project id,
        day): problem id} so the report of that day carries it."""
        departments = [u for u, k in units if k == "department"]
        rows: list[tuple[Any, ...]] = []
        raised: dict[tuple, int] = {}
        for year in self.years:
            rng = random.Random(SEED * 31 + year)
            in_year = [d for d in self.days if d.year == year]
            share = PROBLEM_SHARE * len(in_year) / 250  # a history starting in December
            for p in plans:
                if not in_year or rng.random() >= share:
                    continue
                for _ in range(rng.randint(1, 3)):
                    self._problem(rng, p, rng.choice(in_year), departments, rows, raised)
        self.insert("problems", "id, project_id, raised_by, description, status, created_at,"
                    " closed_at, category, state, department_id, deadline, assigned_at,"
                    " closed_on, round, version, logged", rows)  # fmt: skip
        return raised

    @staticmethod
    def _problem(
        rng: random.Random, p: Plan, day: date, departments: list[int],
        rows: list[tuple[Any, ...]], raised: dict[tuple, int],
    ) -> None:  # fmt: skip
        if (p.pid, day) in raised:
            return
        problem_id = len(rows) + 1
        raised[(p.pid, day)] = problem_id
        deadline = day + timedelta(rng.randrange(10, 45))
        closed = day + timedelta(rng.randrange(3, 60))
        state = "closed" if closed <= AS_OF and rng.random() < 0.7 else rng.choice(
            ("open", "assigned", "accepted", "resolved"))  # fmt: skip
        shut = state == "closed"
        department = rng.choice(departments) if state != "open" else None
        rows.append((
            problem_id, p.pid, p.liaison, rng.choice(PROBLEMS).format(k=rng.randint(2, 30)),
            "closed" if shut else "open", utc(day, 16, 30), utc(closed, 15) if shut else None,
            rng.choice(CATEGORIES), state, department, deadline.isoformat(),
            utc(day, 18) if department else None, closed.isoformat() if shut else None,
            int(department is not None), int(department is not None) + int(shut), 1,
        ))  # fmt: skip

    def reports(self, plans: list[Plan], raised: dict[tuple, int]) -> None:
        """A report on most workdays per project, day by day as they arrive (ids in date
        order, as in production), ~3% corrected the same day, written in chunks."""
        reports: list[tuple[Any, ...]] = []
        revisions: list[tuple[Any, ...]] = []
        report_id = revision_id = 0
        for day in self.days:
            # The plan's share due by the end of this day (domain.plan.planned_to_date's rule,
            # without calling it 1.3M times).
            month = day.month - 1
            frac = day.day / _month_days(day)
            year_frac = day.timetuple().tm_yday / 365
            rng = self.rng_day = random.Random(SEED * 17 + day.toordinal())
            at = (utc(day, 16, rng.randrange(0, 59)), utc(day, 17, rng.randrange(0, 59)))
            for p in plans:
                if rng.random() > p.diligence:
                    continue
                if p.year != day.year:
                    p.done, p.year = 0, day.year  # the figure is "completed this year"
                before, after = p.stage.value, None
                if p.start and day >= p.start and p.stage is Stage.PRELIMINARY:
                    p.stage, after = Stage.CONSTRUCTION, Stage.CONSTRUCTION.value
                elif p.finish and day >= p.finish and p.stage is Stage.CONSTRUCTION:
                    p.stage, after = Stage.COMPLETED, Stage.COMPLETED.value
                baseline = p.done
                real = rng.random() < p.real_rate
                if real and p.stage is Stage.CONSTRUCTION:
                    if day.year == AS_OF.year:
                        planned = p.cum[month] + p.monthly[month] * frac
                    else:
                        planned = p.year_plan * year_frac
                    p.done = max(p.done, min(p.total, _wan(planned * p.pace)))
                text = self._text(p, real)
                report_id += 1
                reports.append((report_id, p.pid, day.isoformat(), baseline, at[0]))
                problem = raised.get((p.pid, day))
                if rng.random() < 0.03:  # a correction: revision 1 had a different figure
                    revision_id += 1
                    revisions.append((revision_id, report_id, 1, p.liaison, text,
                                      max(baseline, p.done - 1_000_000), before, after,
                                      problem, None, at[0], int(real), None))  # fmt: skip
                    revision, stamp = 2, at[1]
                else:
                    revision, stamp = 1, at[0]
                revision_id += 1
                revisions.append((revision_id, report_id, revision, p.liaison, text, p.done,
                                  before, after, problem, None, stamp, int(real),
                                  None))  # fmt: skip
                p.last_report = day
                p.last_real = day if real else p.last_real
            if len(reports) >= CHUNK:
                self._flush(reports, revisions)
        self._flush(reports, revisions)
        # What the last report left on each project: its figure and running totals
        # (storage.reports.submit and storage.totals keep them so).
        self.conn.executemany(
            "UPDATE projects SET done_yuan = ?, done_year = ?, last_report_on = ?,"
            " last_real_on = ? WHERE id = ?",
            [(p.done, p.year or None, _iso(p.last_report), _iso(p.last_real), p.pid)
             for p in plans],
        )  # fmt: skip

    def _text(self, p: Plan, real: bool) -> str:
        rng = self.rng_day
        if not real:
            return rng.choice(REPEATS)
        pool = {Stage.PRELIMINARY: TEXTS_PREP, Stage.CONSTRUCTION: TEXTS_BUILDING}.get(
            p.stage, TEXTS_DONE
        )
        return rng.choice(pool).format(k=rng.randint(1, 30), n=rng.randint(20, 300),
                                       m=rng.randint(2, 40))  # fmt: skip

    def _flush(self, reports: list[tuple[Any, ...]], revisions: list[tuple[Any, ...]]) -> None:
        self.insert("reports", "id, project_id, report_date, baseline_yuan, created_at", reports)
        self.insert("report_revisions", "id, report_id, revision, person_id, text, done_yuan,"
                    " stage_before, stage_after, problem_id, photo_id, created_at,"
                    " real_progress, flag", revisions)  # fmt: skip
        reports.clear()
        revisions.clear()


def _name(named: dict[str, int], base: str) -> str:
    named[base] += 1
    n = named[base]
    return base if n == 1 else f"{base}{n}期"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _month_days(day: date) -> int:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return (following - day.replace(day=1)).days
