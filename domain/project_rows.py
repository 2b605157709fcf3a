"""One project row of the list: every cell read, every problem collected.

``RowParser`` turns a row's cell values into a ``ProjectRow`` using the header layout, and
records each problem as a ``RowError`` (the row number and the column as written in the
file) instead of stopping at the first.
"""

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from domain.cell_values import cell_amount, cell_code, cell_date, cell_text
from domain.header_detect import MONEY_FIELDS, Column, Field, HeaderLayout
from domain.import_errors import Reason
from domain.import_result import ProjectRow, RowError
from domain.money import NEGATIVE, TOO_BIG, AmountError, format_wan
from domain.stages import parse_build_type, parse_category, parse_stage

T = TypeVar("T")

MONTHLY_TOLERANCE_PERCENT = 1  # monthly plans are typed by hand and rounded


@dataclass(frozen=True)
class Sheet:
    """What the row parser needs to know about the table's columns."""

    fields: dict[Field, Column]
    months: list[Column] | None  # Jan..Dec when all twelve exist
    units: dict[int, str]  # column index -> money unit
    extra: list[Column]


def sheet_columns(layout: HeaderLayout) -> Sheet:
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
    return Sheet(fields=fields, months=months, units=units, extra=extra)


class RowParser:
    """Parses one project row, collecting every problem rather than stopping at the first."""

    def __init__(self, sheet: Sheet, number: int, values: list[object]) -> None:
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

    def fail(self, column: Column | None, reason: Reason) -> None:
        self.errors.append(RowError(self.number, column.header if column else "", reason))

    def required_text(self, field: Field) -> str:
        text = self.text(field)
        if not text:
            self.fail(self.sheet.fields[field], Reason.of("missing", field=field.value))
        return text

    def amount(self, column: Column) -> tuple[int | None, bool]:
        """(元 or None when blank, whether the cell was readable)."""
        unit = self.sheet.units[column.index]
        raw = self.value(column)
        try:
            return cell_amount(raw, unit), True
        except AmountError as error:
            if error.code in (NEGATIVE, TOO_BIG):
                self.fail(column, Reason.of(f"amount_{error.code}"))
            else:
                self.fail(column, Reason.of("amount_unreadable", text=cell_text(raw), unit=unit))
            return None, False

    def total(self) -> int | None:
        column = self.sheet.fields[Field.TOTAL]
        total, readable = self.amount(column)
        if readable and total is None:
            self.fail(column, Reason.of("missing", field=Field.TOTAL.value))
        elif total == 0:
            self.fail(column, Reason.of("total_not_positive"))
        return total or None

    def year_plan(self, total: int | None) -> int | None:
        column = self.sheet.fields[Field.YEAR_PLAN]
        year, readable = self.amount(column)
        if readable and year is None:
            self.fail(column, Reason.of("missing", field=Field.YEAR_PLAN.value))
        elif year is not None and total is not None and year > total:
            self.fail(column, Reason.of("plan_over_total", plan=format_wan(year),
                                        total=format_wan(total)))  # fmt: skip
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
        self.errors.append(RowError(self.number, span, Reason.of(
            "months_over_plan", months=format_wan(sum(months)), plan=format_wan(year),
        )))  # fmt: skip
        return None

    def choice(self, field: Field, parse: Callable[[str], T | None], refusal: str) -> T | None:
        """A value from a fixed list; `refusal` is the code of the error for one not in it."""
        raw = self.text(field)
        if not raw:
            return None
        parsed = parse(raw)
        if parsed is None:
            self.fail(self.sheet.fields[field], Reason.of(refusal, field=field.value, text=raw))
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
            self.fail(column, Reason.of("bad_date", text=cell_text(raw)))
            return None

    def parse(self) -> ProjectRow | None:
        name = self.required_text(Field.NAME)
        unit = self.required_text(Field.UNIT)
        category = self.choice(Field.CATEGORY, parse_category, "bad_category")
        stage = self.choice(Field.STAGE, parse_stage, "bad_stage")
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
