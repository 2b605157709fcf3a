"""Who may do what: command sets per role, invite requests and redemption rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from config import InviteConfig
from handlers.menu import BY_ROLE, commands_for
from membership import InviteRequestError, RedeemError, create_invite, parse_request, redeem
from storage import Database, people, projects
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
    with pytest.raises(InviteRequestError) as exc:
        await parse_request(db, args)
    assert exc.value.key == key


async def test_admin_invites_are_short_lived(db: Database) -> None:
    now = utc_now()
    admin_inv = await create_invite(
        db, await parse_request(db, ["管理员"]), creator_id=1, now=now, cfg=CFG
    )
    liaison_inv = await create_invite(
        db, await parse_request(db, ["联络员", "A1"]), creator_id=1, now=now, cfg=CFG
    )
    assert admin_inv.expires_at - now <= timedelta(hours=24, seconds=1)
    assert liaison_inv.expires_at - now >= timedelta(days=7) - timedelta(seconds=1)
    assert len(admin_inv.code) >= 22 and admin_inv.code != liaison_inv.code


async def test_redeem_rules(db: Database) -> None:
    now = utc_now()
    inv = await create_invite(
        db, await parse_request(db, ["联络员", "城关区", "次数=2"]), creator_id=1, now=now, cfg=CFG
    )
    done = await redeem(db, inv.code, tg_user_id=10, name="甲", username=None, now=now)
    assert done.role == "liaison" and done.project_count == 2
    with pytest.raises(RedeemError, match="already_yours"):
        await redeem(db, inv.code, tg_user_id=10, name="甲", username=None, now=now)
    await redeem(db, inv.code, tg_user_id=11, name="乙", username=None, now=now)
    with pytest.raises(RedeemError, match="code_used"):
        await redeem(db, inv.code, tg_user_id=12, name="丙", username=None, now=now)
    late = await create_invite(
        db, await parse_request(db, ["联络员", "A1"]), creator_id=1, now=now, cfg=CFG
    )
    with pytest.raises(RedeemError, match="code_expired"):
        await redeem(
            db, late.code, tg_user_id=13, name="丁", username=None, now=now + timedelta(days=8)
        )
    assert await people.by_tg_user(db, 12) is None and await people.by_tg_user(db, 13) is None
