"""Turn uploaded .xlsx / .csv bytes into plain tables of cell values.

Only rows that hold a value are kept, each with its 1-based spreadsheet row number, so a
stray formatted cell at row 1,000,000 costs nothing. Merged ranges are filled from their
top-left cell, which is how a unit written once for several projects reaches every row.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from domain.import_errors import ImportFileError

MAX_FILE_BYTES = 20 * 1024 * 1024  # Telegram bots cannot download more anyway
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a 5000-row list is ~20 MB of XML; more is a zip bomb
MAX_ZIP_ENTRIES = 5000
MAX_COLUMNS = 300
EXTRA_ROWS = 200  # title, header, note and subtotal rows allowed on top of max_rows

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also password-protected .xlsx
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}

UNREADABLE_XLSX = "文件已损坏或不是有效的 .xlsx 工作簿，请用 Excel/WPS 打开后另存为 .xlsx 再上传"


@dataclass(frozen=True)
class Table:
    """One sheet: ``rows`` holds (row number, cell values) for each non-empty row."""

    name: str
    rows: list[tuple[int, list[object]]]
    width: int
    warnings: list[str] = field(default_factory=list)


def too_many_rows(max_rows: int) -> ImportFileError:
    """The error for a list longer than allowed."""
    return ImportFileError(f"项目行数超过上限（最多{max_rows}行），请分批导入")


def read_tables(filename: str, content: bytes, *, max_rows: int) -> Iterator[Table]:
    """Yield the tables in an uploaded file, first sheet first.

    Raises:
        ImportFileError: empty, too big, unsupported type or unreadable content.
    """
    if not content:
        raise ImportFileError("文件为空")
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError("文件过大（最大 20MB）")
    suffix = PurePath(filename or "").suffix.lower()
    if content.startswith(_OLE_MAGIC):
        raise ImportFileError("不支持 .xls 格式或已加密的文件，请另存为 .xlsx 或 .csv 后上传")
    if suffix in _XLSX_SUFFIXES or (suffix in {"", ".xls"} and content.startswith(_ZIP_MAGIC)):
        yield from _read_xlsx(content, max_rows)
    elif suffix == ".xls":
        raise ImportFileError("不支持 .xls 格式，请另存为 .xlsx 或 .csv 后上传")
    elif suffix in _CSV_SUFFIXES or not suffix:
        yield _read_csv(PurePath(filename or "").name or "CSV", content, max_rows)
    else:
        raise ImportFileError(f"不支持的文件类型“{suffix}”，请上传 .xlsx 或 .csv 文件")


# --- xlsx ----------------------------------------------------------------------------------


def _check_zip(content: bytes) -> None:
    """Reject non-workbooks and zip bombs before openpyxl inflates anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
    except Exception:  # BadZipFile, NotImplementedError (odd versions), OSError, ...
        raise ImportFileError(UNREADABLE_XLSX) from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError(UNREADABLE_XLSX)
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise ImportFileError("文件解压后过大，请删除无关工作表或分批导入")


def _read_xlsx(content: bytes, max_rows: int) -> Iterator[Table]:
    _check_zip(content)
    try:
        # Not read_only: merged ranges are only available on normal worksheets.
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        tables = [_sheet_table(sheet, max_rows) for sheet in workbook.worksheets]
    except ImportFileError:
        raise
    except Exception:  # malformed XML surfaces as many exception types inside openpyxl
        raise ImportFileError(UNREADABLE_XLSX) from None
    # Visible sheets first: hidden ones are usually lookup lists, not the project list.
    hidden = [sheet.sheet_state != "visible" for sheet in workbook.worksheets]
    yield from (table for _, table in sorted(zip(hidden, tables, strict=True), key=_first))


def _first(pair: tuple[bool, Table]) -> bool:
    return pair[0]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet_table(sheet: Worksheet, max_rows: int) -> Table:
    # ws._cells holds only the cells present in the file; iter_rows() would create every
    # empty coordinate up to max_row, which a stray formatted cell can push to 1,048,576.
    cells: dict[int, dict[int, object]] = {}
    clipped = False
    for (row, col), cell in sheet._cells.items():
        if _is_blank(cell.value):
            continue
        if col > MAX_COLUMNS:
            clipped = True
            continue
        cells.setdefault(row, {})[col] = cell.value
        if len(cells) > max_rows + EXTRA_ROWS:
            raise too_many_rows(max_rows)
    for merged in sheet.merged_cells.ranges:
        top_left = cells.get(merged.min_row, {}).get(merged.min_col)
        if top_left is None:
            continue
        # Fill only rows that exist: a merge hanging over blank rows must not invent rows.
        for row in range(merged.min_row, merged.max_row + 1):
            if row not in cells:
                continue
            for col in range(merged.min_col, min(merged.max_col, MAX_COLUMNS) + 1):
                cells[row][col] = top_left
    width = max((max(row) for row in cells.values()), default=0)
    rows = [
        (number, [cells[number].get(col) for col in range(1, width + 1)])
        for number in sorted(cells)
    ]
    warnings = [f"工作表“{sheet.title}”超过{MAX_COLUMNS}列，多余的列已忽略"] if clipped else []
    return Table(name=sheet.title, rows=rows, width=width, warnings=warnings)


# --- csv -----------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)  # Excel's "Unicode text" export
    else:
        encodings = ("utf-8-sig", "gb18030")  # WPS/Excel on Chinese Windows write GBK
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ImportFileError("无法识别文件内容或编码，请上传 .xlsx，或 UTF-8 / GBK 编码的 .csv")


def _delimiter(text: str) -> str:
    """Comma or tab, whichever the first lines use more (the Chinese "，" is text, not a split)."""
    sample = "\n".join(text.splitlines()[:30])
    return "\t" if sample.count("\t") > sample.count(",") else ","


def _read_csv(name: str, content: bytes, max_rows: int) -> Table:
    text = _decode(content)
    rows: list[tuple[int, list[object]]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        for number, record in enumerate(reader, start=1):
            values: list[object] = [v.strip() or None for v in record[:MAX_COLUMNS]]
            if any(v is not None for v in values):
                rows.append((number, values))
            if len(rows) > max_rows + EXTRA_ROWS:
                raise too_many_rows(max_rows)
    except csv.Error:
        raise ImportFileError("CSV 文件格式有误，请检查引号或用 Excel 另存为 .xlsx") from None
    width = max((len(values) for _, values in rows), default=0)
    padded = [(n, values + [None] * (width - len(values))) for n, values in rows]
    return Table(name=name, rows=padded, width=width)
