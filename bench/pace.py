"""What the fan-out benchmarks share: the seeded city (tests.harness.seed_liaisons) and what
Telegram would count of the fake Bot API's call log."""

from __future__ import annotations

from collections import deque
from datetime import date

from tests.fakebot import ApiCall
from tests.harness import RunningBot

TELEGRAM_PER_S = 30  # Telegram's overall bot broadcast allowance; above it, 429
FIRST_ID = 100_000  # liaisons' Telegram ids; clear of the ids the tests use
DAY = date(2026, 11, 23)  # a Monday and a workday (the harness's default day)
UNIT = "城关区"  # the unit seed_liaisons puts every project in
REMINDER_MARK = "未上报进展"  # in every first/second reminder's text


def is_message(call: ApiCall) -> bool:
    """A message Telegram would count against the bot's overall limit."""
    return call.method.startswith(("send", "edit")) and call.method != "sendChatAction"


def is_reminder(call: ApiCall) -> bool:
    return call.method == "sendMessage" and call.ok and REMINDER_MARK in (call.text or "")


def most_per_second(arrivals: list[float]) -> int:
    """Most sends in any 1 s window (the best window always ends on a send)."""
    times = sorted(arrivals)
    most = lo = 0
    for hi, t in enumerate(times):
        while t - times[lo] >= 1.0:
            lo += 1
        most = max(most, hi - lo + 1)
    return most


def refused_by_strict_limit(arrivals: list[float], limit: int) -> list[float]:
    """Arrivals a strict `limit`-per-rolling-second server would answer with 429.

    A refused send delivers nothing, so it does not count against later windows; this is
    what a Telegram enforcing exactly 30/s would do to the same traffic (the real algorithm
    is not published, so it is an estimate).
    """
    accepted: deque[float] = deque()
    refused: list[float] = []
    for t in sorted(arrivals):
        while accepted and t - accepted[0] >= 1.0:
            accepted.popleft()
        if len(accepted) >= limit:
            refused.append(t)
        else:
            accepted.append(t)
    return refused


def stop_periodic_tick(bot: RunningBot) -> None:
    """Drop the bot's own 10 s tick job, so that only the ticks we time run (a job tick
    racing ours would do the work while ours waited on the lock, or fire mid-measurement)."""
    assert bot.app is not None and bot.app.job_queue is not None
    for job in bot.app.job_queue.get_jobs_by_name("scheduler.tick"):
        job.schedule_removal()
