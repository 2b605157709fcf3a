"""The archive's own worker: downloads the photos still to do, retrying with backoff.

Each photo a report or a problem keeps is a row in photo_downloads from the transaction that
keeps it, so the download is never lost: it starts once that transaction has committed (the
worker is woken), never inside one (no network call holds the writer lock), and a failure
(Telegram down, a timeout, a full disk) only moves the row's next try further out: 30 s, 1, 2,
4 … minutes, at most an hour apart, until it succeeds. The report itself is saved and
confirmed before; nothing here can block or undo it. A stop cancels the download in flight
and leaves its row as it was, so the next start takes it up at once.

The worker is a task of its own, not a step of the scheduler's tick: a slow download never
delays a push, and a push never delays a download.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot

from archive.folder import PhotoFolder
from storage import Database, photos
from storage.photos import Pending

log = logging.getLogger(__name__)
POLL_SECONDS = 10.0  # how often due retries are looked for when nothing wakes the worker
BATCH = 20
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


def backoff(tries: int) -> timedelta:
    """How long after the `tries`-th failed try the next one is due."""
    return min(FIRST_RETRY * 2 ** min(tries - 1, 16), LONGEST_WAIT)


class Archiver:
    """Downloads the pending photos into the folder, one at a time, in its own task."""

    def __init__(
        self, bot: Bot, db: Database, folder: PhotoFolder, clock: Callable[[], datetime]
    ) -> None:
        self.bot = bot
        self.db = db
        self.folder = folder
        self.clock = clock
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await asyncio.to_thread(self.folder.ensure)
        self._task = asyncio.create_task(self._loop(), name="photo-archive")

    async def stop(self) -> None:
        """Cancel the worker; a download in flight stays pending for the next start."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        """A photo was kept: look at once rather than at the next poll."""
        self._wake.set()

    async def _loop(self) -> None:
        failing = False
        while True:
            self._wake.clear()
            try:
                await self.run()
                failing = False
            except Exception:  # the database, say: logged once, looked at again next poll
                if not failing:
                    log.exception("photo archive: pass failed; retrying every %ss", POLL_SECONDS)
                failing = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)

    async def run(self) -> int:
        """One pass: every download due now, each tried once. Returns how many were archived."""
        async with self._lock:
            done = 0
            while batch := await photos.due(self.db, self.clock(), BATCH):
                for pending in batch:
                    done += await self._fetch(pending)
            return done

    async def _fetch(self, pending: Pending) -> int:
        try:
            found = await self.bot.get_file(pending.file_id)
            content = bytes(await found.download_as_bytearray())
            sha256, ext = await asyncio.to_thread(self.folder.keep, content)
        except Exception as exc:  # each photo stands alone: its failure waits, the rest go on
            tries = pending.tries + 1
            wait = backoff(tries)
            log.warning("photo %s not archived (%s: %s); try %d in %ds", pending.photo_id,
                        type(exc).__name__, exc, tries + 1, wait.total_seconds())  # fmt: skip
            error = f"{type(exc).__name__}: {exc}".replace(self.bot.token, "<token>")
            async with self.db.transaction() as tx:
                await photos.failed(tx, pending.photo_id, tries, self.clock() + wait, error)
            return 0
        async with self.db.transaction() as tx:
            await photos.archived(tx, pending.photo_id, sha256, ext)
        return 1
