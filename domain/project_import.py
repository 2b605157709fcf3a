"""Import the city's key-project list from an uploaded spreadsheet (.xlsx, .xls, .ods, CSV).

``parse_project_file`` never raises for a bad row: each problem becomes a ``RowError`` with
the row number and the column header as written in the file, so the admin can fix the sheet.
Whole-file problems raise ``ImportFileError``.
"""

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from domain.cell_values import cell_amount, cell_code, cell_date, cell_rounding, cell_text
from domain.header_detect import MONEY_FIELDS, Column, Field, HeaderLayout, detect_header
from domain.import_errors import ImportFileError
from domain.import_result import ImportResult, ProjectRow, RowError, SheetTotal
from domain.milestone_import import parse_milestone_table
from domain.money import NEGATIVE_REASON, TOO_BIG_REASON, AmountError, format_wan
from domain.row_kinds import RowKind, classify_row, is_grand_total
from domain.sheet_reader import Table, read_tables, too_many_rows
from domain.stages import parse_build_type, parse_category, parse_stage
from domain.text import squash

__all__ = [
    "ImportFileError",
    "ImportResult",
    "ProjectRow",
    "RowError",
    "parse_project_file",
    "parse_tables",
]

T = TypeVar("T")

NO_HEADER = "未找到表头，请确认表格含有“项目名称”“责任单位”“总投资”“年度计划投资”等列"
MONTHLY_TOLERANCE_PERCENT = 1  # monthly plans are typed by hand and rounded


def parse_project_file(filename: str, content: bytes, *, max_rows: int = 5000) -> ImportResult:
    """Parse an uploaded project list; the first sheet with a complete header is used.

    Raises:
        ImportFileError: unreadable or unsupported file, no header, missing required
            columns, no data, or more than ``max_rows`` projects.
    """
    return parse_tables(read_tables(filename, content, max_rows=max_rows), max_rows=max_rows)


def parse_tables(tables: list[Table], *, max_rows: int = 5000) -> ImportResult:
    """The project list (and milestones) in the tables of one file; see parse_project_file."""
    missing: list[Field] | None = None
    result: ImportResult | None = None
    for table in tables:
        layout = detect_header(table)
        if layout is None:
            continue
        if layout.missing():
            missing = missing or layout.missing()
            continue
        result = _import_table(table, layout, max_rows)
        break
    # Milestones: another sheet of the same workbook, or a file that holds only them.
    for table in tables:
        if result is not None and table.name == result.sheet:
            continue
        found = parse_milestone_table(table)
        if found is None:
            continue
        nodes, node_errors = found
        errors = [RowError(e.row, f"{table.name}/{e.column}", e.reason) for e in node_errors]
        if result is None:
            return ImportResult([], errors, table.name, 0, "", [], nodes)
        return dataclasses.replace(result, milestones=nodes, errors=result.errors + errors)
    if result is not None:
        return result
    if missing:
        raise ImportFileError("缺少必填列：" + "、".join(field.value for field in missing))
    has_cells = any(table.rows for table in tables)
    raise ImportFileError(NO_HEADER if has_cells else "文件中没有数据")


@dataclass(frozen=True)
class _Sheet:
    """What the row parser needs to know about the table's columns."""

    fields: dict[Field, Column]
    months: list[Column] | None  # Jan..Dec when all twelve exist
    units: dict[int, str]  # column index -> money unit
    extra: list[Column]


def _sheet(layout: HeaderLayout) -> _Sheet:
    fields = layout.fields()
    by_month = layout.months()
    months = [by_month[m] for m in range(1, 13)] if len(by_month) == 12 else None
    used = {column.index for column in fields.values()}
    used |= {column.index for column in months or []}
    extra = [
        column
        for column in layout.columns
        if column.index not in used and column.field is not Field.SEQ
    ]
    units = {
        column.index: layout.money_unit(column)
        for column in [*fields.values(), *(months or [])]
        if column.field in MONEY_FIELDS
    }
    return _Sheet(fields=fields, months=months, units=units, extra=extra)


class _RowParser:
    """Parses one project row, collecting every problem rather than stopping at the first."""

    def __init__(self, sheet: _Sheet, number: int, values: list[object]) -> None:
        self.sheet = sheet
        self.number = number
        self.values = values
        self.errors: list[RowError] = []
        self.notes: Counter[str] = Counter()  # facts for file-level warnings

    def value(self, column: Column | None) -> object:
        if column is None or column.index >= len(self.values):
            return None
        return self.values[column.index]

    def text(self, field: Field) -> str:
        return cell_text(self.value(self.sheet.fields.get(field)))

    def fail(self, column: Column | None, reason: str) -> None:
        self.errors.append(RowError(self.number, column.header if column else "", reason))

    def required_text(self, field: Field) -> str:
        text = self.text(field)
        if not text:
            self.fail(self.sheet.fields[field], f"缺少{field.value}")
        return text

    def amount(self, column: Column) -> tuple[int | None, bool]:
        """(元 or None when blank, whether the cell was readable)."""
        unit = self.sheet.units[column.index]
        raw = self.value(column)
        try:
            return cell_amount(raw, unit), True
        except AmountError as error:
            if error.short in (NEGATIVE_REASON, TOO_BIG_REASON):
                self.fail(column, error.short)
            else:
                self.fail(column, f"无法识别金额“{cell_text(raw)}”，应填数字（单位：{unit}）")
            return None, False

    def total(self) -> int | None:
        column = self.sheet.fields[Field.TOTAL]
        total, readable = self.amount(column)
        if readable and total is None:
            self.fail(column, "缺少总投资")
        elif total == 0:
            self.fail(column, "总投资必须大于0")
        return total or None

    def year_plan(self, total: int | None) -> int | None:
        column = self.sheet.fields[Field.YEAR_PLAN]
        year, readable = self.amount(column)
        if readable and year is None:
            self.fail(column, "缺少年度计划投资")
        elif year is not None and total is not None and year > total:
            self.fail(column, f"年度计划投资{format_wan(year)}大于总投资{format_wan(total)}")
        return year

    def monthly(self, year: int | None) -> tuple[int, ...] | None:
        columns = self.sheet.months
        if columns is None:
            return None
        amounts = [self.amount(column) for column in columns]
        if not all(readable for _, readable in amounts):
            return None
        if all(value is None for value, _ in amounts):
            return None  # no monthly plan given for this project
        months = [value or 0 for value, _ in amounts]
        if year is None or _within_plan(sum(months), year):
            return tuple(months)
        if _is_cumulative(months, year):
            self.notes["cumulative"] += 1
            return tuple(b - a for a, b in itertools.pairwise([0, *months]))
        span = f"{columns[0].header}~{columns[-1].header}"
        self.errors.append(
            RowError(
                self.number,
                span,
                f"月度计划合计{format_wan(sum(months))}超过年度计划投资{format_wan(year)}",
            )
        )
        return None

    def choice(self, field: Field, parse: Callable[[str], T | None], allowed: str) -> T | None:
        raw = self.text(field)
        if not raw:
            return None
        parsed = parse(raw)
        if parsed is None:
            self.fail(self.sheet.fields[field], f"无法识别{field.value}“{raw}”，应为{allowed}")
        return parsed

    def extra(self) -> dict[str, str]:
        extra: dict[str, str] = {}
        for column in self.sheet.extra:
            text = cell_text(self.value(column))
            if text:
                extra[column.header or f"第{column.index + 1}列"] = text
        return extra

    def build_type(self, extra: dict[str, str]) -> str | None:
        raw = self.text(Field.BUILD_TYPE)
        parsed = parse_build_type(raw) if raw else None
        if raw and parsed is None:
            # Not worth rejecting the project: keep what the sheet said.
            extra[self.sheet.fields[Field.BUILD_TYPE].header] = raw
            self.notes["build_type"] += 1
        return parsed

    def date_of(self, field: Field, *, end_of_month: bool = False) -> date | None:
        column = self.sheet.fields.get(field)
        raw = self.value(column)
        try:
            return cell_date(raw, end_of_month=end_of_month)
        except ValueError:
            self.fail(column, f"无法识别日期“{cell_text(raw)}”，应写成 2026-03-15 或 2026年3月")
            return None

    def parse(self) -> ProjectRow | None:
        name = self.required_text(Field.NAME)
        unit = self.required_text(Field.UNIT)
        category = self.choice(Field.CATEGORY, parse_category, "产业、基础设施或民生")
        stage = self.choice(Field.STAGE, parse_stage, "谋划、前期、在建、竣工或投产")
        total = self.total()
        year = self.year_plan(total)
        monthly = self.monthly(year)
        extra = self.extra()
        build_type = self.build_type(extra)
        start = self.date_of(Field.PLANNED_START)
        completion = self.date_of(Field.PLANNED_COMPLETION, end_of_month=True)
        if self.errors or total is None or year is None:
            return None
        code_column = self.sheet.fields.get(Field.CODE)
        return ProjectRow(
            row=self.number,
            code=cell_code(self.value(code_column)) if code_column else None,
            name=name,
            unit=unit,
            category=category,
            stage=stage,
            leader=self.text(Field.LEADER) or None,
            total_yuan=total,
            year_plan_yuan=year,
            monthly_plan_yuan=monthly,
            build_type=build_type,
            liaison=self.text(Field.LIAISON) or None,
            extra=extra,
            planned_start=start,
            planned_completion=completion,
        )


def _within_plan(monthly_sum: int, year: int) -> bool:
    return monthly_sum * 100 <= year * (100 + MONTHLY_TOLERANCE_PERCENT)


def _is_cumulative(months: list[int], year: int) -> bool:
    """Some lists give the plan to date (1-3月累计) per month: rising and ending at the year."""
    rising = all(a <= b for a, b in itertools.pairwise(months))
    return rising and abs(months[-1] - year) * 100 <= year * MONTHLY_TOLERANCE_PERCENT


def _duplicate(
    parser: _RowParser, column: Column, key: str | None, seen: dict[str, int], label: str
) -> None:
    """Record the first row of each key; later rows with the same key are errors."""
    if not key:
        return
    if key in seen:
        parser.fail(column, f"{label}与第{seen[key]}行重复")
    else:
        seen[key] = parser.number


def _warnings(
    table: Table, layout: HeaderLayout, sheet: _Sheet, counts: Counter[str]
) -> list[str]:
    warnings = list(table.warnings)
    total = sheet.fields[Field.TOTAL]
    if not (total.unit or total.parent_unit or layout.note_unit):
        warnings.append("表中未注明金额单位，已按万元导入")
    partial = len(layout.months())
    if 0 < partial < 12:
        warnings.append(f"月度计划列不完整（只有{partial}个月），已作为其他信息保留")
    messages = {
        RowKind.TOTAL: "已跳过{}个合计/小计行",
        RowKind.SECTION: "已跳过{}个分类标题行",
        RowKind.NOTE: "已跳过{}个备注/说明行",
        RowKind.HEADER: "已跳过{}个重复的表头行",
        "cumulative": "{}个项目的月度计划为累计数，已换算为每月计划",
        "build_type": "{}个项目的建设性质无法识别（应为新建或续建），已保留原文",
    }
    warnings += [text.format(counts[key]) for key, text in messages.items() if counts[key]]
    return warnings


def _import_table(table: Table, layout: HeaderLayout, max_rows: int) -> ImportResult:
    sheet = _sheet(layout)
    rows: list[ProjectRow] = []
    errors: list[RowError] = []
    counts: Counter[str] = Counter()
    codes: dict[str, int] = {}
    names: dict[str, int] = {}
    projects = 0
    sheet_total: SheetTotal | None = None
    for number, values in table.rows:
        if number <= layout.last_row:
            continue
        kind = classify_row(values, layout)
        if kind is RowKind.TOTAL and is_grand_total(values):
            # Several 合计 rows (per section, then the whole list): the largest is the list's.
            found = _sheet_total(sheet, number, values)
            if found is not None and _bigger(found, sheet_total):
                sheet_total = found
        if kind is not RowKind.PROJECT:
            counts[kind] += 1
            continue
        projects += 1
        if projects > max_rows:
            raise too_many_rows(max_rows)
        parser = _RowParser(sheet, number, values)
        project = parser.parse()
        code_column = sheet.fields.get(Field.CODE)
        if code_column is not None:
            code = cell_code(parser.value(code_column))
            _duplicate(parser, code_column, code, codes, f"项目编号“{code}”")
        else:
            name_column = sheet.fields[Field.NAME]
            name_key = squash(cell_text(parser.value(name_column)))
            _duplicate(parser, name_column, name_key, names, "项目名称")
        counts.update(parser.notes)
        errors += parser.errors
        if project is not None and not parser.errors:
            rows.append(project)
    if projects == 0:
        raise ImportFileError("表格中没有项目数据")
    return ImportResult(
        rows=rows,
        errors=errors,
        sheet=table.name,
        header_row=layout.last_row,
        money_unit=layout.money_unit(sheet.fields[Field.TOTAL]),
        warnings=_warnings(table, layout, sheet, counts),
        sheet_total=sheet_total,
    )


def _sheet_total(sheet: _Sheet, number: int, values: list[object]) -> SheetTotal | None:
    """The 总投资 and 年度计划投资 figures of a 合计 row, when it has either."""
    figures: list[int | None] = []
    slack: list[int] = []
    for field in (Field.TOTAL, Field.YEAR_PLAN):
        column = sheet.fields[field]
        raw = values[column.index] if column.index < len(values) else None
        unit = sheet.units[column.index]
        try:
            figures.append(cell_amount(raw, unit))
        except AmountError:
            figures.append(None)
        slack.append(cell_rounding(raw, unit) if figures[-1] is not None else 0)
    if figures[0] is None and figures[1] is None:
        return None
    return SheetTotal(number, figures[0], figures[1], slack[0], slack[1])


def _bigger(found: SheetTotal, best: SheetTotal | None) -> bool:
    if best is None:
        return True
    return (found.total_yuan or 0, found.year_plan_yuan or 0) > (
        best.total_yuan or 0,
        best.year_plan_yuan or 0,
    )
