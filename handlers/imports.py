"""/import: an admin uploads the project list, sees a preview with row errors, confirms."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePath

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from callback_data import IMPORT_CONFIRM
from domain.import_errors import Reason
from domain.import_result import ImportResult, check_totals
from domain.money import format_wan_number
from domain.project_import import ImportFileError
from domain.sheet_reader import MAX_FILE_BYTES, SUFFIXES
from domain.text import clean, clean_line, squash
from handlers import buttons
from handlers.common import keyboard, refuse, reply, requires
from handlers.context import Context
from import_worker import parse_upload
from messages import t
from services import project_import as service
from services.project_import import CONFIRM
from services.refusal import Refusal
from storage.drafts import Draft
from storage.people import Person

MAX_ERRORS_SHOWN = 20
FIRST_ROWS_SHOWN = 5
# Typed at the preview, the buttons' words do what the buttons do.
CONFIRM_WORDS = {"确认": "ok", "确认导入": "ok", "导入": "ok", "取消": "no", "取消导入": "no"}


def reason_text(reason: Reason) -> str:
    """Why the import refused a file or a row, or what it assumed, in the admin's words."""
    return t(f"import_reason.{reason.code}", **reason.values)


@requires("admin")
async def import_command(update: Update, context: Context, person: Person) -> None:
    """Ask for the file; the next document the admin sends is the project list."""
    refused = await service.begin(context.db, person, update.update_id)
    if refused is not None:
        await refuse(update, refused)
        return
    await reply(update, t("import.send_file"))


async def on_document(update: Update, context: Context, person: Person) -> None:
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
        await reply(update, t("import.file_error", reason=reason_text(exc.reason)))
        return
    await _preview(update, context, person, name, result)


async def _preview(
    update: Update,
    context: Context,
    person: Person,
    name: str,
    result: ImportResult,
) -> None:
    held = await service.hold(context.db, person, name, result, update.update_id)
    if isinstance(held, Refusal):
        await refuse(update, held)
        return
    units = Counter(r.unit for r in result.rows)
    if result.rows:
        lines = [
            t("import.preview_head", name=name[:80], sheet=result.sheet,
              header=result.header_row, unit=result.money_unit),
            t("import.preview_counts", total=len(result.rows), new=held.new,
              updated=held.updated),
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
    lines += [reason_text(warning) for warning in result.warnings[:5]]
    if result.errors:
        lines.append(t("import.preview_errors", count=len(result.errors)))
        for err in result.errors[:MAX_ERRORS_SHOWN]:
            column = f"「{err.column[:20]}」" if err.column else ""
            reason = reason_text(err.reason)[:80]
            lines.append(t("import.error_line", row=err.row, column=column, reason=reason))
        if len(result.errors) > MAX_ERRORS_SHOWN:
            lines.append(t("import.errors_more", n=len(result.errors) - MAX_ERRORS_SHOWN))
    total = len(result.rows) + len(result.milestones)
    if held.nonce is None:
        lines.append(t("import.nothing_valid"))
        await reply(update, "\n".join(lines))
        return
    lines.append(
        t("import.confirm_hint_errors" if result.errors else "import.confirm_hint", n=total)
    )
    await reply(update, "\n".join(lines), reply_markup=keyboard([[
        (t("import.btn_confirm", n=total), IMPORT_CONFIRM.make(held.nonce, "ok")),
        (t("import.btn_cancel"), IMPORT_CONFIRM.make(held.nonce, "no")),
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
async def on_button(update: Update, context: Context, person: Person) -> None:
    """Confirm or cancel a previewed import: imp:<nonce>:ok|no."""
    nonce, action = IMPORT_CONFIRM.read(update)
    await _decide(update, context, person, nonce, action)


async def on_input(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """Text while an import is open: typing a preview button's label does what it does."""
    text = re.sub(r"\d+个$", "", squash(clean(update.effective_message.text or "")))
    if draft.state == CONFIRM and text in CONFIRM_WORDS:
        await _decide(update, context, person, draft.nonce, CONFIRM_WORDS[text])
    elif draft.state == CONFIRM:
        await reply(update, t("import.confirm_with_buttons"))
    else:
        await reply(update, t("import.send_file"))


async def _decide(
    update: Update, context: Context, person: Person, nonce: str, action: str
) -> None:
    """Store the previewed rows (ok) or drop them (no); answer after the transaction, so a
    slow Telegram never holds the write lock."""
    done = await service.decide(context.db, person, nonce, action == "ok", now=context.now(),
                                today=context.today(), config=context.config)  # fmt: skip
    if isinstance(done, Refusal):
        await refuse(update, done)
        return
    if not done.stored:
        await reply(update, t("common.cancelled"))
        return
    text = t("import.done", created=done.created, updated=done.updated)
    if done.milestones is not None:
        text += "\n" + t("import.done_milestones", n=done.milestones)
    if done.unknown:
        text += "\n" + t("import.unknown_projects", n=len(done.unknown),
                         names="、".join(done.unknown[:10]))  # fmt: skip
    await reply(update, text)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("import", import_command))
    app.add_handler(buttons.handler(IMPORT_CONFIRM, on_button))
