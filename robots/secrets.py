"""Robot urls and secrets stay out of logs, replies and stored errors.

A webhook url is a password: whoever has it can post into the group. Our own log lines name a
robot by its name only and errors are cut from the url before they are kept (client.py); on top
of that, this filter blanks every configured secret in every log record, whoever logged it
(httpx logs each request's url at INFO).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

HIDDEN = "<secret>"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced."""
    for secret in secrets:  # longest first (RobotConfig.secrets), so a url goes whole
        if secret:
            text = text.replace(secret, HIDDEN)
    return text


class SecretFilter(logging.Filter):
    """Blanks the robots' urls, tokens and secrets in a record's message and traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(sorted(set(secrets), key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and record.exc_info[1] is not None:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text, self.secrets)
        return True


def install(secrets: Iterable[str]) -> SecretFilter:
    """Put a filter on every root handler and on httpx's logger (records it makes before a
    handler sees them, e.g. in a test's capture); `uninstall` takes it off."""
    hide = SecretFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(hide)
    logging.getLogger("httpx").addFilter(hide)
    return hide


def uninstall(hide: SecretFilter) -> None:
    for handler in logging.getLogger().handlers:
        handler.removeFilter(hide)
    logging.getLogger("httpx").removeFilter(hide)
