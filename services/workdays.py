"""The work calendar in force: the official Chinese calendar with this deployment's exceptions.

Read afresh at each use, so an admin's `/schedule 例外` counts from the next action on; the
handlers, the scheduler and the web pages all take it from here.
"""

from __future__ import annotations

from domain.workdays import WorkCalendar
from storage import Database, Tx, schedule


async def work_calendar(db: Database | Tx) -> WorkCalendar:
    """The calendar as it stands now: statutory holidays and 调休, then local exceptions."""
    return WorkCalendar(await schedule.exceptions(db))
