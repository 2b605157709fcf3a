"""What the fake robots check and how a call reads in the transcript."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import RobotCall

JSON = dict[str, Any]


def wecom_problem(body: JSON | None, media: dict[str, bytes]) -> str | None:
    """Why WeCom would refuse the message, or None."""
    kind = (body or {}).get("msgtype")
    if kind == "markdown":
        text = body["markdown"].get("content", "")
        return "markdown.content exceed max length 4096" if len(text.encode()) > 4096 else None
    if kind == "image":
        try:
            raw = base64.b64decode(body["image"]["base64"], validate=True)
        except (binascii.Error, KeyError):
            return "invalid base64"
        if len(raw) > 2 * 2**20:
            return "invalid image size"
        return (
            None if hashlib.md5(raw).hexdigest() == body["image"].get("md5") else "md5 not match"
        )
    if kind == "file":
        return None if body["file"].get("media_id") in media else "invalid media_id"
    return "invalid message type"


def feishu_problem(body: JSON | None, media: dict[str, bytes]) -> str | None:
    kind = (body or {}).get("msg_type")
    content = (body or {}).get("content") or {}
    if kind == "post":
        post = (content.get("post") or {}).get("zh_cn") or {}
        lines = post.get("content")
        ok = isinstance(lines, list) and all(isinstance(x, list) for x in lines)
        return None if ok else "post.zh_cn.content must be a list of lines"
    if kind == "image":
        return None if content.get("image_key") in media else "invalid image_key"
    return "invalid msg_type"


# The signatures are computed here as each platform's docs state them, on purpose not with the
# bot's own robots.signing: a test of a signature against itself could not fail.


def dingtalk_signed(secret: str, query: Any) -> bool:
    """加签: timestamp (ms, within an hour of now) and sign in the url; the query is decoded
    already, so sign is base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret))."""
    stamp = query.get("timestamp", "")
    if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) >= 3_600_000:
        return False
    mac = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256)
    return hmac.compare_digest(query.get("sign", ""), base64.b64encode(mac.digest()).decode())


def feishu_signed(secret: str, body: JSON) -> bool:
    """签名校验: timestamp (s, within an hour of now) and sign in the body, where sign is
    base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=""))."""
    stamp = str(body.get("timestamp", ""))
    if not stamp.isdigit() or abs(time.time() - int(stamp)) >= 3600:
        return False
    mac = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256)
    return hmac.compare_digest(str(body.get("sign", "")), base64.b64encode(mac.digest()).decode())


def describe(call: RobotCall, name: str) -> str:
    """One transcript line."""
    head = f"[{name}] "
    sign = "" if call.signed is None else (" 签名✓" if call.signed else " 签名✗")
    result = "" if call.ok else f"  → refused: {call.status} {call.answer}"
    body = call.body or {}
    if call.endpoint == "upload_media":
        name_, content = call.files.get("media", ("?", b""))
        return f"{head}upload_media {name_} ({len(content) // 1024} KB){result}"
    if call.endpoint == "token":
        return f"{head}tenant_access_token for {body.get('app_id')}{result}"
    if call.endpoint == "image":
        _, content = call.files.get("image", ("?", b""))
        return f"{head}im/v1/images upload ({len(content) // 1024} KB){result}"
    kind = body.get("msgtype") or body.get("msg_type")
    if kind == "markdown":
        md = body["markdown"]
        title = f" title={md['title']!r}" if "title" in md else ""
        text = (md.get("content") or md.get("text") or "").replace("  \n", "\n")
        return f"{head}markdown{sign}{title}:\n    " + text.replace("\n", "\n    ") + result
    if kind == "image" and "image" in body:
        raw = base64.b64decode(body["image"]["base64"])
        md5 = "md5 ✓" if hashlib.md5(raw).hexdigest() == body["image"]["md5"] else "md5 ✗"
        return f"{head}image PNG {len(raw) // 1024} KB, {md5}{result}"
    if kind == "file":
        return f"{head}file {body['file'].get('media_id')}{result}"
    if kind == "post":
        post = body["content"]["post"]["zh_cn"]
        lines = ["".join(seg.get("text", "") for seg in line) for line in post["content"]]
        return (f"{head}post{sign} title={post['title']!r}:\n    " + "\n    ".join(lines)
                + result)  # fmt: skip
    if kind == "image":
        return f"{head}image {body['content'].get('image_key')}{sign}{result}"
    return f"{head}{call.endpoint} {body}{result}"
