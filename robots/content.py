"""What a robot is sent: a push as rendered for Telegram, cut into the messages a robot takes.

The text, chart and file are those of the Telegram push (scheduler.render / periodic); only
the wrapping changes. Commands (/why, /rank, /export …) mean nothing in a WeCom, DingTalk or
Feishu group, so with a dashboard configured they become its links; without one they stay, for
the readers who also use Telegram.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image as PILImage

import sender
from scheduler.render import Rendered

IMAGE_LIMIT = 2 * 1024 * 1024  # WeCom's image message: at most 2 MB before base64
# A Telegram command with its arguments as the push texts write them ("/why 单位名 2026-W48",
# "/rank 2026-W48", "/p12"): a week, a code, or a placeholder word.
ARG = r"(?:[ 　]+(?:单位名|项目编号|[A-Za-z0-9][\w-]*))"
COMMAND = re.compile(rf"/(?:(rank|why|status|export|problems)({ARG}*)|p(\d+)\b)")
URL = re.compile(r"https?://[^\s）)｜|，。；]+")
# The dashboard page that shows what each command shows.
PAGES = {"rank": "/", "why": "/units", "status": "/units", "export": "/download",
         "problems": "/problems"}  # fmt: skip


@dataclass(frozen=True)
class Text:
    """A message of text: `title` is its first line (DingTalk's markdown title, Feishu's)."""

    title: str
    body: str  # the whole text, title line included


@dataclass(frozen=True)
class Image:
    """A chart. `link` is its public address (when the dashboard serves it), for platforms
    whose group robots cannot upload an image."""

    png: bytes
    link: str | None


@dataclass(frozen=True)
class File:
    """A file (the month's .xlsx ledger); `link` is where the dashboard offers it."""

    name: str
    content: bytes
    link: str | None


Part = Text | Image | File


def with_links(text: str, public_url: str) -> str:
    """`text` with each command replaced by the dashboard page showing the same (unchanged
    when no dashboard is configured)."""
    if not public_url:
        return text

    def page(match: re.Match[str]) -> str:
        name, args, problem = match.group(1), match.group(2) or "", match.group(3)
        if problem:
            return f"{public_url}/problems/{problem}"
        path = "/projects" if name == "why" and "项目" in args else PAGES.get(name, "/")
        return public_url + ("" if path == "/" else path)

    return COMMAND.sub(page, text)


def texts(text: str, limit: int) -> list[Text]:
    """`text` in messages of at most `limit` units, cut at line breaks like Telegram's."""
    return [Text(p.split("\n", 1)[0].strip()[:64], p) for p in sender.split_text(text, limit)]


def parts(
    rendered: Rendered, *, text_limit: int, public_url: str, chart_link: str | None
) -> list[Part]:
    """The messages of one delivery, in order: the text (the caption of a chart or a file comes
    first, like a heading), then the chart or the file."""
    found: list[Part] = list(texts(with_links(rendered.text, public_url), text_limit))
    if rendered.photo is not None:
        found.append(Image(rendered.photo, chart_link))
    if rendered.document is not None:
        name, content = rendered.document
        found.append(File(name, content, f"{public_url}/download" if public_url else None))
    return found


def links_inline(parts: list[Part], image_line: str | None, file_line: str) -> list[Part]:
    """For a robot that cannot upload: a file (and a chart, unless `image_line` is None) becomes
    a line of the text before it (`file_line`/`image_line` formatted with its link and name),
    or is left out when there is no link to give."""
    found: list[Part] = []
    for part in parts:
        if isinstance(part, Text) or (isinstance(part, Image) and image_line is None):
            found.append(part)
            continue
        if not part.link:
            continue
        template = file_line if isinstance(part, File) else image_line or ""
        line = template.format(link=part.link, name=getattr(part, "name", ""))
        if found and isinstance(found[-1], Text):
            last = found.pop()
            found.append(Text(last.title, f"{last.body}\n{line}"))
        else:
            found.append(Text(line[:64], line))
    return found


def shrink_png(png: bytes, limit: int = IMAGE_LIMIT) -> bytes:
    """The PNG within `limit` bytes: as it is when it fits, else scaled down until it does."""
    if len(png) <= limit:
        return png
    image = PILImage.open(io.BytesIO(png))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    scale = 1.0
    while True:
        scale *= max(0.5, min(0.9, (limit / len(png)) ** 0.5))
        size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        out = io.BytesIO()
        image.resize(size, PILImage.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
        if out.tell() <= limit or size == (1, 1):
            return out.getvalue()
        png = out.getvalue()
