"""The report flow as one table: each step's question, parser, skip rule, summary and storage.

A report asks the template's fields that are on (storage.report_fields), in order. Each field
behaves as its entry here says: by its built-in key (BUILTIN), or by its type for the fields
admins add (CUSTOM). Adding a built-in step later is one entry in BUILTIN, its words in the
catalog (report.ask_<key> ...) and a migration that puts it in the template (kind = the type
of its answer, so it is kept in report_values like a custom field): the service, the handler,
the summary, the digest, /status and the export walk this table and the template.

Everything here is decided from `Facts`, read once when a report starts and kept in its draft,
so an answer costs no query. Words are catalog keys with their values (a `Line`); the handler
renders them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain import report_fields as rf
from domain.money import AmountError, format_wan, parse_amount
from domain.report_fields import Refusal, ReportField
from domain.stages import STAGE_ORDER, Stage, is_forward, parse_stage
from domain.text import number_in

Line = tuple[str, dict[str, Any]]
"""A catalog key and its values; a value may itself be a Line, or a list of Lines (lines)."""
MAX_TEXT = 2000
MAX_PROBLEM = 1000
MAX_MILESTONE_BUTTONS = 8
ABSURD_FACTOR = 10  # a cumulative figure over 10x the total investment is a typo
# Where an answer is kept: a part of storage.reports.Submission, or report_values.
TEXT, DONE, STAGE, MILESTONE, PROBLEM, PHOTO, VALUES = (
    "text", "done_yuan", "stage", "milestone", "problem", "photo", "values",
)  # fmt: skip


@dataclass
class Facts:
    """What one report's steps need to know, read when it starts (kept in the draft)."""

    day: str  # the local day it started on
    project_id: int
    code: str
    name: str
    unit: str
    stage: str | None  # the stage the day started from
    total_yuan: int
    year_plan_yuan: int
    baseline_yuan: int  # cumulative investment before the day's first report
    milestones: list[list[Any]] = field(default_factory=list)  # open ones: [id, name, due]
    revisions: int = 0  # the day's revisions so far: more than 0 makes this a correction
    # Today's latest answers, by step: a correction starts from them and 无变化 keeps them.
    prior: dict[str, Any] = field(default_factory=dict)
    prior_problem_id: int | None = None
    prior_photo_id: int | None = None
    value_fields: dict[str, int] = field(default_factory=dict)  # step → field id (values)


@dataclass(frozen=True)
class Option:
    """A button of a step: its argument in the callback data and its label."""

    arg: int
    label: str
    key: str = "report.opt"  # the catalog key that words the label ({label})


@dataclass(frozen=True)
class Behaviour:
    """One row of the table."""

    kind: Line  # the answer's type as /fields lists it
    prompt: Callable[[ReportField, Facts], Line]
    parse: Callable[[str, ReportField, Facts, date], Any]  # the answer, or a Refusal
    show: Callable[[Any, ReportField, Facts], Line]  # an answer in the summary
    store: str  # where the answer is kept
    keep: Callable[[ReportField, Facts], str | None]  # the skip button's label; None: required
    applies: Callable[[ReportField, Facts], bool] = lambda f, facts: True
    options: Callable[[ReportField, Facts], list[Option]] = lambda f, facts: []
    take: Callable[[int, ReportField, Facts], Any] = lambda arg, f, facts: Refusal("stale")
    default: Callable[[Facts], Any] = lambda facts: None  # the answer when none was given
    photo: bool = False  # answered with a photo
    states_current: bool = False  # the question itself says the current value


def _plain(value: Any) -> Line:
    return ("report.plain", {"value": value})


def _kept_or(key: str) -> Callable[[ReportField, Facts], str | None]:
    """The skip button: 无变化 when today's earlier report answered it, else `key`."""
    return lambda f, facts: "report.btn_unchanged" if facts.prior.get(f.step) else key


def _required(f: ReportField, facts: Facts) -> str | None:
    if facts.prior.get(f.step):
        return "report.btn_unchanged"
    return None if f.required else "report.btn_skip"


def _long(text: str, limit: int) -> Refusal | None:
    return (
        Refusal("too_long", {"limit": limit, "length": len(text)}) if len(text) > limit else None
    )


# ---- 进展 -----------------------------------------------------------------------------------


def _text(text: str, f: ReportField, facts: Facts, today: date) -> Any:
    return _long(text, MAX_TEXT) or text


# ---- 投资 -----------------------------------------------------------------------------------


def _latest(facts: Facts) -> int:
    """Today's latest cumulative figure: the earlier report's, or the day's starting one."""
    return facts.prior.get("invest", facts.baseline_yuan)


def _invest(text: str, f: ReportField, facts: Facts, today: date) -> Any:
    try:
        amount = parse_amount(text)
    except AmountError as exc:
        return Refusal(f"amount_{exc.code}", {"text": exc.text})
    base = facts.baseline_yuan  # "+200" adds to the day's start: a correction replaces
    value = base + amount.yuan if amount.incremental else amount.yuan
    ceiling = max(facts.total_yuan, facts.year_plan_yuan) * ABSURD_FACTOR
    if ceiling and value > ceiling:
        return Refusal(
            "amount_absurd", {"value": format_wan(value), "total": format_wan(facts.total_yuan)}
        )
    if value < base:
        return Refusal("amount_below", {"value": format_wan(value), "base": format_wan(base)})
    return value


def _show_invest(value: int, f: ReportField, facts: Facts) -> Line:
    if value == facts.baseline_yuan:
        return ("report.sum_invest_same", {"done": format_wan(value)})
    delta = format_wan(value - facts.baseline_yuan)
    return ("report.sum_invest", {"done": format_wan(value), "delta": delta})


# ---- 阶段 -----------------------------------------------------------------------------------


def _start_stage(facts: Facts) -> Stage | None:
    return parse_stage(facts.stage or "")


def _stage(text: str, f: ReportField, facts: Facts, today: date) -> Any:
    stage = parse_stage(text)
    if stage is None:
        return Refusal("stage_unknown", {"stages": "、".join(STAGE_ORDER)})
    return _stage_from(stage, facts)


def _stage_from(stage: Stage, facts: Facts) -> Any:
    current = _start_stage(facts)
    if stage == current:
        return None  # no change today
    if not is_forward(current, stage):
        return Refusal("stage_backward", {"current": current, "stage": stage})
    return str(stage)


def _stage_options(f: ReportField, facts: Facts) -> list[Option]:
    current = _start_stage(facts)
    return [Option(i, s) for i, s in enumerate(STAGE_ORDER) if is_forward(current, s)]


def _take_stage(arg: int, f: ReportField, facts: Facts) -> Any:
    if not 0 <= arg < len(STAGE_ORDER):
        return Refusal("stale")
    taken = _stage_from(STAGE_ORDER[arg], facts)
    return Refusal("stale") if taken is None else taken


def _show_stage(value: str | None, f: ReportField, facts: Facts) -> Line:
    old = facts.stage or ("report.stage_none", {})
    if value:
        return ("report.sum_stage", {"old": old, "new": value})
    return ("report.sum_stage_same", {"old": old})


# ---- 节点 -----------------------------------------------------------------------------------


def _milestone(text: str, f: ReportField, facts: Facts, today: date) -> Any:
    nodes = facts.milestones
    number = number_in(text, 1, len(nodes))
    if number is not None:
        return nodes[number - 1][:2]
    found = [m for m in nodes if text in m[1] or rf.same_text(text, m[1])]
    return found[0][:2] if len(found) == 1 else Refusal("milestone_again")


def _take_milestone(arg: int, f: ReportField, facts: Facts) -> Any:
    found = [m[:2] for m in facts.milestones if m[0] == arg]
    return found[0] if found else Refusal("stale")


def _milestone_prompt(f: ReportField, facts: Facts) -> Line:
    lines = [("report.milestone_line", {"name": m[1], "due": m[2]}) for m in facts.milestones]
    return ("report.ask_milestone", {"nodes": lines[:MAX_MILESTONE_BUTTONS]})


def _show_milestone(value: list | None, f: ReportField, facts: Facts) -> Line:
    return ("report.sum_milestone", {"name": value[1]}) if value else ("report.none", {})


# ---- 问题 -----------------------------------------------------------------------------------


def _problem(text: str, f: ReportField, facts: Facts, today: date) -> Any:
    if rf.says_no_problem(text):
        return None
    return _long(text, MAX_PROBLEM) or text


def _problem_options(f: ReportField, facts: Facts) -> list[Option]:
    # With today's problem kept by 无变化, "no problem" needs a button of its own.
    return [Option(0, "", "report.btn_no_problem")] if facts.prior.get("problem") else []


def _show_text(value: Any, f: ReportField, facts: Facts) -> Line:
    return _plain(value) if value else ("report.none", {})


# ---- 照片 -----------------------------------------------------------------------------------


def _photo(text: str, f: ReportField, facts: Facts, today: date) -> Any:
    return Refusal("photo_expected")


def _show_photo(value: Any, f: ReportField, facts: Facts) -> Line:
    return ("report.photo_yes", {}) if value else ("report.none", {})


BUILTIN: dict[str, Behaviour] = {
    "text": Behaviour(
        kind=("fields.kind_text", {}),
        prompt=lambda f, facts: ("report.ask_text", {}),
        parse=_text, show=_show_text, store=TEXT,
        keep=lambda f, facts: "report.btn_unchanged" if facts.prior.get("text") else None,
    ),
    "invest": Behaviour(
        kind=("fields.kind_invest", {}),
        prompt=lambda f, facts: ("report.ask_invest", {
            "done": format_wan(_latest(facts)), "plan": format_wan(facts.year_plan_yuan)}),
        parse=_invest, show=_show_invest, store=DONE, default=_latest, states_current=True,
        keep=lambda f, facts: "report.btn_unchanged",
    ),
    "stage": Behaviour(
        kind=("fields.kind_stage", {}),
        prompt=lambda f, facts: ("report.ask_stage", {
            "current": facts.stage or ("report.stage_none", {})}),
        parse=_stage, show=_show_stage, store=STAGE, options=_stage_options, take=_take_stage,
        keep=lambda f, facts: "report.btn_unchanged",
        applies=lambda f, facts: _start_stage(facts) != STAGE_ORDER[-1],
    ),
    "milestone": Behaviour(
        kind=("fields.kind_milestone", {}),
        prompt=_milestone_prompt, parse=_milestone, show=_show_milestone, store=MILESTONE,
        options=lambda f, facts: [
            Option(m[0], m[1][:24], "report.btn_milestone")
            for m in facts.milestones[:MAX_MILESTONE_BUTTONS]
        ],
        take=_take_milestone, keep=lambda f, facts: "report.btn_no_milestone",
        applies=lambda f, facts: bool(facts.milestones),
    ),
    "problem": Behaviour(
        kind=("fields.kind_problem", {}),
        prompt=lambda f, facts: ("report.ask_problem", {}),
        parse=_problem, show=_show_text, store=PROBLEM, options=_problem_options,
        take=lambda arg, f, facts: None if arg == 0 else Refusal("stale"),
        keep=_kept_or("report.btn_no_problem"),
    ),
    "photo": Behaviour(
        kind=("fields.kind_photo", {}),
        prompt=lambda f, facts: ("report.ask_photo", {}),
        parse=_photo, show=_show_photo, store=PHOTO, photo=True,
        keep=_kept_or("report.btn_no_photo"),
    ),
}  # fmt: skip


# ---- the fields admins add ------------------------------------------------------------------


def _custom_prompt(f: ReportField, facts: Facts) -> Line:
    rule = ("report.rule_required", {}) if f.required else ("report.rule_optional", {})
    unit = ("report.unit_note", {"unit": f.unit}) if f.unit else ""
    return (f"report.ask_field_{f.kind}", {"name": f.name, "unit": unit, "rule": rule,
                                           "options": "、".join(f.choices)})  # fmt: skip


def _custom(kind: str, **more: Any) -> Behaviour:
    return Behaviour(
        kind=(f"fields.kind_{kind}", {}),
        prompt=_custom_prompt,
        parse=lambda text, f, facts, today: rf.parse_value(f, text, today),
        show=lambda value, f, facts: (
            _plain(rf.display(f, value)) if value else ("report.none", {})
        ),
        store=VALUES,
        keep=_required,
        **more,
    )


CUSTOM: dict[str, Behaviour] = {
    rf.NUMBER: _custom(rf.NUMBER),
    rf.PERCENT: _custom(rf.PERCENT),
    rf.TEXT: _custom(rf.TEXT),
    rf.DATE: _custom(rf.DATE),
    rf.CHOICE: _custom(
        rf.CHOICE,
        options=lambda f, facts: [Option(i, c) for i, c in enumerate(f.choices)],
        take=lambda arg, f, facts: f.choices[arg] if 0 <= arg < len(f.choices) else Refusal(
            "stale"),
    ),
}  # fmt: skip


def behaviour(f: ReportField) -> Behaviour:
    """The table's row for a field."""
    return BUILTIN[f.builtin] if f.builtin in BUILTIN else CUSTOM[f.kind]


def answer_of(f: ReportField, values: dict[str, Any], facts: Facts) -> Any:
    """A step's answer: given in this report, else today's earlier one, else the default."""
    if f.step in values:
        return values[f.step]
    if f.step in facts.prior:
        return facts.prior[f.step]
    return behaviour(f).default(facts)
