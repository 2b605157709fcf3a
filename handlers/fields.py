"""/fields: admins list and change the daily report's fields (services.report_template)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from domain.report_fields import CHOICE, NUMBER, Refusal, ReportField
from domain.text import clean_line
from handlers.common import command_args, reply, requires
from handlers.context import Context
from handlers.report.render import words
from messages import t
from services import report_template as template
from services.report_steps import behaviour
from storage.people import Person

ADD = {"add", "添加", "增加", "新增"}
ON = {"on", "开", "开启", "启用", "打开"}
OFF = {"off", "关", "关闭", "停用"}
MOVE = {"move", "移动", "排序"}


@requires("admin")
async def fields_command(update: Update, context: Context, person: Person) -> None:
    """`/fields` lists the report's fields; `add`, `on`, `off`, `move` change them."""
    db = context.db
    args = command_args(update)
    verb = clean_line(args[0]).lower() if args else ""
    if not args:
        await reply(update, listing(await template.listing(db)))
        return
    if verb in ADD:
        result = await template.add(db, person.id, args[1:])
    elif verb in ON | OFF and len(args) == 2:
        result = await template.switch(db, person.id, args[1], on=verb in ON)
    elif verb in MOVE and len(args) == 3:
        result = await template.move(db, person.id, args[1], args[2])
    else:
        await reply(update, t("fields.usage"))
        return
    if isinstance(result, Refusal):
        await reply(update, t(f"fields.refuse_{result.code}", **result.params))
        return
    text = t(f"fields.{result.key}", **result.params)
    await reply(update, text + "\n\n" + listing(result.fields))


def kind_words(f: ReportField) -> str:
    """The field's type as /fields shows it: 数字（人）, 选项：甲/乙, 金额 ..."""
    kind = words(behaviour(f).kind)
    if f.kind == NUMBER and f.unit:
        return t("fields.with_unit", kind=kind, unit=f.unit)
    if f.kind == CHOICE:
        return t("fields.with_choices", kind=kind, choices="/".join(f.choices))
    return kind


def listing(fields: list[ReportField]) -> str:
    lines = [t("fields.title")]
    for i, f in enumerate(fields, start=1):
        lines.append(t(
            "fields.line", n=i, name=f.name, kind=kind_words(f),
            required=t("fields.required") if f.required else t("fields.optional"),
            state=t("fields.on_mark") if f.enabled else t("fields.off_mark"),
        ))  # fmt: skip
    return "\n".join([*lines, "", t("fields.usage")])


def register(app: Application) -> None:
    app.add_handler(CommandHandler("fields", fields_command))
