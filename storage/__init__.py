"""Persistence: SQLite through aiosqlite, raw parameterised SQL, one function per query."""

from storage.db import Database, Tx

__all__ = ["Database", "Tx"]
