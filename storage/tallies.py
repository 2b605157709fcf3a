"""What the boards and the digests count, counted in SQL: a month of a province's reports is
100,000 rows, and a unit's board needs one unit's projects, not the whole day's reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage.db import Database, Tx


@dataclass(frozen=True)
class UnitTally:
    """A unit's reports over some days, each day's latest revision."""

    reports: int
    added_yuan: int  # each report's rise over its day's starting figure (a fall counts 0)
    stage_changes: int


async def by_unit(db: Database | Tx, start: date, end: date) -> dict[int, UnitTally]:
    """unit id -> its tally from `start` to `end` (inclusive); units without reports absent."""
    rows = await db.fetchall(
        "SELECT p.unit_id, COUNT(*), SUM(MAX(v.done_yuan - r.baseline_yuan, 0)),"
        " SUM(v.stage_after IS NOT NULL)"
        " FROM reports r JOIN report_revisions v ON v.report_id = r.id AND v.revision ="
        " (SELECT MAX(revision) FROM report_revisions WHERE report_id = r.id)"
        " JOIN projects p ON p.id = r.project_id"
        " WHERE r.report_date BETWEEN ? AND ? GROUP BY p.unit_id",
        (start.isoformat(), end.isoformat()),
    )
    return {unit: UnitTally(n, added, stages) for unit, n, added, stages in rows}


async def unit_board(db: Database | Tx, unit_id: int, day: date) -> list[tuple[int, str, bool]]:
    """(project id, code, reported on `day`) of every project of the unit."""
    rows = await db.fetchall(
        "SELECT p.id, p.code, EXISTS (SELECT 1 FROM reports r WHERE r.project_id = p.id"
        " AND r.report_date = ?) FROM projects p WHERE p.unit_id = ?",
        (day.isoformat(), unit_id),
    )
    return [(pid, code, bool(reported)) for pid, code, reported in rows]
