"""The one way the bot sends: every message fits Telegram's limits, whoever sends it.

Text over 4,096 characters is split at line boundaries, the keyboard riding on the last part;
a caption over 1,024 keeps what fits under the photo or file and sends the rest as text after
it; an edited message (a board) is cut with "…" rather than refused. Telegram counts UTF-16
code units, so an emoji is two: lengths here are counted the same way.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> tuple[str, str]:
    """The longest head of `text` within `limit` units (never splitting a surrogate pair), and
    the rest."""
    low, high = 0, len(text)
    while low < high:  # binary search on characters: units() is monotonic in the prefix
        mid = (low + high + 1) // 2
        if units(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    return text[:low], text[low:]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most `limit` units, cut after a line break where there is one; a single
    line longer than `limit` is cut where it must be. Empty text gives no parts."""
    parts: list[str] = []
    rest = text.strip("\n")
    while rest:
        if units(rest) <= limit:
            parts.append(rest)
            break
        head, _ = _cut(rest, limit)
        cut = head.rfind("\n")
        if cut <= 0:
            cut = len(head)
        parts.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    return [p for p in parts if p.strip()]


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` within `limit` units, ending with "…" when it had to be cut."""
    if units(text) <= limit:
        return text
    head, _ = _cut(text, limit - units(ELLIPSIS))
    return head.rstrip() + ELLIPSIS


def _caption_and_rest(caption: str) -> tuple[str, str]:
    """What fits under a photo or file (cut at a line break when possible) and what follows."""
    if units(caption) <= CAPTION_LIMIT:
        return caption, ""
    head, _ = _cut(caption, CAPTION_LIMIT)
    cut = head.rfind("\n")
    if cut <= 0:
        cut = len(head)
    return caption[:cut].rstrip("\n"), caption[cut:].lstrip("\n")


async def send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    **kwargs: Any,
) -> Message:
    """Send `text` as one message or, when too long, as several cut at line boundaries; the
    keyboard goes with the last part. Returns the last message sent."""
    parts = split_text(text) or [text]
    for part in parts[:-1]:
        await bot.send_message(chat_id, part, **kwargs)
    return await bot.send_message(chat_id, parts[-1], reply_markup=reply_markup, **kwargs)


async def send_photo(
    bot: Bot,
    chat_id: int,
    photo: bytes | str | InputFile,
    *,
    caption: str = "",
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send a photo (bytes or a file_id); a caption too long for it continues as text.
    Returns the photo's message (the one a later edit or reply refers to)."""
    head, rest = _caption_and_rest(caption)
    message = await bot.send_photo(
        chat_id, photo, caption=head or None, reply_markup=None if rest else reply_markup
    )
    if rest:
        await send_text(bot, chat_id, rest, reply_markup=reply_markup)
    return message


async def send_document(
    bot: Bot,
    chat_id: int,
    document: bytes | InputFile | Any,
    *,
    filename: str,
    caption: str = "",
    write_timeout: float | None = None,  # seconds for the upload; None: the bot's default
) -> Message:
    """Send a file; a caption too long for it continues as text. Returns the file's message."""
    head, rest = _caption_and_rest(caption)
    upload = {} if write_timeout is None else {"write_timeout": write_timeout}
    message = await bot.send_document(
        chat_id, document, filename=filename, caption=head or None, **upload
    )
    if rest:
        await send_text(bot, chat_id, rest)
    return message


async def edit_text(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Any:
    """Replace a message's text; one message cannot become two, so it is cut with "…"."""
    return await bot.edit_message_text(
        shorten(text), chat_id, message_id, reply_markup=reply_markup
    )
