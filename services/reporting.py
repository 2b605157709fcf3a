"""/report's decisions: start, answer, keep, press, correct, submit, cancel.

The report in progress is a draft row (storage.drafts), written at every step with the
update that moved it, so a restart — even a kill — resumes at the step, and an update
Telegram delivers twice is recognised by its update_id and ignored (these functions return
None for it). Each function returns what to say (services.report_results); the handler
renders it. The submission is one transaction and nothing is sent while it runs: the liaison
hears 已保存 only after the commit (services.report_submit).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from domain.choosing import match_listed
from domain.photos import refusal as photo_refusal
from domain.report_fields import Refusal, ReportField, label_key
from messages import t
from services.report_results import (
    CONFIRM,
    KIND,
    PICK,
    Ask,
    EditMenu,
    Env,
    Pick,
    Result,
    Review,
    Said,
    Typed,
    refused,
)
from services.report_steps import Facts, answer_of, behaviour
from storage import Database, drafts, milestones, projects, report_fields, reports
from storage.drafts import Draft
from storage.people import Person
from storage.projects import Project

# ---- starting -------------------------------------------------------------------------------


async def start(
    env: Env, person: Person, update_id: int, *, code: str | None = None,
    project_id: int | None = None,
) -> Result:  # fmt: skip
    """`/report [CODE]` or a report button: resume the open report, or begin one."""
    db = env.db
    if code is None and project_id is None:
        draft = person.draft  # read with the person, when the update began
        if draft is not None and draft.kind == KIND and _readable(draft):
            return await current(db, draft, [("report.resumed", {})])
    mine = await projects.of_person(db, person.id, "liaison")
    if not mine:
        return Said("report.no_projects")
    if code is not None or project_id is not None:
        found = [
            p for p in mine if p.id == project_id or (code and p.code.upper() == code.upper())
        ]
        if not found:
            return Said("report.not_yours", {"code": (code or str(project_id))[:40]})
        return await begin(env, person, found[0], update_id)
    if len(mine) == 1:
        return await begin(env, person, mine[0], update_id)
    choices = {"choices": [p.id for p in mine], "day": env.day.isoformat()}
    draft = Draft(person.tg_user_id, KIND, PICK, choices)
    draft.last_update_id = update_id
    await _save(db, draft)
    return await current(db, draft)


async def begin(
    env: Env, person: Person, project: Project, update_id: int, notes: list | None = None
) -> Result:
    """A new report on `project` (a correction when it was reported today), at its first step."""
    facts, template = await _facts(env.db, project, env.day)
    steps = [f for f in template if f.enabled and behaviour(f).applies(f, facts)]
    data = {"project_id": project.id, "facts": asdict(facts),
            "steps": [asdict(f) for f in steps], "values": {}}  # fmt: skip
    draft = Draft(person.tg_user_id, KIND, steps[0].step, data)
    draft.last_update_id = update_id
    await _save(env.db, draft)
    notes = list(notes or [])
    if facts.revisions:
        notes.append(("report.correcting", {"code": project.code, "name": project.name}))
    return await current(env.db, draft, notes)


async def _facts(db: Database, project: Project, day: date) -> tuple[Facts, list[ReportField]]:
    """Everything the steps need, read once: the day's figures, open nodes, the template."""
    template = await report_fields.template(db)
    nodes = await milestones.of_project(db, project.id)
    latest = await reports.latest_today(db, project.id, day)
    facts = Facts(
        day=day.isoformat(), project_id=project.id, code=project.code, name=project.name,
        unit=project.unit, stage=project.stage, total_yuan=project.total_yuan,
        year_plan_yuan=project.year_plan_yuan,
        # The day's report keeps where the day started; before it, the project's figure.
        baseline_yuan=latest.baseline_yuan if latest is not None
        else project.done_in_year(day.year),
        milestones=[[m.id, m.name, m.due.isoformat()] for m in nodes if m.done_on is None],
        value_fields={f.step: f.id for f in template if f.has_value_column},
    )  # fmt: skip
    if latest is not None:  # a correction starts from today's latest figures
        facts.revisions = latest.revisions
        if latest.stage_after:  # moved today: the day's start is what a correction moves from
            facts.stage = latest.stage_before
        facts.prior_problem_id, facts.prior_photo_id = latest.problem_id, latest.photo_id
        facts.prior = {"text": latest.text, "invest": latest.done_yuan,
                       "stage": latest.stage_after, "problem": latest.problem,
                       "photo": latest.photo_id}  # fmt: skip
        done_today = [m for m in nodes if m.done_on == day]
        if done_today:
            facts.prior["milestone"] = [None, done_today[-1].name]
        step_of = {fid: step for step, fid in facts.value_fields.items()}
        for fid, value in (await report_fields.of_revision(db, latest.revision_id)).items():
            if fid in step_of:
                facts.prior[step_of[fid]] = value
    return facts, template


# ---- where the report stands ----------------------------------------------------------------


def _readable(draft: Draft) -> bool:
    """A draft this version can continue (one written before the report template is not)."""
    if draft.state == PICK:
        return "day" in draft.data
    return "steps" in draft.data and "facts" in draft.data


async def _restart(env: Env, person: Person, draft: Draft, update_id: int) -> Result:
    """A report begun before an upgrade starts again, on the same project, from step one."""
    mine = await projects.of_person(env.db, person.id, "liaison")
    project = next((p for p in mine if p.id == draft.data.get("project_id")), None)
    if project is None:
        await cancel(env.db, person.tg_user_id)
        return Said("report.restart_again")
    return await begin(env, person, project, update_id, [("report.restart", {})])


def facts_of(draft: Draft) -> Facts:
    """The report's facts, decoded once per update (read only: they are the draft's)."""
    return draft.decoded("facts", lambda raw: Facts(**raw))


def steps_of(draft: Draft) -> list[ReportField]:
    """The report's steps, decoded once per update."""
    return draft.decoded("steps", lambda raw: [
        ReportField(**{**f, "choices": tuple(f["choices"])}) for f in raw
    ])  # fmt: skip


def _step(draft: Draft) -> tuple[int, ReportField]:
    steps = steps_of(draft)
    index = next(i for i, f in enumerate(steps) if f.step == draft.state)
    return index, steps[index]


async def current(db: Database, draft: Draft, notes: list | None = None) -> Result:
    """The question the report is at (or the project list, or the summary)."""
    notes = list(notes or [])
    if draft.state == PICK:
        chosen = await projects.by_ids(db, draft.data["choices"])
        day = date.fromisoformat(draft.data["day"])
        done = await reports.reported_on(db, [p.id for p in chosen], day)
        return Pick(draft, [(p, p.id in done) for p in chosen], notes)
    if draft.state == CONFIRM:
        return review(draft, notes)
    facts = facts_of(draft)
    index, f = _step(draft)
    b = behaviour(f)
    values = draft.data["values"]
    shown = None
    value = answer_of(f, values, facts)
    if (
        not b.states_current
        and value not in (None, "")
        and (f.step in values or f.step in facts.prior)
    ):
        shown = ("report.current", {"value": b.show(value, f, facts)})
    return Ask(
        draft=draft, field=f, number=index + 1, total=len(draft.data["steps"]), facts=facts,
        prompt=b.prompt(f, facts), options=b.options(f, facts), keep=b.keep(f, facts),
        current=shown, notes=notes,
    )  # fmt: skip


def review(draft: Draft, notes: list | None = None) -> Review:
    facts = facts_of(draft)
    values = draft.data["values"]
    lines = [(f.name, behaviour(f).show(answer_of(f, values, facts), f, facts))
             for f in steps_of(draft)]  # fmt: skip
    return Review(draft, facts, lines, list(notes or []))


# ---- answers --------------------------------------------------------------------------------


def _words(*keys: str) -> set[str]:
    """Typed words that do what a button does: its label, and the catalog's synonyms."""
    return {label_key(w) for key in keys for w in t(key).split("/")} - {""}


async def answer(env: Env, person: Person, draft: Draft, typed: Typed) -> Result:
    """A message typed (or a photo sent) while the report is open."""
    if typed.update_id <= draft.last_update_id:
        return None  # redelivered after a restart: handled before
    if not _readable(draft):
        return await _restart(env, person, draft, typed.update_id)
    if draft.state == PICK:
        return await _pick_typed(env, person, draft, typed)
    if draft.state == CONFIRM:
        return await _confirm_typed(env, person, draft, typed)
    facts = facts_of(draft)
    _, f = _step(draft)
    b = behaviour(f)
    if b.photo and typed.photo:  # checked before anything is downloaded
        refusal = photo_refusal(typed.photo)
        if refusal is not None:
            return await current(env.db, draft, [refused(refusal)])
        sent = [typed.photo.file_id, typed.photo.unique_id]
        return await _take(env.db, draft, f, sent, typed.update_id)
    text = typed.text
    if not text:
        return await current(env.db, draft, [refused(Refusal("photo_expected" if b.photo
                                                               else "need_text"))])  # fmt: skip
    keep = b.keep(f, facts)
    if keep and label_key(text) in _words(keep, "report.words_keep"):
        return await keep_step(env, person, draft, typed.update_id)
    chosen = next((o for o in b.options(f, facts)
                   if label_key(text) == label_key(t(o.key, label=o.label))), None)  # fmt: skip
    value = (b.take(chosen.arg, f, facts) if chosen
             else b.parse(text, f, facts, env.day))  # fmt: skip
    if isinstance(value, Refusal):
        return await current(env.db, draft, [refused(value)])
    return await _take(env.db, draft, f, value, typed.update_id)


async def _take(db: Database, draft: Draft, f: ReportField, value: Any, update_id: int) -> Result:
    draft.data["values"][f.step] = value
    return await _advance(db, draft, update_id)


async def keep_step(env: Env, person: Person, draft: Draft, update_id: int) -> Result:
    """/skip or the step's 无变化/跳过 button: leave the answer as it was (today's earlier one,
    or empty); a required step without one cannot be left."""
    if update_id <= draft.last_update_id:
        return None
    if not _readable(draft):
        return await _restart(env, person, draft, update_id)
    db = env.db
    if draft.state in (PICK, CONFIRM):
        return await current(db, draft, [refused(Refusal("cannot_skip"))])
    _, f = _step(draft)
    if behaviour(f).keep(f, facts_of(draft)) is None:
        return await current(db, draft, [refused(Refusal("cannot_skip"))])
    draft.data["values"].pop(f.step, None)
    return await _advance(db, draft, update_id)


async def _advance(db: Database, draft: Draft, update_id: int) -> Result:
    """The next step, or the summary (at the end, or after correcting one answer)."""
    index, _ = _step(draft)
    if draft.data.pop("editing", False) or index + 1 == len(draft.data["steps"]):
        draft.state = CONFIRM
    else:
        draft.state = steps_of(draft)[index + 1].step
    await _moved(db, draft, update_id)
    return await current(db, draft)


async def _pick_typed(env: Env, person: Person, draft: Draft, typed: Typed) -> Result:
    project = match_listed(await projects.by_ids(env.db, draft.data["choices"]), typed.text)
    if project is None:
        return await current(env.db, draft, [refused(Refusal("pick_again"))])
    return await begin(env, person, project, typed.update_id)


async def _confirm_typed(env: Env, person: Person, draft: Draft, typed: Typed) -> Result:
    word = label_key(typed.text)
    if word in _words("report.btn_confirm", "report.words_confirm"):
        from services.report_submit import submit  # the submission imports this module

        return await submit(env, person, draft.nonce, typed.update_id)
    if word in _words("report.btn_edit", "report.words_edit"):
        return edit_menu(draft)
    if word in _words("report.btn_cancel", "report.words_cancel"):
        return await cancel(env.db, person.tg_user_id)
    for f in steps_of(draft):  # the label of a 修改 button: correct that answer
        if word == label_key(f.name):
            return await correct(env.db, draft, f.step, typed.update_id)
    return review(draft, [refused(Refusal("confirm_with_buttons"))])


# ---- buttons --------------------------------------------------------------------------------


def live(draft: Draft | None, nonce: str, step: str) -> bool:
    """A button belongs to the open report and to the step it is at; anything else is stale."""
    return (
        draft is not None and draft.kind == KIND and draft.nonce == nonce and (draft.state == step)
    )


async def press(
    env: Env, person: Person, draft: Draft, action: str, arg: Any, update_id: int
) -> Result:
    """A button of the current step (`live` checked by the caller), except 确认 (submit)."""
    if update_id <= draft.last_update_id:
        return None
    if not _readable(draft):
        return await _restart(env, person, draft, update_id)
    if action == "pick":
        if arg not in draft.data["choices"]:
            return Said("common.stale_button")
        return await start(env, person, update_id, project_id=arg)
    if action == "keep":
        return await keep_step(env, person, draft, update_id)
    if action == "opt":
        if draft.state in (PICK, CONFIRM):
            return Said("common.stale_button")
        _, f = _step(draft)
        value = behaviour(f).take(arg, f, facts_of(draft))
        if isinstance(value, Refusal):
            return Said("common.stale_button")
        return await _take(env.db, draft, f, value, update_id)
    if action == "edit":
        return edit_menu(draft)
    if action == "back":
        return review(draft)
    if action == "redo":
        return await correct(env.db, draft, arg, update_id)
    return await cancel(env.db, person.tg_user_id)


def edit_menu(draft: Draft) -> EditMenu:
    return EditMenu(draft, [(f.step, f.name) for f in steps_of(draft)])


async def correct(db: Database, draft: Draft, step: str, update_id: int) -> Result:
    """From the summary, go back to one step; its answer leads back to the summary."""
    if draft.state != CONFIRM or step not in {f.step for f in steps_of(draft)}:
        return Said("common.stale_button")
    draft.state = step
    draft.data["editing"] = True
    await _moved(db, draft, update_id)
    return await current(db, draft)


async def cancel(db: Database, tg_user_id: int) -> Said:
    """/cancel or ❌: drop whatever flow is open; nothing is stored."""
    if await drafts.get(db, tg_user_id) is None:
        return Said("common.nothing_to_cancel")
    async with db.transaction() as tx:
        await drafts.delete(tx, tg_user_id)
    return Said("common.cancelled")


# ---- storing the draft ----------------------------------------------------------------------


async def _moved(db: Database, draft: Draft, update_id: int) -> None:
    """Store the report's new step with the update that caused it (a redelivery is a no-op)."""
    draft.last_update_id = max(draft.last_update_id, update_id)
    await _save(db, draft)


async def _save(db: Database, draft: Draft) -> None:
    await drafts.save(db, draft)  # one statement: its own transaction
