"""What charts draw: plain frozen rows, and the words on them, which come from the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Flag = Literal["red", "yellow"]
Status = Literal["green", "yellow", "red"]


@dataclass(frozen=True)
class UnitBar:
    """One responsible unit in the weekly ranking.

    Attributes:
        name: The unit's name as people know it.
        score: Its score this period; higher is better.
        change: Places gained since last week (3 = moved up three, -1 = fell one, 0 = same);
            None when the unit was not ranked last week.
        flag: "red" for 红旗 (the top N), "yellow" for 黄旗 (the bottom N), else None.
    """

    name: str
    score: float
    change: int | None
    flag: Flag | None = None

    def __post_init__(self) -> None:
        if self.flag not in (None, "red", "yellow"):
            raise ValueError(f"flag must be 'red', 'yellow' or None, not {self.flag!r}")


@dataclass(frozen=True)
class ProjectBar:
    """One project on the 龙虎榜.

    Attributes:
        rank: Its place in the full ranking (1 = best), shown as is.
        name: The project's name.
        unit: Its responsible unit.
        score: Its score this period; higher is better.
        status: Its light: "green" on schedule, "yellow" slipping, "red" far behind.
    """

    rank: int
    name: str
    unit: str
    score: float
    status: Status

    def __post_init__(self) -> None:
        if self.status not in ("green", "yellow", "red"):
            raise ValueError(f"status must be 'green', 'yellow' or 'red', not {self.status!r}")


@dataclass(frozen=True)
class BulletinBar:
    """One unit in the monthly bulletin.

    Attributes:
        name: The unit's name.
        ratio_to_plan: Investment completed / planned to date (序时进度); 1.0 = on schedule.
            None when there is nothing to compare (no plan yet, or no report).
    """

    name: str
    ratio_to_plan: float | None


@dataclass(frozen=True)
class ChartText:
    """Every word a chart shows, filled by the caller from the message catalog.

    Charts hold no words of their own. A label left empty is not drawn: a legend entry
    without its word is left out, a column has no header.

    Attributes:
        title: The chart's title.
        subtitle: The period, e.g. a date range or a month.
        as_of: When the data was taken, e.g. "数据截至 3月14日 17:00".
        empty: Shown in place of the rows when there are none.
        more: The gap row when rows are left out; "{n}" is replaced by how many.
        name_label: Header of the name column.
        score_label: Header of the score column.
        change_label: Header of the change column (unit ranking).
        new: Shown in the change column for a unit not ranked last week.
        red_flag: Legend word for red flags (unit ranking).
        yellow_flag: Legend word for yellow flags (unit ranking).
        top_label: Heading of the top list (龙虎榜).
        bottom_label: Heading of the bottom list (龙虎榜).
        status_green: Legend word for the green light (龙虎榜).
        status_yellow: Legend word for the yellow light (龙虎榜).
        status_red: Legend word for the red light (龙虎榜).
        plan_line: Label of the 100% reference line (bulletin), e.g. "序时进度".
        ahead: Legend word for at or above schedule (bulletin).
        behind: Legend word for below schedule (bulletin).
        no_data: Shown instead of a bar when a unit has no ratio (bulletin).
        score_format: How scores are written, a str.format pattern.
    """

    title: str
    subtitle: str = ""
    as_of: str = ""
    empty: str = "—"
    more: str = "… +{n}"
    name_label: str = ""
    score_label: str = ""
    change_label: str = ""
    new: str = "★"
    red_flag: str = ""
    yellow_flag: str = ""
    top_label: str = ""
    bottom_label: str = ""
    status_green: str = ""
    status_yellow: str = ""
    status_red: str = ""
    plan_line: str = ""
    ahead: str = ""
    behind: str = ""
    no_data: str = "—"
    score_format: str = "{:.1f}"
