"""The demo's group robots: one of each kind (企业微信, 钉钉 with 加签, 飞书 with 签名 and an
app for the charts) against the suite's fake webhooks, each getting the weekly push."""

from __future__ import annotations

from tests.fakewebhooks import FakeRobot, FakeWebhooks
from tests.harness import RunningBot

NAMES = {"wecom": "市领导企业微信群", "dingtalk": "市领导钉钉群", "feishu": "市领导飞书群"}


def demo_robots(webhooks: FakeWebhooks) -> tuple[list[FakeRobot], list[dict]]:
    """The fake robots, and their [[robots]] tables for the config."""
    robots = [
        webhooks.robot("wecom"),
        webhooks.robot("dingtalk", secret="SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf"),
        webhooks.robot("feishu", secret="nIMtb7r3N9pkXyXdtAbx6e", app=True),
    ]
    tables = []
    for robot in robots:
        table = {"name": NAMES[robot.kind], "kind": robot.kind, "url": robot.url,
                 "secret": robot.secret, "pushes": ["weekly"]}  # fmt: skip
        if robot.app_id:
            table |= {"app_id": robot.app_id, "app_secret": robot.app_secret}
        tables.append(table)
    return robots, tables


async def weekly_to_robots(bot: RunningBot, monday_9: str) -> None:
    """The robots' weekly push: the scheduler planned it with Telegram's at 09:00; Feishu's
    waits for 09:01 (Feishu asks robots to keep off the hour)."""
    await bot.robots.drain()
    bot.clock.set(monday_9.replace("09:00", "09:01"))
    await bot.robots.drain()


def record(webhooks: FakeWebhooks, robots: list[FakeRobot]) -> list[str]:
    """What the fake webhook server received, a line (or a few) per call."""
    names = {r.token: NAMES[r.kind] for r in robots}
    return ["— what the group robots received (the fake webhooks' record):",
            *webhooks.transcript(names)]  # fmt: skip
