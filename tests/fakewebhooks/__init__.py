"""A fake of the WeCom, DingTalk and Feishu group-robot webhooks, for the tests and the demo."""

from .server import FakeRobot, FakeWebhooks, RobotCall

__all__ = ["FakeRobot", "FakeWebhooks", "RobotCall"]
