"""Typed text is cleaned once at the boundary: nothing invisible or controlling gets stored."""

import pytest

from domain.text import clean, clean_line, number_in


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("城东\x07污水厂", "城东污水厂"),  # BEL from a CSV
        ("完成\x1b[31m浇筑", "完成[31m浇筑"),  # ESC of a terminal colour code
        ("a\u200bb\ufeffc", "abc"),  # zero-width space, BOM
        ("XM-\u202e100", "XM-100"),  # right-to-left override
        ("\u2066隔离\u2069", "隔离"),
        ("行一\r\n行二\r行三\u2028行四", "行一\n行二\n行三\n行四"),
        ("a\tb", "a b"),
        ("坏\ud800字", "坏字"),  # a lone surrogate cannot be stored as UTF-8
        ("\x85x\x9f", "x"),  # C1 controls (NEL becomes a line break, then stripped)
        ("  正常文本 🚧  ", "正常文本 🚧"),
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # ZWJ emoji sequence survives
    ],
)
def test_clean_drops_controls_and_invisibles(raw: str, stored: str) -> None:
    assert clean(raw) == stored


def test_clean_line_is_one_line() -> None:
    assert clean_line(" 王\n 副市长\x00 ") == "王 副市长"


def test_clean_output_is_utf8_and_xml_safe() -> None:
    every = "".join(chr(c) for c in range(0x0, 0x3000) if not 0xD800 <= c <= 0xDFFF)
    cleaned = clean(every + "\ud800\udfff\ufffe\uffff")
    cleaned.encode("utf-8")
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assert not ILLEGAL_CHARACTERS_RE.search(cleaned)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("3", 3), (" 12 ", 12), ("１２", 12), ("30", 30), ("²", 2),  # folded like all typing
        ("0", None), ("31", None), ("٣", None), ("-1", None), ("1.0", None),
        ("9" * 30, None), ("", None),
    ],
)  # fmt: skip
def test_a_typed_number_is_ascii_digits_in_range(typed: str, found: int | None) -> None:
    # "²" passed str.isdigit and then broke int(); 30 digits overflow SQLite's integers
    assert number_in(typed, 1, 30) == found
