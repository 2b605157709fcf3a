"""Import the city's key-project list from an uploaded spreadsheet (.xlsx, .xls, .ods, CSV).

``parse_project_file`` never raises for a bad row: each problem becomes a ``RowError`` with
the row number and the column header as written in the file, so the admin can fix the sheet.
Whole-file problems raise ``ImportFileError``.
"""

import dataclasses
from collections import Counter

from domain.cell_values import cell_amount, cell_code, cell_rounding, cell_text
from domain.header_detect import Column, Field, HeaderLayout, detect_header
from domain.import_errors import ImportFileError, Reason
from domain.import_result import ImportResult, ProjectRow, RowError, SheetTotal
from domain.milestone_import import parse_milestone_table
from domain.money import AmountError
from domain.project_rows import RowParser, Sheet, sheet_columns
from domain.row_kinds import RowKind, classify_row, is_grand_total
from domain.sheet_reader import Table, read_tables, too_many_rows
from domain.text import squash

__all__ = [
    "ImportFileError",
    "ImportResult",
    "ProjectRow",
    "RowError",
    "parse_project_file",
    "parse_tables",
]


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
        raise ImportFileError("missing_columns", columns="、".join(f.value for f in missing))
    has_cells = any(table.rows for table in tables)
    raise ImportFileError("no_header" if has_cells else "no_data")


def _duplicate(
    parser: RowParser, column: Column, key: str | None, seen: dict[str, int], by_code: bool
) -> None:
    """Record the first row of each key; later rows with the same key are errors."""
    if not key:
        return
    if key in seen and by_code:
        parser.fail(column, Reason.of("duplicate_code", code=key, row=seen[key]))
    elif key in seen:
        parser.fail(column, Reason.of("duplicate_name", row=seen[key]))
    else:
        seen[key] = parser.number


# What was skipped or assumed, counted over the rows: the warning each count gives.
_COUNTED = {
    RowKind.TOTAL: "skipped_totals", RowKind.SECTION: "skipped_sections",
    RowKind.NOTE: "skipped_notes", RowKind.HEADER: "skipped_headers",
    "cumulative": "cumulative_months", "build_type": "unknown_build_type",
}  # fmt: skip


def _warnings(
    table: Table, layout: HeaderLayout, sheet: Sheet, counts: Counter[str]
) -> list[Reason]:
    warnings = list(table.warnings)
    total = sheet.fields[Field.TOTAL]
    if not (total.unit or total.parent_unit or layout.note_unit):
        warnings.append(Reason.of("unit_assumed"))
    partial = len(layout.months())
    if 0 < partial < 12:
        warnings.append(Reason.of("partial_months", n=partial))
    warnings += [Reason.of(code, n=counts[key]) for key, code in _COUNTED.items() if counts[key]]
    return warnings


def _import_table(table: Table, layout: HeaderLayout, max_rows: int) -> ImportResult:
    sheet = sheet_columns(layout)
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
        parser = RowParser(sheet, number, values)
        project = parser.parse()
        code_column = sheet.fields.get(Field.CODE)
        if code_column is not None:
            code = cell_code(parser.value(code_column))
            _duplicate(parser, code_column, code, codes, by_code=True)
        else:
            name_column = sheet.fields[Field.NAME]
            name_key = squash(cell_text(parser.value(name_column)))
            _duplicate(parser, name_column, name_key, names, by_code=False)
        counts.update(parser.notes)
        errors += parser.errors
        if project is not None and not parser.errors:
            rows.append(project)
    if projects == 0:
        raise ImportFileError("no_projects")
    return ImportResult(
        rows=rows,
        errors=errors,
        sheet=table.name,
        header_row=layout.last_row,
        money_unit=layout.money_unit(sheet.fields[Field.TOTAL]),
        warnings=_warnings(table, layout, sheet, counts),
        sheet_total=sheet_total,
    )


def _sheet_total(sheet: Sheet, number: int, values: list[object]) -> SheetTotal | None:
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
