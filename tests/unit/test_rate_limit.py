"""Flow control out: requests to chats are paced evenly in the order they came, per group too;
a 429 holds everyone for its retry_after and they are paced again afterwards."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import pairwise

import pytest
from telegram.error import BadRequest, RetryAfter, TimedOut

from rate_limit import RetryingRateLimiter

INTERVAL = 0.02  # 50 requests/s


def limiter(**kwargs: float) -> RetryingRateLimiter:
    return RetryingRateLimiter(rate=1 / INTERVAL, group_per_minute=60 / 0.1, backoff=0.01,
                               **kwargs)  # fmt: skip


class Recorder:
    """A stand-in for the HTTP request: notes when each one was made and by whom."""

    def __init__(self) -> None:
        self.made: list[tuple[str, float]] = []
        self.fail: list[Exception] = []

    async def request(self, name: str) -> str:
        self.made.append((name, asyncio.get_running_loop().time()))
        if self.fail:
            raise self.fail.pop(0)
        return name

    def gaps(self) -> list[float]:
        return [b - a for (_, a), (_, b) in pairwise(self.made)]


async def send(lim: RetryingRateLimiter, rec: Recorder, name: str, chat_id: object) -> str:
    data = {} if chat_id is None else {"chat_id": chat_id}
    return await lim.process_request(rec.request, (name,), {}, "sendMessage", data, None)


async def test_requests_to_chats_go_out_evenly_spaced_in_the_order_they_came() -> None:
    lim, rec = limiter(), Recorder()
    names = [f"m{i}" for i in range(10)]
    assert (
        await asyncio.gather(*(send(lim, rec, n, 100 + i) for i, n in enumerate(names))) == names
    )
    assert [n for n, _ in rec.made] == names
    assert min(rec.gaps()) >= INTERVAL  # never two within one interval, even a timer late


async def test_answers_to_button_presses_are_not_paced() -> None:
    lim, rec = limiter(), Recorder()
    await asyncio.gather(*(send(lim, rec, f"q{i}", None) for i in range(10)))
    assert len(rec.made) == 10 and max(rec.gaps()) < INTERVAL  # all at once


async def test_a_group_gets_its_own_slower_pace_and_does_not_hold_up_private_chats() -> None:
    lim, rec = limiter(), Recorder()
    group = [asyncio.create_task(send(lim, rec, f"g{i}", -500)) for i in range(3)]
    private = [asyncio.create_task(send(lim, rec, f"p{i}", 7)) for i in range(3)]
    await asyncio.gather(*group, *private)
    order = [n for n, _ in rec.made]
    assert order.index("p2") < order.index("g1")  # private ones pass the waiting group
    times = dict(rec.made)
    assert times["g1"] - times["g0"] >= 0.1 * 0.99 and times["g2"] - times["g1"] >= 0.1 * 0.99


async def test_a_429_holds_every_request_then_they_are_paced_again() -> None:
    lim, rec = limiter(), Recorder()
    rec.fail = [RetryAfter(timedelta(seconds=0))]  # the first request: wait 0 + 0.1 s
    results = await asyncio.gather(*(send(lim, rec, f"m{i}", 100 + i) for i in range(5)))
    assert results == [f"m{i}" for i in range(5)]
    first_try = rec.made[0][1]
    after = [t for _, t in rec.made[1:] if t - first_try >= 0.1]
    assert len(after) >= 4  # the retried one and the rest waited for the hold
    later = sorted(t for _, t in rec.made if t - first_try >= 0.1)
    assert later[-1] - later[0] >= 3 * INTERVAL  # paced after the hold, not let out at once


async def test_a_timeout_is_retried_but_a_bad_request_is_not() -> None:
    lim, rec = limiter(), Recorder()
    rec.fail = [TimedOut(), TimedOut()]
    assert await send(lim, rec, "m", 1) == "m" and len(rec.made) == 3
    rec.fail = [BadRequest("chat not found")]
    with pytest.raises(BadRequest):
        await send(lim, rec, "n", 1)
    assert len(rec.made) == 4


async def test_retry_after_repeated_past_the_limit_gives_up() -> None:
    lim, rec = limiter(max_retries=2), Recorder()
    rec.fail = [RetryAfter(timedelta(seconds=0)) for _ in range(3)]
    with pytest.raises(RetryAfter):
        await send(lim, rec, "m", 1)
    assert len(rec.made) == 3
