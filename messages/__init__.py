"""The message catalog: every word a person sees, keyed, one folder of TOML files per language.

A language's folder may split its messages by feature (core.toml, report.toml ...); they form
one catalog, and a key defined in two files is an error rather than a silent override.
"""

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
    merged: dict[str, str] = {}
    for path in sorted((_DIR / language).glob("*.toml")):
        flat = _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
        twice = merged.keys() & flat.keys()
        if twice:
            raise ValueError(f"{path.name} defines keys already defined: {sorted(twice)}")
        merged.update(flat)
    return merged


def t(key: str, /, **values: Any) -> str:
    """The message `key`, with its {placeholders} filled from `values`."""
    text = catalog()[key]
    return text.format(**values) if values else text
