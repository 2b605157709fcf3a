"""Pytest fixtures for the fake Bot API; import them into a conftest.py to use them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeBotApi


@pytest_asyncio.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A started FakeBotApi on a free port, stopped after the test."""
    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
