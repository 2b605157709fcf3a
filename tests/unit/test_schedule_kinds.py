"""Schedule kinds are declared once (domain.schedule_kinds); storage and the words derive."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from domain.schedule_kinds import ALIASES, KINDS, PUSH_KINDS, REMINDERS, SCHEDULE
from messages import catalog
from storage import Database, people, schedule


def test_every_word_names_one_kind_and_every_kind_has_its_words() -> None:
    words = [w for k in SCHEDULE for w in (k.name, *k.words)]
    assert len(words) == len(set(words))  # no word names two kinds
    assert ALIASES["第一次提醒"] == "remind1" and ALIASES["通报"] == "monthly"
    assert REMINDERS == ("remind1", "remind2")
    assert PUSH_KINDS == ("remind", "board", "digest", "weekly", "monthly")
    keys = catalog()
    for k in SCHEDULE:
        for key in (f"schedule.{k.name}", f"schedule.days_{k.cadence}",
                    f"schedule.targets_{k.audience}"):  # fmt: skip
            assert key in keys, key


async def test_a_kind_without_a_row_runs_at_its_default_and_a_change_is_kept(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    try:
        async with db.transaction() as tx:
            await tx.execute("DELETE FROM schedule")  # a kind declared after the database
        items = await schedule.items(db)
        assert tuple(items) == KINDS
        assert items["remind1"].at == time(16, 0) and items["remind1"].enabled
        assert items["monthly"].at == time(9, 0)
        async with db.transaction() as tx:
            admin = await people.upsert(tx, 1001, "管理员", None)
            await schedule.set_enabled(tx, "digest", False, admin)
            await schedule.set_time(tx, "remind2", time(17, 45), admin)
        items = await schedule.items(db)
        assert not items["digest"].enabled and items["digest"].at == time(20, 0)
        assert items["remind2"].at == time(17, 45) and items["remind2"].enabled
    finally:
        await db.close()
