"""Submitting a report: one transaction, nothing sent while it runs.

Everything the report says is stored in one transaction together with closing its draft: the
revision, its field answers, the photo, the problem (raised through services.problems, whose
notices are queued in the same transaction; or kept, or reworded, by a correction), the
milestone, the stage dates and the project's status. Only after the commit does the caller
hear Saved, so a liaison is never told 已保存 for something that is not on disk.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from domain.fake_progress import investment_flag, is_real_progress
from domain.report_fields import same_text
from ranking.service import assess
from services import problems
from services.report_results import CONFIRM, KIND, Env, Result, Said, Saved
from services.report_steps import (
    BUILTIN,
    DONE,
    MILESTONE,
    PHOTO,
    PROBLEM,
    STAGE,
    TEXT,
    VALUES,
    Facts,
    answer_of,
    behaviour,
)
from services.reporting import begin, facts_of, steps_of
from storage import (
    Database,
    Tx,
    audit,
    drafts,
    milestones,
    photos,
    projects,
    report_fields,
    reports,
)
from storage import problem_events as events
from storage import problems as problem_store
from storage import status as stored_status
from storage.drafts import Draft
from storage.people import Person
from storage.projects import Project

log = logging.getLogger(__name__)


async def submit(env: Env, person: Person, nonce: str, update_id: int) -> Result:
    """确认: store the report, its project's status and the draft's end in one transaction.

    The draft is read here, in the submission's transaction (a double tap finds it gone),
    and the project's link from the person's scope, read with the person for this update."""
    db, day = env.db, env.day
    outdated = False
    async with db.transaction() as tx:
        stored = await drafts.get(tx, person.tg_user_id)
        if stored is None or (stored.kind, stored.nonce, stored.state) != (KIND, nonce, CONFIRM):
            return Said("common.stale_button")  # a double tap: saved by the first one
        if update_id <= stored.last_update_id:
            return None  # redelivered after a restart: handled before
        facts = facts_of(stored)
        found = await projects.with_revisions_today(tx, facts.project_id, day)
        if found is None or found[0].id not in person.liaison_projects:
            await drafts.delete(tx, person.tg_user_id)
            return Said("report.not_yours", {"code": facts.code})
        project, revisions = found
        # Started on another day, or someone reported the project since: the figures it
        # started from are not today's latest any more, so it starts again from those.
        outdated = facts.day != day.isoformat() or revisions != facts.revisions
        if not outdated:
            revision, new_photo = await _store(tx, person, stored, facts, env.now)
            await drafts.delete(tx, person.tg_user_id)
            await audit.record(tx, person.id, "report.submit", project=project.code,
                               revision=revision)  # fmt: skip
            await _status(tx, env, project.id)
    if outdated:
        return await begin(env, person, project, update_id, [("report.outdated", {})])
    env.board_dirty(project.unit_id)
    if new_photo:  # committed: the archive may fetch it now
        env.photos_kept()
    return Saved(project.code, project.name, revision, await _left(db, person, project, day))


async def _status(tx: Tx, env: Env, project_id: int) -> None:
    """The project's status after the report, stored with it. Computing it cannot lose the
    report: a failure is logged, and the next report or the daily run recomputes it."""
    try:
        current = await assess(
            tx, [project_id], env.day, await env.calendar(), env.tz, env.thresholds
        )
    except Exception:
        log.exception("status of project %s not refreshed", project_id)
        return
    await stored_status.put_many(tx, current)


async def _left(db: Database, person: Person, project: Project, day: date) -> list[Project]:
    """The person's other projects not reported today, by code (no query for a liaison of
    one project)."""
    others = [i for i in person.liaison_projects if i != project.id]
    reported = await reports.reported_on(db, others, day)
    left = await projects.by_ids(db, [i for i in others if i not in reported])
    return sorted(left, key=lambda p: p.code)


async def _store(
    tx: Tx, person: Person, draft: Draft, facts: Facts, now: datetime
) -> tuple[int, bool]:
    """Write the revision and everything it says, each answer where its step's row of the
    table keeps it; returns the revision's number and whether it brought a new photo."""
    day = date.fromisoformat(facts.day)
    # What a step not asked keeps: today's earlier answer (a correction), else nothing.
    parts: dict[str, Any] = {DONE: facts.baseline_yuan}
    parts.update({BUILTIN[step].store: v for step, v in facts.prior.items()
                  if step in BUILTIN and BUILTIN[step].store != VALUES})  # fmt: skip
    # Field answers: every value-keeping field answered today, so one turned off since the
    # earlier report keeps its answer in the new revision too.
    kept = {facts.value_fields[s]: facts.prior[s] for s in facts.value_fields if s in facts.prior}
    for f in steps_of(draft):
        b = behaviour(f)
        value = answer_of(f, draft.data["values"], facts)
        if b.store == VALUES:
            kept[f.id] = value
        else:
            parts[b.store] = value
    photo = parts.get(PHOTO)
    new_photo = isinstance(photo, list)
    if new_photo:  # sent in this report (else kept from the earlier one)
        photo = await photos.add(tx, project_id=facts.project_id, taken_by=person.id,
                                 file_id=photo[0], unique_id=photo[1], now=now)  # fmt: skip
    text, done, stage = parts[TEXT], parts[DONE], parts.get(STAGE)
    problem = await _problem(tx, person, facts, parts.get(PROBLEM), photo, now)
    earlier = await reports.earlier_texts(tx, facts.project_id, day)
    revision = await reports.submit(
        tx,
        reports.Submission(
            project_id=facts.project_id, person_id=person.id, report_date=day, text=text,
            done_yuan=done, stage_before=facts.stage, stage_after=stage,
            problem_id=problem, photo_id=photo,
            real_progress=is_real_progress(text, earlier),
            # Taking back today's stage change puts the day's starting stage back.
            stage_now=facts.stage if not stage and facts.prior.get(STAGE) else None,
            flag=investment_flag(facts.baseline_yuan, done, facts.total_yuan,
                                 facts.year_plan_yuan),
        ),
    )  # fmt: skip
    await report_fields.store(tx, revision.id, {k: v for k, v in kept.items() if v is not None})
    node = parts.get(MILESTONE)
    if node and node[0] is not None:  # marked in this report (else earlier today)
        await milestones.mark_done(tx, node[0], day, person.id)
    if stage:
        await projects.record_stage_date(tx, facts.project_id, stage, day)
    return revision.revision, new_photo


async def _problem(
    tx: Tx, person: Person, facts: Facts, text: str | None, photo_id: int | None, now: datetime
) -> int | None:
    """The problem this revision reports. A correction keeps the one today's report raised:
    the same words link it again (nothing new is announced), other words reword it. A new one
    is raised the one way problems are, in this transaction, with the report's photo."""
    if not text:
        return None
    earlier = facts.prior_problem_id
    if earlier is not None:
        if same_text(text, facts.prior.get(PROBLEM) or ""):
            return earlier
        if await problem_store.reword(tx, earlier, text):
            await events.record(tx, earlier, actor=person.id, action="edit", note=text, now=now)
            return earlier
    raised = await problems.raise_problem(
        tx, project_id=facts.project_id, raised_by=person.id, description=text, now=now,
        photo_id=photo_id,
    )  # fmt: skip
    return raised.problem_id
