"""The ledger's cells: typed text is text (never a formula or an error value), exactly as typed;
numbers and dates we generate stay numbers and dates."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook

from ledger.export_xlsx import DAY, INT, MONEY, TEXT, TIME, WRAP, Sheet

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
COLUMNS = (("code", 10, TEXT), ("name", 10, WRAP), ("done", 10, MONEY), ("day", 10, DAY),
           ("revisions", 10, INT), ("at", 10, TIME))  # fmt: skip
RISKY = [
    '=HYPERLINK("http://evil.example/x","点此查看")', "+1", "-2+3", "@SUM(A1)", "\t=1+1",
    "\r=1+1", "\n=1", "＝1＋1", "=",
]  # fmt: skip
PLAIN = ["城东污水处理厂", "#N/A", "#DIV/0!", "2026-11-30", "001", " 前后空格 "]


def write(path: Path, texts: list[str]) -> None:
    wb = Workbook(write_only=True)
    sheet = Sheet.create(wb, "entries", COLUMNS, "title")
    sheet.write([(text, text, 12_345_678, date(2026, 11, 30), 3, datetime(2026, 11, 30, 9, 5))
                 for text in texts])  # fmt: skip
    wb.save(path)


def test_typed_text_is_text_exactly_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "cells.xlsx"
    write(path, RISKY + PLAIN)
    ws = load_workbook(path).worksheets[0]
    for row, text in enumerate(RISKY + PLAIN, start=2):
        for column in (1, 2):
            cell = ws.cell(row, column)
            # XML turns a raw CR into a line feed for every reader (stored text has none: the
            # boundary's clean() keeps line breaks as \n).
            assert (cell.value, cell.data_type) == (text.replace("\r", "\n"), "s"), text
            # Excel's quote prefix keeps a formula-like text text even when the cell is edited.
            assert cell.quotePrefix == (text in RISKY), text
        assert ws.cell(row, 3).value == 1234.57 and ws.cell(row, 3).data_type == "n"
        assert ws.cell(row, 4).value == datetime(2026, 11, 30) and ws.cell(row, 4).is_date
        assert ws.cell(row, 5).value == 3 and ws.cell(row, 5).data_type == "n"
        assert ws.cell(row, 6).value == datetime(2026, 11, 30, 9, 5)


def test_no_formula_in_the_sheet_xml(tmp_path: Path) -> None:
    path = tmp_path / "cells.xlsx"
    write(path, RISKY)
    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    cells = list(root.iter(f"{NS}c"))
    assert not list(root.iter(f"{NS}f"))
    inline = [c for c in cells if c.get("t") == "inlineStr"]
    shown = {"".join(t.text or "" for t in c.iter(f"{NS}t")) for c in inline}
    assert {text.replace("\r", "\n") for text in RISKY} <= shown
    assert not [c for c in cells if c.get("t") in ("e", "str")]  # no error values, no formulas
