"""How the bot talks to Telegram: retries and rate limits out, per-chat ordering in."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, BaseUpdateProcessor

log = logging.getLogger(__name__)


class RetryingRateLimiter(AIORateLimiter):
    """PTB's limiter (30 msg/s overall, 20/min per group, waits out 429 retry_after), plus
    retries with backoff on 5xx and timeouts, so a liaison's confirmation survives a blip.

    A timed-out send may have reached Telegram; resending risks a duplicate reply, which is
    better than a liaison never hearing that the report was saved.
    """

    def __init__(self, *, network_retries: int = 3, backoff: float = 0.5, **kwargs: Any) -> None:
        kwargs.setdefault("max_retries", 5)
        super().__init__(**kwargs)
        self._network_retries = network_retries
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint == "getUpdates":  # the updater has its own retry loop for polling
            return await callback(*args, **kwargs)
        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, Forbidden, InvalidToken, RetryAfter):
                raise
            except NetworkError as exc:
                if attempt == self._network_retries:
                    raise
                delay = self._backoff * 2**attempt
                log.warning("%s failed (%s); retry %d in %.1fs", endpoint, exc, attempt + 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in order.

    A liaison's two quick taps must not race through their draft, while a hundred liaisons
    reporting at once must not wait for each other.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats so memory stays flat
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None
