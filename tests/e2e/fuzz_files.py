"""The files the fuzz test sends: random but seeded, so a failure replays.

Random bytes under a spreadsheet or picture name, files over Telegram's 20 MB download limit
(by their stated size), damaged workbooks, photos, and real sheets
(.xlsx, .xls, .ods, .csv, raw .xlsx XML) whose cells are hostile: formulas, control and bidi
characters, huge and negative numbers, very long text, codes of the city's projects.
"""

from __future__ import annotations

import io
import math
import random
import zipfile
from dataclasses import dataclass

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.e2e.fuzz_inputs import CODES, FORMULAS, NAMES, STAGES, UNITS, noise, token
from tests.unit.hostile_sheets import dirty_text_xlsx, far_value_xlsx, raw_xlsx, row_xml
from tests.unit.sample_sheets import workbook_bytes
from tests.unit.sheet_writers import ods_bytes, xls_bytes

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@dataclass(frozen=True)
class Upload:
    """A file to send: a document (name, mime) or, when `photo`, a compressed photo;
    `declared` is the size Telegram states when it is not the content's (a huge file)."""

    content: bytes
    filename: str = ""
    mime: str = ""
    photo: bool = False
    declared: int | None = None


SUFFIXES = (".xlsx", ".xls", ".ods", ".csv", ".jpg", ".png", ".txt", ".pdf", "", ".XLSX", ".csv ")
MIMES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".csv": "text/csv",
    ".jpg": "image/jpeg",
    ".png": "image/png",
}
HEADER = ["项目编号", "项目名称", "责任单位", "项目类别", "建设阶段", "包抓领导", "总投资（万元）",
          "年度计划投资（万元）"]  # fmt: skip


def hostile_cell(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.4:
        return token(rng)
    if roll < 0.6:
        return rng.choice(FORMULAS) + noise(rng, rng.randint(0, 5))
    if roll < 0.75:
        return noise(rng, rng.randint(1, 40))
    if roll < 0.85:
        return rng.choice((-1, 0, 10**15, 1.5e308, float("inf"), 3.14159, 10**9))
    if roll < 0.9:
        return "甲" * rng.randint(200, 3000)
    return None


def hostile_rows(rng: random.Random) -> list[list[object]]:
    """A project list whose cells are hostile; some rows are nearly valid (codes of the city)."""
    rows: list[list[object]] = [list(HEADER)]
    for i in range(rng.randint(0, 30)):
        code = rng.choice(CODES) if rng.random() < 0.3 else f"FZ-{i:03d}"
        row = [code, f"项目{i}", rng.choice(UNITS), "产业", rng.choice(STAGES), rng.choice(NAMES),
               1000, 500]  # fmt: skip
        for column in range(len(row)):
            if rng.random() < 0.35:
                row[column] = hostile_cell(rng)
        rows.append(row)
    return rows


def _text_cells(rows: list[list[object]]) -> list[list[object]]:
    """Cells openpyxl writes (control characters go in the raw XML sheets instead)."""

    def fix(value: object) -> object:
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("", value)
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value

    return [[fix(v) for v in row] for row in rows]


def upload(rng: random.Random, *, deep: bool = False) -> Upload:
    """A random file: junk under a known name, a damaged workbook, a real hostile sheet, a
    photo."""
    roll = rng.random()
    if roll < 0.05:  # a file too big for getFile, or whose stated size is wrong
        declared = rng.choice((20 * 2**20 + 1, 50 * 2**20, 2**31, 2**52, 0, 1))
        suffix = rng.choice(SUFFIXES)
        content = rng.choice((rng.randbytes(200), workbook_bytes([HEADER]), PNG))
        if rng.random() < 0.3:
            return Upload(content, photo=True, declared=declared)
        mime = MIMES.get(suffix.strip().lower(), "application/octet-stream")
        return Upload(content, "大文件" + suffix, mime, declared=declared)
    if roll < 0.25:
        suffix = rng.choice(SUFFIXES)
        name = rng.choice(("项目", "list", noise(rng, 6), "=1+1", "a" * 200, "")) + suffix
        content = rng.randbytes(rng.choice((0, 1, 100, 5000)))
        return Upload(content, name, MIMES.get(suffix.strip().lower(), "application/octet-stream"))
    if roll < 0.4:
        return Upload(rng.choice((PNG, rng.randbytes(300), b"")), photo=True)
    if roll < 0.45:
        return Upload(PNG, "现场.jpg", "image/jpeg")
    hostile = hostile_rows(rng)
    rows = _text_cells(hostile)
    kind = rng.choice(("xlsx", "xls", "ods", "csv", "raw", "dirty", "zip"))
    if kind == "xlsx":
        return Upload(workbook_bytes(rows), "项目清单.xlsx", MIMES[".xlsx"])
    if kind == "xls":
        return Upload(xls_bytes(_xls_safe(rows)), "项目清单.xls", MIMES[".xls"])
    if kind == "ods":
        return Upload(ods_bytes(rows), "项目清单.ods", MIMES[".ods"])
    if kind == "csv":
        body = "\n".join(",".join("" if v is None else str(v) for v in row) for row in hostile)
        encoding = rng.choice(("utf-8", "utf-8-sig", "gbk", "utf-16"))
        return Upload(body.encode(encoding, "replace"), "项目清单.csv", MIMES[".csv"])
    if kind == "raw":  # cells written as raw XML, control characters as Excel escapes them
        xml_rows = [row_xml(i + 1, [_x_escaped(v) for v in row]) for i, row in enumerate(hostile)]
        return Upload(raw_xlsx(xml_rows), "raw.xlsx", MIMES[".xlsx"])
    if kind == "dirty":
        return Upload(far_value_xlsx() if deep else dirty_text_xlsx(), "脏.xlsx", MIMES[".xlsx"])
    whole = workbook_bytes(rows)  # a workbook cut short, or a zip of something else
    cut = whole[: rng.randint(0, len(whole))] if rng.random() < 0.5 else _other_zip(rng)
    return Upload(cut, "坏.xlsx", MIMES[".xlsx"])


def _xls_safe(rows: list[list[object]]) -> list[list[object]]:
    """xlwt refuses text over 32,767 characters and numbers it cannot store."""

    def fix(value: object) -> object:
        if isinstance(value, str):
            return value[:30000]
        if isinstance(value, int) and abs(value) > 2**53:
            return str(value)
        return value

    return [[fix(v) for v in row] for row in rows]


def _x_escaped(value: object) -> object:
    """Control characters written as Excel writes them in XML (_x0007_)."""
    if not isinstance(value, str):
        return value
    return "".join(f"_x{ord(c):04X}_" if ord(c) < 0x20 else c for c in value)


def _other_zip(rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", rng.randbytes(50))
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    return buffer.getvalue()
