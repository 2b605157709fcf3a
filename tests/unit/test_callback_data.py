"""Callback data parses under its prefix's schema or not at all: forged data is a stale button."""

import pytest

from callback_data import (
    IMPORT_CONFIRM,
    MAX_ID,
    REPORT_PROJECT,
    SCHEDULE_TOGGLE,
    Int,
    Schema,
    Word,
    one_of,
)


def test_made_data_parses_back_to_its_values() -> None:
    assert REPORT_PROJECT.parse(REPORT_PROJECT.make(42)) == (42,)
    assert IMPORT_CONFIRM.parse(IMPORT_CONFIRM.make("a1b2c3", "ok")) == ("a1b2c3", "ok")
    assert SCHEDULE_TOGGLE.parse("sch:tg:board") == ("tg", "board")


@pytest.mark.parametrize(
    "data",
    [
        "rn:x", "rn:", "rn", "rn:99999999999999999999", f"rn:{MAX_ID + 1}", "rn:0", "rn:-1",
        "rn:１２", "rn:1:2", "imp:x", "imp:abc:maybe", "imp:abc", "sch:tg:", "sch:xx:board",
        "sch:tg:board;drop", "", "r", "zz:1", "rn:1" + " " * 70, None,
    ],
)  # fmt: skip
def test_forged_or_stale_data_does_not_parse(data: str | None) -> None:
    schemas = (REPORT_PROJECT, IMPORT_CONFIRM, SCHEDULE_TOGGLE)
    assert all(schema.parse(data) is None for schema in schemas)


def test_optional_values_come_back_as_none() -> None:
    schema = Schema("t", ("a", Int()), ("b", Word()), optional=1)
    assert schema.parse("t:1") == (1, None)
    assert schema.parse("t:1:x") == (1, "x")
    assert schema.parse("t") is None


def test_make_refuses_what_it_could_not_parse_or_send() -> None:
    with pytest.raises(ValueError):
        REPORT_PROJECT.make("abc")
    long = Schema("t", ("w", Word(max_len=100)))
    with pytest.raises(ValueError, match="64 bytes"):
        long.make("w" * 70)
    assert one_of({"a"}).parse("b") is None
