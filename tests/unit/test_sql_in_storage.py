"""SQL lives only in storage/: no other module writes a statement or runs one itself."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Not the bot's own code (tests, benchmarks, the demo), or the one place SQL belongs.
OUTSIDE = {"tests", "bench", "demo", "storage"}
# A statement on one line, or a call that runs one (catches a statement split over lines).
STATEMENT = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET|WHERE)\b|\.execute\(")
RUNS_SQL = re.compile(r"\.(fetchall|fetchone|fetchval|executemany|executescript)\(")


def sources() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in OUTSIDE or any(p.startswith(".") for p in parts):
            continue
        found.append(path)
    return found


def sql_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        if STATEMENT.search(line) or RUNS_SQL.search(line)
    ]


def test_the_scan_sees_the_code_and_finds_sql_where_it_is() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in sources()}
    assert {"bot.py", "handlers/report/__init__.py", "services/problems.py"} <= names
    assert not any(name.startswith(("storage/", "tests/")) for name in names)
    assert sql_lines(ROOT / "storage" / "people.py")  # the pattern does match real SQL


def test_no_sql_outside_storage() -> None:
    found = [line for path in sources() for line in sql_lines(path)]
    assert found == [], "SQL belongs in storage/ (one function per query):\n" + "\n".join(found)
