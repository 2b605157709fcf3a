"""The report template (report_fields) and the answers to its fields (report_values)."""

from __future__ import annotations

import json
import weakref
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from domain.report_fields import FieldSpec, ReportField
from storage.db import Database, Tx
from timeutil import to_iso, utc_now

_FIELD = (
    "SELECT id, builtin, name, kind, unit, choices, required, enabled, position FROM report_fields"
)


def _field(r) -> ReportField:
    return ReportField(
        id=r["id"], builtin=r["builtin"], name=r["name"], kind=r["kind"], unit=r["unit"],
        choices=tuple(json.loads(r["choices"])), required=bool(r["required"]),
        enabled=bool(r["enabled"]), position=r["position"],
    )  # fmt: skip


# The template as last read, per database: every report starts by reading it, and it changes
# only by the writes below, each of which drops it now and again once its transaction commits
# (a read in flight meanwhile is not kept).
_kept: weakref.WeakKeyDictionary[Database, tuple[int, tuple[ReportField, ...]]] = (
    weakref.WeakKeyDictionary()
)
_generation: weakref.WeakKeyDictionary[Database, int] = weakref.WeakKeyDictionary()


async def template(db: Database | Tx) -> list[ReportField]:
    """Every field, on and off, in the template's order (inside a transaction: read afresh)."""
    if not isinstance(db, Database):
        return await _read(db)
    generation = _generation.get(db, 0)
    kept = _kept.get(db)
    if kept is not None and kept[0] == generation:
        return list(kept[1])
    fields = await _read(db)
    if _generation.get(db, 0) == generation:  # no change committed while it was read
        _kept[db] = (generation, tuple(fields))
    return fields


def _forget(db: Database) -> None:
    _generation[db] = _generation.get(db, 0) + 1
    _kept.pop(db, None)


def _changing(tx: Tx) -> None:
    """The template changes in `tx`: the next read after it commits goes to the database."""
    db = tx.db
    if db is not None:
        _forget(db)
        tx.on_commit(lambda: _forget(db))


async def _read(db: Database | Tx) -> list[ReportField]:
    return [_field(r) for r in await db.fetchall(_FIELD + " ORDER BY position, id")]


async def add(tx: Tx, spec: FieldSpec, actor: int) -> int:
    """A custom field at the end of the template; returns its id."""
    _changing(tx)
    now = to_iso(utc_now())
    last = await tx.fetchval("SELECT COALESCE(MAX(position), 0) FROM report_fields")
    return await tx.insert(
        "INSERT INTO report_fields (name, kind, unit, choices, required, position, created_by,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (spec.name, spec.kind, spec.unit, json.dumps(list(spec.choices), ensure_ascii=False),
         int(spec.required), last + 1, actor, now, now),
    )  # fmt: skip


async def set_enabled(tx: Tx, field_id: int, enabled: bool) -> None:
    _changing(tx)
    await tx.execute(
        "UPDATE report_fields SET enabled = ?, updated_at = ? WHERE id = ?",
        (int(enabled), to_iso(utc_now()), field_id),
    )


async def reorder(tx: Tx, field_ids: Sequence[int]) -> None:
    """Positions 1..n in the order given."""
    _changing(tx)
    now = to_iso(utc_now())
    await tx.executemany(
        "UPDATE report_fields SET position = ?, updated_at = ? WHERE id = ?",
        [(i, now, fid) for i, fid in enumerate(field_ids, start=1)],
    )


async def store(tx: Tx, revision_id: int, values: dict[int, str]) -> None:
    """A revision's answers, by field id."""
    await tx.executemany(
        "INSERT INTO report_values (revision_id, field_id, value) VALUES (?, ?, ?)",
        [(revision_id, fid, value) for fid, value in values.items()],
    )


async def of_revision(db: Database | Tx, revision_id: int) -> dict[int, str]:
    """field id → answer, for one revision."""
    rows = await db.fetchall(
        "SELECT field_id, value FROM report_values WHERE revision_id = ?", (revision_id,)
    )
    return {r["field_id"]: r["value"] for r in rows}


async def of_revisions(
    db: Database | Tx, revision_ids: Sequence[int]
) -> dict[int, dict[int, str]]:
    """revision id → {field id → answer}, for a page of revisions."""
    found: dict[int, dict[int, str]] = defaultdict(dict)
    if not revision_ids:
        return found
    marks = ",".join("?" * len(revision_ids))
    rows = await db.fetchall(
        f"SELECT revision_id, field_id, value FROM report_values WHERE revision_id IN ({marks})",
        list(revision_ids),
    )
    for r in rows:
        found[r["revision_id"]][r["field_id"]] = r["value"]
    return found


async def latest_between(
    db: Database | Tx, start: date, end: date
) -> dict[tuple[int, str], dict[int, str]]:
    """(project id, day) → {field id → answer} of each day's latest revision."""
    rows = await db.fetchall(
        "SELECT r.project_id, r.report_date, rv.field_id, rv.value FROM reports r"
        " JOIN report_revisions v ON v.report_id = r.id AND v.revision ="
        " (SELECT MAX(revision) FROM report_revisions WHERE report_id = r.id)"
        " JOIN report_values rv ON rv.revision_id = v.id"
        " WHERE r.report_date BETWEEN ? AND ?",
        (start.isoformat(), end.isoformat()),
    )
    found: dict[tuple[int, str], dict[int, str]] = defaultdict(dict)
    for r in rows:
        found[(r["project_id"], r["report_date"])][r["field_id"]] = r["value"]
    return found


async def for_export(db: Database | Tx, start: date, end: date) -> list[ReportField]:
    """The value-keeping fields an export of the period shows: those on, and those off that
    have an answer in the period (a field turned off keeps its column where it has history)."""
    rows = await db.fetchall(
        _FIELD + " f WHERE f.kind != 'builtin' AND (f.enabled = 1 OR EXISTS ("
        " SELECT 1 FROM report_values rv JOIN report_revisions v ON v.id = rv.revision_id"
        " JOIN reports r ON r.id = v.report_id"
        " WHERE rv.field_id = f.id AND r.report_date BETWEEN ? AND ?))"
        " ORDER BY f.position, f.id",
        (start.isoformat(), end.isoformat()),
    )
    return [_field(r) for r in rows]


async def latest_of_project(
    db: Database | Tx, project_id: int
) -> tuple[date, str, dict[int, str]] | None:
    """The project's latest report: its day, its text and its field answers."""
    row = await db.fetchone(
        "SELECT v.id, r.report_date, v.text FROM reports r"
        " JOIN report_revisions v ON v.report_id = r.id"
        " WHERE r.project_id = ? ORDER BY r.report_date DESC, v.revision DESC LIMIT 1",
        (project_id,),
    )
    if row is None:
        return None
    values = await of_revision(db, row["id"])
    return date.fromisoformat(row["report_date"]), row["text"], values
