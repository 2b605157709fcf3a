"""charts.png writes the page's pixels as a PNG any reader decodes to the very same pixels."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from charts._page import DPI, Page
from charts.model import ChartText
from charts.png import encode


def decoded(png: bytes) -> tuple[np.ndarray, dict]:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        return np.asarray(image), dict(image.info)


def test_every_pixel_survives_and_alpha_is_dropped() -> None:
    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    pixels, info = decoded(encode(rgba, 150))
    assert pixels.shape == (37, 53, 3)
    assert np.array_equal(pixels, rgba[:, :, :3])
    assert round(info["dpi"][0]) == round(info["dpi"][1]) == 150


def test_a_drawn_page_decodes_to_its_canvas() -> None:
    page = Page(ChartText(title="重点项目进展排名", subtitle="2026-11-23 至 2026-11-29"), 1.0)
    png = page.png()
    canvas = np.asarray(page.fig.canvas.buffer_rgba())
    pixels, info = decoded(png)
    assert np.array_equal(pixels, canvas[:, :, :3])
    assert pixels.shape[1] == 1080 and round(info["dpi"][0]) == DPI
    assert (pixels < 128).any()  # the title is drawn, not a blank page
