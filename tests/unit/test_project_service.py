"""services.projects and services.project_import: admins' changes, checked at the action."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from config import Config, parse_config
from domain.import_result import ImportResult
from services import project_import, projects
from services.project_import import Decided, Preview
from services.projects import Added, Edited, MilestoneAdded, NewProject
from services.refusal import Refusal
from storage import Database, milestones, people
from storage import projects as stored
from storage import status as statuses
from storage.people import Person
from tests.harness import project_row
from timeutil import utc_now

TODAY = date(2026, 11, 23)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return parse_config({"telegram": {"token": "1:A"}}, base_dir=tmp_path, env={})


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "p.sqlite3")
    async with database.transaction() as tx:
        await stored.upsert_imported(tx, [project_row("A1", "城关区")], 2026)
        for tg, name, role in ((1, "管理员", "admin"), (2, "王副市长", "leader")):
            await people.grant(tx, await people.upsert(tx, tg, name, None), role)
    yield database
    await database.close()


async def person(db: Database, tg: int) -> Person:
    found = await people.by_tg_user(db, tg)
    assert found is not None
    return found


def refusal_key(result: object) -> str:
    assert isinstance(result, Refusal), result
    return result.key


async def test_only_admins_change_projects(db: Database, config: Config) -> None:
    leader = await person(db, 2)
    new = NewProject("B1", "新项目", "高新区", "产业", "前期", "2亿", "5000万")
    when = {"today": TODAY, "config": config}
    assert refusal_key(await projects.add(db, leader, new, now=utc_now(), **when)) == (
        "common.denied_admins"
    )
    assert refusal_key(await projects.edit(db, leader, "A1", "名称", "改名", **when)) == (
        "common.denied_admins"
    )
    assert (
        refusal_key(await projects.add_milestone(db, leader, "A1", "封顶", TODAY, **when))
        == "common.denied_admins"
    )
    assert refusal_key(await project_import.begin(db, leader, 1)) == "common.denied_admins"
    assert (await stored.by_code(db, "A1")).name == "项目A1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("new", "key"),
    [
        (NewProject("B1", "新", "高新区", "火箭", "前期", "2亿", "1亿"), "projects.bad_category"),
        (
            NewProject("B1", "新", "高新区", "产业", "飞天", "2亿", "1亿"),
            "report.refuse_stage_unknown",
        ),
        (NewProject("B1", "新", "高新区", "产业", "前期", "abc", "1亿"), "projects.bad_amount"),
        (NewProject("B1", "新", "高新区", "产业", "前期", "1亿", "2亿"), "projects.bad_amounts"),
        (NewProject("A1", "新", "高新区", "产业", "前期", "2亿", "1亿"), "projects.code_exists"),
    ],
)
async def test_a_bad_new_project_changes_nothing(
    db: Database, config: Config, new: NewProject, key: str
) -> None:
    admin = await person(db, 1)
    result = await projects.add(db, admin, new, now=utc_now(), today=TODAY, config=config)
    assert refusal_key(result) == key
    assert [p.code for p in await stored.all_projects(db)] == ["A1"]


async def test_add_edit_and_milestone_are_stored_with_a_status(
    db: Database, config: Config
) -> None:
    admin = await person(db, 1)
    new = NewProject("B1", "新项目", "高新区", "产业", "前期", "2亿", "5000万", "王副市长")
    added = await projects.add(db, admin, new, now=utc_now(), today=TODAY, config=config)
    assert added == Added("B1", "新项目", "高新区", 200_000_000, 50_000_000)
    b1 = await stored.by_code(db, "B1")
    assert b1 is not None and b1.leader_name == "王副市长"
    assert b1.id in await statuses.all_statuses(db)
    edited = await projects.edit(db, admin, "B1", "阶段", "谋划", today=TODAY, config=config)
    assert edited == Edited("B1", "阶段", "谋划")  # backward: only an admin's edit may
    assert (
        refusal_key(
            await projects.edit(db, admin, "B1", "年度计划", "3亿", today=TODAY, config=config)
        )
        == "projects.bad_amounts"
    )
    assert (
        refusal_key(await projects.edit(db, admin, "ZZ", "名称", "x", today=TODAY, config=config))
        == "projects.unknown_code"
    )
    node = await projects.add_milestone(db, admin, "B1", "主体封顶", date(2027, 3, 31),
                                        today=TODAY, config=config)  # fmt: skip
    assert node == MilestoneAdded("B1", "主体封顶", date(2027, 3, 31))
    assert [m.name for m in await milestones.of_project(db, b1.id)] == ["主体封顶"]


async def test_an_import_is_stored_once_when_confirmed(db: Database, config: Config) -> None:
    admin = await person(db, 1)
    result = ImportResult(
        rows=[project_row("A1", "城关区"), project_row("C1", "东城区")], errors=[],
        warnings=[], sheet="Sheet1", header_row=1, money_unit="万元",
    )  # fmt: skip
    held = await project_import.hold(db, admin, "清单.xlsx", result, update_id=5)
    assert isinstance(held, Preview) and (held.new, held.updated) == (1, 1)
    assert held.nonce is not None
    assert refusal_key(await project_import.decide(
        db, admin, "other", True, now=utc_now(), today=TODAY, config=config
    )) == "common.stale_button"  # fmt: skip
    done = await project_import.decide(db, admin, held.nonce, True, now=utc_now(), today=TODAY,
                                       config=config)  # fmt: skip
    assert done == Decided(True, created=1, updated=1)
    again = await project_import.decide(db, admin, held.nonce, True, now=utc_now(), today=TODAY,
                                        config=config)  # fmt: skip
    assert refusal_key(again) == "common.stale_button"  # a double tap stores nothing twice
    assert sorted(p.code for p in await stored.all_projects(db)) == ["A1", "C1"]
