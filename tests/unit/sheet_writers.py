"""The same rows as ``sample_sheets.workbook_bytes`` writes, as .xls, .ods and HTML bytes.

Offices send all of these: .xls from Excel 97-2003 and older WPS, .ods from LibreOffice and
WPS, and an HTML table saved as ".xls" by WPS and many government systems. xlwt and odfpy
(pinned in the dev extras) write the binary ones; merges are given like "A1:D1".
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Sequence
from decimal import Decimal

import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P
from openpyxl.utils import range_boundaries

Rows = Sequence[Sequence[object]]
Sheets = Sequence[tuple[str, Rows]]


def _merges(merges: Sequence[str]) -> dict[tuple[int, int], tuple[int, int]]:
    """{(top row, left column): (rows, columns)}, 0-based, from "A1:D1" strings."""
    found = {}
    for text in merges:
        left, top, right, bottom = range_boundaries(text)
        found[(top - 1, left - 1)] = (bottom - top + 1, right - left + 1)
    return found


def _covered(spans: dict[tuple[int, int], tuple[int, int]]) -> set[tuple[int, int]]:
    return {
        (r, c)
        for (top, left), (rows, columns) in spans.items()
        for r in range(top, top + rows)
        for c in range(left, left + columns)
        if (r, c) != (top, left)
    }


def _plain(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


# --- .xls ----------------------------------------------------------------------------------

_DATE_STYLE = xlwt.easyxf(num_format_str="YYYY-MM-DD")


def xls_bytes(
    rows: Rows, *, merges: Sequence[str] = (), title: str = "Sheet1", extra_sheets: Sheets = ()
) -> bytes:
    """An Excel 97-2003 workbook (BIFF8) with ``rows`` from A1."""
    book = xlwt.Workbook(encoding="utf-8")
    for name, sheet_rows, sheet_merges in [
        (title, rows, merges),
        *((n, r, ()) for n, r in extra_sheets),
    ]:
        sheet = book.add_sheet(name)
        spans = _merges(sheet_merges)
        covered = _covered(spans)
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                value = _plain(value)
                if (r, c) in covered or (value is None and (r, c) not in spans):
                    continue
                style = _DATE_STYLE if isinstance(value, dt.date) else xlwt.Style.default_style
                if (r, c) in spans:
                    height, width = spans[(r, c)]
                    sheet.write_merge(r, r + height - 1, c, c + width - 1, value, style)
                else:
                    sheet.write(r, c, value, style)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- .ods ----------------------------------------------------------------------------------


def _ods_cell(value: object, span: tuple[int, int] | None) -> TableCell:
    attributes: dict[str, object] = {}
    if span is not None:
        attributes = {"numberrowsspanned": span[0], "numbercolumnsspanned": span[1]}
    value = _plain(value)
    if value is None:
        return TableCell(**attributes)
    if isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower(), **attributes)
    elif isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value, **attributes)
    elif isinstance(value, dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat()[:10], **attributes)
    else:
        cell = TableCell(valuetype="string", **attributes)
    for line in str(value).split("\n"):
        cell.addElement(P(text=line))
    return cell


def ods_bytes(
    rows: Rows, *, merges: Sequence[str] = (), title: str = "Sheet1", extra_sheets: Sheets = ()
) -> bytes:
    """An OpenDocument spreadsheet with ``rows`` from A1."""
    document = OpenDocumentSpreadsheet()
    for name, sheet_rows, sheet_merges in [
        (title, rows, merges),
        *((n, r, ()) for n, r in extra_sheets),
    ]:
        table = Table(name=name)
        spans = _merges(sheet_merges)
        covered = _covered(spans)
        width = max((len(row) for row in sheet_rows), default=0)
        for r, row in enumerate(sheet_rows):
            element = TableRow()
            for c in range(width):
                if (r, c) in covered:
                    element.addElement(CoveredTableCell())
                else:
                    value = row[c] if c < len(row) else None
                    element.addElement(_ods_cell(value, spans.get((r, c))))
            table.addElement(element)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


# --- HTML saved as .xls --------------------------------------------------------------------


def html_bytes(
    rows: Rows,
    *,
    merges: Sequence[str] = (),
    title: str = "Sheet1",
    extra_sheets: Sheets = (),
    encoding: str = "utf-8",
) -> bytes:
    """An HTML page as WPS and government systems export ".xls": one table per sheet, merges
    as rowspan/colspan, in ``encoding`` (declared in a meta tag)."""
    charset = "gb2312" if encoding.lower() in ("gbk", "gb2312", "gb18030") else encoding
    lines = [
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>',
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        f"<title>{html.escape(title)}</title>",
        "<style>td { mso-number-format:\\@; }</style></head><body>",
    ]
    for sheet_rows, sheet_merges in [(rows, merges), *((r, ()) for _, r in extra_sheets)]:
        lines += _html_table(sheet_rows, sheet_merges)
    lines.append("</body></html>")
    return "\n".join(lines).encode(encoding)


def _html_table(rows: Rows, merges: Sequence[str]) -> list[str]:
    spans = _merges(merges)
    covered = _covered(spans)
    lines = ['<table border="1">']
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            if (r, c) in covered:
                continue
            height, width = spans.get((r, c), (1, 1))
            span = (f' rowspan="{height}"' if height > 1 else "") + (
                f' colspan="{width}"' if width > 1 else ""
            )
            text = "" if value is None else html.escape(str(_plain(value))).replace("\n", "<br>")
            cells.append(f"<td{span}>{text}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return lines
