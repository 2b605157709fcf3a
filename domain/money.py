"""Amounts of money: parse what liaisons type, store integer 元, show 万元.

Money is kept as an ``int`` number of 元 everywhere. Users type 万元 by default and may write
亿, 千万, 百万, Arabic or Chinese numerals and full-width characters. All arithmetic uses
``Decimal`` with ROUND_HALF_UP; floats never take part.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.text import squash

WAN = 10_000
YI = 100_000_000
MAX_YUAN = 10**13
"""Anything above 10万亿元 is a typo (wrong unit), not a project."""

UNIT_FACTORS: dict[str, int] = {"元": 1, "万": WAN, "万元": WAN, "亿": YI, "亿元": YI}
"""Unit name -> 元 per unit; short and long spellings are both accepted."""

UNIT_LABELS: dict[int, str] = {1: "元", WAN: "万元", YI: "亿元"}

_MAX_INPUT = 40
NEGATIVE, TOO_BIG, UNREADABLE, EMPTY, TOO_LONG = (
    "negative", "too_big", "unreadable", "empty", "too_long",
)  # fmt: skip


class AmountError(ValueError):
    """An amount that cannot be accepted.

    ``code`` says why (NEGATIVE, TOO_BIG, UNREADABLE, EMPTY, TOO_LONG), with ``text`` (what
    was typed) and ``default_unit`` (None where no example of what is accepted applies); the
    message catalog words it (``amount.<code>``, ``amount.hint``).
    """

    def __init__(self, code: str, *, text: str = "", default_unit: str | None = "万") -> None:
        self.code = code
        self.text = text
        self.default_unit = default_unit
        super().__init__(code)

    # The words live in the catalog. These two render them for callers that show a sentence
    # (the import's row errors, /editproject); the report flow renders the code itself.
    @property
    def short(self) -> str:
        """The reason in words, without examples (for tables such as import row errors)."""
        from messages import t

        return t(f"amount.{self.code}", text=self.text)

    @property
    def reason(self) -> str:
        """The reason in words, with examples of what is accepted."""
        from messages import t

        if self.default_unit is None:
            return self.short
        return t("amount.with_hint", reason=self.short, unit=unit_label(self.default_unit))

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Amount:
    """A parsed amount in 元; ``incremental`` when typed as "+500" (added this period)."""

    yuan: int
    incremental: bool


def unit_factor(unit: str) -> int:
    """元 per ``unit`` ("元", "万"/"万元", "亿"/"亿元"); ValueError on anything else."""
    try:
        return UNIT_FACTORS[unit]
    except KeyError:
        raise ValueError(f"unknown money unit: {unit!r}") from None


def unit_label(unit: str) -> str:
    """Long form of a unit: "万" -> "万元"."""
    return UNIT_LABELS[unit_factor(unit)]


def round_yuan(value: Decimal) -> int:
    """Round a Decimal number of 元 half-up to an int."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_yuan(value: Decimal | str | int, unit: str) -> int:
    """Convert a plain number in ``unit`` to integer 元, e.g. ("1.2", "亿") -> 120000000."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return round_yuan(number * unit_factor(unit))


def yuan_from_wan(value: Decimal | str | int) -> int:
    """万元 -> 元: "12.35" -> 123500."""
    return to_yuan(value, "万")


def yuan_from_yi(value: Decimal | str | int) -> int:
    """亿元 -> 元: "1.2" -> 120000000."""
    return to_yuan(value, "亿")


def wan_from_yuan(yuan: int) -> Decimal:
    """元 -> 万元 rounded half-up to 2 decimals: 123456 -> Decimal("12.35")."""
    return (Decimal(yuan) / WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_wan_number(yuan: int) -> str:
    """The 万元 figure without unit, trailing zeros trimmed: 30000000 -> "3000"."""
    text = f"{wan_from_yuan(yuan):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_wan(yuan: int) -> str:
    """Show 元 as 万元 with up to 2 decimals: 30000000 -> "3000万元", 123456 -> "12.35万元"."""
    return f"{format_wan_number(yuan)}万元"


# --- parsing -----------------------------------------------------------------------------

_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7,
    "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": WAN, "亿": YI}
_ARABIC = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+")
_NEGATIVE_SIGNS = ("-", "−", "负")


def _tokens(text: str) -> list[tuple[str, Decimal]]:
    """Split "1.2亿" into [("num", 1.2), ("big", 1e8)]; "zero" marks 零 (a place gap)."""
    tokens: list[tuple[str, Decimal]] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        match = _ARABIC.match(text, pos)
        if match:
            tokens.append(("num", Decimal(match.group().replace(",", ""))))
            pos = match.end()
            continue
        if char in _DIGITS and _DIGITS[char] == 0:
            tokens.append(("zero", Decimal(0)))
        elif char in _DIGITS:
            tokens.append(("num", Decimal(_DIGITS[char])))
        elif char in _SMALL:
            tokens.append(("small", Decimal(_SMALL[char])))
        elif char in _BIG:
            tokens.append(("big", Decimal(_BIG[char])))
        else:
            raise ValueError(char)
        pos += 1
    return tokens


def _is_digit(value: Decimal) -> bool:
    return value == value.to_integral_value() and 1 <= value <= 9


def _evaluate(tokens: list[tuple[str, Decimal]]) -> tuple[Decimal, bool]:
    """Value of a numeral like 三千五百万 / 1亿2000万 / 一万二; also says if 万/亿 was used.

    A lone digit right after a multiplier is the next lower place, as Chinese speakers
    mean it: 一万二 = 12000, 三千五 = 3500, but 一百零五 = 105 (零 marks a gap).
    """
    total = Decimal(0)  # completed 亿 part
    section = Decimal(0)  # part below the last 亿
    number: Decimal | None = None
    last_small = Decimal(10**9)  # places inside a section must decrease: 千 > 百 > 十
    seen_wan = seen_yi = saw_number = False
    just_after: Decimal | None = None  # multiplier directly before the current number
    last_multiplier = Decimal(0)

    def tail(before_big: bool) -> Decimal:
        """The pending number, read as a lower place when it directly follows a multiplier."""
        if number is None:
            return Decimal(0)
        if just_after is not None and _is_digit(number) and (just_after < WAN or not before_big):
            return number * just_after / 10
        if not before_big and last_multiplier >= WAN:
            raise ValueError("ambiguous number after 万/亿")  # "1亿2000": 元 or 万?
        return number

    for kind, value in tokens:
        if kind == "num":
            if number is not None:
                raise ValueError("digit after digit")
            number, saw_number = value, True
            continue
        if kind == "zero":
            if number is not None:
                raise ValueError("digit after digit")
            just_after = None
            continue
        if kind == "small":
            if value >= last_small:
                raise ValueError("places out of order")
            if number is None:
                if value != 10 or section or total:
                    raise ValueError("place without digit")
                number, saw_number = Decimal(1), True  # 十五 = 15
            section += number * value
            last_small = value
        else:  # 万 or 亿
            if (value == WAN and seen_wan) or (value == YI and seen_yi):
                raise ValueError("repeated 万/亿")
            if number is None and section == 0:
                raise ValueError("万/亿 without digits")
            base = section + tail(before_big=True)
            if value == YI:
                total, section, seen_yi, seen_wan = base * YI, Decimal(0), True, False
            else:
                section, seen_wan = base * WAN, True
            last_small = value
        number, just_after, last_multiplier = None, value, value
    if not saw_number:
        raise ValueError("no digits")
    return total + section + tail(before_big=False), seen_wan or seen_yi


def parse_amount(text: str, *, default_unit: str = "万") -> Amount:
    """Parse an amount typed by a user into integer 元.

    Accepts "500" (in ``default_unit``), "500万元", "1.2亿", "3千万", "1,200", "五百万",
    full-width forms, and a leading "+" meaning an increment. Rejects negatives, other words
    ("约500万") and amounts above 10万亿元.

    Raises:
        AmountError: with the ``code`` of the reason.
    """
    factor = unit_factor(default_unit)
    cleaned = squash(text or "")
    if not cleaned:
        raise AmountError(EMPTY, default_unit=default_unit)
    if len(cleaned) > _MAX_INPUT:
        raise AmountError(TOO_LONG, default_unit=default_unit)
    if cleaned.startswith(_NEGATIVE_SIGNS):
        raise AmountError(NEGATIVE, default_unit=default_unit)
    incremental = cleaned.startswith("+")
    body = cleaned[1:] if incremental else cleaned
    in_yuan = body.endswith("元")
    if in_yuan:
        body = body[:-1]
    try:
        value, has_big_unit = _evaluate(_tokens(body))
    except ValueError:
        raise AmountError(UNREADABLE, text=text.strip(), default_unit=default_unit) from None
    if not (in_yuan or has_big_unit):
        value *= factor
    if value > MAX_YUAN:
        raise AmountError(TOO_BIG, default_unit=default_unit)
    return Amount(yuan=round_yuan(value), incremental=incremental)
