"""Benchmark: the weekly ranking of a generated province — scores, charts and memory.

    .venv/bin/python -m bench.ranking [--sizes 250,1000,5000] [--quick] [--days N]
                                      [--runs 3] [--units 150] [--profile]

For each size a province is generated straight into a fresh SQLite file with the bot's own
schema (migrations run by storage.Database.open, bulk rows by plain sqlite3 in one
transaction): units (~80% 区县, ~20% 市直部门), projects with plans, stages, dates and
milestones, liaisons and leaders, a year of daily reports with corrections, problems with
deadlines. Then, in a fresh interpreter (so its peak RSS is its own), the week ending on a
Sunday late in the year is scored and charted exactly as the Monday push does it, and the
daily status run (every project's status recomputed and stored, as the scheduler does at the
start of each workday) is timed against its goal of under 1 s of work a day at 5,000
projects. Each phase runs in its own child process. Figures are printed, not asserted: a
measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import math
import os
import pstats
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import machine, median, rss_peak_mb
from charts import display_width
from domain.problem_flow import CATEGORIES
from domain.stages import Stage
from domain.status import status as project_status
from domain.workdays import WorkCalendar
from ranking import service
from ranking.service import score_week, week_of
from scheduler import periodic
from scheduler.periodic import PeriodicRenderer
from storage import Database, facts
from storage import status as stored_status

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 29)  # a Sunday: week 2026-W48 (11-23..11-29), pushed Monday 11-30
TZ = ZoneInfo("Asia/Shanghai")
PUSH_GOAL_S = 2.0  # whole weekly push prepared, 5,000 projects (the issue)
STATUS_GOAL_S = 1.0  # the daily status run, 5,000 projects: under 1 s of work a day (issue 8)
CHART_GOAL_S = 0.5  # each chart (the issue)
# A figure over this many times its goal gets its slow part profiled. 1.0: every miss, since
# a profile costs a few seconds and says where the time goes.
FAR = 1.0
DEFAULT_SIZES = (250, 1000, 5000)
DEFAULT_UNITS = 150
RUNS = 3
SEED = 20261129
CHUNK = 100_000  # report rows per executemany: bounded memory while generating
UNIT_SAMPLE = 12  # unit groups' charts timed once each (all 150 would cost ~40 s per size)
MAX_DAYS = 400  # --days bound: reports go back at most this many workdays

# ---- the province ---------------------------------------------------------------------------

PLACES = (
    "城关", "东坡", "西湖", "南山", "北川", "青山", "白水", "金川", "玉泉", "临河",
    "安平", "永宁", "长乐", "清河", "太和", "龙门", "凤凰", "石桥", "柳林", "桃源",
)  # fmt: skip
COUNTY_SUFFIX = ("区", "县", "县", "开发区", "高新区")
DEPARTMENTS = (
    "发展改革委", "自然资源局", "生态环境局", "住房城乡建设局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文化旅游局", "卫生健康局", "应急管理局", "市场监管局",
    "城市管理局", "工业和信息化局", "财政局", "教育局", "科技局", "民政局", "人社局",
    "林业局", "能源局", "国资委", "投资促进局", "行政审批局", "数据局", "公安局",
    "审计局", "统计局", "医保局", "体育局",
)  # fmt: skip
WORKS = (
    "新能源电池生产线", "智能制造产业园", "冷链物流园", "污水处理厂提标改造", "综合管廊",
    "人民医院新院区", "高级中学新校区", "城市快速路", "安置小区", "数据中心",
    "光伏发电站", "农产品加工园", "文旅小镇", "供水管网改造", "高速公路连接线",
)  # fmt: skip
CATEGORY_OF_WORK = ("产业", "产业", "产业", "基础设施", "基础设施", "民生", "民生",
                    "基础设施", "民生", "产业", "基础设施", "产业", "产业", "基础设施",
                    "基础设施")  # fmt: skip
TEXTS_BUILDING = (
    "主体结构施工至第{k}层，现场施工人员{n}人",
    "完成桩基{k}根，机械{m}台同时作业",
    "钢结构吊装完成{k}榀，屋面板铺设中",
    "设备安装调试，完成{k}台套",
    "路基填筑{k}米，现场施工人员{n}人",
    "管网铺设{k}米，完成闭水试验一段",
    "二次结构砌筑，完成{k}%工程量",
    "外立面幕墙安装，完成{k}%工程量",
)  # fmt: skip
TEXTS_PREP = (
    "办理用地预审手续，已报自然资源局",
    "环评报告公示第{k}天",
    "施工图审查修改，预计{k}日内完成",
    "招标文件编制中，完成{k}%",
)  # fmt: skip
TEXTS_DONE = ("竣工验收资料整理", "试生产运行正常，日产量提升{k}%", "配套工程收尾")
REPEATS = ("同上", "无", "正常施工")  # what real_progress = 0 looks like
MILESTONES = ("用地批复", "施工许可", "主体开工", "主体封顶", "设备进场", "竣工验收", "试生产")
PROBLEMS = (
    "用地指标未落实，影响开工", "环评批复滞后", "电力增容未接入", "资金到位不足",
    "施工许可办理缓慢", "征迁尚有{k}户未签约", "供水管线迁改未完成",
)  # fmt: skip
MONTH_SHAPE = (0.5, 0.5, 0.8, 1.0, 1.0, 1.1, 1.1, 1.1, 1.1, 1.1, 1.2, 1.4)  # plans back-load


def _utc(day: date, hour: int, minute: int = 0) -> str:
    """A local (UTC+8) time of `day` as the UTC text the bot stores."""
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _wan(yuan: float) -> int:
    """Rounded down to 万元, as amounts are typed."""
    return int(yuan) // 10_000 * 10_000


def report_days(calendar: WorkCalendar, days: int | None) -> list[date]:
    """The workdays reports are written on: the last `days` up to AS_OF, or (None) every
    workday of the year ending on AS_OF."""
    if days is None:
        first = AS_OF.replace(year=AS_OF.year - 1) + timedelta(days=1)
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


class Province:
    """Writes the rows of one generated province through a plain sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection, rng: random.Random, days: list[date]) -> None:
        self.conn = conn
        self.rng = rng
        self.days = days
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
        stamp = _utc(self.days[0], 9)
        self.insert("units", "id, name, kind, created_at", [(*r, stamp) for r in rows])
        return [(uid, kind) for uid, _, kind in rows]

    def people(self, count: int, first_id: int, name: str, role: str) -> list[int]:
        stamp = _utc(self.days[0], 10)
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
        stamp = _utc(self.days[0], 11)
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
                months += [(pid, year, m + 1, monthly[m]) for m in range(12)]
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
        stamp = _utc(self.days[0], 12)
        rows = [
            (-1_000_001, "leaders", None, "领导群"),
            (-1_000_002, "departments", None, "部门群"),
        ]
        rows += [(-2_000_000 - uid, "unit", uid, f"单位群{uid}") for uid, _ in units]
        self.insert("push_targets", "chat_id, kind, unit_id, title, bound_by, bound_at",
                    [(*r, 1, stamp) for r in rows])  # fmt: skip

    def problems(self, plans: list[Plan], units: list[tuple[int, str]]) -> dict[tuple, int]:
        """Problems of ~20% of projects, some closed; {(project id, day): problem id} so the
        report of that day carries it."""
        rng = self.rng
        departments = [u for u, k in units if k == "department"]
        this_year = [d for d in self.days if d.year == AS_OF.year]
        rows, raised = [], {}
        for p in plans:
            if rng.random() >= 0.2:
                continue
            for _ in range(rng.randint(1, 3)):
                day = rng.choice(this_year)
                if (p.pid, day) in raised:
                    continue
                problem_id = len(rows) + 1
                raised[(p.pid, day)] = problem_id
                deadline = day + timedelta(rng.randrange(10, 45))
                closed = day + timedelta(rng.randrange(3, 60))
                state = "closed" if closed <= AS_OF and rng.random() < 0.7 else rng.choice(
                    ("open", "assigned", "accepted", "resolved"))  # fmt: skip
                shut = state == "closed"
                department = rng.choice(departments) if state != "open" else None
                rows.append((
                    problem_id, p.pid, p.liaison,
                    rng.choice(PROBLEMS).format(k=rng.randint(2, 30)),
                    "closed" if shut else "open", _utc(day, 16, 30),
                    _utc(closed, 15) if shut else None, rng.choice(CATEGORIES), state,
                    department, deadline.isoformat(), _utc(day, 18) if department else None,
                    closed.isoformat() if shut else None, int(department is not None),
                    int(department is not None) + int(shut), 1,
                ))  # fmt: skip
        self.insert("problems", "id, project_id, raised_by, description, status, created_at,"
                    " closed_at, category, state, department_id, deadline, assigned_at,"
                    " closed_on, round, version, logged", rows)  # fmt: skip
        return raised

    def reports(self, plans: list[Plan], raised: dict[tuple, int]) -> None:
        """A report on most workdays per project, day by day as they arrive (ids in date
        order, as in production), ~3% corrected the same day, written in chunks."""
        rng = self.rng
        reports: list[tuple[Any, ...]] = []
        revisions: list[tuple[Any, ...]] = []
        report_id = revision_id = 0
        for day in self.days:
            # The plan's share due by the end of this day (domain.plan.planned_to_date's rule,
            # without calling it 1.3M times).
            month = day.month - 1
            frac = day.day / _month_days(day)
            year_frac = day.timetuple().tm_yday / 365
            at = (_utc(day, 16, rng.randrange(0, 59)), _utc(day, 17, rng.randrange(0, 59)))
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
            if len(reports) >= CHUNK:
                self._flush(reports, revisions)
        self._flush(reports, revisions)
        # What the last report left on each project (storage.reports.submit does this).
        self.conn.executemany(
            "UPDATE projects SET done_yuan = ?, done_year = ? WHERE id = ?",
            [(p.done, p.year or None, p.pid) for p in plans],
        )

    def _text(self, p: Plan, real: bool) -> str:
        rng = self.rng
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


def generate(path: Path, projects: int, units: int, days: int | None) -> dict[str, Any]:
    """Create the province's SQLite file; return row counts and how long it took."""
    started = time.perf_counter()
    asyncio.run(_migrate(path))
    calendar = WorkCalendar()
    on = report_days(calendar, days)
    rng = random.Random(SEED + projects)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # Generation is not what is measured: no fsync, no WAL (Database.open turns WAL
        # back on when the measurement opens the file).
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")  # 256 MiB: index inserts stay in memory
        conn.execute("BEGIN")
        province = Province(conn, rng, on)
        unit_rows = province.units(units)
        plans = province.projects(projects, unit_rows)
        raised = province.problems(plans, unit_rows)
        province.reports(plans, raised)
        conn.execute("COMMIT")
    finally:
        conn.close()
    bulk_s = time.perf_counter() - started
    asyncio.run(_derive(path, calendar))
    return {
        "projects": projects,
        "units": units,
        "report_days": len(on),
        "first_day": on[0].isoformat(),
        "counts": dict(province.counts),
        "bulk_s": bulk_s,
        "total_s": time.perf_counter() - started,
        "db_mb": path.stat().st_size / 2**20,
    }


async def _migrate(path: Path) -> None:
    db = await Database.open(path)  # the bot's own migrations: the schema is the real one
    await db.close()


async def _derive(path: Path, calendar: WorkCalendar) -> None:
    """What the running bot would have left: each project's status (recomputed on every
    report) and last week's snapshot, so this week's rank changes are real."""
    db = await Database.open(path)
    try:
        _, monday, _ = week_of(AS_OF)
        found = await facts.load(db, AS_OF, monday, calendar, TZ)
        stamp = _utc(AS_OF, 18)
        rows = []
        for f in found:
            s = project_status(f, AS_OF)
            rows.append((f.project_id, s.color, json.dumps(s.reasons), int(s.since_red), stamp))
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO project_status (project_id, color, reasons, since_red, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        await score_week(db, AS_OF - timedelta(days=7), calendar, TZ, save=True)
    finally:
        await db.close()


# ---- measuring ------------------------------------------------------------------------------


class PngClock:
    """Times the PNG drawing alone, inside the renderer's own calls.

    scheduler.periodic calls its module-level names unit_ranking_png / project_board_png /
    bulletin_png; wrapping them in this process separates drawing from scoring without
    touching the bot's code.
    """

    NAMES = ("unit_ranking_png", "project_board_png", "bulletin_png")

    def __init__(self) -> None:
        self.last: dict[str, float] = {}
        # Set while profiling: drawing runs in a worker thread (asyncio.to_thread), which a
        # profiler enabled on the event loop's thread does not see.
        self.profiler: cProfile.Profile | None = None

    def install(self) -> None:
        for name in self.NAMES:
            setattr(periodic, name, self._wrap(name, getattr(periodic, name)))

    def _wrap(self, name: str, draw: Callable[..., bytes]) -> Callable[..., bytes]:
        def timed(*args: Any, **kwargs: Any) -> bytes:
            profiler = self.profiler
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()  # in this worker thread
            try:
                return draw(*args, **kwargs)
            finally:
                if profiler is not None:
                    profiler.disable()
                self.last[name] = time.perf_counter() - started

        return timed


class GcClock:
    """Time the cyclic garbage collector takes, in any thread.

    aiosqlite builds its result rows (sqlite3.Row, tracked by the collector) in its own
    thread and charts draw in worker threads; gc.callbacks see collections in all of them.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0  # generation-2 collections: these walk the whole heap
        self._started = 0.0

    def install(self) -> None:
        gc.callbacks.append(self._on)

    def _on(self, phase: str, info: dict[str, int]) -> None:
        # Collections never overlap (the collector holds the GIL), so one start time serves.
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        self.full += info["generation"] == 2


GC = GcClock()


async def timed(work: Awaitable[Any]) -> float:
    started = time.perf_counter()
    await work
    return time.perf_counter() - started


async def lap(out: dict[str, float], key: str, work: Awaitable[Any]) -> None:
    """out[key] = seconds of `work`; out[key:gc] = the collector's share of them."""
    collected = GC.seconds
    out[key] = await timed(work)
    out[f"{key}:gc"] = GC.seconds - collected


@dataclass(frozen=True)
class Setting:
    """What one measurement process works on."""

    db: Database
    calendar: WorkCalendar
    now: datetime  # the Monday 09:00 push
    monday: date
    groups: list[str]  # ranking groups the leaders get a chart of, as scheduler/plan.py lists
    unit_id: int  # the unit with the most projects
    unit_projects: int
    month: tuple[date, date]  # the last full month: the bulletin of the 1st before AS_OF


async def setting(path: Path) -> Setting:
    db = await Database.open(path)
    groups = [r["kind"] for r in await db.fetchall(
        "SELECT DISTINCT u.kind FROM units u JOIN projects p ON p.unit_id = u.id"
        " ORDER BY u.kind")]  # fmt: skip
    biggest = await db.fetchone(
        "SELECT unit_id, COUNT(*) AS n FROM projects GROUP BY unit_id ORDER BY n DESC LIMIT 1"
    )
    assert biggest is not None, "a province without projects"
    end = AS_OF.replace(day=1) - timedelta(days=1)
    monday = AS_OF + timedelta(days=1)
    now = datetime(monday.year, monday.month, monday.day, 9, tzinfo=TZ).astimezone(UTC)
    return Setting(db, WorkCalendar(), now, week_of(AS_OF)[1], groups, biggest["unit_id"],
                   biggest["n"], (end.replace(day=1), end))  # fmt: skip


async def one_round(s: Setting, png: PngClock) -> dict[str, float]:
    """Every figure once. The weekly push comes first, so in the first round it is the cold
    one: a fresh renderer, as the dispatcher makes for each run."""
    out: dict[str, float] = {}
    renderer = PeriodicRenderer(s.db, s.calendar, TZ, s.now)

    async def push() -> None:
        started = time.perf_counter()
        await renderer.week(AS_OF)  # score_week(save=True), once for every group's chart
        out["push_score"] = time.perf_counter() - started
        for group in s.groups:
            await renderer.units(AS_OF, group)
        await renderer.board(AS_OF)

    await lap(out, "push", push())
    out["push_charts"] = out["push"] - out["push_score"]
    await lap(out, "load", facts.load(s.db, AS_OF, s.monday, s.calendar, TZ))
    # The Monday's status run: every project, one load, one write (scheduler.plan does this).
    # Its CPU time too (all threads, SQL included): on a shared machine wall time also
    # counts the other processes' turns.
    monday = s.now.astimezone(TZ).date()
    cpu = time.process_time()
    await lap(out, "status_run", service.refresh_statuses(s.db, None, monday, s.calendar, TZ))
    out["status_run:cpu"] = time.process_time() - cpu
    await lap(out, "score_week", score_week(s.db, AS_OF, s.calendar, TZ, save=True))
    # The week is cached in the renderer, so these are the charts' own costs.
    for group in s.groups:
        await lap(out, f"units:{group}", renderer.units(AS_OF, group))
        out[f"units:{group}:png"] = png.last["unit_ranking_png"]
    await lap(out, "board", renderer.board(AS_OF))
    out["board:png"] = png.last["project_board_png"]
    await lap(out, "unit", renderer.unit(AS_OF, s.unit_id))
    out["unit:png"] = png.last["project_board_png"]
    await lap(out, "bulletin", renderer.monthly(*s.month))  # includes its own facts.load
    out["bulletin:png"] = png.last["bulletin_png"]
    return out


async def unit_sample(s: Setting) -> dict[str, float]:
    """Unit groups' charts (one per unit group, not the leaders'), timed on a sample."""
    rows = await s.db.fetchall(
        "SELECT unit_id, COUNT(*) AS n FROM projects GROUP BY unit_id ORDER BY n DESC"
    )
    ids = [r["unit_id"] for r in rows]
    picked = sorted(set(ids[:3] + ids[-3:] + random.Random(SEED).sample(ids, min(6, len(ids)))))
    renderer = PeriodicRenderer(s.db, s.calendar, TZ, s.now)
    await renderer.week(AS_OF)
    times = [await timed(renderer.unit(AS_OF, uid)) for uid in picked[:UNIT_SAMPLE]]
    return {"units_with_projects": len(ids), "median": median(times), "max": max(times),
            "sampled": len(times)}  # fmt: skip


class QueryTimer:
    """Wall time of every read the bot's code makes, by the file:line that made it.

    SQL runs in aiosqlite's thread, which cProfile does not see; timing the awaited reads on
    the Database instance attributes it to the calling line instead.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.by_site: dict[str, list[Any]] = {}  # site -> [seconds, calls, rows, sql]
        self._originals = (db.fetchall, db.fetchone)

    def __enter__(self) -> QueryTimer:
        fetchall, fetchone = self._originals

        async def timed_fetchall(sql: str, params: Any = ()) -> list[sqlite3.Row]:
            site = _caller(sys._getframe(1))
            started = time.perf_counter()
            rows = await fetchall(sql, params)
            self._note(site, time.perf_counter() - started, len(rows), sql)
            return rows

        async def timed_fetchone(sql: str, params: Any = ()) -> sqlite3.Row | None:
            site = _caller(sys._getframe(1))
            started = time.perf_counter()
            row = await fetchone(sql, params)
            self._note(site, time.perf_counter() - started, int(row is not None), sql)
            return row

        # Instance attributes shadow the methods for this Database only.
        self.db.fetchall = timed_fetchall  # type: ignore[method-assign]
        self.db.fetchone = timed_fetchone  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        del self.db.fetchall, self.db.fetchone

    def _note(self, site: str, seconds: float, rows: int, sql: str) -> None:
        entry = self.by_site.setdefault(site, [0.0, 0, 0, " ".join(sql.split())])
        entry[0] += seconds
        entry[1] += 1
        entry[2] += rows


def _caller(frame: Any) -> str:
    """file:line of the first frame outside this benchmark and storage/db.py."""
    for _ in range(10):  # bounded walk up the await chain
        if frame is None:
            break
        name = frame.f_code.co_filename
        if not name.endswith(("bench/ranking.py", "storage/db.py")):
            return f"{_rel(name)}:{frame.f_lineno}"
        frame = frame.f_back
    return "?"


def _rel(name: str) -> str:
    try:
        return str(Path(name).resolve().relative_to(ROOT))
    except ValueError:
        return Path(name).name


@contextlib.contextmanager
def phase_clock(spent: dict[str, float]) -> Iterator[None]:
    """Times score_week's parts by wrapping the module attributes it calls through."""
    targets = [
        (facts, "load", "facts.load"),
        (service, "_snapshot", "last week's snapshot"),
        (stored_status, "all_statuses", "stored statuses"),
        (service, "_save", "save snapshot"),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in targets]

    def wrap(fn: Callable[..., Awaitable[Any]], key: str) -> Callable[..., Awaitable[Any]]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - started

        return wrapper

    for owner, name, key in targets:
        setattr(owner, name, wrap(getattr(owner, name), key))
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


async def breakdown(s: Setting) -> dict[str, Any]:
    """One score_week taken apart: its phases, and each SQL read by the line that makes it."""
    spent: dict[str, float] = {}
    collected, full = GC.seconds, GC.full
    with QueryTimer(s.db) as queries, phase_clock(spent):
        total = await timed(score_week(s.db, AS_OF, s.calendar, TZ, save=True))
    gc_s, gc_full = GC.seconds - collected, GC.full - full
    load_sql = sum(v[0] for k, v in queries.by_site.items() if k.startswith("storage/facts.py"))
    spent["facts.load: SQL reads"] = load_sql
    spent["facts.load: Python (rows -> ProjectFacts)"] = spent.get("facts.load", 0.0) - load_sql
    spent["scoring (explain_project/explain_units/rank)"] = total - sum(
        v for k, v in spent.items() if not k.startswith("facts.load:")
    )
    sites = sorted(queries.by_site.items(), key=lambda kv: -kv[1][0])
    return {"total": total, "phases": spent, "queries": [[k, *v] for k, v in sites],
            "gc_s": gc_s, "gc_full": gc_full}  # fmt: skip


async def heap_peak(s: Setting) -> float:
    """Python heap peak (MiB) of one score_week, under tracemalloc (slow: a separate pass)."""
    tracemalloc.start()
    try:
        await score_week(s.db, AS_OF, s.calendar, TZ, save=True)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


async def profile(
    db: Database, png: PngClock, work: Callable[[], Awaitable[Any]], top: int = 12
) -> list[str]:
    """cProfile one call: top functions by own time (event loop thread + chart drawing),
    this project's by cumulative time, and (in aiosqlite's thread, unseen by cProfile) each
    SQL read by the line that makes it."""
    profiler, drawing = cProfile.Profile(), cProfile.Profile()
    collected = GC.seconds
    png.profiler = drawing
    with QueryTimer(db) as queries:
        profiler.enable()
        try:
            await work()
        finally:
            profiler.disable()
            png.profiler = None
    gc_s = GC.seconds - collected
    merged = pstats.Stats(profiler)
    if drawing.getstats():  # pstats refuses a profiler that saw nothing
        merged.add(drawing)
    stats = merged.stats  # type: ignore[attr-defined]
    rows = [(tt, ct, nc, f"{_rel(f)}:{line}({fn})")
            for (f, line, fn), (_, nc, tt, ct, _) in stats.items()
            if not _rel(f).startswith("bench/")]  # fmt: skip
    head = f"{'own s':>8}{'cum s':>8}{'calls':>10}  "
    lines = [head + "function, by own time (event loop thread and drawing thread)"]
    for tt, ct, nc, where in sorted(rows, reverse=True)[:top]:
        idle = "  <- event loop idle: awaiting SQL or a chart's thread" if "poll" in where else ""
        lines.append(f"{tt:>8.3f}{ct:>8.3f}{nc:>10}  {where}{idle}")
    ours = [r for r in rows if not r[3].startswith((".venv", "~", "<")) and "/" in r[3]]
    lines.append(head + "this project's functions, by cumulative time")
    lines += [f"{tt:>8.3f}{ct:>8.3f}{nc:>10}  {where}"
              for tt, ct, nc, where in sorted(ours, key=lambda r: -r[1])[:top]]  # fmt: skip
    lines.append(f"{'s':>8}{'rows':>18}  SQL read, by file:line of the call (aiosqlite's thread)")
    for site, (seconds, _calls, nrows, sql) in sorted(
        queries.by_site.items(), key=lambda kv: -kv[1][0]
    )[:6]:
        lines.append(f"{seconds:>8.3f}{nrows:>18,}  {site}  {sql[:60]}")
    lines.append(f"{gc_s:>8.3f}{'':>18}  cyclic GC during the call (any thread)")
    return lines


async def measure(path: Path, runs: int, force_profile: bool) -> dict[str, Any]:
    """Every figure: a cold round, `runs` warm rounds, a breakdown, then heap and profile."""
    rss_start = rss_peak_mb()
    s = await setting(path)
    png = PngClock()
    png.install()
    GC.install()
    try:
        rounds = [await one_round(s, png) for _ in range(runs + 1)]
        units = await unit_sample(s)
        parts = await breakdown(s)
        rss_peak = rss_peak_mb()  # before tracemalloc and cProfile, which add their own
        heap = await heap_peak(s)
        warm = {k: median([r[k] for r in rounds[1:]]) for k in rounds[0]}
        profiles: dict[str, list[str]] = {}
        if force_profile or warm["push"] > FAR * PUSH_GOAL_S:
            profiles["score_week"] = await profile(
                s.db, png, lambda: score_week(s.db, AS_OF, s.calendar, TZ, save=True)
            )
        renderer = PeriodicRenderer(s.db, s.calendar, TZ, s.now)
        await renderer.week(AS_OF)
        charts: dict[str, Callable[[], Awaitable[Any]]] = {
            "board": lambda: renderer.board(AS_OF),
            "unit": lambda: renderer.unit(AS_OF, s.unit_id),
            "bulletin": lambda: renderer.monthly(*s.month),
        }
        for group in s.groups:
            charts[f"units:{group}"] = lambda g=group: renderer.units(AS_OF, g)
        for key, work in charts.items():
            if force_profile or warm[key] > FAR * CHART_GOAL_S:
                profiles[key] = await profile(s.db, png, work)
    finally:
        await s.db.close()
    return {
        "rounds": rounds,
        "groups": s.groups,
        "unit_projects": s.unit_projects,
        "units": units,
        "breakdown": parts,
        "rss_start_mb": rss_start,
        "rss_peak_mb": rss_peak,
        "heap_mb": heap,
        "profiles": profiles,
    }


# ---- the parent: run the children, print the figures ----------------------------------------


def run_child(args: list[str], limit_s: float) -> dict[str, Any]:
    """One phase in a fresh interpreter; its last stdout line is its JSON result."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.ranking", *args],
            capture_output=True, text=True, timeout=limit_s, check=False, cwd=ROOT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{args[:2]} did not end within {limit_s:.0f}s") from None
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{args} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ranking",
        description="Weekly scores and charts of a generated province: figures, printed.",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="projects per generated province, comma-separated (250,1000,5000)",
    )
    parser.add_argument("--quick", action="store_true", help="250 projects only (< ~30 s)")
    parser.add_argument("--days", type=int, default=None,
                        help="workdays of reports per project up to the as-of day (default: "
                        "every workday of the year ending on it)")  # fmt: skip
    parser.add_argument("--runs", type=int, default=RUNS, help=f"warm runs, medians ({RUNS})")
    parser.add_argument("--units", type=int, default=DEFAULT_UNITS,
                        help=f"units in the province ({DEFAULT_UNITS})")  # fmt: skip
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile score_week and every chart even when within the goals",
    )
    # Internal: one phase in this process, its result printed as one JSON line.
    parser.add_argument("--phase", choices=("generate", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--projects", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(x) for x in str(args.sizes).split(",") if x.strip()]
    except ValueError:
        parser.error("--sizes: comma-separated whole numbers, e.g. 250,1000,5000")
    if args.quick:
        args.sizes = [250]
    if not args.sizes or min(args.sizes) < 1 or max(args.sizes) > 50_000:
        parser.error("--sizes: between 1 and 50000 projects each")
    if args.days is not None and not 1 <= args.days <= MAX_DAYS:
        parser.error(f"--days: 1..{MAX_DAYS}")
    if not 1 <= args.runs <= 20 or not 2 <= args.units <= 800:
        parser.error("--runs: 1..20; --units: 2..800")
    return args


def limit_s(size: int) -> float:
    """Bound on one child (at 5,000 projects on 2 cores: ~20 s to generate, ~1 min to measure)."""
    return 120 + size * 0.12


FIGURES = (
    ("status_run", "DAILY STATUS RUN (all projects)"),
    ("load", "facts.load (all projects)"),
    ("score_week", "score_week (load + score + save)"),
    ("units:county", "chart: units, 区县 group"),
    ("units:department", "chart: units, 部门 group"),
    ("board", "chart: 龙虎榜 board"),
    ("unit", "chart: one unit's projects"),
    ("bulletin", "monthly bulletin (load + chart)"),
    ("push", "WEEKLY PUSH PREPARED"),
)


PHASES = (
    "facts.load",
    "facts.load: SQL reads",
    "facts.load: Python (rows -> ProjectFacts)",
    "last week's snapshot",
    "scoring (explain_project/explain_units/rank)",
    "stored statuses",
    "save snapshot",
)


def _seconds(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.3f}"


def _cell(label: str, width: int) -> str:
    """`label` padded to `width` columns (a Chinese character takes two)."""
    return label + " " * max(1, width - display_width(label))


def print_size(size: int, gen: dict[str, Any], res: dict[str, Any], runs: int) -> None:
    rounds = res["rounds"]
    cold, warm = rounds[0], rounds[1:]
    counts = gen["counts"]
    print(
        f"\n=== {size} projects, {gen['units']} units (ranking groups:"
        f" {', '.join(res['groups'])}); as of {AS_OF} (Sunday), week {week_of(AS_OF)[0]}"
    )
    print(
        f"  data: {counts.get('reports', 0):,} reports + {counts.get('report_revisions', 0):,}"
        f" revisions over {gen['report_days']} workdays from {gen['first_day']};"
        f" {counts.get('milestones', 0):,} milestones, {counts.get('problems', 0):,} problems,"
        f" {counts.get('people', 0):,} people; file {gen['db_mb']:.0f} MB"
    )
    print(f"  generated in {gen['total_s']:.1f} s (bulk insert {gen['bulk_s']:.1f} s; the rest"
          " is statuses + last week's snapshot) — not part of any goal")  # fmt: skip
    print(
        f"  {'figure':<40}{'cold s':>8}{'median s':>10}{'min s':>8}{'max s':>8}{'png s':>8}"
        f"{'gc s':>8}"
    )
    for key, label in FIGURES:
        if key not in cold:
            continue
        values = [r[key] for r in warm]
        png = median([r[f"{key}:png"] for r in warm]) if f"{key}:png" in cold else math.nan
        extra = f" ({res['unit_projects']})" if key == "unit" else ""
        print(
            f"  {_cell(label + extra, 40)}{_seconds(cold[key]):>8}"
            f"{_seconds(median(values)):>10}{_seconds(min(values)):>8}{_seconds(max(values)):>8}"
            f"{'' if math.isnan(png) else _seconds(png):>8}"
            f"{_seconds(median([r[f'{key}:gc'] for r in warm])):>8}"
        )
    push_score = median([r["push_score"] for r in warm])
    push_charts = median([r["push_charts"] for r in warm])
    print(
        f"    push = score_week {push_score:.3f} s + {len(res['groups']) + 1} charts"
        f" {push_charts:.3f} s (medians of {runs} warm runs; png = drawing alone; gc = the"
        " cyclic garbage collector's share, any thread)"
    )
    u = res["units"]
    print(
        f"  unit groups' charts (sent to each unit's own group, not in the leaders' push):"
        f" median {u['median']:.3f} s, max {u['max']:.3f} s over {u['sampled']} sampled;"
        f" x {u['units_with_projects']} units ~ {u['median'] * u['units_with_projects']:.1f} s"
    )
    print(
        f"  memory: peak RSS {res['rss_peak_mb']:.0f} MB (process after imports"
        f" {res['rss_start_mb']:.0f} MB); tracemalloc peak in one score_week"
        f" {res['heap_mb']:.1f} MB"
    )
    parts = res["breakdown"]
    print(
        f"  one score_week taken apart ({parts['total']:.3f} s; cyclic GC {parts['gc_s']:.3f} s"
        f" of it, {parts['gc_full']} full collections):"
    )
    phases = parts["phases"]
    for name in PHASES:
        if name in phases:
            indent = "      " if name.startswith("facts.load:") else "    "
            print(f"{indent}{name:<48}{phases[name]:>8.3f} s")
    print("    SQL reads, slowest first (file:line of the call, seconds, rows):")
    for site, seconds, _calls, nrows, sql in parts["queries"][:6]:
        print(f"      {site:<28}{seconds:>7.3f} s {nrows:>9,} rows  {sql[:70]}")


def print_growth(results: dict[int, dict[str, Any]]) -> None:
    sizes = sorted(results)
    base = sizes[0]
    print(f"\n=== growth (median warm seconds; x = ratio to the {base}-project figure)")
    print(f"  {'figure':<40}" + "".join(f"{f'{n} projects':>20}" for n in sizes))
    rows: list[tuple[str, dict[int, float]]] = []
    for key, label in FIGURES:
        values = {
            n: median([r[key] for r in results[n]["rounds"][1:]])
            for n in sizes
            if key in results[n]["rounds"][0]
        }
        rows.append((label, values))
    gc_score = {n: median([r["score_week:gc"] for r in results[n]["rounds"][1:]]) for n in sizes}
    rows.append(("cyclic GC within score_week", gc_score))
    rows.append(("peak RSS (MB)", {n: results[n]["rss_peak_mb"] for n in sizes}))
    rows.append(("tracemalloc, score_week (MB)", {n: results[n]["heap_mb"] for n in sizes}))
    for label, values in rows:
        cells = []
        for n in sizes:
            if n not in values:
                cells.append(f"{'-':>20}")
                continue
            ratio = f"({values[n] / values[base]:>5.1f}x)" if values.get(base) else "(    -)"
            cells.append(f"{values[n]:>11.3f} {ratio}")
        print(f"  {_cell(label, 40)}" + "".join(cells))


def print_goals(results: dict[int, dict[str, Any]]) -> None:
    largest = max(results)
    warm = results[largest]["rounds"][1:]
    push = median([r["push"] for r in warm])
    verdict = "met" if push < PUSH_GOAL_S else "NOT met"
    note = "" if largest >= 5000 else f" (largest size run is {largest}: the goal is for 5,000)"
    print(f"\n=== goals, at {largest} projects{note}")
    print(f"  weekly push prepared < {PUSH_GOAL_S:g} s: {verdict} ({push:.3f} s median)")
    daily = median([r["status_run"] for r in warm])
    cpu = median([r["status_run:cpu"] for r in warm])
    verdict = "met" if daily < STATUS_GOAL_S else "NOT met"
    print(
        f"  daily status run < {STATUS_GOAL_S:g} s: {verdict} ({daily:.3f} s median, CPU"
        f" {cpu:.3f} s: load, recompute and store every project's status)"
    )
    worst = []
    for key in ["board", "unit", "bulletin"] + [f"units:{g}" for g in results[largest]["groups"]]:
        worst.append((median([r[key] for r in warm]), key))
    over = [(v, k) for v, k in worst if v >= CHART_GOAL_S]
    slowest, which = max(worst)
    verdict = "met" if not over else "NOT met"
    print(
        f"  each chart < {CHART_GOAL_S:g} s: {verdict} (slowest {which} {slowest:.3f} s;"
        " weekly charts timed with the week already scored, the bulletin including its own"
        " facts.load)"
    )
    for value, key in over:
        png = median([r[f"{key}:png"] for r in warm])
        print(f"    over: {key} {value:.3f} s, of which drawing {png:.3f} s")
    if push >= PUSH_GOAL_S or over:
        print_culprits(results[largest])


def print_culprits(res: dict[str, Any]) -> None:
    """Where a missed goal's time goes, from the score_week breakdown."""
    parts = res["breakdown"]
    phases = {k: v for k, v in parts["phases"].items() if k in PHASES[1:]}
    print(f"  where score_week's {parts['total']:.3f} s go (one run taken apart):")
    for name, value in sorted(phases.items(), key=lambda kv: -kv[1])[:3]:
        print(f"    {value:.3f} s  {name}")
    for site, seconds, _calls, nrows, _sql in parts["queries"][:2]:
        print(f"    {seconds:.3f} s  SQL read at {site} ({nrows:,} rows)")
    print(
        f"    {parts['gc_s']:.3f} s  cyclic GC ({parts['gc_full']} full collections), inside the"
        " above: it runs when rows and facts are allocated, mostly in aiosqlite's thread"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase == "generate":
        result = generate(args.db, args.projects, args.units, args.days)
        print(json.dumps(result), flush=True)
        return 0
    if args.phase == "measure":
        result = asyncio.run(measure(args.db, args.runs, args.profile))
        print(json.dumps(result, ensure_ascii=False), flush=True)
        return 0
    print(f"machine: {machine()}")
    print(
        f"sizes: {', '.join(map(str, args.sizes))} projects; {args.units} units; cold run +"
        f" {args.runs} warm runs each; each size generated and measured in its own process"
    )
    results: dict[int, dict[str, Any]] = {}
    generated: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="jinzhan-ranking-") as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"province-{size}.sqlite3"
            child = ["--db", str(path), "--projects", str(size), "--units", str(args.units),
                     "--runs", str(args.runs)]  # fmt: skip
            if args.days is not None:
                child += ["--days", str(args.days)]
            if args.profile:
                child.append("--profile")
            try:
                print(f"  {size} projects: generating ...", end="", flush=True)
                generated[size] = run_child(["--phase", "generate", *child], limit_s(size))
                print(f" {generated[size]['total_s']:.1f} s; measuring ...", end="", flush=True)
                started = time.perf_counter()
                results[size] = run_child(["--phase", "measure", *child], limit_s(size))
                print(f" {time.perf_counter() - started:.1f} s", flush=True)
            except RuntimeError as exc:
                print(f"\n{exc}", file=sys.stderr)
                return 2
            finally:
                for suffix in ("", "-wal", "-shm"):  # a 5,000-project file is ~0.3 GB
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(f"{path}{suffix}")
    for size in args.sizes:
        print_size(size, generated[size], results[size], args.runs)
    if len(results) > 1:
        print_growth(results)
    print_goals(results)
    for size in args.sizes:
        for name, lines in results[size]["profiles"].items():
            print(f"\n=== cProfile, {name} at {size} projects")
            for line in lines:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
