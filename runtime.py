"""What one running bot holds for its handlers and jobs, typed.

PTB keeps it as the Application's ``bot_data`` (a ``BotData``, set by application.py's
ContextTypes): the services (store, config, clock, in-memory throttles), the scheduler, the
held pastes and the dashboard. Handlers reach it through handlers.context.Context's
properties, never by string keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from config import Config
from storage import Database
from timeutil import local_date, utc_now
from transport import Throttle

if TYPE_CHECKING:  # the parts that import the handlers' world are typed, not imported here
    from archive import Archiver
    from handlers.paste import Pastes
    from robots.delivery import RobotService
    from robots.secrets import SecretFilter
    from scheduler import Scheduler
    from web.server import WebServer

STRANGER_EVERY = timedelta(hours=1)


@dataclass
class Services:
    db: Database
    config: Config
    # The time source of every handler and job; tests replace it to play a chosen day.
    clock: Callable[[], datetime] = utc_now
    # A stranger hears the polite line at most once an hour (memory only, bounded).
    strangers: Throttle = field(default_factory=lambda: Throttle(STRANGER_EVERY))
    # The group hello when the bot is added, at most once an hour per group.
    greeted: Throttle = field(default_factory=lambda: Throttle(STRANGER_EVERY))

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return local_date(self.clock(), self.config.bot.timezone)


class BotData:
    """The Application's bot_data: made empty by PTB, filled in by application.py."""

    def __init__(self) -> None:
        self.config: Config | None = None  # set when the Application is built
        self._services: Services | None = None  # set at startup, once the store is open
        self._scheduler: Scheduler | None = None
        self.pastes: Pastes | None = None  # made on the first private message
        self.web: WebServer | None = None  # the dashboard, when it runs
        self.robots: RobotService | None = None  # the group robots' senders, when configured
        self.robot_secrets: SecretFilter | None = None  # keeps their secrets out of the logs
        self.archive: Archiver | None = None  # the site photos' downloads, once started

    @property
    def started(self) -> bool:
        return self._services is not None

    @property
    def services(self) -> Services:
        assert self._services is not None, "the bot has not started"
        return self._services

    @services.setter
    def services(self, value: Services) -> None:
        self._services = value

    @property
    def has_scheduler(self) -> bool:
        return self._scheduler is not None

    @property
    def scheduler(self) -> Scheduler:
        assert self._scheduler is not None, "the scheduler has not started"
        return self._scheduler

    @scheduler.setter
    def scheduler(self, value: Scheduler) -> None:
        self._scheduler = value
