"""A fake Telegram Bot API server (aiohttp) that the test suite owns.

The bot under test talks real HTTP to it (PTB ``base_url`` / ``base_file_url``), while the test
plays the human users (``send_text``, ``press``…) and inspects / awaits what the bot did
(``calls``, ``wait_reply``, ``wait_idle``…). Telegram's observable behaviour is emulated where
bots commonly trip over it: long polling with offsets, per-chat message ids, "message is not
modified", length limits, parse-mode errors, blocked users, 429 flood control.

All public methods must be called from the event loop thread the server runs in.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import itertools
import json
import pathlib
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .formatting import ParseError, to_plain
from .models import (
    EDIT_METHODS,
    JSON,
    MESSAGE_METHODS,
    REPLY_METHODS,
    ApiCall,
    FakeUser,
    as_int,
    chat_full_info_json,
    chat_member_json,
    chat_type_for,
    decode_markup,
    group_chat_json,
    image_extension,
    image_size,
    inline_buttons,
    keyboard_labels,
    now,
    private_chat_json,
    utf16_len,
)

# Parameters that are strings in the Bot API even when they look like JSON ("123", "true"):
# decoding them would change their type, e.g. a user typing "123" must stay the str "123".
RAW_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "url",
        "title",
        "description",
        "short_description",
        "name",
        "parse_mode",
        "emoji",
        "question",
        "explanation",
        "address",
        "first_name",
        "last_name",
        "phone_number",
        "custom_title",
        "business_connection_id",
        "secret_token",
        "photo",
        "document",
        "video",
        "audio",
        "animation",
        "voice",
        "video_note",
        "sticker",
        "thumbnail",
    }
)
# Telegram only sends these update types when explicitly listed in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|]')  # not allowed in file names on common systems
_TEXT_LIMIT = 4096
_CAPTION_LIMIT = 1024
_GET_FILE_LIMIT = 20 * 1024 * 1024
DOWNLOAD = "download"  # fail_next's name for a file download (GET base_file_url/<path>)


class _ApiError(Exception):
    """Raised by method handlers; becomes an ``{"ok": false}`` response."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        data: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


class _Signal:
    """Wake-all notification usable from sync code (asyncio.Condition needs the lock held)."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait(self, seconds: float | None) -> bool:
        """Wait for the next notify(); False after ``seconds``."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await asyncio.wait_for(fut, seconds)
            return True
        except TimeoutError:
            return False
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(fut)


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int = 0
    height: int = 0
    thumb: _StoredFile | None = None
    declared: int | None = None  # the size the message states, when a test makes it lie

    @property
    def size(self) -> int:
        return len(self.content) if self.declared is None else self.declared

    def photo_size(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width,
            "height": self.height,
            "file_size": self.size,
        }

    def document(self) -> JSON:
        data: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data


def client_parts(text: str, limit: int = _TEXT_LIMIT) -> list[str]:
    """How a Telegram client cuts a long text into messages (see FakeBotApi.send_paste)."""
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        end = min(len(rest), limit)
        while utf16_len(rest[:end]) > limit:
            end -= 1
        head = rest[:end]
        cut = max(head.rfind("\n"), head.rfind(" "))
        if cut > 0 and utf16_len(head[:cut]) > limit // 2:
            parts.append(head[:cut])
            rest = rest[cut + 1 :]
        else:
            parts.append(head)
            rest = rest[end:]
    return [*parts, rest] if rest else parts


@dataclass
class _Fault:
    method: str
    status: int
    remaining: int
    retry_after: int | None
    hang: float | None
    description: str | None
    chat_id: int | None = None  # only requests to this chat

    def error(self) -> _ApiError:
        if self.status == 429:
            retry = self.retry_after or 1  # PTB only raises RetryAfter for a truthy value
            return _ApiError(
                429,
                self.description or f"Too Many Requests: retry after {retry}",
                {"retry_after": retry},
            )
        try:
            phrase = http.HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Error"
        params = {"retry_after": self.retry_after} if self.retry_after else None
        return _ApiError(self.status, self.description or f"{phrase}: injected fault", params)


@dataclass
class _Request:
    params: JSON
    files: dict[str, bytes]
    filenames: dict[str, str]
    mime_types: dict[str, str]
    http: web.Request


class FakeBotApi:
    """In-process fake of https://api.telegram.org for one bot token."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "jinzhan_test_bot",
        *,
        bot_name: str = "进展测试机器人",
        strict_chats: bool = False,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.bot_id = int(token.split(":")[0])
        # strict_chats: sending to a chat the fake never saw fails with "chat not found", as on
        # Telegram. Off by default so tests need not introduce every configured chat first.
        self.strict_chats = strict_chats
        self.calls: list[ApiCall] = []
        self.downloads: list[str] = []  # file_paths the bot downloaded, in order
        self.download_attempts: list[str] = []  # every download begun, failed ones too

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._stopping = False
        self._stop_event = asyncio.Event()

        # Updates: a deque sorted by update_id; confirmed ones are popped from the left.
        self._updates: deque[JSON] = deque()
        self._next_update_id = 1
        self._delivered_max = 0
        self._allowed: frozenset[str] | None = None
        self._poll_gen = 0
        self._update_signal = _Signal()  # wakes long polls
        self._changed = _Signal()  # wakes wait_for / wait_idle

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, JSON] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        # (raw text/caption, parse_mode) per bot message, to decide "message is not modified"
        # the way Telegram does (on the content sent, not only on the visible text).
        self._sources: dict[tuple[int, int], tuple[str | None, str | None]] = {}
        self._message_ids = itertools.count(1)
        self._media_group_ids = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._members: dict[tuple[int, int], str] = {}
        self._blocked: set[int] = set()
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        self._callback_queries: dict[str, JSON] = {}
        self._answered: set[str] = set()
        self._cq_counter = itertools.count(1)
        self._faults: list[_Fault] = []
        self._by_chat: dict[int, list[ApiCall]] = {}
        # (len(calls) at push time, update): lets the transcript interleave user actions.
        self._user_events: list[tuple[int, JSON]] = []

        # Implicit cursor for wait_* without `after`: calls since the last simulated user
        # action, skipping calls an earlier implicit wait already returned.
        self._mark = 0
        self._consumed: set[int] = set()
        self._last_activity = time.monotonic()
        self._in_flight = 0

        self._handlers: dict[str, Callable[[_Request], Any]] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._true,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
            "forwardMessage": self._forward_message,
            "copyMessage": self._copy_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "leaveChat": self._leave_chat,
            "sendChatAction": self._send_chat_action,
            "setMyName": self._true,
            "getMyName": lambda _r: {"name": self.bot_name},
            "setMyDescription": self._true,
            "getMyDescription": lambda _r: {"description": ""},
            "setMyShortDescription": self._true,
            "getMyShortDescription": lambda _r: {"short_description": ""},
            "setMyDefaultAdministratorRights": self._true,
            "pinChatMessage": self._true,
            "unpinChatMessage": self._true,
            "unpinAllChatMessages": self._true,
            "setMessageReaction": self._true,
        }
        self._canonical = {name.lower(): name for name in self._handlers}
        self._canonical["getupdates"] = "getUpdates"

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on host:port (0 = a free port)."""
        if self._runner is not None:
            raise RuntimeError("FakeBotApi already started")
        self._stopping = False
        self._stop_event = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Short shutdown timeout: a bot killed mid-request must not make stop() hang.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Answer pending long polls and hangs, then close the server."""
        if self._runner is None:
            return
        self._stopping = True
        self._stop_event.set()
        self._update_signal.notify()
        self._changed.notify()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def url(self) -> str:
        """Root URL of the server."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url`` / ``Bot(base_url=…)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url`` / ``Bot(base_file_url=…)``."""
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> JSON:
        """The bot's own ``User`` object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return await self._handle_download(path.removeprefix("/file/bot"))
        if not path.startswith("/bot"):
            return _json_response({"ok": False, "error_code": 404, "description": "Not Found"})
        token, _, raw_method = path.removeprefix("/bot").partition("/")
        method = self._canonical.get(raw_method.lower(), raw_method)
        started = time.time()
        tracked = method != "getUpdates"
        if tracked:
            self._in_flight += 1
        req = _Request({}, {}, {}, {}, request)
        try:
            if token != self.token:
                raise _ApiError(401, "Unauthorized")
            await self._read_params(request, req)
            fault = self._take_fault(method, as_int(req.params.get("chat_id")))
            if fault is not None and fault.hang is not None:
                # Hang, then answer normally: the client times out, but the work is done,
                # exactly the ambiguous situation retries have to cope with.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_event.wait(), fault.hang)
            elif fault is not None:
                raise fault.error()
            if method == "getUpdates":
                result = await self._get_updates(req)
            else:
                handler = self._handlers.get(method)
                if handler is None:
                    raise _ApiError(404, "Not Found: method not found")
                result = handler(req)
            payload: JSON = {"ok": True, "result": result}
            error_code = None
        except _ApiError as exc:
            payload = exc.payload()
            error_code = exc.code
        except Exception as exc:  # a bug in the fake: make it visible in the call log
            payload = {"ok": False, "error_code": 500, "description": f"Fake server bug: {exc!r}"}
            error_code = 500
        finally:
            if tracked:
                self._in_flight -= 1
        self._record(method, req, payload, error_code, started)
        return _json_response(payload)

    async def _read_params(self, request: web.Request, req: _Request) -> None:
        for key, value in request.query.items():
            req.params[key] = _decode_param(key, value)
        if request.method != "POST" or not request.body_exists:
            return
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _ApiError(400, "Bad Request: can't parse JSON body") from None
            if isinstance(body, dict):
                req.params.update(body)
            return
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                req.files[key] = value.file.read()
                req.filenames[key] = value.filename
                req.mime_types[key] = value.content_type
            else:
                req.params[key] = _decode_param(key, str(value))

    async def _handle_download(self, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return _json_response({"ok": False, "error_code": 401, "description": "Unauthorized"})
        self.download_attempts.append(file_path)
        self._touch()
        fault = self._take_fault(DOWNLOAD, None)
        if fault is not None and fault.hang is not None:
            with contextlib.suppress(TimeoutError):  # hang, then serve the file
                await asyncio.wait_for(self._stop_event.wait(), fault.hang)
        elif fault is not None:
            return _json_response(fault.error().payload())
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return _json_response({"ok": False, "error_code": 404, "description": "Not Found"})
        self.downloads.append(file_path)
        self._touch()
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    def _record(
        self, method: str, req: _Request, payload: JSON, error_code: int | None, started: float
    ) -> None:
        finished = time.time()
        call = ApiCall(
            seq=len(self.calls),
            method=method,
            params=req.params,
            files=req.files,
            time=finished,
            response=payload,
            error_code=error_code,
            filenames=req.filenames,
            duration=finished - started,
        )
        self.calls.append(call)
        if method != "getUpdates":
            self._last_activity = time.monotonic()
        if error_code is None and method in MESSAGE_METHODS and call.chat_id is not None:
            self._by_chat.setdefault(call.chat_id, []).append(call)
        self._changed.notify()

    def _take_fault(self, method: str, chat_id: int | None) -> _Fault | None:
        for fault in self._faults:
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            if fault.method == method or (
                fault.method == "*" and method not in ("getUpdates", DOWNLOAD)
            ):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._changed.notify()

    # ------------------------------------------------------------------ updates / polling

    async def _get_updates(self, req: _Request) -> list[JSON]:
        params = req.params
        offset = as_int(params.get("offset")) or 0
        limit = min(max(as_int(params.get("limit")) or 100, 1), 100)
        try:
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError):
            timeout = 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            # As on Telegram the setting persists; an empty list means "the default set".
            self._allowed = frozenset(allowed) if allowed else None
        # A newer getUpdates terminates an older one (409), like Telegram does; this also ends
        # polls of a SIGKILLed bot whose connection the server has not noticed yet.
        self._poll_gen += 1
        generation = self._poll_gen
        self._update_signal.notify()
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._stopping:
                return []
            if generation != self._poll_gen:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            batch = self._collect(limit)
            if batch:
                transport = req.http.transport
                if transport is None or transport.is_closing():
                    return []  # client gone: these updates were not really delivered
                self._delivered_max = max(self._delivered_max, batch[-1]["update_id"])
                self._touch()
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._update_signal.wait(remaining)

    def _confirm(self, offset: int) -> None:
        updates = self._updates
        if offset > 0:
            while updates and updates[0]["update_id"] < offset:
                updates.popleft()
        elif offset < 0:
            while len(updates) > -offset:
                updates.popleft()

    def _is_allowed(self, update: JSON) -> bool:
        kind = next((key for key in update if key != "update_id"), "")
        if self._allowed is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed

    def _collect(self, limit: int) -> list[JSON]:
        batch: list[JSON] = []
        skipped = False
        for update in self._updates:
            if self._is_allowed(update):
                batch.append(update)
                if len(batch) >= limit:
                    break
            else:
                skipped = True
        if skipped:
            # Telegram silently drops updates of types the bot did not ask for.
            self._updates = deque(u for u in self._updates if self._is_allowed(u))
        return batch

    def _undelivered(self) -> int:
        count = 0
        for update in reversed(self._updates):
            if update["update_id"] <= self._delivered_max:
                break
            count += 1
        return count

    def push_update(self, update: JSON) -> int:
        """Queue a raw update (``update_id`` is assigned) for the bot; return its id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, **{k: v for k, v in update.items() if k != "update_id"}}
        self._updates.append(update)
        self._remember(update)
        self._user_events.append((len(self.calls), update))
        self._mark = len(self.calls)
        self._update_signal.notify()
        self._touch()
        return update_id

    def _remember(self, update: JSON) -> None:
        # Raw updates pushed by tests should behave like generated ones: the bot can reply to
        # their messages and answer their callback queries.
        msg = update.get("message")
        if isinstance(msg, dict) and "message_id" in msg and isinstance(msg.get("chat"), dict):
            key = (int(msg["chat"]["id"]), int(msg["message_id"]))
            self._messages.setdefault(key, msg)
            self._chats.setdefault(key[0], msg["chat"])
        query = update.get("callback_query")
        if isinstance(query, dict) and "id" in query:
            self._callback_queries.setdefault(str(query["id"]), query)

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (via a later getUpdates offset)."""
        return len(self._updates)

    # ------------------------------------------------------------------ playing users

    def user(
        self, id: int, first_name: str, username: str | None = None, last_name: str | None = None
    ) -> FakeUser:
        """Create (and register, for names and getChatMember) a human user."""
        fake = FakeUser(id=id, first_name=first_name, username=username, last_name=last_name)
        self._users[id] = fake
        return fake

    def send_text(
        self,
        user: FakeUser,
        text: str,
        chat_id: int | None = None,
        chat_title: str | None = None,
        *,
        reply_to: JSON | ApiCall | None = None,
    ) -> JSON:
        """The user sends ``text`` (private chat by default); returns the Message."""
        content: JSON = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self._user_message(user, chat_id, chat_title, content, reply_to)

    def send_paste(self, user: FakeUser, text: str) -> list[JSON]:
        """The user pastes ``text`` into their private chat. Like Telegram's clients, a text
        over 4,096 characters goes out as several messages at once: each part is cut in its
        second half after the last line break or space (Telegram Desktop), else at the limit
        (the mobile apps), and the whitespace at the cut is dropped."""
        return [self.send_text(user, part) for part in client_parts(text)]

    def send_document(
        self,
        user: FakeUser,
        filename: str,
        content: bytes,
        mime_type: str,
        caption: str | None = None,
        chat_id: int | None = None,
        chat_title: str | None = None,
        declared_size: int | None = None,
    ) -> JSON:
        """The user sends a file; the bot can getFile + download it. ``declared_size`` is
        the size Telegram states instead of the content's (a file over getFile's 20 MB, say,
        without holding its bytes): getFile refuses above the limit by it."""
        stored = self._store_file(content, "document", filename=filename, mime_type=mime_type)
        stored.declared = declared_size
        body: JSON = {"document": stored.document()}
        if caption is not None:
            body["caption"] = caption
        return self._user_message(user, chat_id, chat_title, body, None)

    def send_photo(
        self,
        user: FakeUser,
        content: bytes,
        caption: str | None = None,
        chat_id: int | None = None,
        chat_title: str | None = None,
        declared_size: int | None = None,
    ) -> JSON:
        """The user sends a photo (two PhotoSizes, the largest has the full bytes);
        ``declared_size`` as for send_document, for the largest size."""
        stored = self._store_file(content, "photo")
        stored.declared = declared_size
        body: JSON = {"photo": self._photo_sizes(stored)}
        if caption is not None:
            body["caption"] = caption
        return self._user_message(user, chat_id, chat_title, body, None)

    def press(
        self, user: FakeUser, message: JSON | ApiCall, data: str, *, strict: bool = False
    ) -> JSON:
        """The user presses the inline button with ``data``; returns the CallbackQuery.

        ``message`` is the ApiCall of the send/edit or a Message dict. The query carries the
        message as it is *now* (after edits). Any ``data`` is accepted by default, so tests can
        forge stale/foreign callback data as a malicious client could; ``strict=True`` demands
        the button currently exists (a real user cannot press a button edited away).
        """
        chat_id, message_id = _message_ref(message)
        current = self._messages.get((chat_id, message_id))
        if current is None:
            if isinstance(message, ApiCall) or not message:
                raise ValueError(f"unknown message {message_id} in chat {chat_id}")
            current = message
        if strict:
            datas = [
                b.get("callback_data")
                for row in (current.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
            ]
            if data not in datas:
                raise ValueError(
                    f"message {message_id} in chat {chat_id} has no button with callback_data "
                    f"{data!r}; buttons: {inline_buttons(current.get('reply_markup'))}"
                )
        query_id = str(4_000_000_000_000 + next(self._cq_counter))
        query: JSON = {
            "id": query_id,
            "from": user.to_json(),
            "chat_instance": str(abs(chat_id) * 7 + 1),
            "message": current,
            "data": data,
        }
        self._see_member(chat_id, user.id)
        self.push_update({"callback_query": query})
        return query

    def press_button(
        self, user: FakeUser, message: JSON | ApiCall, label: str, *, exact: bool = False
    ) -> JSON:
        """Press the inline button whose label contains (or equals) ``label``."""
        chat_id, message_id = _message_ref(message)
        current = self._messages.get((chat_id, message_id))
        markup = (current or {}).get("reply_markup")
        if markup is None and isinstance(message, ApiCall):
            markup = message.reply_markup
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                text = str(button.get("text", ""))
                if (text == label if exact else label in text) and "callback_data" in button:
                    return self.press(user, message, button["callback_data"])
        raise ValueError(f"no callback button labelled {label!r}: {inline_buttons(markup)}")

    def add_to_group(
        self, user_who_added: FakeUser, chat_id: int, title: str, status: str = "member"
    ) -> JSON:
        """The user adds the bot to a group: a my_chat_member update; returns it."""
        chat = self._group_chat(chat_id, title)
        old = self._members.get((chat_id, self.bot_id), "left")
        self._members[(chat_id, self.bot_id)] = status
        self._see_member(chat_id, user_who_added.id)
        update: JSON = {
            "chat": chat,
            "from": user_who_added.to_json(),
            "date": now(),
            "old_chat_member": chat_member_json(self.bot_user, old),
            "new_chat_member": chat_member_json(self.bot_user, status),
        }
        self.push_update({"my_chat_member": update})
        return update

    def remove_from_group(
        self, user: FakeUser, chat_id: int, title: str | None = None, *, status: str = "kicked"
    ) -> JSON:
        """The user removes the bot from a group; later sends there fail with 403."""
        chat = self._group_chat(chat_id, title)
        old = self._members.get((chat_id, self.bot_id), "member")
        self._members[(chat_id, self.bot_id)] = status
        update: JSON = {
            "chat": chat,
            "from": user.to_json(),
            "date": now(),
            "old_chat_member": chat_member_json(self.bot_user, old),
            "new_chat_member": chat_member_json(self.bot_user, status),
        }
        self.push_update({"my_chat_member": update})
        return update

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers: creator/administrator/member/restricted/left/kicked."""
        chat_member_json({}, status)  # validates the status early, at the test's line
        self._members[(chat_id, user_id)] = status

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this chat now fail with 403."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo block_chat()."""
        self._blocked.discard(chat_id)

    # ------------------------------------------------------------------ reading results

    def cursor(self) -> int:
        """Current number of recorded calls; pass as ``after=`` to see only newer calls."""
        return len(self.calls)

    async def wait_for(
        self,
        predicate: Callable[[ApiCall], bool],
        *,
        after: int | None = None,
        timeout: float = 10.0,
        description: str | None = None,
    ) -> ApiCall:
        """Wait for the first call with seq >= ``after`` matching ``predicate``.

        ``after=None`` means: calls since the last simulated user action, skipping calls
        already returned by earlier waits without ``after`` (so two waits give two replies).
        A predicate raising TypeError/AttributeError/KeyError/IndexError counts as no match.
        """
        implicit = after is None
        pos = self._mark if after is None else after
        start = pos
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while pos < len(self.calls):
                call = self.calls[pos]
                pos += 1
                if implicit and call.seq in self._consumed:
                    continue
                try:
                    matched = predicate(call)
                except (TypeError, AttributeError, KeyError, IndexError):
                    matched = False
                if matched:
                    if implicit:
                        self._consumed.add(call.seq)
                    return call
            remaining = deadline - loop.time()
            if remaining <= 0 or self._stopping:
                what = description or getattr(predicate, "__name__", repr(predicate))
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what} (calls from #{start})\n"
                    + self.dump_calls()
                )
            await self._changed.wait(remaining)

    async def wait_reply(
        self,
        chat_id: int,
        *,
        after: int | None = None,
        timeout: float = 10.0,
        method: str | None = None,
        contains: str | None = None,
    ) -> ApiCall:
        """Next successful sendMessage/sendPhoto/sendDocument/sendMediaGroup/editMessageText/
        editMessageCaption to ``chat_id`` (or only ``method``; text containing ``contains``)."""
        methods = REPLY_METHODS if method is None else {self._canonical_name(method)}

        def is_reply(call: ApiCall) -> bool:
            return (
                call.ok
                and call.method in methods
                and call.chat_id == chat_id
                and (contains is None or contains in (call.plain or ""))
            )

        what = f"{'/'.join(sorted(methods))} to chat {chat_id}"
        if contains is not None:
            what += f" containing {contains!r}"
        return await self.wait_for(is_reply, after=after, timeout=timeout, description=what)

    async def say(
        self,
        user: FakeUser,
        text: str,
        *,
        chat_id: int | None = None,
        chat_title: str | None = None,
        timeout: float = 10.0,
    ) -> ApiCall:
        """send_text() then wait_reply() in the same chat."""
        self.send_text(user, text, chat_id, chat_title)
        return await self.wait_reply(user.id if chat_id is None else chat_id, timeout=timeout)

    async def wait_idle(
        self,
        quiet: float = 0.3,
        timeout: float = 10.0,
    ) -> None:
        """Wait until all updates were delivered, no request is in progress and no new
        (non-getUpdates) call arrived for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            busy = self._in_flight > 0 or self._undelivered() > 0
            idle_for = time.monotonic() - self._last_activity
            if not busy and idle_for >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0 or self._stopping:
                raise AssertionError(
                    f"bot not idle after {timeout}s (in flight: {self._in_flight}, "
                    f"undelivered updates: {self._undelivered()})\n" + self.dump_calls()
                )
            await self._changed.wait(remaining if busy else min(remaining, quiet - idle_for))

    def sent_to(self, chat_id: int) -> list[ApiCall]:
        """Successful send*/edit*/forward/copy calls to that chat, in order."""
        return list(self._by_chat.get(chat_id, ()))

    def texts_to(self, chat_id: int) -> list[str]:
        """The text/caption (raw, as sent) of sent_to(chat_id)."""
        return [c.text for c in self._by_chat.get(chat_id, ()) if c.text is not None]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """Current state of a stored message (after edits), None if unknown/deleted."""
        return self._messages.get((chat_id, message_id))

    def messages_in(self, chat_id: int) -> list[JSON]:
        """Current state of all stored messages of a chat, by message_id."""
        found = [m for (c, _), m in self._messages.items() if c == chat_id]
        return sorted(found, key=lambda m: m["message_id"])

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands set with setMyCommands for that scope and language."""
        return list(self._commands.get((_scope_key(scope), language_code or ""), []))

    def menu_button(self, chat_id: int | None = None) -> JSON:
        """Menu button set with setChatMenuButton (default: ``{"type": "default"}``)."""
        return self._menu_buttons.get(chat_id, {"type": "default"})

    def callback_answered(self, query_id: str) -> bool:
        """Whether the bot answered that callback query."""
        return query_id in self._answered

    def calls_of(self, method: str) -> list[ApiCall]:
        """All recorded calls of one method."""
        name = self._canonical_name(method)
        return [c for c in self.calls if c.method == name]

    def dump_calls(self, last: int = 25) -> str:
        """Readable summary of the last non-getUpdates calls, for failure messages."""
        recent: list[ApiCall] = []
        for call in reversed(self.calls):
            if call.method != "getUpdates":
                recent.append(call)
                if len(recent) >= last:
                    break
        polls = sum(1 for c in self.calls[-200:] if c.method == "getUpdates")
        lines = [f"  {c}" for c in reversed(recent)] or ["  (no calls)"]
        return (
            f"last {len(recent)} of {len(self.calls)} calls ({polls} getUpdates among the last "
            f"200), pending updates: {self.pending_updates()}:\n" + "\n".join(lines)
        )

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        count: int = 1,
        retry_after: int | None = None,
        hang: float | None = None,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" = any but getUpdates) fail with
        ``status`` (429 → RetryAfter), or with ``hang`` sleep that long then answer normally;
        with ``chat_id``, only calls to that chat (one slow chat among many). ``"download"``
        is a file download from ``base_file_url`` (not matched by "*")."""
        name = method if method == "*" else self._canonical_name(method)
        self._faults.append(_Fault(name, status, count, retry_after, hang, description, chat_id))

    async def wait_download(self, *, after: int, timeout: float = 10.0) -> str:
        """The file_path of the first download begun after ``after`` others had begun (pass
        ``len(fake.download_attempts)`` taken before); it may still be in progress."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.download_attempts) <= after:
            remaining = deadline - loop.time()
            if remaining <= 0 or self._stopping:
                raise AssertionError(f"no download began within {timeout}s")
            await self._changed.wait(remaining)
        return self.download_attempts[after]

    def faults_left(self) -> int:
        """How many injected faults no call has taken yet (a test waits for one to be hit)."""
        return sum(f.remaining for f in self._faults)

    def clear_faults(self) -> None:
        """Drop all pending fault injections."""
        self._faults.clear()

    # ------------------------------------------------------------------ transcript

    def transcript(self, names: dict[int, str] | None = None) -> list[str]:
        """Chronological, human-readable lines of what users and the bot did."""
        names = names or {}
        lines: list[str] = []
        events = self._user_events
        ev = 0
        for call in self.calls:
            while ev < len(events) and events[ev][0] <= call.seq:
                lines.extend(self._describe_update(events[ev][1], names))
                ev += 1
            line = self._describe_call(call, names)
            if line:
                lines.append(line)
        for _, update in events[ev:]:
            lines.extend(self._describe_update(update, names))
        return lines

    def dump_outbox(
        self, folder: pathlib.Path, names: dict[int, str] | None = None
    ) -> list[pathlib.Path]:
        """Write transcript.txt and every file the bot uploaded into ``folder``."""
        folder = pathlib.Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = [folder / "transcript.txt"]
        written[0].write_text("\n".join(self.transcript(names)) + "\n", encoding="utf-8")
        for call in self.calls:
            if not call.ok or not call.files:
                continue
            photo_fields = _photo_fields(call)
            many = len(call.files) > 1
            for index, (field, content) in enumerate(call.files.items(), start=1):
                base = f"{call.seq:04d}_{call.method}_chat{call.chat_id}"
                if many:
                    base += f"_{index}"
                original = call.filenames.get(field) or ""
                if field in photo_fields or "." not in original:
                    name = base + image_extension(content)
                else:
                    name = f"{base}_{_UNSAFE_NAME.sub('_', original)}"
                path = folder / name
                path.write_bytes(content)
                written.append(path)
        return written

    def _describe_update(self, update: JSON, names: dict[int, str]) -> list[str]:
        if "message" in update:
            msg = update["message"]
            who = self._user_name(msg.get("from") or {}, names)
            chat = msg["chat"]
            where = "bot" if chat.get("type") == "private" else self._chat_name(chat["id"], names)
            return [f"[{who} → {where}] {_indent(_content_summary(msg))}"]
        if "callback_query" in update:
            query = update["callback_query"]
            who = self._user_name(query["from"], names)
            label = query.get("data", "")
            for text, data in inline_buttons((query.get("message") or {}).get("reply_markup")):
                if data == query.get("data"):
                    label = text
                    break
            return [f"[{who} 按下] {label}"]
        if "my_chat_member" in update:
            change = update["my_chat_member"]
            who = self._user_name(change["from"], names)
            chat = self._chat_name(change["chat"]["id"], names)
            status = change["new_chat_member"]["status"]
            if status in ("left", "kicked"):
                return [f"[{who} 将 bot 移出 {chat}]"]
            return [f"[{who} 将 bot 加入 {chat}（{status}）]"]
        kind = next((k for k in update if k != "update_id"), "?")
        return [f"[update] {kind}"]

    def _describe_call(self, call: ApiCall, names: dict[int, str]) -> str | None:
        method = call.method
        if method == "answerCallbackQuery":
            text = call.params.get("text")
            query = self._callback_queries.get(str(call.params.get("callback_query_id")))
            if not text or not call.ok or query is None:
                return None
            kind = "弹窗" if call.params.get("show_alert") else "提示"
            return f"[bot → {self._user_name(query['from'], names)} {kind}] {text}"
        if method not in MESSAGE_METHODS and method != "deleteMessage":
            return None
        chat = self._chat_name(call.chat_id, names) if call.chat_id is not None else "?"
        if not call.ok:
            if method in EDIT_METHODS:
                return None  # "not modified" etc. are noise in a transcript
            return f"[bot → {chat} ✗ {call.error_code}] {_indent(call.text or '')}"
        if method == "deleteMessage":
            return f"[bot ✗ {chat}] (删除消息 #{call.params.get('message_id')})"
        arrow = "✎" if method in EDIT_METHODS else "→"
        if method == "editMessageReplyMarkup":
            buttons = _buttons_suffix(call.reply_markup)
            return f"[bot ✎ {chat}] (更新按钮){buttons or ' (移除按钮)'}"
        if method == "sendMediaGroup":
            msgs = call.messages
            caption = next((m["caption"] for m in msgs if m.get("caption")), "")
            return f"[bot → {chat}] (相册 {len(msgs)} 项) {_indent(caption)}".rstrip()
        msg = call.message
        body = _content_summary(msg) if msg is not None else (call.text or "")
        if method == "forwardMessage":
            body = "(转发) " + body
        elif method == "copyMessage":
            body = "(复制) " + (call.text or "")
        return f"[bot {arrow} {chat}] {_indent(body)}{_buttons_suffix(call.reply_markup)}"

    def _user_name(self, user: JSON, names: dict[int, str]) -> str:
        uid = user.get("id")
        if uid in names:
            return names[uid]
        if uid == self.bot_id:
            return "bot"
        if uid in self._users:
            return self._users[uid].full_name
        return str(user.get("first_name") or uid)

    def _chat_name(self, chat_id: int | None, names: dict[int, str]) -> str:
        if chat_id is None:
            return "?"
        if chat_id in names:
            return names[chat_id]
        if chat_id in self._users:
            return self._users[chat_id].full_name
        chat = self._chats.get(chat_id) or {}
        return str(chat.get("title") or chat.get("first_name") or chat_id)

    # ------------------------------------------------------------------ chats / messages

    def _canonical_name(self, method: str) -> str:
        return self._canonical.get(method.lower(), method)

    def _group_chat(self, chat_id: int, title: str | None) -> JSON:
        if chat_id >= 0:
            raise ValueError(f"group chat ids are negative, got {chat_id}")
        existing = self._chats.get(chat_id)
        if existing is not None and (title is None or existing.get("title") == title):
            return existing
        chat = group_chat_json(chat_id, title or f"Group {chat_id}")
        self._chats[chat_id] = chat
        return chat

    def _ensure_chat(self, chat_id: int) -> JSON:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            fake = self._users.get(chat_id) or FakeUser(chat_id, f"User {chat_id}")
            chat = private_chat_json(fake)
        else:
            chat = group_chat_json(chat_id, f"Group {chat_id}")
        self._chats[chat_id] = chat
        return chat

    def _see_member(self, chat_id: int, user_id: int) -> None:
        # A user who acted in a group is evidently a member (unless a test said otherwise).
        if chat_id < 0:
            self._members.setdefault((chat_id, user_id), "member")

    def _user_message(
        self,
        user: FakeUser,
        chat_id: int | None,
        chat_title: str | None,
        content: JSON,
        reply_to: JSON | ApiCall | None,
    ) -> JSON:
        self._users.setdefault(user.id, user)
        if chat_id is None or chat_id == user.id:
            chat = private_chat_json(user)
            self._chats[user.id] = chat
        elif chat_id > 0:
            raise ValueError("a user can only write to their own private chat or a group")
        else:
            chat = self._group_chat(chat_id, chat_title)
            self._see_member(chat_id, user.id)
        msg: JSON = {
            "message_id": next(self._message_ids),
            "from": user.to_json(),
            "chat": chat,
            "date": now(),
            **content,
        }
        if reply_to is not None:
            ref_chat, ref_id = _message_ref(reply_to)
            replied = self._messages.get((ref_chat, ref_id))
            if replied is not None:
                msg["reply_to_message"] = _without_reply(replied)
        self.push_update({"message": msg})  # also stores the message
        return msg

    def _target_chat(self, params: JSON, key: str = "chat_id") -> JSON:
        raw = params.get(key)
        if raw is None or raw == "":
            raise _ApiError(400, f"Bad Request: {key} is empty")
        chat_id = as_int(raw)
        if chat_id is None:
            username = str(raw).removeprefix("@")
            chat = next((c for c in self._chats.values() if c.get("username") == username), None)
            if chat is None:
                raise _ApiError(400, "Bad Request: chat not found")
            return chat
        chat = self._chats.get(chat_id)
        if chat is None:
            if self.strict_chats:
                raise _ApiError(400, "Bad Request: chat not found")
            chat = self._ensure_chat(chat_id)
        return chat

    def _writable_chat(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        chat_id = chat["id"]
        if chat_id in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id < 0:
            status = self._members.get((chat_id, self.bot_id))
            kind = chat_type_for(chat_id)
            if status == "kicked":
                raise _ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
            if status == "left":
                raise _ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return chat

    def _formatted(self, params: JSON, key: str, limit: int) -> tuple[str, str] | None:
        """(visible text, raw text) of text/caption, validated like Telegram does."""
        raw = params.get(key)
        if raw is None:
            return None
        raw = str(raw)
        try:
            plain = to_plain(raw, params.get("parse_mode"))
        except ParseError as exc:
            raise _ApiError(400, f"Bad Request: {exc}") from None
        if key == "text" and not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(plain) > limit:
            what = "message" if key == "text" else "message caption"
            raise _ApiError(400, f"Bad Request: {what} is too long")
        return plain, raw

    def _inline_markup(self, params: JSON) -> JSON | None:
        """The reply_markup to store on the message (only inline keyboards are kept)."""
        markup = decode_markup(params.get("reply_markup"))
        if not markup or "inline_keyboard" not in markup:
            return None
        for row in markup["inline_keyboard"]:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if len(button) == 1 and "text" in button:
                    raise _ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
        return markup

    def _store_bot_message(
        self, chat: JSON, content: JSON, params: JSON, source: tuple[str | None, str | None]
    ) -> JSON:
        msg: JSON = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": chat,
            "date": now(),
            **content,
        }
        markup = self._inline_markup(params)
        if markup is not None:
            msg["reply_markup"] = markup
        reply = params.get("reply_parameters")
        reply_id = as_int(reply.get("message_id")) if isinstance(reply, dict) else None
        reply_id = reply_id or as_int(params.get("reply_to_message_id"))
        if reply_id is not None:
            replied = self._messages.get((chat["id"], reply_id))
            if replied is not None:
                msg["reply_to_message"] = _without_reply(replied)
        key = (chat["id"], msg["message_id"])
        self._messages[key] = msg
        self._sources[key] = source
        return msg

    def _editable(self, params: JSON) -> tuple[tuple[int, int], JSON]:
        chat = self._writable_chat(params)
        message_id = as_int(params.get("message_id"))
        key = (chat["id"], message_id or 0)
        msg = self._messages.get(key)
        if msg is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if msg["from"]["id"] != self.bot_id:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return key, msg

    # ------------------------------------------------------------------ files

    def _store_file(
        self,
        content: bytes,
        kind: str,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
    ) -> _StoredFile:
        n = next(self._file_counter)
        prefix = "AgACAgUAAxkB" if kind == "photo" else "BQACAgUAAxkB"
        if kind == "photo":
            ext = image_extension(content)
            folder = "photos"
        else:
            ext = pathlib.PurePosixPath(filename or "").suffix or ".bin"
            folder = "documents"
        stored = _StoredFile(
            file_id=f"{prefix}{n:08d}FAKE{kind[:3].upper()}",
            file_unique_id=f"AQAD{n:06d}",
            content=content,
            file_path=f"{folder}/file_{n}{ext}",
            mime_type=mime_type,
            file_name=filename,
        )
        if kind == "photo":
            stored.width, stored.height = image_size(content)
            stored.mime_type = stored.mime_type or "image/" + ext.lstrip(".").replace(
                "jpg", "jpeg"
            )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _photo_sizes(self, stored: _StoredFile) -> list[JSON]:
        if stored.thumb is None:
            # A smaller rendition, as Telegram always sends several sizes; same bytes suffice.
            n = next(self._file_counter)
            scale = min(1.0, 320 / max(stored.width, stored.height, 1))
            stored.thumb = _StoredFile(
                file_id=f"AgACAgUAAxkB{n:08d}FAKETHU",
                file_unique_id=f"AQAD{n:06d}",
                content=stored.content,
                file_path=f"photos/file_{n}_thumb{image_extension(stored.content)}",
                mime_type=stored.mime_type,
                width=max(1, int(stored.width * scale)),
                height=max(1, int(stored.height * scale)),
            )
            self._files[stored.thumb.file_id] = stored.thumb
            self._files_by_path[stored.thumb.file_path] = stored.thumb
        return [stored.thumb.photo_size(), stored.photo_size()]

    def _input_file(self, req: _Request, field: str, kind: str) -> _StoredFile:
        """An uploaded file (multipart), an ``attach://`` reference, a file_id or a URL."""
        value = req.params.get(field)
        attach = None
        if isinstance(value, str) and value.startswith("attach://"):
            attach = value.removeprefix("attach://")
        part = attach or (field if field in req.files else None)
        if part is not None:
            if part not in req.files:
                raise _ApiError(400, f"Bad Request: file {part!r} must be uploaded")
            return self._store_file(
                req.files[part],
                kind,
                filename=req.filenames.get(part),
                mime_type=req.mime_types.get(part),
            )
        if value is None or value == "":
            raise _ApiError(400, f"Bad Request: there is no {field} in the request")
        value = str(value)
        stored = self._files.get(value)
        if stored is not None:
            return stored
        if value.startswith(("http://", "https://")):
            name = value.rsplit("/", 1)[-1] or None
            return self._store_file(b"", kind, filename=name)
        raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _media_content(self, stored: _StoredFile, kind: str) -> JSON:
        if kind == "photo":
            return {"photo": self._photo_sizes(stored)}
        return {kind: stored.document()}

    # ------------------------------------------------------------------ method handlers

    def _true(self, _req: _Request) -> bool:
        return True

    def _get_me(self, _req: _Request) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, req: _Request) -> bool:
        if req.params.get("drop_pending_updates") is True:
            if self._updates:
                self._delivered_max = max(self._delivered_max, self._updates[-1]["update_id"])
            self._updates.clear()
        return True

    def _get_webhook_info(self, _req: _Request) -> JSON:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _send_message(self, req: _Request) -> JSON:
        chat = self._writable_chat(req.params)
        formatted = self._formatted(req.params, "text", _TEXT_LIMIT)
        if formatted is None:
            raise _ApiError(400, "Bad Request: message text is empty")
        plain, raw = formatted
        content: JSON = {"text": plain}
        if isinstance(req.params.get("entities"), list):
            content["entities"] = req.params["entities"]
        return self._store_bot_message(
            chat, content, req.params, (raw, req.params.get("parse_mode"))
        )

    def _send_media(self, req: _Request, kind: str) -> JSON:
        chat = self._writable_chat(req.params)
        caption = self._formatted(req.params, "caption", _CAPTION_LIMIT)
        stored = self._input_file(req, kind, kind)
        content = self._media_content(stored, kind)
        if caption is not None:
            content["caption"] = caption[0]
        source = (caption[1] if caption else None, req.params.get("parse_mode"))
        return self._store_bot_message(chat, content, req.params, source)

    def _send_photo(self, req: _Request) -> JSON:
        return self._send_media(req, "photo")

    def _send_document(self, req: _Request) -> JSON:
        return self._send_media(req, "document")

    def _send_media_group(self, req: _Request) -> list[JSON]:
        chat = self._writable_chat(req.params)
        media = req.params.get("media")
        if not isinstance(media, list) or not 1 <= len(media) <= 10:
            raise _ApiError(400, "Bad Request: wrong number of media in the media group")
        group_id = str(10_000_000 + next(self._media_group_ids))
        prepared: list[tuple[JSON, tuple[str | None, str | None]]] = []
        for item in media:
            if not isinstance(item, dict):
                raise _ApiError(400, "Bad Request: can't parse InputMedia")
            # Videos/audios would need extra required fields; the fake treats them as documents.
            kind = "photo" if item.get("type") == "photo" else "document"
            sub = _Request(
                {kind: item.get("media")}, req.files, req.filenames, req.mime_types, req.http
            )
            stored = self._input_file(sub, kind, kind)
            content = self._media_content(stored, kind)
            content["media_group_id"] = group_id
            caption = self._formatted(item, "caption", _CAPTION_LIMIT)
            if caption is not None:
                content["caption"] = caption[0]
            prepared.append((content, (caption[1] if caption else None, item.get("parse_mode"))))
        # Store only after all items validated, so a bad album stores nothing (atomic like TG).
        return [self._store_bot_message(chat, content, {}, source) for content, source in prepared]

    def _source_message(self, req: _Request) -> JSON:
        from_chat = self._target_chat(req.params, "from_chat_id")
        msg = self._messages.get((from_chat["id"], as_int(req.params.get("message_id")) or 0))
        if msg is None:
            raise _ApiError(400, "Bad Request: message to forward not found")
        return msg

    def _forward_message(self, req: _Request) -> JSON:
        source = self._source_message(req)
        chat = self._writable_chat(req.params)
        content = {k: v for k, v in source.items() if k in _CONTENT_KEYS}
        sender = source.get("from") or self.bot_user
        content["forward_origin"] = {"type": "user", "date": source["date"], "sender_user": sender}
        return self._store_bot_message(chat, content, {}, (None, None))

    def _copy_message(self, req: _Request) -> JSON:
        source = self._source_message(req)
        chat = self._writable_chat(req.params)
        content = {k: v for k, v in source.items() if k in _CONTENT_KEYS}
        caption = self._formatted(req.params, "caption", _CAPTION_LIMIT)
        if caption is not None and "text" not in content:
            content["caption"] = caption[0]
        msg = self._store_bot_message(chat, content, req.params, (None, None))
        return {"message_id": msg["message_id"]}

    def _edit_message_text(self, req: _Request) -> JSON | bool:
        if req.params.get("inline_message_id"):
            return True
        key, msg = self._editable(req.params)
        if "text" not in msg:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        formatted = self._formatted(req.params, "text", _TEXT_LIMIT)
        if formatted is None:
            raise _ApiError(400, "Bad Request: message text is empty")
        plain, raw = formatted
        source = (raw, req.params.get("parse_mode"))
        markup = self._inline_markup(req.params)
        if self._sources.get(key) == source and msg.get("reply_markup") == markup:
            raise _ApiError(400, _NOT_MODIFIED)
        # New dicts instead of mutation: earlier responses/updates keep their snapshot.
        edited = {k: v for k, v in msg.items() if k not in ("entities", "reply_markup")}
        edited.update(text=plain, edit_date=now())
        if isinstance(req.params.get("entities"), list):
            edited["entities"] = req.params["entities"]
        if markup is not None:
            edited["reply_markup"] = markup
        self._messages[key] = edited
        self._sources[key] = source
        return edited

    def _edit_message_caption(self, req: _Request) -> JSON | bool:
        if req.params.get("inline_message_id"):
            return True
        key, msg = self._editable(req.params)
        if "text" in msg:
            raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = self._formatted(req.params, "caption", _CAPTION_LIMIT)
        source = (caption[1] if caption else None, req.params.get("parse_mode"))
        markup = self._inline_markup(req.params)
        if self._sources.get(key) == source and msg.get("reply_markup") == markup:
            raise _ApiError(400, _NOT_MODIFIED)
        edited = {
            k: v
            for k, v in msg.items()
            if k not in ("caption", "caption_entities", "reply_markup")
        }
        edited["edit_date"] = now()
        if caption is not None:
            edited["caption"] = caption[0]
        if markup is not None:
            edited["reply_markup"] = markup
        self._messages[key] = edited
        self._sources[key] = source
        return edited

    def _edit_message_reply_markup(self, req: _Request) -> JSON | bool:
        if req.params.get("inline_message_id"):
            return True
        key, msg = self._editable(req.params)
        markup = self._inline_markup(req.params)
        if msg.get("reply_markup") == markup:
            raise _ApiError(400, _NOT_MODIFIED)
        edited = {k: v for k, v in msg.items() if k != "reply_markup"}
        edited["edit_date"] = now()
        if markup is not None:
            edited["reply_markup"] = markup
        self._messages[key] = edited
        return edited

    def _delete_message(self, req: _Request) -> bool:
        chat = self._target_chat(req.params)
        key = (chat["id"], as_int(req.params.get("message_id")) or 0)
        if self._messages.pop(key, None) is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        self._sources.pop(key, None)
        return True

    def _delete_messages(self, req: _Request) -> bool:
        chat = self._target_chat(req.params)
        ids = req.params.get("message_ids")
        for message_id in ids if isinstance(ids, list) else []:
            self._messages.pop((chat["id"], as_int(message_id) or 0), None)
        return True

    def _answer_callback_query(self, req: _Request) -> bool:
        query_id = str(req.params.get("callback_query_id", ""))
        if query_id not in self._callback_queries or query_id in self._answered:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is "
                "invalid",
            )
        self._answered.add(query_id)
        return True

    def _set_my_commands(self, req: _Request) -> bool:
        commands = req.params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: commands must be an array")
        for command in commands:
            name = str(command.get("command", "")) if isinstance(command, dict) else ""
            if not _COMMAND_RE.match(name.removeprefix("/").lower()):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(req.params.get("scope")), str(req.params.get("language_code") or ""))
        self._commands[key] = commands
        return True

    def _delete_my_commands(self, req: _Request) -> bool:
        key = (_scope_key(req.params.get("scope")), str(req.params.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    def _get_my_commands(self, req: _Request) -> list[JSON]:
        key = (_scope_key(req.params.get("scope")), str(req.params.get("language_code") or ""))
        return self._commands.get(key, [])

    def _set_chat_menu_button(self, req: _Request) -> bool:
        button = req.params.get("menu_button")
        chat_id = as_int(req.params.get("chat_id"))
        self._menu_buttons[chat_id] = button if isinstance(button, dict) else {"type": "default"}
        return True

    def _get_chat_menu_button(self, req: _Request) -> JSON:
        return self.menu_button(as_int(req.params.get("chat_id")))

    def _get_file(self, req: _Request) -> JSON:
        stored = self._files.get(str(req.params.get("file_id", "")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if stored.size > _GET_FILE_LIMIT:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def _get_chat(self, req: _Request) -> JSON:
        return chat_full_info_json(self._target_chat(req.params))

    def _member_status(self, chat_id: int, user_id: int) -> str:
        status = self._members.get((chat_id, user_id))
        if status is not None:
            return status
        if chat_id > 0:
            return "member" if user_id in (chat_id, self.bot_id) else "left"
        # The bot is in any group it is asked to work in, unless a test removed it.
        return "member" if user_id == self.bot_id else "left"

    def _user_json(self, user_id: int) -> JSON:
        if user_id == self.bot_id:
            return self.bot_user
        fake = self._users.get(user_id)
        if fake is not None:
            return fake.to_json()
        return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}

    def _get_chat_member(self, req: _Request) -> JSON:
        chat = self._target_chat(req.params)
        user_id = as_int(req.params.get("user_id"))
        if user_id is None:
            raise _ApiError(400, "Bad Request: user not found")
        status = self._member_status(chat["id"], user_id)
        return chat_member_json(self._user_json(user_id), status)

    def _get_chat_administrators(self, req: _Request) -> list[JSON]:
        chat_id = self._target_chat(req.params)["id"]
        return [
            chat_member_json(self._user_json(uid), status)
            for (cid, uid), status in self._members.items()
            if cid == chat_id and status in ("creator", "administrator")
        ]

    def _get_chat_member_count(self, req: _Request) -> int:
        chat_id = self._target_chat(req.params)["id"]
        if chat_id > 0:
            return 2
        present = ("creator", "administrator", "member", "restricted")
        return sum(1 for (cid, _), s in self._members.items() if cid == chat_id and s in present)

    def _leave_chat(self, req: _Request) -> bool:
        chat_id = self._target_chat(req.params)["id"]
        self._members[(chat_id, self.bot_id)] = "left"
        return True

    def _send_chat_action(self, req: _Request) -> bool:
        self._writable_chat(req.params)
        return True


# Message keys that make up its content (copied by forwardMessage / copyMessage).
_CONTENT_KEYS = frozenset(
    {"text", "entities", "photo", "document", "caption", "caption_entities", "media_group_id"}
)


def _json_response(payload: JSON) -> web.Response:
    status = 200 if payload.get("ok") else int(payload.get("error_code") or 500)
    return web.Response(
        body=json.dumps(payload, ensure_ascii=False).encode(),
        status=status,
        content_type="application/json",
    )


def _decode_param(key: str, value: str) -> Any:
    # PTB JSON-encodes every non-str value; strings arrive verbatim.
    if key in RAW_STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _scope_key(scope: Any) -> str:
    if isinstance(scope, str):
        try:
            scope = json.loads(scope)
        except ValueError:
            scope = None
    if not isinstance(scope, dict) or not scope:
        scope = {"type": "default"}
    normalised = {k: (as_int(v) if k in ("chat_id", "user_id") else v) for k, v in scope.items()}
    return json.dumps(normalised, sort_keys=True)


def _message_ref(message: JSON | ApiCall) -> tuple[int, int]:
    """(chat_id, message_id) of an ApiCall (its resulting message) or a Message dict."""
    if isinstance(message, ApiCall):
        msg = message.message
        if msg is None:
            chat_id, message_id = message.chat_id, as_int(message.params.get("message_id"))
            if chat_id is None or message_id is None:
                raise ValueError(f"call {message} did not produce a message")
            return chat_id, message_id
        message = msg
    return int(message["chat"]["id"]), int(message["message_id"])


def _without_reply(msg: JSON) -> JSON:
    # Telegram does not nest reply_to_message inside reply_to_message.
    return {k: v for k, v in msg.items() if k != "reply_to_message"}


def _content_summary(msg: JSON) -> str:
    caption = msg.get("caption") or ""
    if "photo" in msg:
        return f"(图片) {caption}".rstrip()
    if "document" in msg:
        name = msg["document"].get("file_name") or "文件"
        return f"(文件 {name}) {caption}".rstrip()
    if "text" in msg:
        return str(msg["text"])
    return "(消息)"


def _buttons_suffix(markup: JSON | None) -> str:
    inline = [label for label, _ in inline_buttons(markup)]
    if inline:
        return " [按钮: " + " | ".join(inline) + "]"
    keyboard = keyboard_labels(markup)
    if keyboard:
        return " [键盘: " + " | ".join(keyboard) + "]"
    return ""


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def _photo_fields(call: ApiCall) -> set[str]:
    """Multipart field names of a call that carry photos (vs documents)."""
    if call.method == "sendPhoto":
        return set(call.files)
    fields: set[str] = set()
    media = call.params.get("media")
    items: Iterable[Any] = media if isinstance(media, list) else ()
    for item in items:
        if isinstance(item, dict) and item.get("type") == "photo":
            ref = str(item.get("media", ""))
            fields.add(ref.removeprefix("attach://"))
    return fields
