"""Importing the project list: an admin's upload is held as a preview, stored only when they
confirm it, and the statuses of every project are recomputed after it.

The file itself is read elsewhere (import_worker, in a capped child process); what arrives
here is its ImportResult. The preview lives in the admin's draft, so a restart keeps it and
a second press of 确认 (or a stale preview's button) stores nothing twice.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from config import Config
from domain.import_result import ImportResult
from services.projects import refresh_after_change
from services.refusal import ADMINS_ONLY, Refusal
from storage import Database, audit, drafts, milestones, projects
from storage.drafts import Draft
from storage.people import Person

KIND = "import"
AWAIT_FILE, CONFIRM = "await_file", "confirm"
MAX_FILE_NAME = 120
STALE = Refusal.of("common.stale_button")
_DATES = ("planned_start", "planned_completion", "due")


async def begin(db: Database, actor: Person, update_id: int) -> Refusal | None:
    """/import: the next file the admin sends is the project list."""
    if not actor.is_admin:
        return ADMINS_ONLY
    draft = Draft(actor.tg_user_id, KIND, AWAIT_FILE)
    draft.last_update_id = update_id
    async with db.transaction() as tx:
        await drafts.save(tx, draft)
    return None


@dataclass(frozen=True)
class Preview:
    new: int  # rows whose project is not in the ledger yet
    updated: int  # rows that update a project (by code, or by name when the file has none)
    nonce: str | None  # the preview's buttons; None when nothing valid is held


async def hold(
    db: Database, actor: Person, file_name: str, result: ImportResult, update_id: int
) -> Preview | Refusal:
    """Keep a parsed file as the admin's preview (nothing is stored in the ledger yet); a file
    with nothing valid closes the import instead."""
    if not actor.is_admin:
        return ADMINS_ONLY
    codes, names = await projects.existing_codes_and_names(db)
    updated = sum(1 for r in result.rows if (r.code in codes if r.code else r.name in names))
    if not result.rows and not result.milestones:
        async with db.transaction() as tx:
            await drafts.delete(tx, actor.tg_user_id)
        return Preview(0, 0, None)
    draft = Draft(actor.tg_user_id, KIND, CONFIRM, {
        "file": file_name[:MAX_FILE_NAME],
        "rows": [_to_json(r) for r in result.rows],
        "milestones": [_to_json(m) for m in result.milestones],
    })  # fmt: skip
    draft.last_update_id = update_id
    async with db.transaction() as tx:
        await drafts.save(tx, draft)
    return Preview(len(result.rows) - updated, updated, draft.nonce)


@dataclass(frozen=True)
class Decided:
    stored: bool  # False: cancelled, nothing stored
    created: int = 0
    updated: int = 0
    milestones: int | None = None  # None: the file had no milestones
    unknown: tuple[str, ...] = ()  # milestones' projects not found in the ledger


async def decide(
    db: Database, actor: Person, nonce: str, confirm: bool, *, now: datetime, today: date,
    config: Config,
) -> Decided | Refusal:  # fmt: skip
    """Store the previewed rows (confirm) or drop them, in one transaction; a preview replaced
    or decided before is stale. Every project's status is recomputed after a store."""
    if not actor.is_admin:
        return ADMINS_ONLY
    async with db.transaction() as tx:
        draft = await drafts.get(tx, actor.tg_user_id)
        if draft is None or draft.kind != KIND or draft.nonce != nonce or draft.state != CONFIRM:
            return STALE
        await drafts.delete(tx, actor.tg_user_id)
        if not confirm:
            return Decided(stored=False)
        rows = [_from_json(r) for r in draft.data["rows"]]
        created, updated = await projects.upsert_imported(tx, rows, today.year, now)
        nodes = [_from_json(m) for m in draft.data.get("milestones", [])]
        stored, unknown = await milestones.upsert(tx, nodes)
        await audit.record(tx, actor.id, "import", file=draft.data["file"], created=created,
                           updated=updated, milestones=stored)  # fmt: skip
    await refresh_after_change(db, None, today, config)  # an import may touch any project
    return Decided(True, created, updated, stored if nodes else None, tuple(unknown))


def _to_json(row: object) -> dict:
    """An import row for the draft (JSON): dates as ISO text."""
    data = dataclasses.asdict(row)  # type: ignore[call-overload]
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def _from_json(data: dict) -> SimpleNamespace:
    return SimpleNamespace(**{
        k: date.fromisoformat(v) if k in _DATES and v else v for k, v in data.items()
    })  # fmt: skip
