"""企业微信 group robot (群机器人): markdown, image (base64 + md5), file (upload_media, then file).

From WeCom's 群机器人配置说明: markdown content at most 4,096 bytes (UTF-8); an image at most
2 MB before base64, its md5 that of the raw bytes; a file is first uploaded to
/cgi-bin/webhook/upload_media?key=…&type=file (multipart field "media", 5 bytes to 20 MB) for a
media_id (valid 3 days), then sent as a file message. 20 messages a minute per robot; errcode
45009 means too fast.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from robots.client import RobotClient
from robots.content import URL, File, Image, Part, Text, shrink_png


def markdown(text: str) -> str:
    """WeCom markdown shows a bare url as text: make each a link."""
    return URL.sub(lambda m: f"[{m.group(0)}]({m.group(0)})", text)


class WeComClient(RobotClient):
    kind = "wecom"
    # 4,096 bytes of UTF-8: a character is at most 3 bytes per UTF-16 unit (CJK), so 1,365
    # units always fit, and the text is cut like Telegram's (sender.split_text).
    text_limit = 4096 // 3
    rate_codes = frozenset({45009})
    rate_pause = timedelta(minutes=1)

    async def send(self, part: Part) -> None:
        if isinstance(part, Text):
            body = {"msgtype": "markdown", "markdown": {"content": markdown(part.body)}}
        elif isinstance(part, Image):
            png = await asyncio.to_thread(shrink_png, part.png)
            image = {"base64": base64.b64encode(png).decode(), "md5": hashlib.md5(png).hexdigest()}
            body = {"msgtype": "image", "image": image}
        else:
            body = {"msgtype": "file", "file": {"media_id": await self.upload(part)}}
        await self.post(self.robot.url, json=body)

    async def upload(self, part: File) -> str:
        """Upload the file for a media_id."""
        answer = await self.post(
            upload_url(self.robot.url), files={"media": (part.name, part.content)}
        )
        media_id = answer.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise self._fail("wecom upload_media: no media_id in the answer")
        return media_id


def upload_url(url: str) -> str:
    """The robot's upload_media address: its send url's, with type=file."""
    parts = urlsplit(url)
    path = re.sub(r"/webhook/send$", "/webhook/upload_media", parts.path)
    query = urlencode([*parse_qsl(parts.query), ("type", "file")])
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))
