"""What charts draw: plain frozen rows, and the words on them, which come from the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Flag = Literal["red", "yellow"]
Status = Literal["green", "yellow", "red", "unreported"]
STATUSES: tuple[str, ...] = ("green", "yellow", "red", "unreported")


@dataclass(frozen=True)
class UnitBar:
    """One responsible unit in the weekly ranking.

    Attributes:
        name: The unit's name as people know it.
        score: Its score this period; higher is better.
        change: Places gained since last week (3 = moved up three, -1 = fell one, 0 = same);
            None when the unit was not ranked last week.
        flag: "red" for 红旗 (the top N), "yellow" for 黄旗 (the bottom N), else None.
        rank: Its place as the ranking gave it, shown as is; None: places by score, ties
            sharing a place.
    """

    name: str
    score: float
    change: int | None
    flag: Flag | None = None
    rank: int | None = None

    def __post_init__(self) -> None:
        if self.flag not in (None, "red", "yellow"):
            raise ValueError(f"flag must be 'red', 'yellow' or None, not {self.flag!r}")


@dataclass(frozen=True)
class ProjectBar:
    """One project on the 龙虎榜, or on a unit's own chart.

    Attributes:
        rank: Its place in the ranking the chart shows (1 = best), shown as is: city-wide on
            the 龙虎榜, within the unit on a unit's chart.
        name: The project's name.
        unit: Its responsible unit.
        score: Its score this period; higher is better.
        status: Its light: "green" on schedule, "yellow" slipping, "red" far behind,
            "unreported" (未上报) when nothing is known to judge it by; never drawn as green.
    """

    rank: int
    name: str
    unit: str
    score: float
    status: Status

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")


@dataclass(frozen=True)
class BulletinBar:
    """One line of the monthly bulletin's table: a unit, or the city as a whole.

    Figures come rounded as the caller shows them elsewhere (the bulletin's paragraph, the
    ledger), so the chart writes the same digits.

    Attributes:
        name: The unit's name (or the city's).
        done: Investment completed this year, in the unit the header names (e.g. 亿元).
        share: Completed / year plan as a percentage (85.2); None without a year plan.
        gap: Percentage points ahead of (+) or behind (-) 时间进度; None without a year plan.
        started: Projects started (实际开工).
        planned: Projects due to start (计划开工); 0 shows no start figures.
    """

    name: str
    done: float
    share: float | None
    gap: float | None
    started: int = 0
    planned: int = 0


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
        status_unreported: Legend word for the 未上报 mark (龙虎榜).
        plan_line: Label of the reference line (bulletin), e.g. "时间进度 83.3%".
        ahead: Legend word for at or ahead of the line (bulletin).
        behind: Legend word for behind the line (bulletin).
        no_data: Shown instead of a bar when a unit has no share (bulletin).
        done_label: Header of the completed-investment column (bulletin).
        share_label: Header of the share-of-plan column (bulletin).
        gap_label: Header of the gap column (bulletin).
        starts_label: Header of the starts column (bulletin).
        footer: A note at the page's foot, e.g. what a score of 100 means; wrapped to fit.
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
    status_unreported: str = ""
    plan_line: str = ""
    ahead: str = ""
    behind: str = ""
    no_data: str = "—"
    done_label: str = ""
    share_label: str = ""
    gap_label: str = ""
    starts_label: str = ""
    footer: str = ""
    score_format: str = "{:.1f}"
