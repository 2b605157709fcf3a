"""The access migration reads who got admin from the config and which leaders follow a name
from the data already on file, so an upgraded bot takes access away as a fresh one does."""

from __future__ import annotations

import json
from pathlib import Path

import aiosqlite

from storage import Database, projects
from storage.migrations import migrate

ACCESS = 7  # storage/sql/0007_access.sql
T = "2026-01-01T00:00:00Z"


async def _old_database(path: Path) -> None:
    """A database as the version before the access migration left it."""
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, target=ACCESS - 1) == ACCESS - 1
        await conn.executescript(f"""
            INSERT INTO units (id, name, created_at) VALUES (1, '城关区', '{T}');
            INSERT INTO projects (id, code, name, unit_id, leader_name, total_yuan, plan_year,
                                  year_plan_yuan, created_at, updated_at) VALUES
                (1, 'A1', '甲', 1, '王副市长', 1, 2026, 1, '{T}', '{T}'),
                (2, 'A2', '乙', 1, '王副市长', 1, 2026, 1, '{T}', '{T}'),
                (3, 'B1', '丙', 1, '李副市长', 1, 2026, 1, '{T}', '{T}');
            INSERT INTO people (id, tg_user_id, name, created_at) VALUES
                (1, 11, '配置管理员', '{T}'), (2, 12, '受邀管理员', '{T}'),
                (3, 13, '王', '{T}'), (4, 14, '按编号的领导', '{T}');
            INSERT INTO roles (person_id, role, granted_at) VALUES
                (1, 'admin', '{T}'), (2, 'admin', '{T}'), (3, 'leader', '{T}'),
                (4, 'leader', '{T}');
            INSERT INTO project_people (project_id, person_id, role) VALUES
                (1, 3, 'leader'), (2, 3, 'leader'), (3, 3, 'leader'), (3, 4, 'leader');
        """)
        invites = [
            (1, "admin", {"projects": [], "label": ""}, 2),
            (2, "leader", {"projects": [1, 2, 3], "label": "王副市长、B1"}, 3),
            (3, "leader", {"projects": [3], "label": "B1"}, 4),
        ]
        for invite_id, role, scope, user in invites:
            await conn.execute(
                "INSERT INTO invites (id, code, role, scope_json, created_by, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
                (invite_id, f"c{invite_id}", role, json.dumps(scope, ensure_ascii=False), T, T),
            )
            await conn.execute(
                "INSERT INTO invite_uses (invite_id, person_id, used_at) VALUES (?, ?, ?)",
                (invite_id, user, T),
            )


async def test_upgrade_marks_config_admins_and_name_links(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    await _old_database(path)
    db = await Database.open(path)
    try:
        sources = await db.fetchall("SELECT person_id, role, source FROM roles ORDER BY 1")
        assert [tuple(r) for r in sources] == [
            (1, "admin", "config"), (2, "admin", "invite"),
            (3, "leader", "invite"), (4, "leader", "invite"),
        ]  # fmt: skip
        names = await db.fetchall("SELECT person_id, name FROM leader_names")
        assert [tuple(r) for r in names] == [(3, "王副市长")]
        links = await db.fetchall(
            "SELECT project_id, person_id, via_leader_name FROM project_people ORDER BY 1, 2"
        )
        assert [tuple(r) for r in links] == [
            (1, 3, "王副市长"), (2, 3, "王副市长"), (3, 3, None), (3, 4, None),
        ]  # fmt: skip
        # And from now on the name links follow the project list.
        async with db.transaction() as tx:
            await projects.update_field(tx, 1, "leader", "李副市长", 2026)
        led = [p.code for p in await projects.of_person(db, 3, "leader")]
        assert led == ["A2", "B1"]
    finally:
        await db.close()
