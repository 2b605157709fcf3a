"""Benchmark: the pushes of a generated province — statuses, scores, charts, /status, memory.

    .venv/bin/python -m bench.ranking [--sizes 250,1000,5000] [--years 1,3] [--quick]
                                      [--days N] [--runs 3] [--units 150] [--profile]

For each size (and each length of history) a province is generated straight into a fresh
SQLite file with the bot's own schema (province.py): units (~80% 区县, ~20% 市直部门),
projects with plans, stages, dates and milestones, liaisons and leaders, years of daily
reports with corrections, problems with deadlines, the weekly scores of every past week.
Then, in a fresh interpreter that loads what the bot loads (so its peak RSS is a bot's), the
week ending on a Sunday late in the year is scored and charted exactly as the Monday push
does it, the daily status run and /status are timed, and the slow parts are taken apart
(measure.py, probes.py). `--years 1,3` measures the same projects with one and with three
years of reports side by side: the pushes read the period and running totals, so the two
should cost the same. Figures are printed (report.py), not asserted: a measurement, not a
test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 29)  # a Sunday: week 2026-W48 (11-23..11-29), pushed Monday 11-30
TZ = ZoneInfo("Asia/Shanghai")
SEED = 20261129
PUSH_GOAL_S = 1.0  # the whole weekly push prepared, 5,000 projects (issue 11)
STATUS_GOAL_S = 1.0  # the daily status run, 5,000 projects: under 1 s of work a day (issue 8)
CHART_GOAL_S = 0.5  # each chart, including its own data load (issue 11)
RSS_GOAL_MB = 200  # the bot's peak RSS at 5,000 projects (issue 11)
HISTORY_GOAL = 1.2  # three years of reports cost at most 20% more than one (issue 11)
