"""Pushes to 企业微信, 钉钉 and 飞书 group robots ([[robots]] in the config).

A robot gets what the leaders' group gets on Telegram (or a unit's group, for a robot with a
unit), for the pushes it names, through the same outbox: planned once per (push, period, robot)
by scheduler/plan.py, rendered when sent by the same renderers, and sent by a worker of its own
(delivery.py), paced to its platform (pacing.py) by a client that speaks its webhook (wecom.py,
dingtalk.py, feishu.py). Started and stopped with the Application (application.py).
"""

from __future__ import annotations

from telegram.ext import Application

from robots import secrets
from robots.delivery import RobotService
from runtime import BotData
from storage import robots as robot_store


async def setup(app: Application) -> None:
    """Mirror the configured robots, hide their secrets from every log, start their workers."""
    state: BotData = app.bot_data
    svc = state.services
    async with svc.db.transaction() as tx:
        ids = await robot_store.sync(tx, svc.config.robots, svc.now())
    state.robot_secrets = secrets.install(s for r in svc.config.robots for s in r.secrets)
    state.robots = RobotService(svc, ids)
    state.robots.start()


async def shutdown(app: Application) -> None:
    state: BotData = app.bot_data
    service, state.robots = state.robots, None
    if service is not None:
        await service.stop()
    hide, state.robot_secrets = state.robot_secrets, None
    if hide is not None:
        secrets.uninstall(hide)


__all__ = ["RobotService", "setup", "shutdown"]
