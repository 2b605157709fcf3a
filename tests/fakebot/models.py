"""Data types and JSON builders for the fake Telegram Bot API.

The builders return plain dicts shaped exactly like Bot API objects, because PTB parses every
result with ``de_json`` and a missing required field would raise inside the bot under test.
"""

from __future__ import annotations

import json
import struct
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# Methods whose successful call puts (or changes) a message in a chat; used by sent_to().
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "forwardMessage",
        "copyMessage",
    }
)
EDIT_METHODS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
MESSAGE_METHODS = SEND_METHODS | EDIT_METHODS
# What counts as "the bot answered in this chat" for wait_reply().
REPLY_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "editMessageText",
        "editMessageCaption",
    }
)


@dataclass(frozen=True)
class FakeUser:
    """A human Telegram user played by the test."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "zh-hans"

    @property
    def full_name(self) -> str:
        """First and last name, like Telegram clients display them."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_json(self) -> JSON:
        """The Bot API ``User`` object."""
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(slots=True)
class ApiCall:
    """One HTTP request the bot made to the fake server, with what the server answered."""

    seq: int
    method: str
    params: JSON
    files: dict[str, bytes]
    time: float
    response: JSON | None
    error_code: int | None
    filenames: dict[str, str] = field(default_factory=dict)
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the server answered ``{"ok": true}``."""
        return self.error_code is None

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (None for failed ones)."""
        return self.response.get("result") if self.response else None

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        return self.response.get("description") if self.response else None

    @property
    def text(self) -> str | None:
        """The text or caption the bot sent (raw, i.e. still with HTML tags if any)."""
        for key in ("text", "caption"):
            value = self.params.get(key)
            if value is not None:
                return str(value)
        media = self.params.get("media")
        if isinstance(media, list):
            for item in media:
                if isinstance(item, dict) and item.get("caption"):
                    return str(item["caption"])
        return None

    @property
    def plain(self) -> str | None:
        """The text/caption as the user sees it (parse-mode markup removed by the server)."""
        msg = self.message
        if msg is not None:
            for key in ("text", "caption"):
                if key in msg:
                    return str(msg[key])
        return self.text

    @property
    def chat_id(self) -> int | None:
        """The target chat id as int (None if absent or an @username)."""
        return as_int(self.params.get("chat_id"))

    @property
    def message_id(self) -> int | None:
        """The message id of the sent / edited message (or the ``message_id`` parameter)."""
        msg = self.message
        if msg is not None:
            return int(msg["message_id"])
        return as_int(self.params.get("message_id"))

    @property
    def reply_markup(self) -> JSON | None:
        """The decoded ``reply_markup`` parameter."""
        return decode_markup(self.params.get("reply_markup"))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """Inline buttons flattened row by row as (label, callback_data or url)."""
        return inline_buttons(self.reply_markup)

    @property
    def message(self) -> JSON | None:
        """The Message the server returned (the first one for sendMediaGroup)."""
        result = self.result
        if isinstance(result, list) and result and isinstance(result[0], dict):
            result = result[0]
        if isinstance(result, dict) and "message_id" in result and "chat" in result:
            return result
        return None

    @property
    def messages(self) -> list[JSON]:
        """All Messages the server returned (several for sendMediaGroup)."""
        result = self.result
        if isinstance(result, list):
            return [m for m in result if isinstance(m, dict) and "message_id" in m]
        msg = self.message
        return [msg] if msg is not None else []

    def __str__(self) -> str:
        parts = [f"#{self.seq} {self.method}"]
        if self.chat_id is not None:
            parts.append(f"chat={self.chat_id}")
        if self.params.get("message_id") is not None:
            parts.append(f"msg={self.params['message_id']}")
        text = self.text
        if text is not None:
            short = text if len(text) <= 80 else text[:77] + "..."
            parts.append(repr(short))
        if self.buttons:
            parts.append("buttons=" + "|".join(label for label, _ in self.buttons))
        if self.method == "getUpdates" and isinstance(self.result, list):
            parts.append(f"-> {len(self.result)} updates")
        if self.error_code is not None:
            parts.append(f"-> ERROR {self.error_code} {self.description}")
        return " ".join(parts)


def as_int(value: Any) -> int | None:
    """Coerce a chat/message id that may have arrived as str to int."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def decode_markup(value: Any) -> JSON | None:
    """A reply_markup parameter as dict (it may still be a JSON string from a JSON body)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def inline_buttons(markup: JSON | None) -> list[tuple[str, str]]:
    """Flatten an inline keyboard into (label, callback_data or url or other payload)."""
    if not markup:
        return []
    out: list[tuple[str, str]] = []
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            payload = button.get("callback_data")
            if payload is None:
                payload = button.get("url")
            if payload is None:
                payload = next(
                    (str(v) for k, v in button.items() if k != "text" and v is not None), ""
                )
            out.append((str(button.get("text", "")), str(payload)))
    return out


def keyboard_labels(markup: JSON | None) -> list[str]:
    """Labels of a (non-inline) reply keyboard."""
    if not markup:
        return []
    labels: list[str] = []
    for row in markup.get("keyboard") or []:
        for button in row:
            labels.append(button if isinstance(button, str) else str(button.get("text", "")))
    return labels


def now() -> int:
    """Unix time as Telegram sends it (int seconds)."""
    return int(time.time())


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def chat_type_for(chat_id: int) -> str:
    """Telegram id conventions: >0 private, -100… supergroup, other <0 basic group."""
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def private_chat_json(user: FakeUser) -> JSON:
    """The ``Chat`` of a private conversation with ``user``."""
    data: JSON = {"id": user.id, "type": "private", "first_name": user.first_name}
    if user.last_name:
        data["last_name"] = user.last_name
    if user.username:
        data["username"] = user.username
    return data


def group_chat_json(chat_id: int, title: str) -> JSON:
    """The ``Chat`` of a group / supergroup."""
    return {"id": chat_id, "type": chat_type_for(chat_id), "title": title}


def chat_full_info_json(chat: JSON) -> JSON:
    """``ChatFullInfo`` (getChat) with all fields PTB 22 requires."""
    return {
        **chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def chat_member_json(user: JSON, status: str) -> JSON:
    """A ``ChatMember`` of the given status with every field PTB requires for it."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": True,
            "can_edit_stories": True,
            "can_delete_stories": True,
            "can_pin_messages": True,
        }
    if status == "restricted":
        perms = [
            "can_change_info",
            "can_invite_users",
            "can_pin_messages",
            "can_send_messages",
            "can_send_polls",
            "can_send_other_messages",
            "can_add_web_page_previews",
            "can_manage_topics",
            "can_send_audios",
            "can_send_documents",
            "can_send_photos",
            "can_send_videos",
            "can_send_video_notes",
            "can_send_voice_notes",
            "can_edit_tag",
        ]
        return {
            "status": "restricted",
            "user": user,
            "is_member": True,
            "until_date": 0,
            **dict.fromkeys(perms, False),
        }
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    if status in ("member", "left"):
        return {"status": status, "user": user}
    raise ValueError(f"unknown chat member status {status!r}")


def image_size(content: bytes) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG, or a plausible default for anything else."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(content):
            if content[i] != 0xFF:
                break
            marker = content[i + 1]
            (length,) = struct.unpack(">H", content[i + 2 : i + 4])
            # SOF0..SOF15 carry the frame size (except DHT/JPG/DAC markers C4, C8, CC).
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", content[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return 800, 600


def image_extension(content: bytes) -> str:
    """File extension for an uploaded image, from its magic bytes."""
    if content.startswith(b"\x89PNG"):
        return ".png"
    if content.startswith(b"\xff\xd8"):
        return ".jpg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return ".gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return ".webp"
    return ".bin"
