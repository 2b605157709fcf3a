"""Times: stored as UTC ISO-8601 text, shown and bucketed into days in the configured zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """UTC text that sorts correctly: 2026-11-22T08:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    # fromisoformat reads the trailing Z as UTC (Python 3.11+) and is ~50x faster than
    # strptime: lists of a province's problems parse thousands of these per page.
    return datetime.fromisoformat(text)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def show(text_or_moment: str | datetime, tz: ZoneInfo, fmt: str = "%m-%d %H:%M") -> str:
    """Format a stored UTC time for people, in their zone."""
    moment = from_iso(text_or_moment) if isinstance(text_or_moment, str) else text_or_moment
    return moment.astimezone(tz).strftime(fmt)
