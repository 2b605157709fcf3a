"""The ledger's (台账) project and entry sheets, read a page at a time for the .xlsx export.

Pages are ordered and offset so that the export streams the whole ledger without holding it
in memory; a page holds plain dataclass rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.photos import file_name
from storage.db import Database, Tx
from timeutil import from_iso, to_iso


def _in(project_ids: Sequence[int] | None, column: str) -> tuple[str, list[Any]]:
    """An AND clause keeping `project_ids` (None: every project)."""
    if project_ids is None:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(project_ids))})", list(project_ids)


@dataclass(frozen=True)
class LedgerProject:
    """A project as its row of the ledger shows it at a day's end (figures apart)."""

    id: int
    code: str
    name: str
    unit: str
    category: str | None
    stage: str | None
    leader_name: str | None
    liaisons: str | None  # names, 、-separated
    color: str | None  # the stored status; None when never assessed
    last_day: date | None  # the last report by the day
    last_text: str | None  # that report's latest text
    open_problems: int  # raised before the day ended and not closed by then


async def project_page(
    db: Database | Tx,
    project_ids: Sequence[int] | None,
    day: date,
    night: datetime,
    limit: int,
    offset: int,
) -> list[LedgerProject]:
    """Projects by unit and code, as of local `day`, whose end is `night` (UTC)."""
    where, params = _in(project_ids, "p.id")
    rows = await db.fetchall(
        f"""
        SELECT p.id, p.code, p.name, u.name AS unit, p.category, p.stage, p.leader_name,
               (SELECT GROUP_CONCAT(pe.name, '、') FROM project_people pp
                  JOIN people pe ON pe.id = pp.person_id
                 WHERE pp.project_id = p.id AND pp.role = 'liaison') AS liaisons,
               (SELECT color FROM project_status s WHERE s.project_id = p.id) AS color,
               (SELECT MAX(report_date) FROM reports r
                 WHERE r.project_id = p.id AND r.report_date <= ?) AS last_day,
               (SELECT v.text FROM reports r JOIN report_revisions v ON v.report_id = r.id
                 WHERE r.project_id = p.id AND r.report_date <= ?
                 ORDER BY r.report_date DESC, v.revision DESC LIMIT 1) AS last_text,
               (SELECT COUNT(*) FROM problems pr
                 WHERE pr.project_id = p.id AND pr.created_at < ?
                   AND NOT (pr.state = 'closed'
                            AND (pr.closed_at IS NULL OR pr.closed_at < ?))) AS open_problems
        FROM projects p JOIN units u ON u.id = p.unit_id
        WHERE 1 = 1{where}
        ORDER BY u.name, p.code, p.id LIMIT ? OFFSET ?
        """,
        [day.isoformat(), day.isoformat(), to_iso(night), to_iso(night), *params, limit, offset],
    )
    return [
        LedgerProject(**{
            **{k: r[k] for k in r.keys()},  # noqa: SIM118 - sqlite3.Row
            "last_day": date.fromisoformat(r["last_day"]) if r["last_day"] else None,
        })
        for r in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class LedgerEntry:
    """A day's report on a project, at its latest revision."""

    revision_id: int  # the revision's row (its report fields' answers hang on it)
    report_date: date
    code: str
    name: str
    unit: str
    liaison: str
    text: str
    done_yuan: int  # this year's investment, cumulative, as reported
    baseline_yuan: int  # the same before the day's report
    stage_before: str | None
    stage_after: str | None  # None: no stage change
    problem: str | None  # the problem raised with it
    revision: int
    created_at: datetime  # of the latest revision (UTC)
    photo_id: int | None = None  # the site photo sent with it
    photo_name: str | None = None  # its archived file; None while it is being downloaded


async def entry_page(
    db: Database | Tx,
    project_ids: Sequence[int] | None,
    start: date,
    end: date,
    limit: int,
    offset: int,
) -> list[LedgerEntry]:
    """The period's reports by day, unit and code."""
    where, params = _in(project_ids, "p.id")
    rows = await db.fetchall(
        f"""
        SELECT v.id AS revision_id, r.report_date, p.code, p.name, u.name AS unit,
               pe.name AS liaison, v.text,
               v.done_yuan, r.baseline_yuan, v.stage_before, v.stage_after,
               pr.description AS problem, v.revision, v.created_at, v.photo_id, ph.sha256,
               ph.extension
        FROM reports r
        JOIN report_revisions v ON v.report_id = r.id
             AND v.revision = (SELECT MAX(revision) FROM report_revisions WHERE report_id = r.id)
        JOIN projects p ON p.id = r.project_id
        JOIN units u ON u.id = p.unit_id
        JOIN people pe ON pe.id = v.person_id
        LEFT JOIN problems pr ON pr.id = v.problem_id
        LEFT JOIN photos ph ON ph.id = v.photo_id
        WHERE r.report_date BETWEEN ? AND ?{where}
        ORDER BY r.report_date, u.name, p.code LIMIT ? OFFSET ?
        """,
        [start.isoformat(), end.isoformat(), *params, limit, offset],
    )
    return [
        LedgerEntry(**{
            **{k: r[k] for k in r.keys() if k not in ("sha256", "extension")},  # noqa: SIM118
            "report_date": date.fromisoformat(r["report_date"]),
            "created_at": from_iso(r["created_at"]),
            "photo_name": file_name(r["sha256"], r["extension"]) if r["sha256"] else None,
        })
        for r in rows
    ]  # fmt: skip
