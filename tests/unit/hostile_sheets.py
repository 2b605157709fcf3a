""".xlsx files shaped to hurt a reader, written as raw XML (no writer would make them).

Each is small on the wire: a value at XFD1048576 (a dense reader asks for 512 GB), one long
string shared by 200,000 cells, a sheet claiming 1,048,576 rows, and text with control,
zero-width and bidi characters (Excel writes control characters as _x0007_ escapes).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CONTENT_TYPES = (
    f'<?xml version="1.0"?><Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_ROOT_RELS = (
    f'<?xml version="1.0"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
    '<sheet name="项目" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
HEADER = ("项目名称", "责任单位", "总投资", "年度计划投资")


def column_letters(number: int) -> str:
    """1 -> "A", 16384 -> "XFD"."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell(row: int, column: int, value: object) -> str:
    """One <c> element: numbers as numbers, text inline."""
    ref = f"{column_letters(column)}{row}"
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row_xml(number: int, values: Sequence[object]) -> str:
    cells = "".join(cell(number, i, v) for i, v in enumerate(values, 1) if v is not None)
    return f'<row r="{number}">{cells}</row>'


def raw_xlsx(rows: Iterable[str], *, strings: Iterable[str] = (), dimension: str = "A1") -> bytes:
    """An .xlsx whose sheet XML is ``rows`` (each a <row> element) and shared ``strings``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(f'<?xml version="1.0"?><sst xmlns="{_MAIN}">'.encode())
            for text in strings:
                part.write(f"<si><t>{text}</t></si>".encode())
            part.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}">'.encode())
            part.write(f'<dimension ref="{dimension}"/><sheetData>'.encode())
            for row in rows:
                part.write(row.encode())
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def list_rows(n: int = 3) -> list[str]:
    """A header and ``n`` valid projects (万元)."""
    rows = [row_xml(1, HEADER)]
    rows += [row_xml(i + 2, [f"项目{i + 1}", "城关区", 100 + i, 50]) for i in range(n)]
    return rows


def far_value_xlsx() -> bytes:
    """A small list plus one value at XFD1048576: its bounding box is 17 billion cells."""
    return raw_xlsx([*list_rows(), row_xml(1048576, [*[None] * 16383, "x"])])


def claims_every_row_xlsx() -> bytes:
    """A list whose sheet claims 1,048,576 rows: styled empty cells down to the last row."""
    styled = (
        f'<row r="{r}">' + "".join(f'<c r="{column_letters(c)}{r}" s="1"/>' for c in (1, 2))
        for r in range(5, 1048577, 997)
    )
    last = '<row r="1048576"><c r="A1048576" s="1"/></row>'
    return raw_xlsx([*list_rows(), *styled, last], dimension="A1:XFD1048576")


def shared_string_fanout_xlsx(cells: int = 200_000, length: int = 30_000) -> bytes:
    """One ``length``-character shared string referenced by ``cells`` cells (a few GB dense)."""
    width = 100

    def rows() -> Iterable[str]:
        yield row_xml(1, HEADER)
        for r in range(2, cells // width + 2):
            refs = "".join(
                f'<c r="{column_letters(c)}{r}" t="s"><v>0</v></c>' for c in range(1, width + 1)
            )
            yield f'<row r="{r}">{refs}</row>'

    return raw_xlsx(rows(), strings=["甲" * length])


LEADER = "王\u202e副市长"


def dirty_text_xlsx() -> bytes:
    """Names with control characters (as Excel escapes them), zero-width and bidi marks."""
    return raw_xlsx(
        [
            row_xml(1, ("项目编号", *HEADER, "包抓领导")),
            row_xml(2, ["XM-901", "污水_x0007_处理\u200b厂", "城关_x001B_区", 100, 50, LEADER]),
        ]
    )
