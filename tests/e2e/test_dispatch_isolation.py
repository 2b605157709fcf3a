"""One bad delivery or one failing step never stalls the scheduler (issue 9, item 2).

Legacy data, written straight into SQLite as the old code allowed, makes the month's .xlsx
ledger fail (openpyxl refuses a control character): that row is retried with backoff and given
up after MAX_ATTEMPTS, admins see it in /schedule, and meanwhile every other delivery, the
boards and /pushnow go on as if nothing happened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest

from scheduler.dispatch import MAX_ATTEMPTS
from tests.e2e.conftest import invite, join, person
from tests.e2e.test_schedule import CHENGGUAN, GAOXIN, LEADERS, bind, boards, reminders, report
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, rows

ZHANG, WU = 2001, 2003


@dataclass
class Town:
    bot: RunningBot
    fake: FakeBotApi
    admin: Talk
    zhang: Talk  # 城关区: XM-001, XM-003
    wu: Talk  # 高新区: XM-004


@pytest.fixture
async def town(city: RunningBot, fake: FakeBotApi, admin: Talk) -> Town:
    zhang, wu = person(fake, ZHANG, "张三"), person(fake, WU, "吴五")
    await join(zhang, await invite(admin, "联络员 城关区"))
    await join(wu, await invite(admin, "联络员 XM-004"))
    await bind(fake, admin, CHENGGUAN, "城关区调度群", "unit 城关区")
    await bind(fake, admin, GAOXIN, "高新区调度群", "unit 高新区")
    await bind(fake, admin, LEADERS, "市领导群", "leaders")
    return Town(city, fake, admin, zhang, wu)


def ledger(db_path: Path) -> tuple[str, int, str]:
    ((status, attempts, error),) = rows(
        db_path, "SELECT status, attempts, last_error FROM outbox WHERE kind = 'ledger'"
    )
    return status, attempts, error


# The weekly chart draws the legacy name too, and matplotlib has no glyph for U+0007.
@pytest.mark.filterwarnings("ignore:Glyph 7 .* missing from font")
async def test_a_failing_ledger_row_stalls_nothing_and_is_shown_to_admins(
    town: Town, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot, fake = town.bot, town.fake
    async with bot.db.transaction() as tx:  # a CSV's BEL in a project name, stored long ago
        await tx.execute(
            "UPDATE projects SET name = '城东污水' || char(7) || '处理厂' WHERE code = 'XM-001'"
        )

    await bot.tick("2026-12-01 09:00")  # the 1st: bulletin chart, figures and the ledger
    sent = fake.sent_to(LEADERS)
    assert [c for c in sent if c.method == "sendPhoto" and "月度通报" in (c.text or "")]
    assert [c for c in sent if c.method == "sendMessage" and "月度通报" in (c.text or "")]
    assert not [c for c in sent if c.method == "sendDocument"]
    status, attempts, error = ledger(db_path)
    assert (status, attempts) == ("pending", 1) and error.startswith("IllegalCharacterError")
    assert "\x07" not in error  # the stored error is one clean line
    logged = [r.getMessage() for r in caplog.records if r.name == "scheduler.dispatch"]
    assert any(m.startswith("outbox ") and "ledger 2026-12" in m for m in logged)

    await bot.tick("2026-12-01 16:00")  # other rows still go out
    assert len(reminders(fake, ZHANG)) == 1 and len(reminders(fake, WU)) == 1
    await bot.tick("2026-12-01 18:00")
    assert len(boards(fake, CHENGGUAN)) == 1 and len(boards(fake, GAOXIN)) == 1
    assert ledger(db_path)[:2] == ("pending", 3)  # retried at each tick past its backoff

    bot.clock.set("2026-12-01 18:10")
    await report(town.wu, "XM-004")
    await bot.tick()  # the board is still edited as reports come in
    edits = boards(fake, GAOXIN, "editMessageText")
    assert len(edits) == 1 and "已报 1/2" in edits[0].text and "吴五" not in edits[0].text

    bot.clock.set("2026-12-01 18:20")  # /pushnow still works (and the row gets its last try)
    assert "已执行截止看板" in await town.admin.text("/pushnow board")
    assert ledger(db_path)[:2] == ("failed", MAX_ATTEMPTS)
    await bot.tick("2026-12-01 19:00")
    assert ledger(db_path)[:2] == ("failed", MAX_ATTEMPTS)  # given up: no more tries

    shown = await town.admin.text("/schedule")
    assert "多次重试仍未发出的推送（共 1 条" in shown
    line = next(x for x in shown.splitlines() if "月度台账" in x)
    assert "市领导群" in line and f"试了 {MAX_ATTEMPTS} 次" in line
    assert "IllegalCharacterError" in line and len(line) < 200

    # Once the data is mended, /pushnow monthly re-queues the failed row and it goes out;
    # what was sent already is not sent again.
    async with bot.db.transaction() as tx:
        await tx.execute("UPDATE projects SET name = '城东污水处理厂' WHERE code = 'XM-001'")
    assert "已执行月度通报" in await town.admin.text("/pushnow monthly")
    documents = [c for c in fake.sent_to(LEADERS) if c.method == "sendDocument"]
    assert len(documents) == 1 and documents[0].message["document"]["file_name"].endswith(".xlsx")
    assert ledger(db_path)[0] == "sent"
    charts = [c for c in fake.sent_to(LEADERS) if c.method == "sendPhoto"]
    assert len([c for c in charts if "月度通报" in (c.text or "")]) == 1
    assert "多次重试仍未发出" not in await town.admin.text("/schedule")


async def test_a_failing_step_does_not_stop_the_others_and_is_logged_once(
    town: Town, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A problem row with a broken timestamp makes the problem ledger's step raise on every
    tick; reminders and boards are other steps and go out all the same."""
    ((zhang_id,),) = rows(db_path, "SELECT id FROM people WHERE tg_user_id = ?", (ZHANG,))
    async with town.bot.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO problems (project_id, raised_by, description, created_at)"
            " VALUES (1, ?, '旧系统导入的问题', '去年')",
            (zhang_id,),
        )
    caplog.set_level(logging.INFO, logger="scheduler")
    await town.bot.tick("2026-11-23 16:00")
    assert len(reminders(town.fake, ZHANG)) == 1 and len(reminders(town.fake, WU)) == 1
    await town.bot.tick("2026-11-23 18:00")
    assert len(boards(town.fake, CHENGGUAN)) == 1 and len(boards(town.fake, GAOXIN)) == 1
    failures = [r for r in caplog.records if "scheduler step 'problems' failed" in r.message]
    assert len(failures) == 1 and failures[0].exc_info  # logged once, with its traceback

    async with town.bot.db.transaction() as tx:
        await tx.execute("UPDATE problems SET created_at = '2026-11-20T01:00:00Z'")
    await town.bot.tick("2026-11-23 18:05")
    assert any("scheduler step 'problems' works again" in r.message for r in caplog.records)
