"""SQLite through aiosqlite: one writer connection behind a lock, one reader connection.

WAL lets the reader see committed data while a write is in progress; the lock keeps two
handlers from interleaving statements of two transactions on the writer connection. Because
every writer waits for that lock, nothing slow may happen while it is held: `in_transaction()`
tells the transport, which refuses to start a Bot API request inside a transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiosqlite

from storage.migrations import migrate

BUSY_TIMEOUT_MS = 5000
Params = Iterable[Any] | dict[str, Any]
# Set while the running task holds the write transaction (tasks copy it when created).
_IN_TRANSACTION: ContextVar[bool] = ContextVar("in_transaction", default=False)


def in_transaction() -> bool:
    """Whether the running task is inside `Database.transaction()`."""
    return _IN_TRANSACTION.get()


def _create_private(path: Path) -> None:
    """Create the data folder (0700) and the database file (0600), readable by the owner only.

    SQLite gives the -wal and -shm files the mode of the database file, so they follow. What
    exists already keeps its mode: an operator may have chosen it.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


async def _open(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so transactions are explicit.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a report confirmed to a liaison survives a power cut, not just a process kill.
    await conn.execute("PRAGMA synchronous = FULL")
    await conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _open_quick(path: Path) -> sqlite3.Connection:
    """A read-only connection used on the event loop, for `Database.lookup`."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = ON")
    return conn


class Reads:
    """Queries that read, on whichever connection the subclass reads from.

    Each read runs and finishes in one hop to the connection's thread. A cursor left open
    across awaits would keep SQLite's read snapshot pinned for every other coroutine reading
    on the same connection, and they would see data from before the latest commit.
    """

    _conn: aiosqlite.Connection

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[sqlite3.Row]]:
        """The rows of each query, in order, read in one hop to the connection's thread (one
        wake-up of the event loop, not one per query) and from one snapshot: outside a
        transaction they run in a read transaction of their own."""
        return await _in_thread(self._conn, _fetch_batch, list(queries))


def _fetch_batch(
    conn: sqlite3.Connection, queries: list[tuple[str, Params]]
) -> list[list[sqlite3.Row]]:
    own = not conn.in_transaction  # else inside the caller's transaction, which sees its writes
    if own:
        conn.execute("BEGIN")
    try:
        results = []
        for sql, params in queries:
            cur = conn.execute(sql, params)
            results.append(cur.fetchall())
            cur.close()
        return results
    finally:
        if own:
            conn.execute("COMMIT")


def _changed(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    cur = conn.execute(sql, params)
    count = cur.rowcount
    cur.close()
    return max(count, 0)


def _inserted(conn: sqlite3.Connection, sql: str, params: Params) -> int | None:
    cur = conn.execute(sql, params)
    row_id = cur.lastrowid
    cur.close()
    return row_id


async def _in_thread(conn: aiosqlite.Connection, fn: Callable[..., Any], *args: Any) -> Any:
    """Run `fn(sqlite3 connection, *args)` in the connection's own thread: one hop there and
    back for a statement and its cursor, not one for the statement and one for closing it.
    Every hop wakes the event loop from another thread, and they cost the bot more than the
    statements under load (bench.reports)."""
    return await conn._execute(fn, conn._conn, *args)  # aiosqlite's own way in (pinned)


class Tx(Reads):
    """The statements of one write transaction (reads inside it see its own writes)."""

    def __init__(self, conn: aiosqlite.Connection, db: Database | None = None) -> None:
        self._conn = conn
        self.db = db  # the database it writes to (None: a bare connection, e.g. a migration)
        self._on_commit: list[Callable[[], None]] = []

    def on_commit(self, fn: Callable[[], None]) -> None:
        """Call `fn` once the transaction has committed (e.g. to drop a cached read)."""
        self._on_commit.append(fn)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return how many rows it changed."""
        return await _in_thread(self._conn, _changed, sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT of one row; return its id."""
        row_id = await _in_thread(self._conn, _inserted, sql, params)
        assert row_id, "insert() is for statements that insert a row"
        return row_id

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        await self._conn.executemany(sql, rows)


class Database(Reads):
    """The bot's store. Open with `await Database.open(path)`; close with `await db.close()`.

    Reads outside a transaction go to the reader connection and see committed data only.
    """

    def __init__(
        self, writer: aiosqlite.Connection, reader: aiosqlite.Connection, quick: sqlite3.Connection
    ) -> None:
        self._writer = writer
        self._conn = reader
        self._quick = quick  # read-only, used on the event loop (lookup)
        self._lock = asyncio.Lock()

    def lookup(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """One row found by key (an index seek, microseconds), read on the event loop itself.

        A hop to the reader's thread costs the bot ~100 µs of CPU and a GIL hand-over, ten
        times the read; and a WAL reader never waits for the writer. For the reads every
        update makes (who is asking); anything that scans or may take long goes to the
        reader's thread (`fetchone`, `fetchall`)."""
        cur = self._quick.execute(sql, params)
        try:
            return cur.fetchone()
        finally:
            cur.close()

    @classmethod
    async def open(cls, path: Path) -> Database:
        _create_private(path)
        writer = await _open(path)
        try:
            await migrate(writer)
            reader = await _open(path)
        except BaseException:
            await writer.close()
            raise
        try:
            quick = _open_quick(path)
        except BaseException:
            await reader.close()
            await writer.close()
            raise
        return cls(writer, reader, quick)

    async def close(self) -> None:
        async with self._lock:
            self._quick.close()
            await self._conn.close()
            await self._writer.close()

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement as a transaction of its own (SQLite's autocommit, as durable as
        any commit here); return how many rows it changed. A single write needs no BEGIN and
        COMMIT around it: one statement, one commit, behind the same lock."""
        async with self._lock:
            return await _in_thread(self._writer, _changed, sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        async with self._lock:
            token = _IN_TRANSACTION.set(True)
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                tx = Tx(self._writer, self)
                try:
                    yield tx
                except BaseException:
                    await self._writer.execute("ROLLBACK")
                    raise
                await self._writer.execute("COMMIT")
                for fn in tx._on_commit:
                    fn()
            finally:
                _IN_TRANSACTION.reset(token)
