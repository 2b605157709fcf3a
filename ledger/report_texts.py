"""How a report's field answers read wherever a report is shown: /status, the digest.

Shared by the handlers and the scheduler's deliveries; the summary before 确认 and the .xlsx
export show the same answers through domain.report_fields.display and cell_value.
"""

from __future__ import annotations

from domain.report_fields import ReportField, display
from messages import t
from storage import Database, report_fields

MAX_TEXT = 80


def value_items(fields: list[ReportField], values: dict[int, str]) -> str:
    """ "用工人数 35人；形象进度 45%": the answers given, in the template's order ("" if none)."""
    return "；".join(
        t("report.value_item", name=f.name, value=display(f, values[f.id]))
        for f in fields
        if f.id in values
    )


async def latest_lines(db: Database, project_id: int) -> list[str]:
    """/status's lines on the project's latest report: what was done, and the field answers."""
    found = await report_fields.latest_of_project(db, project_id)
    if found is None:
        return []
    day, text, values = found
    short = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
    lines = [t("report.status_latest", day=day.isoformat(), text=short)]
    items = value_items(await report_fields.template(db), values)
    if items:
        lines.append(t("report.status_values", items=items))
    return lines
