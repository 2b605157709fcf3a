"""People (bound Telegram users) and their roles."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from storage import drafts
from storage.db import Database, Tx
from storage.drafts import Draft
from timeutil import from_iso, to_iso, utc_now

ROLES = ("admin", "leader", "liaison", "department")


@dataclass(frozen=True)
class Person:
    id: int
    tg_user_id: int
    name: str
    username: str | None
    roles: frozenset[str]
    blocked: bool = False  # the chat answered 403 to a push; cleared when they write again
    last_seen: datetime | None = None  # last update from them, to the hour
    # The projects they report on (linked as liaison), read with the person: a report's
    # steps check it without another query.
    liaison_projects: frozenset[int] = frozenset()
    # Their open flow (a report, a problem, an import) as it stood when the update began; read
    # with the person by `caller` only (None elsewhere).
    draft: Draft | None = field(default=None, compare=False)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_leader(self) -> bool:
        return "leader" in self.roles

    @property
    def is_liaison(self) -> bool:
        return "liaison" in self.roles


_COLUMNS = """
SELECT p.id, p.tg_user_id, p.name, p.username, p.blocked_at, p.last_seen_at,
       GROUP_CONCAT(r.role) AS roles,
       (SELECT GROUP_CONCAT(pp.project_id) FROM project_people pp
         WHERE pp.person_id = p.id AND pp.role = 'liaison') AS liaison_projects
"""
_FROM = " FROM people p LEFT JOIN roles r ON r.person_id = p.id"
_SELECT = _COLUMNS + _FROM


def _person(row) -> Person:
    roles = frozenset(row["roles"].split(",")) if row["roles"] else frozenset()
    seen = from_iso(row["last_seen_at"]) if row["last_seen_at"] else None
    linked = row["liaison_projects"]
    return Person(
        row["id"], row["tg_user_id"], row["name"], row["username"], roles,
        row["blocked_at"] is not None, seen,
        frozenset(int(i) for i in linked.split(",")) if linked else frozenset(),
    )  # fmt: skip


async def by_tg_user(db: Database | Tx, tg_user_id: int) -> Person | None:
    row = await db.fetchone(_SELECT + " WHERE p.tg_user_id = ? GROUP BY p.id", (tg_user_id,))
    return _person(row) if row else None


async def caller(db: Database, tg_user_id: int) -> Person | None:
    """The person behind an update with their scope and open draft, in one read."""
    row = db.lookup(
        _COLUMNS + ", d.kind, d.state, d.data_json, d.nonce, d.last_update_id" + _FROM
        + " LEFT JOIN drafts d ON d.tg_user_id = p.tg_user_id"
        " WHERE p.tg_user_id = ? GROUP BY p.id",
        (tg_user_id,),
    )  # fmt: skip
    if row is None:
        return None
    person = _person(row)
    if row["kind"] is None:
        return person
    return dataclasses.replace(person, draft=drafts.from_row(row))


async def by_id(db: Database | Tx, person_id: int) -> Person | None:
    row = await db.fetchone(_SELECT + " WHERE p.id = ? GROUP BY p.id", (person_id,))
    return _person(row) if row else None


async def with_role(db: Database | Tx, role: str) -> list[Person]:
    rows = await db.fetchall(
        _SELECT + " WHERE p.id IN (SELECT person_id FROM roles WHERE role = ?)"
        " GROUP BY p.id ORDER BY p.id",
        (role,),
    )
    return [_person(r) for r in rows]


async def upsert(tx: Tx, tg_user_id: int, name: str, username: str | None) -> int:
    """Create or refresh the person for a Telegram user; return the person id."""
    row = await tx.fetchone("SELECT id FROM people WHERE tg_user_id = ?", (tg_user_id,))
    if row:
        await tx.execute(
            "UPDATE people SET name = ?, username = ? WHERE id = ?", (name, username, row["id"])
        )
        return row["id"]
    return await tx.insert(
        "INSERT INTO people (tg_user_id, name, username, created_at) VALUES (?, ?, ?, ?)",
        (tg_user_id, name, username, to_iso(utc_now())),
    )


async def ids_named(db: Database | Tx, name: str) -> list[int]:
    """Everyone called exactly `name`, with a role or not."""
    rows = await db.fetchall("SELECT id FROM people WHERE name = ?", (name,))
    return [r["id"] for r in rows]


async def blocked_names(db: Database | Tx) -> list[str]:
    """Names of the people whose chat answered 403 to a push (cleared when they write)."""
    rows = await db.fetchall("SELECT name FROM people WHERE blocked_at IS NOT NULL")
    return [r["name"] for r in rows]


async def with_any_role(db: Database | Tx) -> list[Person]:
    rows = await db.fetchall(
        _SELECT + " WHERE p.id IN (SELECT person_id FROM roles)"
        " GROUP BY p.id ORDER BY p.name, p.id"
    )
    return [_person(r) for r in rows]


async def named(db: Database | Tx, name: str) -> list[Person]:
    """People holding a role whose name (or @username) is exactly `name`."""
    rows = await db.fetchall(
        _SELECT + " WHERE (p.name = ? OR p.username = ?) AND p.id IN (SELECT person_id FROM roles)"
        " GROUP BY p.id ORDER BY p.id",
        (name, name.removeprefix("@")),
    )
    return [_person(r) for r in rows]


async def grant(tx: Tx, person_id: int, role: str, source: str = "invite") -> None:
    """Give the role; `source` says why (an invite outranks the config: it survives a config
    that no longer lists the person)."""
    await tx.execute(
        "INSERT INTO roles (person_id, role, granted_at, source) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (person_id, role) DO UPDATE SET source = 'invite'"
        " WHERE excluded.source = 'invite'",
        (person_id, role, to_iso(utc_now()), source),
    )


async def touch(db: Database | Tx, person_id: int, now: datetime) -> None:
    await db.execute("UPDATE people SET last_seen_at = ? WHERE id = ?", (to_iso(now), person_id))


async def config_admins_not_in(db: Database | Tx, admin_ids: Iterable[int]) -> list[Person]:
    """People who are admins only because an earlier config listed them, and no longer are."""
    ids = list(admin_ids)
    rows = await db.fetchall(
        _SELECT + " WHERE p.id IN (SELECT person_id FROM roles WHERE role = 'admin'"
        " AND source = 'config')"
        f" AND p.tg_user_id NOT IN ({','.join('?' * len(ids))}) GROUP BY p.id ORDER BY p.id",
        ids,
    )
    return [_person(r) for r in rows]


async def revoke(tx: Tx, person_id: int, role: str) -> None:
    await tx.execute("DELETE FROM roles WHERE person_id = ? AND role = ?", (person_id, role))


async def revoke_all(tx: Tx, person_id: int) -> None:
    """Every role and scope: roles, project links, leader names, department contacts."""
    for table in ("roles", "project_people", "leader_names", "department_people"):
        await tx.execute(f"DELETE FROM {table} WHERE person_id = ?", (person_id,))


@dataclass(frozen=True)
class ScopeLine:
    """A person's links in one unit: how many projects, as what (or a department contact)."""

    person_id: int
    role: str  # leader | liaison | department
    unit: str
    projects: int  # 0 for a department


async def scope_lines(db: Database | Tx) -> list[ScopeLine]:
    rows = await db.fetchall(
        """
        SELECT pp.person_id, pp.role, u.name AS unit, COUNT(*) AS n
          FROM project_people pp JOIN projects p ON p.id = pp.project_id
          JOIN units u ON u.id = p.unit_id
         GROUP BY pp.person_id, pp.role, u.name
        UNION ALL
        SELECT dp.person_id, 'department', u.name, 0
          FROM department_people dp JOIN units u ON u.id = dp.unit_id
         ORDER BY 1, 2, 3
        """
    )
    return [ScopeLine(r["person_id"], r["role"], r["unit"], r["n"]) for r in rows]


async def link_projects(tx: Tx, person_id: int, project_ids: list[int], role: str) -> None:
    """Make the person liaison or leader of these projects."""
    await tx.executemany(
        "INSERT OR IGNORE INTO project_people (project_id, person_id, role) VALUES (?, ?, ?)",
        [(pid, person_id, role) for pid in project_ids],
    )


async def follow_leader_name(tx: Tx, person_id: int, name: str) -> int:
    """Record that the person is the leader called `name` in the project list, and link the
    projects that carry that name now (storage.projects.relink_leader keeps it so after
    edits and imports). Returns how many projects carry the name."""
    await tx.execute(
        "INSERT OR IGNORE INTO leader_names (person_id, name) VALUES (?, ?)", (person_id, name)
    )
    await tx.execute(
        "INSERT OR IGNORE INTO project_people (project_id, person_id, role, via_leader_name)"
        " SELECT id, ?, 'leader', leader_name FROM projects WHERE leader_name = ?",
        (person_id, name),
    )
    return await tx.fetchval("SELECT COUNT(*) FROM projects WHERE leader_name = ?", (name,))
