"""services.access and services.people: access is checked at the action, whoever calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from config import parse_config
from services import access, standings
from services import people as service
from services.people import Filter, Holder, Removal
from services.refusal import Refusal
from services.standings import Subject
from storage import Database, people, progress, projects
from storage.people import Person
from tests.harness import project_row
from timeutil import utc_now


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "a.sqlite3")
    async with database.transaction() as tx:
        await projects.upsert_imported(
            tx, [project_row("A1", "城关区"), project_row("B1", "高新区")], 2026
        )
        ids = {p.code: p.id for p in await projects.all_projects(tx)}
        admin = await people.upsert(tx, 1, "管理员", None)
        await people.grant(tx, admin, "admin")
        leader = await people.upsert(tx, 2, "王副市长", None)
        await people.grant(tx, leader, "leader")
        await people.link_projects(tx, leader, [ids["A1"]], "leader")
        liaison = await people.upsert(tx, 3, "张三", None)
        await people.grant(tx, liaison, "liaison")
        await people.link_projects(tx, liaison, [ids["B1"]], "liaison")
    yield database
    await database.close()


async def person(db: Database, tg: int) -> Person:
    found = await people.by_tg_user(db, tg)
    assert found is not None
    return found


async def project_id(db: Database, code: str) -> int:
    found = await projects.by_code(db, code)
    assert found is not None
    return found.id


async def test_who_reads_which_project(db: Database) -> None:
    admin, leader, liaison = [await person(db, tg) for tg in (1, 2, 3)]
    a1, b1 = await project_id(db, "A1"), await project_id(db, "B1")
    assert await access.projects_in_view(db, admin) is None  # every project
    assert await access.projects_in_view(db, leader) == [a1]
    assert await access.projects_in_view(db, liaison) == []
    assert await access.sees_project(db, admin, b1)
    assert await access.sees_project(db, leader, a1)
    assert not await access.sees_project(db, leader, b1)
    assert not await access.sees_project(db, liaison, b1)  # reports on it, reads no scores


async def test_only_admins_list_and_remove_and_a_removal_is_at_once(db: Database) -> None:
    admin, leader = await person(db, 1), await person(db, 2)
    for refused in (
        await service.holders(db, leader, Filter()),
        await service.matching(db, leader, "张三"),
        await service.remove(db, leader, admin.id, now=utc_now(), config_admins=()),
    ):
        assert isinstance(refused, Refusal) and refused.key == "common.denied_admins"
    listed = await service.holders(db, admin, Filter(role="leader"))
    assert isinstance(listed, list)
    assert [h.person.name for h in listed] == ["王副市长"]
    held = await service.holder(db, admin, leader.id)
    assert isinstance(held, Holder) and [ln.unit for ln in held.scope] == ["城关区"]
    mine = await service.remove(db, admin, admin.id, now=utc_now(), config_admins=())
    assert isinstance(mine, Refusal) and mine.key == "people.not_yourself"
    done = await service.remove(db, admin, leader.id, now=utc_now(), config_admins=())
    assert isinstance(done, Removal) and done.after is not None and not done.after.roles
    # The leader holds nothing now: no project in view, whatever they were shown before.
    assert not await access.sees_project(db, done.after, await project_id(db, "A1"))
    again = await service.remove(db, admin, leader.id, now=utc_now(), config_admins=())
    assert isinstance(again, Refusal) and again.key == "people.already_removed"


async def test_identify_binds_config_admins_and_reopens_a_blocked_chat(db: Database) -> None:
    now = utc_now().replace(microsecond=0)  # stored to the second
    stranger = await access.identify(
        db, tg_user_id=99, name="路人", username=None, now=now, config_admins=(1,)
    )
    assert stranger is None
    new_admin = await access.identify(
        db, tg_user_id=50, name="新管理员", username="boss", now=now, config_admins=(50,)
    )
    assert new_admin is not None and new_admin.is_admin
    assert (await person(db, 50)).last_seen == now  # activity noted
    async with db.transaction() as tx:
        await progress.set_blocked(tx, 3, "2026-11-23T08:00:00+00:00")
    assert (await person(db, 3)).blocked
    liaison = await access.identify(
        db, tg_user_id=3, name="张三", username=None, now=now, config_admins=()
    )
    assert liaison is not None and not (await person(db, 3)).blocked


async def test_standings_are_read_by_admins_and_leaders_within_their_scope(
    db: Database,
) -> None:
    admin, leader, liaison = [await person(db, tg) for tg in (1, 2, 3)]
    for word, who, key in (
        ("A1", liaison, "common.denied_readers"),  # reports on projects, reads no scores
        ("B1", leader, "status.not_yours"),
        ("火星区", admin, "why.unknown"),
    ):
        refused = await standings.subject(db, who, word)
        assert isinstance(refused, Refusal) and refused.key == key, (word, refused)
    own = await standings.subject(db, leader, "A1")
    assert isinstance(own, Subject) and own.project is not None and own.project.code == "A1"
    unit = await standings.subject(db, leader, "高新区")  # a unit's aggregate is public
    assert isinstance(unit, Subject) and unit.unit == "高新区"
    config = parse_config({"telegram": {"token": "1:A"}}, base_dir=Path("."), env={})
    day = date(2026, 11, 25)
    denied = await standings.week(db, liaison, day, today=day, config=config)
    assert isinstance(denied, Refusal) and denied.key == "common.denied_readers"
