"""Running totals: what the pushes need of a project's history, kept as its reports arrive.

A province keeps years of reports. The weekly scores, the bulletin and /status read the
period's reports and these columns of `projects`, never the whole history, so they cost the
same with three years of reports as with one:

- ``done_yuan`` / ``done_year``: investment completed this year (cumulative), as the latest
  report or correction said it, or an admin's 累计完成 edit (storage.projects.update_field);
- ``last_report_on``: the day of the latest report of any kind;
- ``last_real_on``: the day of the latest report whose latest revision is real progress.

Migration 0014 filled the last two for the reports stored before it.
"""

from __future__ import annotations

from datetime import date

from storage.db import Tx

# The latest day before :day whose report's latest revision is real progress. Reports are read
# newest first by the (project_id, report_date) index and the walk stops at the first match.
_LAST_REAL_BEFORE = (
    "SELECT r.report_date FROM reports r WHERE r.project_id = :id AND r.report_date < :day"
    " AND (SELECT v.real_progress FROM report_revisions v WHERE v.report_id = r.id"
    "      ORDER BY v.revision DESC LIMIT 1) = 1"
    " ORDER BY r.report_date DESC LIMIT 1"
)


async def report_stored(tx: Tx, project_id: int, day: date, real_progress: bool) -> None:
    """Bring the project's running totals up to date after a revision of its report of `day`
    was stored, in the same transaction: a report, or a correction that may take the day's
    real progress back (the last real day is then the one before)."""
    params = {"id": project_id, "day": day.isoformat()}
    if real_progress:
        await tx.execute(
            "UPDATE projects SET last_report_on = MAX(COALESCE(last_report_on, :day), :day),"
            " last_real_on = MAX(COALESCE(last_real_on, :day), :day) WHERE id = :id",
            params,
        )
        return
    await tx.execute(
        "UPDATE projects SET last_report_on = MAX(COALESCE(last_report_on, :day), :day),"
        " last_real_on = CASE WHEN last_real_on = :day THEN (" + _LAST_REAL_BEFORE + ")"
        " ELSE last_real_on END WHERE id = :id",
        params,
    )
