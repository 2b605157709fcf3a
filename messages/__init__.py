"""The message catalog: every word a person sees, keyed, one TOML file per language."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_LANGUAGE = "zh-CN"
_DIR = Path(__file__).parent


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalog(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """All messages of a language as {"section.key": "text with {placeholders}"}."""
    path = _DIR / f"{language}.toml"
    return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))


def t(key: str, /, **values: Any) -> str:
    """The message `key`, with its {placeholders} filled from `values`."""
    text = catalog()[key]
    return text.format(**values) if values else text
