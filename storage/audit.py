"""Who changed what, kept for admins (imports, invites, bindings, corrections)."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Tx
from timeutil import to_iso, utc_now


async def record(tx: Tx, actor: int | None, action: str, **detail: Any) -> None:
    await tx.execute(
        "INSERT INTO audit_log (at, actor, action, detail_json) VALUES (?, ?, ?, ?)",
        (to_iso(utc_now()), actor, action, json.dumps(detail, ensure_ascii=False, default=str)),
    )
