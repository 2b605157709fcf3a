"""Milestones (节点) from a sheet or file of (project code or name, milestone, due date).

City node schedules (年度投资节点进度表) come as a second sheet of the project list or as a
file of their own; a header row names the columns, and each row is one node of one project.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.cell_values import cell_code, cell_date, cell_text
from domain.import_errors import Reason
from domain.sheet_reader import Table
from domain.text import squash

HEADER_SCAN_ROWS = 15
_CODE = ("项目编号", "项目代码", "编号", "代码")
_PROJECT = ("项目名称", "项目")
_NODE = (
    "节点",
    "节点名称",
    "节点内容",
    "里程碑",
    "主要节点",
    "关键节点",
    "节点目标",
    "形象进度节点",
)
_DUE = ("完成时限", "计划完成时间", "节点时间", "完成时间", "截止时间", "时间节点", "计划时间",
        "完成期限", "时限")  # fmt: skip


@dataclass(frozen=True)
class MilestoneRow:
    row: int
    code: str | None  # project code, or None when the sheet names projects by name only
    project: str  # the code or the name as written, for messages
    name: str
    due: date


@dataclass(frozen=True)
class MilestoneError:
    row: int
    column: str
    reason: Reason


def _find(header: list[str], aliases: tuple[str, ...]) -> int | None:
    for alias in aliases:
        if alias in header:
            return header.index(alias)
    return None


def parse_milestone_table(table: Table) -> tuple[list[MilestoneRow], list[MilestoneError]] | None:
    """Milestones of a table whose header names a project, a node and a due date; else None."""
    for number, values in table.rows[:HEADER_SCAN_ROWS]:
        header = [squash(cell_text(v)) for v in values]
        node, due = _find(header, _NODE), _find(header, _DUE)
        code, project = _find(header, _CODE), _find(header, _PROJECT)
        if node is None or due is None or (code is None and project is None):
            continue
        rows: list[MilestoneRow] = []
        errors: list[MilestoneError] = []
        for row, cells in table.rows:
            if row <= number:
                continue
            key = cell_code(cells[code]) if code is not None else None
            label = key or cell_text(cells[project]) if project is not None else key
            name = cell_text(cells[node])
            if not (label or name):
                continue
            if not label:
                errors.append(MilestoneError(row, header[code if code is not None else project],
                                             Reason.of("missing_project")))  # fmt: skip
                continue
            if not name:
                errors.append(MilestoneError(row, header[node], Reason.of("missing_node")))
                continue
            try:
                when = cell_date(cells[due], end_of_month=True)
            except ValueError:
                when = None
            if when is None:
                errors.append(MilestoneError(row, header[due], Reason.of("bad_due")))
                continue
            rows.append(MilestoneRow(row, key, label or "", name[:100], when))
        return rows, errors
    return None
