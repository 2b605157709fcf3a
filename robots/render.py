"""A robot delivery rendered by the very renderers of Telegram's pushes, when it is sent.

The leaders' group and a robot read the same chart, caption and figures: scheduler.periodic
(ranking charts, 龙虎榜, bulletin, ledger) and scheduler.render (digest, board). One renderer
serves every robot for a minute, and a delivery several robots get is drawn once.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.weights import ScoringConfig
from domain.workdays import WorkCalendar
from ledger.texts import day_label
from messages import t
from scheduler import escalation, render
from scheduler.periodic import KINDS as PERIODIC_KINDS
from scheduler.periodic import PeriodicRenderer
from scheduler.render import Rendered
from storage import Database


class RobotRenderer:
    def __init__(
        self,
        db: Database,
        calendar: WorkCalendar,
        tz: ZoneInfo,
        now: datetime,
        scoring: ScoringConfig,
    ) -> None:
        self.db = db
        self.calendar = calendar
        self.tz = tz
        self.now = now
        self.periodic = PeriodicRenderer(db, calendar, tz, now, scoring)
        self._made: dict[str, asyncio.Future[Rendered | None]] = {}

    async def render(self, spec: dict[str, Any]) -> Rendered | None:
        """What the delivery says now; None when there is nothing to say (e.g. a unit without
        projects). Robots asking for the same spec share one rendering."""
        key = json.dumps({k: v for k, v in spec.items() if k != "push"}, sort_keys=True)
        made = self._made.get(key)
        if made is None or (made.done() and (made.cancelled() or made.exception() is not None)):
            made = self._made[key] = asyncio.ensure_future(self._render(spec))
        return await asyncio.shield(made)

    def close(self) -> None:
        """Drop renderings still in progress (the bot is stopping)."""
        for made in self._made.values():
            made.cancel()

    async def _render(self, spec: dict[str, Any]) -> Rendered | None:
        kind = spec["render"]
        if kind in PERIODIC_KINDS:  # the same charts and texts the Telegram pushes carry
            return await self.periodic.render(spec)
        day = date.fromisoformat(spec["day"])
        if kind == "digest":
            return await render.digest(self.db, day, spec["unit_id"])
        if kind == "board":
            return await render.board(self.db, spec["unit_id"], day, self.now, self.tz)
        if kind == "dept_weekly":  # what the departments' group gets (scheduler.escalation)
            lines = await escalation.department_lines(self.db, day, self.tz, self.calendar)
            title = t("problems.weekly_title", day=day_label(day))
            return Rendered("\n".join([title, *(lines or [t("problems.weekly_none")])]), [])
        raise ValueError(f"unknown robot delivery {kind!r}")
