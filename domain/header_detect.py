"""Find the header of a city project list and say which column holds what.

City lists put a title, a subtitle or a "单位：亿元" note above the header, and often use a
two-level header: a merged parent ("投资情况（亿元）") over children ("总投资", "年度计划投资").
Each candidate row, and each pair of adjacent rows, is scored by how many known columns it
names; the best one wins.
"""

import re
from collections import Counter
from dataclasses import dataclass, replace
from enum import StrEnum

from domain.sheet_reader import Table
from domain.text import squash, strip_spaces

SCAN_ROWS = 20
MIN_SCORE = 2


class Field(StrEnum):
    """What a column means; the value is the label used in messages."""

    CODE = "项目编号"
    SEQ = "序号"
    NAME = "项目名称"
    UNIT = "责任单位"
    CATEGORY = "项目类别"
    STAGE = "建设阶段"
    LEADER = "包抓领导"
    TOTAL = "总投资"
    YEAR_PLAN = "年度计划投资"
    MONTH = "月度计划"
    BUILD_TYPE = "建设性质"
    LIAISON = "联络员"
    PLANNED_START = "计划开工时间"
    PLANNED_COMPLETION = "计划竣工时间"


REQUIRED_FIELDS = (Field.NAME, Field.UNIT, Field.TOTAL, Field.YEAR_PLAN)
MONEY_FIELDS = (Field.TOTAL, Field.YEAR_PLAN, Field.MONTH)

# Earlier aliases win when two columns claim one field (责任单位 beats 建设单位).
_ALIASES: dict[Field, tuple[str, ...]] = {
    Field.CODE: ("项目编号", "项目代码", "项目编码", "编号", "代码", "编码"),
    Field.SEQ: ("序号", "序", "No.", "NO", "No"),
    Field.NAME: ("项目名称", "名称", "项目"),
    Field.UNIT: (
        "责任单位", "牵头单位", "牵头责任单位", "责任主体", "建设单位", "实施单位",
        "项目单位", "建设主体",
    ),
    Field.CATEGORY: ("项目类别", "类别", "项目分类", "分类", "行业", "行业类别", "产业类别"),
    Field.STAGE: ("建设阶段", "项目阶段", "进度阶段", "当前阶段", "阶段", "所处阶段"),
    Field.LEADER: (
        "包抓领导", "帮包领导", "包联领导", "联系领导", "市级领导", "包抓市级领导",
        "市级包抓领导", "市级包联领导", "包抓市领导", "联系市领导",
    ),
    Field.TOTAL: ("总投资", "项目总投资", "计划总投资", "总投资额"),
    Field.YEAR_PLAN: (
        "年度计划投资", "年度计划", "本年计划投资", "年度投资计划", "本年度计划投资",
        "年计划投资", "年度计划完成投资", "年度投资",
    ),
    Field.BUILD_TYPE: ("建设性质", "新建/续建", "新建续建", "项目性质", "新建或续建"),
    Field.LIAISON: ("联络员", "项目联络员", "联系人", "项目联系人"),
    Field.PLANNED_START: (
        "计划开工时间", "计划开工日期", "计划开工", "开工时间", "开工日期", "预计开工时间",
    ),
    Field.PLANNED_COMPLETION: (
        "计划竣工时间", "计划竣工日期", "计划竣工", "计划完工时间", "竣工时间", "预计竣工时间",
        "计划建成时间", "建成时间",
    ),
}  # fmt: skip
_EXACT: dict[str, tuple[Field, int]] = {
    squash(alias): (column_field, rank)
    for column_field, aliases in _ALIASES.items()
    for rank, alias in enumerate(aliases)
}
_YEAR_PLAN = re.compile(r"^(20\d\d年度?|本年度?|当年|今年)(计划(完成)?投资(额)?|投资计划|计划)$")
_MONTH = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]|十[一二])月(份)?(计划(投资)?)?$")
_CHINESE_MONTHS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_NOT_A_PLAN = re.compile(r"完成|实际|累计")  # months under "已完成投资" are progress, not plan

_BRACKETS = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]")
_UNIT_WORD = re.compile(r"亿元|万元|亿|万|元")
_TRAILING_UNIT = re.compile(r"[/:]?(亿元|万元)$")
_DECORATION = re.compile(r"[*※:]|^其中")  # "其中：2026年计划" is a child of 总投资
_NOTE_UNIT = re.compile(r"单位[:]?(亿元|万元|元)")
_NOT_A_PARENT = re.compile(r"^(填报|制表|单位:|时间|日期|截至|截止)")
_UNIT_NAMES = {"亿": "亿元", "亿元": "亿元", "万": "万元", "万元": "万元", "元": "元"}


@dataclass(frozen=True)
class HeaderText:
    """A header cell reduced to a matching key plus the money unit it named, if any."""

    key: str
    unit: str | None


@dataclass(frozen=True)
class Column:
    """One column of the table as understood from its header."""

    index: int  # 0-based position in the row values
    header: str  # header text as in the file (whitespace removed), for messages
    field: Field | None
    rank: int  # alias preference; lower is better
    month: int | None  # 1..12 for monthly plan columns
    unit: str | None  # money unit named by the column itself
    parent_unit: str | None  # money unit named by its merged parent header


@dataclass(frozen=True)
class HeaderLayout:
    """Where the header is and what each column means."""

    first_row: int  # 1-based spreadsheet row of the (top) header row
    last_row: int  # 1-based spreadsheet row of the bottom header row; data follows
    columns: list[Column]
    note_unit: str | None  # from a "单位：亿元" line above the header

    def fields(self) -> dict[Field, Column]:
        """The best column for each field (monthly columns excluded)."""
        best: dict[Field, Column] = {}
        for column in self.columns:
            if column.field is None or column.field is Field.MONTH:
                continue
            if column.field not in best or column.rank < best[column.field].rank:
                best[column.field] = column
        return best

    def months(self) -> dict[int, Column]:
        """Monthly plan columns by month number; the first one wins on repeats."""
        found: dict[int, Column] = {}
        for column in self.columns:
            if column.month is not None and column.month not in found:
                found[column.month] = column
        return found

    def missing(self) -> list[Field]:
        """Required fields that no column provides."""
        present = self.fields()
        return [required for required in REQUIRED_FIELDS if required not in present]

    def money_unit(self, column: Column) -> str:
        """Unit of a money column: its own header, its parent, the note, else 万元."""
        return column.unit or column.parent_unit or self.note_unit or "万元"


def read_header(text: object) -> HeaderText:
    """Reduce "总投资\n（亿元）" to key "总投资" and unit "亿元"."""
    key = squash(str(text)) if text is not None else ""
    unit = None
    for inside in _BRACKETS.findall(key):
        word = _UNIT_WORD.search(inside)
        if word and unit is None:
            unit = _UNIT_NAMES[word.group()]
    key = _BRACKETS.sub("", key)
    trailing = _TRAILING_UNIT.search(key)
    if trailing:
        unit = unit or _UNIT_NAMES[trailing.group(1)]
        key = key[: trailing.start()]
    return HeaderText(key=_DECORATION.sub("", key), unit=unit)


def match_field(key: str) -> tuple[Field, int, int | None] | None:
    """(field, alias rank, month) for a header key, or None when it is not a known column."""
    month = _MONTH.match(key)
    if month:
        number = month.group(1)
        value = int(number) if number.isdigit() else _chinese_month(number)
        return (Field.MONTH, 0, value) if 1 <= value <= 12 else None
    if key in _EXACT:
        found, rank = _EXACT[key]
        return found, rank, None
    if _YEAR_PLAN.match(key):
        return Field.YEAR_PLAN, len(_ALIASES[Field.YEAR_PLAN]), None
    return None


def _chinese_month(text: str) -> int:
    if text.startswith("十"):
        return 10 + _CHINESE_MONTHS.get(text[1:], 0)
    return _CHINESE_MONTHS[text]


def _filled(value: object) -> bool:
    return value is not None and bool(str(value).strip())


def _cell(values: list[object], index: int) -> object:
    value = values[index] if index < len(values) else None
    return value if _filled(value) else None


def _column(index: int, parent: object, child: object) -> Column:
    """Understand one column from its parent (may be None) and child header cells."""
    top, bottom = read_header(parent), read_header(child)
    if not bottom.key or bottom.key == top.key:
        own, raw, parent_unit = top, parent, None
        found = match_field(top.key)
    else:
        own, raw, parent_unit = bottom, child, top.unit
        # "2026年" over "计划投资" only makes sense read together.
        found = match_field(bottom.key) or (match_field(top.key + bottom.key) if top.key else None)
        if found and found[0] is Field.MONTH and _NOT_A_PLAN.search(top.key):
            found = None
    column_field, rank, month = found or (None, 0, None)
    return Column(
        index=index,
        header=strip_spaces(str(raw)) if raw is not None else "",
        field=column_field,
        rank=rank,
        month=month,
        unit=own.unit,
        parent_unit=parent_unit,
    )


def _spread_parents(width: int, parent: list[object], child: list[object]) -> list[object]:
    """Carry a group parent rightwards over its children, as a merge would in .xlsx.

    A CSV saved from a merged header has "投资情况（亿元）" only above the first child.
    """
    spread: list[object] = []
    group: object = None
    for i in range(width):
        above, below = _cell(parent, i), _cell(child, i)
        if above is not None:
            distinct = below is not None and squash(str(below)) != squash(str(above))
            group = above if distinct else None
            spread.append(above)
        else:
            spread.append(group if below is not None else None)
            group = group if below is not None else None
    return spread


def _columns(width: int, parent: list[object] | None, child: list[object]) -> list[Column]:
    parents = _spread_parents(width, parent, child) if parent is not None else [None] * width
    columns = [_column(i, parents[i], _cell(child, i)) for i in range(width)]
    return _disambiguate(columns, parents)


def _disambiguate(columns: list[Column], parents: list[object]) -> list[Column]:
    """Give repeated child headers (two "计划" columns) their parent as a prefix."""
    counts = Counter(column.header for column in columns)
    result = []
    for column in columns:
        above = strip_spaces(str(parents[column.index] or ""))
        if column.header and counts[column.header] > 1 and above and above != column.header:
            column = replace(column, header=f"{above}/{column.header}")
        result.append(column)
    return result


def _score(columns: list[Column]) -> int:
    return len({column.field for column in columns if column.field is not None})


def _can_be_parent(values: list[object]) -> bool:
    """Whether a row can be the top row of a two-level header.

    It has several distinct labels (a merged title or a note has one) and reads as a header:
    it names a known column ("序号" merged down) or a money unit ("投资情况（亿元）"). A data
    row above a repeated header does neither.
    """
    texts = {squash(str(value)) for value in values if _filled(value)}
    if len(texts) < 2 or any(_NOT_A_PARENT.match(text) for text in texts):
        return False
    names_unit = any(read_header(text).unit and _BRACKETS.search(text) for text in texts)
    return names_unit or any(match_field(read_header(text).key) for text in texts)


def _note_unit(table: Table, before_row: int) -> str | None:
    """The nearest "单位：亿元" written above the header (in a note row or the title)."""
    unit = None
    for number, values in table.rows:
        if number >= before_row:
            break
        for value in values:
            found = _NOTE_UNIT.search(squash(str(value))) if value is not None else None
            if found:
                unit = found.group(1)
    return unit


def detect_header(table: Table) -> HeaderLayout | None:
    """Find the header among the first rows of ``table``; None when nothing looks like one."""
    head = table.rows[:SCAN_ROWS]
    best: tuple[int, bool] = (MIN_SCORE - 1, True)  # anything chosen scores MIN_SCORE or more
    chosen: tuple[int, int, list[Column]] | None = None
    for position, (number, values) in enumerate(head):
        candidates = [(number, number, _columns(table.width, None, values), False)]
        if position > 0:
            above_number, above = head[position - 1]
            if above_number == number - 1 and _can_be_parent(above):
                candidates.append(
                    (above_number, number, _columns(table.width, above, values), True)
                )
        for first, last, columns, is_pair in candidates:
            # On a tie prefer the two-level reading: only it sees the parent's unit.
            rank = (_score(columns), is_pair)
            if rank > best:
                best, chosen = rank, (first, last, columns)
    if chosen is None:
        return None
    first, last, columns = chosen
    return HeaderLayout(
        first_row=first, last_row=last, columns=columns, note_unit=_note_unit(table, first)
    )
