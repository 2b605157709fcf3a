"""/fields: what admins change in the report template, checked and audit-logged.

A change takes effect for reports started after it (a report in progress keeps the steps it
started with, in its draft) and never touches an answer already stored: fields are never
deleted, only turned off, and keep their id through every move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.report_fields import MAX_CUSTOM, Refusal, ReportField, label_key, parse_spec
from domain.text import clean_line, number_in
from storage import Database, audit, report_fields

ALWAYS_ON = "text"  # 进展: a report is what was done; it cannot be turned off


@dataclass(frozen=True)
class Changed:
    """Done: what to say (a catalog key under fields.) and the template as it is now."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    fields: list[ReportField] = field(default_factory=list)


def find(fields: list[ReportField], name: str) -> ReportField | None:
    """The field with this name (spacing, width and case aside)."""
    wanted = label_key(name)
    return next((f for f in fields if label_key(f.name) == wanted), None)


async def listing(db: Database) -> list[ReportField]:
    return await report_fields.template(db)


async def add(db: Database, actor: int, args: list[str]) -> Changed | Refusal:
    """`/fields add <名称> <类型> [单位] [必填]`: a custom field at the end."""
    spec = parse_spec(args)
    if isinstance(spec, Refusal):
        return spec
    async with db.transaction() as tx:
        fields = await report_fields.template(tx)
        if find(fields, spec.name) is not None:
            return Refusal("exists", {"name": spec.name})
        if sum(1 for f in fields if f.builtin is None) >= MAX_CUSTOM:
            return Refusal("too_many", {"limit": MAX_CUSTOM})
        field_id = await report_fields.add(tx, spec, actor)
        await audit.record(tx, actor, "fields.add", field=field_id, name=spec.name,
                           kind=spec.kind, unit=spec.unit, required=spec.required,
                           choices=list(spec.choices))  # fmt: skip
        fields = await report_fields.template(tx)
    return Changed("added", {"name": spec.name, "n": len(fields)}, fields)


async def switch(db: Database, actor: int, name: str, on: bool) -> Changed | Refusal:
    """`/fields on|off <名称>`: answers already stored stay, whatever is switched."""
    async with db.transaction() as tx:
        fields = await report_fields.template(tx)
        f = find(fields, clean_line(name))
        if f is None:
            return Refusal("unknown", {"name": clean_line(name)[:20]})
        if not on and f.builtin == ALWAYS_ON:
            return Refusal("always_on", {"name": f.name})
        if f.enabled == on:
            return Changed("already_on" if on else "already_off", {"name": f.name}, fields)
        await report_fields.set_enabled(tx, f.id, on)
        await audit.record(tx, actor, "fields.on" if on else "fields.off", field=f.id,
                           name=f.name)  # fmt: skip
        fields = await report_fields.template(tx)
    return Changed("on" if on else "off", {"name": f.name}, fields)


async def move(db: Database, actor: int, name: str, position: str) -> Changed | Refusal:
    """`/fields move <名称> <位置>`: the field goes to that place (1 = first) in the list."""
    async with db.transaction() as tx:
        fields = await report_fields.template(tx)
        f = find(fields, clean_line(name))
        if f is None:
            return Refusal("unknown", {"name": clean_line(name)[:20]})
        place = number_in(label_key(position), 1, len(fields))
        if place is None:
            return Refusal("bad_position", {"n": len(fields)})
        order = [x.id for x in fields if x.id != f.id]
        order.insert(place - 1, f.id)
        await report_fields.reorder(tx, order)
        await audit.record(tx, actor, "fields.move", field=f.id, name=f.name,
                           position=place)  # fmt: skip
        fields = await report_fields.template(tx)
    return Changed("moved", {"name": f.name, "position": int(place)}, fields)
