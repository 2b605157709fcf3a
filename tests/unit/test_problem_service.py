"""raise_problem inside another service's transaction: stored, logged, announced — or nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services import problems
from storage import Database, people, projects
from tests.harness import project_row

AT = datetime(2026, 11, 23, 2, tzinfo=UTC)
ADMIN, LEADER, LIAISON = 11, 22, 33


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "service.sqlite3")
    async with database.transaction() as tx:
        await projects.upsert_imported(tx, [project_row("XM-001")], 2026)
        for tg, name, role in ((ADMIN, "项目办", "admin"), (LEADER, "王副市长", "leader"),
                               (LIAISON, "张三", "liaison")):  # fmt: skip
            pid = await people.upsert(tx, tg, name, None)
            await people.grant(tx, pid, role)
            if role != "admin":
                await people.link_projects(tx, pid, [1], role)
    yield database
    await database.close()


async def test_raised_with_its_event_audit_and_notices(db: Database) -> None:
    liaison = await people.by_tg_user(db, LIAISON)
    assert liaison is not None
    async with db.transaction() as tx:
        raised = await problems.raise_problem(
            tx, project_id=1, raised_by=liaison.id, description="拆迁户3户未签协议", now=AT
        )
    assert raised.category == "demolition" and raised.notified == 2  # inferred; admin, leader
    found = await db.fetchall(
        "SELECT chat_id, spec_json FROM outbox WHERE kind = 'problem' ORDER BY chat_id"
    )
    assert [r["chat_id"] for r in found] == [ADMIN, LEADER]  # not the raiser
    assert f"/p{raised.problem_id}" in found[0]["spec_json"]
    assert await db.fetchval("SELECT action FROM problem_events") == "raise"
    assert await db.fetchval("SELECT action FROM audit_log") == "problem.raise"
    assert await db.fetchval("SELECT logged FROM problems") == 1  # nothing left to announce
    assert await problems.announce_unlogged(db, AT) == 0


async def test_a_rolled_back_caller_leaves_no_problem_and_no_notice(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await problems.raise_problem(
                tx, project_id=1, raised_by=3, description="用地指标不足", category="land",
                photo=("file", "unique"), now=AT,
            )  # fmt: skip
            raise RuntimeError("the report could not be stored")
    for table in ("problems", "problem_events", "photos", "outbox", "audit_log"):
        assert await db.fetchval(f"SELECT COUNT(*) FROM {table}") == 0, table
