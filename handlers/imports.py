"""/import: an admin uploads the project list, sees a preview with row errors, confirms."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date
from pathlib import PurePath
from types import SimpleNamespace

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from callback_data import IMPORT_CONFIRM
from domain.import_result import ImportResult, check_totals
from domain.money import format_wan_number
from domain.project_import import ImportFileError
from domain.sheet_reader import MAX_FILE_BYTES, SUFFIXES
from domain.text import clean, clean_line, squash
from handlers import buttons
from handlers.common import keyboard, reply, requires, svc, today
from handlers.ranking import restatus
from import_worker import parse_upload
from messages import t
from storage import audit, drafts, milestones, projects
from storage.drafts import Draft
from storage.people import Person

MAX_ERRORS_SHOWN = 20
FIRST_ROWS_SHOWN = 5
AWAIT_FILE, CONFIRM = "await_file", "confirm"
# Typed at the preview, the buttons' words do what the buttons do.
CONFIRM_WORDS = {"确认": "ok", "确认导入": "ok", "导入": "ok", "取消": "no", "取消导入": "no"}


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
    name = clean_line(doc.file_name or "")[:120] or "file"
    if PurePath(name).suffix.lower() not in SUFFIXES:
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
        # Read in a capped child process: no file can take the bot's memory or event loop.
        result = await parse_upload(name, content)
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
    if result.rows:
        lines += _first_rows_and_totals(result)
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


def _first_rows_and_totals(result: ImportResult) -> list[str]:
    """The first rows as they will be stored, and their sums against the sheet's 合计 row."""
    lines = [t("import.preview_first_rows", n=min(FIRST_ROWS_SHOWN, len(result.rows)))]
    for row in result.rows[:FIRST_ROWS_SHOWN]:
        lines.append(t("import.preview_row", row=row.row, name=row.name[:40],
                       unit=row.unit[:20], total=format_wan_number(row.total_yuan),
                       plan=format_wan_number(row.year_plan_yuan)))  # fmt: skip
    check = check_totals(result)
    sums = {"total": format_wan_number(check.total_yuan),
            "plan": format_wan_number(check.year_plan_yuan)}  # fmt: skip
    sheet = check.sheet_total
    if sheet is None:
        lines.append(t("import.totals_no_sheet_row", **sums))
    elif not check.mismatched:
        lines.append(t("import.totals_match", row=sheet.row, **sums))
    else:
        lines.append(t("import.totals_mismatch", row=sheet.row))
        figures = {"total": (check.total_yuan, sheet.total_yuan),
                   "year_plan": (check.year_plan_yuan, sheet.year_plan_yuan)}  # fmt: skip
        for field, (ours, theirs) in figures.items():
            if field in check.mismatched and theirs is not None:
                lines.append(t(f"import.totals_mismatch_{field}", sheet=format_wan_number(theirs),
                               ours=format_wan_number(ours)))  # fmt: skip
        if result.errors:
            lines.append(t("import.totals_errors_excluded", n=len({e.row for e in result.errors})))
    return lines


@requires("admin")
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """Confirm or cancel a previewed import: imp:<nonce>:ok|no."""
    nonce, action = IMPORT_CONFIRM.read(update)
    await _decide(update, context, person, nonce, action)


async def on_input(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, draft: Draft
) -> None:
    """Text while an import is open: typing a preview button's label does what it does."""
    text = re.sub(r"\d+个$", "", squash(clean(update.effective_message.text or "")))
    if draft.state == CONFIRM and text in CONFIRM_WORDS:
        await _decide(update, context, person, draft.nonce, CONFIRM_WORDS[text])
    elif draft.state == CONFIRM:
        await reply(update, t("import.confirm_with_buttons"))
    else:
        await reply(update, t("import.send_file"))


async def _decide(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, nonce: str, action: str
) -> None:
    """Store the previewed rows (ok) or drop them (no), in one transaction; answer after it,
    so a slow Telegram never holds the write lock."""
    db = svc(context).db
    async with db.transaction() as tx:
        draft = await drafts.get(tx, person.tg_user_id)
        current = (draft is not None and draft.kind == "import" and draft.nonce == nonce
                   and draft.state == CONFIRM)  # fmt: skip
        if current:
            await drafts.delete(tx, person.tg_user_id)
        if current and action == "ok":
            rows = [_from_json(r) for r in draft.data["rows"]]
            created, updated = await projects.upsert_imported(tx, rows, today(context).year,
                                                               svc(context).now())  # fmt: skip
            nodes = [_from_json(m) for m in draft.data.get("milestones", [])]
            stored, unknown = await milestones.upsert(tx, nodes)
            await audit.record(tx, person.id, "import", file=draft.data["file"],
                               created=created, updated=updated, milestones=stored)  # fmt: skip
    if not current:
        await reply(update, t("common.stale_button"))
        return
    if action != "ok":
        await reply(update, t("common.cancelled"))
        return
    await restatus(context, None)  # every project: an import may touch any of them
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
