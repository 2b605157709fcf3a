"""Callback data of every inline button, made and parsed in one place: a schema per prefix.

A button's callback_data is ``<prefix>:<value>:<value>...``, under Telegram's 64 bytes. Only a
press whose data parses under its prefix's schema reaches a handler (handlers.buttons wires
that); anything else — an unknown prefix, a missing or extra value, a number out of range, a
word not in the allowed set, data forged by a client — is a stale button and changes nothing.
The schemas of all buttons are declared at the end of this module, so the wire formats can be
read in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from telegram import Update

from domain import problem_flow
from domain.text import MAX_ID, ascii_number

MAX_DATA_BYTES = 64


@dataclass(frozen=True)
class Int:
    """A whole number in [low, high], written in ASCII digits without a sign."""

    low: int = 1
    high: int = MAX_ID

    def parse(self, text: str) -> int | None:
        return ascii_number(text, self.low, self.high)


@dataclass(frozen=True)
class Word:
    """A short token: one of ``choices`` when given, else letters, digits, "_" and "-"."""

    choices: frozenset[str] | None = None
    max_len: int = 24

    def parse(self, text: str) -> str | None:
        if self.choices is not None:
            return text if text in self.choices else None
        if not text or len(text) > self.max_len or not _TOKEN.fullmatch(text):
            return None
        return text


@dataclass(frozen=True)
class Day:
    """A calendar day written YYYYMMDD, between two fixed years (the caller checks it against
    today: a range that moves with the clock cannot be part of the wire format)."""

    low: date = date(2000, 1, 1)
    high: date = date(2099, 12, 31)

    def parse(self, text: str) -> date | None:
        if len(text) != 8 or not text.isascii() or not text.isdigit():
            return None
        try:
            day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
        return day if self.low <= day <= self.high else None

    @staticmethod
    def text(day: date) -> str:
        return day.strftime("%Y%m%d")


_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
Field = Int | Word | Day


def one_of(words: Iterable[str]) -> Word:
    return Word(frozenset(words))


NONCE = Word(max_len=12)
"""A flow's draft nonce (storage.drafts): an old flow's buttons stop matching a new flow."""


class Schema:
    """The shape of one prefix's callback data: named, typed values in order.

    The last ``optional`` values may be left out (a button without an argument).
    """

    def __init__(
        self, prefix: str, *fields: tuple[str, Field], optional: int = 0, single_use: bool = False
    ) -> None:
        if not _TOKEN.fullmatch(prefix):
            raise ValueError(f"bad button prefix {prefix!r}")
        self.prefix = prefix
        self.fields = fields
        self.optional = optional
        self.single_use = single_use

    def make(self, *values: str | int | date) -> str:
        """The callback_data for these values; raises ValueError when they do not fit."""
        texts = [Day.text(v) if isinstance(v, date) else str(v) for v in values]
        data = ":".join([self.prefix, *texts])
        if len(data.encode()) > MAX_DATA_BYTES:
            raise ValueError(f"{data!r} is over {MAX_DATA_BYTES} bytes")
        if self.parse(data) is None:
            raise ValueError(f"{data!r} does not fit the {self.prefix!r} button schema")
        return data

    def parse(self, data: object) -> tuple[Any, ...] | None:
        """The typed values of `data`, or None when it is not this schema's valid data."""
        if not isinstance(data, str) or len(data.encode()) > MAX_DATA_BYTES:
            return None
        prefix, *parts = data.split(":")
        if prefix != self.prefix:
            return None
        if not len(self.fields) - self.optional <= len(parts) <= len(self.fields):
            return None
        values = []
        for text, (_, field) in zip(parts, self.fields, strict=False):
            value = field.parse(text)
            if value is None:
                return None
            values.append(value)
        return (*values, *([None] * (len(self.fields) - len(parts))))

    def matches(self, data: object) -> bool:
        return self.parse(data) is not None

    def read(self, update: Update) -> tuple[Any, ...]:
        """The pressed button's values (the handler is only called when they parse)."""
        assert update.callback_query is not None
        values = self.parse(update.callback_query.data)
        assert values is not None, "a handler got data its schema refuses"
        return values


# ---- every button of the bot --------------------------------------------------------------

REPORT_PROJECT = Schema("rn", ("project", Int()))
"""Report (or correct) this project: after a submission, in /mine, in a reminder."""
SNOOZE_REMINDER = Schema("sz", ("row", Int()), single_use=True)
"""Send this reminder (an outbox row) again in 30 minutes."""
INVITE_REVOKE = Schema("inv", ("op", one_of({"rv"})), ("invite", Int()))
SCHEDULE_TOGGLE = Schema("sch", ("op", one_of({"tg"})), ("kind", Word()))
IMPORT_CONFIRM = Schema("imp", ("nonce", NONCE), ("action", one_of({"ok", "no"})), single_use=True)
# /report: every button names the step it was shown at (a template field's step, "pick" or
# "confirm"), so one pressed after the report moved on is stale instead of answering the step
# the report is at now; a keyboard once used is taken off.
STEP = Word(max_len=12)
REPORT_PICK = Schema(
    "r", ("nonce", NONCE), ("step", one_of({"pick"})), ("project", Int()), single_use=True
)
REPORT_KEEP = Schema(
    "r", ("nonce", NONCE), ("step", STEP), ("action", one_of({"keep"})), single_use=True
)
"""Leave the step's answer as it is: 无变化, 跳过, 没有 ..."""
REPORT_OPTION = Schema(
    "r", ("nonce", NONCE), ("step", STEP), ("action", one_of({"opt"})), ("option", Int(0)),
    single_use=True,
)  # fmt: skip
"""One of the step's options: a stage, a milestone, a choice field's option."""
REPORT_CONFIRM = Schema(
    "r", ("nonce", NONCE), ("step", one_of({"confirm"})),
    ("action", one_of({"ok", "edit", "back", "cancel"})), single_use=True,
)  # fmt: skip
"""The summary's 确认 / 修改 / 取消, and 返回 from the list of answers to correct."""
REPORT_REDO = Schema(
    "r", ("nonce", NONCE), ("step", one_of({"confirm"})), ("action", one_of({"redo"})),
    ("field", STEP), single_use=True,
)  # fmt: skip
"""After 修改: correct this step's answer."""

# Raising a problem (/problem): each button names the step it answers, so a button of an
# earlier step pressed later is stale rather than taken as an answer to the current step.
PROBLEM_PICK = Schema(
    "pr", ("nonce", NONCE), ("step", one_of({"pick"})), ("project", Int()), single_use=True
)
PROBLEM_CATEGORY = Schema(
    "pr", ("nonce", NONCE), ("step", one_of({"category"})),
    ("category", one_of(problem_flow.CATEGORIES)), single_use=True,
)  # fmt: skip
PROBLEM_NO_PHOTO = Schema(
    "pr", ("nonce", NONCE), ("step", one_of({"photo"})), ("answer", one_of({"none"})),
    single_use=True,
)  # fmt: skip
# A problem's card: one action on the problem as it was (its version) when the card was shown.
PROBLEM_CARD = Schema(
    "pb", ("problem", Int()), ("version", Int(0)),
    ("action", one_of(problem_flow.ACTIONS)), single_use=True,
)  # fmt: skip
# Assigning a problem (交办): the department, then the deadline the draft proposed.
PROBLEM_DEPARTMENT = Schema(
    "pa", ("nonce", NONCE), ("step", one_of({"department"})), ("unit", Int()), single_use=True
)
PROBLEM_DEADLINE = Schema(
    "pa", ("nonce", NONCE), ("step", one_of({"deadline"})), ("day", Day()), single_use=True
)
PEOPLE_PAGE = Schema("ppg", ("page", Int(1, 9999)), ("filter", Word(max_len=20)), optional=1)
"""/people: another page of the list; the filter is r<role> or u<unit id> (none: everyone)."""
PEOPLE_REMOVE = Schema("prm", ("person", Int()))
"""/people, /remove: ask to confirm taking this person's access away."""
PEOPLE_CONFIRM = Schema(
    "prc", ("action", one_of({"ok", "no"})), ("person", Int()), single_use=True
)
"""Confirm (or cancel) the removal of this person."""
