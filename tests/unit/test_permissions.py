"""Who may do what: command sets per role, invite requests and redemption rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from config import InviteConfig
from handlers.menu import BY_ROLE, commands_for
from services.invites import InviteRequest, Redeemed, create, read_request, redeem
from services.refusal import Refusal
from storage import Database, people, projects
from storage.invites import Invite
from storage.people import Person
from tests.harness import project_row
from timeutil import utc_now

CFG = InviteConfig(days=7, admin_hours=24)


def test_each_role_sees_only_its_commands() -> None:
    assert "import" not in commands_for({"liaison"})
    assert "report" not in commands_for({"admin"})
    assert "report" in commands_for({"liaison", "leader"})
    assert "projects" in commands_for({"leader"}) and "invite" not in commands_for({"leader"})
    both = commands_for({"admin", "liaison"})
    assert len(both) == len(set(both))  # a command shared by two roles appears once
    assert set(BY_ROLE["admin"]) <= set(commands_for({"admin"}))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "p.sqlite3")
    async with database.transaction() as tx:
        await projects.upsert_imported(
            tx,
            [project_row("A1", "城关区", "王副市长"), project_row("A2", "城关区", "李副市长"),
             project_row("B1", "高新区", "王副市长")],
            2026,
        )  # fmt: skip
        admin = await people.upsert(tx, 1, "管理员", None)
        await people.grant(tx, admin, "admin")
    yield database
    await database.close()


async def parse_request(db: Database, args: list[str]) -> InviteRequest:
    request = await read_request(db, args)
    assert isinstance(request, InviteRequest), request
    return request


async def create_invite(db: Database, request: InviteRequest, **kwargs) -> Invite:
    admin = await people.by_tg_user(db, 1)
    assert admin is not None
    invite = await create(db, admin, request, **kwargs)
    assert isinstance(invite, Invite), invite
    return invite


async def refused(db: Database, code: str, tg_user_id: int, **kwargs) -> str:
    """The catalog key of a redemption that must fail."""
    done = await redeem(db, code, tg_user_id=tg_user_id, username=None, **kwargs)
    assert isinstance(done, Refusal), done
    return done.key


async def test_scope_words_match_code_unit_and_leader(db: Database) -> None:
    by_unit = await parse_request(db, ["联络员", "城关区"])
    by_leader = await parse_request(db, ["领导", "王副市长"])
    by_codes = await parse_request(db, ["liaison", "A1", "B1", "次数=3"])
    codes = {p.id: p.code for p in await projects.all_projects(db)}
    assert sorted(codes[i] for i in by_unit.project_ids) == ["A1", "A2"]
    assert sorted(codes[i] for i in by_leader.project_ids) == ["A1", "B1"]
    assert by_codes.max_uses == 3 and len(by_codes.project_ids) == 2


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ([], "invite.usage"),
        (["boss"], "invite.usage"),
        (["联络员"], "invite.need_scope"),
        (["联络员", "火星区"], "invite.unknown_scope"),
        (["管理员", "城关区"], "invite.admin_no_scope"),
        (["联络员", "A1", "次数=0"], "invite.bad_number"),
        (["联络员", "A1", "天数=abc"], "invite.bad_number"),
    ],
)
async def test_bad_invite_requests_are_refused(db: Database, args: list[str], key: str) -> None:
    refusal = await read_request(db, args)
    assert isinstance(refusal, Refusal) and refusal.key == key


async def test_only_an_admin_creates_an_invite(db: Database) -> None:
    async with db.transaction() as tx:
        leader = await people.upsert(tx, 2, "领导", None)
        await people.grant(tx, leader, "leader")
    person = await people.by_tg_user(db, 2)
    assert isinstance(person, Person)
    refusal = await create(db, person, await parse_request(db, ["管理员"]), now=utc_now(), cfg=CFG)
    assert isinstance(refusal, Refusal) and refusal.key == "common.denied_admins"


async def test_admin_invites_are_short_lived(db: Database) -> None:
    now = utc_now()
    admin_inv = await create_invite(db, await parse_request(db, ["管理员"]), now=now, cfg=CFG)
    liaison_inv = await create_invite(
        db, await parse_request(db, ["联络员", "A1"]), now=now, cfg=CFG
    )
    assert admin_inv.expires_at - now <= timedelta(hours=24, seconds=1)
    assert liaison_inv.expires_at - now >= timedelta(days=7) - timedelta(seconds=1)
    assert len(admin_inv.code) >= 22 and admin_inv.code != liaison_inv.code


async def test_redeem_rules(db: Database) -> None:
    now = utc_now()
    inv = await create_invite(
        db, await parse_request(db, ["联络员", "城关区", "次数=2"]), now=now, cfg=CFG
    )
    done = await redeem(db, inv.code, tg_user_id=10, name="甲", username=None, now=now)
    assert isinstance(done, Redeemed)
    assert done.role == "liaison" and done.project_count == 2
    assert await refused(db, inv.code, 10, name="甲", now=now) == "invite.code_already_yours"
    assert isinstance(
        await redeem(db, inv.code, tg_user_id=11, name="乙", username=None, now=now), Redeemed
    )
    assert await refused(db, inv.code, 12, name="丙", now=now) == "invite.code_used"
    late = await create_invite(db, await parse_request(db, ["联络员", "A1"]), now=now, cfg=CFG)
    expired = await refused(db, late.code, 13, name="丁", now=now + timedelta(days=8))
    assert expired == "invite.code_expired"
    assert await people.by_tg_user(db, 12) is None and await people.by_tg_user(db, 13) is None
