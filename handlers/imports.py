"""/import: an admin uploads the project list, sees a preview with row errors, confirms."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from datetime import date
from types import SimpleNamespace

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from callback_data import IMPORT_CONFIRM
from domain.project_import import ImportFileError, ImportResult, parse_project_file
from handlers import buttons
from handlers.common import keyboard, reply, requires, svc, today
from messages import t
from storage import audit, drafts, milestones, projects
from storage.drafts import Draft
from storage.people import Person

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ERRORS_SHOWN = 20
AWAIT_FILE, CONFIRM = "await_file", "confirm"


@requires("admin")
async def import_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """Ask for the file; the next document the admin sends is the project list."""
    draft = Draft(person.tg_user_id, "import", AWAIT_FILE)
    draft.last_update_id = update.update_id
    async with svc(context).db.transaction() as tx:
        await drafts.save(tx, draft)
    await reply(update, t("import.send_file"))


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """An admin sent a file: parse it and show the preview (nothing is stored yet)."""
    doc = update.effective_message.document
    assert doc is not None
    name = doc.file_name or "file"
    if not name.lower().endswith((".xlsx", ".csv", ".xls", ".xlsm")):
        await reply(update, t("import.bad_type", name=name[:80]))
        return
    if doc.file_size and doc.file_size > MAX_FILE_BYTES:
        await reply(update, t("import.too_big", limit=MAX_FILE_BYTES // 1024 // 1024))
        return
    try:
        content = bytes(await (await doc.get_file()).download_as_bytearray())
    except TelegramError:
        await reply(update, t("import.download_failed"))
        return
    try:
        # openpyxl is CPU-bound: keep the event loop answering other liaisons meanwhile.
        result = await asyncio.to_thread(parse_project_file, name, content)
    except ImportFileError as exc:
        await reply(update, t("import.file_error", reason=exc.reason))
        return
    await _preview(update, context, person, name, result)


async def _preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    name: str,
    result: ImportResult,
) -> None:
    db = svc(context).db
    codes, names = await projects.existing_codes_and_names(db)
    updated = sum(1 for r in result.rows if (r.code in codes if r.code else r.name in names))
    units = Counter(r.unit for r in result.rows)
    if result.rows:
        lines = [
            t("import.preview_head", name=name[:80], sheet=result.sheet,
              header=result.header_row, unit=result.money_unit),
            t("import.preview_counts", total=len(result.rows), new=len(result.rows) - updated,
              updated=updated),
        ]  # fmt: skip
    else:
        lines = [t("import.preview_head_nodes", name=name[:80], sheet=result.sheet)]
    if result.milestones:
        lines.append(t("import.preview_milestones", n=len(result.milestones)))
    if units:
        shown = "、".join(f"{u}({n})" for u, n in units.most_common(12))
        more = t("import.more_units", n=len(units) - 12) if len(units) > 12 else ""
        lines.append(t("import.preview_units", units=shown + more))
    lines += result.warnings[:5]
    if result.errors:
        lines.append(t("import.preview_errors", count=len(result.errors)))
        for err in result.errors[:MAX_ERRORS_SHOWN]:
            column = f"「{err.column[:20]}」" if err.column else ""
            lines.append(
                t("import.error_line", row=err.row, column=column, reason=err.reason[:80])
            )
        if len(result.errors) > MAX_ERRORS_SHOWN:
            lines.append(t("import.errors_more", n=len(result.errors) - MAX_ERRORS_SHOWN))
    total = len(result.rows) + len(result.milestones)
    if not total:
        lines.append(t("import.nothing_valid"))
        async with db.transaction() as tx:
            await drafts.delete(tx, person.tg_user_id)
        await reply(update, "\n".join(lines))
        return
    lines.append(
        t("import.confirm_hint_errors" if result.errors else "import.confirm_hint", n=total)
    )
    draft = Draft(person.tg_user_id, "import", CONFIRM, {
        "file": name[:120],
        "rows": [_to_json(r) for r in result.rows],
        "milestones": [_to_json(m) for m in result.milestones],
    })  # fmt: skip
    draft.last_update_id = update.update_id
    async with db.transaction() as tx:
        await drafts.save(tx, draft)
    await reply(update, "\n".join(lines), reply_markup=keyboard([[
        (t("import.btn_confirm", n=total), IMPORT_CONFIRM.make(draft.nonce, "ok")),
        (t("import.btn_cancel"), IMPORT_CONFIRM.make(draft.nonce, "no")),
    ]]))  # fmt: skip


@requires("admin")
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """Confirm or cancel a previewed import: imp:<nonce>:ok|no."""
    nonce, action = IMPORT_CONFIRM.read(update)
    db = svc(context).db
    async with db.transaction() as tx:
        draft = await drafts.get(tx, person.tg_user_id)
        if (
            draft is None
            or draft.kind != "import"
            or draft.nonce != nonce
            or draft.state != CONFIRM
        ):
            await reply(update, t("common.stale_button"))
            return
        await drafts.delete(tx, person.tg_user_id)
        if action != "ok":
            await reply(update, t("common.cancelled"))
            return
        rows = [_from_json(r) for r in draft.data["rows"]]
        created, updated = await projects.upsert_imported(tx, rows, today(context).year)
        nodes = [_from_json(m) for m in draft.data.get("milestones", [])]
        stored, unknown = await milestones.upsert(tx, nodes)
        await audit.record(tx, person.id, "import", file=draft.data["file"], created=created,
                           updated=updated, milestones=stored)  # fmt: skip
    text = t("import.done", created=created, updated=updated)
    if nodes:
        text += "\n" + t("import.done_milestones", n=stored)
    if unknown:
        text += "\n" + t("import.unknown_projects", n=len(unknown),
                         names="、".join(unknown[:10]))  # fmt: skip
    await reply(update, text)


_DATES = ("planned_start", "planned_completion", "due")


def _to_json(row: object) -> dict:
    """An import row for the draft (JSON): dates as ISO text."""
    data = dataclasses.asdict(row)
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def _from_json(data: dict) -> SimpleNamespace:
    return SimpleNamespace(**{
        k: date.fromisoformat(v) if k in _DATES and v else v for k, v in data.items()
    })  # fmt: skip


def register(app: Application) -> None:
    app.add_handler(CommandHandler("import", import_command))
    app.add_handler(buttons.handler(IMPORT_CONFIRM, on_button))
