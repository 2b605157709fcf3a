"""Amounts typed by liaisons: parsing into 元, formatting as 万元."""

import random
from decimal import Decimal

import pytest

from domain.money import (
    Amount,
    AmountError,
    format_wan,
    format_wan_number,
    parse_amount,
    to_yuan,
    wan_from_yuan,
    yuan_from_wan,
    yuan_from_yi,
)

WAN = 10_000
YI = 100_000_000


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("500", 500 * WAN),
        ("500万", 500 * WAN),
        ("500万元", 500 * WAN),
        ("3000万", 3000 * WAN),
        ("1.2亿", 120_000_000),
        ("1.2亿元", 120_000_000),
        ("0.5亿", 50_000_000),
        (".5亿", 50_000_000),
        ("3千万", 3000 * WAN),
        ("2百万", 200 * WAN),
        ("1.5千万", 1500 * WAN),
        ("1,200", 1200 * WAN),
        ("1，200万", 1200 * WAN),
        ("12,345.5", 123_455_000),
        ("５００万", 500 * WAN),
        ("５００", 500 * WAN),
        ("500元", 500),
        ("12.345元", 12),
        ("12.5元", 13),  # half-up at the 元 level
        ("0.00005", 1),  # 0.5元 rounds up
        ("  500 ", 500 * WAN),
        ("500 万", 500 * WAN),
        ("\u3000500万\u3000", 500 * WAN),
        ("0", 0),
        ("1亿2000万", 120_000_000),
        ("1亿5万", 100_050_000),
    ],
)
def test_parse_amount_accepts_arabic_forms(text: str, yuan: int) -> None:
    assert parse_amount(text) == Amount(yuan=yuan, incremental=False)


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("三千万", 3000 * WAN),
        ("五百", 500 * WAN),
        ("五百万", 500 * WAN),
        ("两千万", 2000 * WAN),
        ("十", 10 * WAN),
        ("十五", 15 * WAN),
        ("二十五", 25 * WAN),
        ("十万", 100_000),
        ("一百零五万", 105 * WAN),
        ("三百零五", 305 * WAN),
        ("三千五百万", 3500 * WAN),
        ("一百五", 150 * WAN),  # spoken short form: 一百五 = 150
        ("三千五", 3500 * WAN),
        ("一万二", 12_000),  # 一万二 = 12000 元
        ("一亿二", 120_000_000),
        ("一亿二千万", 120_000_000),
        ("一万亿", 10**12),
        ("壹佰万", 100 * WAN),
    ],
)
def test_parse_amount_accepts_chinese_numerals(text: str, yuan: int) -> None:
    assert parse_amount(text).yuan == yuan


@pytest.mark.parametrize(
    ("text", "yuan"),
    [("+200", 200 * WAN), ("＋200", 200 * WAN), ("+1.5亿", 150_000_000), ("+0", 0)],
)
def test_plus_sign_marks_an_increment(text: str, yuan: int) -> None:
    assert parse_amount(text) == Amount(yuan=yuan, incremental=True)


def test_default_unit_can_be_changed() -> None:
    assert parse_amount("1.2", default_unit="亿").yuan == 120_000_000
    assert parse_amount("1.2", default_unit="亿元").yuan == 120_000_000
    assert parse_amount("300", default_unit="元").yuan == 300
    assert parse_amount("300万", default_unit="亿").yuan == 300 * WAN  # explicit unit wins


def test_unknown_default_unit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown money unit"):
        parse_amount("1", default_unit="千")


@pytest.mark.parametrize("text", ["-5", "－5", "负5", "−5", "-1.2亿", "负五百万"])
def test_negative_amounts_are_rejected(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.short == "金额不能为负数"
    assert caught.value.reason.startswith("金额不能为负数。请输入数字")  # says what is accepted


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "约500万",
        "500万左右",
        "1.2.3",
        "1,20",
        "万",
        "元",
        "+",
        "百",
        "千百",
        "一百千",
        "1万1万",
        "5亿亿",
        "3三",
        "5元万",
        "1亿2000",  # 元 or 万? ambiguous, so asked again
        "1万2.5",
        "30%",
    ],
)
def test_unreadable_amounts_explain_what_is_accepted(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.short == f"无法识别金额“{text}”"
    assert caught.value.reason == (
        f"无法识别金额“{text}”。请输入数字，单位默认万元，如 500、3000万、1.2亿、+200"
    )


def test_reason_names_the_default_unit() -> None:
    with pytest.raises(AmountError, match="单位默认亿元"):
        parse_amount("abc", default_unit="亿")


@pytest.mark.parametrize("text", ["", "   ", "\u3000"])
def test_empty_input_is_rejected(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.short == "请输入金额"


@pytest.mark.parametrize("text", ["1000000001", "999999亿", "10万亿1万"])
def test_absurd_magnitudes_are_rejected(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.short == "金额过大，请检查单位"
    assert "如 500、3000万" in caught.value.reason


def test_ten_trillion_yuan_is_the_largest_amount() -> None:
    assert parse_amount("100000亿").yuan == 10**13
    assert parse_amount("10万亿", default_unit="元").yuan == 10**13


def test_overlong_input_is_rejected() -> None:
    with pytest.raises(AmountError, match="金额输入过长"):
        parse_amount("1" * 41)


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (30_000_000, "3000万元"),
        (123_456, "12.35万元"),
        (123_449, "12.34万元"),
        (0, "0万元"),
        (49, "0万元"),
        (50, "0.01万元"),
        (120_000_000, "12000万元"),
        (10_000, "1万元"),
        (15_000, "1.5万元"),
        (-123_456, "-12.35万元"),
        (10**13, "1000000000万元"),
    ],
)
def test_format_wan(yuan: int, text: str) -> None:
    assert format_wan(yuan) == text


def test_format_wan_number_has_no_unit_and_no_exponent() -> None:
    assert format_wan_number(30_000_000) == "3000"
    assert format_wan_number(10**12) == "100000000"


def test_format_then_parse_round_trips_to_the_nearest_hundred_yuan() -> None:
    rng = random.Random(7)
    samples = [0, 1, 49, 50, 99, 100, 10**13] + [rng.randrange(0, 10**12) for _ in range(2000)]
    for yuan in samples:
        rounded = int(wan_from_yuan(yuan) * WAN)
        assert parse_amount(format_wan(yuan)).yuan == rounded, yuan
        assert parse_amount(format_wan_number(yuan)).yuan == rounded, yuan
        assert abs(rounded - yuan) <= 50


def test_conversions_use_decimal_half_up() -> None:
    assert yuan_from_wan("12.35") == 123_500
    assert yuan_from_wan(Decimal("0.00005")) == 1
    assert yuan_from_wan(3) == 30_000
    assert yuan_from_yi("1.2") == 120_000_000
    assert yuan_from_yi("0.1") == 10_000_000  # 0.1 is exact in Decimal, unlike float
    assert to_yuan("2.5", "元") == 3
    assert wan_from_yuan(123_456) == Decimal("12.35")


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", ""])
def test_conversions_reject_non_numbers(value: str) -> None:
    with pytest.raises(ValueError):
        yuan_from_wan(value)
