"""PNG bytes of a drawn page, written straight from the canvas's pixels.

Pillow took about 50 ms a page (1080 x 2500 px): a copy to drop the alpha channel, then its
PNG encoder tries every row filter on every row before zlib sees a byte. A chart is mostly
flat white and a few flat colours, which deflate packs as well unfiltered, so this writes
RGB rows with filter 0 and deflates them at level 1: about 20 ms, and the file comes out a
tenth smaller than Pillow's at level 3. zlib works without the GIL meanwhile.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
LEVEL = 1
RGB = 2  # PNG colour type: truecolour, no alpha (the page is opaque white)
INCH = 0.0254  # metres: pHYs counts pixels per metre


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode(rgba: np.ndarray, dpi: float) -> bytes:
    """PNG of an opaque (height, width, 4) uint8 image; its alpha is dropped, `dpi` kept."""
    height, width, _ = rgba.shape
    # Each row is its filter byte (0: none) and its pixels' RGB.
    rows = np.zeros((height, 1 + 3 * width), np.uint8)
    pixels = rows[:, 1:].reshape(height, width, 3)
    for channel in range(3):  # channel by channel: 4x faster than one strided copy
        pixels[:, :, channel] = rgba[:, :, channel]
    per_metre = round(dpi / INCH)
    return b"".join((
        SIGNATURE,
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, RGB, 0, 0, 0)),
        _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
        _chunk(b"IDAT", zlib.compress(rows, LEVEL)),
        _chunk(b"IEND", b""),
    ))  # fmt: skip
