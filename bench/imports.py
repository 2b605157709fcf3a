"""Benchmark: reading uploaded project lists — wall time and peak memory per file.

    .venv/bin/python -m bench.imports [--runs 3] [--quick]

Writes city-like lists (22 columns: codes, names, units, 亿元 amounts, a monthly plan) into a
temporary folder: 40,000 rows as .xlsx (the file that once took 83 s and 4.3 GB), 5,000 rows
as .xlsx, .xls, .ods, CSV and an HTML table saved as .xls, plus files meant to hurt a
reader. Each measurement runs in a fresh interpreter, so its peak RSS is its own:

- ``bot``: what /import does, ``import_worker.parse_upload``: the bot-side process and the
  capped reader child it spawns are reported apart (``rss`` and ``reader``).
- ``calamine`` / ``openpyxl-ro`` / ``openpyxl``: the bare readers side by side, every cell
  of every sheet read (python-calamine; openpyxl read-only; openpyxl loading the whole
  workbook, as the import did before). Hostile files go through ``bot`` only: read bare,
  calamine asks for gigabytes and aborts.

Figures are medians of ``--runs`` runs; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READERS = ("calamine", "openpyxl-ro", "openpyxl")
CHILD_LIMIT_S = 600
MONTHS = [f"{m}月" for m in range(1, 13)]
HEADER = ["序号", "项目编号", "项目名称", "责任单位", "项目类别", "建设阶段", "包抓领导",
          "联络员", "总投资（亿元）", "年度计划投资（亿元）", *MONTHS]  # fmt: skip


# --- the files -----------------------------------------------------------------------------


def list_rows(n: int) -> list[list[object]]:
    """A header and ``n`` projects cycling through 200 sample ones, each code and name unique."""
    from tests.unit.sample_sheets import city_projects

    samples = city_projects(200, seed=5)
    rows: list[list[object]] = [HEADER]
    for i in range(n):
        p = samples[i % len(samples)]
        rows.append([
            i + 1, f"XM-{i + 1:05d}", f"{p.name}{i // len(samples) or ''}", p.unit, p.category,
            p.stage, p.leader, p.liaison, float(p.total_yi), float(p.year_plan_yi),
            *(wan / 10_000 for wan in p.monthly_wan),
        ])  # fmt: skip
    return rows


def xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("项目")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]]) -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(1024):
                sheet.write(b"\0" * (1 << 20))
    return buffer.getvalue()


def write_files(folder: Path, quick: bool) -> dict[str, list[Path]]:
    """{"lists": [...], "hostile": [...]}: the files to measure, written into ``folder``."""
    from tests.unit import hostile_sheets
    from tests.unit.sheet_writers import html_bytes, ods_bytes, xls_bytes

    big, small = (list_rows(40_000), list_rows(5_000))
    files = {
        "list-40000.xlsx": lambda: xlsx(big),
        "list-5000.xlsx": lambda: xlsx(small),
        "list-5000.xls": lambda: xls_bytes(small),
        "list-5000.ods": lambda: ods_bytes(small),
        "list-5000.csv": lambda: csv_bytes(small),
        "list-5000-html.xls": lambda: html_bytes(small),
    }
    hostile = {
        "far-value-XFD1048576.xlsx": hostile_sheets.far_value_xlsx,
        "shared-string-x200000.xlsx": hostile_sheets.shared_string_fanout_xlsx,
        "claims-1048576-rows.xlsx": hostile_sheets.claims_every_row_xlsx,
        "shared-strings-3M.xlsx": lambda: hostile_sheets.raw_xlsx(
            hostile_sheets.list_rows(), strings=(f"s{i}" for i in range(3_000_000))
        ),
        "zip-bomb-1GB.xlsx": zip_bomb,
        "corrupt.xlsx": lambda: b"PK\x03\x04" + os.urandom(4096),
        "html-without-table.xls": lambda: b"<html><body>\xe6\x97\xa0</body></html>",
    }
    if quick:
        hostile = {k: v for k, v in hostile.items() if "3M" not in k and "bomb" not in k}
    paths: dict[str, list[Path]] = {"lists": [], "hostile": []}
    for group, makers in (("lists", files), ("hostile", hostile)):
        for name, make in makers.items():
            path = folder / name
            path.write_bytes(make())
            paths[group].append(path)
    return paths


# --- one measurement, in a child -----------------------------------------------------------


def _peak_mb() -> float:
    """Peak RSS of this process. VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec,
    so a child would report its parent's peak at the fork."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class _ReaderPeak(logging.Handler):
    """Catches import_worker's "reader peak" log line: the reader child's own VmHWM."""

    peak_mb = float("nan")

    def emit(self, record: logging.LogRecord) -> None:
        if "reader peak" in record.msg and record.args:
            self.peak_mb = float(record.args[-1] or "nan")  # type: ignore[index]


def measure(mode: str, path: Path) -> dict[str, object]:
    """Run in a fresh child: read ``path`` one way; wall time, peak RSS and what came out."""
    content = path.read_bytes()
    started = time.perf_counter()
    outcome = ""
    reader = _ReaderPeak()
    if mode == "bot":
        from domain.import_errors import ImportFileError
        from import_worker import log, parse_upload
        from messages import t

        log.addHandler(reader)
        log.setLevel(logging.INFO)
        try:
            result = asyncio.run(parse_upload(path.name, content))
            outcome = f"{len(result.rows)} projects"
        except ImportFileError as error:
            reason = error.reason
            outcome = "refused: " + t(f"import_reason.{reason.code}", **reason.values)[:40]

    elif mode == "calamine":
        import python_calamine

        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        cells = sum(
            len(row)
            for name in workbook.sheet_names
            for row in workbook.get_sheet_by_name(name).iter_rows()
        )
        outcome = f"{cells} cells"
    else:
        import openpyxl

        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=mode == "openpyxl-ro", data_only=True
        )
        cells = sum(len(row) for sheet in workbook.worksheets for row in sheet.iter_rows())
        outcome = f"{cells} cells"
    return {
        "wall_s": time.perf_counter() - started,
        "rss_mb": _peak_mb(),
        "reader_mb": reader.peak_mb,
        "outcome": outcome,
    }


def run(mode: str, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.imports", "--child", mode, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_LIMIT_S,
        check=False,
    )
    if done.returncode != 0:
        return {"wall_s": float("nan"), "rss_mb": float("nan"), "reader_mb": float("nan"),
                "outcome": f"died ({done.returncode}): {done.stderr.strip()[-80:]}"}  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the report ----------------------------------------------------------------------------


def row(label: str, mode: str, runs: list[dict[str, object]]) -> str:
    def mid(key: str) -> float:
        return statistics.median(float(r[key]) for r in runs)  # type: ignore[arg-type]

    reader = "      -"
    if mode == "bot":  # no figure: the reader was stopped (killed at its memory cap)
        reader = f"{mid('reader_mb'):7.0f}" if mid("reader_mb") == mid("reader_mb") else " killed"
    return (
        f"{label:38} {mode:12} {mid('wall_s'):8.2f} {mid('rss_mb'):7.0f} {reader}  "
        f"{runs[-1]['outcome']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run, fewer hostile files")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], Path(args.child[1]))))
        return
    runs = 1 if args.quick else args.runs
    print(f"bench.imports — {platform.platform()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; medians of {runs} run(s)")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        files = write_files(Path(folder), args.quick)
        print(f"files written in {time.perf_counter() - started:.0f} s\n")
        heads = ("file (size)", "how", "wall s", "RSS MB", "reader")
        print("{:38} {:12} {:>8} {:>7} {:>7}  outcome".format(*heads))
        for path in files["lists"] + files["hostile"]:
            label = f"{path.name} ({path.stat().st_size / 1e6:.2f} MB)"
            modes = ["bot"]
            workbook = path.suffix in (".xlsx", ".xls", ".ods") and "html" not in path.name
            if path in files["lists"] and workbook:
                modes += ["calamine"]
                if path.suffix == ".xlsx":
                    modes += ["openpyxl-ro", "openpyxl"]
            for mode in modes:
                print(row(label, mode, [run(mode, path) for _ in range(runs)]), flush=True)
                label = ""
    from import_worker import MEMORY_LIMIT_BYTES

    cap = MEMORY_LIMIT_BYTES >> 20
    print("\nRSS: peak of the measuring process (for bot: the bot's side); reader: peak of the")
    print(f"child /import spawns to read the file, its address space capped at {cap} MB.")


if __name__ == "__main__":
    main()
