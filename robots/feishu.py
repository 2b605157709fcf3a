"""飞书 custom robot (自定义机器人): post rich text, signed when 签名校验 is on; images through
an app.

From Feishu's 自定义机器人使用指南: the body at most 20 KB; 5 messages a second and 100 a
minute per robot; keep off the hour and the half hour (code 11232: rate-limited). A custom
robot cannot upload: with a Feishu app (app_id/app_secret, permission im:resource) the chart is
uploaded for an image_key (tenant_access_token, then /im/v1/images with image_type=message) and
sent as an image message; without one the caption carries the chart's link, as for DingTalk.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from robots.client import RobotClient
from robots.content import URL, Image, Part, Text, links_inline, shrink_png
from robots.signing import feishu_fields

IMAGE_LIMIT = 10 * 1024 * 1024  # Feishu's image upload
TOKEN_MARGIN_S = 300  # a tenant token is renewed this long before it expires (it lasts 2 h)


def line(text: str) -> list[dict[str, str]]:
    """One line of a post: text, with each url a link."""
    found: list[dict[str, str]] = []
    at = 0
    for match in URL.finditer(text):
        if match.start() > at:
            found.append({"tag": "text", "text": text[at : match.start()]})
        found.append({"tag": "a", "text": match.group(0), "href": match.group(0)})
        at = match.end()
    if at < len(text) or not found:
        found.append({"tag": "text", "text": text[at:]})
    return found


def post(part: Text) -> dict[str, Any]:
    """A post: the first line as its title, the rest as its lines; a one-line text, or a first
    line holding a link (a title is plain text), is all lines."""
    lines = part.body.split("\n")
    titled = len(lines) > 1 and not URL.search(lines[0])
    title, rest = (lines[0], lines[1:]) if titled else ("", lines)
    return {"post": {"zh_cn": {"title": title, "content": [line(x) for x in rest]}}}


class FeishuClient(RobotClient):
    kind = "feishu"
    # The body may hold 20 KB: 3,000 units are at most 9 KB of UTF-8, leaving room for the
    # post's JSON around each line.
    text_limit = 3000
    rate_codes = frozenset({11232})
    rate_pause = timedelta(minutes=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._token: tuple[str, float] | None = None  # (tenant_access_token, valid until)

    @property
    def api(self) -> str:
        """The open API's root, from the webhook's (open.feishu.cn, or Lark's)."""
        return self.robot.url.split("/open-apis/", 1)[0] + "/open-apis"

    def arrange(self, parts: list[Part]) -> list[Part]:
        """Files, and images without an app, as links in the caption's post."""
        image_line = None if self.robot.app_id else "图表：{link}"  # with an app: uploaded
        return links_inline(parts, image_line, "{name}：{link}")

    async def send(self, part: Part) -> None:
        if isinstance(part, Text):
            await self._message("post", post(part))
        elif isinstance(part, Image):
            await self._message("image", {"image_key": await self._upload(part.png)})

    async def _message(self, msg_type: str, content: dict[str, Any]) -> None:
        signed = feishu_fields(self.robot.secret, int(self.wall()))
        await self.post(self.robot.url, json={**signed, "msg_type": msg_type, "content": content})

    async def _tenant_token(self) -> str:
        now = self.wall()
        if self._token is not None and self._token[1] > now:
            return self._token[0]
        answer = await self.post(
            f"{self.api}/auth/v3/tenant_access_token/internal",
            json={"app_id": self.robot.app_id, "app_secret": self.robot.app_secret},
        )
        token, expire = answer.get("tenant_access_token"), answer.get("expire", 0)
        if not isinstance(token, str) or not token:
            raise self._fail("feishu: no tenant_access_token in the answer")
        self._token = (token, now + max(0, int(expire) - TOKEN_MARGIN_S))
        return token

    async def _upload(self, png: bytes) -> str:
        """Upload a chart through the app; its image_key."""
        token = await self._tenant_token()
        png = await asyncio.to_thread(shrink_png, png, IMAGE_LIMIT)
        try:
            answer = await self.post(
                f"{self.api}/im/v1/images",
                headers={"Authorization": f"Bearer {token}"},
                data={"image_type": "message"},
                files={"image": ("chart.png", png, "image/png")},
            )
        except Exception:
            self._token = None  # perhaps refused: fetch a new one next time
            raise
        data = answer.get("data") or {}
        key = data.get("image_key") if isinstance(data, dict) else None
        if not isinstance(key, str) or not key:
            raise self._fail("feishu: no image_key in the answer")
        return key
