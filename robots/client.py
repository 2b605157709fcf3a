"""What the three platforms' clients share: one HTTP client per robot, answers read as the
platforms write them, and errors that never carry the webhook's url or key.

Each platform answers HTTP 200 with an error code in the body (WeCom and DingTalk `errcode`,
Feishu `code`); 0 is success. A code meaning "too fast" raises RobotError(rate_limited=True),
which pauses the robot; anything else (HTTP status, timeout, refused connection, another code)
is a failed try of the delivery, retried later (robots/delivery.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from config import RobotConfig
from robots.content import Part
from robots.secrets import redact
from storage.db import in_transaction

TIMEOUT = httpx.Timeout(20.0, connect=10.0)


class RobotError(Exception):
    """A try that failed, in one line without secrets (stored, logged, shown in /robots)."""

    def __init__(self, text: str, *, rate_limited: bool = False) -> None:
        super().__init__(text)
        self.rate_limited = rate_limited


class RobotClient:
    """Sends the parts of a delivery to one robot. Subclasses say how each part is posted."""

    kind = ""
    text_limit = 4096  # Telegram units (UTF-16) of one text message; see the subclasses
    rate_codes: frozenset[int] = frozenset()  # the platform's "too fast"
    rate_pause = timedelta(minutes=1)  # how long the platform holds a robot back after one

    def __init__(
        self,
        robot: RobotConfig,
        http: httpx.AsyncClient | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.robot = robot
        self.http = http or httpx.AsyncClient(timeout=TIMEOUT)
        self.wall = wall  # the signatures' timestamps: the platform compares them with its clock

    async def close(self) -> None:
        await self.http.aclose()

    def arrange(self, parts: list[Part]) -> list[Part]:
        """The messages as this platform takes them (by default, one per part)."""
        return parts

    async def send(self, part: Part) -> None:
        raise NotImplementedError

    def _fail(self, text: str, code: int | None = None) -> RobotError:
        return RobotError(
            redact(text, self.robot.secrets)[:300],
            rate_limited=code is not None and code in self.rate_codes,
        )

    async def post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        """POST and return the answer's JSON; any failure is a RobotError without secrets."""
        assert not in_transaction(), "no HTTP call inside a database transaction"
        try:
            response = await self.http.post(url, **kwargs)
        except httpx.TimeoutException as exc:
            raise self._fail(f"timeout ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:  # refused, reset, DNS …: the message may hold the url
            raise self._fail(f"{type(exc).__name__}: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise self._fail(f"HTTP {response.status_code}, not a JSON answer")
        code = body.get("errcode", body.get("code", 0))
        code = int(code) if isinstance(code, int | str) and str(code).lstrip("-").isdigit() else 0
        if response.status_code >= 400 and not code:
            raise self._fail(f"HTTP {response.status_code}")
        if code:
            message = body.get("errmsg") or body.get("msg") or ""
            raise self._fail(f"{self.kind} error {code}: {message}", code)
        return body
