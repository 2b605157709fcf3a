"""Each robot paced to its platform's limit, and Feishu's busy minutes avoided.

WeCom and DingTalk allow 20 messages a minute per robot (DingTalk then blocks the robot for 10
minutes), Feishu 5 a second and 100 a minute. A Pacer keeps the time of each recent send and
lets the next one go when every window has room: never more than `count` in any `seconds`,
which also keeps within any calendar minute the platform may count.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Window:
    count: int
    seconds: float


# Each window a little wider than the platform's: a send is timed as it leaves, and the
# network may bring two of them closer together by the time they arrive.
LIMITS = {
    "wecom": (Window(20, 62),),
    "dingtalk": (Window(20, 62),),
    "feishu": (Window(5, 1.2), Window(100, 62)),
}
# Feishu asks custom robots to keep off the hour and the half hour, when its load peaks (code
# 11232): a delivery due in those minutes waits for the next one.
FEISHU_BUSY_MINUTES = (0, 30)


class Pacer:
    """Sends of one robot within its windows. `clock` and `sleep` are the real ones but for
    the tests of the schedule itself."""

    def __init__(
        self,
        windows: tuple[Window, ...],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.windows = windows
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque(maxlen=max(w.count for w in windows))

    def delay(self, now: float) -> float:
        """Seconds from `now` until a send keeps within every window (0: at once)."""
        wait = 0.0
        for w in self.windows:
            recent = [t for t in self._sent if t > now - w.seconds]
            if len(recent) >= w.count:  # the oldest of the last `count` must leave the window
                wait = max(wait, recent[-w.count] + w.seconds - now)
        return wait

    async def wait(self) -> float:
        """Wait for room, then count a send; return when it may go (by the clock)."""
        while True:
            now = self._clock()
            pause = self.delay(now)
            if pause <= 0:
                self._sent.append(now)
                return now
            await self._sleep(pause)


def feishu_later(now: datetime) -> datetime | None:
    """When a Feishu delivery due at `now` should go instead: the next minute when `now` falls
    in a busy one (the hour or half hour), else None. UTC minutes are China's (UTC+8)."""
    if now.minute not in FEISHU_BUSY_MINUTES:
        return None
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)
