"""What the reporting service answers, as plain data the handler renders from the catalog."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.photos import Sent
from domain.report_fields import Refusal, ReportField
from domain.status import DEFAULT_THRESHOLDS, Thresholds
from domain.workdays import WorkCalendar
from services.report_steps import Facts, Line, Option
from storage import Database
from storage.drafts import Draft
from storage.projects import Project

KIND = "report"  # the drafts' kind
PICK, CONFIRM = "pick", "confirm"  # the states besides the template's steps


@dataclass(frozen=True)
class Env:
    """What every reporting call works with."""

    db: Database
    day: date  # the local day reports belong to
    now: datetime  # the time of the update (UTC; the bot's clock, which tests set)
    tz: ZoneInfo
    calendar: Callable[[], Awaitable[WorkCalendar]]  # for the status after a report
    board_dirty: Callable[[int], None] = lambda unit_id: None  # the unit's board shows it
    photos_kept: Callable[[], None] = lambda: None  # a photo was stored: archive it now
    thresholds: Thresholds = DEFAULT_THRESHOLDS  # the deployment's, for the status after it


@dataclass(frozen=True)
class Typed:
    """What a liaison sent: the text (cleaned at the boundary; a paste Telegram split arrives
    joined, handlers.paste), or a photo (or a file) with its caption."""

    update_id: int
    text: str = ""
    photo: Sent | None = None  # a photo, or a file of any type


@dataclass(frozen=True)
class Said:
    """One line, and nothing else to show."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ask:
    """Ask a step's question."""

    draft: Draft
    field: ReportField
    number: int  # which step of `total`: the steps asked have no gaps
    total: int
    facts: Facts
    prompt: Line
    options: list[Option]
    keep: str | None  # the label of the button that leaves the answer as it is
    current: Line | None  # the answer it has now (today's earlier report, or this one's)
    notes: list[Line]  # said before the question: why an answer was refused, a correction


@dataclass(frozen=True)
class Pick:
    """Which project? Each with whether it was reported today."""

    draft: Draft
    projects: list[tuple[Project, bool]]
    notes: list[Line]


@dataclass(frozen=True)
class Review:
    """The summary before 确认: each step's name and answer."""

    draft: Draft
    facts: Facts
    lines: list[tuple[str, Line]]
    notes: list[Line]


@dataclass(frozen=True)
class EditMenu:
    """Which answer to correct: (step, name) of each."""

    draft: Draft
    steps: list[tuple[str, str]]


@dataclass(frozen=True)
class Saved:
    """Committed: the revision stored, and the liaison's projects not yet reported today."""

    code: str
    name: str
    revision: int
    left: list[Project]


Result = Ask | Pick | Review | EditMenu | Saved | Said | None
"""None: an update delivered twice, already handled; nothing to say."""


def refused(refusal: Refusal) -> Line:
    """A refused answer as a catalog line (report.refuse_<code>)."""
    return (f"report.refuse_{refusal.code}", refusal.params)
