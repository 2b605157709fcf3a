"""The message catalog: every key the code asks for exists, and its placeholders are filled."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from messages import catalog, t

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    p for d in ("handlers", "services", "domain", "scheduler", "storage", "ledger",
                "import_worker.py")
    for p in ([ROOT / d] if d.endswith(".py") else sorted((ROOT / d).rglob("*.py")))
]  # fmt: skip
# t("key", ...) renders a message; Refusal.of("key", ...) names one for the caller to render.
LITERAL = re.compile(r'\b(?:t|Refusal\.of)\(\s*"([a-z_]+\.[a-z_0-9]+)"')
FSTRING = re.compile(r"""\bt\(\s*f"([a-z_]+\.)""")
KEYWORD = re.compile(r"\b([a-z_]+)=")


def _call_args(text: str, start: int) -> str:
    """The rest of a t(...) call from `start`, up to its closing parenthesis."""
    depth = 1
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i]
    return text[start:]


def used_keys() -> list[tuple[str, str]]:
    found = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        found += [(m.group(1), _call_args(text, m.end())) for m in LITERAL.finditer(text)]
    return found


def test_sources_were_scanned() -> None:
    assert len(used_keys()) > 50


@pytest.mark.parametrize(("key", "args"), used_keys())
def test_every_used_key_exists(key: str, args: str) -> None:
    assert key in catalog(), f"{key} is used in code but missing from messages/zh-CN/"
    wanted = {f for _, f, _, _ in string.Formatter().parse(catalog()[key]) if f}
    given = set(KEYWORD.findall(args))
    assert wanted <= given or "**" in args, f"{key} needs {wanted - given}"


def test_dynamic_key_prefixes_exist() -> None:
    for path in SOURCES:
        for prefix in FSTRING.findall(path.read_text(encoding="utf-8")):
            assert any(k.startswith(prefix) for k in catalog()), prefix


def test_a_key_defined_twice_is_an_error(tmp_path, monkeypatch) -> None:
    import messages

    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "a.toml").write_text('[s]\nk = "一"\n', encoding="utf-8")
    (tmp_path / "xx" / "b.toml").write_text('[s]\nk = "二"\n', encoding="utf-8")
    monkeypatch.setattr(messages, "_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"s\.k"):
        messages.catalog.__wrapped__("xx")


def test_fill_in() -> None:
    assert t("report.saved", code="A1", name="项目", n=1) == "✅ 已保存：A1 项目 今日进展。"


REASON = re.compile(r'\b(?:Reason\.of|ImportFileError)\(\s*"([a-z_]+)"')


def test_every_import_reason_is_worded() -> None:
    """domain.import_errors codes, raised or named as constants, have their words."""
    import import_worker
    from domain import html_tables, workbook_reader
    from domain.project_import import _COUNTED

    codes = {c for p in SOURCES for c in REASON.findall(p.read_text(encoding="utf-8"))}
    codes |= {workbook_reader.UNREADABLE, workbook_reader.ENCRYPTED, workbook_reader.XLSB,
              workbook_reader.TOO_BIG_UNZIPPED, workbook_reader.RANGE_TOO_BIG,
              html_tables.UNREADABLE, import_worker.TOO_SLOW, import_worker.FAILED,
              "bad_category", "bad_stage", "amount_negative", "amount_too_big",
              *_COUNTED.values()}  # fmt: skip
    assert len(codes) > 30
    for code in codes:
        assert f"import_reason.{code}" in catalog(), code
