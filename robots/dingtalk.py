"""钉钉 custom robot (自定义机器人): markdown with title and text, signed when 加签 is on.

From DingTalk's 自定义机器人 docs: 20 messages a minute per robot, and past that the robot is
held back for 10 minutes (errcode 130101: too fast). A custom robot cannot upload an image: a
chart goes as a markdown image link when the dashboard serves it (web.public_url), else its
caption alone. No documented size limit was found for a markdown text; it is cut like WeCom's.
"""

from __future__ import annotations

from datetime import timedelta

from robots.client import RobotClient
from robots.content import URL, Part, Text, links_inline
from robots.signing import dingtalk_url


def markdown(text: str) -> str:
    """Markdown where each line stays a line (a single newline would join them) and a bare url
    is a link; a chart's image line (already markdown) is kept as it is."""
    lines = [
        line if line.startswith("![") else URL.sub(lambda m: f"[{m.group(0)}]({m.group(0)})", line)
        for line in text.split("\n")
    ]
    return "  \n".join(lines)


class DingTalkClient(RobotClient):
    kind = "dingtalk"
    text_limit = 4096 // 3
    rate_codes = frozenset({130101})
    rate_pause = timedelta(minutes=10)

    def arrange(self, parts: list[Part]) -> list[Part]:
        """A chart as an image under its caption, the ledger as a link to it (when the
        dashboard serves them), in the caption's message."""
        return links_inline(parts, "![图表]({link})", "[{name}]({link})")

    async def send(self, part: Part) -> None:
        assert isinstance(part, Text), "arrange() leaves text only"
        url = dingtalk_url(self.robot.url, self.robot.secret, int(self.wall() * 1000))
        text = {"title": part.title or "进展", "text": markdown(part.body)}
        body = {"msgtype": "markdown", "markdown": text}
        await self.post(url, json=body)
