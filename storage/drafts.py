"""Flows in progress (a report, an import awaiting confirmation), one per Telegram user."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from storage.db import Database, Tx
from timeutil import to_iso, utc_now

T = TypeVar("T")


@dataclass
class Draft:
    tg_user_id: int
    kind: str  # "report" | "import"
    state: str
    data: dict[str, Any] = field(default_factory=dict)
    nonce: str = field(default_factory=lambda: secrets.token_hex(3))
    last_update_id: int = 0
    # What a flow decodes from `data` once per update (e.g. a report's facts and steps), kept
    # beside the object it was decoded from; never stored.
    derived: dict[str, tuple[Any, Any]] = field(default_factory=dict, repr=False, compare=False)

    def decoded(self, key: str, build: Callable[[Any], T]) -> T:
        """`build(data[key])`, built once for as long as `data[key]` is the same object."""
        raw = self.data[key]
        kept = self.derived.get(key)
        if kept is None or kept[0] is not raw:
            kept = self.derived[key] = (raw, build(raw))
        return kept[1]


COLUMNS = "tg_user_id, kind, state, data_json, nonce, last_update_id"


async def get(db: Database | Tx, tg_user_id: int) -> Draft | None:
    row = await db.fetchone(f"SELECT {COLUMNS} FROM drafts WHERE tg_user_id = ?", (tg_user_id,))
    return None if row is None else from_row(row)


def from_row(row: Any) -> Draft:
    """A draft from a row with `COLUMNS` (storage.people reads it with the person)."""
    return Draft(
        row["tg_user_id"],
        row["kind"],
        row["state"],
        json.loads(row["data_json"]),
        row["nonce"],
        row["last_update_id"],
    )


async def save(db: Database | Tx, draft: Draft) -> None:
    """Store the draft: in a transaction, or alone as one statement (a step of a flow)."""
    await db.execute(
        "INSERT INTO drafts"
        " (tg_user_id, kind, state, data_json, nonce, last_update_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (tg_user_id) DO UPDATE SET kind = excluded.kind, state = excluded.state,"
        " data_json = excluded.data_json, nonce = excluded.nonce,"
        " last_update_id = excluded.last_update_id, updated_at = excluded.updated_at",
        (
            draft.tg_user_id,
            draft.kind,
            draft.state,
            json.dumps(draft.data, ensure_ascii=False),
            draft.nonce,
            draft.last_update_id,
            to_iso(utc_now()),
        ),
    )


async def delete(tx: Tx, tg_user_id: int) -> None:
    await tx.execute("DELETE FROM drafts WHERE tg_user_id = ?", (tg_user_id,))
