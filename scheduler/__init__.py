"""Scheduled reminders and pushes (wired here; the jobs themselves come with the scheduler).

The database is the source of truth: `setup` rebuilds the jobs from it at startup.
"""

from __future__ import annotations

from telegram.ext import Application


async def setup(app: Application) -> None:
    """Rebuild scheduled jobs from the database. None exist yet in this version."""
    return None
