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
from storage import robots as robot_store

SERVICE = "robots"  # bot_data key of the running RobotService
_FILTER = "robots.filter"


async def setup(app: Application) -> None:
    """Mirror the configured robots, hide their secrets from every log, start their workers."""
    svc = app.bot_data["svc"]
    async with svc.db.transaction() as tx:
        ids = await robot_store.sync(tx, svc.config.robots, svc.now())
    app.bot_data[_FILTER] = secrets.install(s for r in svc.config.robots for s in r.secrets)
    service = RobotService(svc, ids)
    app.bot_data[SERVICE] = service
    service.start()


async def shutdown(app: Application) -> None:
    service: RobotService | None = app.bot_data.pop(SERVICE, None)
    if service is not None:
        await service.stop()
    hide = app.bot_data.pop(_FILTER, None)
    if hide is not None:
        secrets.uninstall(hide)


__all__ = ["SERVICE", "RobotService", "setup", "shutdown"]
