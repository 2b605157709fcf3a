"""The context every handler receives: typed properties for the services, config and clock.

python-telegram-bot makes a ``Context`` per update (ContextTypes, set in application.py), so a
handler reads ``context.db``, ``context.config`` or ``await context.calendar()`` instead of
string lookups in bot_data. Model: python-telegram-bot's examples/contexttypesbot.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from config import Config
from domain.workdays import WorkCalendar
from runtime import BotData, Services
from scheduler import Scheduler
from services.workdays import work_calendar
from storage import Database


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def db(self) -> Database:
        return self.bot_data.services.db

    @property
    def config(self) -> Config:
        return self.bot_data.services.config

    @property
    def scheduler(self) -> Scheduler:
        return self.bot_data.scheduler

    def now(self) -> datetime:
        """UTC now, by the bot's clock (tests set it)."""
        return self.bot_data.services.now()

    def today(self) -> date:
        """The local day now, in the configured zone."""
        return self.bot_data.services.today()

    def photos_kept(self) -> None:
        """A photo was stored and committed: the archive fetches it now, not at its next poll."""
        if self.bot_data.archive is not None:
            self.bot_data.archive.wake()

    async def calendar(self) -> WorkCalendar:
        """The work calendar in force (services.workdays)."""
        return await work_calendar(self.db)


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
