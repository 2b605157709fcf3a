"""People (bound Telegram users) and their roles."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database, Tx
from timeutil import to_iso, utc_now

ROLES = ("admin", "leader", "liaison", "department")


@dataclass(frozen=True)
class Person:
    id: int
    tg_user_id: int
    name: str
    username: str | None
    roles: frozenset[str]
    blocked: bool = False  # the chat answered 403 to a push; cleared when they write again

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_leader(self) -> bool:
        return "leader" in self.roles

    @property
    def is_liaison(self) -> bool:
        return "liaison" in self.roles


_SELECT = """
SELECT p.id, p.tg_user_id, p.name, p.username, p.blocked_at, GROUP_CONCAT(r.role) AS roles
FROM people p LEFT JOIN roles r ON r.person_id = p.id
"""


def _person(row) -> Person:
    roles = frozenset(row["roles"].split(",")) if row["roles"] else frozenset()
    return Person(
        row["id"], row["tg_user_id"], row["name"], row["username"], roles,
        row["blocked_at"] is not None,
    )  # fmt: skip


async def by_tg_user(db: Database | Tx, tg_user_id: int) -> Person | None:
    row = await db.fetchone(_SELECT + " WHERE p.tg_user_id = ? GROUP BY p.id", (tg_user_id,))
    return _person(row) if row else None


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


async def grant(tx: Tx, person_id: int, role: str) -> None:
    await tx.execute(
        "INSERT OR IGNORE INTO roles (person_id, role, granted_at) VALUES (?, ?, ?)",
        (person_id, role, to_iso(utc_now())),
    )


async def link_projects(tx: Tx, person_id: int, project_ids: list[int], role: str) -> None:
    """Make the person liaison or leader of these projects."""
    await tx.executemany(
        "INSERT OR IGNORE INTO project_people (project_id, person_id, role) VALUES (?, ?, ?)",
        [(pid, person_id, role) for pid in project_ids],
    )
