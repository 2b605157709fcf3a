"""A fake of the 企业微信, 钉钉 and 飞书 group-robot webhooks (aiohttp) that the test suite owns.

The bot posts real HTTP to it. Each robot is made with `robot(kind, secret=…, app=…)`, which
gives the url to configure. Every call is recorded (`calls`, with the time it arrived), and
answered as the platform answers: signatures checked (DingTalk 加签, Feishu 签名校验), sizes
checked (WeCom markdown 4,096 bytes, image 2 MB with its md5, Feishu body 20 KB), media and
image keys checked. Faults on demand: a platform error code (`fail_next`), a robot that is down
(`down`/`up`), one that hangs (`hang`), and a platform's rate limit enforced (`enforce`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .checks import describe, dingtalk_signed, feishu_problem, feishu_signed, wecom_problem

JSON = dict[str, Any]
ARRIVED = web.RequestKey("arrived", float)
RATE_CODES = {"wecom": 45009, "dingtalk": 130101, "feishu": 11232}


@dataclass
class FakeRobot:
    kind: str  # wecom | dingtalk | feishu
    token: str  # WeCom's key, DingTalk's access_token, Feishu's hook id
    url: str
    secret: str = ""
    app_id: str = ""
    app_secret: str = ""
    # Faults and limits, set by the test.
    errors: list[int | None] = field(default_factory=list)  # the next answers' codes (None: ok)
    down_status: int | None = None
    hang_s: float = 0.0
    limit: tuple[int, float] | None = None  # at most (count, seconds), else the rate code
    sent_at: list[float] = field(default_factory=list)


@dataclass
class RobotCall:
    seq: int
    robot: FakeRobot | None
    endpoint: str  # send | upload_media | token | image
    body: JSON | None
    files: dict[str, tuple[str, bytes]]
    at: float  # time.monotonic() when it arrived
    status: int = 200
    answer: JSON = field(default_factory=dict)
    signed: bool | None = None  # the signature checked out (None: no secret to check)

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.answer.get("errcode", self.answer.get("code", 0))

    @property
    def message(self) -> bool:
        """A message posted to the group (not an upload or a token)."""
        return self.endpoint == "send"


class FakeWebhooks:
    def __init__(self) -> None:
        self.calls: list[RobotCall] = []
        self.robots: dict[str, FakeRobot] = {}
        self.media: dict[str, bytes] = {}  # WeCom media_id / Feishu image_key -> content
        self.tokens: dict[str, FakeRobot] = {}  # Feishu tenant tokens given out, by app
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._base = ""
        self._changed = asyncio.Event()

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[_arrival])
        app.router.add_post("/cgi-bin/webhook/send", self._wecom)
        app.router.add_post("/cgi-bin/webhook/upload_media", self._wecom_upload)
        app.router.add_post("/robot/send", self._dingtalk)
        app.router.add_post("/open-apis/bot/v2/hook/{token}", self._feishu)
        app.router.add_post("/open-apis/auth/v3/tenant_access_token/internal", self._token)
        app.router.add_post("/open-apis/im/v1/images", self._feishu_image)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeWebhooks:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- robots and faults

    def robot(self, kind: str, *, secret: str = "", app: bool = False) -> FakeRobot:
        """A new robot of `kind`; its `url` goes into [[robots]]."""
        n = next(self._ids)
        token = f"{kind}-key-{n:04d}-5f3c9a7e"
        url = {
            "wecom": f"{self._base}/cgi-bin/webhook/send?key={token}",
            "dingtalk": f"{self._base}/robot/send?access_token={token}",
            "feishu": f"{self._base}/open-apis/bot/v2/hook/{token}",
        }[kind]
        robot = FakeRobot(kind, token, url, secret)
        if app:
            robot.app_id, robot.app_secret = f"cli_{n:04d}", f"app-secret-{n:04d}-9d2e"
        self.robots[token] = robot
        return robot

    def fail_next(self, robot: FakeRobot, code: int, count: int = 1, after: int = 0) -> None:
        """The next `count` messages to the robot (after `after` more accepted ones) are refused
        with the platform's error `code`."""
        robot.errors.extend([None] * after + [code] * count)

    def down(self, robot: FakeRobot, status: int = 502) -> None:
        robot.down_status = status

    def up(self, robot: FakeRobot) -> None:
        robot.down_status = None

    def hang(self, robot: FakeRobot, seconds: float) -> None:
        robot.hang_s = seconds

    def enforce(self, robot: FakeRobot, count: int, seconds: float) -> None:
        """Refuse (with the rate code) a message past `count` in any `seconds`."""
        robot.limit = (count, seconds)

    # ---------------------------------------------------------------- what was received

    def sent_to(self, robot: FakeRobot) -> list[RobotCall]:
        """Messages the robot accepted, in order."""
        return [c for c in self.calls if c.robot is robot and c.message and c.ok]

    async def wait_for(self, test: Callable[[], bool], timeout: float = 10) -> None:
        async def until() -> None:
            while not test():
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            seen = self.calls[-5:]
            raise AssertionError(f"fake webhooks: not seen in {timeout}s; {seen}") from None

    def transcript(self, names: dict[str, str] | None = None) -> list[str]:
        """A line per call, as a person reading the groups would describe it."""
        names = names or {}
        return [describe(c, names.get(c.robot.token, c.robot.kind) if c.robot else "?")
                for c in self.calls]  # fmt: skip

    # ---------------------------------------------------------------- the platforms

    async def _call(
        self, request: web.Request, robot: FakeRobot | None, endpoint: str, body: JSON | None,
        files: dict[str, tuple[str, bytes]], answer: Callable[[RobotCall], JSON],
    ) -> web.Response:  # fmt: skip
        call = RobotCall(len(self.calls) + 1, robot, endpoint, body, files, request[ARRIVED])
        self.calls.append(call)
        if robot is not None and robot.hang_s:
            await asyncio.sleep(robot.hang_s)
        if robot is not None and robot.down_status is not None:
            call.status, call.answer = robot.down_status, {}
        else:
            call.answer = answer(call)
        self._changed.set()
        if call.status != 200:
            return web.Response(status=call.status, text="Bad Gateway")
        return web.json_response(call.answer)

    def _gate(self, robot: FakeRobot, call: RobotCall) -> JSON | None:
        """A queued error, or the rate limit: the platform's answer; None when it may go."""
        code_key = "code" if robot.kind == "feishu" else "errcode"
        code = robot.errors.pop(0) if robot.errors else None
        if code is not None:
            return {code_key: code, "errmsg": "injected", "msg": "injected"}
        if robot.limit is not None:
            count, seconds = robot.limit
            if sum(1 for t in robot.sent_at if t > call.at - seconds) >= count:
                return {code_key: RATE_CODES[robot.kind], "errmsg": "too fast", "msg": "too fast"}
        robot.sent_at.append(call.at)
        return None

    async def _wecom(self, request: web.Request) -> web.Response:
        robot = self.robots.get(request.query.get("key", ""))
        body = await _json(request)

        def answer(call: RobotCall) -> JSON:
            if robot is None or robot.kind != "wecom":
                return {"errcode": 93000, "errmsg": "invalid webhook url"}
            problem = wecom_problem(body, self.media)
            if problem:
                return {"errcode": 40058, "errmsg": problem}
            return self._gate(robot, call) or {"errcode": 0, "errmsg": "ok"}

        return await self._call(request, robot, "send", body, {}, answer)

    async def _wecom_upload(self, request: web.Request) -> web.Response:
        robot = self.robots.get(request.query.get("key", ""))
        files, _ = await _form(request)

        def answer(call: RobotCall) -> JSON:
            _, content = files.get("media", ("", b""))
            if robot is None or request.query.get("type") != "file":
                return {"errcode": 93000, "errmsg": "invalid webhook url"}
            if not 5 < len(content) <= 20 * 2**20:
                return {"errcode": 40058, "errmsg": "file size must be 5 B to 20 MB"}
            media_id = f"media-{len(self.media) + 1}"
            self.media[media_id] = content
            return {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id}

        return await self._call(request, robot, "upload_media", None, files, answer)

    async def _dingtalk(self, request: web.Request) -> web.Response:
        robot = self.robots.get(request.query.get("access_token", ""))
        body = await _json(request)

        def answer(call: RobotCall) -> JSON:
            if robot is None or robot.kind != "dingtalk":
                return {"errcode": 300001, "errmsg": "token is not exist"}
            if robot.secret:
                call.signed = dingtalk_signed(robot.secret, request.query)
                if not call.signed:
                    return {"errcode": 310000, "errmsg": "sign not match"}
            markdown = (body or {}).get("markdown") or {}
            if (body or {}).get("msgtype") != "markdown" or not all(
                markdown.get(k) for k in ("title", "text")
            ):
                return {"errcode": 40035, "errmsg": "缺少参数 markdown.title/text"}
            return self._gate(robot, call) or {"errcode": 0, "errmsg": "ok"}

        return await self._call(request, robot, "send", body, {}, answer)

    async def _feishu(self, request: web.Request) -> web.Response:
        robot = self.robots.get(request.match_info["token"])
        raw = await request.read()
        body = _loads(raw)

        def answer(call: RobotCall) -> JSON:
            if robot is None or robot.kind != "feishu":
                return {"code": 19001, "msg": "incoming webhook access token invalid"}
            if len(raw) > 20 * 1024:
                return {"code": 9499, "msg": "Bad Request: body over 20 KB"}
            if robot.secret:
                call.signed = feishu_signed(robot.secret, body or {})
                if not call.signed:
                    return {"code": 19021, "msg": "sign match fail or timestamp is not within "
                            "one hour from current time"}  # fmt: skip
            problem = feishu_problem(body, self.media)
            if problem:
                return {"code": 9499, "msg": problem}
            return self._gate(robot, call) or {"code": 0, "msg": "success", "data": {}}

        return await self._call(request, robot, "send", body, {}, answer)

    async def _token(self, request: web.Request) -> web.Response:
        body = await _json(request) or {}
        robot = next((r for r in self.robots.values() if r.app_id and r.app_id ==
                      body.get("app_id")), None)  # fmt: skip

        def answer(call: RobotCall) -> JSON:
            if robot is None or body.get("app_secret") != robot.app_secret:
                return {"code": 10014, "msg": "app secret invalid"}
            token = f"t-{len(self.tokens) + 1:04d}-7f1bcd13"
            self.tokens[token] = robot
            return {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200}

        return await self._call(request, robot, "token", {"app_id": body.get("app_id")}, {},
                                answer)  # fmt: skip

    async def _feishu_image(self, request: web.Request) -> web.Response:
        files, form = await _form(request)
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")

        def answer(call: RobotCall) -> JSON:
            if bearer not in self.tokens:
                return {"code": 99991663, "msg": "Invalid access token for authorization"}
            _, content = files.get("image", ("", b""))
            if form.get("image_type") != "message" or not 0 < len(content) <= 10 * 2**20:
                return {"code": 234001, "msg": "Invalid request param"}
            key = f"img_v2_{len(self.media) + 1:04d}"
            self.media[key] = content
            return {"code": 0, "msg": "success", "data": {"image_key": key}}

        robot = self.tokens.get(bearer)
        return await self._call(request, robot, "image", dict(form), files, answer)


@web.middleware
async def _arrival(request: web.Request, handler: Any) -> web.StreamResponse:
    """The time a request arrived, before its body is read (a chart's takes a while)."""
    request[ARRIVED] = time.monotonic()
    return await handler(request)


async def _json(request: web.Request) -> JSON | None:
    return _loads(await request.read())


def _loads(raw: bytes) -> JSON | None:
    with contextlib.suppress(ValueError):
        found = json.loads(raw)
        return found if isinstance(found, dict) else None
    return None


async def _form(request: web.Request) -> tuple[dict[str, tuple[str, bytes]], dict[str, str]]:
    files: dict[str, tuple[str, bytes]] = {}
    fields: dict[str, str] = {}
    with contextlib.suppress(ValueError, AssertionError):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, value.file.read())
            else:
                fields[key] = str(value)
    return files, fields
