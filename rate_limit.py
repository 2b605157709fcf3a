"""Keeping within Telegram's limits: requests paced, 429 waited out, blips retried.

Each limit is a `Pacer`: a request reserves the next free moment and sleeps until then only if
that moment is still ahead. It costs one comparison per request, and a timer only for a request
that has to wait. Paces of one request per interval, evenly spaced, because Telegram counts
any rolling window. PTB's AIORateLimiter (aiolimiter) woke every waiting request at each
interval to let one through, a measurable share of the bot's time under load (bench.reports).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from storage.db import in_transaction

log = logging.getLogger(__name__)
Callback = Callable[..., Coroutine[Any, Any, Any]]


class Pacer:
    """Lets requests through one per `interval` seconds at most, in the order they came."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0  # the loop's clock: the first moment not yet reserved
        self._last = -interval  # when the last request was let through

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)
        # A timer fires up to a millisecond late, and the next one on time would follow too
        # closely: Telegram counts any rolling second, so never closer than one interval.
        if (early := self._last + self.interval - loop.time()) > 0:
            await asyncio.sleep(early + 1e-6)  # asyncio may fire a timer a clock tick early
        self._last = loop.time()

    def idle(self, now: float) -> bool:
        """Nothing reserved ahead of `now`: forgetting this pacer changes nothing."""
        return self._next <= now


class RetryingRateLimiter(BaseRateLimiter[int]):
    """At most `rate` requests per second to chats overall and `group_per_minute` per group;
    a 429 holds every request for its retry_after (up to `max_retries` times per request); 5xx
    and timeouts are retried with backoff, so a liaison's confirmation survives a blip.

    A timed-out send may have reached Telegram; resending risks a duplicate reply, which is
    better than a liaison never hearing that the report was saved.
    """

    MAX_GROUP_PACERS = 512  # idle ones beyond this are forgotten

    def __init__(
        self,
        *,
        rate: float,
        group_per_minute: float,
        max_retries: int = 5,
        network_retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self._overall = Pacer(1 / rate)
        self._group_interval = 60 / group_per_minute
        self._groups: dict[int | str, Pacer] = {}
        self._max_retries = max_retries
        self._network_retries = network_retries
        self._backoff = backoff
        self._open = asyncio.Event()  # cleared while Telegram's retry_after runs
        self._open.set()
        self._senders: set[asyncio.Task[Any]] = set()  # tasks with a request in here
        self._cut_off = False

    async def initialize(self) -> None:
        self._cut_off = False

    async def shutdown(self) -> None:
        """Nothing to release."""

    def cut_off(self) -> None:
        """The bot is stopping: cancel the requests waiting for their turn or in flight, and
        refuse new ones. A scheduled push cut off this way stays unsent in the outbox (a row
        is marked sent only once Telegram answered) and goes out at the next start."""
        self._cut_off = True
        waiting = [t for t in self._senders if not t.done()]
        if waiting:
            log.warning("stopping: cancelled %d Bot API requests not yet answered", len(waiting))
        for task in waiting:
            task.cancel()

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if in_transaction():  # a slow Telegram would stall every writer behind the lock
            raise RuntimeError(f"{endpoint} called inside a database transaction")
        if endpoint == "getUpdates":  # the updater has its own retry loop for polling
            return await callback(*args, **kwargs)
        if self._cut_off:
            raise asyncio.CancelledError("the bot is stopping")
        task = asyncio.current_task()
        assert task is not None
        self._senders.add(task)
        try:
            return await self._with_retries(callback, args, kwargs, endpoint, data.get("chat_id"),
                                            rate_limit_args or self._max_retries)  # fmt: skip
        finally:
            self._senders.discard(task)

    async def _with_retries(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        chat_id: object,
        max_retries: int,
    ) -> Any:
        waits = failures = 0
        while True:
            await self._turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except (BadRequest, Forbidden, InvalidToken):
                raise
            except RetryAfter as exc:
                if waits == max_retries:
                    log.error("%s: rate limit hit after %d retries", endpoint, max_retries)
                    raise
                waits += 1
                await self._hold(exc.retry_after)
            except NetworkError as exc:
                if failures == self._network_retries:
                    raise
                delay = self._backoff * 2**failures
                failures += 1
                log.warning("%s failed (%s); retry %d in %.1fs", endpoint, exc, failures, delay)
                await asyncio.sleep(delay)

    async def _turn(self, chat_id: object) -> None:
        """Wait out a 429 in force, then this request's turn in its group and overall. A
        request without a chat (answering a button press) is not counted, as by Telegram."""
        await self._open.wait()
        if chat_id is None:
            return
        group = _group_of(chat_id)
        if group is not None:
            await self._group_pacer(group).wait()
        await self._overall.wait()

    async def _hold(self, retry_after: Any) -> None:
        """Telegram said 429: every request waits `retry_after` (+0.1 s), then they are paced
        again rather than let out at once."""
        seconds = getattr(retry_after, "total_seconds", lambda: float(retry_after))() + 0.1
        log.info("rate limit hit; every request waits %.1fs", seconds)
        self._open.clear()
        try:
            await asyncio.sleep(seconds)
        finally:
            self._open.set()

    def _group_pacer(self, group: int | str) -> Pacer:
        pacer = self._groups.get(group)
        if pacer is None:
            if len(self._groups) >= self.MAX_GROUP_PACERS:
                now = asyncio.get_running_loop().time()
                self._groups = {g: p for g, p in self._groups.items() if not p.idle(now)}
            pacer = self._groups[group] = Pacer(self._group_interval)
        return pacer


def _group_of(chat_id: object) -> int | str | None:
    """The group a request goes to (a negative id or an @name), None for a private chat."""
    if isinstance(chat_id, str):
        try:
            chat_id = int(chat_id)
        except ValueError:
            return chat_id  # "@channel"
    if isinstance(chat_id, int) and chat_id < 0:
        return chat_id
    return None
