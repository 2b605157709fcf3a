"""Parse-mode handling for the fake Bot API: validate like Telegram and recover the plain text.

Telegram rejects malformed HTML / MarkdownV2 with ``400 Bad Request: can't parse entities``.
Reproducing the common cases here lets tests catch formatting bugs (an unescaped ``<`` in a
project name, ``<br>``, an unescaped ``.`` in MarkdownV2) before they reach real users.
"""

from __future__ import annotations

import html
import re

# Tags Telegram accepts in HTML parse mode (https://core.telegram.org/bots/api#html-style).
# Note: <br>, <p>, <div> are *not* supported; Telegram answers 400 for them.
_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
# Characters that are never markup in MarkdownV2 and therefore must always be escaped there.
_MDV2_ALWAYS_ESCAPED = frozenset("#+-={}.!()")
_MDV2_MARKUP = frozenset("*_~|`")


class ParseError(ValueError):
    """The text cannot be parsed in the requested parse mode (Telegram's wording)."""


def _byte_offset(text: str, index: int) -> int:
    # Telegram reports UTF-8 byte offsets, which differ from str indices for Chinese text.
    return len(text[:index].encode("utf-8"))


def html_to_plain(text: str) -> str:
    """Validate Telegram-HTML ``text`` and return what the user sees; raise ParseError."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while True:
        lt = text.find("<", pos)
        if lt < 0:
            out.append(html.unescape(text[pos:]))
            break
        out.append(html.unescape(text[pos:lt]))
        m = _TAG_RE.match(text, lt)
        if m is None:
            raise ParseError(
                f"can't parse entities: unexpected end of name token at byte offset "
                f"{_byte_offset(text, lt)}"
            )
        closing, name, attrs = m.group(1) == "/", m.group(2).lower(), m.group(3)
        offset = _byte_offset(text, lt)
        if closing:
            if not stack:
                raise ParseError(
                    f"can't parse entities: unexpected end tag at byte offset {offset}"
                )
            expected = stack.pop()
            if expected != name:
                raise ParseError(
                    f"can't parse entities: unmatched end tag at byte offset {offset}, "
                    f'expected "</{expected}>", found "</{name}>"'
                )
        else:
            if name not in _HTML_TAGS:
                raise ParseError(
                    f'can\'t parse entities: unsupported start tag "{name}" at byte offset '
                    f"{offset}"
                )
            if name == "span" and "tg-spoiler" not in attrs:
                raise ParseError(
                    f'can\'t parse entities: tag "span" must have class "tg-spoiler" at byte '
                    f"offset {offset}"
                )
            if not attrs.rstrip().endswith("/"):
                stack.append(name)
        pos = m.end()
    if stack:
        raise ParseError(
            f"can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def markdown_v2_to_plain(text: str) -> str:
    """Check MarkdownV2 escaping (the always-reserved chars only) and strip the markup.

    A full MarkdownV2 parser is not worth it here; the check catches the classic bug of
    forgetting ``escape_markdown`` on dynamic text (dates "2024.01.02", "-", "!", "(").
    """
    out: list[str] = []
    in_code = False
    in_url = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if in_url:
            # Inside "(url)" only ")" and "\" are special; the URL itself is not visible.
            if ch == ")":
                in_url = False
            i += 1
            continue
        if ch == "`":
            in_code = not in_code
        elif in_code:
            out.append(ch)
        elif ch == "]" and text.startswith("](", i):
            in_url = True
            i += 2
            continue
        elif ch in _MDV2_ALWAYS_ESCAPED and not (ch == "!" and text.startswith("![", i)):
            raise ParseError(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped with "
                "the preceding '\\'"
            )
        elif ch not in _MDV2_MARKUP and ch not in "[!":
            out.append(ch)
        i += 1
    return "".join(out)


def to_plain(text: str, parse_mode: str | None) -> str:
    """Return the visible text for ``parse_mode`` (None/unknown = as is); raise ParseError."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return html_to_plain(text)
    if mode == "markdownv2":
        return markdown_v2_to_plain(text)
    if mode == "markdown":
        # Legacy Markdown: no strict escaping rules worth emulating; just drop the markup.
        return re.sub(r"[*_`\[]", "", re.sub(r"\]\([^)]*\)", "", text))
    return text
