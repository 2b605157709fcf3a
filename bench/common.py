"""What both benchmarked bots share: the reply router, step timing, figures, child runs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.fakebot import ApiCall, FakeBotApi, FakeUser

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Press:
    """A script step that presses the button whose label contains `label` on the last answer."""

    label: str


# One conversation: (what the person does, text the awaited answer contains), in order.
Step = tuple[str | Press, str | tuple[str, ...]]  # what to send, what its answer contains
Script = list[Step] | Generator[Step, ApiCall, None]
"""A conversation: a fixed list of steps, or a generator that is sent each answer and yields
the next step from it (to answer a bot's questions by what they ask, not by position)."""


@dataclass
class PhaseResult:
    """Figures of one bot driven once (one child process)."""

    bot: str
    people: int
    rounds: int
    updates: int = 0
    conversations: int = 0
    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    rss_ready_mb: float = 0.0
    rss_peak_mb: float = 0.0
    heap_peak_mb: float | None = None  # tracemalloc, only when asked for
    api_errors: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # what went wrong -> how often
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.wall_s if self.wall_s else 0.0

    @property
    def conversations_per_s(self) -> float:
        return self.conversations / self.wall_s if self.wall_s else 0.0

    def percentile_ms(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def note_failure(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PhaseResult:
        return cls(**json.loads(text))


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def rss_peak_mb() -> float:
    """This process's peak resident set size so far. On Linux its VmHWM: getrusage's ru_maxrss
    survives execve, so a child started by a large parent would report the parent's size."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass  # not Linux
    # getrusage: Linux reports KiB, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def machine() -> str:
    return (
        f"{platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


class StepFailed(Exception):
    """The bot did not give the expected answer: it said something else, or nothing in time."""


Waiter = tuple[int, tuple[str, ...], tuple[str, ...], asyncio.Future[tuple[ApiCall, float]]]


class Replies:
    """Routes the bot's messages to the one step each chat is waiting for.

    Every `FakeBotApi.wait_for` is woken by every recorded call, so hundreds of people each
    waiting with their own `wait_for` would cost the driver O(people) per Bot API call and eat
    the CPU the bot under test needs. Here a single `wait_for` sees each call once, in order,
    and hands it to the waiting chat: the driver's cost is the same for both bots and small.
    """

    def __init__(self, fake: FakeBotApi) -> None:
        self._fake = fake
        # chat id -> (first call seq that counts, expected texts, tolerated texts, future)
        self._waiting: dict[int, Waiter] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        if self._task is None:
            return
        # Python 3.11's asyncio.wait_for swallows a cancel that races with its inner future
        # finishing, so cancelling alone can leave the follower running: it also ends at the
        # next call it sees (the bot long-polls every second), and stop() waits a bounded time.
        self._stopping = True
        self._task.cancel()
        await asyncio.wait({self._task}, timeout=5)
        self._task = None

    async def _follow(self) -> None:
        # The predicate is the dispatcher: it matches nothing until stop(), so wait_for walks
        # the call log calling it exactly once per call.
        await self._fake.wait_for(
            self._dispatch, after=self._fake.cursor(), timeout=365 * 24 * 3600
        )

    def _dispatch(self, call: ApiCall) -> bool:
        if self._stopping:
            return True  # ends wait_for, hence _follow
        if call.error_code is not None or not call.method.startswith(("send", "edit")):
            return False
        if call.method == "editMessageReplyMarkup":
            return False  # a used keyboard taken off its message: no answer to anything
        chat_id = call.chat_id
        waiting = self._waiting.get(chat_id) if chat_id is not None else None
        if waiting is None or call.seq < waiting[0]:
            return False
        _, expect, tolerated, future = waiting
        text = call.text or ""
        if future.done():
            pass  # the step timed out meanwhile
        elif any(e in text for e in expect):
            future.set_result((call, time.perf_counter()))
        elif any(t in text for t in tolerated):
            return False  # a legitimate extra message before the answer
        else:
            # Fail at once rather than at the timeout: a wrong answer will not be followed by
            # the right one, and waiting would stall this person for the whole step limit.
            future.set_exception(StepFailed(f"expected {expect[0]!r}, got {text[:60]!r}"))
        del self._waiting[chat_id]
        return False

    async def step(
        self,
        user: FakeUser,
        send: Callable[[], object],
        expect: tuple[str, ...],
        tolerated: tuple[str, ...],
        limit_s: float,
    ) -> tuple[ApiCall, float]:
        """Do `send` as `user`; return the answer containing one of `expect`, and the
        latency in s. Answers containing one of `tolerated` are passed over."""
        future: asyncio.Future[tuple[ApiCall, float]] = asyncio.get_running_loop().create_future()
        # Registered before sending, counting only calls from now on: an earlier message of
        # this chat still in the log cannot be taken for the answer.
        self._waiting[user.id] = (self._fake.cursor(), expect, tolerated, future)
        started = time.perf_counter()
        send()
        try:
            call, seen = await asyncio.wait_for(future, limit_s)
        except TimeoutError:
            self._waiting.pop(user.id, None)
            raise StepFailed(f"expected {expect[0]!r}, nothing within {limit_s:g}s") from None
        return call, seen - started


@dataclass(frozen=True)
class Bot:
    """How to talk to one benchmarked bot."""

    name: str
    script: Callable[[int], Script]  # the k-th conversation of a person
    tolerated: tuple[str, ...] = ()  # extra messages that may precede an answer
    # After a failed step: what to send to get back to a clean state, and its answers.
    reset: tuple[str, tuple[str, ...]] | None = None


class Driver:
    """Plays everyone at once; counts updates, latencies and failures into a PhaseResult."""

    def __init__(self, fake: FakeBotApi, bot: Bot, result: PhaseResult, limit_s: float) -> None:
        self.fake = fake
        self.bot = bot
        self.result = result
        self.limit_s = limit_s
        self.replies = Replies(fake)

    async def _send(
        self, user: FakeUser, action: str | Press, expect: tuple[str, ...], last: ApiCall | None
    ) -> ApiCall:
        if isinstance(action, Press):
            buttons = last.buttons if last is not None else []
            data = next((d for label, d in buttons if action.label in label), None)
            if last is None or data is None:
                raise StepFailed(f"no button {action.label!r} to press")

            def send(m: ApiCall = last, d: str = data) -> object:
                return self.fake.press(user, m, d)
        else:

            def send(x: str = action) -> object:
                return self.fake.send_text(user, x)

        self.result.updates += 1  # sent, so the bot has to handle it, whatever it answers
        call, latency = await self.replies.step(
            user, send, expect, self.bot.tolerated, self.limit_s
        )
        self.result.latencies_ms.append(latency * 1000)
        return call

    async def converse(self, user: FakeUser, k: int) -> None:
        """One conversation; on a failed step, note it, reset, and give the conversation up."""
        last: ApiCall | None = None
        script = self.bot.script(k)
        steps = script if isinstance(script, Generator) else (step for step in script)
        step = next(steps, None)
        while step is not None:
            action, expect = step
            try:
                wanted = expect if isinstance(expect, tuple) else (expect,)
                last = await self._send(user, action, wanted, last)
            except StepFailed as exc:
                shown = action.label if isinstance(action, Press) else action
                self.result.note_failure(f"step {shown!r}: {exc}")
                if self.bot.reset is not None:
                    with contextlib.suppress(StepFailed):
                        await self._send(user, self.bot.reset[0], self.bot.reset[1], None)
                return
            try:
                step = steps.send(last)
            except StopIteration:
                step = None
        self.result.conversations += 1

    async def run(self, users: list[FakeUser], rounds: int, run_limit_s: float) -> None:
        """Everyone at once, each doing `rounds` conversations back to back."""

        async def person(user: FakeUser) -> None:
            for k in range(rounds):
                await self.converse(user, k)

        self.replies.start()
        started = time.perf_counter()
        # CPU time: of the whole process, and of the event loop's thread (bot, fake server and
        # people); less moved by other work on the machine than the wall clock is.
        cpu, loop_cpu = time.process_time(), time.thread_time()
        tasks = [asyncio.create_task(person(u)) for u in users]
        try:
            done, pending = await asyncio.wait(tasks, timeout=run_limit_s)
            self.result.wall_s = time.perf_counter() - started
            per_update = 1000 / max(self.result.updates, 1)
            self.result.extra["cpu_ms"] = (time.process_time() - cpu) * per_update
            self.result.extra["loop_ms"] = (time.thread_time() - loop_cpu) * per_update
            for task in pending:
                task.cancel()
            if pending:
                self.result.note_failure(f"people unfinished after {run_limit_s:.0f}s")
                await asyncio.gather(*pending, return_exceptions=True)
            for task in done:
                if task.exception() is not None:
                    self.result.note_failure(f"driver error {task.exception()!r}")
        finally:
            await self.replies.stop()
        self.result.api_errors = sum(1 for c in self.fake.calls if c.error_code is not None)


def run_child(module: str, args: list[str], limit_s: float) -> PhaseResult:
    """Run one phase in a fresh interpreter, so its peak RSS is its own; read its JSON."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", module, *args],
            capture_output=True,
            text=True,
            timeout=limit_s,
            check=False,
            cwd=ROOT,  # `-m bench...` imports from the repository root
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"phase {args} did not end within {limit_s:.0f}s") from None
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"phase {args} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return PhaseResult.from_json(lines[-1])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan
