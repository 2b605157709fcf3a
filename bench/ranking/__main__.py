"""python -m bench.ranking: generate each province and measure it, each in its own process."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import machine
from bench.ranking import ROOT
from bench.ranking.province import MAX_DAYS
from bench.ranking.report import Run, print_goals, print_growth, print_history, print_size

DEFAULT_SIZES = (250, 1000, 5000)
DEFAULT_UNITS = 150
RUNS = 3
MAX_YEARS = 5


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


def _numbers(parser: argparse.ArgumentParser, name: str, value: str) -> list[int]:
    try:
        return [int(x) for x in str(value).split(",") if x.strip()]
    except ValueError:
        parser.error(f"--{name}: comma-separated whole numbers, e.g. 1,3")
        raise  # unreachable: error() exits


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ranking",
        description="The pushes of a generated province: figures, printed.",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="projects per generated province, comma-separated (250,1000,5000)",
    )
    parser.add_argument("--years", default="1",
                        help="years of daily reports kept, comma-separated: 1,3 measures the"
                        " same projects with one and three years side by side")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="250 projects only (< ~30 s)")
    parser.add_argument("--days", type=int, default=None,
                        help="workdays of reports per project up to the as-of day, instead of"
                        " whole years")  # fmt: skip
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
    args.sizes = _numbers(parser, "sizes", args.sizes)
    args.years = _numbers(parser, "years", args.years)
    if args.quick:
        args.sizes = [250]
    if not args.sizes or min(args.sizes) < 1 or max(args.sizes) > 50_000:
        parser.error("--sizes: between 1 and 50000 projects each")
    if not args.years or min(args.years) < 1 or max(args.years) > MAX_YEARS:
        parser.error(f"--years: between 1 and {MAX_YEARS} each")
    if args.days is not None and not 1 <= args.days <= MAX_DAYS:
        parser.error(f"--days: 1..{MAX_DAYS}")
    if args.days is not None and len(args.years) > 1:
        parser.error("--days replaces --years: give one or the other")
    if not 1 <= args.runs <= 20 or not 2 <= args.units <= 800:
        parser.error("--runs: 1..20; --units: 2..800")
    return args


def limit_s(size: int, years: int) -> float:
    """Bound on one child (5,000 projects, one year, on 2 cores: ~25 s to generate, ~1 min to
    measure; three years take ~3x to generate)."""
    return 120 + size * 0.12 * years


def phase(args: argparse.Namespace) -> int:
    """The child: generate or measure one province, its result as one JSON line."""
    if args.phase == "generate":
        from bench.ranking.build import generate

        years = args.years[0]
        print(json.dumps(generate(args.db, args.projects, args.units, args.days, years)),
              flush=True)  # fmt: skip
        return 0
    from bench.ranking.measure import measure

    result = asyncio.run(measure(args.db, args.runs, args.profile))
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase:
        return phase(args)
    runs: list[Run] = [(n, y) for n in args.sizes for y in args.years]
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f} at the start")
    print(
        f"sizes: {', '.join(map(str, args.sizes))} projects; years of reports:"
        f" {', '.join(map(str, args.years))}; {args.units} units; cold run + {args.runs} warm"
        " runs each; each province generated and measured in its own process"
    )
    results: dict[Run, dict[str, Any]] = {}
    generated: dict[Run, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="jinzhan-ranking-") as tmp:
        for size, years in runs:
            path = Path(tmp) / f"province-{size}-{years}y.sqlite3"
            child = ["--db", str(path), "--projects", str(size), "--units", str(args.units),
                     "--runs", str(args.runs), "--years", str(years)]  # fmt: skip
            if args.days is not None:
                child += ["--days", str(args.days)]
            if args.profile:
                child.append("--profile")
            try:
                print(f"  {size} projects, {years} year(s): generating ...", end="", flush=True)
                generated[(size, years)] = run_child(["--phase", "generate", *child],
                                                     limit_s(size, years))  # fmt: skip
                print(f" {generated[(size, years)]['total_s']:.1f} s; measuring ...", end="",
                      flush=True)  # fmt: skip
                started = time.perf_counter()
                results[(size, years)] = run_child(["--phase", "measure", *child],
                                                   limit_s(size, 1))  # fmt: skip
                print(f" {time.perf_counter() - started:.1f} s", flush=True)
            except RuntimeError as exc:
                print(f"\n{exc}", file=sys.stderr)
                return 2
            finally:
                for suffix in ("", "-wal", "-shm"):  # a 5,000-project year is ~0.3 GB
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(f"{path}{suffix}")
    for run in runs:
        print_size(run, generated[run], results[run], args.runs)
    print_growth(results)
    print_history(results)
    print_goals(results)
    for run in runs:
        for name, lines in results[run]["profiles"].items():
            print(f"\n=== cProfile, {name} at {run[0]} projects, {run[1]} year(s)")
            for line in lines:
                print(f"  {line}")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end (2 cores shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
