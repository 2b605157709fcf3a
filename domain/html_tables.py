"""Read HTML tables: what WPS, older Excel and many government systems save as ".xls".

Each top-level <table> becomes one Table. A cell spanning rows or columns (rowspan/colspan)
is a merged range, filled from its value like a merge in .xlsx, and the cells after it move
right as a browser would draw them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from domain.import_errors import ImportFileError
from domain.sheet_table import MAX_COLUMNS, Budget, Table, TableBuilder

MAX_SPAN_ROWS = 65_536
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
UNREADABLE = "html_unreadable"  # a domain.import_errors code

_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""")
_CHINESE = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936"}
_LINE_BREAKERS = {"br", "p", "div", "li"}


def decode_html(content: bytes) -> str:
    """HTML text: by its BOM, its declared charset, else UTF-8, else GB18030."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    declared = _CHARSET.search(content[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return content.decode("gb18030" if name in _CHINESE else name, errors="replace")
        except LookupError:
            pass
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030", errors="replace")


def read_html_tables(text: str, *, max_rows: int, budget: Budget) -> list[Table]:
    """Every top-level table of an HTML page, in page order.

    Raises:
        ImportFileError: no table, or more than an import can hold.
    """
    parser = _TableParser(max_rows, budget)
    try:
        for start in range(0, len(text), 1 << 16):
            parser.feed(text[start : start + (1 << 16)])
        parser.close()
    except ImportFileError:
        raise
    except Exception:  # html.parser is lenient; anything it still chokes on is unreadable
        raise ImportFileError(UNREADABLE) from None
    parser.end_table()
    if not parser.tables:
        raise ImportFileError(UNREADABLE)
    return parser.tables


class _TableParser(HTMLParser):
    def __init__(self, max_rows: int, budget: Budget) -> None:
        super().__init__(convert_charrefs=True)
        self.max_rows = max_rows
        self.budget = budget
        self.tables: list[Table] = []
        self.builder: TableBuilder | None = None
        self.depth = 0  # table nesting; only depth 1 makes rows and cells
        self.skip = 0  # inside <script>/<style>
        self.row_number = 0
        self.row: dict[int, str] | None = None
        self.covered: dict[int, int] = {}  # column -> rows a rowspan still covers
        self.cell: list[str] | None = None
        self.cell_chars = 0
        self.span = (1, 1)

    # --- tags ------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.builder = TableBuilder(
                    f"表{len(self.tables) + 1}", self.max_rows, self.budget
                )
                self.row_number, self.covered = 0, {}
        elif self.depth != 1:
            if tag in _LINE_BREAKERS:
                self.text("\n")
        elif tag == "tr":
            self.end_row()
            self.row = {}
        elif tag in ("td", "th"):
            self.end_cell()
            if self.row is None:
                self.row = {}
            values = dict(attrs)
            self.span = (_span(values.get("rowspan"), MAX_SPAN_ROWS), _span(values.get("colspan")))
            self.cell, self.cell_chars = [], 0
        elif tag in _LINE_BREAKERS:
            self.text("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.text("\n")
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "table":
            if self.depth == 1:
                self.end_table()
            self.depth = max(0, self.depth - 1)
        elif self.depth == 1 and tag in ("td", "th"):
            self.end_cell()
        elif self.depth == 1 and tag == "tr":
            self.end_row()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text(data)

    # --- building --------------------------------------------------------------------------

    def text(self, data: str) -> None:
        if self.cell is None or self.cell_chars >= MAX_CELL_CHARS:
            return
        data = data[: MAX_CELL_CHARS - self.cell_chars]
        self.cell.append(data)
        self.cell_chars += len(data)

    def end_cell(self) -> None:
        if self.cell is None or self.row is None:
            return
        value = "".join(self.cell)
        self.cell = None
        column = 1
        while column in self.covered or column in self.row:
            column += 1
        rows, columns = self.span
        if column <= MAX_COLUMNS:
            self.row[column] = value
        last = min(column + columns - 1, MAX_COLUMNS)
        for spanned in range(column + 1, last + 1):
            self.row.setdefault(spanned, "")  # keeps the next cell to the right of the span
        if rows > 1:
            for spanned in range(column, last + 1):
                self.covered[spanned] = rows  # this row and the rows - 1 below
        if self.builder is not None and (rows > 1 or columns > 1):
            number = self.row_number + 1
            self.builder.merge(number, column, number + rows - 1, column + columns - 1)

    def end_row(self) -> None:
        self.end_cell()
        if self.row is None or self.builder is None:
            return
        self.row_number += 1
        width = max(self.row, default=0)
        self.builder.add(self.row_number, [self.row.get(c) for c in range(1, width + 1)])
        self.row = None
        self.covered = {c: left - 1 for c, left in self.covered.items() if left > 1}

    def end_table(self) -> None:
        self.end_row()
        if self.builder is not None:
            table = self.builder.build()
            if table.rows:
                self.tables.append(table)
        self.builder = None


def _span(text: str | None, limit: int = MAX_COLUMNS) -> int:
    try:
        return min(max(1, int(text or "1")), limit)
    except ValueError:
        return 1
