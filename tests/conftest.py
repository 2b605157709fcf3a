"""Fixtures shared by every test package: the fake Bot API server (`fake_api`)."""

pytest_plugins = ["tests.fakebot.fixtures"]
