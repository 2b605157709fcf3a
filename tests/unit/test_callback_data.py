"""Callback data parses under its prefix's schema or not at all: forged data is a stale button."""

from datetime import date

import pytest

from callback_data import (
    IMPORT_CONFIRM,
    MAX_ID,
    PROBLEM_CARD,
    PROBLEM_CATEGORY,
    PROBLEM_DEADLINE,
    PROBLEM_DEPARTMENT,
    PROBLEM_NO_PHOTO,
    PROBLEM_PICK,
    REPORT_CONFIRM,
    REPORT_KEEP,
    REPORT_OPTION,
    REPORT_PICK,
    REPORT_PROJECT,
    REPORT_REDO,
    SCHEDULE_TOGGLE,
    Day,
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


@pytest.mark.parametrize(
    "data",
    [
        "pr:a1b2c3:pick:x", "pr:a1b2c3:category:mars", "pr:a1b2c3:photo:yes", "pr:a1b2c3:cat:land",
        "pr:a1b2c3:pick:12:3", "pb:1:0:cf", "pb:1:x:assign", "pb:1:0:delete", "pb:0:0:assign",
        "pa:a1b2c3:deadline:99991231", "pa:a1b2c3:deadline:20261332", "pa:a1b2c3:deadline:2026123",
        "pa:a1b2c3:deadline:１２３４５６７８", "pa:a1b2c3:department:0", "pa:a1b2c3:deadline:",
    ],
)  # fmt: skip
def test_problem_buttons_refuse_what_no_step_or_action_takes(data: str) -> None:
    schemas = (PROBLEM_PICK, PROBLEM_CATEGORY, PROBLEM_NO_PHOTO, PROBLEM_CARD,
               PROBLEM_DEPARTMENT, PROBLEM_DEADLINE)  # fmt: skip
    assert all(schema.parse(data) is None for schema in schemas)


def test_problem_buttons_carry_their_step_and_typed_values() -> None:
    assert PROBLEM_CATEGORY.parse("pr:a1b2c3:category:land") == ("a1b2c3", "category", "land")
    assert PROBLEM_PICK.parse("pr:a1b2c3:category:land") is None  # another step's button
    assert PROBLEM_CARD.parse(PROBLEM_CARD.make(12, 3, "confirm")) == (12, 3, "confirm")
    data = PROBLEM_DEADLINE.make("a1b2c3", "deadline", date(2027, 1, 4))
    assert data == "pa:a1b2c3:deadline:20270104"
    assert PROBLEM_DEADLINE.parse(data) == ("a1b2c3", "deadline", date(2027, 1, 4))
    assert Day().parse("20260229") is None and Day().parse("20280229") == date(2028, 2, 29)


REPORT_BUTTONS = (REPORT_PICK, REPORT_KEEP, REPORT_OPTION, REPORT_CONFIRM, REPORT_REDO)


def test_report_buttons_carry_their_step_and_typed_values() -> None:
    assert REPORT_KEEP.parse(REPORT_KEEP.make("a1b2c3", "invest", "keep")) == (
        "a1b2c3", "invest", "keep",
    )  # fmt: skip
    assert REPORT_OPTION.parse("r:a1b2c3:stage:opt:2") == ("a1b2c3", "stage", "opt", 2)
    assert REPORT_PICK.parse("r:a1b2c3:pick:17") == ("a1b2c3", "pick", 17)
    assert REPORT_REDO.parse("r:a1b2c3:confirm:redo:f7") == ("a1b2c3", "confirm", "redo", "f7")
    assert REPORT_CONFIRM.parse("r:a1b2c3:confirm:ok") == ("a1b2c3", "confirm", "ok")
    assert all(schema.single_use for schema in REPORT_BUTTONS)


@pytest.mark.parametrize(
    "data",
    [
        "r:x", "r:abc:pick:x", "r:abc:pick:pick:1", "r:abc:stage:opt:x", "r:abc:stage:opt",
        "r:abc:confirm:ok:1", "r:abc:invest:keep:1", "r:abc:invest:skip", "r:abc:confirm:redo",
        "r:abc:invest:opt:-1", "r:abc:averyveryverylongstep:keep", "r:abc:invest:ok",
        "r:abc:stage:redo:text",
    ],
)  # fmt: skip
def test_malformed_report_buttons_do_not_parse(data: str) -> None:
    assert all(schema.parse(data) is None for schema in REPORT_BUTTONS)
