"""Fixtures shared by every test package: the fake Bot API server (`fake_api`) and the fake
robot webhooks (`webhooks`), and the usual umask (`common_umask`)."""

import os
from collections.abc import Iterator

import pytest

pytest_plugins = ["tests.fakebot.fixtures", "tests.fakewebhooks.fixtures"]


@pytest.fixture
def common_umask() -> Iterator[None]:
    """The usual 022, under which files are world-readable unless created otherwise (a child
    process started meanwhile inherits it)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)
