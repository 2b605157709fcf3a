"""Kill -9 the bot in the middle of a burst of reports: every confirmed report is on disk."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from domain.project_import import ProjectRow
from storage import Database, people, projects
from tests.fakebot import ApiCall, FakeBotApi, FakeUser

ROOT = Path(__file__).resolve().parents[2]
LIAISONS = 40
FIRST_ID = 70_000


def project_row(i: int) -> ProjectRow:
    return ProjectRow(
        row=i, code=f"D-{i:03d}", name=f"项目{i}", unit="城关区", category="产业", stage=None,
        leader=None, total_yuan=10**9, year_plan_yuan=10**8, monthly_plan_yuan=None,
        build_type=None, liaison=None, extra={},
    )  # fmt: skip


async def seed(db_path: Path) -> None:
    """One project per liaison, written with the bot's own storage functions."""
    db = await Database.open(db_path)
    try:
        async with db.transaction() as tx:
            rows = [project_row(i) for i in range(LIAISONS)]
            await projects.upsert_imported(tx, rows, 2026)
            for i in range(LIAISONS):
                pid = await people.upsert(tx, FIRST_ID + i, f"联络员{i}", None)
                await people.grant(tx, pid, "liaison")
                project = await projects.by_code(tx, f"D-{i:03d}")
                assert project is not None
                await people.link_projects(tx, pid, [project.id], "liaison")
    finally:
        await db.close()


async def one_liaison(fake: FakeBotApi, user: FakeUser, n: int) -> None:
    """Report until killed: /report, text, four skips, confirm; again as corrections."""

    async def step(send: Callable[[], object], expect: str) -> ApiCall:
        cursor = fake.cursor()
        send()
        return await fake.wait_for(
            lambda c: c.chat_id == user.id and expect in (c.text or ""), after=cursor, timeout=5
        )

    for k in range(n):
        await step(lambda: fake.send_text(user, "/report"), "今天做了什么")
        await step(lambda k=k: fake.send_text(user, f"第{k}次进展"), "累计完成投资")
        for expect in ("阶段", "问题", "照片", "请核对"):
            summary = await step(lambda: fake.send_text(user, "/skip"), expect)
        data = next(d for label, d in summary.buttons if "确认" in label)
        await step(lambda s=summary, d=data: fake.press(user, s, d), "已保存")


async def test_sigkill_mid_burst_loses_no_confirmed_report(tmp_path: Path) -> None:
    db_path = tmp_path / "kill.sqlite3"
    await seed(db_path)
    async with FakeBotApi() as fake:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[telegram]\ntoken = "{fake.token}"\nbase_url = "{fake.base_url}"\n'
            f'base_file_url = "{fake.base_file_url}"\nrate_limit = 1000\n'
            f'[storage]\npath = "{db_path}"\n',
            encoding="utf-8",
        )
        log = (tmp_path / "bot.log").open("w")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), "--config", str(config),
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "BOT_TOKEN": ""},
        )  # fmt: skip
        try:
            await fake.wait_for(lambda c: c.method == "getUpdates", timeout=30)
            users = [fake.user(FIRST_ID + i, f"联络员{i}") for i in range(LIAISONS)]
            burst = [asyncio.create_task(one_liaison(fake, u, 50)) for u in users]

            def confirmed() -> int:
                return sum(1 for c in fake.calls if "已保存" in (c.text or ""))

            while confirmed() < 60:
                await asyncio.sleep(0.02)
            proc.send_signal(signal.SIGKILL)  # mid-burst: many drafts open, writes in flight
            await asyncio.wait_for(proc.wait(), timeout=10)
            for task in burst:
                task.cancel()
            await asyncio.gather(*burst, return_exceptions=True)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            log.close()

        saved_msgs = [c for c in fake.calls if "已保存" in (c.text or "") and c.error_code is None]
    assert len(saved_msgs) >= 60
    with sqlite3.connect(db_path) as conn:
        stored = dict(
            conn.execute(
                "SELECT p.tg_user_id, COUNT(*) FROM report_revisions v"
                " JOIN people p ON p.id = v.person_id GROUP BY p.tg_user_id"
            ).fetchall()
        )
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    per_chat: dict[int, int] = {}
    for call in saved_msgs:
        per_chat[call.chat_id] = per_chat.get(call.chat_id, 0) + 1
    for chat_id, count in per_chat.items():
        assert stored.get(chat_id, 0) >= count, f"liaison {chat_id} lost a confirmed report"
