"""Read spreadsheet cell values (numbers, text, dates) as text, codes and money."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from domain.money import (
    MAX_YUAN,
    NEGATIVE,
    TOO_BIG,
    UNREADABLE,
    AmountError,
    parse_amount,
    round_yuan,
    unit_factor,
)
from domain.text import halfwidth, squash, tidy

# Cells that mean "nothing here" in Chinese sheets.
_PLACEHOLDERS = {"-", "--", "—", "——", "/", "无", "\\"}


def _number_text(value: int | float | Decimal) -> str:
    """101.0 -> "101", 0.30000000000000004 stays exact as typed by str(), never "1E+2"."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(int(number))
    return f"{number.normalize():f}"


def cell_text(value: object) -> str:
    """Any cell as tidy text: numbers without ".0", dates as ISO, whitespace cleaned."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        try:
            return _number_text(value)
        except (InvalidOperation, ValueError, OverflowError):
            return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return tidy(str(value))


def cell_code(value: object) -> str | None:
    """A project code: Excel's 101.0 -> "101", full-width folded, spaces removed."""
    text = squash(cell_text(value))
    return text or None


def is_placeholder(value: object) -> bool:
    """Blank, or a dash/"无" that sheets use for an empty amount."""
    text = squash(cell_text(value))
    return not text or text in _PLACEHOLDERS


def cell_amount(value: object, unit: str) -> int | None:
    """A money cell in ``unit`` ("亿元"/"万元"/"元") as integer 元; None when blank.

    Numbers from openpyxl go through ``Decimal(str(value))`` so float noise never reaches
    the result; text may carry its own unit ("3000万" in a 亿元 column).

    Raises:
        AmountError: negative, too large or not a number; ``short`` is the reason to show.
    """
    if is_placeholder(value):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise AmountError(UNREADABLE, text=str(value), default_unit=None) from None
        if not number.is_finite():
            raise AmountError(UNREADABLE, text=str(value), default_unit=None)
        if number < 0:
            raise AmountError(NEGATIVE, default_unit=None)
        exact = number * unit_factor(unit)
        if exact > MAX_YUAN:  # before rounding: 1e308 is beyond what quantize can hold
            raise AmountError(TOO_BIG, default_unit=None)
        return round_yuan(exact)
    if not isinstance(value, str):
        raise AmountError(UNREADABLE, text=cell_text(value), default_unit=None)
    return parse_amount(value, default_unit=unit).yuan


_DECIMALS = re.compile(r"\d(?:\.(\d+))?")


def cell_rounding(value: object, unit: str) -> int:
    """Half a unit of the last digit a money cell is written with, in 元.

    43.35 in 亿元 -> 500000 (0.005亿元): figures typed with two decimals agree with anything
    that rounds to them; 100 (or 100.0) means whole 亿元. A formula's float result has many
    digits and so next to no slack.
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            exponent = Decimal(str(value)).normalize().as_tuple().exponent  # 100.0 as 100
        except InvalidOperation:
            return 0
        decimals = -exponent if isinstance(exponent, int) else 0
    else:
        text = halfwidth(str(value))
        unit = "亿元" if "亿" in text else "万元" if "万" in text else unit
        found = _DECIMALS.findall(text.replace(",", ""))
        decimals = max((len(digits) for digits in found), default=0)
    step = Decimal(unit_factor(unit)) / (Decimal(10) ** max(decimals, 0))
    return int(step / 2)


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月?)$")


def cell_date(value: object, *, end_of_month: bool = False) -> dt.date | None:
    """A date cell: an Excel date, or text like 2026-03-15, 2026/3/15, 2026年3月, 2026.3.

    A month without a day means its first day, or its last with ``end_of_month`` (a planned
    completion "2026年12月" is due by the month's end). None when blank.

    Raises:
        ValueError: the cell holds something that is not a date.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(squash(cell_text(value)))
    if not match:
        raise ValueError(f"not a date: {value!r}")
    year, month = int(match.group(1)), int(match.group(2))
    if match.group(3):
        return dt.date(year, month, int(match.group(3)))
    if end_of_month:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(year, month, 1)
