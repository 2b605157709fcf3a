"""Tell project rows from the other rows city lists mix in: sections, totals, notes."""

import re
from enum import StrEnum

from domain.cell_values import cell_text
from domain.header_detect import Field, HeaderLayout, match_field, read_header
from domain.text import squash


class RowKind(StrEnum):
    """What a row below the header is."""

    PROJECT = "project"
    BLANK = "blank"
    TOTAL = "total"  # 合计 / 小计 / 总计
    SECTION = "section"  # "一、产业项目（50个）"
    NOTE = "note"  # "注：…", "填报人：…"
    HEADER = "header"  # the header repeated on a later page


_TOTAL = re.compile(r"合计|小计|总计|共计")
_SECTION = re.compile(
    r"^([一二三四五六七八九十]+[、.．]"  # 一、产业项目
    r"|[(（][一二三四五六七八九十]+[)）]"  # （一）新开工项目
    r"|第[一二三四五六七八九十]+[部类批]"  # 第一类
    r"|[一二三四五六七八九十]+$)"  # the 序号 cell of a section row holds just "一"
    r"|[(（]\d+个(项目)?[)）]$"  # 产业项目（50个）
)
_NOTE = re.compile(r"^(注|备注|说明|附注|填报|制表|审核|审批|联系人|联系电话)\d?[:：.、]")
_SHORT = 24  # a 合计 label is short; a project name that merely contains 总计 is not


def _label_kind(text: str) -> RowKind | None:
    """The kind a non-project label announces, or None for ordinary text."""
    if _TOTAL.search(text) and len(text) <= _SHORT:
        return RowKind.TOTAL
    if _NOTE.match(text):
        return RowKind.NOTE
    if _SECTION.search(text):
        return RowKind.SECTION
    return None


def _is_header_text(text: str, field: Field) -> bool:
    found = match_field(read_header(text).key)
    return found is not None and found[0] is field


def classify_row(values: list[object], layout: HeaderLayout) -> RowKind:
    """Classify one row of cell values using the header layout."""
    texts = [squash(cell_text(value)) for value in values]
    filled = [text for text in texts if text]
    if not filled:
        return RowKind.BLANK
    fields = layout.fields()

    def text_of(field: Field) -> str:
        column = fields.get(field)
        return texts[column.index] if column is not None and column.index < len(texts) else ""

    seq = fields.get(Field.SEQ)
    if seq is not None and all(not text for i, text in enumerate(texts) if i != seq.index):
        # Only the 序号 cell: a section label there, or a number pre-filled further down
        # than the list goes.
        return _label_kind(texts[seq.index]) or RowKind.BLANK
    code, name = text_of(Field.CODE), text_of(Field.NAME)
    if _is_header_text(name, Field.NAME) or _is_header_text(code, Field.CODE):
        return RowKind.HEADER
    # A genuine project code appears once; a label merged across the row repeats in it.
    if code and texts.count(code) == 1 and _label_kind(code) is None:
        return RowKind.PROJECT
    for text in (*filled[:2], name):
        kind = _label_kind(text) if text else None
        if kind is not None:
            return kind
    if len(set(filled)) == 1 and len(filled) > 1:
        return RowKind.SECTION  # one label merged across the row
    return RowKind.PROJECT


def is_grand_total(values: list[object]) -> bool:
    """A 合计/总计 row, not a section's 小计."""
    return not any("小计" in squash(cell_text(value)) for value in values)
