"""Headless Chromium (Debian's package) driven by Playwright, as a person uses the dashboard.

Used by the browser tests and the demo. One browser per run; each person gets their own
context (their own cookies). Every request the pages make is recorded with its host, and
every console message of level error, so a test can assert that nothing left the machine and
nothing broke.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

CHROMIUM = "/usr/bin/chromium"
# A closed network: no GPU, no QUIC, none of the browser's own calls home. Playwright gives
# each launch a fresh, empty profile directory (its own --user-data-dir).
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}
SCREEN = {"width": 1920, "height": 1080}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def chromium_path() -> str:
    """The browser, or a failure that says how to install it."""
    path = shutil.which("chromium") or CHROMIUM
    if not Path(path).exists():
        raise RuntimeError("the browser tests need chromium: run scripts/setup dev as root, "
                           "or 'sudo apt-get install chromium'")  # fmt: skip
    return path


@dataclass
class Visitor:
    """One person's browser context, with what their pages asked for and complained about."""

    context: BrowserContext
    page: Page
    hosts: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    async def open(self, url: str) -> int:
        """Go to `url`; return the HTTP status of its answer."""
        response = await self.page.goto(url, wait_until="load")
        assert response is not None
        return response.status

    async def login(self, link: str) -> int:
        """Open a /web link; when it is accepted, follow on to the home page it leads to."""
        status = await self.open(link)
        if status == 200:  # the sign-in page moves on by a meta refresh
            await self.page.wait_for_url(lambda u: "/login/" not in u)
            await self.page.wait_for_load_state("load")
        return status

    async def text(self) -> str:
        return await self.page.inner_text("body")

    async def shoot(self, folder: Path, name: str) -> list[Path]:
        """Full-page screenshots at phone and big-screen sizes."""
        folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a test's one mkdir
        paths = []
        for label, size in (("phone", PHONE), ("screen", SCREEN)):
            await self.page.set_viewport_size(size)
            path = folder / f"{name}-{label}.png"
            await self.page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        return paths

    async def overflows(self) -> bool:
        """True when the page is wider than the window (sideways scrolling on a phone)."""
        return await self.page.evaluate(
            "() => document.documentElement.scrollWidth > window.innerWidth + 1"
        )


class Chromium:
    """`async with Chromium() as browser:` one headless browser for many visitors."""

    def __init__(self) -> None:
        self._pw: Playwright | None = None
        self._browser: Browser | None = None

    async def __aenter__(self) -> Chromium:
        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(
            executable_path=chromium_path(), args=FLAGS, headless=True
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._pw is not None:
            await self._pw.stop()

    async def visitor(self) -> Visitor:
        assert self._browser is not None
        context = await self._browser.new_context(
            viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
        )
        page = await context.new_page()
        found = Visitor(context, page)
        context.on("request", lambda r: found.hosts.add(urlsplit(r.url).hostname or r.url))
        page.on("console", lambda m: found.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: found.errors.append(str(e)))
        return found
