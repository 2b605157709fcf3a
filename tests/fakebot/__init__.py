"""A fake Telegram Bot API server for end-to-end tests, benchmarks and the demo.

Usage::

    async with FakeBotApi() as api:
        app = Application.builder().token(api.token).base_url(api.base_url)
            .base_file_url(api.base_file_url).build()
        alice = api.user(1001, "张三")
        reply = await api.say(alice, "/start")
"""

from .formatting import ParseError, to_plain
from .models import ApiCall, FakeUser
from .server import FakeBotApi

__all__ = ["ApiCall", "FakeBotApi", "FakeUser", "ParseError", "to_plain"]
