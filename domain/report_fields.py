"""The daily report's fields: the built-in ones and those admins add with /fields.

Pure rules: what a field definition may be, what a liaison may answer for a custom field, how
an answer is kept (canonical text) and shown. Nothing here speaks Chinese to a person: a bad
definition or a bad answer is a Refusal (a code and its values), worded by the message catalog
(``fields.refuse_<code>``, ``report.refuse_<code>``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from domain.dates import parse_day
from domain.text import clean_line, number_in, squash

NUMBER, PERCENT, TEXT, CHOICE, DATE = "number", "percent", "text", "choice", "date"
KINDS = (NUMBER, PERCENT, TEXT, CHOICE, DATE)
BUILTIN = "builtin"
"""The kind of the six original steps, whose answers live in report_revisions' own columns."""

KIND_WORDS = {
    "数字": NUMBER, "数值": NUMBER, "number": NUMBER,
    "百分比": PERCENT, "百分数": PERCENT, "percent": PERCENT,
    "文字": TEXT, "文本": TEXT, "text": TEXT,
    "选项": CHOICE, "choice": CHOICE,
    "日期": DATE, "date": DATE,
}  # fmt: skip
REQUIRED_WORDS = frozenset({"必填", "required"})
MAX_NAME = 12
MAX_UNIT = 6
MAX_CUSTOM = 12  # custom fields at most, so a report stays under twenty steps
MIN_CHOICES, MAX_CHOICES, MAX_CHOICE = 2, 8, 12
MAX_TEXT = 500
MAX_NUMBER = Decimal(10**12)
_DECIMALS = 4
_CHOICE_SPLIT = re.compile(r"[/|、,，;；]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NAME_BAD = re.compile(r"[\s/:：<>\"'`\\]")


@dataclass(frozen=True)
class Refusal:
    """Why a definition or an answer is not accepted: a catalog code and its values."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportField:
    """One field of the report template (a row of report_fields). ``id`` never changes."""

    id: int
    builtin: str | None  # the built-in step's key ("text", "invest" ...); None: custom
    name: str
    kind: str  # BUILTIN or one of KINDS
    unit: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    enabled: bool = True
    position: int = 0

    @property
    def step(self) -> str:
        """The field's name in a draft and in callback data: the built-in key, or f<id>."""
        return self.builtin or f"f{self.id}"

    @property
    def has_value_column(self) -> bool:
        """Answers kept in report_values (every field but the six original steps)."""
        return self.kind != BUILTIN


@dataclass(frozen=True)
class FieldSpec:
    """What `/fields add <名称> <类型> [单位] [必填]` describes."""

    name: str
    kind: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False


def check_name(name: str) -> Refusal | None:
    """A field name: short, one word, no characters that break a command or a cell."""
    if not name or len(name) > MAX_NAME or _NAME_BAD.search(name) or name[0] in "/=+-@":
        return Refusal("bad_name", {"limit": MAX_NAME})
    return None


def parse_spec(args: list[str]) -> FieldSpec | Refusal:
    """The field an admin describes: name, type (数字/百分比/文字/选项:甲/乙/日期), an optional
    unit (numbers only) and an optional 必填."""
    if len(args) < 2:
        return Refusal("add_usage")
    name = clean_line(args[0])
    if refused := check_name(name):
        return refused
    kind_word, _, options = unicodedata.normalize("NFKC", args[1]).partition(":")
    kind = KIND_WORDS.get(kind_word.strip().lower())
    if kind is None:
        return Refusal("bad_kind", {"kind": kind_word[:12]})
    rest = [clean_line(a) for a in args[2:]]
    required = any(a.lower() in REQUIRED_WORDS for a in rest)
    rest = [a for a in rest if a.lower() not in REQUIRED_WORDS]
    choices: tuple[str, ...] = ()
    if kind == CHOICE:
        choices = tuple(c for c in (clean_line(o) for o in _CHOICE_SPLIT.split(options)) if c)
        if not MIN_CHOICES <= len(choices) <= MAX_CHOICES or len(set(choices)) != len(choices):
            return Refusal("bad_choices", {"low": MIN_CHOICES, "high": MAX_CHOICES})
        if any(len(c) > MAX_CHOICE for c in choices):
            return Refusal("bad_choices", {"low": MIN_CHOICES, "high": MAX_CHOICES})
    elif options:
        return Refusal("bad_kind", {"kind": args[1][:12]})
    unit = ""
    if rest:
        if kind != NUMBER or len(rest) > 1 or len(rest[0]) > MAX_UNIT or _NAME_BAD.search(rest[0]):
            return Refusal("bad_unit", {"limit": MAX_UNIT})
        unit = rest[0]
    return FieldSpec(name, kind, unit, choices, required)


# ---- a liaison's answer to a custom field ---------------------------------------------------


def _decimal(text: str) -> Decimal | None:
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


def _canonical(number: Decimal) -> str:
    """ "12.50" -> "12.5", "100" -> "100": one spelling per number."""
    text = f"{number.quantize(Decimal(1).scaleb(-_DECIMALS)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number_text(text: str, unit: str) -> str:
    value = squash(text).replace(",", "")
    if unit and value.endswith(unit):
        value = value[: -len(unit)]
    return value


def parse_number(text: str, unit: str = "") -> str | Refusal:
    """A non-negative number, the field's unit optional after it: "35", "35人", "1,200"."""
    value = _number_text(text, unit)
    if value.startswith(("-", "−", "负")):
        return Refusal("number_negative", {"unit": unit})
    number = _decimal(value)
    if number is None:
        return Refusal("number_bad", {"unit": unit})
    if number > MAX_NUMBER:
        return Refusal("number_too_big", {"unit": unit})
    return _canonical(number)


def parse_percent(text: str) -> str | Refusal:
    """0 to 100, "%" optional: "45", "45%", "百分之45", "62.5"."""
    value = squash(text).removeprefix("百分之").removesuffix("%")
    number = _decimal(value.removeprefix("-").removeprefix("−"))
    if number is None:
        return Refusal("percent_bad")
    if value.startswith(("-", "−")) or number > 100:
        return Refusal("percent_range")
    return _canonical(number)


def parse_choice(text: str, choices: tuple[str, ...]) -> str | Refusal:
    """One of the options, typed as written or by its number in the list."""
    typed = squash(text)
    for option in choices:
        if squash(option) == typed:
            return option
    number = number_in(typed, 1, len(choices))
    if number is not None:
        return choices[number - 1]
    return Refusal("choice_bad", {"options": "、".join(choices)})


def parse_value(f: ReportField, text: str, today: date) -> str | Refusal:
    """A custom field's answer as it is stored (canonical text), or why it is refused."""
    if f.kind == NUMBER:
        return parse_number(text, f.unit)
    if f.kind == PERCENT:
        return parse_percent(text)
    if f.kind == CHOICE:
        return parse_choice(text, f.choices)
    if f.kind == DATE:
        day = parse_day(text, today)
        return day.isoformat() if day else Refusal("date_bad")
    if len(text) > MAX_TEXT:
        return Refusal("too_long", {"limit": MAX_TEXT, "length": len(text)})
    return text


def display(f: ReportField, value: str) -> str:
    """A stored answer as people read it: "35人", "45%", the option, the day, the text."""
    if f.kind == NUMBER:
        return f"{value}{f.unit}"
    if f.kind == PERCENT:
        return f"{value}%"
    return value


def cell_value(f: ReportField, value: str) -> Decimal | date | str:
    """A stored answer as a spreadsheet cell: numbers as numbers, a percent as a fraction."""
    if f.kind == NUMBER:
        return Decimal(value)
    if f.kind == PERCENT:
        return Decimal(value) / 100
    if f.kind == DATE:
        return date.fromisoformat(value)
    return value


# ---- words that answer a step ---------------------------------------------------------------

# Matching patterns, not user-visible text: what a liaison types to say "no problem".
_NO_PROBLEM = frozenset({
    "无", "没有", "暂无", "无问题", "没有问题", "暂无问题", "没问题", "没", "否", "不", "无变化",
    "暂时没有", "目前没有", "目前无", "无需协调", "暂无需协调", "没有需要协调的问题",
    "无需要协调的问题", "没有困难", "无困难", "暂无困难", "none", "no", "n/a", "na", "nil",
})  # fmt: skip


def label_key(text: str) -> str:
    """What is compared when typed text may be a button's label: letters and digits only,
    half-width, lower case ("✅ 确认提交" -> "确认提交")."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", text).lower()
        if unicodedata.category(ch)[0] in "LN"
    )  # fmt: skip


def says_no_problem(text: str) -> bool:
    """True for 无, 没有, 暂无, 无问题 and the like: the liaison has no problem to raise."""
    return label_key(text) in _NO_PROBLEM or squash(text).lower() in _NO_PROBLEM


def same_text(a: str, b: str) -> bool:
    """The same words, whatever the spacing, width or punctuation."""
    return label_key(a) == label_key(b)
