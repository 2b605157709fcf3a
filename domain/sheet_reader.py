"""Turn an uploaded file into plain tables of cell values: .xlsx, .xls, .ods, HTML or CSV.

The format is read from the content, not the name: WPS and many government systems save an
HTML table (or a CSV) as ".xls", and those are read as what they are. Every reader feeds its
rows through ``sheet_table.TableBuilder``, so text is cleaned, blank rows cost nothing and the
row, column and size limits hold the same for every format.
"""

import csv
import io
from pathlib import PurePath

from domain import workbook_reader
from domain.html_tables import decode_html, read_html_tables
from domain.import_errors import ImportFileError
from domain.sheet_table import Budget, Table, TableBuilder, too_many_rows

__all__ = ["MAX_FILE_BYTES", "Table", "read_tables", "too_many_rows"]

MAX_FILE_BYTES = 20 * 1024 * 1024  # Telegram bots cannot download more anyway

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also password-protected .xlsx
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".ods"}  # these must be the real container
_TEXT_SUFFIXES = {".xls", ".csv", ".txt", ".tsv", ".htm", ".html", ""}
SUFFIXES = _WORKBOOK_SUFFIXES | _TEXT_SUFFIXES
_SPREADSHEET_2003 = b"urn:schemas-microsoft-com:office:spreadsheet"


def read_tables(filename: str, content: bytes, *, max_rows: int) -> list[Table]:
    """The tables in an uploaded file, the one most likely to be the list first.

    Raises:
        ImportFileError: empty, too big, unsupported type or unreadable content.
    """
    if not content:
        raise ImportFileError("empty_file")
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError("file_too_big", mb=MAX_FILE_BYTES // 1024 // 1024)
    path = PurePath(filename or "")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFileError("unsupported_type", suffix=suffix)
    budget = Budget()
    if content.startswith(_ZIP_MAGIC):
        kind = workbook_reader.zip_kind(content)
        return workbook_reader.read_workbook(content, kind, max_rows=max_rows, budget=budget)
    if content.startswith(_OLE_MAGIC):
        workbook_reader.check_ole(content)
        return workbook_reader.read_workbook(content, "xls", max_rows=max_rows, budget=budget)
    if suffix in _WORKBOOK_SUFFIXES:
        raise ImportFileError(workbook_reader.UNREADABLE)
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") and _SPREADSHEET_2003 in content[:65536]:
        raise ImportFileError("excel_2003_xml")
    if _looks_like_html(content):
        return read_html_tables(decode_html(content), max_rows=max_rows, budget=budget)
    return [_read_csv(path.name or "CSV", content, max_rows, budget)]


def _looks_like_html(content: bytes) -> bool:
    head = content[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode()
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and any(
        tag in head for tag in (b"<table", b"<html", b"<!doctype html")
    )


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
    raise ImportFileError("unknown_encoding")


def _delimiter(text: str) -> str:
    """Comma or tab, whichever the first lines use more (the Chinese "，" is text, not a split)."""
    sample = "\n".join(text.splitlines()[:30])
    return "\t" if sample.count("\t") > sample.count(",") else ","


def _read_csv(name: str, content: bytes, max_rows: int, budget: Budget) -> Table:
    text = _decode(content)
    builder = TableBuilder(name, max_rows, budget)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        for number, record in enumerate(reader, start=1):
            builder.add(number, record)
    except csv.Error:
        raise ImportFileError("bad_csv") from None
    return builder.build()
