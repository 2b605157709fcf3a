"""One read of the caller per update (storage.people.caller) and a write that is its own
transaction (Database.execute), on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database, drafts, people, projects
from storage.drafts import Draft
from tests.harness import project_row


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "caller.sqlite3")
    async with database.transaction() as tx:
        await projects.upsert_imported(tx, [project_row("P001"), project_row("P002")], 2026)
        pid = await people.upsert(tx, 7, "张三", None)
        await people.grant(tx, pid, "liaison")
        await people.grant(tx, pid, "leader")
        await people.link_projects(tx, pid, [1, 2], "liaison")
        await people.link_projects(tx, pid, [2], "leader")
    yield database
    await database.close()


async def test_the_caller_comes_with_their_projects_and_open_draft(db: Database) -> None:
    assert await people.caller(db, 8) is None
    person = await people.caller(db, 7)
    assert person is not None and person.roles == {"liaison", "leader"}
    assert person.liaison_projects == {1, 2} and person.draft is None
    await drafts.save(db, Draft(7, "report", "text", {"project_id": 2}, "abc123", 41))
    person = await people.caller(db, 7)
    assert person is not None and person.draft is not None
    draft = person.draft
    assert (draft.kind, draft.state, draft.nonce) == ("report", "text", "abc123")
    assert draft.data == {"project_id": 2} and draft.last_update_id == 41
    # Scope taken away is gone at the next read.
    async with db.transaction() as tx:
        await people.revoke_all(tx, person.id)
    person = await people.caller(db, 7)
    assert person is not None and not person.roles and not person.liaison_projects


async def test_a_single_statement_is_committed_when_it_returns(
    db: Database, tmp_path: Path
) -> None:
    await drafts.save(db, Draft(7, "report", "text", {}, "abc123", 1))
    assert await db.execute("UPDATE drafts SET state = 'photo' WHERE tg_user_id = 7") == 1
    assert await db.execute("UPDATE drafts SET state = 'x' WHERE tg_user_id = 99") == 0
    # Another connection (another process, after a kill) sees it: committed, not pending.
    with sqlite3.connect(tmp_path / "caller.sqlite3") as other:
        assert other.execute("SELECT state FROM drafts").fetchall() == [("photo",)]
