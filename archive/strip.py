"""The monthly bulletin's 晾晒 strip: a few of the month's site photos as one picture.

The bulletin praises and names; the strip shows. It is a message of its own in the monthly
push, after the bulletin, made from the archived copies (never from Telegram), one photo per
project — the newest of the month — numbered, with the caption naming each number's project.
A month without an archived report photo has no strip.

Photos are decoded with Pillow at a reduced scale (a JPEG's draft mode) and a picture whose
header claims more than MAX_PIXELS is left out, so twelve-megapixel originals, or a crafted
file, cannot take the bot's memory. Composed off the event loop.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw, ImageOps

from archive.folder import PhotoFolder
from messages import t
from storage import Database, photos

log = logging.getLogger(__name__)
MAX_PHOTOS = 6
COLUMNS = 3
TILE = (480, 360)  # each photo's cell, 4:3
GAP = 8
MAX_PIXELS = 60_000_000  # a phone's photo is 12-50 MP; more is no site photo


@dataclass(frozen=True)
class Strip:
    image: bytes  # JPEG
    shown: list[photos.Shown]  # in the picture's numbering (1 first)


def caption(strip: Strip, end: date) -> str:
    """What each number of the picture shows."""
    items = [t("strip.item", n=n, code=p.code, name=p.project, day=p.day[5:])
             for n, p in enumerate(strip.shown, start=1)]  # fmt: skip
    return t("strip.caption", month=end.month, n=len(strip.shown), items="\n".join(items))


async def month_strip(db: Database, folder: PhotoFolder, start: date, end: date) -> Strip | None:
    """The strip of the period's newest archived report photo per project, or None."""
    candidates = await photos.showcase(db, start, end, MAX_PHOTOS * 3)
    return await asyncio.to_thread(_compose, folder, candidates)


def _compose(folder: PhotoFolder, candidates: list[photos.Shown]) -> Strip | None:
    tiles, shown = [], []
    for photo in candidates:
        path = folder.file(photo.name)
        tile = _tile(path.read_bytes()) if path is not None else None
        if tile is not None:
            tiles.append(tile)
            shown.append(photo)
        if len(tiles) == MAX_PHOTOS:
            break
    if not tiles:
        return None
    rows = (len(tiles) + COLUMNS - 1) // COLUMNS
    columns = min(len(tiles), COLUMNS)
    width, height = TILE
    canvas = Image.new(
        "RGB", (columns * width + (columns + 1) * GAP, rows * height + (rows + 1) * GAP), "white"
    )
    draw = ImageDraw.Draw(canvas)
    for n, tile in enumerate(tiles):
        x = GAP + (n % COLUMNS) * (width + GAP)
        y = GAP + (n // COLUMNS) * (height + GAP)
        canvas.paste(tile, (x, y))
        draw.rectangle((x, y, x + 44, y + 44), fill="#c00000")  # the number the caption names
        draw.text((x + 22, y + 22), str(n + 1), fill="white", anchor="mm", font_size=30)
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=85)
    return Strip(out.getvalue(), shown)


def _tile(content: bytes) -> Image.Image | None:
    """The photo cropped to fill one cell, upright; None for a file Pillow cannot read."""
    try:
        with Image.open(io.BytesIO(content)) as img:
            if img.width * img.height > MAX_PIXELS:
                return None
            img.draft("RGB", (TILE[0] * 2, TILE[1] * 2))  # JPEG: decode at a fraction
            upright = ImageOps.exif_transpose(img) or img
            return ImageOps.fit(upright.convert("RGB"), TILE)
    except Exception as exc:  # HEIC without a plugin, a damaged file: the strip goes on
        log.info("photo left out of the strip: %s", exc)
        return None
