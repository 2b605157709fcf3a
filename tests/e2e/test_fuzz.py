"""Fuzz: thousands of random updates from every role and chat, over real HTTP.

Random text (Chinese, emoji, control and bidi characters, formulas, markup, long pastes),
every command with random arguments, random callback data (forged, stale, foreign, pressed
twice) and random files (junk under spreadsheet names, hostile sheets, photos) from an admin,
a leader, two liaisons, a department contact and a stranger, in their private chats and in
the leaders' group, a unit's group and a stranger's unbound group; files include ones over
Telegram's 20 MB download limit. Asserted: no unhandled exception (nothing logged at ERROR, no
traceback), the generic error reply never sent, the ledger unchanged in every round where the
bot confirmed nothing, no unclean text stored, and a liaison's /mine answered within 5 s at
the end.

The seed is printed (`pytest -s`, and in any failure); `JINZHAN_FUZZ_SEED=<seed>` replays a run
(the same inputs, as long as the bot answers the same). `JINZHAN_FUZZ_UPDATES` sets the number
of updates (default 3,000: about 35 s); over 5,000 it also sends the heavier hostile files.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import pytest

from callback_data import PEOPLE_CONFIRM
from tests.e2e.conftest import invite, join, person
from tests.e2e.fuzz_driver import UNSAFE, Fuzz, LogWatch, Seat, ledger, unclean_text
from tests.fakebot import FakeBotApi
from tests.harness import RunningBot, Talk, report, rows

UPDATES = int(os.environ.get("JINZHAN_FUZZ_UPDATES") or 3000)
SEED = int(os.environ.get("JINZHAN_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
LEADERS, UNIT, UNBOUND = -1003, -1007, -1005


async def cast(fake: FakeBotApi, admin: Talk) -> tuple[list[Seat], Talk, str]:
    """Everyone of the small city in their chats; the liaison who answers /mine at the end;
    an invite anyone may redeem (under whatever name they have then)."""
    talks: dict[str, Talk] = {}
    for label, uid, name, args in (
        ("liaison", 2001, "张三", "联络员 城关区"),
        ("liaison2", 2002, "李四", "联络员 XM-002"),
        ("leader", 3001, "王副市长", "领导 王副市长"),
        ("department", 4001, "赵局", "部门 自然资源局"),
    ):  # fmt: skip
        talks[label] = person(fake, uid, name)
        await join(talks[label], await invite(admin, args))
    zhang, stranger = talks["liaison"], person(fake, 9999, "路人")
    # Something to act on from the start: a saved report that raised a problem.
    await report(zhang, "XM-001", 进展="土方开挖完成", 问题="用地手续未批")
    groups = ((LEADERS, "市领导群", "leaders"), (UNIT, "城关区调度群", "unit 城关区"))
    for chat, title, kind in groups:
        fake.add_to_group(admin.user, chat, title)
        await fake.say(admin.user, f"/bindgroup {kind}", chat_id=chat, chat_title=title)
    fake.add_to_group(stranger.user, UNBOUND, "陌生人的群")
    await fake.wait_reply(UNBOUND, contains="/bindgroup")
    seats = [Seat("admin", admin.user, admin.chat_id), Seat("stranger", stranger.user, 9999)]
    seats += [Seat(label, talk.user, talk.chat_id) for label, talk in talks.items()]
    for chat, title, _ in (*groups, (UNBOUND, "陌生人的群", "")):
        for label, user in (("admin", admin.user), ("leader", talks["leader"].user),
                            ("liaison", zhang.user), ("department", talks["department"].user),
                            ("stranger", stranger.user)):  # fmt: skip
            seats.append(Seat(f"{label}@{chat}", user, chat, title))
    return seats, zhang, await invite(admin, "联络员 XM-004 次数=100")


@pytest.mark.timeout(120 + UPDATES // 10)
async def test_random_updates_from_every_role(
    city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path, tmp_path: Path
) -> None:
    print(f"fuzz seed {SEED}, {UPDATES} updates: replay with JINZHAN_FUZZ_SEED={SEED}")
    seats, zhang, code = await cast(fake, admin)
    (witness,) = rows(db_path, "SELECT id FROM people WHERE tg_user_id = ?", (zhang.chat_id,))[0]
    protected = {PEOPLE_CONFIRM.make("ok", witness)}
    fuzz = Fuzz(city, fake, db_path, seats, SEED, protected=protected, codes=[code],
                deep=UPDATES > 5000)  # fmt: skip
    started = time.monotonic()
    with LogWatch() as log:
        try:
            tally = await fuzz.run(UPDATES)
            await fuzz.idle()
            # A normal command is still answered at once (the wait fails after 5 s).
            mine = await zhang.say("/mine", until="我的项目", timeout=5)
        except AssertionError as failure:
            (tmp_path / "transcript.txt").write_text("\n".join(fake.transcript()))
            raise AssertionError(f"seed {SEED} (transcript in {tmp_path}): {failure}") from None
    print(f"{tally.updates} updates in {time.monotonic() - started:.1f} s: {tally}")
    if os.environ.get("JINZHAN_FUZZ_TRANSCRIPT"):  # to read what a run did
        transcript = "\n".join(fake.transcript())
        await asyncio.to_thread(Path(os.environ["JINZHAN_FUZZ_TRANSCRIPT"]).write_text, transcript)
    assert "我的项目" in "\n".join(c.text or "" for c in mine)
    assert not log.errors(), f"seed {SEED}: the bot logged errors:\n" + "\n".join(log.errors())
    # Every update was handled (the fuzz keeps within a chat's update slots), and every call
    # the bot made was one Telegram accepts (a second press may find its keyboard gone).
    assert not [line for _, line in log.lines if "dropped" in line], log.lines
    refused = [r for r in tally.bad_requests if "message is not modified" not in r]
    assert not refused, f"seed {SEED}: Telegram refused: {refused}"
    assert not unclean_text(ledger(db_path)), unclean_text(ledger(db_path))
    titles = rows(db_path, "SELECT title FROM push_targets")
    assert not [title for (title,) in titles if UNSAFE.search(title)], titles
    # The fuzz does what it says: most rounds compared exactly, every kind of update sent.
    assert tally.compared >= tally.rounds // 2, tally
    assert tally.kinds.keys() >= {"text", "command", "press_real", "press_forged", "file"}
