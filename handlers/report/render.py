"""What the reporting service decided, in words (the catalog) and buttons."""

from __future__ import annotations

from typing import Any

from telegram import Update

from callback_data import (
    REPORT_CONFIRM,
    REPORT_KEEP,
    REPORT_OPTION,
    REPORT_PICK,
    REPORT_PROJECT,
    REPORT_REDO,
)
from handlers.buttons import REPLACED, edit_pressed, pressed_text
from handlers.common import keyboard, reply
from messages import t
from services.report_results import (
    CONFIRM,
    PICK,
    Ask,
    EditMenu,
    Pick,
    Result,
    Review,
    Said,
    Saved,
)
from services.report_steps import Line
from storage.drafts import Draft

MAX_CONTINUE_BUTTONS = 8
MAX_PICK_BUTTONS = 40  # beyond this a liaison types the number or code
ONE_ROW = 6  # short options (stages, 是/否) share a row


def words(line: Line) -> str:
    """A catalog line; a value may itself be a line, or a list of lines (one per row)."""
    key, params = line
    return t(key, **{name: _value(v) for name, v in params.items()})


def _value(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, tuple) for v in value):
        return "\n".join(words(v) for v in value)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict):
        return words(value)
    return value


def _button(draft: Draft, step: str, action: str, arg: str | int = "") -> str:
    """The callback data of a step's button (callback_data: a schema per kind of button)."""
    if action == "pick":
        return REPORT_PICK.make(draft.nonce, step, arg)
    schema = {"keep": REPORT_KEEP, "opt": REPORT_OPTION, "redo": REPORT_REDO}.get(
        action, REPORT_CONFIRM
    )
    return schema.make(draft.nonce, step, action, *((arg,) if arg != "" else ()))


async def show(update: Update, result: Result) -> str | None:
    """Send what `result` says in the chat the update came from (nothing for None); returns
    handlers.buttons.REPLACED when it said it by editing the pressed message."""
    if result is None:
        return
    if isinstance(result, Said):
        await reply(update, t(result.key, **result.params))
    elif isinstance(result, Ask):
        await _ask(update, result)
    elif isinstance(result, Pick):
        await _pick(update, result)
    elif isinstance(result, Review):
        await _review(update, result)
    elif isinstance(result, EditMenu):
        rows = [[(name, _button(result.draft, CONFIRM, "redo", step))]
                for step, name in result.steps]  # fmt: skip
        rows.append([(t("report.btn_back"), _button(result.draft, CONFIRM, "back"))])
        await reply(update, t("report.edit_which"), reply_markup=keyboard(rows))
    else:
        return await _saved(update, result)
    return None


def _notes(notes: list[Line]) -> list[str]:
    return [words(n) for n in notes]


async def _ask(update: Update, a: Ask) -> None:
    f, facts = a.field, a.facts
    head = t("report.step", code=facts.code, name=facts.name, n=a.number, total=a.total,
             field=f.name)  # fmt: skip
    lines = [*_notes(a.notes), head, words(a.prompt)]
    if a.current is not None:
        lines.append(words(a.current))
    labels = [(t(o.key, label=o.label), o) for o in a.options]
    buttons = [(label, _button(a.draft, f.step, "opt", o.arg)) for label, o in labels]
    if len(buttons) <= ONE_ROW and all(len(label) <= 6 for label, _ in labels):
        rows = [buttons] if buttons else []
    else:
        rows = [[b] for b in buttons]
    if a.keep is not None:
        rows.append([(t(a.keep), _button(a.draft, f.step, "keep"))])
    await reply(update, "\n".join(lines), reply_markup=keyboard(rows) if rows else None)


async def _pick(update: Update, p: Pick) -> None:
    rows, lines = [], []
    for i, (project, reported) in enumerate(p.projects, start=1):
        mark = "✅" if reported else "⬜"
        if len(rows) < MAX_PICK_BUTTONS:
            lines.append(f"{i}. {mark} {project.code} {project.name[:40]}")
            rows.append([(f"{mark} {project.name[:28]}", _button(p.draft, PICK, "pick",
                                                                 project.id))])  # fmt: skip
    if len(p.projects) > len(rows):
        lines.append(t("report.pick_more", n=len(p.projects) - len(rows)))
    text = "\n".join([*_notes(p.notes), t("report.pick", projects="\n".join(lines))])
    await reply(update, text, reply_markup=keyboard(rows))


async def _review(update: Update, r: Review) -> None:
    facts = r.facts
    lines = [*_notes(r.notes), t("report.summary_head"),
             t("report.summary", code=facts.code, name=facts.name, unit=facts.unit)]  # fmt: skip
    lines += [t("report.summary_line", field=name, value=words(value)) for name, value in r.lines]
    if facts.revisions:
        lines += ["", t("report.sum_correction", n=facts.revisions + 1)]
    buttons = [[
        (t("report.btn_confirm"), _button(r.draft, CONFIRM, "ok")),
        (t("report.btn_edit"), _button(r.draft, CONFIRM, "edit")),
        (t("report.btn_cancel"), _button(r.draft, CONFIRM, "cancel")),
    ]]  # fmt: skip
    await reply(update, "\n".join(lines), reply_markup=keyboard(buttons))


async def _saved(update: Update, s: Saved) -> str | None:
    """已保存 in place of the summary's request to check it: the summary becomes the record
    of what was saved, its buttons giving way to the next projects (one edit); in a message
    of its own when the summary cannot be edited."""
    key = "report.saved_correction" if s.revision > 1 else "report.saved"
    saved = t(key, code=s.code, name=s.name, n=s.revision)
    markup = None
    if s.left:
        tail = t("report.more_left", count=len(s.left))
        markup = keyboard([[(f"➡️ {p.name[:28]}", REPORT_PROJECT.make(p.id))]
                           for p in s.left[:MAX_CONTINUE_BUTTONS]])  # fmt: skip
    else:
        tail = t("report.all_done")
    shown = pressed_text(update)
    if shown is not None:
        summary = shown.split(t("report.summary_head") + "\n", 1)[-1]
        if await edit_pressed(update, f"{saved}\n\n{summary}\n\n{tail}", markup):
            return REPLACED
    await reply(update, f"{saved}\n{tail}", reply_markup=markup)
    return None
