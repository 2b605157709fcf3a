"""Flow control in: one chat's share of the update slots is bounded, a stop cuts off what is
left, and the stranger throttle forgets the oldest keys first."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Chat, Message, Update

from transport import PerChatUpdateProcessor, Throttle

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def update_in(chat_id: int, update_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, T0, chat, text="hi"))


async def test_one_chat_holds_at_most_its_share_and_the_rest_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="transport")
    processor = PerChatUpdateProcessor(max_concurrent_updates=256, per_chat=8)
    release = asyncio.Event()
    started: list[int] = []

    async def handle(n: int) -> None:
        started.append(n)
        await release.wait()

    flood = [
        asyncio.create_task(processor.process_update(update_in(1, n), handle(n)))
        for n in range(100)
    ]
    await asyncio.sleep(0.01)
    other = asyncio.create_task(processor.process_update(update_in(2, 999), handle(999)))
    await asyncio.sleep(0.01)
    assert started == [0, 999]  # chat 1 in order, one at a time; chat 2 did not wait
    assert processor.current_concurrent_updates == 9  # 8 of chat 1 (7 waiting) and chat 2
    assert sum(t.done() for t in flood) == 92  # dropped at once, holding nothing
    assert "dropped" in caplog.text and "backlog from chat 1" in caplog.text
    release.set()
    await asyncio.gather(*flood, other)
    assert started == [0, 999, 1, 2, 3, 4, 5, 6, 7]


async def test_cut_off_cancels_what_runs_and_drops_what_comes() -> None:
    processor = PerChatUpdateProcessor()
    never = asyncio.Event()

    async def handle() -> None:
        await never.wait()

    running = asyncio.create_task(processor.process_update(update_in(1, 1), handle()))
    await asyncio.sleep(0.01)
    processor.cut_off()
    with pytest.raises(asyncio.CancelledError):
        await running
    late = handle()
    await processor.process_update(update_in(2, 2), late)  # returns at once
    assert late.cr_frame is None  # closed, never run


def test_throttle_allows_once_per_period_within_a_bounded_memory() -> None:
    gate = Throttle(timedelta(hours=1), capacity=3)
    assert gate.allow(1, T0) and not gate.allow(1, T0 + timedelta(minutes=59))
    assert gate.allow(1, T0 + timedelta(minutes=60))
    for key in (2, 3, 4):
        assert gate.allow(key, T0 + timedelta(minutes=61))
    assert len(gate) == 3  # key 1 was the least recently allowed: forgotten
    assert gate.allow(1, T0 + timedelta(minutes=62))
