"""What parsing a project list yields, its JSON form, and the check against the 合计 row.

The bot parses uploads in a child process (``import_worker``), so the result crosses a pipe
as JSON: plain values only, nothing a parser bug could turn into code on the bot's side.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.import_errors import Reason
from domain.milestone_import import MilestoneRow
from domain.stages import Stage


@dataclass(frozen=True)
class ProjectRow:
    """One valid project read from the list. Money is integer 元."""

    row: int  # 1-based spreadsheet row number, for messages
    code: str | None  # None when the file only has 序号
    name: str
    unit: str  # 责任单位
    category: str | None  # one of stages.CATEGORIES
    stage: Stage | None
    leader: str | None  # 包抓领导
    total_yuan: int
    year_plan_yuan: int
    monthly_plan_yuan: tuple[int, ...] | None  # per-month plan, Jan..Dec
    build_type: str | None  # 新建 / 续建
    liaison: str | None
    extra: dict[str, str]  # other columns by header text, e.g. 建设内容
    planned_start: date | None = None  # 计划开工时间
    planned_completion: date | None = None  # 计划竣工时间


@dataclass(frozen=True)
class RowError:
    """A problem in one row; ``column`` is the header as in the file ("" for the whole row)."""

    row: int
    column: str
    reason: Reason


@dataclass(frozen=True)
class SheetTotal:
    """The sheet's own 合计 row: its figures in 元 (None when blank) and their precision.

    A figure's slack is half a unit of the last digit it was written with, so a 合计 typed
    as 43.35 亿元 agrees with projects that add up to 43.3512 亿元.
    """

    row: int
    total_yuan: int | None
    year_plan_yuan: int | None
    total_slack_yuan: int = 0
    year_plan_slack_yuan: int = 0


@dataclass(frozen=True)
class ImportResult:
    """Valid rows, row errors and what was understood about the file."""

    rows: list[ProjectRow]
    errors: list[RowError]
    sheet: str
    header_row: int  # 1-based row of the (bottom) header row; data starts below it
    money_unit: str  # unit of the 总投资 column: "亿元", "万元" or "元"
    warnings: list[Reason]
    milestones: list[MilestoneRow] = dataclasses.field(default_factory=list)
    sheet_total: SheetTotal | None = None


@dataclass(frozen=True)
class TotalsCheck:
    """The rows to be imported, added up, against the sheet's 合计 row when it has one."""

    total_yuan: int
    year_plan_yuan: int
    sheet_total: SheetTotal | None

    @property
    def mismatched(self) -> list[str]:
        """Which figures ("total", "year_plan") differ from the 合计 row beyond rounding."""
        if self.sheet_total is None:
            return []
        sheet = self.sheet_total
        figures = {
            "total": (self.total_yuan, sheet.total_yuan, sheet.total_slack_yuan),
            "year_plan": (self.year_plan_yuan, sheet.year_plan_yuan, sheet.year_plan_slack_yuan),
        }
        return [
            name
            for name, (ours, theirs, slack) in figures.items()
            if theirs is not None and abs(ours - theirs) > slack
        ]


def check_totals(result: ImportResult) -> TotalsCheck:
    """Sum the rows that will be stored and compare them with the sheet's 合计 row."""
    return TotalsCheck(
        total_yuan=sum(row.total_yuan for row in result.rows),
        year_plan_yuan=sum(row.year_plan_yuan for row in result.rows),
        sheet_total=result.sheet_total,
    )


# --- JSON ----------------------------------------------------------------------------------


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _row_to_json(row: object) -> dict[str, Any]:
    return {key: _plain(value) for key, value in dataclasses.asdict(row).items()}  # type: ignore[call-overload]


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def to_json(result: ImportResult) -> dict[str, Any]:
    """The result as JSON-ready values (dates as ISO text)."""
    data = {key: getattr(result, key) for key in ("sheet", "header_row", "money_unit")}
    data["warnings"] = [warning.to_json() for warning in result.warnings]
    data["rows"] = [_row_to_json(row) for row in result.rows]
    data["errors"] = [
        {"row": e.row, "column": e.column, "reason": e.reason.to_json()} for e in result.errors
    ]
    data["milestones"] = [_row_to_json(node) for node in result.milestones]
    total = result.sheet_total
    data["sheet_total"] = dataclasses.asdict(total) if total is not None else None
    return data


def from_json(data: dict[str, Any]) -> ImportResult:
    """The result back from ``to_json``."""
    rows = []
    for row in data["rows"]:
        monthly = row["monthly_plan_yuan"]
        rows.append(
            ProjectRow(
                **{
                    **row,
                    "stage": Stage(row["stage"]) if row["stage"] else None,
                    "monthly_plan_yuan": tuple(monthly) if monthly is not None else None,
                    "planned_start": _date(row["planned_start"]),
                    "planned_completion": _date(row["planned_completion"]),
                }
            )
        )
    milestones = [
        MilestoneRow(**{**m, "due": date.fromisoformat(m["due"])}) for m in data["milestones"]
    ]
    total = data["sheet_total"]
    return ImportResult(
        rows=rows,
        errors=[
            RowError(e["row"], e["column"], Reason.from_json(e["reason"])) for e in data["errors"]
        ],
        sheet=data["sheet"],
        header_row=data["header_row"],
        money_unit=data["money_unit"],
        warnings=[Reason.from_json(warning) for warning in data["warnings"]],
        milestones=milestones,
        sheet_total=SheetTotal(**total) if total is not None else None,
    )
