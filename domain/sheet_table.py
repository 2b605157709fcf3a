"""One sheet of an upload as plain cell values, built within the import's limits.

Every reader (.xlsx/.xls/.ods, HTML, CSV) feeds its rows through a ``TableBuilder``, so the
limits and the clean-up hold the same for every format: text is cleaned where it is read
(control, zero-width and bidi characters never reach storage), blank rows cost nothing,
columns past ``MAX_COLUMNS`` are dropped with a warning, and reading stops as soon as a sheet
has more rows, or the whole file more cells or text, than an import can hold.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.import_errors import ImportFileError, Reason
from domain.text import clean, clean_line

MAX_COLUMNS = 300
EXTRA_ROWS = 200  # title, header, note and subtotal rows allowed on top of max_rows
# What one upload may bring into memory, over all its sheets: a 5,000-project list with 30
# columns is ~150,000 cells and ~3 million characters.
MAX_CELLS = 1_500_000
MAX_TEXT_CHARS = 8_000_000
MAX_MERGED_RANGES = 20_000


def too_many_rows(max_rows: int) -> ImportFileError:
    """The error for a list longer than allowed."""
    return ImportFileError("too_many_rows", max_rows=max_rows)


def _too_much() -> ImportFileError:
    return ImportFileError("too_much")


@dataclass(frozen=True)
class Table:
    """One sheet: ``rows`` holds (row number, cell values) for each non-empty row."""

    name: str
    rows: list[tuple[int, list[object]]]
    width: int
    warnings: list[Reason] = field(default_factory=list)


@dataclass
class Budget:
    """Cells and characters one upload has used so far, over all its sheets."""

    cells: int = 0
    chars: int = 0

    def spend(self, cells: int, chars: int = 0) -> None:
        self.cells += cells
        self.chars += chars
        if self.cells > MAX_CELLS or self.chars > MAX_TEXT_CHARS:
            raise _too_much()


def _value(value: object) -> object:
    """A cell as stored in a Table: text cleaned, blank as None."""
    if isinstance(value, str):
        text = clean(value)
        return text or None
    if value is None:
        return None
    return value


class TableBuilder:
    """Collects the rows of one sheet; ``build`` fills merged ranges and returns the Table."""

    def __init__(self, name: str, max_rows: int, budget: Budget) -> None:
        self.name = clean_line(name) or "Sheet"
        self.max_rows = max_rows
        self.budget = budget
        self.rows: dict[int, list[object]] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.clipped = False

    def add(self, number: int, values: Iterable[object], *, first_column: int = 1) -> None:
        """Add spreadsheet row ``number`` (1-based) whose first value is in ``first_column``.

        Raises:
            ImportFileError: the sheet has more rows, or the file more content, than allowed.
        """
        values = list(values)
        keep = max(0, MAX_COLUMNS - first_column + 1)
        if not self.clipped and any(_value(value) is not None for value in values[keep:]):
            self.clipped = True
        row: list[object] = [None] * min(first_column - 1, MAX_COLUMNS)
        chars = 0
        for raw in values[:keep]:
            value = _value(raw)
            row.append(value)
            if isinstance(value, str):
                chars += len(value)
        while row and row[-1] is None:
            row.pop()
        if not row:
            return
        self.budget.spend(len(row), chars)
        self.rows[number] = row
        if len(self.rows) > self.max_rows + EXTRA_ROWS:
            raise too_many_rows(self.max_rows)

    def merge(self, first_row: int, first_column: int, last_row: int, last_column: int) -> None:
        """Record a merged range (1-based, inclusive); its top-left value fills it at build."""
        if (last_row, last_column) == (first_row, first_column):
            return
        self.merges.append((first_row, first_column, last_row, last_column))
        if len(self.merges) > MAX_MERGED_RANGES:
            raise _too_much()

    def build(self) -> Table:
        """The sheet as a Table, merged ranges filled from their top-left cell."""
        numbers = sorted(self.rows)
        for first_row, first_col, last_row, last_col in self.merges:
            top = self.rows.get(first_row)
            top_left = top[first_col - 1] if top and first_col <= len(top) else None
            if top_left is None or first_col > MAX_COLUMNS:
                continue
            last_col = min(last_col, MAX_COLUMNS)
            # Fill only rows that exist: a merge hanging over blank rows must not invent rows.
            start = bisect.bisect_left(numbers, first_row)
            end = bisect.bisect_right(numbers, last_row)
            self.budget.spend((end - start) * (last_col - first_col + 1))
            for number in numbers[start:end]:
                row = self.rows[number]
                if len(row) < last_col:
                    row.extend([None] * (last_col - len(row)))
                row[first_col - 1 : last_col] = [top_left] * (last_col - first_col + 1)
        width = max((len(row) for row in self.rows.values()), default=0)
        rows = [(n, self.rows[n] + [None] * (width - len(self.rows[n]))) for n in numbers]
        warnings: list[Reason] = []
        if self.clipped:
            warnings.append(Reason.of("columns_dropped", sheet=self.name, max=MAX_COLUMNS))
        return Table(name=self.name, rows=rows, width=width, warnings=warnings)
