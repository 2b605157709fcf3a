"""Pytest fixture for the fake robot webhooks; tests/conftest.py loads it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeWebhooks


@pytest_asyncio.fixture
async def webhooks() -> AsyncIterator[FakeWebhooks]:
    """A started FakeWebhooks on a free port, stopped after the test."""
    async with FakeWebhooks() as server:
        yield server
