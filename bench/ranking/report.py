"""Printing the figures of bench.ranking: per province, growth with size and with history,
the goals."""

from __future__ import annotations

import math
from typing import Any

from bench.common import median
from bench.ranking import (
    AS_OF,
    CHART_GOAL_S,
    HISTORY_GOAL,
    PUSH_GOAL_S,
    RSS_GOAL_MB,
    STATUS_GOAL_S,
)
from charts import display_width
from ranking.service import week_of

Run = tuple[int, int]  # (projects, years of reports)

FIGURES = (
    ("status_run", "DAILY STATUS RUN (all projects)"),
    ("load", "facts.load (all projects)"),
    ("score_week", "score_week again (kept unless changed)"),
    ("status_card", "/status of a project (its week + card)"),
    ("units:county", "chart: units, 区县 group"),
    ("units:department", "chart: units, 部门 group"),
    ("board", "chart: 龙虎榜 board"),
    ("unit", "chart: one unit's projects"),
    ("bulletin", "monthly bulletin (load + chart)"),
    ("push", "WEEKLY PUSH PREPARED"),
)


def _seconds(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.3f}"


def _cell(label: str, width: int) -> str:
    """`label` padded to `width` columns (a Chinese character takes two)."""
    return label + " " * max(1, width - display_width(label))


def print_size(run: Run, gen: dict[str, Any], res: dict[str, Any], runs: int) -> None:
    size, years = run
    rounds = res["rounds"]
    cold, warm = rounds[0], rounds[1:]
    counts = gen["counts"]
    print(
        f"\n=== {size} projects, {years} year(s) of reports, {gen['units']} units (ranking groups:"
        f" {', '.join(res['groups'])}); as of {AS_OF} (Sunday), week {week_of(AS_OF)[0]}"
    )
    print(
        f"  data: {counts.get('reports', 0):,} reports + {counts.get('report_revisions', 0):,}"
        f" revisions over {gen['report_days']} workdays from {gen['first_day']};"
        f" {counts.get('milestones', 0):,} milestones, {counts.get('problems', 0):,} problems,"
        f" {counts.get('score_snapshots', 0):,} weekly scores,"
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
        f"  one score_week taken apart, as the Monday push makes it ({parts['total']:.3f} s;"
        f" cyclic GC {parts['gc_s']:.3f} s"
        f" of it, {parts['gc_full']} full collections):"
    )
    phases = parts["phases"]
    for name, seconds in phases.items():
        print(f"    {name:<48}{seconds:>8.3f} s")
    print("    SQL reads, slowest first (file:line of the call, seconds queued and run, rows):")
    for site, seconds, _calls, nrows, sql in parts["queries"][:6]:
        print(f"      {site:<28}{seconds:>7.3f} s {nrows:>9,} rows  {sql[:70]}")


def _warm(res: dict[str, Any], key: str) -> float:
    return median([r[key] for r in res["rounds"][1:]])


def _table(title: str, columns: dict[str, dict[str, Any]], base: str) -> None:
    """Rows of figures, one column per result, each with its ratio to the `base` column."""
    print(title)
    print(f"  {'figure':<40}" + "".join(f"{name:>20}" for name in columns))
    rows: list[tuple[str, dict[str, float]]] = []
    for key, label in FIGURES:
        rows.append((label, {c: _warm(r, key) for c, r in columns.items()
                             if key in r["rounds"][0]}))  # fmt: skip
    rows.append(("cyclic GC within score_week",
                 {c: _warm(r, "score_week:gc") for c, r in columns.items()}))  # fmt: skip
    rows.append(("peak RSS (MB)", {c: r["rss_peak_mb"] for c, r in columns.items()}))
    rows.append(("tracemalloc, score_week (MB)", {c: r["heap_mb"] for c, r in columns.items()}))
    for label, values in rows:
        cells = []
        for c in columns:
            if c not in values:
                cells.append(f"{'-':>20}")
                continue
            ratio = f"({values[c] / values[base]:>5.2f}x)" if values.get(base) else "(     -)"
            cells.append(f"{values[c]:>11.3f} {ratio}")
        print(f"  {_cell(label, 40)}" + "".join(cells))


def print_growth(results: dict[Run, dict[str, Any]]) -> None:
    """Growth with the province's size, at the shortest history measured."""
    years = min(y for _, y in results)
    sizes = sorted(n for n, y in results if y == years)
    if len(sizes) < 2:
        return
    columns = {f"{n} projects": results[(n, years)] for n in sizes}
    _table(
        f"\n=== growth with size, {years} year(s) of reports (median warm seconds; x ="
        f" ratio to the {sizes[0]}-project figure)",
        columns,
        f"{sizes[0]} projects",
    )


def print_history(results: dict[Run, dict[str, Any]]) -> None:
    """Growth with the history kept, at each size measured with more than one."""
    for size in sorted({n for n, _ in results}):
        spans = sorted(y for n, y in results if n == size)
        if len(spans) < 2:
            continue
        columns = {f"{y} year(s)": results[(size, y)] for y in spans}
        _table(f"\n=== growth with history, {size} projects (median warm seconds; x = ratio to"
               f" {spans[0]} year(s) of reports; the goal: at most {HISTORY_GOAL:g}x)", columns,
               f"{spans[0]} year(s)")  # fmt: skip


HISTORY_FIGURES = ("score_week", "bulletin", "status_card")


def print_goals(results: dict[Run, dict[str, Any]]) -> None:
    largest = max(n for n, _ in results)
    years = max(y for n, y in results if n == largest)
    res = results[(largest, years)]
    warm = res["rounds"][1:]
    push = median([r["push"] for r in warm])
    push_cpu = median([r["push:cpu"] for r in warm])
    verdict = "met" if push < PUSH_GOAL_S else "NOT met"
    note = "" if largest >= 5000 else f" (largest size run is {largest}: the goals are for 5,000)"
    print(f"\n=== goals, at {largest} projects with {years} year(s) of reports{note}")
    print(f"  weekly push prepared < {PUSH_GOAL_S:g} s: {verdict} ({push:.3f} s median; CPU"
          f" {push_cpu:.3f} s, all threads: the rest is waiting for a core)")  # fmt: skip
    daily = median([r["status_run"] for r in warm])
    cpu = median([r["status_run:cpu"] for r in warm])
    verdict = "met" if daily < STATUS_GOAL_S else "NOT met"
    print(
        f"  daily status run < {STATUS_GOAL_S:g} s: {verdict} ({daily:.3f} s median, CPU"
        f" {cpu:.3f} s: load, recompute and store every project's status)"
    )
    worst = []
    for key in ["board", "unit", "bulletin"] + [f"units:{g}" for g in res["groups"]]:
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
    bulletin_cpu = median([r["bulletin:cpu"] for r in warm])
    print(f"    the bulletin's CPU: {bulletin_cpu:.3f} s (load and chart, all threads)")
    verdict = "met" if res["rss_peak_mb"] < RSS_GOAL_MB else "NOT met"
    print(f"  peak RSS of the measuring process < {RSS_GOAL_MB} MB: {verdict}"
          f" ({res['rss_peak_mb']:.0f} MB; it loads what the bot loads)")  # fmt: skip
    spans = sorted(y for n, y in results if n == largest)
    if len(spans) > 1:
        short, long = results[(largest, spans[0])], results[(largest, spans[-1])]
        ratios = {k: _warm(long, k) / _warm(short, k) for k in HISTORY_FIGURES}
        verdict = "met" if max(ratios.values()) <= HISTORY_GOAL else "NOT met"
        shown = ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items())
        print(f"  {spans[-1]} years of reports cost at most {HISTORY_GOAL:g}x {spans[0]}:"
              f" {verdict} ({shown})")  # fmt: skip
    if push >= PUSH_GOAL_S or over:
        print_culprits(res)


def print_culprits(res: dict[str, Any]) -> None:
    """Where a missed goal's time goes, from the score_week breakdown."""
    parts = res["breakdown"]
    phases = {k: v for k, v in parts["phases"].items() if not k.startswith(" ")}
    print(f"  where score_week's {parts['total']:.3f} s go (one run taken apart):")
    for name, value in sorted(phases.items(), key=lambda kv: -kv[1])[:3]:
        print(f"    {value:.3f} s  {name}")
    for site, seconds, _calls, nrows, _sql in parts["queries"][:2]:
        print(f"    {seconds:.3f} s  SQL read at {site} ({nrows:,} rows; queued with the others)")
    print(
        f"    {parts['gc_s']:.3f} s  cyclic GC ({parts['gc_full']} full collections), inside the"
        " above: it runs when rows and facts are allocated, mostly in aiosqlite's thread"
    )
