"""The signatures DingTalk's 加签 and Feishu's 签名校验 ask for (pure functions).

DingTalk (自定义机器人安全设置, 加签): the url carries timestamp (ms) and
sign = urlencode(base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret))).
Feishu (自定义机器人, 签名校验): the body carries timestamp (s) and
sign = base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg="")). Both platforms refuse a
timestamp more than an hour from their clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The sign for DingTalk's url, already url-encoded."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The webhook url to post to: with timestamp and sign when the robot has a secret."""
    if not secret:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """The sign for Feishu's body: the key is the timestamp and the secret, the message empty."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def feishu_fields(secret: str, timestamp_s: int) -> dict[str, str]:
    """What a signed Feishu body adds (nothing without a secret)."""
    if not secret:
        return {}
    return {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s)}
