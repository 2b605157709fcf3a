"""Read .xlsx, .xls and .ods workbooks with python-calamine (Rust), merged ranges included.

calamine reads a 5,000-row sheet about 15x faster than openpyxl in read-only mode
(``bench.imports``). It holds a whole sheet as one dense range in native memory, so a file
that is small on the wire can still ask for gigabytes (one value at XFD1048576, one long
string shared by a million cells); that is why the bot reads uploads in a child process with
a memory cap (``import_worker``). The checks here turn the common cases into clear replies.
"""

from __future__ import annotations

import io
import zipfile
from xml.parsers import expat

import python_calamine as calamine

from domain.import_errors import ImportFileError
from domain.sheet_table import MAX_MERGED_RANGES as MAX_MERGES
from domain.sheet_table import Budget, Table, TableBuilder

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a 5000-row list is ~20 MB of XML; more is a zip bomb
MAX_ZIP_ENTRIES = 5000
MAX_SHEETS = 100

# Why a workbook is refused (domain.import_errors codes).
UNREADABLE, ENCRYPTED, XLSB = "workbook_unreadable", "encrypted", "xlsb"
TOO_BIG_UNZIPPED, RANGE_TOO_BIG = "too_big_unzipped", "range_too_big"

_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # an OLE-wrapped, encrypted .xlsx
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def zip_kind(content: bytes) -> str:
    """ "xlsx" or "ods" for a workbook in a zip container, after the zip-bomb checks.

    Raises:
        ImportFileError: not a workbook, a binary .xlsb, or too large once inflated.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except Exception:  # BadZipFile, NotImplementedError (odd versions), OSError, ...
        raise ImportFileError(UNREADABLE) from None
    # Declared sizes bound what zipfile (and calamine) will inflate: a longer stream fails.
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise ImportFileError(TOO_BIG_UNZIPPED)
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise ImportFileError(XLSB)
    if mimetype.strip() == _ODS_MIME and "content.xml" in names:
        return "ods"
    raise ImportFileError(UNREADABLE)


def check_ole(content: bytes) -> None:
    """Refuse an encrypted workbook (Excel wraps those in an OLE file like .xls) up front."""
    if _ENCRYPTED_STREAM in content:
        raise ImportFileError(ENCRYPTED)


def read_workbook(content: bytes, kind: str, *, max_rows: int, budget: Budget) -> list[Table]:
    """The worksheets of an .xlsx/.xls/.ods, visible ones first (hidden ones are lookups).

    Raises:
        ImportFileError: unreadable, encrypted, or more than an import can hold.
    """
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = [
            meta
            for meta in workbook.sheets_metadata
            if meta.typ == calamine.SheetTypeEnum.WorkSheet
        ][:MAX_SHEETS]
        ods_merges = _ods_merges(content) if kind == "ods" else {}
        tables = []
        for meta in sorted(sheets, key=lambda m: m.visible != calamine.SheetVisibleEnum.Visible):
            sheet = workbook.get_sheet_by_name(meta.name)
            builder = TableBuilder(meta.name, max_rows, budget)
            _add_rows(builder, sheet)
            merges = sheet.merged_cell_ranges or ods_merges.get(meta.name, [])
            for (top, left), (bottom, right) in merges:
                builder.merge(top + 1, left + 1, bottom + 1, right + 1)
            tables.append(builder.build())
        return tables
    except ImportFileError:
        raise
    except calamine.PasswordError:
        raise ImportFileError(ENCRYPTED) from None
    except MemoryError:
        raise
    except BaseException as error:  # CalamineError, XmlError, and a Rust panic (PanicException)
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        # calamine refuses some oversized ranges itself ("Cell limit exceeded").
        too_big = "limit" in str(error).lower()
        raise ImportFileError(RANGE_TOO_BIG if too_big else UNREADABLE) from None


def _add_rows(builder: TableBuilder, sheet: calamine.CalamineSheet) -> None:
    start = sheet.start
    if start is None:
        return  # an empty sheet
    # iter_rows yields every row from the first (row 1), each from the range's first column.
    for number, values in enumerate(sheet.iter_rows(), start=1):
        builder.add(number, values, first_column=start[1] + 1)


Merges = dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]


def _ods_merges(content: bytes) -> Merges:
    """Merged ranges of each table in an .ods (calamine reports none for ODS), 0-based."""
    counter = _OdsMerges()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open("content.xml") as stream:
        parser.ParseFile(stream)
    return counter.merges


_T = f"{_TABLE_NS} "


class _OdsMerges:
    """ODS writes a merge as a cell with number-columns/rows-spanned, then covered cells.

    Rows and cells may be repeated, so positions are counted as calamine expands them. A
    streaming parser keeps memory flat however long content.xml is.
    """

    def __init__(self) -> None:
        self.merges: Merges = {}
        self.table, self.depth, self.row, self.column = "", 0, 0, 0
        self.row_repeat, self.count = 1, 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if not name.startswith(_T):
            return
        local = name[len(_T) :]
        if local == "table":
            self.depth += 1
            if self.depth == 1:
                self.table, self.row = attrs.get(f"{_T}name", ""), 0
        elif self.depth != 1:
            return  # nested (sub)tables are rare; their cells are not the sheet's
        elif local == "table-row":
            self.column = 0
            self.row_repeat = _int(attrs.get(f"{_T}number-rows-repeated"))
        elif local in ("table-cell", "covered-table-cell"):
            columns = _int(attrs.get(f"{_T}number-columns-spanned"))
            rows = _int(attrs.get(f"{_T}number-rows-spanned"))
            if local == "table-cell" and (columns > 1 or rows > 1) and self.count < MAX_MERGES:
                self.count += 1
                self.merges.setdefault(self.table, []).append(
                    ((self.row, self.column), (self.row + rows - 1, self.column + columns - 1))
                )
            self.column += _int(attrs.get(f"{_T}number-columns-repeated"))

    def end(self, name: str) -> None:
        if name == f"{_T}table":
            self.depth -= 1
        elif name == f"{_T}table-row" and self.depth == 1:
            self.row += self.row_repeat


def _int(text: str | None) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        return 1
