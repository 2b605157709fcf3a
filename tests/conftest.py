"""Fixtures shared by every test package: the fake Bot API server (`fake_api`) and the fake
robot webhooks (`webhooks`)."""

pytest_plugins = ["tests.fakebot.fixtures", "tests.fakewebhooks.fixtures"]
