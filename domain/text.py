"""Text clean-up shared by the parsers: full-width to half-width, whitespace."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def halfwidth(text: str) -> str:
    """Fold full-width digits, letters and punctuation to ASCII (NFKC), e.g. "５，０" -> "5,0"."""
    return unicodedata.normalize("NFKC", text)


MAX_ID = 2**53  # ids are SQLite rowids or Telegram ids; beyond this a number is forged


def ascii_number(text: str, low: int, high: int) -> int | None:
    """A whole number in ASCII digits without a sign, from low to high; None for anything else.
    Not `str.isdigit` alone: it passes "²" (int() then raises) and 30 digits (SQLite's
    integers then overflow)."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def number_in(text: str, low: int, high: int) -> int | None:
    """A typed whole number (full-width digits folded, spaces around it ignored) in range."""
    return ascii_number(halfwidth(text).strip(), low, high)


def squash(text: str) -> str:
    """Half-width text with all whitespace removed; the key used to compare labels."""
    return _SPACES.sub("", halfwidth(text))


def collapse_spaces(text: str) -> str:
    """Strip and turn each whitespace run (newlines, ideographic spaces) into one space."""
    return _SPACES.sub(" ", text.replace("\u3000", " ")).strip()


def strip_spaces(text: str) -> str:
    """Remove all whitespace; Chinese sheets pad short names with spaces ("王  明")."""
    return _SPACES.sub("", text.replace("\u3000", " "))


_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def tidy(text: str) -> str:
    """Collapse whitespace and drop the padding between Chinese characters ("王  明" -> "王明")."""
    return _CJK_GAP.sub("", collapse_spaces(text))


# What people type reaches storage, spreadsheets and other people's screens, so it is cleaned
# once where it enters (chat, import, names). Removed: control characters (C0 and C1, which
# also make openpyxl refuse a workbook), lone surrogates (not encodable as UTF-8), the two
# non-characters XML forbids, zero-width and BOM characters, and bidi overrides that can make
# "XM-001" display as something else. Kept: ZWJ/ZWNJ (emoji sequences and scripts need them).
_INVISIBLE = "\u200b\u2060\ufeff\u180e\u00ad\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
_INVISIBLE += "\u2066\u2067\u2068\u2069\ufffe\uffff"
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff" + _INVISIBLE + "]"
)
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")


def clean(text: str) -> str:
    """Text a person typed, safe to store and show: line breaks kept (as \\n), tabs as spaces,
    every invisible or control character dropped, ends stripped."""
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    return _UNSAFE.sub("", text).strip()


def clean_line(text: str) -> str:
    """A one-line value (a name, a file name): cleaned, each whitespace run one space."""
    return collapse_spaces(clean(text))
