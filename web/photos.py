"""Site photos for the dashboard: from the city's archive (archive/) when the photo is there,
else fetched through the bot (the browser never leaves this server) and kept in a small
in-memory cache until the archive has it."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from archive import PhotoFolder

log = logging.getLogger(__name__)
CACHE_BYTES = 64 * 2**20


def image_type(content: bytes) -> str:
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"


class PhotoFetcher:
    """Photo files from the archive; photo bytes by Telegram file_id for the rest, least
    recently used dropped past CACHE_BYTES."""

    def __init__(self, bot: Bot | None, folder: PhotoFolder | None = None) -> None:
        self.bot = bot
        self.folder = folder
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0

    async def archived(self, name: str | None) -> Path | None:
        """The archived file of that name, if the archive has it."""
        if name is None or self.folder is None:
            return None
        return await asyncio.to_thread(self.folder.file, name)

    async def get(self, file_id: str) -> bytes | None:
        if file_id in self._cache:
            self._cache.move_to_end(file_id)
            return self._cache[file_id]
        if self.bot is None:
            return None
        try:
            found = await self.bot.get_file(file_id)
            content = bytes(await found.download_as_bytearray())
        except TelegramError as exc:
            log.warning("photo %s not fetched: %s", file_id, exc)
            return None
        self._cache[file_id] = content
        self._size += len(content)
        while self._size > CACHE_BYTES and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._size -= len(dropped)
        return content
