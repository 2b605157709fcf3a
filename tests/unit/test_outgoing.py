"""Overlapping sending runs never take the same outbox row (scheduler.dispatch.Outgoing), and
the cyclic collector pauses only while some heap.quiet() block runs."""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime

import heap
from scheduler.dispatch import Outgoing
from storage.outbox import OutboxRow

NOW = datetime(2026, 11, 23, 8, tzinfo=UTC)


def row(row_id: int) -> OutboxRow:
    return OutboxRow(row_id, "remind1", "2026-11-23", 100 + row_id, {"render": "remind"}, NOW,
                     NOW, "pending", 0, None, None)  # fmt: skip


async def test_a_row_is_held_by_one_run_at_a_time() -> None:
    outgoing = Outgoing()

    async def due() -> list[OutboxRow]:
        return [row(1), row(2)]

    assert [r.id for r in await outgoing.claim(due)] == [1, 2]
    assert await outgoing.claim(due) == []  # still being sent by the first run
    assert outgoing.busy


async def test_a_row_finished_while_a_read_was_on_its_way_is_not_taken_again() -> None:
    outgoing = Outgoing()

    async def first() -> list[OutboxRow]:
        return [row(1)]

    await outgoing.claim(first)
    reading, finish = asyncio.Event(), asyncio.Event()

    async def stale() -> list[OutboxRow]:
        """Read while row 1 was still pending; row 1 is marked sent before the answer."""
        reading.set()
        await finish.wait()
        return [row(1), row(3)]

    second = asyncio.create_task(outgoing.claim(stale))
    await reading.wait()
    outgoing.release(1)  # sent, and so marked, while the read was on its way
    finish.set()
    assert [r.id for r in await second] == [3]

    async def later() -> list[OutboxRow]:
        return [row(1)]  # pending again (a retry): a read that began after its release

    outgoing.release(3)
    assert [r.id for r in await outgoing.claim(later)] == [1]


def test_quiet_blocks_overlap_and_the_collector_resumes_after_the_last() -> None:
    assert gc.isenabled()
    first, second = heap.quiet(), heap.quiet()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second block still runs
    second.__exit__(None, None, None)
    assert gc.isenabled()
    gc.disable()  # someone else paused it: quiet() leaves it paused
    try:
        with heap.quiet():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
