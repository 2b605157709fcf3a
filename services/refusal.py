"""Why a service did nothing: a message-catalog key and its values, rendered by the caller."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Refusal:
    """Nothing changed; `key` names the catalog message that says why, filled from `values`.

    Every front end (chat, web pages, robots) renders the same key, so the reason reads the
    same wherever it is shown.
    """

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, /, **values: Any) -> Refusal:
        return cls(key, values)


ADMINS_ONLY = Refusal.of("common.denied_admins")
