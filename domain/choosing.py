"""Which of a listed set a typed answer means: its number in the list, its code, or its name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from domain.text import number_in


class Listed(Protocol):
    code: str
    name: str


T = TypeVar("T", bound=Listed)


def match_listed(choices: Sequence[T], text: str) -> T | None:
    """The one item a typed answer means: its number in the list, its code, or part of its
    name; None when nothing or several match."""
    number = number_in(text, 1, len(choices))
    if number is not None:
        return choices[number - 1]
    matches = [p for p in choices if text.upper() == p.code.upper()] or [
        p for p in choices if text in p.name
    ]
    return matches[0] if len(matches) == 1 else None
