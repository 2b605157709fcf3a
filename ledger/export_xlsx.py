"""The .xlsx ledger (台账): projects, the period's progress entries, problems with history.

The project sheet shows each project as of the period's last day, as the monthly bulletin
counts it (domain.bulletin): investment completed this year up to that day (not a later
report's figure), whether it counts in 开工率, and the problems open at that day's end. So the
bulletin's every figure is the sum or count of a column of the month's ledger.

openpyxl's write-only workbook streams each row to a temporary file as it is appended, so the
export reads the database a page at a time and never holds the whole ledger in memory; each
page is turned into cells off the event loop (asyncio.to_thread), and so is the final save.
Sheets are made for printing: frozen, repeated header row, fixed widths, landscape A4 fitted
to the page width, local times, money in 万元.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain import problem_flow as flow
from domain import report_fields as rf
from domain.bulletin import start_state
from domain.money import wan_from_yuan
from domain.photos import PHOTOS_DIR
from domain.report_fields import ReportField
from domain.status import UNREPORTED
from domain.workdays import WorkCalendar
from ledger.texts import event_line
from messages import t
from storage import Database, facts, ledger_rows, problem_events, report_fields
from storage import problems as store

PAGE = 500  # rows read and written at a time
TEXT, WRAP, MONEY, DAY, TIME, INT, PERCENT, NUMBER, PHOTO = (
    "text", "wrap", "money", "day", "time", "int", "percent", "number", "photo",
)  # fmt: skip
FORMATS = {MONEY: "#,##0.00", DAY: "yyyy-mm-dd", TIME: "yyyy-mm-dd hh:mm", INT: "0",
           PERCENT: "0.0%"}  # fmt: skip
# What makes Excel or LibreOffice read a typed cell as a formula (full-width forms too: an
# IME may turn them into the ASCII ones while the cell is edited).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP_ALIGN = Alignment(wrap_text=True, vertical="top")
_TOP_ALIGN = Alignment(vertical="top")
_LINK_FONT = Font(color="0563C1", underline="single")  # Excel's own hyperlink look

# (catalog key of the header, width, kind) per sheet.
PROJECT_COLUMNS = (
    ("no", 6, INT), ("code", 14, TEXT), ("name", 28, WRAP), ("unit", 12, TEXT),
    ("category", 9, TEXT), ("stage", 9, TEXT), ("leader", 11, TEXT), ("liaisons", 12, WRAP),
    ("total", 13, MONEY), ("plan", 13, MONEY), ("done", 14, MONEY), ("rate", 9, PERCENT),
    ("planned_start", 11, DAY), ("actual_start", 11, DAY), ("start", 9, TEXT),
    ("color", 7, TEXT), ("last_day", 12, DAY), ("last_text", 40, WRAP), ("open", 9, INT),
)  # fmt: skip
ENTRY_COLUMNS = (
    ("day", 12, DAY), ("code", 14, TEXT), ("name", 24, WRAP), ("unit", 12, TEXT),
    ("liaison", 10, TEXT), ("text", 48, WRAP), ("done", 14, MONEY), ("delta", 12, MONEY),
    ("stage", 14, TEXT), ("problem", 30, WRAP), ("photo", 18, PHOTO), ("revisions", 8, INT),
    ("at", 17, TIME),
)  # fmt: skip
PROBLEM_COLUMNS = (
    ("id", 6, INT), ("code", 14, TEXT), ("name", 22, WRAP), ("unit", 12, TEXT),
    ("category", 8, TEXT), ("description", 36, WRAP), ("photo", 18, PHOTO), ("raiser", 10, TEXT),
    ("raised", 17, TIME), ("department", 14, TEXT), ("deadline", 12, DAY), ("state", 10, TEXT),
    ("replied", 17, TIME), ("closed", 17, TIME), ("on_time", 9, TEXT), ("history", 60, WRAP),
)  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """What an export covers: some projects (None: all), a period, the zone for times."""

    project_ids: list[int] | None
    start: date
    end: date
    tz: ZoneInfo


@dataclass
class Counts:
    projects: int = 0
    entries: int = 0
    problems: int = 0
    photos: set[str] = field(default_factory=set)  # archived files the ledger links to
    photos_pending: int = 0  # photos it names that are not archived yet


@dataclass(frozen=True)
class Photo:
    """A row's photo: its archived file (linked as photos/<name>), or None while Telegram
    holds the only copy."""

    name: str | None

    def count(self, counts: Counts) -> Photo:
        if self.name:
            counts.photos.add(self.name)
        else:
            counts.photos_pending += 1
        return self


@dataclass
class Sheet:
    """One write-only worksheet with typed columns."""

    ws: Any
    kinds: list[str] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        wb: Workbook,
        name: str,
        columns: Sequence[tuple[str, int, str]],
        title: str,
        labels: dict[str, str] | None = None,  # headers not in the catalog (report fields)
    ) -> Sheet:
        ws = wb.create_sheet(t(f"export.sheet_{name}"))
        # Write-only sheets take their layout before the first row.
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        for i, (_, width, _) in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.HeaderFooter.oddHeader.center.text = title
        ws.HeaderFooter.oddFooter.center.text = t("export.footer")
        head = []
        for key, _, _ in columns:
            label = (labels or {}).get(key) or t(f"export.col_{name}_{key}")
            cell = WriteOnlyCell(ws, value=label)
            _as_text(cell, label)  # a report field's name was typed by an admin
            cell.font, cell.fill, cell.alignment, cell.border = (
                _HEAD_FONT, _HEAD_FILL, _HEAD_ALIGN, _BORDER,
            )  # fmt: skip
            head.append(cell)
        ws.append(head)
        return cls(ws, [kind for _, _, kind in columns])

    def write(self, rows: list[Sequence[Any]]) -> None:
        """Append rows of plain values (money in 元, times as UTC-aware datetimes)."""
        for values in rows:
            self.ws.append(
                [self._cell(kind, value) for kind, value in zip(self.kinds, values, strict=True)]
            )

    def _cell(self, kind: str, value: Any) -> WriteOnlyCell:
        if kind == MONEY and value is not None:
            value = wan_from_yuan(value)
        if kind == PHOTO:
            return self._photo(value)
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            _as_text(cell, value)
        cell.border = _BORDER
        cell.alignment = _WRAP_ALIGN if kind == WRAP else _TOP_ALIGN
        if kind in FORMATS:
            cell.number_format = FORMATS[kind]
        return cell

    def _photo(self, photo: Photo | None) -> WriteOnlyCell:
        """The file name as text, linked to photos/<name> beside the workbook (a hyperlink of
        the sheet, not a HYPERLINK formula: the cell holds data only)."""
        text = None if photo is None else photo.name or t("export.photo_pending")
        cell = WriteOnlyCell(self.ws, value=text)
        if text is not None:
            _as_text(cell, text)
        if photo is not None and photo.name:
            cell.hyperlink = f"{PHOTOS_DIR}/{photo.name}"
            cell.font = _LINK_FONT
        cell.border = _BORDER
        cell.alignment = _TOP_ALIGN
        return cell


def _as_text(cell: WriteOnlyCell, value: str) -> None:
    """Text is data, never a formula: openpyxl makes "=..." a live formula and "#N/A" an error
    value, so the cell is forced to a string. A text that Excel (or a CSV made from the file)
    would read as a formula once someone edits the cell also gets Excel's quote-prefix flag,
    which keeps it text without showing or storing an apostrophe (OWASP CSV injection)."""
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Excel has no time zones: a naive local wall-clock time."""
    return moment.astimezone(tz).replace(tzinfo=None) if moment else None


async def build(db: Database, path: Path, scope: Scope) -> Counts:
    """Write the ledger for `scope` to `path`; return how many rows each sheet got."""
    wb = Workbook(write_only=True)
    title = t("export.title", start=scope.start.isoformat(), end=scope.end.isoformat())
    counts = Counts()
    try:
        sheet = Sheet.create(wb, "projects", PROJECT_COLUMNS, title)
        counts.projects = await _projects(db, sheet, scope)
        fields = await report_fields.for_export(db, scope.start, scope.end)
        columns, labels = field_columns(fields)
        sheet = Sheet.create(wb, "entries", ENTRY_COLUMNS + columns, title, labels)
        counts.entries = await _entries(db, sheet, scope, fields, counts)
        sheet = Sheet.create(wb, "problems", PROBLEM_COLUMNS, title)
        counts.problems = await _problems(db, sheet, scope, counts)
        await asyncio.to_thread(wb.save, path)
    except BaseException:
        _discard(wb)
        raise
    return counts


def _discard(wb: Workbook) -> None:
    """A build that failed: close each sheet's stream and delete its temporary file now,
    rather than leave them to the garbage collector (which then writes to closed files)."""
    for ws in wb.worksheets:
        with contextlib.suppress(Exception):
            if not ws.closed:
                ws.close()
        writer = getattr(ws, "_writer", None)  # openpyxl keeps each sheet's temp file here
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()


async def _projects(db: Database, sheet: Sheet, scope: Scope) -> int:
    # The end of the period's last local day, as stored (UTC text): problems open by then.
    night = datetime.combine(scope.end + timedelta(days=1), time(), scope.tz)
    count = 0
    while True:
        rows = await ledger_rows.project_page(db, scope.project_ids, scope.end, night, PAGE, count)
        if not rows:
            return count
        # The figures as of the period's end, read as the bulletin and the scores read them.
        known = {
            f.project_id: f
            for f in await facts.load(
                db, scope.end, scope.start, _calendar(), scope.tz, [r.id for r in rows]
            )
        }
        values = []
        for r in rows:
            count += 1
            f = known[r.id]
            plan = f.year_plan_yuan
            state = start_state(f, scope.end)
            values.append((
                count, r.code, r.name, r.unit, r.category, r.stage, r.leader_name, r.liaisons,
                f.total_yuan, plan, f.done_yuan, Decimal(f.done_yuan) / plan if plan else None,
                f.planned_start, f.actual_start,
                t(f"export.start_{state}") if state else "",
                t(f"export.color_{r.color or UNREPORTED}"), r.last_day, r.last_text,
                r.open_problems,
            ))  # fmt: skip
        await asyncio.to_thread(sheet.write, values)


def _calendar() -> WorkCalendar:
    """A calendar for facts.load, whose workday counts the ledger does not show."""
    return WorkCalendar()


def field_columns(
    fields: list[ReportField],
) -> tuple[tuple[tuple[str, int, str], ...], dict[str, str]]:
    """A column per report field, in the template's order, headed with its name and unit."""
    kinds = {rf.NUMBER: NUMBER, rf.PERCENT: PERCENT, rf.DATE: DAY, rf.TEXT: WRAP}
    columns = tuple((f.step, 30 if f.kind == rf.TEXT else 12, kinds.get(f.kind, TEXT))
                    for f in fields)  # fmt: skip
    unit = {rf.NUMBER: "", rf.PERCENT: "%"}
    labels = {
        f.step: t("export.col_field_unit", name=f.name, unit=f.unit or unit[f.kind])
        if (f.unit or f.kind == rf.PERCENT) else f.name
        for f in fields
    }  # fmt: skip
    return columns, labels


async def _entries(
    db: Database, sheet: Sheet, scope: Scope, fields: list[ReportField], counts: Counts
) -> int:
    count = 0
    while True:
        rows = await ledger_rows.entry_page(
            db, scope.project_ids, scope.start, scope.end, PAGE, count
        )
        if not rows:
            return count
        answers = await report_fields.of_revisions(db, [r.revision_id for r in rows])
        values = []
        for r in rows:
            count += 1
            stage = f"{r.stage_before or '—'}→{r.stage_after}" if r.stage_after else ""
            given = answers.get(r.revision_id, {})
            photo = Photo(r.photo_name).count(counts) if r.photo_id is not None else None
            values.append((
                r.report_date, r.code, r.name, r.unit, r.liaison, r.text, r.done_yuan,
                max(r.done_yuan - r.baseline_yuan, 0), stage, r.problem, photo, r.revision,
                _local(r.created_at, scope.tz),
                *(rf.cell_value(f, given[f.id]) if f.id in given else None for f in fields),
            ))  # fmt: skip
        await asyncio.to_thread(sheet.write, values)


async def _problems(db: Database, sheet: Sheet, scope: Scope, counts: Counts) -> int:
    count, after = 0, 0
    while True:
        found = await store.page(db, scope.project_ids, scope.start, scope.end, after, PAGE)
        if not found:
            return count
        histories = await problem_events.histories(db, [p.id for p in found])
        values = []
        for p in found:
            count += 1
            after = p.id
            history = "\n".join(event_line(e, scope.tz) for e in histories[p.id])
            if p.state == flow.CLOSED:
                timely = (
                    t("export.yes") if flow.on_time(p.deadline, p.closed_on) else t("export.no")
                )
            else:
                timely = ""
            photo = Photo(p.photo_name).count(counts) if p.photo_file_id else None
            values.append((
                p.id, p.code, p.project, p.unit, flow.LABELS.get(p.category, p.category),
                p.description, photo, p.raiser, _local(p.created_at, scope.tz), p.owner,
                p.deadline, t(f"problems.state_{p.state}"), _local(p.replied_at, scope.tz),
                _local(p.closed_at, scope.tz), timely, history,
            ))  # fmt: skip
        await asyncio.to_thread(sheet.write, values)
