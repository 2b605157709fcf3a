"""Why an import refuses a file, rejects a row or warns: codes that the message catalog words.

A reason is a code (its words are the catalog's ``import_reason.<code>``) and the values that
fill them (text from the file, numbers). It crosses the pipe from the reading child process
(import_worker) as JSON, so it holds plain values only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reason:
    code: str
    values: Mapping[str, str | int] = field(default_factory=dict)

    @classmethod
    def of(cls, code: str, /, **values: str | int) -> Reason:
        return cls(code, values)

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "values": dict(self.values)}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Reason:
        values = data.get("values") or {}
        assert isinstance(values, Mapping)
        return cls(str(data["code"]), {str(k): v for k, v in values.items()})


class ImportFileError(ValueError):
    """A whole-file problem (unreadable, unsupported type, no header, missing columns, empty).

    Attributes:
        reason: why, for the admin who uploaded the file (catalog: import_reason.<code>).
    """

    def __init__(self, code: str, /, **values: str | int) -> None:
        self.reason = Reason(code, values)
        super().__init__(code)
