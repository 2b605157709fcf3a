"""How updates come in: in order per chat, with bounded backlogs and a bounded stop."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Hashable
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in order.

    A liaison's two quick taps must not race through their draft, while a hundred liaisons
    reporting at once must not wait for each other. One chat may hold at most `per_chat` of
    the `max_concurrent_updates` slots (waiting for its turn included): a chat that floods the
    bot has the excess dropped, so it cannot starve everyone else of slots.

    At stop the updates still running get `stop_grace` seconds; then they are cancelled and
    whatever had not started is dropped, so a queue of slow group replies cannot hold a
    shutdown for minutes.
    """

    def __init__(
        self, max_concurrent_updates: int = 256, per_chat: int = 8, stop_grace: float = 5.0
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.per_chat = per_chat
        self.stop_grace = stop_grace
        self._locks: dict[int, asyncio.Lock] = {}
        self._held: dict[int, int] = {}  # chat -> its updates in here, waiting ones included
        self._tasks: set[asyncio.Task[Any]] = set()
        self._cut_off = False
        self.dropped = DropLog()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._cut_off:
            _discard(coroutine)
            self.dropped.note("stopping", None)
            return
        key = _chat_key(update)
        if key is not None and self._held.get(key, 0) >= self.per_chat:
            _discard(coroutine)
            self.dropped.note("backlog", key)
            return
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            if key is None:
                await coroutine
                return
            lock = self._locks.setdefault(key, asyncio.Lock())
            self._held[key] = self._held.get(key, 0) + 1
            try:
                async with lock:
                    await coroutine
            finally:
                _discard(coroutine)  # cut off while waiting for its turn: never started
                self._held[key] -= 1
                if not self._held[key]:  # forget idle chats so memory stays flat
                    del self._held[key]
                    del self._locks[key]
        finally:
            self._tasks.discard(task)

    def cut_off(self) -> None:
        """Stop now: cancel the updates in progress and drop every one not yet started."""
        self._cut_off = True
        running = [t for t in self._tasks if not t.done()]
        if running:
            log.warning("stopping: cancelled %d updates still in progress", len(running))
        for task in running:
            task.cancel()

    async def initialize(self) -> None:
        self._cut_off = False

    async def shutdown(self) -> None:
        self.dropped.flush()


class DropLog:
    """Logs dropped updates at most once per `every` seconds, so the log cannot flood either:
    the first drop at once, later ones counted per chat and summed up in the next line."""

    def __init__(self, every: float = 10.0, chats_shown: int = 5) -> None:
        self.every = every
        self.chats_shown = chats_shown
        self._counts: dict[tuple[str, int | None], int] = {}
        self._last = -math.inf
        self._timer: asyncio.TimerHandle | None = None

    def note(self, why: str, chat: int | None) -> None:
        key = (why, chat)
        if key not in self._counts and len(self._counts) >= 1000:
            key = (why, None)  # bounded: beyond 1000 chats, count them together
        self._counts[key] = self._counts.get(key, 0) + 1
        now = time.monotonic()
        if now - self._last >= self.every:
            self.flush()
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._last + self.every - now, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._counts:
            return
        self._last = time.monotonic()
        top = sorted(self._counts.items(), key=lambda item: -item[1])
        total = sum(n for _, n in top)
        shown = ", ".join(
            f"{n} {why}" + (f" from chat {chat}" if chat is not None else "")
            for (why, chat), n in top[: self.chats_shown]
        )
        more = len(top) - self.chats_shown
        log.warning(
            "dropped %d updates (%s%s)", total, shown, f", and {more} more" if more > 0 else ""
        )
        self._counts.clear()


def _discard(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if close is not None:  # never awaited: close it so Python does not warn about it
        close()


class Throttle:
    """Lets a thing happen at most once per `period` per key (the stranger's polite line).

    Memory is bounded: past `capacity` keys the least recently allowed are forgotten (they may
    then be allowed early, which is harmless). Kept in memory only; a restart forgets it.
    """

    def __init__(self, period: timedelta, capacity: int = 10_000) -> None:
        self.period = period
        self.capacity = capacity
        self._last: OrderedDict[Hashable, datetime] = OrderedDict()

    def allow(self, key: Hashable, now: datetime) -> bool:
        last = self._last.get(key)
        if last is not None and now - last < self.period:
            return False
        self._last[key] = now
        self._last.move_to_end(key)
        while len(self._last) > self.capacity:
            self._last.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._last)


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None
